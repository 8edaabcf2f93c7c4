import {withoutFederation} from '../helpers/federation'
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {flakeIdTime} from '../../src/db/flake-id'
import {
  apId,
  BASE,
  expectedFollowCounters,
  followersOf,
  newActivities,
  objectId,
  openBackendDatabase,
  PUBLIC,
  remainingActivities,
  remainingNotifications,
  SEEDED_AT,
  seedActivities,
  seedManyPosts,
  seedSocialGraph,
  seedUsers,
  storedFollowCounters,
  type SocialGraph,
} from '../helpers/social-graph'

const TABLES = [...USER_TABLES, 'bookmarks', 'apps', 'report_notes', 'user_relationships', 'mfa_tokens']
const A = apId('alice')
const SEEDED = new Date(SEEDED_AT + 'Z')
const ACTIVITY_AP_ID = new RegExp(`^${BASE.replace(/\./g, '\\.')}/activities/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

/** What every path of rm leaves the same way: posts, likes, follows, notifications, tokens, counters. */
async function expectCommonEndState(b: Backend, g: SocialGraph, before: number, rowDeleted = false) {
  // alice's posts are tombstones; her likes and announces are undone.
  expect(await b.sql(`SELECT data->>'id' AS id FROM objects WHERE data->>'type' = 'Tombstone' ORDER BY 1`)).toEqual(
    ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((p) => ({id: objectId(p)})),
  )
  const [b1] = await b.sql(`SELECT data FROM objects WHERE id = $1`, [g.objects.b1])
  expect(b1.data).toMatchObject({repliesCount: 0, likes: [], like_count: 0})
  const [b2] = await b.sql(`SELECT data FROM objects WHERE id = $1`, [g.objects.b2])
  expect(b2.data).toMatchObject({announcements: [apId('carol')], announcement_count: 1})

  // Activities: alice's posts, likes and announces gone; her follows (and follows of her) cancelled; others' untouched.
  expect(await remainingActivities(b, g)).toEqual([
    'announce-carol-b2',
    'block-alice-dave',
    'create-b1',
    'create-b2',
    'create-c1',
    'flag-carol-dave',
    'follow-alice-bob',
    'follow-alice-carol',
    'follow-bob-alice',
    'follow-bob-carol',
    'follow-carol-bob',
    'follow-dave-alice',
    'react-alice-b1',
  ])
  const follows = await b.sql(`SELECT data->>'id' AS ap_id, data->>'state' AS state, updated_at FROM activities WHERE data->>'type' = 'Follow'`)
  const state = Object.fromEntries(
    follows.map((f) => [f.ap_id.replace(/^.*\/activities\//, ''), [f.state, f.updated_at.getTime() === SEEDED.getTime() ? 'seeded' : 'bumped']]),
  )
  expect(state).toEqual({
    'follow-alice-bob': ['cancelled', 'bumped'],
    'follow-alice-carol': ['cancelled', 'bumped'],
    'follow-bob-alice': ['cancelled', 'bumped'],
    'follow-dave-alice': ['cancelled', 'bumped'],
    'follow-carol-bob': ['accept', 'seeded'],
    'follow-bob-carol': ['accept', 'seeded'],
  })

  // Recorded: a Delete per post, an Undo per like/announce, then the Delete of the actor.
  const added = await newActivities(b, g)
  expect(added.map((a) => a.data.type)).toEqual(['Delete', 'Delete', 'Delete', 'Delete', 'Delete', 'Delete', 'Undo', 'Undo', 'Delete'])
  const actorDelete = added[8]
  expect(actorDelete.data).toEqual({
    id: expect.stringMatching(ACTIVITY_AP_ID),
    type: 'Delete',
    actor: A,
    object: A,
    to: [followersOf('alice')],
    cc: [],
    bto: [],
    bcc: [],
  })
  expect(actorDelete).toMatchObject({local: true, actor: A, recipients: [followersOf('alice')]})
  for (const a of added) {
    expect(flakeIdTime(a.id)).toBeGreaterThanOrEqual(before - 1)
    expect(a.inserted_at.getTime() % 1000).toBe(0)
  }

  // Notifications caused by alice are gone, for every recipient; those to her from others stay with her row.
  expect(await remainingNotifications(b, g)).toEqual(rowDeleted ? ['bob-announced-by-carol'] : ['alice-followed-by-bob', 'bob-announced-by-carol'])
  expect(await b.sql(`SELECT user_id, activity_id FROM bookmarks`)).toEqual([{user_id: g.users.carol, activity_id: g.activities['create-b1'].id}])

  // Follows both ways gone; the others' counters follow the rows.
  const rels = await b.sql(`SELECT follower_id, following_id, state FROM following_relationships ORDER BY id`)
  expect(rels).toEqual([
    {follower_id: g.users.carol, following_id: g.users.bob, state: 2},
    {follower_id: g.users.bob, following_id: g.users.carol, state: 2},
  ])
  const counters = await storedFollowCounters(b)
  expect(counters).toEqual(await expectedFollowCounters(b))
  expect(counters.bob).toEqual({followers: 1, following: 1})
  expect(counters.carol).toEqual({followers: 1, following: 1})
  expect(await b.sql(`SELECT follower_count, following_count, updated_at FROM users WHERE ap_id = 'https://remote.example/users/dave'`)).toEqual([
    {follower_count: 7, following_count: 9, updated_at: SEEDED},
  ])
  const [bob] = await b.sql(`SELECT updated_at, email, note_count FROM users WHERE nickname = 'bob'`)
  expect(bob.updated_at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
  expect(bob).toMatchObject({email: 'bob@example.com', note_count: 2})

  // Signed out: alice's tokens and authorizations are gone, bob's stay.
  expect(await b.sql(`SELECT id FROM oauth_tokens`)).toEqual([{id: g.tokens.bobShared}])
  expect(await b.sql(`SELECT id FROM oauth_authorizations`)).toEqual([{id: g.authorizations.bob}])
  expect(await b.sql(`SELECT count(*)::int AS n FROM user_invite_tokens`)).toEqual([{n: 1}])
}

describeBackends('user:rm', (server) => {
  const b = withoutFederation(server)
  it('deletes posts, likes, follows, notifications caused and sign-ins, and keeps the row purged and deactivated', async () => {
    const g = await seedSocialGraph(b)
    const [aliceBefore] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
    const before = Date.now()
    const r = await b.run(['user:rm', 'alice', '-y'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active): 6 posts, 3 likes and announces, 2 followers, 2 follows, 3 OAuth tokens will be deleted; the account stays reserved, purged and deactivated\n' +
        'User alice deleted.\n',
    )
    await expectCommonEndState(b, g, before)

    const [alice] = await b.sql(`SELECT * FROM users WHERE id = $1`, [g.users.alice])
    expect(alice).toMatchObject({
      nickname: 'alice',
      ap_id: A,
      local: true,
      follower_address: followersOf('alice'),
      bio: '',
      raw_bio: null,
      email: null,
      name: null,
      password_hash: null,
      last_refreshed_at: null,
      last_digest_emailed_at: null,
      registration_reason: null,
      confirmation_token: null,
      mascot: null,
      avatar: {},
      banner: {},
      background: {},
      emoji: {},
      pleroma_settings_store: {},
      pinned_objects: {},
      tags: [],
      domain_blocks: [],
      also_known_as: [],
      fields: [],
      raw_fields: [],
      note_count: 0,
      follower_count: 0,
      following_count: 0,
      is_locked: false,
      password_reset_pending: false,
      is_moderator: false,
      is_admin: false,
      is_discoverable: false,
      is_active: false,
      // Left alone, as Pleroma 2.9 does.
      keys: aliceBefore.keys,
      public_key: aliceBefore.public_key,
      is_confirmed: true,
      is_approved: true,
      inserted_at: aliceBefore.inserted_at,
      featured_address: aliceBefore.featured_address,
    })
    expect(alice.updated_at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    // The row stays, and with it what Pleroma keeps: apps, report notes, blocks.
    expect(await b.sql(`SELECT id, user_id, updated_at FROM apps ORDER BY id`)).toEqual([
      {id: g.apps.frontend, user_id: null, updated_at: SEEDED},
      {id: g.apps.aliceShared, user_id: g.users.alice, updated_at: SEEDED},
      {id: g.apps.alicePrivate, user_id: g.users.alice, updated_at: SEEDED},
    ])
    expect(await b.sql(`SELECT id, user_id FROM report_notes`)).toEqual([{id: g.reportNote, user_id: g.users.alice}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM user_relationships WHERE source_id = $1`, [g.users.alice])).toEqual([{n: 1}])
    expect(await storedFollowCounters(b)).toMatchObject({alice: {followers: 0, following: 0}})
  })

  it('deactivates and signs the account out first, on its own: an interrupted run leaves it inactive with no tokens and its posts; a re-run finishes', async () => {
    const g = await seedSocialGraph(b)
    const [aliceBefore] = await b.sql(`SELECT email, note_count FROM users WHERE nickname = 'alice'`)
    // The first batch of posts fails (as a statement_timeout would end it): only the transactions before it are committed.
    await b.sql(`CREATE FUNCTION test_stop_tombstone() RETURNS trigger LANGUAGE plpgsql AS $f$
                 BEGIN IF NEW.data->>'type' = 'Tombstone' THEN RAISE EXCEPTION 'test: the batch of posts fails' USING ERRCODE = 'query_canceled'; END IF; RETURN NEW; END $f$`)
    await b.sql(`CREATE TRIGGER test_stop_tombstone BEFORE INSERT OR UPDATE ON objects FOR EACH ROW EXECUTE FUNCTION test_stop_tombstone()`)
    const before = Date.now()
    try {
      const r = await b.run(['user:rm', 'alice', '-y', '--batch-size', '1'])
      expect(r.exitCode).toBe(5)
      expectErrorLines(r.stderr)
      expect(r.stderr).toMatch(/^Error: .*test: the batch of posts fails/)
    } finally {
      await b.sql(`DROP TRIGGER test_stop_tombstone ON objects`)
      await b.sql(`DROP FUNCTION test_stop_tombstone()`)
    }
    // Inactive and signed out (bob's token and authorization stay) ...
    expect(await b.sql(`SELECT is_active, email, note_count FROM users WHERE id = $1`, [g.users.alice])).toEqual([
      {is_active: false, email: aliceBefore.email, note_count: aliceBefore.note_count},
    ])
    expect(await b.sql(`SELECT id FROM oauth_tokens`)).toEqual([{id: g.tokens.bobShared}])
    expect(await b.sql(`SELECT id FROM oauth_authorizations`)).toEqual([{id: g.authorizations.bob}])
    // ... the others' counters no longer count her ...
    const counters = await storedFollowCounters(b)
    expect(counters).toEqual(await expectedFollowCounters(b))
    expect(counters.bob).toEqual({followers: 1, following: 1})
    // ... and everything else is still there: posts, likes, follows, no Delete recorded.
    expect(await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone'`)).toEqual([{n: 0}])
    expect(await remainingActivities(b, g)).toEqual(Object.keys(g.activities).sort())
    expect(await newActivities(b, g)).toEqual([])
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships WHERE $1 IN (follower_id, following_id)`, [g.users.alice])).toEqual([{n: 4}])

    const again = await b.run(['user:rm', 'alice', '-y', '--batch-size', '1'])
    expect(again.stderr).toBe('')
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe(
      'alice (local, deactivated): 6 posts, 3 likes and announces, 2 followers, 2 follows, 0 OAuth tokens will be deleted; the account stays reserved, purged and deactivated\n' +
        'User alice deleted.\n',
    )
    await expectCommonEndState(b, g, before)
    expect(await b.sql(`SELECT is_active, email, note_count, follower_count FROM users WHERE id = $1`, [g.users.alice])).toEqual([
      {is_active: false, email: null, note_count: 0, follower_count: 0},
    ])
  })

  it('--json returns the counts of what was deleted; running it again changes nothing', async () => {
    await seedSocialGraph(b)
    const r = await b.run(['user:rm', 'alice', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'alice',
      posts: 6,
      likesAndAnnounces: 3,
      followers: 2,
      follows: 2,
      tokens: 3,
      purged: true,
      deleted: false,
      batches: 1,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    const after = await dumpTables(b, TABLES)
    const again = await b.run(['user:rm', 'alice', '--yes'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe(
      'alice (local, deactivated): 0 posts, 0 likes and announces, 0 followers, 0 follows, 0 OAuth tokens will be deleted; the account stays reserved, purged and deactivated\n' +
        'User alice deleted.\n',
    )
    expect(await dumpTables(b, TABLES)).toEqual(after)
  })

  it('deletes an account pending approval outright, clearing its report notes and detaching its apps still in use', async () => {
    const g = await seedSocialGraph(b, {alice: {isApproved: false}})
    const before = Date.now()
    const r = await b.run(['user:rm', 'alice', '-y'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active, pending approval): 6 posts, 3 likes and announces, 2 followers, 2 follows, 3 OAuth tokens, 1 report note will be deleted; the account will be deleted (it was pending approval)\n' +
        'User alice deleted.\n',
    )
    await expectCommonEndState(b, g, before, true)
    expect(await b.sql(`SELECT id FROM users WHERE id = $1 OR nickname = 'alice'`, [g.users.alice])).toEqual([])
    // Trap 2: the report note went first. Trap 1: the app bob still uses stays, ownerless; the app only alice used went with her.
    expect(await b.sql(`SELECT id FROM report_notes`)).toEqual([])
    const apps = await b.sql(`SELECT id, user_id, updated_at FROM apps ORDER BY id`)
    expect(apps.map((a) => [a.id, a.user_id])).toEqual([
      [g.apps.frontend, null],
      [g.apps.aliceShared, null],
    ])
    expect(apps[1].updated_at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(apps[0].updated_at).toEqual(SEEDED)
    expect(await b.sql(`SELECT count(*)::int AS n FROM user_relationships`)).toEqual([{n: 0}])
  })

  it('deletes an unconfirmed account outright too (--json)', async () => {
    await seedSocialGraph(b, {alice: {isConfirmed: false}})
    const r = await b.run(['user:rm', 'alice', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'alice',
      posts: 6,
      likesAndAnnounces: 3,
      followers: 2,
      follows: 2,
      tokens: 3,
      purged: false,
      deleted: true,
      batches: 1,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    expect(await b.sql(`SELECT nickname FROM users ORDER BY nickname`)).toEqual([{nickname: 'bob'}, {nickname: 'carol'}, {nickname: 'dave@remote.example'}])
    const dry = await b.run(['user:rm', 'bob', '--dry-run'])
    expect(dry.stdout).toBe(
      'bob (local, active): 2 posts, 0 likes and announces, 1 follower, 1 follow, 1 OAuth token will be deleted; the account stays reserved, purged and deactivated\n',
    )
  })

  it('works on a deactivated user (Pleroma says "No local user") and says what state it was in', async () => {
    const g = await seedSocialGraph(b, {alice: {isActive: false}})
    const before = Date.now()
    const r = await b.run(['user:rm', 'alice', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(
      /^alice \(local, deactivated\): 6 posts, 3 likes and announces, 2 followers, 2 follows, 3 OAuth tokens will be deleted; the account stays reserved, purged and deactivated\nUser alice deleted\.\n$/,
    )
    await expectCommonEndState(b, g, before)
    expect(await b.sql(`SELECT is_active, email FROM users WHERE id = $1`, [g.users.alice])).toEqual([{is_active: false, email: null}])
  })

  it('Pleroma: the message contains " deleted"; the user still exists and is inactive', async () => {
    const ids = await seedUsers(b, [{nickname: 'victim', noteCount: 1}])
    await seedActivities(b, [{name: 'c', actor: apId('victim'), type: 'Create', object: objectId('v1'), to: [PUBLIC], cc: []}])
    const r = await b.run(['user:rm', 'victim', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain(' deleted')
    expect(await b.sql(`SELECT nickname, is_active FROM users WHERE id = $1`, [ids.victim])).toEqual([{nickname: 'victim', is_active: false}])
  })

  it('Pleroma: a user whose post object was pruned and who liked a post whose object was removed — the Like and the Create are gone', async () => {
    await seedUsers(b, [
      {nickname: 'alice', noteCount: 1},
      {nickname: 'bob', noteCount: 1},
    ])
    const acts = await seedActivities(b, [
      {name: 'post', actor: A, type: 'Create', object: objectId('pruned'), to: [PUBLIC], cc: []},
      {name: 'bob-post', actor: apId('bob'), type: 'Create', object: objectId('removed'), to: [PUBLIC], cc: []},
      {name: 'like', actor: A, type: 'Like', object: objectId('removed'), to: [apId('bob')], cc: [PUBLIC]},
    ])
    const r = await b.run(['user:rm', 'alice', '-y'])
    expect(r.exitCode).toBe(0)
    const left = await b.sql(`SELECT id FROM activities WHERE id = ANY($1::uuid[])`, [[acts.post.id, acts.like.id, acts['bob-post'].id]])
    expect(left).toEqual([{id: acts['bob-post'].id}])
  })

  it('Pleroma: rm nonexistent — "No local user" (exit 3); a remote user — exit 4; nothing changed', async () => {
    await seedSocialGraph(b)
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:rm', 'nonexistent', '-y'])
    expect(r.exitCode).toBe(3)
    expect(r.stderr).toMatch(/^Error: No local user nonexistent\.\nHint: /)
    expectErrorLines(r.stderr)
    expect(r.stdout).toBe('')
    const remote = await b.run(['user:rm', 'dave@remote.example', '-y'])
    expect(remote.exitCode).toBe(4)
    expect(remote.stderr).toMatch(
      /^Error: No local user dave@remote\.example\.\nHint: dave@remote\.example is a remote user; this command works on local users only\.\n$/,
    )
    const json = await b.run(['user:rm', 'nonexistent', '-y', '--json'])
    expect(json.exitCode).toBe(3)
    expect(json.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nonexistent'})
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('--dry-run shows the counts and writes nothing; without a terminal and -y it refuses (exit 1)', async () => {
    await seedSocialGraph(b)
    const before = await dumpTables(b, TABLES)
    const summary =
      'alice (local, active): 6 posts, 3 likes and announces, 2 followers, 2 follows, 3 OAuth tokens will be deleted; the account stays reserved, purged and deactivated\n'
    const dry = await b.run(['user:rm', 'alice', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toBe(summary)
    expect(dry.stderr).toBe('Dry run: nothing was written.\n')
    const json = await b.run(['user:rm', 'Alice', '--dry-run', '--json'])
    expect(json.json).toEqual({
      nickname: 'alice',
      posts: 6,
      likesAndAnnounces: 3,
      followers: 2,
      follows: 2,
      tokens: 3,
      purged: true,
      deleted: false,
      batches: 0,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: true,
    })
    const refused = await b.run(['user:rm', 'alice'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stdout).toBe(summary)
    expect(refused.stderr).toBe(
      'Error: User alice was not deleted. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n',
    )
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('usage errors exit 2', async () => {
    const none = await b.run(['user:rm'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toMatch(/^Error: No nickname given\.\nHint: Give one or more nicknames, or --stdin/)
    // Two nicknames are a run on several users (test/commands/user-bulk.test.ts): both not found, exit 3.
    const two = await b.run(['user:rm', 'a', 'b', '-y'])
    expect(two.exitCode).toBe(3)
    expect(two.stdout).toContain('0 succeeded, 2 failed, 0 skipped.')
  })

  it('deletes a big account in batches, and finishes an interrupted run: the row is purged only at the end', async () => {
    const id = await seedManyPosts(b, 'many', 1200)
    const ids = await seedUsers(b, [{nickname: 'fan', followingCount: 1}])
    await b.sql(`UPDATE users SET follower_count = 1 WHERE id = $1`, [id])
    await b.sql(`INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at) VALUES ($1, $2, 2, $3, $3)`, [
      ids.fan,
      id,
      SEEDED_AT,
    ])
    const {deleteActivitiesBatch, lockTarget} = await import('../../src/services/delete-activities')
    const db = await openBackendDatabase(b)
    try {
      const first = await db.transaction(async (m) =>
        deleteActivitiesBatch(m, await lockTarget(m, id), {instanceUrl: BASE, after: null, limit: 500, tables: db.schema.tables}),
      )
      expect(first).toMatchObject({selected: 500, posts: 500, done: false})
    } finally {
      await db.close()
    }
    // Interrupted after one batch: the account itself is untouched.
    expect(await b.sql(`SELECT is_active, note_count, follower_count, email FROM users WHERE id = $1`, [id])).toEqual([
      {is_active: true, note_count: 700, follower_count: 1, email: 'many@example.com'},
    ])
    const r = await b.run(['user:rm', 'many', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'many',
      posts: 700,
      likesAndAnnounces: 0,
      followers: 1,
      follows: 0,
      tokens: 0,
      purged: true,
      deleted: false,
      batches: 2,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    expect(await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone'`)).toEqual([{n: 1200}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Delete' AND data->>'object' <> $1`, [apId('many')])).toEqual([
      {n: 1200},
    ])
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Delete' AND data->>'object' = $1`, [apId('many')])).toEqual([{n: 1}])
    expect(await b.sql(`SELECT is_active, note_count, follower_count, email FROM users WHERE id = $1`, [id])).toEqual([
      {is_active: false, note_count: 0, follower_count: 0, email: null},
    ])
    expect(await b.sql(`SELECT following_count FROM users WHERE id = $1`, [ids.fan])).toEqual([{following_count: 0}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 0}])
  })
})
