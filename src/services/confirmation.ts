/**
 * E-mail confirmation of local users: Pleroma's `confirm`, `confirm_all`
 * and `unconfirm_all` tasks (docs/pleroma/tasks.md#confirm and
 * #confirm_all-and-unconfirm_all). Plain functions over an EntityManager:
 * no printing, no oclif.
 *
 * - confirmUser: `User.confirm` for one user (per user: commands on many
 *   users call it once per user).
 * - summarizeBulkConfirmation, confirmBatch, unconfirmBatch: the bulk tasks
 *   over the users Pleroma selects for them, in batches of ids, one
 *   transaction each; every batch checks the selection again.
 *
 * No e-mail is sent and no job queued (Pleroma's `confirm` runs
 * `post_register_action`, see the docs).
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {columnsOf, tableOf} from '../entities/names'
import {updateReturning} from '../entities/returning'
import {utcNow, utcNowDate} from '../db/time'
import {urlSafeToken} from '../db/tokens'
import type {LogUser} from './moderation-log'

const U = columnsOf(User)
const USERS = tableOf(User)

/** The user a per-user function works on (as requireLocalUser returns it). */
export interface LocalUserRef {
  id: string
  nickname: string | null
}

export interface ConfirmUserResult {
  nickname: string
  /** false: the user was confirmed already and nothing was written. */
  changed: boolean
}

/**
 * Pleroma's `User.confirm` (v2.9.1:lib/pleroma/user.ex:1952-1960) for a
 * local user: when `is_confirmed` is false, `is_confirmed := true` and
 * `confirmation_token := NULL` (updated_at bumped) in one UPDATE guarded by
 * that condition; a confirmed user is left as it is (changed: false).
 */
export async function confirmUser(m: EntityManager, user: LocalUserRef, now = utcNowDate()): Promise<ConfirmUserResult> {
  const [row] = await updateReturning(
    m
      .createQueryBuilder()
      .update(User)
      .set({isConfirmed: true, confirmationToken: null, updatedAt: now})
      .where(`${U.id} = :id AND ${U.local} AND ${U.isConfirmed} IS DISTINCT FROM true`, {id: user.id}),
    ['nickname'],
  )
  return {nickname: row?.nickname ?? user.nickname ?? '', changed: row !== undefined}
}

/** Whether the local user is confirmed (for the dry run and the refusal). */
export async function isConfirmed(m: EntityManager, user: LocalUserRef): Promise<boolean> {
  const row = await m.findOne(User, {select: {id: true, isConfirmed: true}, where: {id: user.id}})
  return row?.isConfirmed ?? false
}

// ------------------------------------------------------------------ confirm_all / unconfirm_all

/**
 * The users `confirm_all` and `unconfirm_all` select (`u` = users): local,
 * not admin, not moderator, not invisible, not an internal actor (User.Query's
 * default), active or not — the tasks pass `is_active: true`, which
 * User.Query ignores (docs/pleroma/tasks.md#confirm_all-and-unconfirm_all).
 */
const SELECTED = (u: string) =>
  `${u}.${U.local} AND NOT ${u}.${U.isAdmin} AND NOT ${u}.${U.isModerator} AND NOT ${u}.${U.invisible}` +
  ` AND ${u}.${U.nickname} IS NOT NULL AND ${u}.${U.nickname} NOT LIKE 'internal.%'`

/** Rows `set_confirmation(user, true)` changes: not confirmed, or confirmed with a token left. */
const NEEDS_CONFIRMING = (u: string) => `(${u}.${U.isConfirmed} IS DISTINCT FROM true OR ${u}.${U.confirmationToken} IS NOT NULL)`

export interface BulkConfirmationSummary {
  /** Users selected. */
  users: number
  /** Of those, deactivated ones (Pleroma includes them). */
  inactive: number
  /** Of those, with is_confirmed false. */
  unconfirmed: number
  /** Rows the task will change: confirm, those NEEDS_CONFIRMING; unconfirm, every selected user (a fresh token each). */
  toChange: number
  /** The selected users' ids in id order, for the batches. */
  ids: string[]
}

export async function summarizeBulkConfirmation(m: EntityManager, confirm: boolean): Promise<BulkConfirmationSummary> {
  const [r] = await m.query<Array<{ids: string[]; users: number; inactive: number; unconfirmed: number; needs: number}>>(
    `WITH s AS (SELECT u.${U.id} AS id, u.${U.isActive} AS active, u.${U.isConfirmed} AS confirmed, ${NEEDS_CONFIRMING('u')} AS needs
                  FROM ${USERS} u WHERE ${SELECTED('u')})
     SELECT ARRAY(SELECT id FROM s ORDER BY id) AS ids,
            (SELECT count(*) FROM s)::int AS users,
            (SELECT count(*) FROM s WHERE NOT active)::int AS inactive,
            (SELECT count(*) FROM s WHERE confirmed IS DISTINCT FROM true)::int AS unconfirmed,
            (SELECT count(*) FROM s WHERE needs)::int AS needs`,
  )
  return {users: r.users, inactive: r.inactive, unconfirmed: r.unconfirmed, toChange: confirm ? r.needs : r.users, ids: r.ids}
}

/**
 * One batch of `confirm_all`: `set_confirmation(user, true)`
 * (v2.9.1:lib/pleroma/user.ex:2518-2522, 2696-2711) for the given users that
 * are still selected: is_confirmed := true, confirmation_token := NULL, only
 * where that changes the row (then updated_at). Returns the changed users'
 * users (id, nickname) in id order. A re-run skips the users already done.
 */
export async function confirmBatch(m: EntityManager, ids: string[], now = utcNow()): Promise<LogUser[]> {
  return m.query<LogUser[]>(
    `WITH c AS (UPDATE ${USERS} u SET ${U.isConfirmed} = true, ${U.confirmationToken} = NULL, ${U.updatedAt} = $2
                 WHERE u.${U.id} = ANY($1::uuid[]) AND ${SELECTED('u')} AND ${NEEDS_CONFIRMING('u')}
                RETURNING u.${U.id} AS id, u.${U.nickname}::text AS nickname)
     SELECT id, nickname FROM c ORDER BY id`,
    [ids, now],
  )
}

/**
 * One batch of `unconfirm_all`: `set_confirmation(user, false)` for the
 * given users that are still selected: is_confirmed := false and a fresh
 * confirmation_token each (32 random bytes, URL-safe Base64 with padding,
 * as confirmation_changeset makes them), also for users that were
 * unconfirmed already, whose previous token stops working (as in Pleroma).
 * Returns the users (id, nickname) in id order.
 */
export async function unconfirmBatch(m: EntityManager, ids: string[], now = utcNow()): Promise<LogUser[]> {
  const tokens = ids.map(() => urlSafeToken())
  return m.query<LogUser[]>(
    `WITH c AS (UPDATE ${USERS} u SET ${U.isConfirmed} = false, ${U.confirmationToken} = t.token, ${U.updatedAt} = $3
                  FROM unnest($1::uuid[], $2::text[]) AS t(id, token)
                 WHERE u.${U.id} = t.id AND ${SELECTED('u')}
                RETURNING u.${U.id} AS id, u.${U.nickname}::text AS nickname)
     SELECT id, nickname FROM c ORDER BY id`,
    [ids, tokens, now],
  )
}
