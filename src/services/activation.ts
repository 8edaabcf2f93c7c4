/**
 * Activation and unsubscribing (docs/pleroma/tasks.md: toggle_activated,
 * activate and deactivate, unsubscribe, unsubscribe_all_from_instance,
 * deactivate_all_from_instance, "Follow counters"):
 *
 * - setActivation: current Pleroma's `User.set_activation/2`. Sets
 *   `is_active`, then — for both directions — deletes the user's accepted
 *   follows of active local accounts (internal actors excepted); the
 *   counters of both sides and the following_count of the user's local
 *   followers are recomputed. Follows of remote accounts stay.
 *   changeActivation (activate, deactivate) does it only when the state
 *   differs; deactivateInstanceBatch does it for users of one instance.
 * - unsubscribeUsers: the seed's (Pleroma 2020) `unsubscribe`, for a set of
 *   users at once: deactivate, then delete EVERY follow the users have
 *   (local and remote, any state), and recompute the counters of every
 *   affected local user.
 * - instance runs: `unsubscribe_all_from_instance`, matching the host of
 *   the nickname exactly (not Pleroma's substring ILIKE), in two steps of
 *   batches, one transaction each: the follows of the instance's users
 *   grouped by followed account, then the users themselves; the counters
 *   move by exactly the rows each batch deletes or deactivates.
 *
 * Plain functions over an EntityManager: no printing, no oclif. No
 * ActivityPub activity is created (Pleroma creates none either).
 */
import type {EntityManager} from 'typeorm'
import {NotFoundError, RefusedError} from '../errors'
import {utcNow} from '../db/time'
import {FollowingRelationship, FollowState, User} from '../entities'
import {columnsOf, tableOf} from '../entities/names'
import {lockWithFollowPartners, recomputeFollowCounters} from './counters'
import {requireUser} from './users'
import type {ServiceActorGuard} from './service-actors'

const U = columnsOf(User)
const R = columnsOf(FollowingRelationship)
const USERS = tableOf(User)
const FOLLOWS = tableOf(FollowingRelationship)
const ACCEPTED = FollowState.ACCEPTED

export interface UserState {
  id: string
  nickname: string
  local: boolean
  active: boolean
}

/** A user row as read by the SQL of this file (USER_STATE_COLUMNS). */
interface UserRow {
  id: string
  nickname: string
  local: boolean
  active: boolean
}

const USER_STATE_COLUMNS = `${U.id} AS id, ${U.nickname} AS nickname, ${U.local} AS local, ${U.isActive} AS active`
const toState = (r: UserRow): UserState => ({id: r.id, nickname: r.nickname, local: r.local, active: r.active})

/** How a user is described in summaries: `alice (local, active)`. */
export function describeUser(u: UserState): string {
  return `${u.nickname} (${u.local ? 'local' : 'remote'}, ${u.active ? 'active' : 'inactive'})`
}

/**
 * The followed account (`t`) is one set_activation unfollows: another active
 * local account that is not an internal actor (`get_friends`, User.Query's
 * `friends`, `deactivated: false` and default `internal: false`;
 * docs/pleroma/tasks.md#activate-and-deactivate).
 */
const UNFOLLOWED_FRIEND = (t: string, self: string) =>
  `${t}.${U.id} <> ${self} AND ${t}.${U.local} AND ${t}.${U.isActive} AND ${t}.${U.nickname} IS NOT NULL AND ${t}.${U.nickname} NOT LIKE 'internal.%'`

/** The follows set_activation removes: accepted, towards another active local account (not an internal actor). */
const LOCAL_FOLLOWS_WHERE = `r.${R.followerId} = $1 AND t.${U.id} = r.${R.followingId} AND ${UNFOLLOWED_FRIEND('t', '$1')} AND r.${R.state} = ${ACCEPTED}`

/**
 * Local users with an accepted follow of the given users (`$n` = uuid[]):
 * their following_count depends on whether those users are active.
 */
const localFollowersSql = (p: string) => `
  SELECT DISTINCT r.${R.followerId} AS id
    FROM ${FOLLOWS} r JOIN ${USERS} f ON f.${U.id} = r.${R.followerId}
   WHERE r.${R.followingId} = ANY(${p}::uuid[]) AND r.${R.state} = ${ACCEPTED} AND f.${U.local}`

/**
 * The local users whose counters depend on the given users being active or
 * following them: accepted follows in either direction (the given users'
 * followers and the accounts they follow, whatever those accounts' state).
 */
const NEIGHBOURS_SQL = `
  SELECT n.id FROM (
      SELECT r.${R.followingId} AS id FROM ${FOLLOWS} r WHERE r.${R.followerId} = ANY($1::uuid[]) AND r.${R.state} = ${ACCEPTED}
      UNION
      SELECT r.${R.followerId} FROM ${FOLLOWS} r WHERE r.${R.followingId} = ANY($1::uuid[]) AND r.${R.state} = ${ACCEPTED}
    ) n JOIN ${USERS} x ON x.${U.id} = n.id
   WHERE x.${U.local}`

/** Reads the user and locks its row until the transaction ends (with its local follow partners' rows first: lockWithFollowPartners). */
async function lockUser(m: EntityManager, id: string): Promise<UserState> {
  await lockWithFollowPartners(m, [id])
  const user = await m.findOne(User, {select: {id: true, nickname: true, local: true, isActive: true}, where: {id}, lock: {mode: 'pessimistic_write'}})
  if (!user) throw new NotFoundError(`No user with id ${id}`, 'The user was deleted meanwhile; check the nickname and run the command again.')
  return {id: user.id, nickname: user.nickname ?? '', local: user.local, active: user.isActive}
}

async function neighbourIds(m: EntityManager, userIds: string[]): Promise<string[]> {
  const rows = await m.query<Array<{id: string}>>(NEIGHBOURS_SQL, [userIds])
  return rows.map((r) => r.id)
}

// ------------------------------------------------------------------ toggle_activated

export interface ActivationPlan {
  user: UserState
  /** The value is_active will get. */
  active: boolean
  /** Accepted follows of active local accounts that will be deleted. */
  localFollows: number
  /** Local users with an accepted follow of this user (following_count recomputed). */
  localFollowers: number
}

/** What setting `active` on the user will do (counts from the database). */
export async function planActivation(m: EntityManager, user: UserState, active: boolean): Promise<ActivationPlan> {
  const [c] = await m.query<Array<{follows: number; followers: number}>>(
    `SELECT (SELECT count(*) FROM ${FOLLOWS} r, ${USERS} t WHERE ${LOCAL_FOLLOWS_WHERE})::int AS follows,
            (SELECT count(*) FROM (${localFollowersSql('$2')}) x)::int AS followers`,
    [user.id, [user.id]],
  )
  return {user, active, localFollows: c.follows, localFollowers: c.followers}
}

export interface ActivationResult {
  user: UserState
  /** is_active was changed (false: it already had the value). */
  changed: boolean
  followsRemoved: number
  /** Local users whose counters changed. */
  countersChanged: number
}

/**
 * Pleroma's `set_activation`: is_active := `active` (WHERE-guarded, so
 * updated_at moves only when it changes), then the user's accepted follows
 * of active local accounts are deleted, whichever the direction, and the
 * counters of every local user related to it by an accepted follow (its
 * local followers, the accounts it follows or followed) and its own are
 * recomputed in one statement.
 */
export async function setActivation(m: EntityManager, userId: string, active: boolean, now = utcNow()): Promise<ActivationResult> {
  return applyActivation(m, await lockUser(m, userId), active, now)
}

/** setActivation's work on a user whose row (and its partners') the transaction has locked (lockUser). */
async function applyActivation(m: EntityManager, before: UserState, active: boolean, now: string): Promise<ActivationResult> {
  const userId = before.id
  const neighbours = await neighbourIds(m, [userId])
  // (UPDATE/DELETE ... RETURNING are wrapped in a SELECT: TypeORM returns [rows, count] for those commands.)
  const changed = await m.query<Array<{id: string}>>(
    `WITH c AS (UPDATE ${USERS} SET ${U.isActive} = $2, ${U.updatedAt} = $3 WHERE ${U.id} = $1 AND ${U.isActive} <> $2 RETURNING ${U.id} AS id)
     SELECT id FROM c`,
    [userId, active, now],
  )
  const removed = await m.query<Array<{id: string}>>(
    `WITH d AS (DELETE FROM ${FOLLOWS} r USING ${USERS} t WHERE ${LOCAL_FOLLOWS_WHERE} RETURNING r.${R.followingId} AS id) SELECT id FROM d`,
    [userId],
  )
  const countersChanged = await recomputeFollowCounters(m, [...new Set([userId, ...removed.map((r) => r.id), ...neighbours])], now)
  return {user: {...before, active}, changed: changed.length > 0, followsRemoved: removed.length, countersChanged}
}

// ------------------------------------------------------------------ activate / deactivate

/**
 * Pleroma's `activate` / `deactivate` tasks for one user (any user, local or
 * remote; docs/pleroma/tasks.md#activate-and-deactivate): when the user does
 * not have the state yet, `set_activation` (setActivation above); when it
 * has, nothing is written and `changed` is false (Pleroma's "User NICK
 * already activated" / "already deactivated"). The state is read under the
 * row lock, so two admins cannot both change it. One user per call, in the
 * caller's transaction: commands on many users call it per user.
 */
export async function changeActivation(m: EntityManager, user: UserState, active: boolean, now = utcNow()): Promise<ActivationResult> {
  const current = await lockUser(m, user.id)
  if (current.active === active) return {user: current, changed: false, followsRemoved: 0, countersChanged: 0}
  return applyActivation(m, current, active, now)
}

// ------------------------------------------------------------------ unsubscribe

export interface FollowOf {
  /** The follower (one of the unsubscribed users). */
  followerId: string
  /** The followed account's nickname (its ap_id when it has none). */
  friend: string
  local: boolean
  state: number
}

export interface UnsubscribePlan {
  user: UserState
  follows: FollowOf[]
  localFollowers: number
}

/** The followed account as summaries name it: its nickname, or its ap_id when it has none (`t`: users). */
const FRIEND = `COALESCE(t.${U.nickname}::text, t.${U.apId}) AS friend`

/** The follows the users have, per follower in the order they were made (relationship id). */
const FOLLOWS_OF_SQL = `
  SELECT r.${R.id} AS id, r.${R.followerId} AS follower_id, ${FRIEND}, t.${U.local} AS local, r.${R.state} AS state
    FROM ${FOLLOWS} r JOIN ${USERS} t ON t.${U.id} = r.${R.followingId}
   WHERE r.${R.followerId} = ANY($1::uuid[])
   ORDER BY r.${R.followerId}, r.${R.id}`

interface FollowRow {
  id: string
  follower_id: string
  friend: string
  local: boolean
  state: number
}

const toFollow = (r: FollowRow): FollowOf => ({followerId: r.follower_id, friend: r.friend, local: r.local, state: r.state})

export async function planUnsubscribe(m: EntityManager, user: UserState): Promise<UnsubscribePlan> {
  const rows = await m.query<FollowRow[]>(FOLLOWS_OF_SQL, [[user.id]])
  const [c] = await m.query<Array<{n: number}>>(`SELECT count(*)::int AS n FROM (${localFollowersSql('$1')}) x`, [[user.id]])
  return {user, follows: rows.map(toFollow), localFollowers: c.n}
}

/** Deletes every follow the users have (any state), returning them per follower in relationship id order, with the followed account. */
function deleteFollowsOf(m: EntityManager, userIds: string[]): Promise<Array<FollowRow & {following_id: string}>> {
  return m.query<Array<FollowRow & {following_id: string}>>(
    `WITH d AS (DELETE FROM ${FOLLOWS} WHERE ${R.followerId} = ANY($1::uuid[])
                RETURNING ${R.id} AS id, ${R.followerId} AS follower_id, ${R.followingId} AS following_id, ${R.state} AS state)
     SELECT d.id, d.follower_id, d.following_id, ${FRIEND}, t.${U.local} AS local, d.state
       FROM d JOIN ${USERS} t ON t.${U.id} = d.following_id
      ORDER BY d.follower_id, d.id`,
    [userIds],
  )
}

export interface UnsubscribeResult {
  /** Ids of the users that were active and are now deactivated. */
  deactivated: string[]
  /** The deleted follows, per follower in relationship id order. */
  removed: FollowOf[]
  countersChanged: number
}

/**
 * Deactivates the users (those already inactive are left as they are),
 * deletes every follow they have (any state, local or remote accounts), and
 * recomputes in one statement the counters of every affected local user:
 * the users themselves, the accounts they followed, and their local
 * followers (whose following_count counts only active users). Five
 * set-based statements whatever the number of users.
 */
export async function unsubscribeUsers(m: EntityManager, userIds: string[], now = utcNow()): Promise<UnsubscribeResult> {
  if (userIds.length === 0) return {deactivated: [], removed: [], countersChanged: 0}
  await lockWithFollowPartners(m, userIds)
  const neighbours = await neighbourIds(m, userIds)
  const deactivated = await m.query<Array<{id: string}>>(
    `WITH c AS (UPDATE ${USERS} SET ${U.isActive} = false, ${U.updatedAt} = $2 WHERE ${U.id} = ANY($1::uuid[]) AND ${U.isActive} RETURNING ${U.id} AS id)
     SELECT id FROM c`,
    [userIds, now],
  )
  const removed = await deleteFollowsOf(m, userIds)
  const affected = new Set([...userIds, ...removed.map((r) => r.following_id), ...neighbours])
  const countersChanged = await recomputeFollowCounters(m, [...affected], now)
  return {deactivated: deactivated.map((r) => r.id), removed: removed.map(toFollow), countersChanged}
}

/**
 * Locks the user row and unsubscribes it (user:unsubscribe); `beforeUnfollow`
 * runs first in the same transaction, while the follows exist (the Undos of
 * follows of remote accounts and their delivery: federation.ts).
 */
export async function unsubscribeUser(
  m: EntityManager,
  userId: string,
  now = utcNow(),
  beforeUnfollow?: (m: EntityManager, user: UserState, now: string) => Promise<void>,
): Promise<UnsubscribeResult & {user: UserState}> {
  const user = await lockUser(m, userId)
  if (beforeUnfollow) await beforeUnfollow(m, user, now)
  const result = await unsubscribeUsers(m, [userId], now)
  return {...result, user}
}

// ------------------------------------------------------------------ instance

const HOST_LABEL = String.raw`[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?`
const HOST_RE = new RegExp(String.raw`^(?:${HOST_LABEL}(?:\.${HOST_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$`, 'u')

/**
 * Checks that INSTANCE is a bare host name (optionally :port): no scheme, no
 * path, no user. Refuses (exit 4) with the bare host as a hint when one can
 * be made out.
 */
export function validateInstanceHost(instance: string, command: string): string {
  const bare = bareHostOf(instance)
  const hint =
    bare && bare !== instance
      ? `Give the bare host: ${command} ${bare}`
      : 'Give the host name as it appears after the @ of its users, e.g. dead.example or dead.example:8443.'
  if (instance === '') throw new RefusedError('The instance is empty.', hint)
  if (instance.includes('://')) throw new RefusedError(`"${instance}" is a URL, not an instance host.`, hint)
  if (instance.includes('@')) {
    throw new RefusedError(
      `"${instance}" is not an instance host (it contains @).`,
      bare ? `Give the host (${command} ${bare}), or use user:unsubscribe ${instance} for one user.` : hint,
    )
  }
  if (instance.includes('/')) throw new RefusedError(`"${instance}" is not an instance host (it contains a path).`, hint)
  const m = HOST_RE.exec(instance)
  if (!m || (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535))) {
    throw new RefusedError(`"${instance}" is not a valid instance host.`, hint)
  }
  return instance
}

/** The host part a user probably meant: `https://dead.example/` → `dead.example`. */
function bareHostOf(instance: string): string | undefined {
  let s = instance.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  s = s.slice(s.lastIndexOf('@') + 1)
  s = s.split(/[/?#]/)[0]
  return HOST_RE.test(s) ? s : undefined
}

/**
 * Users of the instance: nickname `<name>@INSTANCE`, the host compared
 * exactly and case-insensitively (`%` and `_` are plain characters). The
 * expression cannot use the nickname index; correctness first.
 */
const INSTANCE_USERS_WHERE = `${U.nickname}::text ~ '^[^@]+@[^@]+$' AND lower(split_part(${U.nickname}::text, '@', 2)) = lower($1)`

/**
 * A run of `unsubscribe_all_from_instance` keeps two temporary tables in its
 * session (the connection is one session; gone with it, and dropped by
 * endInstanceRun): the instance's users and the follows they had when the run
 * began. Both are read once, by one scan of users and the follower_id index.
 */
const RUN_USERS = 'pg_temp.pleroma_admin_instance_users'
const RUN_FOLLOWS = 'pg_temp.pleroma_admin_instance_follows'
/**
 * The accounts the first step has unfollowed, with the name the output lines
 * give them, read by that step's batches (whose UPDATE has just brought their
 * rows in): the second step's lines then read the run's own tables, not one
 * users row per follow (a cost that grew with the follows of each batch).
 */
const RUN_FRIENDS = 'pg_temp.pleroma_admin_instance_friends'

export interface InstanceSummary {
  instance: string
  users: number
  active: number
  /** Follows the instance's users have (any state). */
  follows: number
  /** Distinct local users with an accepted follow of the instance's users. */
  localFollowers: number
  /** The instance's users' ids in id order (the batches of the second step). */
  ids: string[]
  /** The accounts they follow, in id order (the batches of the first step). */
  followed: string[]
}

/**
 * Finds the instance's users (one scan of users: no index can answer a host
 * suffix of the nickname) and the follows they have, into the run's temporary
 * tables, and counts them. Writes nothing else.
 */
export async function summarizeInstance(m: EntityManager, instance: string): Promise<InstanceSummary> {
  await endInstanceRun(m)
  await m.query(`CREATE TEMP TABLE ${RUN_USERS.slice('pg_temp.'.length)} (id uuid PRIMARY KEY, active boolean NOT NULL)`)
  await m.query(`INSERT INTO ${RUN_USERS} SELECT ${U.id}, ${U.isActive} FROM ${USERS} WHERE ${INSTANCE_USERS_WHERE}`, [instance])
  await m.query(
    `CREATE TEMP TABLE ${RUN_FOLLOWS.slice('pg_temp.'.length)} (id bigint PRIMARY KEY, follower_id uuid NOT NULL, following_id uuid NOT NULL, state integer NOT NULL)`,
  )
  await m.query(
    `INSERT INTO ${RUN_FOLLOWS} SELECT r.${R.id}, r.${R.followerId}, r.${R.followingId}, r.${R.state} FROM ${RUN_USERS} i JOIN ${FOLLOWS} r ON r.${R.followerId} = i.id`,
  )
  await m.query(`CREATE TEMP TABLE ${RUN_FRIENDS.slice('pg_temp.'.length)} (id uuid PRIMARY KEY, friend text NOT NULL, local boolean NOT NULL)`)
  await m.query(`CREATE INDEX ON ${RUN_FOLLOWS} (following_id)`)
  await m.query(`CREATE INDEX ON ${RUN_FOLLOWS} (follower_id, id)`)
  await m.query(`ANALYZE ${RUN_USERS}`)
  await m.query(`ANALYZE ${RUN_FOLLOWS}`)
  const [r] = await m.query<Array<{ids: string[]; followed: string[]; users: number; active: number; follows: number; local_followers: number}>>(
    `SELECT ARRAY(SELECT id FROM ${RUN_USERS} ORDER BY id) AS ids,
            ARRAY(SELECT DISTINCT following_id FROM ${RUN_FOLLOWS} ORDER BY following_id) AS followed,
            (SELECT count(*) FROM ${RUN_USERS})::int AS users,
            (SELECT count(*) FROM ${RUN_USERS} WHERE active)::int AS active,
            (SELECT count(*) FROM ${RUN_FOLLOWS})::int AS follows,
            (SELECT count(DISTINCT r.${R.followerId}) FROM ${RUN_USERS} i JOIN ${FOLLOWS} r ON r.${R.followingId} = i.id
               JOIN ${USERS} f ON f.${U.id} = r.${R.followerId}
              WHERE r.${R.state} = ${ACCEPTED} AND f.${U.local})::int AS local_followers`,
  )
  return {instance, users: r.users, active: r.active, follows: r.follows, localFollowers: r.local_followers, ids: r.ids, followed: r.followed}
}

/**
 * The users whose counters a follow row counts in (counters.ts): the
 * follower `f` is active and not an internal actor.
 */
const COUNTED_FOLLOWER = (f: string) => `${f}.${U.isActive} AND ${f}.${U.nickname} IS NOT NULL AND ${f}.${U.nickname} NOT LIKE 'internal.%'`

/**
 * One statement that deletes follows and takes them off the follower_count
 * of the local accounts they followed, by exactly the rows deleted: each
 * accepted follow whose follower counts (active, not an internal actor; read
 * before the statement changes anything) is one follower less. The deletion
 * and the counters commit together, and a follow already gone is neither
 * deleted nor counted again, so a batch run twice (a re-run after a kill)
 * takes off nothing twice. `using`/`where` select the rows of `r`
 * (following_relationships); `$2` is the timestamp; the statement yields the
 * deleted rows `d` (id, follower_id, following_id, state) to `select`.
 */
const deleteFollowsCountedSql = (using: string, where: string, select: string) => `
  WITH d AS (DELETE FROM ${FOLLOWS} r ${using} WHERE ${where}
             RETURNING r.${R.id} AS id, r.${R.followerId} AS follower_id, r.${R.followingId} AS following_id, r.${R.state} AS state),
       c AS (SELECT d.following_id AS id, count(*)::int AS n FROM d JOIN ${USERS} f ON f.${U.id} = d.follower_id
              WHERE d.state = ${ACCEPTED} AND d.follower_id <> d.following_id AND ${COUNTED_FOLLOWER('f')}
              GROUP BY d.following_id),
       u AS (UPDATE ${USERS} u SET ${U.followerCount} = GREATEST(u.${U.followerCount} - c.n, 0), ${U.updatedAt} = $2
               FROM c WHERE u.${U.id} = c.id AND u.${U.local} RETURNING 1)
  ${select}`

/**
 * The first step of a run, one batch in its own transaction: every follow
 * the instance's users had (at the start of the run) of the given accounts
 * is deleted, by relationship id, and the follower_count of the local ones
 * among those accounts lowered by the follows deleted (deleteFollowsCountedSql:
 * a cost in the rows deleted, not in the accounts' other followers). A follow
 * already gone is skipped, so an interrupted run is finished by running it
 * again. Returns the follows deleted.
 */
export async function removeInstanceFollows(m: EntityManager, accounts: string[], now = utcNow()): Promise<number> {
  const [d] = await m.query<Array<{n: number}>>(
    deleteFollowsCountedSql(
      `USING ${RUN_FOLLOWS} p`,
      `p.following_id = ANY($1::uuid[]) AND r.${R.id} = p.id AND r.${R.followerId} = p.follower_id`,
      `SELECT count(*)::int AS n FROM d`,
    ),
    [accounts, now],
  )
  await m.query(
    `INSERT INTO ${RUN_FRIENDS} SELECT t.${U.id}, ${FRIEND}, t.${U.local} FROM ${USERS} t WHERE t.${U.id} = ANY($1::uuid[]) ON CONFLICT (id) DO NOTHING`,
    [accounts],
  )
  return d.n
}

export interface InstanceBatchResult {
  /** The batch's users in id order (their state before the batch). */
  users: UserState[]
  deactivated: string[]
  /** The follows removed from these users in this run (the first step's, then any made since), per follower in relationship id order. */
  removed: FollowOf[]
  /** Follows deleted by this batch (made after the run began; normally none). */
  late: number
}

/**
 * The second step of a run, one batch in its own transaction: locks the given
 * users (ids from summarizeInstance, still of the instance), deletes any
 * follow they made since the first step (the followed local accounts' counters
 * lowered as in the first step), deactivates them, and lowers the
 * following_count of their local followers by one for each accepted follow
 * of a user this batch deactivates (an inactive account is not counted;
 * counters.ts). Users already inactive and without follows are no-ops, and
 * each counter moves in the transaction that changes its rows, so an
 * interrupted run is finished by running it again.
 */
export async function unsubscribeInstanceBatch(m: EntityManager, instance: string, ids: string[], now = utcNow()): Promise<InstanceBatchResult> {
  const rows = await m.query<UserRow[]>(
    `SELECT ${USER_STATE_COLUMNS} FROM ${USERS}
      WHERE ${U.id} = ANY($2::uuid[]) AND ${INSTANCE_USERS_WHERE}
      ORDER BY ${U.id} FOR UPDATE`,
    [instance, ids],
  )
  const users = rows.map(toState)
  if (users.length === 0) return {users, deactivated: [], removed: [], late: 0}
  const batchIds = users.map((u) => u.id)
  // Follows made since the first step (normally none), while the users still count as followers.
  const late = await m.query<FollowRow[]>(
    deleteFollowsCountedSql(
      '',
      `r.${R.followerId} = ANY($1::uuid[])`,
      `SELECT d.id, d.follower_id, ${FRIEND}, t.${U.local} AS local, d.state FROM d JOIN ${USERS} t ON t.${U.id} = d.following_id ORDER BY d.follower_id, d.id`,
    ),
    [batchIds, now],
  )
  const deactivated = await m.query<Array<{id: string}>>(
    `WITH c AS (UPDATE ${USERS} SET ${U.isActive} = false, ${U.updatedAt} = $2 WHERE ${U.id} = ANY($1::uuid[]) AND ${U.isActive}
                RETURNING ${U.id} AS id, ${U.nickname} IS NOT NULL AND ${U.nickname} NOT LIKE 'internal.%' AS counted),
          g AS (SELECT r.${R.followerId} AS id, count(*)::int AS n FROM c JOIN ${FOLLOWS} r ON r.${R.followingId} = c.id
                 WHERE c.counted AND r.${R.state} = ${ACCEPTED} AND r.${R.followerId} <> r.${R.followingId}
                 GROUP BY r.${R.followerId}),
          u AS (UPDATE ${USERS} u SET ${U.followingCount} = GREATEST(u.${U.followingCount} - g.n, 0), ${U.updatedAt} = $2
                  FROM g WHERE u.${U.id} = g.id AND u.${U.local} RETURNING 1)
     SELECT id FROM c`,
    [batchIds, now],
  )
  // The follows the first step removed, the followed accounts named as that step read them (RUN_FRIENDS).
  const earlier = await m.query<FollowRow[]>(
    `SELECT p.id, p.follower_id, f.friend, f.local, p.state
       FROM ${RUN_FOLLOWS} p JOIN ${RUN_FRIENDS} f ON f.id = p.following_id
      WHERE p.follower_id = ANY($1::uuid[])
      ORDER BY p.follower_id, p.id`,
    [batchIds],
  )
  return {users, deactivated: deactivated.map((r) => r.id), removed: [...earlier, ...late].map(toFollow), late: late.length}
}

/** Drops the run's temporary tables (at its end, and before a new run in the same session). */
export async function endInstanceRun(m: EntityManager): Promise<void> {
  await m.query(`DROP TABLE IF EXISTS ${RUN_FRIENDS}, ${RUN_FOLLOWS}, ${RUN_USERS}`)
}

// ------------------------------------------------------------------ deactivate_all_from_instance

/**
 * What deactivating the counted users `$1` and deleting their follows takes
 * off the local users' counters (the counting rules of counters.ts): one
 * follower for each accepted follow they had of a local user, one followed
 * account for each local user with an accepted follow of them. Applied
 * before the follows are deleted; never below zero.
 */
const INSTANCE_DELTAS_SQL = `
  WITH fc AS (SELECT r.${R.followingId} AS id, count(*)::int AS n FROM ${FOLLOWS} r
               WHERE r.${R.followerId} = ANY($1::uuid[]) AND r.${R.state} = ${ACCEPTED} AND r.${R.followerId} <> r.${R.followingId}
               GROUP BY r.${R.followingId}),
       gc AS (SELECT r.${R.followerId} AS id, count(*)::int AS n FROM ${FOLLOWS} r
               WHERE r.${R.followingId} = ANY($1::uuid[]) AND r.${R.state} = ${ACCEPTED} AND r.${R.followerId} <> r.${R.followingId}
               GROUP BY r.${R.followerId}),
       d AS (SELECT COALESCE(fc.id, gc.id) AS id, COALESCE(fc.n, 0) AS followers, COALESCE(gc.n, 0) AS following
               FROM fc FULL JOIN gc ON gc.id = fc.id),
       u AS (UPDATE ${USERS} u SET ${U.followerCount} = GREATEST(u.${U.followerCount} - d.followers, 0),
                                   ${U.followingCount} = GREATEST(u.${U.followingCount} - d.following, 0), ${U.updatedAt} = $2
               FROM d WHERE u.${U.id} = d.id AND u.${U.local} RETURNING 1)
  SELECT count(*)::int AS n FROM u`

export interface InstanceDeactivationSummary {
  instance: string
  users: number
  active: number
  /** Accepted follows of active local accounts (internal actors excepted) that the active users have: those set_activation removes. */
  follows: number
  /** Distinct local users with an accepted follow of an active user of the instance (their following_count goes down). */
  localFollowers: number
  /** The instance's users' ids in id order, for the batches. */
  ids: string[]
  /** The active ones among them. */
  activeIds: string[]
}

/** What `deactivate_all_from_instance` will do on the instance (same host matching as summarizeInstance). */
export async function summarizeInstanceDeactivation(m: EntityManager, instance: string): Promise<InstanceDeactivationSummary> {
  const [r] = await m.query<Array<{ids: string[]; active_ids: string[]; users: number; active: number; follows: number; local_followers: number}>>(
    `WITH u AS (SELECT ${U.id} AS id, ${U.isActive} AS active FROM ${USERS} WHERE ${INSTANCE_USERS_WHERE})
     SELECT ARRAY(SELECT id FROM u ORDER BY id) AS ids, ARRAY(SELECT id FROM u WHERE active ORDER BY id) AS active_ids,
            (SELECT count(*) FROM u)::int AS users,
            (SELECT count(*) FROM u WHERE active)::int AS active,
            (SELECT count(*) FROM ${FOLLOWS} r JOIN ${USERS} t ON t.${U.id} = r.${R.followingId}
              WHERE r.${R.followerId} IN (SELECT id FROM u WHERE active) AND r.${R.state} = ${ACCEPTED}
                AND ${UNFOLLOWED_FRIEND('t', `r.${R.followerId}`)})::int AS follows,
            (SELECT count(DISTINCT r.${R.followerId}) FROM ${FOLLOWS} r JOIN ${USERS} f ON f.${U.id} = r.${R.followerId}
              WHERE r.${R.followingId} IN (SELECT id FROM u WHERE active) AND r.${R.state} = ${ACCEPTED} AND f.${U.local})::int AS local_followers`,
    [instance],
  )
  return {instance, users: r.users, active: r.active, follows: r.follows, localFollowers: r.local_followers, ids: r.ids, activeIds: r.active_ids}
}

export interface InstanceDeactivationBatch {
  /** The batch's users in id order (their state before the batch). */
  users: UserState[]
  /** Ids of the users this batch deactivated (the others were inactive already and were left alone). */
  deactivated: string[]
  followsRemoved: number
}

/**
 * One batch of `deactivate_all_from_instance`, in its own transaction:
 * Pleroma's `deactivate` for each given user that is still of the instance
 * and active (docs/pleroma/tasks.md#deactivate_all_from_instance), set-based:
 * is_active := false, their accepted follows of active local accounts
 * (internal actors excepted) deleted, the counters of the local users
 * concerned moved by exactly what changed (INSTANCE_DELTAS_SQL, before the
 * delete; a cost in the users' follows, not in their neighbours' other
 * follows). Users that are already inactive are not touched, as Pleroma's
 * task leaves them ("already deactivated"), and a deactivation and its
 * counters commit together, so a re-run finishes an interrupted one without
 * taking anything off twice.
 */
export async function deactivateInstanceBatch(m: EntityManager, instance: string, ids: string[], now = utcNow()): Promise<InstanceDeactivationBatch> {
  const rows = await m.query<UserRow[]>(
    `SELECT ${USER_STATE_COLUMNS} FROM ${USERS}
      WHERE ${U.id} = ANY($2::uuid[]) AND ${INSTANCE_USERS_WHERE}
      ORDER BY ${U.id} FOR UPDATE`,
    [instance, ids],
  )
  const users = rows.map(toState)
  const active = users.filter((u) => u.active).map((u) => u.id)
  if (active.length === 0) return {users, deactivated: [], followsRemoved: 0}
  const deactivated = await m.query<Array<{id: string; counted: boolean}>>(
    `WITH c AS (UPDATE ${USERS} SET ${U.isActive} = false, ${U.updatedAt} = $2 WHERE ${U.id} = ANY($1::uuid[]) AND ${U.isActive}
                RETURNING ${U.id} AS id, ${U.nickname} IS NOT NULL AND ${U.nickname} NOT LIKE 'internal.%' AS counted)
     SELECT id, counted FROM c`,
    [active, now],
  )
  const deactivatedIds = deactivated.map((r) => r.id)
  const counted = deactivated.filter((r) => r.counted).map((r) => r.id)
  if (counted.length > 0) await m.query(INSTANCE_DELTAS_SQL, [counted, now])
  const [removed] = await m.query<Array<{n: number}>>(
    `WITH d AS (DELETE FROM ${FOLLOWS} r USING ${USERS} t
                 WHERE r.${R.followerId} = ANY($1::uuid[]) AND t.${U.id} = r.${R.followingId} AND r.${R.state} = ${ACCEPTED}
                   AND ${UNFOLLOWED_FRIEND('t', `r.${R.followerId}`)}
                RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
    [deactivatedIds],
  )
  return {users, deactivated: deactivatedIds, followsRemoved: removed.n}
}

/** Finds the user as Pleroma's tasks do (docs/pleroma/tasks.md "User lookup"; `No user NICK`, exit 3). */
export async function requireUserState(
  m: EntityManager,
  nickname: string,
  instanceHost?: () => Promise<string>,
  guard?: ServiceActorGuard,
): Promise<UserState> {
  const u = await requireUser(m, nickname, instanceHost, guard)
  return {id: u.id, nickname: u.nickname ?? nickname, local: u.local, active: u.isActive}
}
