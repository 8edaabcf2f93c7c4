/**
 * Deletion with a grace period (docs/pleroma/tasks.md#grace): user:rm --grace,
 * user:restore, user:rm --due, user:list --pending-deletion.
 *
 * The state lives on the account itself, where admin-fe shows it and no
 * table of ours is needed: two tags in `users.tags`,
 *
 * - `pleroma-admin:delete-after:2026-12-10T17:00:00Z`, when the deletion
 *   falls due;
 * - `pleroma-admin:was-inactive`, when the account was inactive already
 *   (user:restore then leaves it inactive).
 *
 * The grace state is a sleep that can be undone exactly: `is_active` false,
 * the account signed out (its OAuth tokens and authorizations deleted), and
 * nothing else. Its follows, both ways, are KEPT: Pleroma's own deactivation
 * (`User.set_activation`, and the server's `user_activation` job) deletes
 * the account's follows of local accounts, which nothing can put back; so
 * no user_activation job is queued either, only the job that makes a
 * Pleroma server re-read the user (live.ts). The follow counters are
 * recomputed both times (an inactive account is not counted:
 * counters.ts), so they are exactly what they were after a restore.
 *
 * Every change locks the user row first; user:rm --due claims an account
 * with `FOR UPDATE SKIP LOCKED` and re-checks the due tag under that lock, so
 * two runs at once never delete the same account twice and a restored
 * account (its tag gone) is never deleted. Plain functions over an
 * EntityManager: no printing, no oclif.
 */
import type {EntityManager} from 'typeorm'
import {FollowingRelationship, FollowState, User} from '../entities'
import {columnsOf, tableOf} from '../entities/names'
import {OAuthToken} from '../entities/oauth'
import {RefusedError} from '../errors'
import {utcNow} from '../db/time'
import {lockWithFollowPartners, recomputeFollowCounters} from './counters'
import {signOutUsers} from './live'

const U = columnsOf(User)
const R = columnsOf(FollowingRelationship)
const T = columnsOf(OAuthToken)
const USERS = tableOf(User)
const FOLLOWS = tableOf(FollowingRelationship)

import {PENDING_DELETION_PREFIX, WAS_INACTIVE_TAG} from './grace-tags'

export {PENDING_DELETION_PREFIX, WAS_INACTIVE_TAG}

/** `2026-12-10T17:00:00Z`: the due date as the tag writes it (whole seconds, UTC). */
export function isoSeconds(d: Date): string {
  return d.toISOString().slice(0, 19) + 'Z'
}

/** The due date in the tags (the earliest, should there be several), or null. */
export function dueOf(tags: string[] | null): string | null {
  const dues = (tags ?? []).filter((t) => t.startsWith(PENDING_DELETION_PREFIX)).map((t) => t.slice(PENDING_DELETION_PREFIX.length))
  return dues.sort()[0] ?? null
}

/** SQL: the due tags of `alias`'s row, as timestamps (`timestamp without time zone`, UTC). */
const dueTimes = (alias: string) =>
  `SELECT to_timestamp(substr(t.tag, ${PENDING_DELETION_PREFIX.length + 1}), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')::timestamp AS at
     FROM unnest(${alias}.${U.tags}) AS t(tag) WHERE t.tag ~ '^${PENDING_DELETION_PREFIX}[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'`

/** SQL: the row `alias` has a deletion due at `p` (a UTC timestamp parameter) or before. */
export const isDueSql = (alias: string, p: string) => `EXISTS (SELECT 1 FROM (${dueTimes(alias)}) d WHERE d.at <= ${p}::timestamp)`

/** SQL: the row `alias` waits for a deletion. */
export const isPendingSql = (alias: string) => `EXISTS (SELECT 1 FROM unnest(${alias}.${U.tags}) AS t(tag) WHERE t.tag LIKE '${PENDING_DELETION_PREFIX}%')`

interface LockedRow {
  id: string
  nickname: string
  active: boolean
  tags: string[] | null
}

async function lockRow(m: EntityManager, userId: string): Promise<LockedRow> {
  await lockWithFollowPartners(m, [userId])
  const [row] = await m.query<LockedRow[]>(
    `SELECT ${U.id} AS id, ${U.nickname} AS nickname, ${U.isActive} AS active, ${U.tags} AS tags FROM ${USERS} WHERE ${U.id} = $1 FOR UPDATE`,
    [userId],
  )
  if (!row) throw new RefusedError('The user was deleted while this command ran.', 'Nothing more to do; check with `pleroma-admin user:list`.')
  return row
}

/** The local users whose counters depend on this one being active: accepted follows either way. */
async function neighbours(m: EntityManager, userId: string): Promise<string[]> {
  const rows = await m.query<Array<{id: string}>>(
    `SELECT r.${R.followingId} AS id FROM ${FOLLOWS} r WHERE r.${R.followerId} = $1 AND r.${R.state} = ${FollowState.ACCEPTED}
     UNION
     SELECT r.${R.followerId} FROM ${FOLLOWS} r WHERE r.${R.followingId} = $1 AND r.${R.state} = ${FollowState.ACCEPTED}`,
    [userId],
  )
  return rows.map((r) => r.id)
}

/** What a grace period would do to the user: read, nothing written. */
export interface GracePlan {
  nickname: string
  active: boolean
  /** Its deletion is pending already (due then), or null. */
  pendingDue: string | null
  /** Follow relationships of the account, both ways, any state: kept. */
  followsKept: number
  tokens: number
}

export async function planGrace(m: EntityManager, userId: string): Promise<GracePlan> {
  const row = await lockRow(m, userId)
  const [c] = await m.query<Array<{follows: number; tokens: number}>>(
    `SELECT (SELECT count(*) FROM ${FOLLOWS} WHERE (${R.followerId} = $1 OR ${R.followingId} = $1) AND ${R.followerId} <> ${R.followingId})::int AS follows,
            (SELECT count(*) FROM ${tableOf(OAuthToken)} WHERE ${T.userId} = $1)::int AS tokens`,
    [userId],
  )
  return {nickname: row.nickname, active: row.active, pendingDue: dueOf(row.tags), followsKept: c.follows, tokens: c.tokens}
}

export function alreadyPending(nickname: string, due: string): RefusedError {
  return new RefusedError(
    `${nickname} is waiting for its deletion already (due ${due}).`,
    `Nothing was changed; \`pleroma-admin user:restore ${nickname}\` cancels it, \`pleroma-admin user:rm --due\` deletes it once due.`,
  )
}

export interface GraceResult {
  nickname: string
  dueAt: string
  wasActive: boolean
  tokensDeleted: number
}

/**
 * Starts the grace period, under the row lock: the due tag (and the
 * was-inactive marker) added, `is_active` false, the follow counters of the
 * account and its neighbours recomputed, the account signed out.
 */
export async function startGrace(m: EntityManager, userId: string, dueAt: string, now = utcNow()): Promise<GraceResult> {
  const row = await lockRow(m, userId)
  const pending = dueOf(row.tags)
  if (pending) throw alreadyPending(row.nickname, pending)
  const added = [PENDING_DELETION_PREFIX + dueAt, ...(row.active ? [] : [WAS_INACTIVE_TAG])]
  await m.query(
    `UPDATE ${USERS} SET ${U.isActive} = false, ${U.tags} = COALESCE(${U.tags}, '{}') || $2::varchar(255)[], ${U.updatedAt} = $3 WHERE ${U.id} = $1`,
    [userId, added, now],
  )
  await recomputeFollowCounters(m, [userId, ...(await neighbours(m, userId))], now)
  const signedOut = await signOutUsers(m, [userId])
  return {nickname: row.nickname, dueAt, wasActive: row.active, tokensDeleted: signedOut.tokens}
}

/** What user:restore would do: the pending deletion, or a refusal (exit 4) when there is none. */
export async function planRestore(m: EntityManager, userId: string): Promise<{nickname: string; dueAt: string; reactivate: boolean}> {
  const row = await lockRow(m, userId)
  const due = dueOf(row.tags)
  if (!due) {
    throw new RefusedError(
      `${row.nickname} is not waiting for a deletion.`,
      'Nothing was changed; `pleroma-admin user:list --pending-deletion` lists the accounts that are.',
    )
  }
  return {nickname: row.nickname, dueAt: due, reactivate: !(row.tags ?? []).includes(WAS_INACTIVE_TAG)}
}

/**
 * Ends the grace period, under the row lock: the markers removed (nothing
 * else of the tags), the account active again unless it was inactive before,
 * the follow counters recomputed. Its tokens stay deleted.
 */
export async function restoreUser(m: EntityManager, userId: string, now = utcNow()): Promise<{nickname: string; dueAt: string; active: boolean}> {
  const plan = await planRestore(m, userId)
  const [row] = await m.query<Array<{active: boolean}>>(
    `WITH u AS (
       UPDATE ${USERS}
          SET ${U.tags} = ARRAY(SELECT t.tag FROM unnest(${U.tags}) WITH ORDINALITY AS t(tag, i)
                                 WHERE t.tag NOT LIKE '${PENDING_DELETION_PREFIX}%' AND t.tag <> '${WAS_INACTIVE_TAG}' ORDER BY t.i)::varchar(255)[],
              ${U.isActive} = ${U.isActive} OR $2, ${U.updatedAt} = $3
        WHERE ${U.id} = $1 RETURNING ${U.isActive} AS active)
     SELECT active FROM u`,
    [userId, plan.reactivate, now],
  )
  await recomputeFollowCounters(m, [userId, ...(await neighbours(m, userId))], now)
  return {nickname: plan.nickname, dueAt: plan.dueAt, active: row.active}
}

/** The local accounts whose deletion is due at `now` (UTC timestamp) or before, the earliest first. */
export async function dueUsers(m: EntityManager, now = utcNow()): Promise<Array<{nickname: string; dueAt: string}>> {
  const rows = await m.query<Array<{nickname: string; tags: string[]}>>(
    `SELECT u.${U.nickname} AS nickname, u.${U.tags} AS tags FROM ${USERS} u
      WHERE u.${U.local} AND u.${U.nickname} IS NOT NULL AND ${isDueSql('u', '$1')}`,
    [now],
  )
  return rows
    .map((r) => ({nickname: r.nickname, dueAt: dueOf(r.tags)!}))
    .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.nickname < b.nickname ? -1 : 1))
}

/**
 * Claims the account for its due deletion in the caller's transaction: its
 * row locked, if no other transaction holds it (SKIP LOCKED) and its
 * deletion is still due. false: another run is deleting it, or it was
 * restored or deleted meanwhile; leave it alone.
 */
export async function claimDue(m: EntityManager, userId: string, now = utcNow()): Promise<boolean> {
  const rows = await m.query<Array<{id: string}>>(
    `SELECT u.${U.id} AS id FROM ${USERS} u WHERE u.${U.id} = $1 AND ${isDueSql('u', '$2')} FOR UPDATE OF u SKIP LOCKED`,
    [userId, now],
  )
  return rows.length > 0
}
