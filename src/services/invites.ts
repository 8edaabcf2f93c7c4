/**
 * Invite links, as `mix pleroma.user invite`, `invites` and `revoke_invite`
 * handle them (lib/mix/tasks/pleroma/user.ex and lib/pleroma/user_invite_token.ex,
 * Pleroma v2.9.1): create, list and revoke `user_invite_tokens` rows. Plain
 * functions over an EntityManager: no printing, no oclif.
 */
import {MoreThan, type EntityManager} from 'typeorm'
import {UserInviteToken} from '../entities/user-invite-token'
import {NotFoundError, RefusedError} from '../errors'
import {pathSegment, urlSafeToken} from '../db/tokens'
import {utcNowDate} from '../db/time'

export type InviteType = 'one_time' | 'reusable' | 'date_limited' | 'reusable_date_limited'

/** The largest value of the `max_use integer` column. */
export const MAX_USE_LIMIT = 2_147_483_647

/** Today's date in UTC, `YYYY-MM-DD` (the day Pleroma's `Date.utc_today()` gives). */
export function utcToday(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString().slice(0, 10)
}

/** Pleroma's choice of type: both limits → reusable_date_limited, only a date → date_limited, only uses → reusable, none → one_time. */
export function inviteTypeOf(expiresAt: string | null, maxUse: number | null): InviteType {
  if (expiresAt !== null && maxUse !== null) return 'reusable_date_limited'
  if (expiresAt !== null) return 'date_limited'
  if (maxUse !== null) return 'reusable'
  return 'one_time'
}

/**
 * Checks an `--expires-at` value: a real calendar date written YYYY-MM-DD,
 * not before today (UTC; today itself is allowed: the invite then works
 * until the end of the day). Exit 4 otherwise.
 */
export function parseExpiresAt(value: string, today = utcToday()): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  const hint = 'Give the last day on which the invite works as YYYY-MM-DD, e.g. --expires-at ' + today + '.'
  if (!m) throw new RefusedError(`Invalid date "${value}" for --expires-at: expected YYYY-MM-DD.`, hint)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (y < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    throw new RefusedError(`Invalid date "${value}" for --expires-at: there is no such day.`, hint)
  }
  if (value < today) throw new RefusedError(`The date ${value} given with --expires-at is in the past (today is ${today} UTC).`, hint)
  return value
}

/** Checks a `--max-use` value: a whole number from 1 to 2147483647. Exit 4 otherwise. */
export function parseMaxUse(value: string): number {
  const hint = 'Give how many registrations the invite allows, a whole number of at least 1, e.g. --max-use 5.'
  if (!/^[0-9]+$/.test(value)) throw new RefusedError(`Invalid number "${value}" for --max-use: expected a whole number of at least 1.`, hint)
  const n = Number(value)
  if (n < 1) throw new RefusedError(`Invalid number "${value}" for --max-use: an invite must allow at least 1 use.`, hint)
  if (n > MAX_USE_LIMIT) throw new RefusedError(`Invalid number "${value}" for --max-use: at most ${MAX_USE_LIMIT} fits Pleroma's column.`, hint)
  return n
}

export interface CreatedInvite {
  id: number
  token: string
  inviteType: InviteType
  expiresAt: string | null
  maxUse: number | null
}

/** Inserts one invite row (uses 0, not used, timestamps now) and returns it. */
export async function createInvite(m: EntityManager, options: {expiresAt: string | null; maxUse: number | null}, now = utcNowDate()): Promise<CreatedInvite> {
  const token = urlSafeToken()
  const inviteType = inviteTypeOf(options.expiresAt, options.maxUse)
  const result = await m.insert(UserInviteToken, {
    token,
    used: false,
    insertedAt: now,
    updatedAt: now,
    expiresAt: options.expiresAt,
    uses: 0,
    maxUse: options.maxUse,
    inviteType,
  })
  const {id} = result.identifiers[0] as Pick<UserInviteToken, 'id'>
  return {id: Number(id), token, inviteType, expiresAt: options.expiresAt, maxUse: options.maxUse}
}

/** The registration link Pleroma prints: `<base>/registration/<token>`, `=` as `%3D`. */
export function inviteUrl(instanceUrl: string, token: string): string {
  return `${instanceUrl}/registration/${pathSegment(token)}`
}

// ------------------------------------------------------------------ listing

export interface ListedInvite {
  id: number
  token: string | null
  inviteType: string
  used: boolean
  expiresAt: string | null
  maxUse: number | null
  uses: number
  /** max_use - uses, when max_use is set. */
  leftUse: number | null
  /** expires_at is before today (UTC). */
  expired: boolean
  /** Registration would accept it today (Pleroma's `valid_invite?`). */
  valid: boolean
}

/**
 * Whether registration accepts the invite today, by Pleroma's rules: never
 * once used; date-limited types until the end of expires_at (UTC);
 * reusable types while uses < max_use. A limit that is NULL does not limit.
 */
export function inviteIsValid(
  i: {inviteType: string; used: boolean; expiresAt: string | null; maxUse: number | null; uses: number},
  today = utcToday(),
): boolean {
  if (i.used) return false
  const dated = i.inviteType === 'date_limited' || i.inviteType === 'reusable_date_limited'
  const counted = i.inviteType === 'reusable' || i.inviteType === 'reusable_date_limited'
  if (dated && i.expiresAt !== null && i.expiresAt < today) return false
  if (counted && i.maxUse !== null && i.uses >= i.maxUse) return false
  return true
}

/** All invites ordered by id, read in keyset pages so memory stays flat. */
export async function* iterateInvites(m: EntityManager, pageSize = 1000, today = utcToday()): AsyncGenerator<ListedInvite> {
  let after: string | undefined
  for (;;) {
    const rows = await m.find(UserInviteToken, {where: after === undefined ? {} : {id: MoreThan(after)}, order: {id: 'ASC'}, take: pageSize})
    for (const r of rows) {
      const invite = {
        id: Number(r.id),
        token: r.token,
        inviteType: r.inviteType,
        used: r.used,
        expiresAt: r.expiresAt,
        maxUse: r.maxUse,
        uses: r.uses,
        leftUse: r.maxUse === null ? null : r.maxUse - r.uses,
        expired: r.expiresAt !== null && r.expiresAt < today,
        valid: false,
      }
      invite.valid = inviteIsValid(invite, today)
      yield invite
    }
    if (rows.length < pageSize) return
    after = rows[rows.length - 1].id
  }
}

/** Pleroma's line: `ID: 1 | Token: … | Token type: reusable | Used: false | Expires at: … | Max use: 5    Left use: 3`. */
export function formatInviteLine(i: ListedInvite): string {
  let line = `ID: ${i.id} | Token: ${i.token ?? ''} | Token type: ${i.inviteType} | Used: ${i.used}`
  if (i.expiresAt !== null) line += ` | Expires at: ${i.expiresAt}`
  if (i.maxUse !== null) line += ` | Max use: ${i.maxUse}    Left use: ${i.leftUse}`
  return line
}

// ------------------------------------------------------------------ revoking

export interface RevokedInvite {
  id: number
  token: string | null
  /** It was already used (or revoked) before: nothing was changed. */
  alreadyUsed: boolean
  /** The row was changed by this call (false when already used, or on a dry run). */
  changed: boolean
}

const BIGINT_MAX = 9223372036854775807n

/**
 * Revokes an invite given by its token (exact, case-sensitive) or, when no
 * token matches, by its numeric id: `used = true`, `updated_at` bumped, in
 * one guarded UPDATE; nothing is written when it is already used or on a
 * dry run. `No invite found with token X` (exit 3) when nothing matches.
 */
export async function revokeInvite(m: EntityManager, tokenOrId: string, options: {dryRun?: boolean} = {}, now = utcNowDate()): Promise<RevokedInvite> {
  const locked = (where: {token: string} | {id: string}, take: number) =>
    m.find(UserInviteToken, {select: {id: true, token: true, used: true}, where, order: {id: 'ASC'}, take, lock: {mode: 'pessimistic_write'}})
  const byToken = await locked({token: tokenOrId}, 2)
  if (byToken.length > 1) {
    throw new RefusedError(`Several invites have the token ${tokenOrId}.`, '`pleroma-admin user:invites` shows their ids; revoke each by its ID.')
  }
  let row = byToken[0]
  if (!row && /^[0-9]{1,19}$/.test(tokenOrId) && BigInt(tokenOrId) <= BIGINT_MAX) [row] = await locked({id: tokenOrId}, 1)
  if (!row) {
    throw new NotFoundError(`No invite found with token ${tokenOrId}`, '`pleroma-admin user:invites` lists the invites with their ids and tokens.')
  }
  let changed = false
  if (!row.used && !options.dryRun) {
    const result = await m.update(UserInviteToken, {id: row.id, used: false}, {used: true, updatedAt: now})
    changed = (result.affected ?? 0) > 0
  }
  return {id: Number(row.id), token: row.token, alreadyUsed: row.used, changed}
}
