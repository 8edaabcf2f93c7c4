-- The floor for `user:unsubscribe-all-from-instance :instance`: every user of
-- the instance deactivated, every follow they have deleted, and the counters
-- of the local users concerned moved by exactly that: one follower less for
-- each accepted follow of a local account by an (active) user of the
-- instance, one followed account less for each accepted follow of an active
-- user of the instance by a local user (counters.ts's counting rules; with
-- counters that match the rows before, they match them after, as a recount
-- would leave them). One transaction (psql --single-transaction).
-- One pass over users to find the instance's users (no index can answer a
-- host suffix of the nickname), then each table once through its indexes.
CREATE TEMP TABLE gone AS
  SELECT id, is_active FROM users
   WHERE nickname::text ~ '^[^@]+@[^@]+$' AND lower(split_part(nickname::text, '@', 2)) = lower(:'instance');
ANALYZE gone;
-- Their follows (follower_id index), and the followed local accounts' follower_count.
WITH d AS (DELETE FROM following_relationships r USING gone g WHERE r.follower_id = g.id RETURNING r.follower_id, r.following_id, r.state),
     c AS (SELECT d.following_id AS id, count(*)::int AS n FROM d JOIN gone g ON g.id = d.follower_id
            WHERE g.is_active AND d.state = 2 AND d.follower_id <> d.following_id GROUP BY 1)
UPDATE users u SET follower_count = GREATEST(u.follower_count - c.n, 0), updated_at = now() FROM c WHERE u.id = c.id AND u.local;
-- The active ones deactivated, and their local followers' following_count (following_id index).
WITH c AS (UPDATE users SET is_active = false, updated_at = now() WHERE id IN (SELECT id FROM gone WHERE is_active) RETURNING id),
     g AS (SELECT r.follower_id AS id, count(*)::int AS n FROM c JOIN following_relationships r ON r.following_id = c.id
            WHERE r.state = 2 AND r.follower_id <> r.following_id GROUP BY 1)
UPDATE users u SET following_count = GREATEST(u.following_count - g.n, 0), updated_at = now() FROM g WHERE u.id = g.id AND u.local;
