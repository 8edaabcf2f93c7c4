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

/** {table: "count:digest"} of the database at `url`. */
async function fingerprint(url) {
  return withClient(url, async (c) => {
    const out = {}
    for (const [table, sql] of DIGESTS) {
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
