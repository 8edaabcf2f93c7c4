'use strict'
/**
 * The end state of a database, as one digest per table (count + sum of 64-bit
 * row hashes: order-free, no giant strings), for comparing the database a
 * command ran on with the one its SQL baseline ran on.
 *
 * What a run is free to choose is left out: the ids and ap ids of activities
 * it creates (inserted_at in 2025 or later; the seed is older), updated_at
 * everywhere, the "deleted" time of a Tombstone.
 */
const {withClient} = require('./db')

const NEW = `timestamp '2025-01-01'`
const h = (expr) => `sum(hashtextextended((${expr})::text, 0)::numeric)::text`

const DIGESTS = [
  ['users', `SELECT count(*)::int AS n, ${h(`to_jsonb(x) - 'updated_at'`)} AS digest FROM users x`],
  ['following_relationships', `SELECT count(*)::int, ${h(`concat_ws('|', follower_id, following_id, state, inserted_at)`)} FROM following_relationships`],
  [
    'activities (seeded)',
    `SELECT count(*)::int, ${h(`concat_ws('|', id, data, actor, local, recipients, inserted_at)`)} FROM activities WHERE inserted_at < ${NEW}`,
  ],
  ['activities (new)', `SELECT count(*)::int, ${h(`concat_ws('|', data - 'id', actor, local, recipients)`)} FROM activities WHERE inserted_at >= ${NEW}`],
  [
    'objects',
    `SELECT count(*)::int, ${h(`concat_ws('|', CASE WHEN data->>'type' = 'Tombstone' THEN data - 'deleted' ELSE data END, CASE WHEN inserted_at < ${NEW} THEN id END)`)} FROM objects`,
  ],
  ['notifications', `SELECT count(*)::int, ${h(`concat_ws('|', id, user_id, activity_id, type, seen)`)} FROM notifications`],
  ['oauth_tokens', `SELECT count(*)::int, ${h(`concat_ws('|', id, user_id, app_id, token)`)} FROM oauth_tokens`],
  ['oauth_authorizations', `SELECT count(*)::int, ${h(`concat_ws('|', id, user_id, app_id, token)`)} FROM oauth_authorizations`],
  ['apps', `SELECT count(*)::int, ${h(`concat_ws('|', id, user_id, client_id)`)} FROM apps`],
  ['user_invite_tokens', `SELECT count(*)::int, ${h(`concat_ws('|', id, token, used, uses)`)} FROM user_invite_tokens`],
  ['password_reset_tokens', `SELECT count(*)::int, ${h(`concat_ws('|', id, user_id, token, used)`)} FROM password_reset_tokens`],
]

/**
 * The queued jobs (the federated scenarios): every column Oban reads, with a
 * publish_one job's activity_id (a FlakeId the run chose) replaced by the ap id
 * of what the activity deletes or undoes, and the count of distinct activities.
 */
const JOBS = [
  `CREATE FUNCTION pg_temp.fp_b62(u uuid) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
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
   END $$`,
  [
    'oban_jobs',
    `WITH a AS MATERIALIZED (SELECT pg_temp.fp_b62(id) AS sid, data->>'object' AS obj FROM activities WHERE inserted_at >= ${NEW})
     SELECT count(*)::int, ${h(`concat_ws('|', j.state, j.queue, j.worker, j.priority, j.max_attempts, j.attempt, j.args #- '{params,activity_id}', a.obj)`)}
            || '/' || count(DISTINCT j.args->'params'->>'activity_id')
       FROM oban_jobs j LEFT JOIN a ON a.sid = j.args->'params'->>'activity_id'`,
  ],
]

/** {table: "count:digest"} of the database at `url`; with `jobs`, oban_jobs too. */
async function fingerprint(url, {jobs = false} = {}) {
  return withClient(url, async (c) => {
    const out = {}
    const digests = [...DIGESTS]
    if (jobs) {
      await c.query(JOBS[0])
      digests.push(JOBS[1])
    }
    for (const [table, sql] of digests) {
      const {rows} = await c.query({text: sql, rowMode: 'array'})
      out[table] = `${rows[0][0]}:${rows[0][1] ?? '0'}`
    }
    return out
  })
}

/** The tables whose digests differ: [{table, a, b}]. */
function compare(a, b) {
  return Object.keys(a)
    .filter((t) => a[t] !== b[t])
    .map((t) => ({table: t, a: a[t], b: b[t]}))
}

module.exports = {fingerprint, compare}
