/**
 * `fix_follow_state` (docs/pleroma/tasks.md#fix_follow_state): when the
 * latest Follow of a local user for a remote account says "accept" but no
 * accepted following_relationships row exists, the follow is rejected the
 * way `CommonAPI.reject_follow_request` does it. Plain functions over an
 * EntityManager: no printing, no oclif.
 */
import {randomUUID} from 'node:crypto'
import type {EntityManager} from 'typeorm'
import {Activity, FollowingRelationship, FollowState, Notification} from '../entities'
import {columnsOf, tableOf} from '../entities/names'
import {newFlakeId} from '../db/flake-id'
import {utcNow} from '../db/time'
import {recomputeFollowCounters} from './counters'
import {objectIdExpression} from './delete-activities'

const A = columnsOf(Activity)
const R = columnsOf(FollowingRelationship)
const N = columnsOf(Notification)
const ACTIVITIES = tableOf(Activity)
const FOLLOWS = tableOf(FollowingRelationship)
const NOTIFICATIONS = tableOf(Notification)

export interface FollowParty {
  id: string
  apId: string
}

export interface FollowStatePlan {
  /** The latest Follow activity of the follower for the followed (its row id), null when there is none. */
  followId: string | null
  /** Its data's "id" (the ActivityPub id the Reject names). */
  followApId: string | null
  /** Its data's "state"; null when the Follow has none (Pleroma: "No follow data"). */
  requestState: string | null
  /** Whether an accepted relationship follower → followed exists (`User.following?`). */
  following: boolean
  /** The relationship row's state when one exists (1 pending, 2 accepted, 3 rejected), else null. */
  relationshipState: number | null
  /** The Follows of the follower for the followed in state pending or accept (those the repair marks "reject"). */
  followsToReject: number
  /** Notifications of the latest Follow (Notification.dismiss deletes them). */
  notifications: number
}

/**
 * What fix_follow_state finds: the latest Follow (`Utils.fetch_latest_follow`,
 * v2.9.1:lib/pleroma/web/activity_pub/utils.ex:505-514: type Follow, actor the
 * follower's ap_id, object the followed's, `id DESC NULLS LAST`), whether the
 * follower follows (an accepted relationship, following_relationship.ex:160-164),
 * and what the repair would touch.
 */
export async function planFollowStateFix(m: EntityManager, follower: FollowParty, followed: FollowParty): Promise<FollowStatePlan> {
  const objectId = await objectIdExpression(m)
  const rows = await m.query<Array<{id: string; ap_id: string | null; state: string | null; has_state: boolean}>>(
    `SELECT ${A.id} AS id, ${A.data}->>'id' AS ap_id, ${A.data}->>'state' AS state, ${A.data} ? 'state' AS has_state
       FROM ${ACTIVITIES}
      WHERE ${A.data}->>'type' = 'Follow' AND ${A.actor} = $1 AND ${objectId(A.data)} = $2
      ORDER BY ${A.id} DESC NULLS LAST LIMIT 1`,
    [follower.apId, followed.apId],
  )
  const [counts] = await m.query<Array<{relationship_state: number | null; follows_to_reject: number; notifications: number}>>(
    `SELECT (SELECT ${R.state} FROM ${FOLLOWS} WHERE ${R.followerId} = $1 AND ${R.followingId} = $2) AS relationship_state,
            (SELECT count(*)::int FROM ${ACTIVITIES}
              WHERE ${A.data}->>'type' = 'Follow' AND ${A.actor} = $3 AND ${objectId(A.data)} = $4
                AND ${A.data}->>'state' IN ('pending', 'accept')) AS follows_to_reject,
            (SELECT count(*)::int FROM ${NOTIFICATIONS} WHERE ${N.activityId} = $5) AS notifications`,
    [follower.id, followed.id, follower.apId, followed.apId, rows[0]?.id ?? null],
  )
  const latest = rows[0]
  return {
    followId: latest?.id ?? null,
    followApId: latest?.ap_id ?? null,
    requestState: latest?.has_state ? latest.state : null,
    following: counts.relationship_state === FollowState.ACCEPTED,
    relationshipState: counts.relationship_state,
    followsToReject: counts.follows_to_reject,
    notifications: counts.notifications,
  }
}

/** The discrepancy fix_follow_state repairs: the latest Follow says "accept", no accepted relationship. */
export function needsFix(plan: FollowStatePlan): boolean {
  return plan.requestState === 'accept' && !plan.following
}

export interface FollowStateFix {
  /** The stored Reject's ActivityPub id. */
  rejectApId: string
  /** Follow activities marked "reject". */
  followsRejected: number
  /** Whether a (pending or rejected) relationship row was deleted. */
  relationshipRemoved: boolean
  notificationsDismissed: number
  /** Local users whose counters changed (the follower's following_count, when a row went). */
  countersChanged: number
}

/**
 * The repair, as `CommonAPI.reject_follow_request(follower, followed)`
 * (v2.9.1:lib/pleroma/web/common_api.ex:161-167) leaves the database, in the
 * caller's transaction:
 *
 * - a Reject activity as `Builder.reject` builds it (builder.ex:24-39) and the
 *   pipeline stores it (object_validator.ex:202-232 with the empty to/cc/bto/bcc
 *   defaults of common_fields.ex:11-20; activity_pub.ex:119-133): actor the
 *   followed, object the Follow's id, to [the follower], local, recipients = to;
 * - every Follow of the follower for the followed in state pending or accept
 *   gets state "reject" (`update_follow_state_for_all`, utils.ex:457-472: an
 *   update_all, so updated_at stays as it was);
 * - the relationship row, if any, is deleted and the counters recomputed
 *   (`FollowingRelationship.update(…, :follow_reject)` = unfollow,
 *   following_relationship.ex:57, 83-106; only the local side here:
 *   docs/pleroma/tasks.md#follow-counters);
 * - the latest Follow's notifications are deleted (`Notification.dismiss`,
 *   notification.ex:334-342).
 *
 * Nothing is queued: the Reject is addressed to the local follower only
 * (docs/pleroma/tasks.md#fix_follow_state).
 */
export async function fixFollowState(
  m: EntityManager,
  follower: FollowParty,
  followed: FollowParty,
  plan: FollowStatePlan,
  instanceUrl: string,
  now = utcNow(),
): Promise<FollowStateFix> {
  const objectId = await objectIdExpression(m)
  const rejectApId = `${instanceUrl}/activities/${randomUUID()}`
  const data = {id: rejectApId, type: 'Reject', actor: followed.apId, object: plan.followApId, to: [follower.apId], cc: [], bto: [], bcc: []}
  await m.query(
    `INSERT INTO ${ACTIVITIES} (${A.id}, ${A.data}, ${A.insertedAt}, ${A.updatedAt}, ${A.local}, ${A.actor}, ${A.recipients})
     VALUES ($1::uuid, $2::jsonb, $3::timestamp, $3::timestamp, true, $4, $5::varchar[])`,
    [newFlakeId(), JSON.stringify(data), now, followed.apId, [follower.apId]],
  )
  const followsRejected = await count(
    m,
    `UPDATE ${ACTIVITIES} SET ${A.data} = jsonb_set(${A.data}, '{state}', '"reject"')
      WHERE ${A.data}->>'type' = 'Follow' AND ${A.actor} = $1 AND ${objectId(A.data)} = $2 AND ${A.data}->>'state' IN ('pending', 'accept')`,
    [follower.apId, followed.apId],
  )
  const removed = await count(m, `DELETE FROM ${FOLLOWS} WHERE ${R.followerId} = $1 AND ${R.followingId} = $2`, [follower.id, followed.id])
  const countersChanged = removed > 0 ? await recomputeFollowCounters(m, [follower.id, followed.id], now) : 0
  const dismissed = await count(m, `DELETE FROM ${NOTIFICATIONS} WHERE ${N.activityId} = $1`, [plan.followId])
  return {rejectApId, followsRejected, relationshipRemoved: removed > 0, notificationsDismissed: dismissed, countersChanged}
}

/** The number of rows an UPDATE or DELETE changed. */
async function count(m: EntityManager, statement: string, params: unknown[]): Promise<number> {
  const [row] = await m.query<Array<{n: number}>>(`WITH x AS (${statement} RETURNING 1) SELECT count(*)::int AS n FROM x`, params)
  return row.n
}
