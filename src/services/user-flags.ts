/**
 * A user's role and account flags: `user set` (user-tasks.md §7, today's
 * Pleroma with the seed's flags) and `user toggle_confirmed` (§15, Mar-2020,
 * on today's `is_confirmed`). Plain functions over an EntityManager: no
 * printing, no oclif.
 *
 * Every change is one WHERE-guarded UPDATE computed from the row's current
 * values, so concurrent commands never undo each other, and `updated_at` is
 * bumped only when a value really changes.
 */
import type {EntityManager} from 'typeorm'
import {NotFoundError} from '../errors'
import {urlSafeToken} from '../db/tokens'
import {utcNow} from '../db/time'
import {requireLocalUser} from './users'

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
}

interface FlagsRow {
  nickname: string
  is_admin: boolean
  is_moderator: boolean
  is_locked: boolean
  is_confirmed: boolean
  changed?: boolean
}

const FLAG_COLUMNS = 'nickname, is_admin, is_moderator, is_locked, is_confirmed'

/*
 * Parameters of the statements below: $1 user id, $2 admin, $3 moderator,
 * $4 locked, $5 confirmed (each NULL = not given), $6 a fresh confirmation
 * token, $7 now.
 *
 * Confirmation (today's Pleroma `User.set_confirmation`): confirmed means
 * is_confirmed = true and no token; unconfirmed means is_confirmed = false
 * with a token. A user already in the requested state keeps its row as it
 * is (in particular the token of an unconfirmed user, so a confirmation link
 * already sent stays valid); an inconsistent one (confirmed with a token,
 * unconfirmed without) is repaired.
 */
const CONFIRMED_DIFFERS = `($5::boolean IS NOT NULL AND (is_confirmed IS DISTINCT FROM $5::boolean OR (confirmation_token IS NULL) IS DISTINCT FROM $5::boolean))`
const DIFFERS = `(($2::boolean IS NOT NULL AND is_admin IS DISTINCT FROM $2::boolean)
   OR ($3::boolean IS NOT NULL AND is_moderator IS DISTINCT FROM $3::boolean)
   OR ($4::boolean IS NOT NULL AND is_locked IS DISTINCT FROM $4::boolean)
   OR ${CONFIRMED_DIFFERS})`

function toFlags(row: FlagsRow): UserFlags {
  return {nickname: row.nickname, admin: row.is_admin, moderator: row.is_moderator, locked: row.is_locked, confirmed: row.is_confirmed}
}

function params(userId: string, c: FlagChanges, now: string): unknown[] {
  const v = (x: boolean | undefined) => (x === undefined ? null : x)
  return [userId, v(c.admin), v(c.moderator), v(c.locked), v(c.confirmed), urlSafeToken(), now]
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
  options: {instanceHost?: () => Promise<string>; dryRun?: boolean; now?: string} = {},
): Promise<SetFlagsResult> {
  const user = await requireLocalUser(m, nickname, options.instanceHost)
  const p = params(user.id, changes, options.now ?? utcNow())
  if (options.dryRun) {
    const rows: FlagsRow[] = await m.query(
      `SELECT nickname,
              COALESCE($2::boolean, is_admin) AS is_admin, COALESCE($3::boolean, is_moderator) AS is_moderator,
              COALESCE($4::boolean, is_locked) AS is_locked, COALESCE($5::boolean, is_confirmed) AS is_confirmed,
              ${DIFFERS} AS changed
         FROM users WHERE id = $1`,
      p.slice(0, 5),
    )
    if (!rows[0]) throw gone(nickname)
    return {...toFlags(rows[0]), changed: rows[0].changed!}
  }
  const updated: FlagsRow[] = await updateRows(
    m,
    `UPDATE users
        SET is_admin = COALESCE($2::boolean, is_admin),
            is_moderator = COALESCE($3::boolean, is_moderator),
            is_locked = COALESCE($4::boolean, is_locked),
            is_confirmed = COALESCE($5::boolean, is_confirmed),
            confirmation_token = CASE
              WHEN $5::boolean IS NULL THEN confirmation_token
              WHEN $5::boolean THEN NULL
              WHEN NOT is_confirmed AND confirmation_token IS NOT NULL THEN confirmation_token
              ELSE $6::text END,
            updated_at = $7
      WHERE id = $1 AND local AND ${DIFFERS}
      RETURNING ${FLAG_COLUMNS}`,
    p,
  )
  if (updated[0]) return {...toFlags(updated[0]), changed: true}
  return {...(await readFlags(m, user.id, nickname)), changed: false}
}

export interface ToggleConfirmedResult {
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
  options: {instanceHost?: () => Promise<string>; dryRun?: boolean; now?: string} = {},
): Promise<ToggleConfirmedResult> {
  const user = await requireLocalUser(m, nickname, options.instanceHost)
  if (options.dryRun) {
    const current = await readFlags(m, user.id, nickname)
    return {nickname: current.nickname, confirmed: !current.confirmed}
  }
  const rows: FlagsRow[] = await updateRows(
    m,
    `UPDATE users
        SET is_confirmed = NOT is_confirmed,
            confirmation_token = CASE WHEN is_confirmed THEN $2::text ELSE NULL END,
            updated_at = $3
      WHERE id = $1 AND local
      RETURNING ${FLAG_COLUMNS}`,
    [user.id, urlSafeToken(), options.now ?? utcNow()],
  )
  if (!rows[0]) throw gone(nickname)
  return {nickname: rows[0].nickname, confirmed: rows[0].is_confirmed}
}

async function readFlags(m: EntityManager, userId: string, nickname: string): Promise<UserFlags> {
  const rows: FlagsRow[] = await m.query(`SELECT ${FLAG_COLUMNS} FROM users WHERE id = $1`, [userId])
  if (!rows[0]) throw gone(nickname)
  return toFlags(rows[0])
}

/** The RETURNING rows of an UPDATE, whatever shape the driver gives them in. */
async function updateRows<T>(m: EntityManager, sql: string, p: unknown[]): Promise<T[]> {
  const result = (await m.query(sql, p)) as unknown
  // TypeORM's postgres driver returns [rows, affectedCount] for UPDATE ... RETURNING.
  const r = result as unknown[]
  return (Array.isArray(r[0]) ? r[0] : r) as T[]
}

/** The user was deleted (or made remote) between the lookup and the update. */
function gone(nickname: string): NotFoundError {
  return new NotFoundError(`No local user ${nickname}`, 'The user disappeared while the command ran; check with `pleroma-admin user:list`.')
}
