/**
 * `user:rm`: the end state of Pleroma's user deletion (docs/pleroma/tasks.md
 * "rm"), done synchronously for a local user:
 *
 * 1. first, in a transaction of its own (startUserRemoval): the account is
 *    deactivated and signed out, so that it can post nothing while its posts
 *    go (the follow counters of its neighbours recomputed, as it no longer
 *    counts);
 * 2. the user's posts deleted and likes/announces undone, in batches
 *    (delete-activities.ts; resumable: a re-run starts again at 1, which
 *    then changes nothing);
 * 3. in the transaction of the last batch: a Delete activity of the actor is
 *    recorded; all follow relationships of the user (both directions, any
 *    state) are deleted, the matching Follow activities marked "cancelled",
 *    and the counters of the other local users recomputed; notifications
 *    caused by the user's activities are deleted; the user's OAuth tokens and
 *    authorizations are deleted (beyond Pleroma: a purged account keeps no
 *    live credentials); then the row is purged and deactivated (the nickname
 *    stays reserved), or, for an account pending approval or confirmation,
 *    deleted (its report notes first, and its apps still used by others'
 *    tokens detached from it: docs/pleroma/schema.md "Trap: apps" and
 *    "Trap: report notes").
 */
import {randomUUID} from 'node:crypto'
import type {EntityManager} from 'typeorm'
import {newFlakeId} from '../db/flake-id'
import {utcNow} from '../db/time'
import {Activity, App, FollowingRelationship, FollowState, Notification, OAuthAuthorization, OAuthToken, ReportNote, User} from '../entities'
import {columnsOf, tableOf} from '../entities/names'
import {countUserActivities, objectIdExpression, type ActivityCounts, type DeletionTarget} from './delete-activities'
import {recomputeFollowCounters} from './counters'
import {undoRemoteFollows, type Outgoing} from './federation'
import {signOutUsers} from './live'

const U = columnsOf(User)
const A = columnsOf(Activity)
const R = columnsOf(FollowingRelationship)
const N = columnsOf(Notification)
const T = columnsOf(OAuthToken)
const OA = columnsOf(OAuthAuthorization)
const RN = columnsOf(ReportNote)
const AP = columnsOf(App)
const USERS = tableOf(User)
const ACTIVITIES = tableOf(Activity)
const FOLLOWS = tableOf(FollowingRelationship)
const NOTIFICATIONS = tableOf(Notification)
const TOKENS = tableOf(OAuthToken)
const AUTHORIZATIONS = tableOf(OAuthAuthorization)
const REPORT_NOTES = tableOf(ReportNote)
const APPS = tableOf(App)

export interface RemovalCounts extends ActivityCounts {
  /** Follow relationships towards the user (any state). */
  followers: number
  /** Follow relationships from the user (any state). */
  follows: number
  tokens: number
  /** Report notes written by the user (deleted only with the row). */
  reportNotes: number
  /** true: the row is deleted (pending approval or confirmation); false: purged and kept. */
  deleteRow: boolean
}

/** An account pending approval or confirmation is deleted outright, as Pleroma's job does. */
export function deletesRow(t: Pick<DeletionTarget, 'isApproved' | 'isConfirmed'>): boolean {
  return !t.isApproved || !t.isConfirmed
}

/** What `rm` would remove, counted in the database. */
export async function countUserRemoval(m: EntityManager, target: DeletionTarget): Promise<RemovalCounts> {
  const activities = await countUserActivities(m, target.apId)
  const [r] = await m.query<Array<{followers: number; follows: number; tokens: number; report_notes: number}>>(
    `SELECT (SELECT count(*) FROM ${FOLLOWS} WHERE ${R.followingId} = $1 AND ${R.followerId} <> $1)::int AS followers,
            (SELECT count(*) FROM ${FOLLOWS} WHERE ${R.followerId} = $1 AND ${R.followingId} <> $1)::int AS follows,
            (SELECT count(*) FROM ${TOKENS} WHERE ${T.userId} = $1)::int AS tokens,
            (SELECT count(*) FROM ${REPORT_NOTES} WHERE ${RN.userId} = $1)::int AS report_notes`,
    [target.id],
  )
  return {...activities, followers: r.followers, follows: r.follows, tokens: r.tokens, reportNotes: r.report_notes, deleteRow: deletesRow(target)}
}

export interface RemovalResult {
  followers: number
  follows: number
  tokens: number
  authorizations: number
  notifications: number
  reportNotes: number
  purged: boolean
  deleted: boolean
  /** Local users whose follow counters were recomputed and changed. */
  countersChanged: number
}

/**
 * What `users` columns a purge sets (docs/pleroma/tasks.md "rm"; Pleroma
 * v2.9.1 lib/pleroma/user.ex purge_user_changeset), as SQL constants.
 * keys, public_key, is_confirmed and is_approved are left alone, as 2.9 does;
 * pinned_objects is emptied too (2.9's purge keeps it; its posts are gone by then).
 */
const PURGED_VALUES: Array<[string, string]> = [
  [U.bio, `''`],
  [U.rawBio, 'NULL'],
  [U.email, 'NULL'],
  [U.name, 'NULL'],
  [U.passwordHash, 'NULL'],
  [U.lastRefreshedAt, 'NULL'],
  [U.lastDigestEmailedAt, 'NULL'],
  [U.registrationReason, 'NULL'],
  [U.confirmationToken, 'NULL'],
  [U.mascot, 'NULL'],
  [U.avatar, `'{}'::jsonb`],
  [U.banner, `'{}'::jsonb`],
  [U.background, `'{}'::jsonb`],
  [U.emoji, `'{}'::jsonb`],
  [U.pleromaSettingsStore, `'{}'::jsonb`],
  [U.tags, `'{}'`],
  [U.domainBlocks, `'{}'`],
  [U.alsoKnownAs, `'{}'`],
  [U.fields, `'[]'::jsonb`],
  [U.rawFields, `'[]'::jsonb`],
  [U.noteCount, '0'],
  [U.followerCount, '0'],
  [U.followingCount, '0'],
  [U.isLocked, 'false'],
  [U.passwordResetPending, 'false'],
  [U.isModerator, 'false'],
  [U.isAdmin, 'false'],
  [U.isDiscoverable, 'false'],
  [U.isActive, 'false'],
  [U.pinnedObjects, `'{}'::jsonb`],
]

export interface StartResult {
  /** Accounts that were active and are now deactivated. */
  deactivated: number
  tokens: number
  authorizations: number
  /** Local users whose follow counters were recomputed and changed. */
  countersChanged: number
}

/**
 * The first step of `rm`, for one or many users at once (set-based): each
 * account is deactivated (`is_active` false; nothing else of the row yet)
 * and signed out (its OAuth authorizations and tokens deleted, as sign-out
 * does), and the follow counters of the local users it follows or is
 * followed by are recomputed (an inactive account is not counted:
 * docs/pleroma/tasks.md#follow-counters). Run in a transaction of its own
 * before the posts go, so the account can neither sign in nor post while
 * they do; running it again changes nothing.
 */
export async function startUserRemoval(m: EntityManager, userIds: string[], now = utcNow()): Promise<StartResult> {
  if (userIds.length === 0) return {deactivated: 0, tokens: 0, authorizations: 0, countersChanged: 0}
  const off = await m.query<Array<{id: string}>>(
    `WITH d AS (
       UPDATE ${USERS} SET ${U.isActive} = false, ${U.updatedAt} = $2
        WHERE ${U.id} = ANY($1::uuid[]) AND ${U.isActive}
       RETURNING ${U.id} AS id)
     SELECT id FROM d`,
    [userIds, now],
  )
  let countersChanged = 0
  if (off.length > 0) {
    const neighbours = await m.query<Array<{id: string}>>(
      `SELECT r.${R.followingId} AS id FROM unnest($1::uuid[]) AS x(id) JOIN ${FOLLOWS} r ON r.${R.followerId} = x.id
        WHERE r.${R.state} = ${FollowState.ACCEPTED}
       UNION
       SELECT r.${R.followerId} FROM unnest($1::uuid[]) AS x(id) JOIN ${FOLLOWS} r ON r.${R.followingId} = x.id
        WHERE r.${R.state} = ${FollowState.ACCEPTED}`,
      [off.map((u) => u.id)],
    )
    const gone = new Set(off.map((u) => u.id))
    countersChanged = await recomputeFollowCounters(
      m,
      neighbours.map((n) => n.id).filter((id) => !gone.has(id)),
      now,
    )
  }
  const signedOut = await signOutUsers(m, userIds)
  return {deactivated: off.length, tokens: signedOut.tokens, authorizations: signedOut.authorizations, countersChanged}
}

export interface FinishOptions {
  instanceUrl: string
  userColumns: Set<string>
  now: string
  /**
   * When set (federating), the Undos of the user's follows of remote accounts
   * are stored too, and this gets the actor's Delete and those Undos while
   * the follows still exist (it queues their delivery: federation.ts). Not
   * called for an account whose row is deleted: nobody could sign for it.
   */
  federate?: (m: EntityManager, outgoing: Outgoing[]) => Promise<void>
}

/**
 * Everything of `rm` after the posts: in the caller's transaction (the last
 * batch's), with the user row locked by it.
 */
export async function finishUserRemoval(m: EntityManager, target: DeletionTarget, options: FinishOptions): Promise<RemovalResult> {
  const {now} = options
  const objectId = await objectIdExpression(m)

  // The Delete of the actor, as Pleroma's pipeline stores it (once: a re-run after a
  // finished rm records no second one).
  const to = target.followerAddress ? [target.followerAddress] : []
  const deleteId = newFlakeId()
  const deleteData = {
    id: `${options.instanceUrl}/activities/${randomUUID()}`,
    type: 'Delete',
    actor: target.apId,
    object: target.apId,
    to,
    cc: [],
    bto: [],
    bcc: [],
  }
  const stored = await m.query<Array<{id: string}>>(
    `WITH i AS (
       INSERT INTO ${ACTIVITIES} (${A.id}, ${A.data}, ${A.insertedAt}, ${A.updatedAt}, ${A.local}, ${A.actor}, ${A.recipients})
       SELECT $1::uuid, $2::jsonb, $3::timestamp, $3::timestamp, true, $4::text, $5::varchar[]
        WHERE NOT EXISTS (SELECT 1 FROM ${ACTIVITIES}
                           WHERE ${objectId(A.data)} = $4::text AND ${A.actor} = $4::text AND ${A.data}->>'type' = 'Delete')
       RETURNING ${A.id} AS id)
     SELECT id FROM i`,
    [deleteId, JSON.stringify(deleteData), now, target.apId, to],
  )

  if (options.federate && !deletesRow(target)) {
    // Before the follows go: the jobs' follower inboxes are read from them.
    const actor = {id: target.id, apId: target.apId, followerAddress: target.followerAddress}
    const undos = await undoRemoteFollows(m, actor, options.instanceUrl, now, objectId, newFlakeId)
    const outgoing = [...(stored.length > 0 ? [{id: deleteId, data: deleteData}] : []), ...undos]
    if (outgoing.length > 0) await options.federate(m, outgoing)
  }

  // Unfollow both ways: every relationship row of the user, any state.
  const others = await m.query<Array<{id: string; ap_id: string; outgoing: boolean; local: boolean}>>(
    `WITH d AS (
       DELETE FROM ${FOLLOWS} WHERE ${R.followerId} = $1 OR ${R.followingId} = $1
       RETURNING ${R.followerId} AS follower_id, ${R.followingId} AS following_id)
     SELECT u.${U.id} AS id, u.${U.apId} AS ap_id, (d.follower_id = $1) AS outgoing, u.${U.local} AS local
       FROM d JOIN ${USERS} u ON u.${U.id} = CASE WHEN d.follower_id = $1 THEN d.following_id ELSE d.follower_id END
      WHERE u.${U.id} <> $1`,
    [target.id],
  )
  const followed = others.filter((o) => o.outgoing).map((o) => o.ap_id)
  const followers = others.filter((o) => !o.outgoing).map((o) => o.ap_id)
  if (others.length > 0) {
    // The Follow activities of those relationships are cancelled, as Pleroma's unfollow does.
    await m.query(
      `UPDATE ${ACTIVITIES}
          SET ${A.data} = jsonb_set(${A.data}, '{state}', '"cancelled"'), ${A.updatedAt} = $4
        WHERE ${A.data}->>'type' = 'Follow' AND ${A.data}->>'state' IN ('accept', 'pending')
          AND ((${A.actor} = $1 AND ${objectId(A.data)} = ANY($2::text[]))
            OR (${objectId(A.data)} = $1 AND ${A.actor} = ANY($3::text[])))`,
      [target.apId, followed, followers, now],
    )
  }

  // Notifications caused by the user's remaining activities (follows, reacts ...), of every recipient.
  const [notes] = await m.query<Array<{n: number}>>(
    `WITH d AS (
       DELETE FROM ${NOTIFICATIONS} n USING ${ACTIVITIES} a
        WHERE n.${N.activityId} = a.${A.id} AND a.${A.actor} = $1
       RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
    [target.apId],
  )

  // Signed out everywhere (mfa_tokens and push_subscriptions go by cascade).
  const [oauth] = await m.query<Array<{tokens: number; authorizations: number}>>(
    `WITH a AS (DELETE FROM ${AUTHORIZATIONS} WHERE ${OA.userId} = $1 RETURNING 1),
          t AS (DELETE FROM ${TOKENS} WHERE ${T.userId} = $1 RETURNING 1)
     SELECT (SELECT count(*) FROM t)::int AS tokens, (SELECT count(*) FROM a)::int AS authorizations`,
    [target.id],
  )

  const result: RemovalResult = {
    followers: followers.length,
    follows: followed.length,
    tokens: oauth.tokens,
    authorizations: oauth.authorizations,
    notifications: notes.n,
    reportNotes: 0,
    purged: false,
    deleted: false,
    countersChanged: 0,
  }

  if (deletesRow(target)) {
    // Trap 2: report_notes.user_id has no ON DELETE action; the notes go first.
    const [rn] = await m.query<Array<{n: number}>>(
      `WITH d AS (DELETE FROM ${REPORT_NOTES} WHERE ${RN.userId} = $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [target.id],
    )
    result.reportNotes = rn.n
    // Trap 1: the user's apps cascade with it, but other users' tokens may still use them: keep those apps, ownerless.
    const owner = AP.userId
    const [apps] = await m.query<Array<{has: boolean}>>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2) AS has`,
      [APPS, owner],
    )
    if (apps.has) {
      await m.query(
        `UPDATE ${APPS} SET ${owner} = NULL, ${AP.updatedAt} = $2
          WHERE ${owner} = $1
            AND (EXISTS (SELECT 1 FROM ${TOKENS} t WHERE t.${T.appId} = ${APPS}.${AP.id})
              OR EXISTS (SELECT 1 FROM ${AUTHORIZATIONS} a WHERE a.${OA.appId} = ${APPS}.${AP.id}))`,
        [target.id, now],
      )
    }
    await m.delete(User, {id: target.id})
    result.deleted = true
  } else {
    const values = PURGED_VALUES.filter(([c]) => options.userColumns.has(c))
    await m.query(
      `UPDATE ${USERS} SET ${values.map(([c, v]) => `"${c}" = ${v}`).join(', ')}, ${U.updatedAt} = $2
        WHERE ${U.id} = $1 AND (${values.map(([c, v]) => `"${c}" IS DISTINCT FROM ${v}`).join(' OR ')})`,
      [target.id, now],
    )
    result.purged = true
  }

  const local = others.filter((o) => o.local).map((o) => o.id)
  result.countersChanged = await recomputeFollowCounters(m, [...new Set(local)], now)
  return result
}
