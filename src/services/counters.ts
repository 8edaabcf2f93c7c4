/**
 * The cached follow counters of users (user-tasks.md §0.4, schema.md §7.7):
 * follower_count(U) = accepted (state 2) follows F → U where F ≠ U, F is
 * active and F is not an internal actor (nickname NULL or `internal.%`);
 * following_count likewise in the other direction.
 *
 * Only local users are recomputed: a remote user's counters mirror its own
 * server's numbers, which Pleroma refreshes from there.
 */
import type {Querier} from '../db/querier'
import {utcNow} from '../db/time'

const COUNTED_OTHER = (alias: string) =>
  `${alias}.is_active AND ${alias}.nickname IS NOT NULL AND ${alias}.nickname NOT LIKE 'internal.%'`

/** SQL computing (id, followers, following) for the users whose ids are in `$1::uuid[]`. */
export const COUNTS_SQL = `
  SELECT u.id,
         (SELECT count(*) FROM following_relationships r JOIN users f ON f.id = r.follower_id
           WHERE r.following_id = u.id AND r.state = 2 AND f.id <> u.id AND ${COUNTED_OTHER('f')})::int AS followers,
         (SELECT count(*) FROM following_relationships r JOIN users t ON t.id = r.following_id
           WHERE r.follower_id = u.id AND r.state = 2 AND t.id <> u.id AND ${COUNTED_OTHER('t')})::int AS following
    FROM users u
   WHERE u.id = ANY($1::uuid[]) AND u.local`

/**
 * Recomputes follower_count and following_count of the given users (local
 * ones only) in one statement; `updated_at` is bumped only where a value
 * changes. Returns the number of rows changed.
 */
export async function recomputeFollowCounters(m: Querier, userIds: string[], now = utcNow()): Promise<number> {
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
