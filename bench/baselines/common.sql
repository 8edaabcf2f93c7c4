-- Helpers for the SQL baselines (pg_temp: gone with the session).
-- A FlakeId-shaped uuid from the clock (64 bits of ms) and a counter.
CREATE FUNCTION pg_temp.flake_now(n bigint) RETURNS uuid LANGUAGE sql VOLATILE AS
$$ SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 16, '0') || 'b0b0b0b0b0b0' || lpad(to_hex(n % 65536), 4, '0'))::uuid $$;
-- A FlakeId's API form: base 62 (a legacy id, high 64 bits zero, as its decimal integer).
CREATE FUNCTION pg_temp.b62(u uuid) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  h text := replace(u::text, '-', '');
  n numeric := 0;
  digits text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  s text := '';
BEGIN
  FOR i IN 1..32 LOOP
    n := n * 16 + position(substr(h, i, 1) IN '0123456789abcdef') - 1;
  END LOOP;
  IF n < 18446744073709551616 THEN RETURN n::text; END IF;
  WHILE n > 0 LOOP
    s := substr(digits, mod(n, 62)::int + 1, 1) || s;
    n := div(n, 62);
  END LOOP;
  RETURN s;
END $$;
-- A JSON address list: an array of its strings, a single string as one, anything else as none.
CREATE FUNCTION pg_temp.addresses(v jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(v)
           WHEN 'array' THEN COALESCE((SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements(v) WITH ORDINALITY AS x(e, i) WHERE jsonb_typeof(e) = 'string'), '[]'::jsonb)
           WHEN 'string' THEN jsonb_build_array(v)
           ELSE '[]'::jsonb END $$;
-- The counters of the local users among `ids` (counters.ts semantics), recomputed in one statement.
CREATE FUNCTION pg_temp.recount(ids uuid[]) RETURNS void LANGUAGE sql VOLATILE AS $$
  WITH a AS (SELECT id FROM users WHERE id = ANY(ids) AND local),
       fc AS (SELECT r.following_id AS id, count(*)::int AS n
                FROM following_relationships r JOIN users f ON f.id = r.follower_id
               WHERE r.following_id IN (SELECT id FROM a) AND r.state = 2 AND r.follower_id <> r.following_id
                 AND f.is_active AND f.nickname IS NOT NULL AND f.nickname NOT LIKE 'internal.%'
               GROUP BY 1),
       gc AS (SELECT r.follower_id AS id, count(*)::int AS n
                FROM following_relationships r JOIN users t ON t.id = r.following_id
               WHERE r.follower_id IN (SELECT id FROM a) AND r.state = 2 AND r.follower_id <> r.following_id
                 AND t.is_active AND t.nickname IS NOT NULL AND t.nickname NOT LIKE 'internal.%'
               GROUP BY 1)
  UPDATE users u SET follower_count = COALESCE(fc.n, 0), following_count = COALESCE(gc.n, 0), updated_at = now()
    FROM a LEFT JOIN fc ON fc.id = a.id LEFT JOIN gc ON gc.id = a.id
   WHERE u.id = a.id AND (u.follower_count <> COALESCE(fc.n, 0) OR u.following_count <> COALESCE(gc.n, 0)) $$;
