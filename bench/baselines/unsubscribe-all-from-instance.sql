-- The floor for `user:unsubscribe-all-from-instance :instance`: every user of
-- the instance deactivated, every follow they have deleted, the counters of
-- every affected local user (the accounts they followed, their local
-- followers) recomputed from the rows. One transaction (psql --single-transaction).
-- One pass over users to find the instance's users (no index can answer a
-- host suffix of the nickname), then each table once through its indexes.
\ir common.sql
CREATE TEMP TABLE gone AS
  SELECT id FROM users
   WHERE nickname::text ~ '^[^@]+@[^@]+$' AND lower(split_part(nickname::text, '@', 2)) = lower(:'instance');
ANALYZE gone;
-- Their local followers (following_id index), before their follows go.
INSERT INTO affected SELECT DISTINCT r.follower_id FROM gone g JOIN following_relationships r ON r.following_id = g.id WHERE r.state = 2;
-- Their follows (follower_id index), and the accounts they followed.
WITH d AS (DELETE FROM following_relationships r USING gone g WHERE r.follower_id = g.id RETURNING r.following_id)
INSERT INTO affected SELECT DISTINCT following_id FROM d ON CONFLICT DO NOTHING;
UPDATE users SET is_active = false, updated_at = now() WHERE id IN (SELECT id FROM gone) AND is_active;
\ir recount.sql
