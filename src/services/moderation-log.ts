/**
 * Pleroma's moderation log (what admin-fe lists), written as v2.9.1's
 * `ModerationLog.insert_log` writes it (docs/live-instance.md#moderation-log):
 *
 * - `actor` and every user in `subject`/`subjects` is `{"id", "nickname",
 *   "type": "user"}`, the id in FlakeId string form (user_to_map,
 *   v2.9.1:lib/pleroma/moderation_log.ex:259-268);
 * - `subject` is always a list (the admin API passes lists; migration
 *   20200307103755 turned the old single maps into lists);
 * - `message` is the sentence `get_log_entry_message` makes of the entry
 *   (moderation_log.ex:280-588), with the same words and separators;
 * - inserted_at = updated_at = now in UTC, whole seconds (the schema's
 *   `timestamps()` are `:naive_datetime`, which Ecto truncates to seconds).
 *
 * Only the actions below: an action the renderer has no clause for would
 * break the admin page (moderation_log.ex has no catch-all clause).
 */
import type {EntityManager} from 'typeorm'
import {flakeIdToString} from '../db/flake-id'
import {utcNowDate} from '../db/time'
import type {SchemaInfo} from '../db/schema'
import {ModerationLog} from '../entities/moderation-log'
import {tableOf} from '../entities/names'
import {NotFoundError, RefusedError} from '../errors'
import {findUser} from './users'

/** A user as the log names it: its id (uuid) and nickname. */
export interface LogUser {
  id: string
  nickname: string
}

/** The local admin or moderator the entries are recorded for (checked by resolveActor). */
export interface ModerationActor extends LogUser {
  admin: boolean
  moderator: boolean
}

/** Actions whose entry is `subject: [users]`, and the words get_log_entry_message uses for them. */
const SUBJECT_ACTIONS = {
  delete: 'deleted users',
  activate: 'activated users',
  deactivate: 'deactivated users',
  approve: 'approved users',
  force_password_reset: 'forced password reset for users',
  confirm_email: 'confirmed email for users',
  resend_confirmation_email: 're-sent confirmation email for users',
  updated_users: 'updated users',
  add_suggestion: 'added suggested users',
  remove_suggestion: 'removed suggested users',
} as const

export type SubjectAction = keyof typeof SUBJECT_ACTIONS

export type LogEntry =
  | {action: SubjectAction; subject: LogUser[]}
  | {action: 'grant' | 'revoke'; subject: LogUser[]; permission: 'admin' | 'moderator'}
  | {action: 'tag' | 'untag'; nicknames: string[]; tags: string[]}
  | {action: 'create'; subjects: LogUser[]}

interface UserMap {
  id: string
  nickname: string
  type: 'user'
}

const userMap = (u: LogUser): UserMap => ({id: flakeIdToString(u.id), nickname: u.nickname, type: 'user'})
/** users_to_nicknames_string (moderation_log.ex:584-588). */
const nicknames = (users: Array<{nickname: string}>) => users.map((u) => `@${u.nickname}`).join(', ')

/** The `data` of the row insert_log would write for this entry (its message included). */
export function logData(actor: LogUser, entry: LogEntry): Record<string, unknown> {
  const by = `@${actor.nickname}`
  const base = {actor: userMap(actor), action: entry.action}
  switch (entry.action) {
    case 'grant':
    case 'revoke': {
      const message =
        entry.action === 'grant'
          ? `${by} made ${nicknames(entry.subject)} ${entry.permission}`
          : `${by} revoked ${entry.permission} role from ${nicknames(entry.subject)}`
      return {...base, subject: entry.subject.map(userMap), permission: entry.permission, message}
    }
    case 'tag':
    case 'untag': {
      const tags = entry.tags.join(', ')
      const users = entry.nicknames.map((n) => `@${n}`).join(', ')
      const message = entry.action === 'tag' ? `${by} added tags: ${tags} to users: ${users}` : `${by} removed tags: ${tags} from users: ${users}`
      return {...base, nicknames: entry.nicknames, tags: entry.tags, message}
    }
    case 'create':
      return {...base, subjects: entry.subjects.map(userMap), message: `${by} created users: ${nicknames(entry.subjects)}`}
    default:
      return {...base, subject: entry.subject.map(userMap), message: `${by} ${SUBJECT_ACTIONS[entry.action]}: ${nicknames(entry.subject)}`}
  }
}

function isEmpty(entry: LogEntry): boolean {
  if ('subjects' in entry) return entry.subjects.length === 0
  if ('nicknames' in entry) return entry.nicknames.length === 0 || entry.tags.length === 0
  return entry.subject.length === 0
}

/**
 * Records the entry for the actor, in the caller's transaction. Nothing
 * without an actor, nor for an entry that names nobody (nothing was done).
 * Returns whether a row was written.
 */
export async function logModeration(m: EntityManager, actor: LogUser | undefined, entry: LogEntry, now = utcNowDate()): Promise<boolean> {
  if (!actor || isEmpty(entry)) return false
  await m
    .createQueryBuilder()
    .insert()
    .into(ModerationLog)
    .values({data: () => 'CAST(:data AS jsonb)', insertedAt: now, updatedAt: now})
    .setParameter('data', JSON.stringify(logData(actor, entry)))
    .execute()
  return true
}

/**
 * The actor named by `--actor` (or PLEROMA_ADMIN_ACTOR): an active local
 * admin or moderator, as Pleroma's admin API requires of whoever logs an
 * action. Unknown: exit 3; remote, inactive or without a role: exit 4; a
 * database without `moderation_log`: exit 4. Read before anything is written.
 */
export async function resolveActor(
  m: EntityManager,
  schema: Pick<SchemaInfo, 'tables'>,
  nickname: string,
  from: string,
  instanceHost?: () => Promise<string>,
): Promise<ModerationActor> {
  const hint = `${from} names the local admin or moderator the moderation log records the change for.`
  if (!schema.tables.has(tableOf(ModerationLog))) {
    throw new RefusedError(`This database has no moderation_log table; ${from} cannot be recorded.`, 'Leave out --actor (and unset PLEROMA_ADMIN_ACTOR).')
  }
  const user = await findUser(m, nickname, instanceHost)
  if (!user) throw new NotFoundError(`No user ${nickname} (${from})`, `${hint} Check the nickname.`)
  if (!user.local) throw new RefusedError(`${user.nickname} (${from}) is a remote user.`, hint)
  if (!user.isAdmin && !user.isModerator) throw new RefusedError(`${user.nickname} (${from}) is neither an admin nor a moderator.`, hint)
  if (!user.isActive) throw new RefusedError(`${user.nickname} (${from}) is deactivated.`, hint)
  return {id: user.id, nickname: user.nickname!, admin: user.isAdmin, moderator: user.isModerator}
}
