/**
 * Approval of registrations (docs/pleroma/tasks.md#approve): Pleroma's
 * `User.approve`, which its admin API's `approve` calls for a list of
 * nicknames. Plain functions over an EntityManager: no printing, no oclif.
 *
 * - approveUser: one local user (per user: commands on many users call it
 *   once per user).
 * - pendingRegistrations, approveBatch: every pending registration, in
 *   batches of ids, one transaction each.
 *
 * No e-mail is sent, no auto-follow made (Pleroma's approve runs
 * `post_register_action`, see the docs).
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {columnsOf, tableOf} from '../entities/names'
import {updateReturning} from '../entities/returning'
import {utcNow, utcNowDate} from '../db/time'
import type {LocalUserRef} from './confirmation'
import type {LogUser} from './moderation-log'

const U = columnsOf(User)
const USERS = tableOf(User)

export interface ApproveUserResult {
  nickname: string
  /** false: the user was approved already and nothing was written. */
  changed: boolean
}

/**
 * `User.approve` (v2.9.1:lib/pleroma/user.ex:1934-1942) for a local user:
 * when `is_approved` is false, `is_approved := true` (updated_at bumped) in
 * one UPDATE guarded by that condition; an approved user is left alone.
 */
export async function approveUser(m: EntityManager, user: LocalUserRef, now = utcNowDate()): Promise<ApproveUserResult> {
  const [row] = await updateReturning(
    m
      .createQueryBuilder()
      .update(User)
      .set({isApproved: true, updatedAt: now})
      .where(`${U.id} = :id AND ${U.local} AND ${U.isApproved} IS DISTINCT FROM true`, {id: user.id}),
    ['nickname'],
  )
  return {nickname: row?.nickname ?? user.nickname ?? '', changed: row !== undefined}
}

/** Whether the local user is approved (for the dry run and the refusal). */
export async function isApproved(m: EntityManager, user: LocalUserRef): Promise<boolean> {
  const row = await m.findOne(User, {select: {id: true, isApproved: true}, where: {id: user.id}})
  return row?.isApproved ?? false
}

/**
 * A pending registration (`u` = users): a local user with is_approved
 * false, not an internal actor — the admin API's `need_approval` filter
 * (User.Query, v2.9.1:lib/pleroma/user/query.ex:205-207, internal actors
 * left out by default) on local users. Deactivated ones are included, as
 * the admin API lists them.
 */
const PENDING = (u: string) =>
  `${u}.${U.local} AND ${u}.${U.isApproved} IS DISTINCT FROM true AND ${u}.${U.nickname} IS NOT NULL AND ${u}.${U.nickname} NOT LIKE 'internal.%'`

export interface PendingRegistration {
  id: string
  nickname: string
  email: string | null
  /** inserted_at as 'YYYY-MM-DD HH:MM:SS' (UTC). */
  registeredAt: string
  /** The applicant's text (registration_reason), where the server has the column. */
  reason: string | null
  active: boolean
  confirmed: boolean
}

/** Every pending registration in id order (registration order). `withReason`: the server has users.registration_reason. */
export async function pendingRegistrations(m: EntityManager, withReason: boolean): Promise<PendingRegistration[]> {
  return m.query<PendingRegistration[]>(
    `SELECT u.${U.id} AS id, u.${U.nickname}::text AS nickname, u.${U.email}::text AS email,
            to_char(u.${U.insertedAt}, 'YYYY-MM-DD HH24:MI:SS') AS "registeredAt",
            ${withReason ? `u.${U.registrationReason}` : 'NULL::text'} AS reason,
            u.${U.isActive} AS active, u.${U.isConfirmed} AS confirmed
       FROM ${USERS} u WHERE ${PENDING('u')} ORDER BY u.${U.id}`,
  )
}

/**
 * One batch of `approve --all`: `User.approve` for the given users that are
 * still pending. Returns the approved users (id, nickname) in id order; a
 * re-run skips the users already done.
 */
export async function approveBatch(m: EntityManager, ids: string[], now = utcNow()): Promise<LogUser[]> {
  return m.query<LogUser[]>(
    `WITH c AS (UPDATE ${USERS} u SET ${U.isApproved} = true, ${U.updatedAt} = $2
                 WHERE u.${U.id} = ANY($1::uuid[]) AND ${PENDING('u')}
                RETURNING u.${U.id} AS id, u.${U.nickname}::text AS nickname)
     SELECT id, nickname FROM c ORDER BY id`,
    [ids, now],
  )
}
