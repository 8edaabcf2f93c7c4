/**
 * Keeping a running server from acting on a stale cached user
 * (docs/live-instance.md#user-cache): Pleroma caches user structs with no
 * expiry, and resolves a token's user through that cache, so a change made
 * in the database alone is not seen until the entry is rewritten, evicted,
 * or the server restarts. What closes the gap:
 *
 * - activation: the server's own `user_activation` job (BackgroundWorker,
 *   queue `background`), which runs `User.set_activation` inside the server
 *   and re-caches the user with the new `is_active`
 *   (v2.9.1:lib/pleroma/workers/background_worker.ex:12-15);
 * - any other change to a local user (roles, confirmation, approval, tags,
 *   locked) on Pleroma: the `verify_fields_links` job, the one job that
 *   re-reads the user from the database (`User.get_by_id`) and re-caches it
 *   (background_worker.ex:37-40, v2.9.1:lib/pleroma/user.ex:2091-2105);
 *   Akkoma has no such job;
 * - deactivation and deletion: signing the account out (its OAuth tokens
 *   and authorizations deleted), which closes the API at once, since tokens
 *   are looked up in the database on every request.
 *
 * Jobs only where the running server has a queue (oban.ts hasJobQueue).
 */
import type {EntityManager} from 'typeorm'
import {flakeIdToString} from '../db/flake-id'
import {serverFamily, type SchemaInfo} from '../db/schema'
import {OAuthAuthorization, OAuthToken} from '../entities/oauth'
import {columnsOf} from '../entities/names'
import {logModeration, type LogEntry, type LogUser} from './moderation-log'
import {hasJobQueue, insertJobs, type JobSpec} from './oban'

const T = columnsOf(OAuthToken)
const OA = columnsOf(OAuthAuthorization)

export const BACKGROUND_WORKER = 'Pleroma.Workers.BackgroundWorker'
export const BACKGROUND_QUEUE = 'background'

/**
 * BackgroundWorker's max_attempts: Pleroma declares none, so Oban's default
 * of 20 (background_worker.ex:8; Oban 2.18 lib/oban/job.ex:148); Akkoma's
 * WorkerHelper declares 1 and sets no retries for `background`
 * (Akkoma lib/pleroma/workers/worker_helper.ex, config/config.exs :workers).
 */
export function backgroundMaxAttempts(schema: Pick<SchemaInfo, 'tables' | 'userColumns'>): number {
  return serverFamily(schema) === 'akkoma' ? 1 : 20
}

/** The `user_activation` job that makes the server set and re-cache the user's activation. */
export function activationJob(schema: Pick<SchemaInfo, 'tables' | 'userColumns'>, userId: string, active: boolean): JobSpec {
  return {
    queue: BACKGROUND_QUEUE,
    worker: BACKGROUND_WORKER,
    args: {op: 'user_activation', user_id: flakeIdToString(userId), status: active},
    maxAttempts: backgroundMaxAttempts(schema),
  }
}

/** The `verify_fields_links` job: the server re-reads the user from the database and re-caches it. */
export function rereadJob(userId: string): JobSpec {
  return {queue: BACKGROUND_QUEUE, worker: BACKGROUND_WORKER, args: {op: 'verify_fields_links', user_id: flakeIdToString(userId)}, maxAttempts: 20}
}

/**
 * Queues a `user_activation` job per user (its activation as it is now),
 * when the server has a job queue. Returns how many were queued.
 */
export async function queueActivationRefresh(m: EntityManager, schema: SchemaInfo, users: Array<{id: string; active: boolean}>): Promise<number> {
  if (!hasJobQueue(schema)) return 0
  return insertJobs(
    m,
    users.map((u) => activationJob(schema, u.id, u.active)),
  )
}

/**
 * Queues the job that makes a Pleroma server re-read and re-cache each of
 * these users, for a change other than activation. Local users only (the
 * job verifies profile links, which Pleroma does for its own users), and
 * only on Pleroma (Akkoma has no such job). Returns how many were queued.
 */
export async function queueReread(m: EntityManager, schema: SchemaInfo, users: Array<{id: string; local: boolean}>): Promise<number> {
  if (!hasJobQueue(schema) || serverFamily(schema) !== 'pleroma') return 0
  return insertJobs(
    m,
    users.filter((u) => u.local).map((u) => rereadJob(u.id)),
  )
}

export interface SignedOut {
  tokens: number
  authorizations: number
}

/**
 * Signs the users out everywhere: deletes their OAuth authorizations and
 * tokens (with their MFA tokens and push subscriptions, by cascade), as
 * `User.global_sign_out` does (v2.9.1:lib/pleroma/user.ex). Set-based.
 */
export async function signOutUsers(m: EntityManager, userIds: string[]): Promise<SignedOut> {
  if (userIds.length === 0) return {tokens: 0, authorizations: 0}
  // One array parameter (= ANY), whatever the number of users.
  const authorizations = await m
    .createQueryBuilder()
    .delete()
    .from(OAuthAuthorization)
    .where(`${OA.userId} = ANY(CAST(:ids AS uuid[]))`, {ids: userIds})
    .execute()
  const tokens = await m.createQueryBuilder().delete().from(OAuthToken).where(`${T.userId} = ANY(CAST(:ids AS uuid[]))`, {ids: userIds}).execute()
  return {tokens: tokens.affected ?? 0, authorizations: authorizations.affected ?? 0}
}

/** What a command did for the running server and the audit trail (the keys of its --json). */
export interface LiveEffects {
  /** OAuth tokens deleted (the accounts signed out). */
  tokensDeleted: number
  /** Jobs queued for the running server's cache. */
  refreshJobsQueued: number
  /** Whether a moderation_log entry was written. */
  moderationLogged: boolean
}

/**
 * Everything that goes with a change of activation, in the transaction of
 * the change: deactivated users are signed out, a user_activation job per
 * user is queued, and the actor's "activate"/"deactivate" entry naming
 * them is logged (one entry for the lot, as the admin API logs a request).
 */
export async function activationChanged(
  m: EntityManager,
  schema: SchemaInfo,
  actor: LogUser | undefined,
  users: LogUser[],
  active: boolean,
): Promise<LiveEffects> {
  if (users.length === 0) return {tokensDeleted: 0, refreshJobsQueued: 0, moderationLogged: false}
  const signedOut = active
    ? {tokens: 0}
    : await signOutUsers(
        m,
        users.map((u) => u.id),
      )
  const refreshJobsQueued = await queueActivationRefresh(
    m,
    schema,
    users.map((u) => ({id: u.id, active})),
  )
  const moderationLogged = await logModeration(m, actor, {action: active ? 'activate' : 'deactivate', subject: users})
  return {tokensDeleted: signedOut.tokens, refreshJobsQueued, moderationLogged}
}

/**
 * What activationChanged would do, for a dry run or a summary: the tokens
 * the deactivated users hold, the jobs, whether an entry would be logged.
 */
export async function previewActivation(
  m: EntityManager,
  schema: SchemaInfo,
  actor: LogUser | undefined,
  userIds: string[],
  active: boolean,
): Promise<LiveEffects> {
  const tokensDeleted =
    active || userIds.length === 0 ? 0 : await m.createQueryBuilder(OAuthToken, 't').where(`t.userId = ANY(CAST(:ids AS uuid[]))`, {ids: userIds}).getCount()
  return {tokensDeleted, refreshJobsQueued: hasJobQueue(schema) ? userIds.length : 0, moderationLogged: actor !== undefined && userIds.length > 0}
}

/**
 * Everything that goes with another change to users a cached copy would
 * hide (roles, confirmation, approval, tags, locked), in the transaction of
 * the change: the re-read job for the local ones (Pleroma) and the
 * actor's entries. `users`: those actually changed.
 */
export async function usersChanged(
  m: EntityManager,
  schema: SchemaInfo,
  actor: LogUser | undefined,
  users: Array<LogUser & {local: boolean}>,
  entries: LogEntry[],
): Promise<LiveEffects> {
  if (users.length === 0) return {tokensDeleted: 0, refreshJobsQueued: 0, moderationLogged: false}
  const refreshJobsQueued = await queueReread(m, schema, users)
  return {tokensDeleted: 0, refreshJobsQueued, moderationLogged: await logEntries(m, actor, entries)}
}

/** Writes the actor's entries in order (none without an actor); whether any was written. */
export async function logEntries(m: EntityManager, actor: LogUser | undefined, entries: LogEntry[]): Promise<boolean> {
  let logged = false
  for (const e of entries) logged = (await logModeration(m, actor, e)) || logged
  return logged
}

/** The number of re-read jobs usersChanged would queue for these users. */
export function rereadJobCount(schema: SchemaInfo, users: Array<{local: boolean}>): number {
  return hasJobQueue(schema) && serverFamily(schema) === 'pleroma' ? users.filter((u) => u.local).length : 0
}

/** The flags whose change user:set (and user:new) log: a subset of user-flags' FlagValues. */
export type LoggedFlags = {admin: boolean | null; moderator: boolean | null; confirmed: boolean | null} & Record<string, boolean | null>

/** The flags the admin API changes through its credentials update, logged as one "updated_users". */
const CREDENTIAL_FLAGS = [
  'locked',
  'discoverable',
  'showRole',
  'hideFollowers',
  'hideFollows',
  'hideFollowersCount',
  'hideFollowsCount',
  'hideFavorites',
  'allowFollowingMove',
  'skipThreadContainment',
  'richText',
]

/**
 * The entries Pleroma's admin API writes for these changes of one user
 * (docs/live-instance.md#moderation-log): "grant"/"revoke" with the
 * permission per role that changed (right_add/right_delete,
 * v2.9.1:lib/pleroma/web/admin_api/controllers/admin_api_controller.ex:175-266),
 * "confirm_email" for a user that became confirmed (402-410), "approve"
 * (user_controller.ex:276-290), "add_suggestion"/"remove_suggestion"
 * (user_controller.ex:295-328), and one "updated_users" when a flag of the
 * credentials update changed (admin_api_controller.ex:323-335; the columns
 * User.update_changeset casts). Unconfirming and unapproving have no action.
 */
export function flagEntries(user: LogUser, before: LoggedFlags, after: LoggedFlags): LogEntry[] {
  const entries: LogEntry[] = []
  const changed = (k: string) => k in after && after[k] !== null && before[k] !== after[k]
  for (const permission of ['admin', 'moderator'] as const) {
    if (changed(permission)) entries.push({action: after[permission] ? 'grant' : 'revoke', subject: [user], permission})
  }
  if (changed('confirmed') && after.confirmed) entries.push({action: 'confirm_email', subject: [user]})
  if (changed('approved') && after.approved) entries.push({action: 'approve', subject: [user]})
  if (changed('suggested')) entries.push({action: after.suggested ? 'add_suggestion' : 'remove_suggestion', subject: [user]})
  if (CREDENTIAL_FLAGS.some(changed)) entries.push({action: 'updated_users', subject: [user]})
  return entries
}

/** `Recorded in the moderation log as done by NICK.` when something was logged. */
export function loggedNote(effects: Pick<LiveEffects, 'moderationLogged'>, actor: LogUser | undefined): string | undefined {
  return effects.moderationLogged && actor ? `Recorded in the moderation log as done by ${actor.nickname}.` : undefined
}
