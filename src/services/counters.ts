/**
 * The cached follow counters of users (docs/pleroma/tasks.md "Follow counters"):
 * follower_count(U) = accepted (state 2) follows F → U where F ≠ U, F is
 * active and F is not an internal actor (nickname NULL or `internal.%`);
 * following_count likewise in the other direction.
 *
 * Only local users are recomputed: a remote user's counters mirror its own
 * server's numbers, which Pleroma refreshes from there.
 */
import type {EntityManager} from 'typeorm'
import {utcNow} from '../db/time'
import {FollowingRelationship, FollowState, User} from '../entities'
import {columnsOf, tableOf} from '../entities/names'

const U = columnsOf(User)
const R = columnsOf(FollowingRelationship)
const USERS = tableOf(User)
const FOLLOWS = tableOf(FollowingRelationship)

const COUNTED_OTHER = (alias: string) => `${alias}.${U.isActive} AND ${alias}.${U.nickname} IS NOT NULL AND ${alias}.${U.nickname} NOT LIKE 'internal.%'`

/**
 * SQL computing (id, followers, following) for the local users whose ids are
 * in `$1::uuid[]`: the ids are joined (never `= ANY` over a scan, which is
 * O(rows × ids)), and the follows of all of them counted in two grouped
 * scans, so the cost follows the number of follow rows involved.
 */
export const COUNTS_SQL = `
  WITH a AS (SELECT u.${U.id} AS id FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) x JOIN ${USERS} u ON u.${U.id} = x.id WHERE u.${U.local}),
       fc AS (SELECT r.${R.followingId} AS id, count(*)::int AS n
                FROM ${FOLLOWS} r JOIN ${USERS} f ON f.${U.id} = r.${R.followerId}
               WHERE r.${R.followingId} IN (SELECT id FROM a) AND r.${R.state} = ${FollowState.ACCEPTED}
                 AND r.${R.followerId} <> r.${R.followingId} AND ${COUNTED_OTHER('f')}
               GROUP BY r.${R.followingId}),
       gc AS (SELECT r.${R.followerId} AS id, count(*)::int AS n
                FROM ${FOLLOWS} r JOIN ${USERS} t ON t.${U.id} = r.${R.followingId}
               WHERE r.${R.followerId} IN (SELECT id FROM a) AND r.${R.state} = ${FollowState.ACCEPTED}
                 AND r.${R.followerId} <> r.${R.followingId} AND ${COUNTED_OTHER('t')}
               GROUP BY r.${R.followerId})
  SELECT a.id, COALESCE(fc.n, 0) AS followers, COALESCE(gc.n, 0) AS following
    FROM a LEFT JOIN fc ON fc.id = a.id LEFT JOIN gc ON gc.id = a.id`

/**
 * Recomputes follower_count and following_count of the given users (local
 * ones only); `updated_at` is bumped only where a value changes. Returns the
 * number of rows changed.
 *
 * The users' rows are locked first, in id order, by a statement of their
 * own: the counting statement then starts (and takes its snapshot) only once
 * no other transaction can change these counters, so it sees the follows
 * that a concurrent one (another user:rm, an unsubscribe) removed and
 * committed meanwhile. Counting in the UPDATE alone, a transaction that
 * waited for the other's row lock wrote counts from before the other's
 * commit (test/reliability/concurrency.test.ts).
 */
export async function recomputeFollowCounters(m: EntityManager, userIds: string[], now = utcNow()): Promise<number> {
  if (userIds.length === 0) return 0
  await m.query(
    `SELECT u.${U.id} FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) x JOIN ${USERS} u ON u.${U.id} = x.id
      WHERE u.${U.local} ORDER BY u.${U.id} FOR UPDATE OF u`,
    [userIds],
  )
  const [changed] = await m.query<Array<{n: number}>>(
    `WITH c AS (${COUNTS_SQL}),
          changed AS (
            UPDATE ${USERS} u SET ${U.followerCount} = c.followers, ${U.followingCount} = c.following, ${U.updatedAt} = $2
              FROM c
             WHERE u.${U.id} = c.id AND (u.${U.followerCount} <> c.followers OR u.${U.followingCount} <> c.following)
            RETURNING 1)
     SELECT count(*)::int AS n FROM changed`,
    [userIds, now],
  )
  return changed.n
}

/**
 * Locks the rows of the users and of every local account that follows them
 * or that they follow (any state, either direction), all in one statement in
 * id order, and before anything else of the transaction. Work that changes a
 * user's follows ends by recomputing its partners' counters, which locks
 * their rows; taken then, after the user's own row, two transactions on
 * users who follow each other (two `rm`, `deactivate`, `rm --grace` at once)
 * each held one row and waited for the other's: a deadlock. Taken first and
 * in one order, the second waits for the first and then goes on
 * (test/reliability/concurrency.test.ts).
 */
export async function lockWithFollowPartners(m: EntityManager, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return
  await m.query(
    `WITH x AS (SELECT DISTINCT unnest($1::uuid[]) AS id),
          p AS (SELECT id FROM x
                UNION SELECT r.${R.followingId} FROM ${FOLLOWS} r JOIN x ON r.${R.followerId} = x.id
                UNION SELECT r.${R.followerId} FROM ${FOLLOWS} r JOIN x ON r.${R.followingId} = x.id)
     SELECT u.${U.id} FROM p JOIN ${USERS} u ON u.${U.id} = p.id
      WHERE u.${U.local} OR u.${U.id} IN (SELECT id FROM x)
      ORDER BY u.${U.id} FOR UPDATE OF u`,
    [userIds],
  )
}
