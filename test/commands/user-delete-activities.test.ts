import {withoutFederation} from '../helpers/federation'
import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {flakeIdTime, flakeIdToString} from '../../src/db/flake-id'
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
  seedObjects,
  seedSocialGraph,
  seedUsers,
  storedFollowCounters,
} from '../helpers/social-graph'

const TABLES = [...USER_TABLES, 'bookmarks', 'apps', 'report_notes', 'user_relationships']
const A = apId('alice')
const B = apId('bob')
const C = apId('carol')
const ISO_US = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/
const ACTIVITY_AP_ID = new RegExp(`^${BASE.replace(/\./g, '\\.')}/activities/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

/**
 * alice (note_count 10) and her posts, for the counters Pleroma keeps: q1 and
 * q3 (public) quote bob's b1 (quotesCount 2), q2 (unlisted) quotes b2
 * (quotesCount 0), fo (followers only) quotes b3 (quotesCount 5); lp is
 * addressed only to the instance's #Public, bc has the public collection
 * only in bcc (both public for Pleroma's Visibility.public?); dm is a direct
 * message that also names the public collection (not public: directMessage).
 */
async function seedQuotesAndVisibility(b: Parameters<typeof seedUsers>[0]) {
  const users = await seedUsers(b, [{nickname: 'alice', noteCount: 10}, {nickname: 'bob'}])
  const F = followersOf('alice')
  const posts: Array<{name: string; to: string[]; cc: string[]; extra?: Record<string, unknown>}> = [
    {name: 'q1', to: [PUBLIC], cc: [F], extra: {quoteUrl: objectId('b1')}},
    {name: 'q2', to: [F], cc: [PUBLIC], extra: {quoteUrl: objectId('b2')}},
    {name: 'q3', to: [PUBLIC], cc: [F], extra: {quoteUrl: objectId('b1')}},
    {name: 'fo', to: [F], cc: [], extra: {quoteUrl: objectId('b3')}},
    {name: 'lp', to: [`${BASE}/#Public`], cc: []},
    {name: 'bc', to: [F], cc: [], extra: {bcc: [PUBLIC]}},
    {name: 'dm', to: [B, PUBLIC], cc: [], extra: {directMessage: true}},
  ]
  await seedObjects(b, [
    {name: 'b1', data: {type: 'Note', actor: B, to: [PUBLIC], cc: [], quotesCount: 2}},
    {name: 'b2', data: {type: 'Note', actor: B, to: [PUBLIC], cc: [], quotesCount: 0}},
    {name: 'b3', data: {type: 'Note', actor: B, to: [PUBLIC], cc: [], quotesCount: 5}},
    ...posts.map((p) => ({name: p.name, data: {type: 'Note', actor: A, content: 'hi', to: p.to, cc: p.cc, ...p.extra}})),
  ])
  await seedActivities(
    b,
    posts.map((p) => ({name: `create-${p.name}`, actor: A, type: 'Create', object: objectId(p.name), to: p.to, cc: p.cc, extra: p.extra})),
  )
  return users
}

const quotesCounts = async (b: Parameters<typeof seedUsers>[0]) =>
  Object.fromEntries(
    (
      await b.sql(`SELECT data->>'id' AS id, data->'quotesCount' AS n FROM objects WHERE data->>'id' = ANY($1::text[]) ORDER BY 1`, [
        ['b1', 'b2', 'b3'].map(objectId),
      ])
    ).map((r) => [r.id.replace(`${BASE}/objects/`, ''), r.n]),
  )

describeBackends('user:delete-activities', (server) => {
  const b = withoutFederation(server)
  it('tombstones every post, undoes likes and announces, and leaves everything else alone', async () => {
    const g = await seedSocialGraph(b)
    const before = Date.now()
    const countersBefore = await storedFollowCounters(b)
    const [bobBefore] = await b.sql(`SELECT * FROM users WHERE nickname = 'bob'`)
    const r = await b.run(['user:delete-activities', 'alice', '-y'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('alice (local, active): 6 posts, 3 likes and announces will be deleted\nUser alice statuses deleted.\n')

    // Objects: alice's posts are tombstones (p5's pruned row inserted as one first).
    const objects = await b.sql(`SELECT id, data, updated_at FROM objects ORDER BY data->>'id'`)
    const byName = Object.fromEntries(objects.map((o) => [o.data.id.replace(`${BASE}/objects/`, ''), o]))
    expect(Object.keys(byName).sort()).toEqual(['b1', 'b2', 'c1', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
    for (const p of ['p1', 'p2', 'p3', 'p4', 'p6']) {
      expect(byName[p].data).toEqual({id: objectId(p), type: 'Tombstone', formerType: 'Note', deleted: expect.stringMatching(ISO_US)})
      expect(Math.abs(new Date(byName[p].data.deleted).getTime() - Date.now())).toBeLessThan(60_000)
      expect(byName[p].updated_at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
      expect(byName[p].id).toBe(g.objects[p])
    }
    expect(byName.p5.data).toEqual({id: objectId('p5'), type: 'Tombstone', formerType: 'Tombstone', deleted: expect.stringMatching(ISO_US)})
    // bob's b1: alice's like and her reply are gone; b2: alice's announce is gone, carol's stays.
    expect(byName.b1.data).toMatchObject({repliesCount: 0, likes: [], like_count: 0, type: 'Note'})
    expect(byName.b2.data).toMatchObject({announcements: [C], announcement_count: 1, type: 'Note'})
    expect(byName.b1.updated_at.getTime()).not.toBe(new Date(SEEDED_AT + 'Z').getTime())
    expect(byName.c1.data).toEqual({id: objectId('c1'), type: 'Note', actor: C, content: 'hello', to: [PUBLIC], cc: [followersOf('carol')]})
    expect(byName.c1.updated_at).toEqual(new Date(SEEDED_AT + 'Z'))

    // On Pleroma's databases the tombstoned post's hashtag links are gone too.
    if (b.name === 'pleroma') {
      expect(await b.sql(`SELECT object_id FROM hashtags_objects`)).toEqual([{object_id: g.objects.c1}])
    }

    // Activities: alice's Creates and everything referring to her posts; her Likes and Announces.
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
    // Follows untouched.
    const follows = await b.sql(`SELECT data->>'state' AS state, updated_at FROM activities WHERE data->>'type' = 'Follow'`)
    expect(follows.every((f) => f.state !== 'cancelled' && f.updated_at.getTime() === new Date(SEEDED_AT + 'Z').getTime())).toBe(true)

    // The recorded Delete and Undo activities.
    const added = await newActivities(b, g)
    expect(added).toHaveLength(8)
    const deletes = added.filter((a) => a.data.type === 'Delete')
    const undos = added.filter((a) => a.data.type === 'Undo')
    expect(deletes.map((d) => d.data.object)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map(objectId))
    const expectedTo: Record<string, string[]> = {
      p1: [PUBLIC, followersOf('alice')],
      p2: [followersOf('alice'), PUBLIC],
      p3: [followersOf('alice')],
      p4: [PUBLIC, followersOf('alice'), B],
      p5: [],
      p6: [PUBLIC, followersOf('alice')],
    }
    for (const d of deletes) {
      const p = d.data.object.replace(`${BASE}/objects/`, '')
      expect(d.data).toEqual({
        id: expect.stringMatching(ACTIVITY_AP_ID),
        type: 'Delete',
        actor: A,
        object: objectId(p),
        to: expectedTo[p],
        cc: [],
        bto: [],
        bcc: [],
        deleted_activity_id: flakeIdToString(g.activities[`create-${p}`].id),
      })
      expect(d).toMatchObject({local: true, actor: A, recipients: expectedTo[p]})
    }
    expect(undos.map((u) => u.data)).toEqual([
      {
        id: expect.stringMatching(ACTIVITY_AP_ID),
        type: 'Undo',
        actor: A,
        object: g.activities['like-alice-b1'].apId,
        to: [followersOf('alice'), B],
        cc: [PUBLIC],
        bto: [],
        bcc: [],
      },
      {
        id: expect.stringMatching(ACTIVITY_AP_ID),
        type: 'Undo',
        actor: A,
        object: g.activities['announce-alice-b2'].apId,
        to: [followersOf('alice'), B],
        cc: [PUBLIC],
        bto: [],
        bcc: [],
      },
    ])
    for (const u of undos) expect(u).toMatchObject({local: true, actor: A, recipients: [followersOf('alice'), B, PUBLIC]})
    for (const a of added) {
      expect(flakeIdTime(a.id)).toBeGreaterThanOrEqual(before - 1)
      expect(flakeIdTime(a.id)).toBeLessThanOrEqual(Date.now())
      expect(a.inserted_at.getTime() % 1000).toBe(0)
      expect(a.updated_at).toEqual(a.inserted_at)
    }
    expect(new Set(added.map((a) => a.data.id)).size).toBe(8)

    // Notifications and bookmarks of the deleted activities went with them.
    expect(await remainingNotifications(b, g)).toEqual([
      'alice-followed-by-bob',
      'bob-announced-by-carol',
      'bob-followed-by-alice',
      'bob-reacted-by-alice',
      'carol-requested-by-alice',
    ])
    expect(await b.sql(`SELECT user_id, activity_id FROM bookmarks`)).toEqual([{user_id: g.users.carol, activity_id: g.activities['create-b1'].id}])

    // alice: note_count - 5 (p1, p2, p4, p6 public or unlisted, the pruned p5 public by its Create), p6 unpinned.
    const [alice] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
    expect(alice).toMatchObject({note_count: 0, pinned_objects: {[objectId('gone')]: '2024-01-02T03:04:05Z'}, is_active: true, email: 'alice@example.com'})
    expect(alice.updated_at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    // Other users, follows and counters untouched.
    expect((await b.sql(`SELECT * FROM users WHERE nickname = 'bob'`))[0]).toEqual(bobBefore)
    expect(await storedFollowCounters(b)).toEqual(countersBefore)
    expect(await expectedFollowCounters(b)).toEqual(countersBefore)
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 6}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM oauth_tokens`)).toEqual([{n: 4}])
  })

  it("note_count follows Pleroma's Visibility.public? (the instance's #Public, bcc, not direct messages); quotesCount of quoted posts goes down, not below 0", async () => {
    const users = await seedQuotesAndVisibility(b)
    const r = await b.run(['user:delete-activities', 'alice', '-y', '--batch-size', '2'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('alice (local, active): 7 posts, 0 likes and announces will be deleted\nUser alice statuses deleted.\n')
    // Public for Pleroma: q1, q2 (unlisted), q3, lp (only the instance's #Public), bc (public only in bcc): 10 - 5.
    // Not: fo (followers only), dm (a direct message, even naming the public collection).
    expect(await b.sql(`SELECT note_count FROM users WHERE id = $1`, [users.alice])).toEqual([{note_count: 5}])
    // b1 quoted twice: 2 - 2; b2: 0 stays 0; b3, quoted by a followers-only post: 5 - 1 (Pleroma decrements whatever the visibility).
    expect(await quotesCounts(b)).toEqual({b1: 0, b2: 0, b3: 4})
    const bumped = await b.sql(`SELECT data->>'id' AS id, updated_at FROM objects WHERE data->>'id' = ANY($1::text[]) ORDER BY 1`, [
      ['b1', 'b2', 'b3'].map(objectId),
    ])
    expect(bumped.map((o) => [o.id.replace(`${BASE}/objects/`, ''), o.updated_at.getTime() === new Date(SEEDED_AT + 'Z').getTime()])).toEqual([
      ['b1', false],
      ['b2', true],
      ['b3', false],
    ])
    // A second run changes no counter.
    const again = await b.run(['user:delete-activities', 'alice', '-y'])
    expect(again.exitCode).toBe(0)
    expect(await b.sql(`SELECT note_count FROM users WHERE id = $1`, [users.alice])).toEqual([{note_count: 5}])
    expect(await quotesCounts(b)).toEqual({b1: 0, b2: 0, b3: 4})
  })

  it("user:rm decrements the quoted posts' quotesCount the same way", async () => {
    await seedQuotesAndVisibility(b)
    const r = await b.run(['user:rm', 'alice', '-y', '--batch-size', '3'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^alice \(local, active\): 7 posts, /)
    expect(await quotesCounts(b)).toEqual({b1: 0, b2: 0, b3: 4})
  })

  it('--json returns the counts; a second run finds nothing more to do', async () => {
    await seedSocialGraph(b)
    const r = await b.run(['user:delete-activities', 'alice', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'alice',
      posts: 6,
      likes: 2,
      announces: 1,
      likesAndAnnounces: 3,
      batches: 1,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    const again = await b.run(['user:delete-activities', 'alice', '--yes', '--json'])
    expect(again.json).toEqual({
      nickname: 'alice',
      posts: 0,
      likes: 0,
      announces: 0,
      likesAndAnnounces: 0,
      batches: 0,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Delete'`)).toEqual([{n: 6}])
  })

  it('Pleroma: a user without posts — prints exactly "User NICK statuses deleted."', async () => {
    await seedUsers(b, [{nickname: 'nobody'}])
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:delete-activities', 'nobody'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('User nobody statuses deleted.\n')
    expect(r.stderr).toBe('')
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('Pleroma: an unknown user — "No local user" (exit 3); a remote user — exit 4; nothing changed', async () => {
    await seedSocialGraph(b)
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:delete-activities', 'nobody', '-y'])
    expect(r.exitCode).toBe(3)
    expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    expect(r.stdout).toBe('')
    const remote = await b.run(['user:delete-activities', 'dave@remote.example', '-y'])
    expect(remote.exitCode).toBe(4)
    expect(remote.stderr).toMatch(/^Error: No local user dave@remote\.example\.\nHint: dave@remote\.example is a remote user/)
    const json = await b.run(['user:delete-activities', 'dave@remote.example', '-y', '--json'])
    expect(json.json.error).toMatchObject({code: 'refused', exitCode: 4, message: 'No local user dave@remote.example'})
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('finds the local user case-insensitively and as nick@host; the hidden alias user:delete_activities works', async () => {
    await seedSocialGraph(b)
    const r = await b.run(['user:delete_activities', 'ALICE@pleroma.example', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({nickname: 'alice', posts: 6, likesAndAnnounces: 3})
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE actor = $1 AND data->>'type' = 'Create'`, [A])).toEqual([{n: 0}])
  })

  it('--dry-run shows the counts and writes nothing; without a terminal and -y it refuses (exit 1)', async () => {
    await seedSocialGraph(b)
    const before = await dumpTables(b, TABLES)
    const dry = await b.run(['user:delete-activities', 'alice', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toBe('alice (local, active): 6 posts, 3 likes and announces will be deleted\n')
    expect(dry.stderr).toBe('Dry run: nothing was written.\n')
    const json = await b.run(['user:delete-activities', 'alice', '--dry-run', '--json'])
    expect(json.json).toEqual({
      nickname: 'alice',
      posts: 6,
      likes: 2,
      announces: 1,
      likesAndAnnounces: 3,
      batches: 0,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: true,
    })
    const refused = await b.run(['user:delete-activities', 'alice'])
    expect(refused.exitCode).toBe(1)
    expect(refused.stdout).toBe('alice (local, active): 6 posts, 3 likes and announces will be deleted\n')
    expect(refused.stderr).toBe('Error: Nothing was deleted. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n')
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('works on a deactivated user (Pleroma silently does nothing) and says so; note_count does not go below 0', async () => {
    await seedSocialGraph(b, {alice: {isActive: false, noteCount: 2}})
    const r = await b.run(['user:delete-activities', 'alice', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('alice (local, deactivated): 6 posts, 3 likes and announces will be deleted\nUser alice statuses deleted.\n')
    expect(await b.sql(`SELECT note_count, is_active FROM users WHERE nickname = 'alice'`)).toEqual([{note_count: 0, is_active: false}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone'`)).toEqual([{n: 6}])
  })

  it('usage errors exit 2', async () => {
    const none = await b.run(['user:delete-activities'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('Error: No nickname given.')
    const bad = await b.run(['user:delete-activities', 'alice', '--batch-size', '0'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('Expected an integer greater than or equal to 1')
  })

  it('processes 1,200 posts in batches of 500 with the right end state', async () => {
    await seedManyPosts(b, 'many', 1200)
    const r = await b.run(['user:delete-activities', 'many', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'many',
      posts: 1200,
      likes: 0,
      announces: 0,
      likesAndAnnounces: 0,
      batches: 3,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    expect(await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone' AND data->>'formerType' = 'Note'`)).toEqual([{n: 1200}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Create'`)).toEqual([{n: 0}])
    const deletes = await b.sql(
      `SELECT count(*)::int AS n, count(DISTINCT data->>'object')::int AS objects, count(DISTINCT data->>'deleted_activity_id')::int AS creates FROM activities WHERE data->>'type' = 'Delete'`,
    )
    expect(deletes).toEqual([{n: 1200, objects: 1200, creates: 1200}])
    expect(await b.sql(`SELECT note_count FROM users WHERE nickname = 'many'`)).toEqual([{note_count: 0}])
    // Progress on stderr between batches, not under --json.
    expect(r.stderr).toBe('')
    await seedManyPosts(b, 'more', 30)
    const text = await b.run(['user:delete-activities', 'more', '-y', '--batch-size', '10'], {env: {PLEROMA_ADMIN_PROGRESS_INTERVAL: '0.000001'}})
    expect(text.exitCode).toBe(0)
    const lines = text.stderr.trim().split('\n')
    expect(lines.map((l) => l.replace(/, [\d,]+\/s, ETA .*$/, ''))).toEqual([
      'Deleting posts: 10/30 (33%)',
      'Deleting posts: 20/30 (66%)',
      'Deleting posts: 30/30 (100%)',
    ])
    expect(text.stdout).toBe('more (local, active): 30 posts, 0 likes and announces will be deleted\nUser more statuses deleted.\n')
  })

  it('is resumable: after a first batch alone, running the command again finishes the job', async () => {
    const id = await seedManyPosts(b, 'many', 1200)
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
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Create'`)).toEqual([{n: 700}])
    expect(await b.sql(`SELECT note_count FROM users WHERE id = $1`, [id])).toEqual([{note_count: 700}])
    const r = await b.run(['user:delete-activities', 'many', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'many',
      posts: 700,
      likes: 0,
      announces: 0,
      likesAndAnnounces: 0,
      batches: 2,
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    expect(await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone'`)).toEqual([{n: 1200}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Delete'`)).toEqual([{n: 1200}])
    expect(await b.sql(`SELECT note_count FROM users WHERE id = $1`, [id])).toEqual([{note_count: 0}])
  })

  it('a post object embedded in its Create and a like of a missing object are handled', async () => {
    const ids = await seedUsers(b, [{nickname: 'alice', noteCount: 1}, {nickname: 'bob'}])
    const acts = await seedActivities(b, [
      {name: 'create-embedded', actor: A, type: 'Create', object: {id: objectId('emb'), type: 'Note', content: 'x'}, to: [PUBLIC], cc: []},
      {name: 'like-missing', actor: A, type: 'Like', object: objectId('vanished'), to: [B], cc: [PUBLIC]},
      {name: 'undo-other', actor: A, type: 'Undo', object: `${BASE}/activities/old`, to: [B], cc: []},
    ])
    const r = await b.run(['user:delete-activities', 'alice', '-y', '--json'])
    expect(r.json).toMatchObject({posts: 1, likes: 1, announces: 0})
    expect(await b.sql(`SELECT data FROM objects`)).toEqual([
      {data: {id: objectId('emb'), type: 'Tombstone', formerType: 'Tombstone', deleted: expect.stringMatching(ISO_US)}},
    ])
    const left = await b.sql(`SELECT id, data->>'type' AS type, data->>'object' AS object FROM activities ORDER BY id`)
    expect(left.map((a) => [a.type, a.object])).toEqual([
      ['Undo', `${BASE}/activities/old`],
      ['Delete', objectId('emb')],
      ['Undo', acts['like-missing'].apId],
    ])
    expect(left[0].id).toBe(acts['undo-other'].id)
    expect(await b.sql(`SELECT note_count FROM users WHERE id = $1`, [ids.alice])).toEqual([{note_count: 0}])
  })
})
