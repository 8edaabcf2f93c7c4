/**
 * `user:rm`: the end state of Pleroma's user deletion (user-tasks.md §2.1,
 * schema.md §7.7), done synchronously for a local user:
 *
 * 1. the user's posts deleted and likes/announces undone, in batches
 *    (delete-activities.ts; resumable, the user row untouched until the end);
 * 2. in the transaction of the last batch: a Delete activity of the actor is
 *    recorded; all follow relationships of the user (both directions, any
 *    state) are deleted, the matching Follow activities marked "cancelled",
 *    and the counters of the other local users recomputed; notifications
 *    caused by the user's activities are deleted; the user's OAuth tokens and
 *    authorizations are deleted (beyond Pleroma: a purged account keeps no
 *    live credentials); then the row is purged and deactivated (the nickname
 *    stays reserved), or, for an account pending approval or confirmation,
 *    deleted (its report notes first, and its apps still used by others'
 *    tokens detached from it, schema.md §7.3 traps 1 and 2).
 */
import {randomUUID} from 'node:crypto'
import type {EntityManager} from 'typeorm'
import {newFlakeId} from '../db/flake-id'
import {countUserActivities, objectIdExpression, type ActivityCounts, type DeletionTarget} from './delete-activities'
import {recomputeFollowCounters} from './counters'

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
  const [r]: Array<{followers: number; follows: number; tokens: number; report_notes: number}> = await m.query(
    `SELECT (SELECT count(*) FROM following_relationships WHERE following_id = $1 AND follower_id <> $1)::int AS followers,
            (SELECT count(*) FROM following_relationships WHERE follower_id = $1 AND following_id <> $1)::int AS follows,
            (SELECT count(*) FROM oauth_tokens WHERE user_id = $1)::int AS tokens,
            (SELECT count(*) FROM report_notes WHERE user_id = $1)::int AS report_notes`,
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
 * What `users` columns a purge sets (schema.md §7.7), as SQL constants.
 * keys, public_key, is_confirmed and is_approved are left alone, as 2.9 does.
 */
const PURGED_VALUES: Array<[string, string]> = [
  ['bio', `''`],
  ['raw_bio', 'NULL'],
  ['email', 'NULL'],
  ['name', 'NULL'],
  ['password_hash', 'NULL'],
  ['last_refreshed_at', 'NULL'],
  ['last_digest_emailed_at', 'NULL'],
  ['registration_reason', 'NULL'],
  ['confirmation_token', 'NULL'],
  ['mascot', 'NULL'],
  ['avatar', `'{}'::jsonb`],
  ['banner', `'{}'::jsonb`],
  ['background', `'{}'::jsonb`],
  ['emoji', `'{}'::jsonb`],
  ['pleroma_settings_store', `'{}'::jsonb`],
  ['tags', `'{}'`],
  ['domain_blocks', `'{}'`],
  ['also_known_as', `'{}'`],
  ['fields', `'[]'::jsonb`],
  ['raw_fields', `'[]'::jsonb`],
  ['note_count', '0'],
  ['follower_count', '0'],
  ['following_count', '0'],
  ['is_locked', 'false'],
  ['password_reset_pending', 'false'],
  ['is_moderator', 'false'],
  ['is_admin', 'false'],
  ['is_discoverable', 'false'],
  ['is_active', 'false'],
  ['pinned_objects', `'{}'::jsonb`],
]

export interface FinishOptions {
  instanceUrl: string
  userColumns: Set<string>
  now: string
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
  await m.query(
    `INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
     SELECT $1::uuid, $2::jsonb, $3::timestamp, $3::timestamp, true, $4::text, $5::varchar[]
      WHERE NOT EXISTS (SELECT 1 FROM activities
                         WHERE ${objectId('data')} = $4::text AND actor = $4::text AND data->>'type' = 'Delete')`,
    [
      newFlakeId(),
      JSON.stringify({id: `${options.instanceUrl}/activities/${randomUUID()}`, type: 'Delete', actor: target.apId, object: target.apId, to, cc: [], bto: [], bcc: []}),
      now,
      target.apId,
      to,
    ],
  )

  // Unfollow both ways: every relationship row of the user, any state.
  const others: Array<{id: string; ap_id: string; outgoing: boolean; local: boolean}> = await m.query(
    `WITH d AS (
       DELETE FROM following_relationships WHERE follower_id = $1 OR following_id = $1
       RETURNING follower_id, following_id)
     SELECT u.id, u.ap_id, (d.follower_id = $1) AS outgoing, u.local
       FROM d JOIN users u ON u.id = CASE WHEN d.follower_id = $1 THEN d.following_id ELSE d.follower_id END
      WHERE u.id <> $1`,
    [target.id],
  )
  const followed = others.filter((o) => o.outgoing).map((o) => o.ap_id)
  const followers = others.filter((o) => !o.outgoing).map((o) => o.ap_id)
  if (others.length > 0) {
    // The Follow activities of those relationships are cancelled, as Pleroma's unfollow does.
    await m.query(
      `UPDATE activities
          SET data = jsonb_set(data, '{state}', '"cancelled"'), updated_at = $4
        WHERE data->>'type' = 'Follow' AND data->>'state' IN ('accept', 'pending')
          AND ((actor = $1 AND ${objectId('data')} = ANY($2::text[]))
            OR (${objectId('data')} = $1 AND actor = ANY($3::text[])))`,
      [target.apId, followed, followers, now],
    )
  }

  // Notifications caused by the user's remaining activities (follows, reacts ...), of every recipient.
  const [notes]: Array<{n: number}> = await m.query(
    `WITH d AS (
       DELETE FROM notifications n USING activities a
        WHERE n.activity_id = a.id AND a.actor = $1
       RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
    [target.apId],
  )

  // Signed out everywhere (mfa_tokens and push_subscriptions go by cascade).
  const [oauth]: Array<{tokens: number; authorizations: number}> = await m.query(
    `WITH a AS (DELETE FROM oauth_authorizations WHERE user_id = $1 RETURNING 1),
          t AS (DELETE FROM oauth_tokens WHERE user_id = $1 RETURNING 1)
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
    const [rn]: Array<{n: number}> = await m.query(
      `WITH d AS (DELETE FROM report_notes WHERE user_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [target.id],
    )
    result.reportNotes = rn.n
    // Trap 1: the user's apps cascade with it, but other users' tokens may still use them: keep those apps, ownerless.
    const [apps]: Array<{has: boolean}> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name = 'apps' AND column_name = 'user_id') AS has`,
    )
    if (apps.has) {
      await m.query(
        `UPDATE apps SET user_id = NULL, updated_at = $2
          WHERE user_id = $1
            AND (EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.app_id = apps.id)
              OR EXISTS (SELECT 1 FROM oauth_authorizations a WHERE a.app_id = apps.id))`,
        [target.id, now],
      )
    }
    await m.query(`DELETE FROM users WHERE id = $1`, [target.id])
    result.deleted = true
  } else {
    const values = PURGED_VALUES.filter(([c]) => options.userColumns.has(c))
    await m.query(
      `UPDATE users SET ${values.map(([c, v]) => `"${c}" = ${v}`).join(', ')}, updated_at = $2
        WHERE id = $1 AND (${values.map(([c, v]) => `"${c}" IS DISTINCT FROM ${v}`).join(' OR ')})`,
      [target.id, now],
    )
    result.purged = true
  }

  const local = others.filter((o) => o.local).map((o) => o.id)
  result.countersChanged = await recomputeFollowCounters(m, [...new Set(local)], now)
  return result
}
