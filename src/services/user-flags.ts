/**
 * A user's role and account flags: `user set` (lib/mix/tasks/pleroma/user.ex,
 * Pleroma v2.9.1, with --admin, --moderator, --locked, --confirmed) and
 * `user toggle_confirmed` (there on today's `is_confirmed`). Plain functions
 * over an EntityManager: no printing, no oclif.
 *
 * Every change is one WHERE-guarded UPDATE computed from the row's current
 * values, so concurrent commands never undo each other, and `updated_at` is
 * bumped only when a value really changes.
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {columnsOf} from '../entities/names'
import {updateReturning} from '../entities/returning'
import {NotFoundError} from '../errors'
import {urlSafeToken} from '../db/tokens'
import {utcNowDate} from '../db/time'
import {requireLocalUser} from './users'
import type {ServiceActorGuard} from './service-actors'

const U = columnsOf(User)

/** The flags `user set` can change; undefined = leave as it is. */
export interface FlagChanges {
  admin?: boolean
  confirmed?: boolean
  locked?: boolean
  moderator?: boolean
}

export interface UserFlags {
  nickname: string
  admin: boolean
  moderator: boolean
  locked: boolean
  confirmed: boolean
}

export interface SetFlagsResult extends UserFlags {
  /** Whether the row was (dry run: would be) updated. */
  changed: boolean
  /** The user's id (uuid). */
  id: string
  /** The flags before the change (read under the row lock), for the moderation log. */
  before: UserFlags
}

/** What the flag commands read back of the row. */
const FLAG_PROPERTIES = ['nickname', 'isAdmin', 'isModerator', 'isLocked', 'isConfirmed'] as const
type FlagsRow = Pick<User, (typeof FLAG_PROPERTIES)[number]>

function toFlags(row: FlagsRow): UserFlags {
  return {nickname: row.nickname!, admin: row.isAdmin, moderator: row.isModerator, locked: row.isLocked, confirmed: row.isConfirmed}
}

/**
 * Whether the changes would change the row: the condition that guards the
 * UPDATE (and that the dry run reads), over the row's columns, with the
 * parameters :admin, :moderator, :locked, :confirmed (only those given).
 *
 * Confirmation (today's Pleroma `User.set_confirmation`, lib/pleroma/user.ex):
 * confirmed means is_confirmed = true and no token; unconfirmed means
 * is_confirmed = false with a token. A user already in the requested state
 * keeps its row as it is (in particular the token of an unconfirmed user, so
 * a confirmation link already sent stays valid); an inconsistent one
 * (confirmed with a token, unconfirmed without) is repaired.
 */
function differs(c: FlagChanges): string {
  const conditions: string[] = []
  if (c.admin !== undefined) conditions.push(`${U.isAdmin} IS DISTINCT FROM :admin`)
  if (c.moderator !== undefined) conditions.push(`${U.isModerator} IS DISTINCT FROM :moderator`)
  if (c.locked !== undefined) conditions.push(`${U.isLocked} IS DISTINCT FROM :locked`)
  if (c.confirmed !== undefined) conditions.push(`${U.isConfirmed} IS DISTINCT FROM :confirmed`, `(${U.confirmationToken} IS NULL) IS DISTINCT FROM :confirmed`)
  return conditions.length > 0 ? `(${conditions.join(' OR ')})` : 'false'
}

/**
 * Sets the given flags of a local user in one UPDATE, only if one of them
 * differs (then `updated_at` = now). Returns the resulting values. With
 * `dryRun`, computes the same result and writes nothing.
 */
export async function setUserFlags(
  m: EntityManager,
  nickname: string,
  changes: FlagChanges,
  options: {instanceHost?: () => Promise<string>; dryRun?: boolean; now?: Date; guard?: ServiceActorGuard} = {},
): Promise<SetFlagsResult> {
  const user = await requireLocalUser(m, nickname, options.instanceHost, options.guard)
  const {admin, moderator, locked, confirmed} = changes
  // The given values only (each a boolean parameter of differs()).
  const given = Object.fromEntries(Object.entries({admin, moderator, locked, confirmed}).filter(([, v]) => v !== undefined))
  if (options.dryRun) {
    const {entities, raw} = await flagsOf(m, user.id).addSelect(differs(changes), 'changed').setParameters(given).getRawAndEntities<{changed: boolean}>()
    if (!entities[0]) throw gone(nickname)
    const current = toFlags(entities[0])
    return {
      id: user.id,
      before: current,
      nickname: current.nickname,
      admin: admin ?? current.admin,
      moderator: moderator ?? current.moderator,
      locked: locked ?? current.locked,
      confirmed: confirmed ?? current.confirmed,
      changed: raw[0].changed,
    }
  }
  // Locked, so what it was is what the UPDATE changes (the moderation log names the roles that changed).
  const row = await flagsOf(m, user.id).setLock('pessimistic_write').getOne()
  if (!row) throw gone(nickname)
  const before = toFlags(row)
  const values: {[P in keyof User]?: User[P] | (() => string)} = {updatedAt: options.now ?? utcNowDate()}
  if (admin !== undefined) values.isAdmin = admin
  if (moderator !== undefined) values.isModerator = moderator
  if (locked !== undefined) values.isLocked = locked
  if (confirmed !== undefined) {
    values.isConfirmed = confirmed
    // Confirmed: no token. Unconfirmed: the token it has if it was unconfirmed already, else a new one.
    values.confirmationToken = confirmed
      ? null
      : () => `CASE WHEN NOT ${U.isConfirmed} AND ${U.confirmationToken} IS NOT NULL THEN ${U.confirmationToken} ELSE :token END`
  }
  const [updated] = await updateReturning(
    m
      .createQueryBuilder()
      .update(User)
      .set(values)
      .where(`${U.id} = :id AND ${U.local} AND ${differs(changes)}`, {...given, id: user.id, token: urlSafeToken()}),
    FLAG_PROPERTIES,
  )
  if (updated) return {...toFlags(updated), changed: true, id: user.id, before}
  return {...(await readFlags(m, user.id, nickname)), changed: false, id: user.id, before}
}

export interface ToggleConfirmedResult {
  /** The user's id (uuid). */
  id: string
  nickname: string
  /** The resulting (dry run: would-be) value of is_confirmed. */
  confirmed: boolean
}

/**
 * Flips `is_confirmed` of a local user in one UPDATE: becoming unconfirmed
 * sets a new 44-character confirmation_token, becoming confirmed clears it.
 */
export async function toggleConfirmed(
  m: EntityManager,
  nickname: string,
  options: {instanceHost?: () => Promise<string>; dryRun?: boolean; now?: Date; guard?: ServiceActorGuard} = {},
): Promise<ToggleConfirmedResult> {
  const user = await requireLocalUser(m, nickname, options.instanceHost, options.guard)
  if (options.dryRun) {
    const current = await readFlags(m, user.id, nickname)
    return {id: user.id, nickname: current.nickname, confirmed: !current.confirmed}
  }
  const [row] = await updateReturning(
    m
      .createQueryBuilder()
      .update(User)
      .set({
        isConfirmed: () => `NOT ${U.isConfirmed}`,
        confirmationToken: () => `CASE WHEN ${U.isConfirmed} THEN :token ELSE NULL END`,
        updatedAt: options.now ?? utcNowDate(),
      })
      .where(`${U.id} = :id AND ${U.local}`, {id: user.id, token: urlSafeToken()}),
    FLAG_PROPERTIES,
  )
  if (!row) throw gone(nickname)
  return {id: user.id, nickname: row.nickname!, confirmed: row.isConfirmed}
}

/** The flags of the user with this id (and the id). */
function flagsOf(m: EntityManager, userId: string) {
  return m
    .createQueryBuilder(User, 'u')
    .select(['u.id', ...FLAG_PROPERTIES.map((p) => `u.${p}`)])
    .where('u.id = :id', {id: userId})
}

async function readFlags(m: EntityManager, userId: string, nickname: string): Promise<UserFlags> {
  const row = await flagsOf(m, userId).getOne()
  if (!row) throw gone(nickname)
  return toFlags(row)
}

/** The user was deleted (or made remote) between the lookup and the update. */
function gone(nickname: string): NotFoundError {
  return new NotFoundError(`No local user ${nickname}`, 'The user disappeared while the command ran; check with `pleroma-admin user:list`.')
}
