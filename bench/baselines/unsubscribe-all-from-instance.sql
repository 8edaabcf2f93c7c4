-- The floor for `user:unsubscribe-all-from-instance :instance`: every user of
-- the instance deactivated, every follow they have deleted, the counters of
-- every affected local user recomputed. One transaction (psql --single-transaction).
\ir common.sql
CREATE TEMP TABLE gone AS
  SELECT id FROM users
   WHERE nickname::text ~ '^[^@]+@[^@]+$' AND lower(split_part(nickname::text, '@', 2)) = lower(:'instance');
CREATE TEMP TABLE affected AS
  SELECT following_id AS id FROM following_relationships WHERE follower_id IN (SELECT id FROM gone)
  UNION SELECT follower_id FROM following_relationships WHERE following_id IN (SELECT id FROM gone) AND state = 2
  UNION SELECT id FROM gone;
UPDATE users SET is_active = false, updated_at = now() WHERE id IN (SELECT id FROM gone) AND is_active;
DELETE FROM following_relationships WHERE follower_id IN (SELECT id FROM gone);
SELECT pg_temp.recount(ARRAY(SELECT id FROM affected));
