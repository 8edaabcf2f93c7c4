/**
 * A user's role and account flags: `user set` (lib/mix/tasks/pleroma/user.ex,
 * Pleroma v2.9.1, with --admin, --moderator, --locked, --confirmed, and the
 * flags its admin API sets on the row: docs/pleroma/tasks.md#set) and
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
import {NotFoundError, RefusedError} from '../errors'
import {urlSafeToken} from '../db/tokens'
import {utcNowDate} from '../db/time'
import {requireLocalUser} from './users'
import type {ServiceActorGuard} from './service-actors'

const U = columnsOf(User)

/**
 * The flags `user set` can change, by their key in user:set's result, each a
 * boolean column of users (docs/pleroma/tasks.md#set): the task's four, and
 * those today's admin API sets on the row (approve, suggest/unsuggest, the
 * credentials update). `inverted`: the flag is the column's negation
 * (rich text = NOT no_rich_text). `optional`: not every supported server has
 * the column (is_suggested: Pleroma 2.5+ and Akkoma).
 */
export const FLAG_COLUMNS = {
  admin: {property: 'isAdmin'},
  allowFollowingMove: {property: 'allowFollowingMove'},
  approved: {property: 'isApproved'},
  confirmed: {property: 'isConfirmed'},
  discoverable: {property: 'isDiscoverable'},
  hideFavorites: {property: 'hideFavorites'},
  hideFollowers: {property: 'hideFollowers'},
  hideFollowersCount: {property: 'hideFollowersCount'},
  hideFollows: {property: 'hideFollows'},
  hideFollowsCount: {property: 'hideFollowsCount'},
  locked: {property: 'isLocked'},
  moderator: {property: 'isModerator'},
  richText: {property: 'noRichText', inverted: true},
  showRole: {property: 'showRole'},
  skipThreadContainment: {property: 'skipThreadContainment'},
  suggested: {property: 'isSuggested', optional: true},
} as const satisfies Record<string, {property: keyof User; inverted?: true; optional?: true}>

export type FlagKey = keyof typeof FLAG_COLUMNS
const FLAG_KEYS = Object.keys(FLAG_COLUMNS) as FlagKey[]
type FlagProperty = (typeof FLAG_COLUMNS)[FlagKey]['property']

/** The flags to set; undefined = leave as it is. */
export type FlagChanges = Partial<Record<FlagKey, boolean>>

/** Every flag's value; null where the server lacks the column. */
export type FlagValues = Record<FlagKey, boolean | null>

export interface SetFlagsResult {
  nickname: string
  /** Whether the row was (dry run: would be) updated. */
  changed: boolean
  /** The values afterwards (dry run: as they would be). */
  flags: FlagValues
  /** The user's id (uuid). */
  id: string
  /** The values before the change (read under the row lock), for the moderation log. */
  before: FlagValues
}

/** The flags whose column this server has. */
function present(userColumns: ReadonlySet<string>): FlagKey[] {
  return FLAG_KEYS.filter((k) => userColumns.has(U[FLAG_COLUMNS[k].property]))
}

function valuesOf(row: Partial<Pick<User, FlagProperty>>, keys: FlagKey[]): FlagValues {
  const values = Object.fromEntries(FLAG_KEYS.map((k) => [k, null])) as FlagValues
  for (const k of keys) {
    const {property} = FLAG_COLUMNS[k]
    const v = row[property] as boolean
    values[k] = 'inverted' in FLAG_COLUMNS[k] ? !v : v
  }
  return values
}

/** The column value that gives the flag value v. */
function columnValue(k: FlagKey, v: boolean): boolean {
  return 'inverted' in FLAG_COLUMNS[k] ? !v : v
}

/**
 * Whether the changes would change the row: the condition that guards the
 * UPDATE (and that the dry run reads), over the row's columns, with one
 * boolean parameter per given flag (named by its key, the column's value).
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
  for (const k of FLAG_KEYS) {
    if (c[k] === undefined) continue
    conditions.push(`${U[FLAG_COLUMNS[k].property]} IS DISTINCT FROM :${k}`)
    if (k === 'confirmed') conditions.push(`(${U.confirmationToken} IS NULL) IS DISTINCT FROM :confirmed`)
  }
  return conditions.length > 0 ? `(${conditions.join(' OR ')})` : 'false'
}

/**
 * Sets the given flags of a local user in one UPDATE, only if one of them
 * differs (then `updated_at` = now): what Pleroma's functions write for each
 * (docs/pleroma/tasks.md#set). Returns every flag's resulting value. With
 * `dryRun`, computes the same result and writes nothing. A flag whose column
 * the server lacks (`userColumns`) is refused before anything is read.
 */
export async function setUserFlags(
  m: EntityManager,
  nickname: string,
  changes: FlagChanges,
  options: {userColumns: ReadonlySet<string>; instanceHost?: () => Promise<string>; dryRun?: boolean; now?: Date; guard?: ServiceActorGuard},
): Promise<SetFlagsResult> {
  const keys = present(options.userColumns)
  const missing = FLAG_KEYS.filter((k) => changes[k] !== undefined && !keys.includes(k))
  if (missing.length > 0) {
    const columns = missing.map((k) => `users.${U[FLAG_COLUMNS[k].property]}`).join(', ')
    throw new RefusedError(
      `This server's database has no ${columns}: nothing was changed.`,
      'is_suggested exists from Pleroma 2.5 on and in Akkoma; upgrade the server (and run its migrations) to set it.',
    )
  }
  const user = await requireLocalUser(m, nickname, options.instanceHost, options.guard)
  // The given values only, as column values (each a boolean parameter of differs()).
  const given: Record<string, boolean> = {}
  for (const k of FLAG_KEYS) if (changes[k] !== undefined) given[k] = columnValue(k, changes[k])
  const properties = keys.map((k) => FLAG_COLUMNS[k].property)
  if (options.dryRun) {
    const {entities, raw} = await flagsOf(m, user.id, properties)
      .addSelect(differs(changes), 'changed')
      .setParameters(given)
      .getRawAndEntities<{changed: boolean}>()
    if (!entities[0]) throw gone(nickname)
    const before = valuesOf(entities[0], keys)
    const current = {...before}
    for (const k of FLAG_KEYS) if (changes[k] !== undefined) current[k] = changes[k]
    return {nickname: entities[0].nickname!, changed: raw[0].changed, flags: current, id: user.id, before}
  }
  // Locked, so what it was is what the UPDATE changes (the moderation log names what changed).
  const old = await flagsOf(m, user.id, properties).setLock('pessimistic_write').getOne()
  if (!old) throw gone(nickname)
  const before = valuesOf(old, keys)
  const values: {[P in keyof User]?: User[P] | (() => string)} = {updatedAt: options.now ?? utcNowDate()}
  for (const k of FLAG_KEYS) if (changes[k] !== undefined) values[FLAG_COLUMNS[k].property] = given[k]
  if (changes.confirmed !== undefined) {
    // Confirmed: no token. Unconfirmed: the token it has if it was unconfirmed already, else a new one.
    values.confirmationToken = changes.confirmed
      ? null
      : () => `CASE WHEN NOT ${U.isConfirmed} AND ${U.confirmationToken} IS NOT NULL THEN ${U.confirmationToken} ELSE :token END`
  }
  const [updated] = await updateReturning(
    m
      .createQueryBuilder()
      .update(User)
      .set(values)
      .where(`${U.id} = :id AND ${U.local} AND ${differs(changes)}`, {...given, id: user.id, token: urlSafeToken()}),
    ['nickname', ...properties],
  )
  if (updated) return {nickname: updated.nickname!, changed: true, flags: valuesOf(updated, keys), id: user.id, before}
  const row = await flagsOf(m, user.id, properties).getOne()
  if (!row) throw gone(nickname)
  return {nickname: row.nickname!, changed: false, flags: valuesOf(row, keys), id: user.id, before}
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
    const current = await flagsOf(m, user.id, ['isConfirmed']).getOne()
    if (!current) throw gone(nickname)
    return {id: user.id, nickname: current.nickname!, confirmed: !current.isConfirmed}
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
    ['nickname', 'isConfirmed'],
  )
  if (!row) throw gone(nickname)
  return {id: user.id, nickname: row.nickname!, confirmed: row.isConfirmed}
}

/** The given columns (and the id and nickname) of the user with this id. */
function flagsOf(m: EntityManager, userId: string, properties: ReadonlyArray<keyof User>) {
  return m
    .createQueryBuilder(User, 'u')
    .select(['u.id', 'u.nickname', ...properties.map((p) => `u.${p}`)])
    .where('u.id = :id', {id: userId})
}

/** The user was deleted (or made remote) between the lookup and the update. */
function gone(nickname: string): NotFoundError {
  return new NotFoundError(`No local user ${nickname}`, 'The user disappeared while the command ran; check with `pleroma-admin user:list`.')
}
