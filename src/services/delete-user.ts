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
import {countUserActivities, deleteActivitiesBatch, objectIdExpression, type ActivityCounts, type DeletionTarget} from './delete-activities'
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
 * they do; running it again changes nothing. The caller's transaction has
 * locked the users with their follow partners first (lockWithFollowPartners
 * in counters.ts), as its first statement.
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
  const results = await finishUserRemovals(m, [target], {
    ...options,
    federate: options.federate && ((mm, _target, outgoing) => options.federate!(mm, outgoing)),
  })
  return results.get(target.id)!
}

export interface ManyFinishOptions extends Omit<FinishOptions, 'federate'> {
  /** As FinishOptions.federate, per user (called for each user with something to deliver). */
  federate?: (m: EntityManager, target: DeletionTarget, outgoing: Outgoing[]) => Promise<void>
}

/**
 * finishUserRemoval for several users at once (user:prune): every step is
 * one statement for all of them, but for what is federated, worked out per
 * user. The users' rows are locked by the caller's transaction; their posts
 * are gone already. Follows between two of them go like any other. Returns
 * each user's result by id.
 */
export async function finishUserRemovals(m: EntityManager, targets: DeletionTarget[], options: ManyFinishOptions): Promise<Map<string, RemovalResult>> {
  const {now} = options
  const results = new Map<string, RemovalResult>()
  if (targets.length === 0) return results
  const objectId = await objectIdExpression(m)
  const ids = targets.map((t) => t.id)
  const gone = new Set(ids)
  for (const t of targets) {
    results.set(t.id, {
      followers: 0,
      follows: 0,
      tokens: 0,
      authorizations: 0,
      notifications: 0,
      reportNotes: 0,
      purged: false,
      deleted: false,
      countersChanged: 0,
    })
  }

  // The Delete of each actor, as Pleroma's pipeline stores it (once: a re-run after a
  // finished rm records no second one).
  const deletes = targets.map((t) => {
    const to = t.followerAddress ? [t.followerAddress] : []
    return {
      id: newFlakeId(),
      actor: t.apId,
      to,
      data: {id: `${options.instanceUrl}/activities/${randomUUID()}`, type: 'Delete', actor: t.apId, object: t.apId, to, cc: [], bto: [], bcc: []},
    }
  })
  const stored = await m.query<Array<{id: string}>>(
    `WITH i AS (
       INSERT INTO ${ACTIVITIES} (${A.id}, ${A.data}, ${A.insertedAt}, ${A.updatedAt}, ${A.local}, ${A.actor}, ${A.recipients})
       SELECT (r->>'id')::uuid, r->'data', $2::timestamp, $2::timestamp, true, r->>'actor',
              ARRAY(SELECT jsonb_array_elements_text(r->'to'))::varchar[]
         FROM jsonb_array_elements($1::jsonb) AS r
        WHERE NOT EXISTS (SELECT 1 FROM ${ACTIVITIES}
                           WHERE ${objectId(A.data)} = r->>'actor' AND ${A.actor} = r->>'actor' AND ${A.data}->>'type' = 'Delete')
       RETURNING ${A.id} AS id)
     SELECT id FROM i`,
    [JSON.stringify(deletes), now],
  )
  const storedIds = new Set(stored.map((r) => r.id))

  if (options.federate) {
    // Before the follows go: the jobs' follower inboxes are read from them.
    for (const [i, t] of targets.entries()) {
      if (deletesRow(t)) continue
      const actor = {id: t.id, apId: t.apId, followerAddress: t.followerAddress}
      const undos = await undoRemoteFollows(m, actor, options.instanceUrl, now, objectId, newFlakeId)
      const d = deletes[i]
      const outgoing = [...(storedIds.has(d.id) ? [{id: d.id, data: d.data}] : []), ...undos]
      if (outgoing.length > 0) await options.federate(m, t, outgoing)
    }
  }

  // Unfollow both ways: every relationship row of the users, any state.
  const rels = await m.query<Array<{follower_id: string; following_id: string; follower_ap: string; following_ap: string}>>(
    `WITH d AS (
       DELETE FROM ${FOLLOWS} WHERE ${R.followerId} = ANY($1::uuid[]) OR ${R.followingId} = ANY($1::uuid[])
       RETURNING ${R.followerId} AS follower_id, ${R.followingId} AS following_id)
     SELECT d.follower_id, d.following_id, f.${U.apId} AS follower_ap, t.${U.apId} AS following_ap
       FROM d JOIN ${USERS} f ON f.${U.id} = d.follower_id JOIN ${USERS} t ON t.${U.id} = d.following_id
      WHERE d.follower_id <> d.following_id`,
    [ids],
  )
  for (const r of rels) {
    if (gone.has(r.follower_id)) results.get(r.follower_id)!.follows += 1
    if (gone.has(r.following_id)) results.get(r.following_id)!.followers += 1
  }
  if (rels.length > 0) {
    // The Follow activities of those relationships are cancelled, as Pleroma's unfollow does.
    await m.query(
      `UPDATE ${ACTIVITIES} a
          SET ${A.data} = jsonb_set(a.${A.data}, '{state}', '"cancelled"'), ${A.updatedAt} = $3
         FROM (SELECT DISTINCT f, t FROM unnest($1::text[], $2::text[]) AS p(f, t)) AS p
        WHERE a.${A.actor} = p.f AND ${objectId(`a.${A.data}`)} = p.t
          AND a.${A.data}->>'type' = 'Follow' AND a.${A.data}->>'state' IN ('accept', 'pending')`,
      [rels.map((r) => r.follower_ap), rels.map((r) => r.following_ap), now],
    )
  }

  // Notifications caused by the users' remaining activities (follows, reacts ...), of every recipient.
  const notes = await m.query<Array<{actor: string; n: number}>>(
    `WITH d AS (
       DELETE FROM ${NOTIFICATIONS} n USING ${ACTIVITIES} a
        WHERE n.${N.activityId} = a.${A.id} AND a.${A.actor} = ANY($1::text[])
       RETURNING a.${A.actor} AS actor)
     SELECT actor, count(*)::int AS n FROM d GROUP BY actor`,
    [targets.map((t) => t.apId)],
  )
  const byAp = new Map(targets.map((t) => [t.apId, t.id]))
  for (const r of notes) results.get(byAp.get(r.actor)!)!.notifications = r.n

  // Signed out everywhere (mfa_tokens and push_subscriptions go by cascade); startUserRemoval did it
  // already, this catches anything since.
  const oauth = await m.query<Array<{user_id: string; tokens: number; authorizations: number}>>(
    `WITH a AS (DELETE FROM ${AUTHORIZATIONS} WHERE ${OA.userId} = ANY($1::uuid[]) RETURNING ${OA.userId} AS user_id),
          t AS (DELETE FROM ${TOKENS} WHERE ${T.userId} = ANY($1::uuid[]) RETURNING ${T.userId} AS user_id)
     SELECT u.id AS user_id, (SELECT count(*) FROM t WHERE t.user_id = u.id)::int AS tokens,
            (SELECT count(*) FROM a WHERE a.user_id = u.id)::int AS authorizations
       FROM unnest($1::uuid[]) AS u(id)`,
    [ids],
  )
  for (const r of oauth) Object.assign(results.get(r.user_id)!, {tokens: r.tokens, authorizations: r.authorizations})

  const deleted = targets.filter((t) => deletesRow(t)).map((t) => t.id)
  const purged = targets.filter((t) => !deletesRow(t)).map((t) => t.id)
  if (deleted.length > 0) {
    // Trap 2: report_notes.user_id has no ON DELETE action; the notes go first.
    const rn = await m.query<Array<{user_id: string; n: number}>>(
      `WITH d AS (DELETE FROM ${REPORT_NOTES} WHERE ${RN.userId} = ANY($1::uuid[]) RETURNING ${RN.userId} AS user_id)
       SELECT user_id, count(*)::int AS n FROM d GROUP BY user_id`,
      [deleted],
    )
    for (const r of rn) results.get(r.user_id)!.reportNotes = r.n
    // Trap 1: the users' apps cascade with them, but other users' tokens may still use them: keep those apps, ownerless.
    const owner = AP.userId
    const [apps] = await m.query<Array<{has: boolean}>>(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2) AS has`,
      [APPS, owner],
    )
    if (apps.has) {
      await m.query(
        `UPDATE ${APPS} SET ${owner} = NULL, ${AP.updatedAt} = $2
          WHERE ${owner} = ANY($1::uuid[])
            AND (EXISTS (SELECT 1 FROM ${TOKENS} t WHERE t.${T.appId} = ${APPS}.${AP.id})
              OR EXISTS (SELECT 1 FROM ${AUTHORIZATIONS} a WHERE a.${OA.appId} = ${APPS}.${AP.id}))`,
        [deleted, now],
      )
    }
    await m.query(`DELETE FROM ${USERS} WHERE ${U.id} = ANY($1::uuid[])`, [deleted])
    for (const id of deleted) results.get(id)!.deleted = true
  }
  if (purged.length > 0) {
    const values = PURGED_VALUES.filter(([c]) => options.userColumns.has(c))
    await m.query(
      `UPDATE ${USERS} SET ${values.map(([c, v]) => `"${c}" = ${v}`).join(', ')}, ${U.updatedAt} = $2
        WHERE ${U.id} = ANY($1::uuid[]) AND (${values.map(([c, v]) => `"${c}" IS DISTINCT FROM ${v}`).join(' OR ')})`,
      [purged, now],
    )
    for (const id of purged) results.get(id)!.purged = true
  }

  // The follow counters of the local users on the other side (recomputed once for all).
  const others = new Set<string>()
  for (const r of rels) {
    if (!gone.has(r.follower_id)) others.add(r.follower_id)
    if (!gone.has(r.following_id)) others.add(r.following_id)
  }
  const changed = await recomputeFollowCounters(m, [...others], now)
  if (targets.length === 1) results.get(targets[0].id)!.countersChanged = changed
  return results
}

export interface AtOnceOptions extends Omit<ManyFinishOptions, 'now'> {
  tables: Set<string>
  /** Activities per statement round for a user's likes and announces (deleteActivitiesBatch's limit). */
  batchSize: number
}

/**
 * `rm` of several users in the caller's one transaction (user:prune's batch
 * of accounts without posts): their rows locked, deactivated and signed out
 * (startUserRemoval), the likes and announces (and any post) of those that
 * have some undone as user:rm does, then finishUserRemovals for all. Set-based
 * but for the users that have activities and for what is federated. The
 * same end state as `rm` of each of them. Returns each user's result by id.
 * The caller's transaction has locked the users with their follow partners
 * first (lockWithFollowPartners in counters.ts).
 */
export async function removeUsersAtOnce(m: EntityManager, userIds: string[], options: AtOnceOptions): Promise<Map<string, RemovalResult>> {
  if (userIds.length === 0) return new Map()
  const now = utcNow()
  const rows = await m.query<
    Array<{
      id: string
      nickname: string | null
      ap_id: string
      follower_address: string | null
      local: boolean
      active: boolean
      approved: boolean
      confirmed: boolean
    }>
  >(
    `SELECT ${U.id} AS id, ${U.nickname} AS nickname, ${U.apId} AS ap_id, ${U.followerAddress} AS follower_address, ${U.local} AS local,
            ${U.isActive} AS active, ${U.isApproved} AS approved, ${U.isConfirmed} AS confirmed
       FROM ${USERS} WHERE ${U.id} = ANY($1::uuid[]) ORDER BY ${U.id} FOR UPDATE`,
    [userIds],
  )
  const targets: DeletionTarget[] = rows.map((r) => ({
    id: r.id,
    nickname: r.nickname ?? '',
    apId: r.ap_id,
    followerAddress: r.follower_address,
    local: r.local,
    isActive: r.active,
    isApproved: r.approved,
    isConfirmed: r.confirmed,
  }))
  await startUserRemoval(
    m,
    targets.map((t) => t.id),
    now,
  )
  // Who has activities to undo or delete at all: one look-up through the (actor, id) index.
  const busy = await m.query<Array<{actor: string}>>(
    `SELECT x.ap AS actor FROM unnest($1::text[]) AS x(ap)
      WHERE EXISTS (SELECT 1 FROM ${ACTIVITIES} a WHERE a.${A.actor} = x.ap AND a.${A.data}->>'type' IN ('Create', 'Like', 'Announce'))`,
    [targets.map((t) => t.apId)],
  )
  const busyAps = new Set(busy.map((b) => b.actor))
  for (const t of targets.filter((x) => busyAps.has(x.apId))) {
    let after: string | null = null
    for (;;) {
      const r = await deleteActivitiesBatch(m, t, {instanceUrl: options.instanceUrl, after, limit: options.batchSize, tables: options.tables, now})
      if (options.federate && r.outgoing.length > 0 && !deletesRow(t)) await options.federate(m, t, r.outgoing)
      if (r.done) break
      after = r.lastId
    }
  }
  // (The results' tokens are those left after startUserRemoval: none.)
  return finishUserRemovals(m, targets, {...options, now})
}
