/**
 * `user:prune`: the local accounts that never became real, chosen by rules
 * (docs/pleroma/tasks.md#prune):
 *
 * - unconfirmed: `is_confirmed` false, registered before the cutoff;
 * - unapproved: `is_approved` false (still pending approval), registered before;
 * - never active: `last_active_at` NULL, registered before;
 * - inactive: `last_active_at` before the cutoff.
 *
 * An account matches when any of the given rules holds. Never chosen: remote
 * users, admins, moderators, invisible accounts and service actors, rows
 * without a nickname, accounts already deleted by user:rm (purged: inactive
 * without a password hash), and accounts waiting for a deletion with a grace
 * period (user:rm --grace; they are user:rm --due's). Whether an account has
 * posts (Create activities) is read in the same query, through the
 * activities (actor, id) index, so the command can leave those out.
 *
 * The selection is one query; the batches re-read their accounts with the
 * same conditions under a row lock (selectStale with `ids`), so an account
 * that changed since the summary (confirmed, signed in, made an admin) is
 * left alone. Plain functions over an EntityManager: no printing, no oclif.
 */
import type {EntityManager} from 'typeorm'
import {Activity, User} from '../entities'
import {columnsOf, tableOf} from '../entities/names'
import {serviceActorSql} from './service-actors'
import {PENDING_DELETION_PREFIX} from './grace'

const U = columnsOf(User)
const A = columnsOf(Activity)

/** The rules, by their flag name; each an UTC cutoff timestamp (`YYYY-MM-DD HH:MM:SS`) or absent. */
export interface PruneCutoffs {
  'unconfirmed-for'?: string
  'unapproved-for'?: string
  'never-active-for'?: string
  'inactive-for'?: string
}

export type PruneRule = keyof PruneCutoffs

export const PRUNE_RULES: PruneRule[] = ['unconfirmed-for', 'unapproved-for', 'never-active-for', 'inactive-for']

/** A chosen account and why. */
export interface StaleAccount {
  id: string
  nickname: string
  active: boolean
  /** inserted_at, ISO 8601 UTC. */
  registeredAt: string
  /** last_active_at, ISO 8601 UTC, or null (never). */
  lastActiveAt: string | null
  /** The rules it matches, in PRUNE_RULES order. */
  rules: PruneRule[]
  /** It has posts (Create activities). */
  posts: boolean
}

/** Each rule's condition on `u` given its cutoff parameter. */
const RULE_SQL: Record<PruneRule, (p: string) => string> = {
  'unconfirmed-for': (p) => `(NOT u.${U.isConfirmed} AND u.${U.insertedAt} < ${p}::timestamp)`,
  'unapproved-for': (p) => `(NOT u.${U.isApproved} AND u.${U.insertedAt} < ${p}::timestamp)`,
  'never-active-for': (p) => `(u.${U.lastActiveAt} IS NULL AND u.${U.insertedAt} < ${p}::timestamp)`,
  'inactive-for': (p) => `(u.${U.lastActiveAt} < ${p}::timestamp)`,
}

const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`

/**
 * The accounts the rules choose, in id order, in one query. `onlyActive`
 * (--deactivate) leaves out those already inactive. With `ids`, only those
 * accounts, their rows locked (FOR UPDATE) until the transaction ends: what
 * a batch acts on.
 */
export async function selectStale(m: EntityManager, cutoffs: PruneCutoffs, options: {onlyActive: boolean; ids?: string[]}): Promise<StaleAccount[]> {
  const params: unknown[] = []
  const p = (v: unknown) => {
    params.push(v)
    return `$${params.length}`
  }
  const rules = PRUNE_RULES.filter((r) => cutoffs[r] !== undefined)
  if (rules.length === 0) return []
  const matches = rules.map((r) => RULE_SQL[r](p(cutoffs[r])))
  const where = [
    `u.${U.local}`,
    `u.${U.nickname} IS NOT NULL`,
    `NOT u.${U.isAdmin}`,
    `NOT u.${U.isModerator}`,
    `NOT ${serviceActorSql('u')}`,
    // Deleted by user:rm already: the row is kept purged and inactive, without a password.
    `NOT (NOT u.${U.isActive} AND u.${U.passwordHash} IS NULL)`,
    // Waiting for its deletion with a grace period (user:rm --due deletes it).
    `NOT EXISTS (SELECT 1 FROM unnest(u.${U.tags}) AS t(tag) WHERE t.tag LIKE ${p(PENDING_DELETION_PREFIX + '%')})`,
    `(${matches.join(' OR ')})`,
  ]
  if (options.onlyActive) where.push(`u.${U.isActive}`)
  if (options.ids) where.push(`u.${U.id} = ANY(${p(options.ids)}::uuid[])`)
  const rows = await m.query<Array<Omit<StaleAccount, 'rules'> & Record<`r${number}`, boolean>>>(
    `SELECT u.${U.id} AS id, u.${U.nickname} AS nickname, u.${U.isActive} AS active,
            ${iso(`u.${U.insertedAt}`)} AS "registeredAt", ${iso(`u.${U.lastActiveAt}`)} AS "lastActiveAt",
            ${matches.map((sql, i) => `${sql} AS r${i}`).join(', ')},
            EXISTS (SELECT 1 FROM ${tableOf(Activity)} a WHERE a.${A.actor} = u.${U.apId} AND a.${A.data}->>'type' = 'Create') AS posts
       FROM ${tableOf(User)} u
      WHERE ${where.join('\n        AND ')}
      ORDER BY u.${U.id}${options.ids ? ' FOR UPDATE OF u' : ''}`,
    params,
  )
  return rows.map((r) => ({
    id: r.id,
    nickname: r.nickname,
    active: r.active,
    registeredAt: r.registeredAt,
    lastActiveAt: r.lastActiveAt,
    rules: rules.filter((_, i) => r[`r${i}`]),
    posts: r.posts,
  }))
}
