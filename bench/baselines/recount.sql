-- follower_count and following_count of the local users in temp table `affected`, recomputed from the
-- rows in one statement (counters.ts semantics): the ids joined, never `= ANY(array)` over a scan
-- (O(rows × ids): what made the old floors take 50 s), each user's follows read through the indexes.
ANALYZE affected;
WITH a AS (SELECT u.id FROM affected x JOIN users u ON u.id = x.id WHERE u.local),
     fc AS (SELECT r.following_id AS id, count(*)::int AS n
              FROM a JOIN following_relationships r ON r.following_id = a.id JOIN users f ON f.id = r.follower_id
             WHERE r.state = 2 AND r.follower_id <> r.following_id
               AND f.is_active AND f.nickname IS NOT NULL AND f.nickname NOT LIKE 'internal.%'
             GROUP BY 1),
     gc AS (SELECT r.follower_id AS id, count(*)::int AS n
              FROM a JOIN following_relationships r ON r.follower_id = a.id JOIN users t ON t.id = r.following_id
             WHERE r.state = 2 AND r.follower_id <> r.following_id
               AND t.is_active AND t.nickname IS NOT NULL AND t.nickname NOT LIKE 'internal.%'
             GROUP BY 1)
UPDATE users u SET follower_count = COALESCE(fc.n, 0), following_count = COALESCE(gc.n, 0), updated_at = now()
  FROM a LEFT JOIN fc ON fc.id = a.id LEFT JOIN gc ON gc.id = a.id
 WHERE u.id = a.id AND (u.follower_count <> COALESCE(fc.n, 0) OR u.following_count <> COALESCE(gc.n, 0));
