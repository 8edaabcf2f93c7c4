/**
 * The seeded instance of the reliability suites: the deletion commands'
 * social graph (test/helpers/social-graph.ts: alice with posts of every
 * kind, likes, announces, follows, tokens, a report note ...) plus 40 more
 * posts of alice, and 30 users of dead.example following and followed by
 * local users: bob by all of them, and l1 ... l15 each by two neighbours
 * only (l<k> follows d<2k-1> and is followed by d<2k>, so that every batch
 * of two changes a local user no other batch touches); the local counters
 * consistent with the rows. Small, so that
 * a command run on it takes a fraction of a second, and with enough
 * batches at a small --batch-size to be killed between and inside them.
 */
import {COUNTS_SQL} from '../../src/services/counters'
import type {Backend} from '../helpers/backends'
import {BASE, PUBLIC, SEEDED_AT, apId, seedSocialGraph, seedUsers} from '../helpers/social-graph'

export const EXTRA_POSTS = 40
export const DEAD_USERS = 30

export async function seedReliability(b: Pick<Backend, 'sql'>): Promise<void> {
  await seedSocialGraph(b as Backend)
  const alice = apId('alice')
  await b.sql(
    `INSERT INTO objects (data, inserted_at, updated_at)
     SELECT jsonb_build_object('id', $1 || '/objects/extra-' || g, 'type', 'Note', 'actor', $2::text, 'content', 'post ' || g,
                               'to', jsonb_build_array($3::text), 'cc', jsonb_build_array($2::text || '/followers')),
            $4, $4
       FROM generate_series(1, $5::int) AS g`,
    [BASE, alice, PUBLIC, SEEDED_AT, EXTRA_POSTS],
  )
  // FlakeIds of 2024-01-02 plus g ms.
  await b.sql(
    `INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
     SELECT (lpad(to_hex(1704164645000 + g), 16, '0') || 'a11ce0000000' || '0000')::uuid,
            jsonb_build_object('id', $1 || '/activities/extra-' || g, 'type', 'Create', 'actor', $2::text,
                               'object', $1 || '/objects/extra-' || g,
                               'to', jsonb_build_array($3::text), 'cc', jsonb_build_array($2::text || '/followers')),
            $4, $4, true, $2, ARRAY[$3::varchar, ($2 || '/followers')::varchar]
       FROM generate_series(1, $5::int) AS g`,
    [BASE, alice, PUBLIC, SEEDED_AT, EXTRA_POSTS],
  )
  await b.sql(`UPDATE users SET note_count = note_count + $1 WHERE nickname = 'alice'`, [EXTRA_POSTS])

  await seedUsers(
    b as Backend,
    Array.from({length: DEAD_USERS / 2}, (_, i) => ({nickname: `l${i + 1}`})),
  )
  // dead.example: d1 ... d30, every one following bob, bob following every third, carol asking to follow every fifth.
  await b.sql(
    `INSERT INTO users (id, nickname, bio, ap_id, local, is_active, follower_address, follower_count, following_count, inserted_at, updated_at)
     SELECT (lpad(to_hex(1704164645000 + 1000 + g), 16, '0') || 'dead00000000' || '0000')::uuid, 'd' || g || '@dead.example', '',
            'https://dead.example/users/d' || g, false, true, 'https://dead.example/users/d' || g || '/followers', 5, 5, $1, $1
       FROM generate_series(1, $2::int) AS g`,
    [SEEDED_AT, DEAD_USERS],
  )
  await b.sql(
    `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
     SELECT d.id, bob.id, 2, $1::timestamp, $1::timestamp FROM users d, users bob WHERE d.nickname LIKE '%@dead.example' AND bob.nickname = 'bob'
     UNION ALL
     SELECT bob.id, d.id, 2, $1::timestamp, $1::timestamp FROM users d, users bob
      WHERE d.nickname LIKE '%@dead.example' AND bob.nickname = 'bob' AND d.nickname ~ '^d(3|6|9|12|15|18|21|24|27|30)@'
     UNION ALL
     SELECT carol.id, d.id, 1, $1::timestamp, $1::timestamp FROM users d, users carol
      WHERE d.nickname LIKE '%@dead.example' AND carol.nickname = 'carol' AND d.nickname ~ '^d(5|10|15|20|25|30)@'
     UNION ALL
     SELECT l.id, d.id, 2, $1::timestamp, $1::timestamp FROM users d JOIN users l ON l.nickname = 'l' || ((substring(d.nickname from '^d(\\d+)@')::int + 1) / 2)
      WHERE d.nickname LIKE '%@dead.example' AND substring(d.nickname from '^d(\\d+)@')::int % 2 = 1
     UNION ALL
     SELECT d.id, l.id, 2, $1::timestamp, $1::timestamp FROM users d JOIN users l ON l.nickname = 'l' || (substring(d.nickname from '^d(\\d+)@')::int / 2)
      WHERE d.nickname LIKE '%@dead.example' AND substring(d.nickname from '^d(\\d+)@')::int % 2 = 0`,
    [SEEDED_AT],
  )
  const locals = await b.sql<{id: string}>(`SELECT id FROM users WHERE local`)
  await b.sql(`WITH c AS (${COUNTS_SQL}) UPDATE users u SET follower_count = c.followers, following_count = c.following FROM c WHERE u.id = c.id`, [
    locals.map((u) => u.id),
  ])
}
