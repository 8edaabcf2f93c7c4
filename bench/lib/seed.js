'use strict'
/**
 * A realistic Pleroma instance, generated set-based in SQL (one INSERT ...
 * SELECT FROM generate_series per kind of row), for the benchmark.
 *
 * Works on a database laid out by pleroma-admin's own migrations (db:init)
 * or by Pleroma's (test/fixtures/pleroma-schema.sql): it only writes rows,
 * and its helper functions live in pg_temp (gone with the session).
 *
 * Everything is deterministic (no random()): the same parameters give the
 * same rows, ids included. Seeded timestamps are in 2023-2024, so rows
 * written later by a command (inserted_at = now) tell themselves apart.
 */

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'
const BASE = 'https://bench.example'
/** A bcrypt-shaped password hash for every seeded local user; it matches no password (nobody logs in to a benchmark instance). */
const PASSWORD_HASH = '$2b$04$Vt7bEwQ5kZbM7QO3J1nYyOqDq0k7o0mQJx8y3cT9y0m0yVZ8o0S2e'

/** The seeded instances, by name: users, posts and the scenario fixtures' base sizes. */
const SCALES = {
  // The default: 100k local users, 100k remote over 200 instances, 1M posts.
  default: {local: 100000, remote: 100000, instances: 200, posts: 1000000, localFollows: 8, remoteFollows: 3, fixture: 1},
  // A fiftieth of the instance and of each scenario: CI checks that it all works.
  small: {local: 2000, remote: 2000, instances: 20, posts: 20000, localFollows: 8, remoteFollows: 3, fixture: 1 / 50},
  // Smaller still, for the harness's own test.
  tiny: {local: 200, remote: 200, instances: 5, posts: 2000, localFollows: 5, remoteFollows: 2, fixture: 1 / 500},
}

/** The scenario fixtures at multiplier 1 and fixture scale 1 (the sizes). */
const FIXTURE = {
  dead: {users: 5000, follows: 20},
  spammer: {posts: 20000, ownLikes: 200},
  victim: {posts: 20000, followers: 5000, follows: 5000},
  // user:prune: stale registrations of 2021, half never confirmed (deleted outright), half confirmed and never active (purged).
  stale: {users: 10000, follows: 2},
  // user:rm with federation (#11): a spammer's posts, its followers on 500 servers (two each, one shared inbox per
  // server), and followers on 10 more servers that Pleroma gave up on (instances.unreachable_since long past).
  fed: {posts: 20000, servers: 500, perServer: 2, deadServers: 10},
}

const T0 = Date.UTC(2023, 0, 1) // first seeded millisecond
/** Id ranges (the low 64 bits of a FlakeId) per kind of row, so that no two collide. */
const N = {user: 0n, remote: 1n << 32n, post: 2n << 32n, like: 3n << 32n, announce: 4n << 32n, follow: 5n << 32n, fixture: 6n << 32n}

const FUNCTIONS = `
CREATE OR REPLACE FUNCTION pg_temp.flake(ms bigint, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS
$$ SELECT (lpad(to_hex(ms), 16, '0') || lpad(to_hex(n), 16, '0'))::uuid $$;
CREATE OR REPLACE FUNCTION pg_temp.ts(ms bigint) RETURNS timestamp LANGUAGE sql IMMUTABLE AS
$$ SELECT (timestamp '1970-01-01' + ms * interval '1 millisecond')::timestamp(0) $$;
`

function q(s) {
  return `'${String(s).replace(/'/g, "''")}'`
}

/**
 * The SQL statements that seed one instance. `p` = scale parameters
 * (SCALES entry, possibly overridden), `multipliers` = the sizes of the
 * scenario fixtures to add (1, 4, 16 ...).
 */
function seedStatements(p, multipliers, fedMultipliers = []) {
  const L = p.local
  const R = p.remote
  const I = p.instances
  const P = p.posts
  const out = []
  const step = (label, sql) => out.push({label, sql})

  step('helper functions', FUNCTIONS)

  // ---------------------------------------------------------------- users
  // Local users u1..uL: some admins, moderators, locked, deactivated, unconfirmed, tagged.
  step(
    `${L} local users`,
    `
    INSERT INTO users (id, email, password_hash, name, nickname, bio, raw_bio, inserted_at, updated_at, ap_id, local,
                       follower_address, following_address, featured_address, is_admin, is_moderator, is_locked,
                       is_active, is_confirmed, is_approved, tags, last_active_at, last_digest_emailed_at)
    SELECT pg_temp.flake(${T0} + i * 60000, ${N.user} + i), 'u' || i || '@mail.example', ${q(PASSWORD_HASH)},
           'User ' || i, 'u' || i, 'Bio of user ' || i, 'Bio of user ' || i,
           pg_temp.ts(${T0} + i * 60000), pg_temp.ts(${T0} + i * 60000), ${q(BASE)} || '/users/u' || i, true,
           ${q(BASE)} || '/users/u' || i || '/followers', ${q(BASE)} || '/users/u' || i || '/following',
           ${q(BASE)} || '/users/u' || i || '/collections/featured',
           i % 5000 = 1, i % 2000 = 7, i % 20 = 3, i % 50 <> 13, i % 97 <> 5, true,
           CASE WHEN i % 100 = 0 THEN ARRAY['verified']::varchar[] WHEN i % 333 = 0 THEN ARRAY['mrf_tag:media-strip']::varchar[] ELSE ARRAY[]::varchar[] END,
           pg_temp.ts(${T0} + i * 60000 + 86400000), pg_temp.ts(${T0})
      FROM generate_series(1::bigint, ${L}) AS i`,
  )

  // Remote users r1..rR on i1.example .. iI.example.
  step(
    `${R} remote users over ${I} instances`,
    `
    INSERT INTO users (id, name, nickname, bio, inserted_at, updated_at, ap_id, local, follower_address, following_address,
                       featured_address, inbox, shared_inbox, uri, last_refreshed_at, is_locked)
    SELECT pg_temp.flake(${T0} + j * 60000 + 30000, ${N.remote} + j), 'Remote ' || j,
           'r' || j || '@i' || (1 + j % ${I}) || '.example', 'Remote bio ' || j,
           pg_temp.ts(${T0} + j * 60000 + 30000), pg_temp.ts(${T0} + j * 60000 + 30000),
           'https://i' || (1 + j % ${I}) || '.example/users/r' || j, false,
           'https://i' || (1 + j % ${I}) || '.example/users/r' || j || '/followers',
           'https://i' || (1 + j % ${I}) || '.example/users/r' || j || '/following',
           'https://i' || (1 + j % ${I}) || '.example/users/r' || j || '/collections/featured',
           'https://i' || (1 + j % ${I}) || '.example/users/r' || j || '/inbox',
           'https://i' || (1 + j % ${I}) || '.example/inbox',
           'https://i' || (1 + j % ${I}) || '.example/@r' || j,
           pg_temp.ts(${T0} + j * 60000 + 30000), j % 25 = 4
      FROM generate_series(1::bigint, ${R}) AS j`,
  )

  // ---------------------------------------------------------------- posts
  // A post's author: 70% local users, 30% remote; ~10% replies to an earlier post;
  // visibility: mostly public, some unlisted, followers-only and direct.
  step(
    `${P} posts (authors)`,
    `
    CREATE TEMP TABLE bench_posts AS
    SELECT p, ${N.post} + p AS n, ${T0} + 40000000000::bigint + p * 20000 AS ms,
           CASE WHEN p % 10 < 7 THEN ${q(BASE)} || '/users/u' || (1 + (p * 7919) % ${L})
                ELSE 'https://i' || (1 + (1 + (p * 104729) % ${R}) % ${I}) || '.example/users/r' || (1 + (p * 104729) % ${R}) END AS actor,
           p % 10 < 7 AS local,
           CASE WHEN p % 20 = 0 THEN 'unlisted' WHEN p % 50 = 1 THEN 'private' WHEN p % 100 = 2 THEN 'direct' ELSE 'public' END AS vis,
           CASE WHEN p % 10 = 3 AND p > 10 THEN p - 7 END AS parent
      FROM generate_series(1::bigint, ${P}) AS p`,
  )
  out.push(...postStatements('bench_posts'))

  // ---------------------------------------------------------------- likes and announces
  // Every second post liked once, every fifth announced once, by a local (2/3) or remote user.
  step(
    'likes and announces',
    `
    CREATE TEMP TABLE bench_reacts AS
    SELECT 'Like' AS type, ${N.like} + p AS n, ms + 3600000 AS ms, p,
           CASE WHEN p % 3 <> 0 THEN ${q(BASE)} || '/users/u' || (1 + (p * 31) % ${L})
                ELSE 'https://i' || (1 + (1 + (p * 37) % ${R}) % ${I}) || '.example/users/r' || (1 + (p * 37) % ${R}) END AS actor
      FROM bench_posts WHERE p % 2 = 0 AND vis IN ('public', 'unlisted')
    UNION ALL
    SELECT 'Announce', ${N.announce} + p, ms + 7200000, p,
           CASE WHEN p % 3 <> 1 THEN ${q(BASE)} || '/users/u' || (1 + (p * 43) % ${L})
                ELSE 'https://i' || (1 + (1 + (p * 47) % ${R}) % ${I}) || '.example/users/r' || (1 + (p * 47) % ${R}) END
      FROM bench_posts WHERE p % 5 = 0 AND vis = 'public'`,
  )
  out.push(...reactStatements('bench_reacts', 'bench_posts'))

  // ---------------------------------------------------------------- follows
  step(
    'follows',
    `
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT f.id, t.id, CASE WHEN t.is_locked AND (i + k) % 3 = 0 THEN 1 ELSE 2 END, pg_temp.ts(${T0} + 50000000000::bigint + i * 1000 + k), pg_temp.ts(${T0} + 50000000000::bigint + i * 1000 + k)
      FROM generate_series(1::bigint, ${L}) AS i CROSS JOIN generate_series(1::bigint, ${p.localFollows}) AS k
           CROSS JOIN LATERAL (SELECT CASE WHEN k % 4 = 0 THEN 'r' || (1 + (i * k * 131) % ${R}) || '@i' || (1 + (1 + (i * k * 131) % ${R}) % ${I}) || '.example'
                                ELSE 'u' || (1 + (i + k * 9973) % ${L}) END AS nick) x
      JOIN users f ON f.nickname = 'u' || i
      JOIN users t ON t.nickname = x.nick
     WHERE t.id <> f.id
    ON CONFLICT DO NOTHING;
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT f.id, t.id, CASE WHEN t.is_locked AND (j + k) % 3 = 0 THEN 1 ELSE 2 END, pg_temp.ts(${T0} + 51000000000::bigint + j * 1000 + k), pg_temp.ts(${T0} + 51000000000::bigint + j * 1000 + k)
      FROM generate_series(1::bigint, ${R}) AS j CROSS JOIN generate_series(1::bigint, ${p.remoteFollows}) AS k
      JOIN users f ON f.nickname = 'r' || j || '@i' || (1 + j % ${I}) || '.example'
      JOIN users t ON t.nickname = 'u' || (1 + (j * k * 577) % ${L})
    ON CONFLICT DO NOTHING`,
  )

  step('follow activities and notifications', followActivities('true'))

  // ---------------------------------------------------------------- scenario fixtures
  for (const m of multipliers) out.push(...fixtureStatements(p, m))
  for (const m of fedMultipliers) out.push(...fedFixtureStatements(p, m))

  // ---------------------------------------------------------------- OAuth, invites, reset tokens
  step(
    'apps, OAuth tokens and authorizations, invites',
    `
    INSERT INTO apps (client_name, redirect_uris, scopes, website, client_id, client_secret, inserted_at, updated_at)
    SELECT 'App ' || a, 'urn:ietf:wg:oauth:2.0:oob', ARRAY['read', 'write', 'follow', 'push']::varchar[], 'https://app' || a || '.example',
           'client-' || a, 'secret-' || a, pg_temp.ts(${T0}), pg_temp.ts(${T0})
      FROM generate_series(1::bigint, 20) AS a;
    INSERT INTO oauth_tokens (app_id, user_id, token, refresh_token, valid_until, inserted_at, updated_at, scopes)
    SELECT (SELECT id FROM apps WHERE client_id = 'client-' || (1 + u.n % 20)), u.id, 'token-' || u.nickname, 'refresh-' || u.nickname,
           timestamp '2030-01-01', pg_temp.ts(${T0}), pg_temp.ts(${T0}), ARRAY['read', 'write']::varchar[]
      FROM (SELECT id, nickname, row_number() OVER (ORDER BY id) AS n FROM users WHERE local) u;
    INSERT INTO oauth_authorizations (app_id, user_id, token, valid_until, used, inserted_at, updated_at, scopes)
    SELECT (SELECT id FROM apps WHERE client_id = 'client-' || (1 + u.n % 20)), u.id, 'auth-' || u.nickname, timestamp '2030-01-01', false,
           pg_temp.ts(${T0}), pg_temp.ts(${T0}), ARRAY['read']::varchar[]
      FROM (SELECT id, nickname, row_number() OVER (ORDER BY id) AS n FROM users WHERE local) u WHERE u.n % 10 = 0 OR u.nickname::text LIKE 'victim%';
    INSERT INTO user_invite_tokens (token, used, inserted_at, updated_at, expires_at, uses, max_use, invite_type)
    SELECT 'invite-' || v, v % 3 = 0, pg_temp.ts(${T0}), pg_temp.ts(${T0}), CASE WHEN v % 2 = 0 THEN date '2030-01-01' END,
           v % 3, CASE WHEN v % 2 = 1 THEN 5 END, CASE WHEN v % 2 = 0 THEN 'date_limited' WHEN v % 4 = 1 THEN 'reusable' ELSE 'one_time' END
      FROM generate_series(1::bigint, 100) AS v;
    INSERT INTO password_reset_tokens (token, user_id, used, inserted_at, updated_at)
    SELECT 'reset-' || nickname, id, false, pg_temp.ts(${T0}), pg_temp.ts(${T0}) FROM users WHERE local AND nickname::text ~ '^u[0-9]+7$'`,
  )

  // ---------------------------------------------------------------- counters
  step(
    'counters',
    `
    UPDATE users u SET note_count = c.n
      FROM (SELECT actor, count(*)::int AS n FROM activities
             WHERE data->>'type' = 'Create' AND (data->'to' ? ${q(PUBLIC)} OR data->'cc' ? ${q(PUBLIC)})
             GROUP BY actor) c
     WHERE u.ap_id = c.actor;
    UPDATE users u SET follower_count = COALESCE(a.n, 0), following_count = COALESCE(b.n, 0)
      FROM users x
      LEFT JOIN (SELECT r.following_id AS id, count(*)::int AS n FROM following_relationships r JOIN users f ON f.id = r.follower_id
                  WHERE r.state = 2 AND r.follower_id <> r.following_id AND f.is_active AND f.nickname IS NOT NULL AND f.nickname NOT LIKE 'internal.%'
                  GROUP BY r.following_id) a ON a.id = x.id
      LEFT JOIN (SELECT r.follower_id AS id, count(*)::int AS n FROM following_relationships r JOIN users t ON t.id = r.following_id
                  WHERE r.state = 2 AND r.follower_id <> r.following_id AND t.is_active AND t.nickname IS NOT NULL AND t.nickname NOT LIKE 'internal.%'
                  GROUP BY r.follower_id) b ON b.id = x.id
     WHERE u.id = x.id AND (u.follower_count <> COALESCE(a.n, 0) OR u.following_count <> COALESCE(b.n, 0))`,
  )
  // As autovacuum leaves a live instance: no dead rows from the seeding updates, hint bits set (a copy must not pay for them).
  step('vacuum', 'VACUUM (FREEZE, ANALYZE)')
  return out
}

/**
 * Follow activities (with their state) for the follow relationships matching
 * `where` (alias r), and follow notifications for the local users followed.
 */
function followActivities(where) {
  return `
    CREATE TEMP TABLE bench_follows AS
    SELECT pg_temp.flake(${T0} + 52000000000::bigint + r.id, ${N.follow} + r.id) AS id,
           jsonb_build_object('id', CASE WHEN f.local THEN ${q(BASE)} ELSE split_part(f.ap_id, '/users/', 1) END || '/activities/follow-' || r.id,
                              'type', 'Follow', 'actor', f.ap_id, 'object', t.ap_id,
                              'state', CASE r.state WHEN 2 THEN 'accept' ELSE 'pending' END,
                              'to', jsonb_build_array(t.ap_id), 'cc', '[]'::jsonb) AS data,
           r.inserted_at, f.local, f.ap_id AS actor, t.ap_id AS object, t.id AS target_id, t.local AS target_local, r.state
      FROM following_relationships r JOIN users f ON f.id = r.follower_id JOIN users t ON t.id = r.following_id
     WHERE ${where};
    INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
    SELECT id, data, inserted_at, inserted_at, local, actor, ARRAY[object]::varchar[] FROM bench_follows;
    INSERT INTO notifications (user_id, activity_id, seen, inserted_at, updated_at, type)
    SELECT target_id, id, inserted_at < timestamp '2024-06-01', inserted_at, inserted_at,
           (CASE WHEN state = 2 THEN 'follow' ELSE 'follow_request' END)::notification_type
      FROM bench_follows WHERE target_local;
    DROP TABLE bench_follows`
}

/** Objects and Create activities for the rows of a posts table (p, n, ms, actor, local, vis, parent). */
function postStatements(table) {
  // An object's id, and its addressing by visibility.
  const oid = (alias) => `(CASE WHEN ${alias}.local THEN ${q(BASE)} ELSE split_part(${alias}.actor, '/users/', 1) END || '/objects/' || ${alias}.n)`
  const to = `CASE x.vis WHEN 'public' THEN jsonb_build_array(${q(PUBLIC)}) WHEN 'unlisted' THEN jsonb_build_array(x.actor || '/followers')
                         WHEN 'private' THEN jsonb_build_array(x.actor || '/followers') ELSE jsonb_build_array(${q(BASE)} || '/users/u1') END`
  const cc = `CASE x.vis WHEN 'public' THEN jsonb_build_array(x.actor || '/followers') WHEN 'unlisted' THEN jsonb_build_array(${q(PUBLIC)})
                         ELSE '[]'::jsonb END`
  return [
    {
      label: `objects and Create activities of ${table}`,
      sql: `
    CREATE TEMP TABLE ${table}_x AS
    SELECT x.*, ${oid('x')} AS oid, ${to} AS "to", ${cc} AS cc, CASE WHEN y.p IS NOT NULL THEN ${oid('y')} END AS in_reply_to
      FROM ${table} x LEFT JOIN ${table} y ON y.p = x.parent;
    INSERT INTO objects (data, inserted_at, updated_at)
    SELECT jsonb_strip_nulls(jsonb_build_object(
             'id', oid, 'type', 'Note', 'actor', actor, 'attributedTo', actor,
             'content', 'Post number ' || n || ' about the weather, the garden and the fediverse',
             'summary', '', 'sensitive', false, 'to', "to", 'cc', cc,
             'context', ${q(BASE)} || '/contexts/' || COALESCE(parent, p), 'inReplyTo', in_reply_to,
             'published', to_char(pg_temp.ts(ms), 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'),
             'likes', '[]'::jsonb, 'like_count', 0, 'announcements', '[]'::jsonb, 'announcement_count', 0, 'repliesCount', 0)),
           pg_temp.ts(ms), pg_temp.ts(ms)
      FROM ${table}_x ORDER BY p;
    INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
    SELECT pg_temp.flake(ms, n),
           jsonb_build_object('id', CASE WHEN local THEN ${q(BASE)} ELSE split_part(actor, '/users/', 1) END || '/activities/create-' || n,
                              'type', 'Create', 'actor', actor, 'object', oid, 'to', "to", 'cc', cc,
                              'context', ${q(BASE)} || '/contexts/' || COALESCE(parent, p)),
           pg_temp.ts(ms), pg_temp.ts(ms), local, actor,
           ARRAY(SELECT jsonb_array_elements_text("to" || cc))::varchar[]
      FROM ${table}_x;
    UPDATE objects o SET data = jsonb_set(o.data, '{repliesCount}', to_jsonb(c.n))
      FROM (SELECT in_reply_to, count(*)::int AS n FROM ${table}_x WHERE in_reply_to IS NOT NULL GROUP BY in_reply_to) c
     WHERE o.data->>'id' = c.in_reply_to;
    -- One pinned post per local author (its latest public one), as pinned_objects holds them.
    UPDATE users u SET pinned_objects = jsonb_build_object(c.oid, to_char(pg_temp.ts(c.ms), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
      FROM (SELECT DISTINCT ON (actor) actor, oid, ms FROM ${table}_x WHERE local AND vis = 'public' AND p % 7 = 0 ORDER BY actor, p DESC) c
     WHERE u.ap_id = c.actor`,
    },
  ]
}

/** Like and Announce activities (type, n, ms, p, actor) of the posts of `posts`, the objects' lists, and notifications. */
function reactStatements(table, posts) {
  return [
    {
      label: `likes and announces of ${table}`,
      sql: `
    INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
    SELECT pg_temp.flake(r.ms, r.n),
           jsonb_build_object('id', split_part(r.actor, '/users/', 1) || '/activities/' || lower(r.type) || '-' || r.n,
                              'type', r.type, 'actor', r.actor, 'object', x.oid,
                              'to', jsonb_build_array(r.actor || '/followers', x.actor), 'cc', jsonb_build_array(${q(PUBLIC)}),
                              'context', ${q(BASE)} || '/contexts/' || COALESCE(x.parent, x.p)),
           pg_temp.ts(r.ms), pg_temp.ts(r.ms), r.actor LIKE ${q(BASE + '/%')}, r.actor,
           ARRAY[r.actor || '/followers', x.actor, ${q(PUBLIC)}]::varchar[]
      FROM ${table} r JOIN ${posts}_x x ON x.p = r.p;
    UPDATE objects o SET data = o.data || jsonb_build_object('likes', c.likes, 'like_count', jsonb_array_length(c.likes))
      FROM (SELECT x.oid, jsonb_agg(r.actor ORDER BY r.n) AS likes FROM ${table} r JOIN ${posts}_x x ON x.p = r.p WHERE r.type = 'Like' GROUP BY x.oid) c
     WHERE o.data->>'id' = c.oid;
    UPDATE objects o SET data = o.data || jsonb_build_object('announcements', c.a, 'announcement_count', jsonb_array_length(c.a))
      FROM (SELECT x.oid, jsonb_agg(r.actor ORDER BY r.n) AS a FROM ${table} r JOIN ${posts}_x x ON x.p = r.p WHERE r.type = 'Announce' GROUP BY x.oid) c
     WHERE o.data->>'id' = c.oid;
    INSERT INTO notifications (user_id, activity_id, seen, inserted_at, updated_at, type)
    SELECT u.id, pg_temp.flake(r.ms, r.n), r.ms < ${T0} + 45000000000::bigint, pg_temp.ts(r.ms), pg_temp.ts(r.ms),
           (CASE r.type WHEN 'Like' THEN 'favourite' ELSE 'reblog' END)::notification_type
      FROM ${table} r JOIN ${posts}_x x ON x.p = r.p JOIN users u ON u.ap_id = x.actor
     WHERE u.local AND x.actor <> r.actor`,
    },
  ]
}

/** The three scenario fixtures at multiplier m (sizes = FIXTURE × m × p.fixture). */
function fixtureStatements(p, m) {
  const L = p.local
  const R = p.remote
  const I = p.instances
  const size = (n) => Math.max(1, Math.round(n * m * p.fixture))
  const base = N.fixture + BigInt(m) * (1n << 26n)
  const ms0 = T0 + 55000000000 + m * 1000000000
  const out = []
  const dead = `dead${m}x.example`
  const deadUsers = size(FIXTURE.dead.users)
  const spamPosts = size(FIXTURE.spammer.posts)
  const victimPosts = size(FIXTURE.victim.posts)
  const victimFollowers = size(FIXTURE.victim.followers)
  const victimFollows = size(FIXTURE.victim.follows)
  const remoteUser = (expr) => `(SELECT 'r' || (1 + (${expr}) % ${R}) || '@i' || (1 + (1 + (${expr}) % ${R}) % ${I}) || '.example')`

  // A dead instance: its users follow 20 local users each; every tenth is followed back by a local user.
  out.push({
    label: `fixture ${m}x: ${deadUsers} users of ${dead} following ${FIXTURE.dead.follows} local users each`,
    sql: `
    INSERT INTO users (id, name, nickname, bio, inserted_at, updated_at, ap_id, local, follower_address, following_address, inbox, shared_inbox)
    SELECT pg_temp.flake(${ms0} + j * 1000, ${base} + j), 'Dead ' || j, 'd' || j || '@${dead}', '',
           pg_temp.ts(${ms0} + j * 1000), pg_temp.ts(${ms0} + j * 1000), 'https://${dead}/users/d' || j, false,
           'https://${dead}/users/d' || j || '/followers', 'https://${dead}/users/d' || j || '/following',
           'https://${dead}/users/d' || j || '/inbox', 'https://${dead}/inbox'
      FROM generate_series(1::bigint, ${deadUsers}) AS j;
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT f.id, t.id, 2, pg_temp.ts(${ms0} + 500000000), pg_temp.ts(${ms0} + 500000000)
      FROM generate_series(1::bigint, ${deadUsers}) AS j CROSS JOIN generate_series(1::bigint, ${FIXTURE.dead.follows}) AS k
      JOIN users f ON f.nickname = 'd' || j || '@${dead}'
      JOIN users t ON t.nickname = 'u' || (1 + (j * ${FIXTURE.dead.follows} + k * 7919) % ${L})
    ON CONFLICT DO NOTHING;
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT f.id, t.id, 2, pg_temp.ts(${ms0} + 500000000), pg_temp.ts(${ms0} + 500000000)
      FROM generate_series(10::bigint, ${deadUsers}, 10) AS j
      JOIN users f ON f.nickname = 'u' || (1 + (j * 13) % ${L})
      JOIN users t ON t.nickname = 'd' || j || '@${dead}'
    ON CONFLICT DO NOTHING`,
  })

  // A spammer: posts, each liked and announced by others; a few likes of its own.
  const spammer = `spammer${m}x`
  const victim = `victim${m}x`
  for (const nick of [spammer, victim]) {
    out.push({
      label: `fixture ${m}x: local user ${nick}`,
      sql: `
    INSERT INTO users (id, email, password_hash, name, nickname, bio, raw_bio, inserted_at, updated_at, ap_id, local,
                       follower_address, following_address, featured_address, tags)
    SELECT pg_temp.flake(${ms0}, ${base} + ${nick === spammer ? 900000 : 900001}), '${nick}@mail.example', ${q(PASSWORD_HASH)}, '${nick}',
           '${nick}', 'bio', 'bio', pg_temp.ts(${ms0}), pg_temp.ts(${ms0}), '${BASE}/users/${nick}', true,
           '${BASE}/users/${nick}/followers', '${BASE}/users/${nick}/following', '${BASE}/users/${nick}/collections/featured',
           ARRAY['bench']::varchar[]`,
    })
  }
  const posts = (nick, count, offset) => `
    CREATE TEMP TABLE bench_${nick} AS
    SELECT p, ${base} + ${offset} + p AS n, ${ms0} + 1000000 + p * 1000 AS ms, '${BASE}/users/${nick}' AS actor, true AS local,
           CASE WHEN p % 20 = 0 THEN 'unlisted' WHEN p % 50 = 1 THEN 'private' ELSE 'public' END AS vis,
           CASE WHEN p % 10 = 3 AND p > 10 THEN p - 7 END AS parent
      FROM generate_series(1::bigint, ${count}) AS p`
  out.push({label: `fixture ${m}x: ${spamPosts} posts of ${spammer}`, sql: posts(spammer, spamPosts, 1000000)})
  out.push(...postStatements(`bench_${spammer}`))
  out.push({
    label: `fixture ${m}x: likes and announces of ${spammer}'s posts`,
    sql: `
    CREATE TEMP TABLE bench_${spammer}_r AS
    SELECT 'Like' AS type, ${base} + 3000000 + p AS n, ms + 60000 AS ms, p,
           CASE WHEN p % 3 <> 0 THEN '${BASE}/users/u' || (1 + (p * 31) % ${L})
                ELSE 'https://i' || (1 + (1 + (p * 37) % ${R}) % ${I}) || '.example/users/r' || (1 + (p * 37) % ${R}) END AS actor
      FROM bench_${spammer}
    UNION ALL
    SELECT 'Announce', ${base} + 5000000 + p, ms + 120000, p,
           CASE WHEN p % 3 <> 1 THEN '${BASE}/users/u' || (1 + (p * 43) % ${L})
                ELSE 'https://i' || (1 + (1 + (p * 47) % ${R}) % ${I}) || '.example/users/r' || (1 + (p * 47) % ${R}) END
      FROM bench_${spammer} WHERE vis <> 'private'`,
  })
  out.push(...reactStatements(`bench_${spammer}_r`, `bench_${spammer}`))
  // The spammer's own likes and announces of public base posts (p % 20 = 3 is always public; undone by delete-activities).
  out.push({
    label: `fixture ${m}x: ${spammer}'s likes and announces`,
    sql: `
    CREATE TEMP TABLE bench_${spammer}_own AS
    SELECT CASE WHEN k % 2 = 0 THEN 'Like' ELSE 'Announce' END AS type, ${base} + 7000000 + k AS n, ${ms0} + 90000000 + k AS ms,
           p, '${BASE}/users/${spammer}' AS actor
      FROM (SELECT k, 20 * ((k * 7 * ${m}) % greatest(1, ${Math.floor(p.posts / 20)} - 1)) + 3 AS p
              FROM generate_series(1::bigint, ${size(FIXTURE.spammer.ownLikes)}) AS k) s`,
  })
  out.push(...reactStatements(`bench_${spammer}_own`, 'bench_posts'))

  // The victim of user:rm: posts, followers (local and remote) and follows.
  out.push({label: `fixture ${m}x: ${victimPosts} posts of ${victim}`, sql: posts(victim, victimPosts, 10000000)})
  out.push(...postStatements(`bench_${victim}`))
  out.push({
    label: `fixture ${m}x: ${victimFollowers} followers and ${victimFollows} follows of ${victim}`,
    sql: `
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT f.id, v.id, CASE WHEN k % 25 = 0 THEN 1 ELSE 2 END, pg_temp.ts(${ms0} + 600000000), pg_temp.ts(${ms0} + 600000000)
      FROM generate_series(1::bigint, ${victimFollowers}) AS k
      JOIN users f ON f.nickname = CASE WHEN k % 2 = 0 THEN 'u' || (1 + (k * 3) % ${L}) ELSE ${remoteUser('k * 5')} END
      JOIN users v ON v.nickname = '${victim}'
    ON CONFLICT DO NOTHING;
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT v.id, t.id, CASE WHEN k % 25 = 0 THEN 1 ELSE 2 END, pg_temp.ts(${ms0} + 600000000), pg_temp.ts(${ms0} + 600000000)
      FROM generate_series(1::bigint, ${victimFollows}) AS k
      JOIN users t ON t.nickname = CASE WHEN k % 2 = 0 THEN 'u' || (1 + (k * 7) % ${L}) ELSE ${remoteUser('k * 11')} END
      JOIN users v ON v.nickname = '${victim}'
    ON CONFLICT DO NOTHING`,
  })
  out.push({
    label: `fixture ${m}x: Follow activities of ${victim}`,
    sql: followActivities(`'${victim}' IN (f.nickname::text, t.nickname::text)`),
  })

  // Stale registrations for user:prune: registered in 2021 (before every other row), no posts, never active;
  // odd ones never confirmed, even ones confirmed; each following two local users (tokens come with every local user's).
  const stale = `stale${m}x`
  const staleUsers = size(FIXTURE.stale.users)
  const msStale = Date.UTC(2021, 0, 1) + m * 100000000
  out.push({
    label: `fixture ${m}x: ${staleUsers} stale registrations ${stale}_N following ${FIXTURE.stale.follows} local users each`,
    sql: `
    INSERT INTO users (id, email, password_hash, name, nickname, bio, raw_bio, inserted_at, updated_at, ap_id, local,
                       follower_address, following_address, featured_address, is_active, is_confirmed, is_approved, confirmation_token)
    SELECT pg_temp.flake(${msStale} + j * 1000, ${base} + 20000000 + j), '${stale}_' || j || '@mail.example', ${q(PASSWORD_HASH)},
           'Stale ' || j, '${stale}_' || j, '', '', pg_temp.ts(${msStale} + j * 1000), pg_temp.ts(${msStale} + j * 1000),
           '${BASE}/users/${stale}_' || j, true, '${BASE}/users/${stale}_' || j || '/followers', '${BASE}/users/${stale}_' || j || '/following',
           '${BASE}/users/${stale}_' || j || '/collections/featured', true, j % 2 = 0, true, CASE WHEN j % 2 = 1 THEN 'confirm-' || j END
      FROM generate_series(1::bigint, ${staleUsers}) AS j;
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT f.id, t.id, 2, pg_temp.ts(${msStale} + 900000000), pg_temp.ts(${msStale} + 900000000)
      FROM generate_series(1::bigint, ${staleUsers}) AS j CROSS JOIN generate_series(1::bigint, ${FIXTURE.stale.follows}) AS k
      JOIN users f ON f.nickname = '${stale}_' || j
      JOIN users t ON t.nickname = 'u' || (1 + (j * ${FIXTURE.stale.follows} + k) * 7919 % ${L})
    ON CONFLICT DO NOTHING`,
  })
  return out
}

/**
 * The federated user:rm fixture at multiplier m: local user fedspamMx with
 * FIXTURE.fed.posts·m posts (public, unlisted, followers-only: each addressed to
 * its followers), followed (accepted, with Follow activities) by perServer
 * remote users on each of FIXTURE.fed.servers·m servers sN.fedMx.example (a
 * shared inbox per server), and on deadServers·m more servers whose instances
 * row is unreachable since 2024-01-01 (skipped, as Instances.filter_reachable
 * does). Seeded only into the federation scenarios' own template.
 */
function fedFixtureStatements(p, m) {
  const size = (n) => Math.max(1, Math.round(n * m * p.fixture))
  const F = FIXTURE.fed
  const base = N.fixture + BigInt(m) * (1n << 26n) + 40000000n
  const ms0 = T0 + 57000000000 + m * 1000000000
  const nick = `fedspam${m}x`
  const servers = size(F.servers)
  const dead = size(F.deadServers)
  const host = (s) => `'s' || ${s} || '.fed${m}x.example'`
  const out = []
  out.push({
    label: `fixture ${m}x: local user ${nick}, ${F.perServer} followers on each of ${servers} servers (+${dead} unreachable)`,
    sql: `
    INSERT INTO users (id, email, password_hash, name, nickname, bio, raw_bio, inserted_at, updated_at, ap_id, local,
                       follower_address, following_address, featured_address, tags)
    SELECT pg_temp.flake(${ms0}, ${base}), '${nick}@mail.example', ${q(PASSWORD_HASH)}, '${nick}', '${nick}', 'bio', 'bio',
           pg_temp.ts(${ms0}), pg_temp.ts(${ms0}), '${BASE}/users/${nick}', true, '${BASE}/users/${nick}/followers',
           '${BASE}/users/${nick}/following', '${BASE}/users/${nick}/collections/featured', ARRAY['bench']::varchar[];
    INSERT INTO users (id, name, nickname, bio, inserted_at, updated_at, ap_id, local, follower_address, following_address,
                       featured_address, inbox, shared_inbox, uri, last_refreshed_at)
    SELECT pg_temp.flake(${ms0} + 1000 + s * 10 + k, ${base} + 1 + s * 10 + k), 'Fed ' || s || '.' || k,
           'f' || k || '@' || ${host('s')}, '', pg_temp.ts(${ms0} + 1000), pg_temp.ts(${ms0} + 1000),
           'https://' || ${host('s')} || '/users/f' || k, false,
           'https://' || ${host('s')} || '/users/f' || k || '/followers', 'https://' || ${host('s')} || '/users/f' || k || '/following',
           'https://' || ${host('s')} || '/users/f' || k || '/collections/featured', 'https://' || ${host('s')} || '/users/f' || k || '/inbox',
           'https://' || ${host('s')} || '/inbox', 'https://' || ${host('s')} || '/@f' || k, pg_temp.ts(${ms0} + 1000)
      FROM generate_series(1::bigint, ${servers + dead}) AS s CROSS JOIN generate_series(1::bigint, ${F.perServer}) AS k;
    INSERT INTO instances (host, unreachable_since, inserted_at, updated_at)
    SELECT ${host('s')}, timestamp '2024-01-01', pg_temp.ts(${ms0}), pg_temp.ts(${ms0})
      FROM generate_series(${servers + 1}::bigint, ${servers + dead}) AS s;
    INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
    SELECT f.id, v.id, 2, pg_temp.ts(${ms0} + 600000000), pg_temp.ts(${ms0} + 600000000)
      FROM users f JOIN users v ON v.nickname = '${nick}'
     WHERE f.nickname::text LIKE 'f%@s%.fed${m}x.example'`,
  })
  out.push({label: `fixture ${m}x: Follow activities of ${nick}'s followers`, sql: followActivities(`t.nickname = '${nick}'`)})
  out.push({
    label: `fixture ${m}x: ${size(F.posts)} posts of ${nick}`,
    sql: `
    CREATE TEMP TABLE bench_${nick} AS
    SELECT p, ${base} + 1000000 + p AS n, ${ms0} + 1000000 + p * 1000 AS ms, '${BASE}/users/${nick}' AS actor, true AS local,
           CASE WHEN p % 20 = 0 THEN 'unlisted' WHEN p % 50 = 1 THEN 'private' ELSE 'public' END AS vis,
           CASE WHEN p % 10 = 3 AND p > 10 THEN p - 7 END AS parent
      FROM generate_series(1::bigint, ${size(F.posts)}) AS p`,
  })
  out.push(...postStatements(`bench_${nick}`))
  return out
}

/** Seeds through `query(sql)` (one session: the temp tables and functions must persist), reporting each step. */
async function seed(query, params, multipliers, onStep = () => {}, fedMultipliers = []) {
  for (const s of seedStatements(params, multipliers, fedMultipliers)) {
    const t = process.hrtime.bigint()
    await query(s.sql)
    onStep(s.label, Number(process.hrtime.bigint() - t) / 1e9)
  }
}

module.exports = {SCALES, FIXTURE, BASE, PUBLIC, seed, seedStatements}
