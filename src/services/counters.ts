/**
 * The cached follow counters of users (user-tasks.md §0.4, schema.md §7.7):
 * follower_count(U) = accepted (state 2) follows F → U where F ≠ U, F is
 * active and F is not an internal actor (nickname NULL or `internal.%`);
 * following_count likewise in the other direction.
 *
 * Only local users are recomputed: a remote user's counters mirror its own
 * server's numbers, which Pleroma refreshes from there.
 */
import type {EntityManager} from 'typeorm'
import {utcNow} from '../db/time'

const COUNTED_OTHER = (alias: string) =>
  `${alias}.is_active AND ${alias}.nickname IS NOT NULL AND ${alias}.nickname NOT LIKE 'internal.%'`

/**
 * SQL computing (id, followers, following) for the local users whose ids are
 * in `$1::uuid[]`: the ids are joined (never `= ANY` over a scan, which is
 * O(rows × ids)), and the follows of all of them counted in two grouped
 * scans, so the cost follows the number of follow rows involved.
 */
export const COUNTS_SQL = `
  WITH a AS (SELECT u.id FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) x JOIN users u ON u.id = x.id WHERE u.local),
       fc AS (SELECT r.following_id AS id, count(*)::int AS n
                FROM following_relationships r JOIN users f ON f.id = r.follower_id
               WHERE r.following_id IN (SELECT id FROM a) AND r.state = 2 AND r.follower_id <> r.following_id AND ${COUNTED_OTHER('f')}
               GROUP BY r.following_id),
       gc AS (SELECT r.follower_id AS id, count(*)::int AS n
                FROM following_relationships r JOIN users t ON t.id = r.following_id
               WHERE r.follower_id IN (SELECT id FROM a) AND r.state = 2 AND r.follower_id <> r.following_id AND ${COUNTED_OTHER('t')}
               GROUP BY r.follower_id)
  SELECT a.id, COALESCE(fc.n, 0) AS followers, COALESCE(gc.n, 0) AS following
    FROM a LEFT JOIN fc ON fc.id = a.id LEFT JOIN gc ON gc.id = a.id`

/**
 * Recomputes follower_count and following_count of the given users (local
 * ones only) in one statement; `updated_at` is bumped only where a value
 * changes. Returns the number of rows changed.
 */
export async function recomputeFollowCounters(m: EntityManager, userIds: string[], now = utcNow()): Promise<number> {
  if (userIds.length === 0) return 0
  const [, affected] = (await m.query(
    `WITH c AS (${COUNTS_SQL})
     UPDATE users u SET follower_count = c.followers, following_count = c.following, updated_at = $2
       FROM c
      WHERE u.id = c.id AND (u.follower_count <> c.followers OR u.following_count <> c.following)`,
    [userIds, now],
  )) as [unknown, number]
  return affected
}
