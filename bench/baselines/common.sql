-- Helpers for the SQL baselines (pg_temp: gone with the session).
-- A FlakeId-shaped uuid from the clock (64 bits of ms) and a counter.
CREATE FUNCTION pg_temp.flake_now(n bigint) RETURNS uuid LANGUAGE sql VOLATILE AS
$$ SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 16, '0') || 'b0b0b0b0b0b0' || lpad(to_hex(n % 65536), 4, '0'))::uuid $$;
-- A FlakeId's API form: base 62 (a legacy id, high 64 bits zero, as its decimal integer).
-- The two 64-bit halves are read as bigints (no loop over hex digits), the base-62 digits of the 128-bit value made in numeric.
CREATE FUNCTION pg_temp.b62(u uuid) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  h text := replace(u::text, '-', '');
  hi numeric := ('x' || substr(h, 1, 16))::bit(64)::bigint;
  lo numeric := ('x' || substr(h, 17, 16))::bit(64)::bigint;
  n numeric;
  digits text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  s text := '';
BEGIN
  IF hi < 0 THEN hi := hi + 18446744073709551616; END IF;
  IF lo < 0 THEN lo := lo + 18446744073709551616; END IF;
  IF hi = 0 THEN RETURN lo::text; END IF;
  n := hi * 18446744073709551616 + lo;
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
-- The users whose follow counters recount.sql recomputes (counters.ts semantics: the local ones among them).
CREATE TEMP TABLE affected (id uuid PRIMARY KEY);
