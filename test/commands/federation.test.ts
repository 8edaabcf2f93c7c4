/**
 * Federation through the server's own job queue (docs/federation.md): on a
 * Pleroma-owned database, user:rm, user:delete-activities and
 * user:unsubscribe queue one publish_one job per stored activity and inbox in
 * oban_jobs, in the format of the server's generation; nothing with
 * --no-federate, --dry-run, or on the tool's own database.
 */
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, expectErrorLines} from '../helpers/assertions'
import {akkomaLayout, undoAkkomaLayout} from '../helpers/live'
import {flakeIdToString, newFlakeId} from '../../src/db/flake-id'
import {apId, BASE, followersOf, insertRows, objectId, PUBLIC, SEEDED_AT, seedActivities, seedObjects, seedUsers} from '../helpers/social-graph'

const A = apId('alice')
const FOLLOWERS = followersOf('alice')
const TABLES = ['users', 'activities', 'objects', 'following_relationships', 'oban_jobs', 'deliveries']

interface Remote {
  key: string
  host: string
  active?: boolean
  shared?: boolean
}

/** Remote users: ap_id https://HOST/users/KEY, inbox …/users/KEY/inbox, shared inbox https://HOST/inbox unless shared is false. */
async function seedRemotes(b: Backend, remotes: Remote[]): Promise<Record<string, {id: string; apId: string; inbox: string; shared: string | null}>> {
  const out: Record<string, {id: string; apId: string; inbox: string; shared: string | null}> = {}
  const rows = remotes.map((r) => {
    const id = newFlakeId()
    const ap = `https://${r.host}/users/${r.key}`
    const inbox = `${ap}/inbox`
    const shared = r.shared === false ? null : `https://${r.host}/inbox`
    out[r.key] = {id, apId: ap, inbox, shared}
    return {
      id,
      nickname: `${r.key}@${r.host}`,
      ap_id: ap,
      local: false,
      follower_address: `${ap}/followers`,
      inbox,
      shared_inbox: shared,
      is_active: r.active ?? true,
      bio: '',
      inserted_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    }
  })
  await insertRows(b, 'users', rows)
  return out
}

async function follow(b: Backend, follower: string, following: string, state = 2): Promise<void> {
  await insertRows(b, 'following_relationships', [{follower_id: follower, following_id: following, state, inserted_at: SEEDED_AT, updated_at: SEEDED_AT}])
}

async function unreachable(b: Backend, host: string, days: number): Promise<string> {
  const [r] = await b.sql(
    `INSERT INTO instances (host, unreachable_since, inserted_at, updated_at)
     VALUES ($1, timezone('UTC', now()) - make_interval(days => $2) + interval '0.123456 seconds', $3, $3)
     RETURNING to_char(unreachable_since, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS since`,
    [host, days, SEEDED_AT],
  )
  return r.since
}

interface Job {
  worker: string
  queue: string
  state: string
  attempt: number
  max_attempts: number
  priority: number
  args: any
  errors: unknown[]
  tags: string[]
  meta: Record<string, unknown>
  fresh: boolean
}

/** The delivery jobs (the server's other jobs, such as the user cache refresh, are not this file's business). */
async function jobs(b: Backend): Promise<Job[]> {
  return b.sql(
    `SELECT worker, queue, state::text AS state, attempt, max_attempts, priority, args, errors, tags, meta,
            (inserted_at = scheduled_at AND inserted_at BETWEEN timezone('UTC', now()) - interval '1 minute' AND timezone('UTC', now())
             AND attempted_at IS NULL AND attempted_by IS NULL) AS fresh
       FROM oban_jobs WHERE worker = 'Pleroma.Workers.PublisherWorker' ORDER BY id`,
  )
}

/** activity ap_id → the activity row's type, object and FlakeId string. */
async function activityByFlake(b: Backend): Promise<Record<string, {type: string; object: any; data: any; recipients: string[]; local: boolean}>> {
  const rows = await b.sql(`SELECT id::text AS id, data, recipients, local FROM activities`)
  return Object.fromEntries(
    rows.map((r) => [flakeIdToString(r.id), {type: r.data.type, object: r.data.object, data: r.data, recipients: r.recipients, local: r.local}]),
  )
}

/**
 * alice (local) with: followers r1, r2 (same server a.example, one shared
 * inbox), r3 (b.example, no shared inbox), r4 (dead.example: unreachable for
 * 30 days, skipped), r5 (flaky.example: unreachable since yesterday, kept
 * with its date), r6 (inactive: skipped), r7 (pending: skipped), bob (local:
 * skipped); she follows m (e.example; a Follow activity) and n (f.example,
 * pending, with a Follow activity) and o (g.example; no Follow activity: no
 * Undo); posts p1 (public, to her followers), p2 (direct to r8@h.example,
 * fetched by r9@i.example); a like of m's post.
 */
async function seedSpammer(b: Backend) {
  const locals = await seedUsers(b, [{nickname: 'alice'}, {nickname: 'bob'}])
  const r = await seedRemotes(b, [
    {key: 'r1', host: 'a.example'},
    {key: 'r2', host: 'a.example'},
    {key: 'r3', host: 'b.example', shared: false},
    {key: 'r4', host: 'dead.example'},
    {key: 'r5', host: 'flaky.example'},
    {key: 'r6', host: 'c.example', active: false},
    {key: 'r7', host: 'd.example'},
    {key: 'm', host: 'e.example'},
    {key: 'n', host: 'f.example'},
    {key: 'o', host: 'g.example'},
    {key: 'r8', host: 'h.example'},
    {key: 'r9', host: 'i.example'},
  ])
  for (const k of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) await follow(b, r[k].id, locals.alice)
  await follow(b, r.r7.id, locals.alice, 1)
  await follow(b, locals.bob, locals.alice)
  await follow(b, locals.alice, r.m.id)
  await follow(b, locals.alice, r.n.id, 1)
  await follow(b, locals.alice, r.o.id)
  // (instances exists on a server's database only.)
  const since = b.name === 'pleroma' ? await unreachable(b, 'flaky.example', 1) : null
  if (b.name === 'pleroma') await unreachable(b, 'dead.example', 30)
  const objects = await seedObjects(b, [
    {name: 'p1', data: {type: 'Note', actor: A, to: [PUBLIC], cc: [FOLLOWERS]}},
    {name: 'p2', data: {type: 'Note', actor: A, to: [r.r8.apId], cc: []}},
    {name: 'm1', data: {type: 'Note', actor: r.m.apId, to: [PUBLIC], cc: []}},
  ])
  await insertRows(b, 'deliveries', [{object_id: objects.p2, user_id: r.r9.id}])
  const acts = await seedActivities(b, [
    {name: 'create-p1', actor: A, type: 'Create', object: objectId('p1'), to: [PUBLIC], cc: [FOLLOWERS]},
    {name: 'create-p2', actor: A, type: 'Create', object: objectId('p2'), to: [r.r8.apId]},
    {name: 'like-m1', actor: A, type: 'Like', object: objectId('m1'), to: [FOLLOWERS, r.m.apId], cc: [PUBLIC]},
    {name: 'follow-m', actor: A, type: 'Follow', object: r.m.apId, to: [r.m.apId], cc: [PUBLIC], extra: {state: 'accept'}},
    {name: 'follow-n', actor: A, type: 'Follow', object: r.n.apId, to: [r.n.apId], cc: [PUBLIC], extra: {state: 'pending'}},
  ])
  return {locals, r, since, objects, acts}
}

type Seed = Awaited<ReturnType<typeof seedSpammer>>

/** The jobs as [activity type, what it is about, inbox, priority, unreachable_since], sorted. */
async function deliveries(b: Backend): Promise<Array<[string, string, string, number, string | null]>> {
  const byFlake = await activityByFlake(b)
  const list = (await jobs(b)).map((j): [string, string, string, number, string | null] => {
    const a = byFlake[j.args.params.activity_id]
    const about = typeof a.object === 'string' ? a.object : `${a.object.type} ${a.object.object}`
    return [a.type, about, j.args.params.inbox, j.priority, j.args.params.unreachable_since]
  })
  return list.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))
}

function sorted<T>(list: T[]): T[] {
  return [...list].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))
}

/** Every job a 2.9.1 server accepts: its worker, queue, state, attempts. */
function expectPleromaJobs(list: Job[]) {
  for (const j of list) {
    expect(j).toMatchObject({
      worker: 'Pleroma.Workers.PublisherWorker',
      queue: 'federator_outgoing',
      state: 'available',
      attempt: 0,
      max_attempts: 5,
      errors: [],
      tags: [],
      meta: {},
      fresh: true,
    })
    expect(j.args).toEqual({
      op: 'publish_one',
      params: {inbox: expect.any(String), activity_id: expect.stringMatching(/^[0-9A-Za-z]{18,22}$/), unreachable_since: j.args.params.unreachable_since},
    })
    expect([null, expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)]).toContainEqual(j.args.params.unreachable_since)
  }
}

/** Followers' inboxes of alice as Pleroma reaches them: a.example's shared inbox once, r3's own, flaky.example with its date. */
function followerInboxes(s: Seed, shared = true): Array<[string, string | null]> {
  return [
    [shared ? 'https://a.example/inbox' : s.r.r1.inbox, null],
    ...(shared ? [] : [[s.r.r2.inbox, null] as [string, null]]),
    [s.r.r3.inbox, null],
    [shared ? 'https://flaky.example/inbox' : s.r.r5.inbox, s.since],
  ]
}

describeBackends('federation', (b) => {
  if (b.name !== 'pleroma') {
    it('queues nothing on the tool’s own database and says nothing about it', async () => {
      await seedSpammer(b)
      const r = await b.run(['user:rm', 'alice', '-y', '--json'])
      expect(r.stderr).toBe('')
      expect(r.exitCode).toBe(0)
      expect(r.json).toMatchObject({federated: false, deliveries: 0, deliveryServers: 0, purged: true})
      expect(await jobs(b)).toEqual([])
      const text = await b.run(['user:delete-activities', 'bob', '--dry-run'])
      expect(text.stdout).not.toContain('Federation')
    })
    return
  }

  it('user:rm queues the Delete of the account, of its posts, and Undos, one job per activity and inbox (Pleroma 2.9.1)', async () => {
    const s = await seedSpammer(b)
    const dry = await b.run(['user:rm', 'alice', '--dry-run', '--json'])
    expect(dry.stderr).toBe('')
    expect(dry.exitCode).toBe(0)
    expect(await jobs(b)).toEqual([])

    const r = await b.run(['user:rm', 'alice', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("Federation: 14 deliveries to 7 servers will be queued in the server's Pleroma job queue.")
    expect(r.stdout).toContain('User alice deleted.')
    expect(r.stderr).toContain('Queued 14 deliveries to 7 servers for the server to send.')
    expect(dry.json).toMatchObject({federated: true, deliveries: 14, deliveryServers: 7, dryRun: true})

    const all = await jobs(b)
    expectPleromaJobs(all)
    const fol = followerInboxes(s)
    const like = `https://e.example/inbox`
    expect(await deliveries(b)).toEqual(
      sorted([
        // The account's Delete: its followers' servers, priority 1.
        ...fol.map(([inbox, since]): [string, string, string, number, string | null] => ['Delete', A, inbox, 1, since]),
        // p1 (public, to her followers): the followers.
        ...fol.map(([inbox, since]): [string, string, string, number, string | null] => ['Delete', objectId('p1'), inbox, 1, since]),
        // p2 (direct): r8 addressed (priority 0, shared inbox: a Delete), r9 fetched it (priority 1).
        ['Delete', objectId('p2'), 'https://h.example/inbox', 0, null],
        ['Delete', objectId('p2'), 'https://i.example/inbox', 1, null],
        // The like's Undo: m addressed (0), her followers (1); public, so shared inboxes.
        ['Undo', `${BASE}/activities/like-m1`, like, 0, null],
        ...fol.map(([inbox, since]): [string, string, string, number, string | null] => ['Undo', `${BASE}/activities/like-m1`, inbox, 1, since]),
        // Her follows of m (accepted) and n (pending): an Undo to each one's own inbox, priority 0; o has no Follow activity.
        ['Undo', `Follow ${s.r.m.apId}`, s.r.m.inbox, 0, null],
        ['Undo', `Follow ${s.r.n.apId}`, s.r.n.inbox, 0, null],
      ]),
    )

    // The activities the jobs point at, as Pleroma stores them.
    const byFlake = await activityByFlake(b)
    const actorDelete = Object.values(byFlake).find((a) => a.type === 'Delete' && a.object === A)!
    expect(actorDelete).toMatchObject({local: true, recipients: [FOLLOWERS]})
    expect(actorDelete.data).toEqual({
      id: expect.stringMatching(`^${BASE}/activities/`),
      type: 'Delete',
      actor: A,
      object: A,
      to: [FOLLOWERS],
      cc: [],
      bto: [],
      bcc: [],
    })
    const undoM = Object.values(byFlake).find((a) => a.type === 'Undo' && a.object?.object === s.r.m.apId)!
    expect(undoM.recipients).toEqual([s.r.m.apId])
    expect(undoM.local).toBe(true)
    expect(undoM.data).toEqual({
      id: expect.stringMatching(`^${BASE}/activities/`),
      type: 'Undo',
      actor: A,
      to: [s.r.m.apId],
      published: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/),
      context: expect.stringMatching(`^${BASE}/contexts/`),
      object: {
        id: `${BASE}/activities/follow-m`,
        type: 'Follow',
        actor: A,
        object: s.r.m.apId,
        to: [s.r.m.apId],
        cc: [PUBLIC],
        state: 'cancelled',
        published: undoM.data.published,
        context: undoM.data.context,
      },
    })
    // The deliveries rows of the deleted post go, as Pleroma's publish deletes them.
    expect(await b.sql(`SELECT * FROM deliveries`)).toEqual([])
  })

  it('user:rm --no-federate and --dry-run queue nothing; --no-federate stores no Undo of a follow', async () => {
    await seedSpammer(b)
    const before = await dumpTables(b, TABLES)
    const dry = await b.run(['user:rm', 'alice', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain('Federation: 14 deliveries to 7 servers will be queued')
    expect(await dumpTables(b, TABLES)).toEqual(before)

    const r = await b.run(['user:rm', 'alice', '-y', '--no-federate', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({federated: false, deliveries: 0, deliveryServers: 0, purged: true})
    expect(await jobs(b)).toEqual([])
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Undo' AND data->'object'->>'type' = 'Follow'`)).toEqual([{n: 0}])
    const text = await b.run(['user:delete-activities', 'bob', '--dry-run', '--no-federate'])
    expect(text.stdout).toBe('bob (local, active): 0 posts, 0 likes and announces will be deleted\n')
  })

  it('user:delete-activities and user:unsubscribe: --dry-run and --no-federate queue nothing', async () => {
    const s = await seedSpammer(b)
    const before = await dumpTables(b, TABLES)
    const dry = await b.run(['user:delete-activities', 'alice', '--dry-run', '--json'])
    expect(dry.stderr).toBe('')
    expect(dry.exitCode).toBe(0)
    expect(dry.json).toMatchObject({dryRun: true, posts: 2, likes: 1, federated: true, deliveries: 9, deliveryServers: 6})
    const dryUnsub = await b.run(['user:unsubscribe', 'alice', '--dry-run'])
    expect(dryUnsub.exitCode).toBe(0)
    expect(dryUnsub.stdout).toContain("Federation: 2 deliveries to 2 servers will be queued in the server's job queue.")
    expect(await dumpTables(b, TABLES)).toEqual(before)

    const r = await b.run(['user:delete-activities', 'alice', '-y', '--no-federate', '--json'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({dryRun: false, posts: 2, likes: 1, federated: false, deliveries: 0, deliveryServers: 0})
    const u = await b.run(['user:unsubscribe', 'alice', '-y', '--no-federate', '--json'])
    expect(u.stderr).toBe('')
    expect(u.exitCode).toBe(0)
    expect(u.json).toMatchObject({dryRun: false, federated: false, deliveries: 0, deliveryServers: 0})
    expect(await jobs(b)).toEqual([])
    // The posts went, their deliveries rows with them; no Undo of a follow was stored.
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Create'`)).toEqual([{n: 0}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Undo' AND data->'object'->>'type' = 'Follow'`)).toEqual([{n: 0}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships WHERE follower_id = $1`, [s.locals.alice])).toEqual([{n: 0}])
  })

  it('user:delete-activities queues its Deletes and Undos in each batch', async () => {
    const s = await seedSpammer(b)
    const r = await b.run(['user:delete-activities', 'alice', '-y', '--json', '--batch-size', '1'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({posts: 2, likes: 1, batches: 3, federated: true, deliveries: 9, deliveryServers: 6})
    expectPleromaJobs(await jobs(b))
    const fol = followerInboxes(s)
    expect(await deliveries(b)).toEqual(
      sorted([
        ...fol.map(([inbox, since]): [string, string, string, number, string | null] => ['Delete', objectId('p1'), inbox, 1, since]),
        ['Delete', objectId('p2'), 'https://h.example/inbox', 0, null],
        ['Delete', objectId('p2'), 'https://i.example/inbox', 1, null],
        ['Undo', `${BASE}/activities/like-m1`, 'https://e.example/inbox', 0, null],
        ...fol.map(([inbox, since]): [string, string, string, number, string | null] => ['Undo', `${BASE}/activities/like-m1`, inbox, 1, since]),
      ]),
    )
    // Follows are not touched by delete-activities.
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 11}])
  })

  it('user:unsubscribe of a local user undoes its follows of remote accounts', async () => {
    const s = await seedSpammer(b)
    const dry = await b.run(['user:unsubscribe', 'alice', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    expect(dry.json).toMatchObject({federated: true, deliveries: 2, deliveryServers: 2, dryRun: true})
    expect(await jobs(b)).toEqual([])
    const r = await b.run(['user:unsubscribe', 'alice', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toMatchObject({federated: true, deliveries: 2, deliveryServers: 2, dryRun: false})
    expectPleromaJobs(await jobs(b))
    expect(await deliveries(b)).toEqual(
      sorted([
        ['Undo', `Follow ${s.r.m.apId}`, s.r.m.inbox, 0, null],
        ['Undo', `Follow ${s.r.n.apId}`, s.r.n.inbox, 0, null],
      ]),
    )
    expect(await b.sql(`SELECT data->>'state' AS state FROM activities WHERE data->>'type' = 'Follow' ORDER BY data->>'id'`)).toEqual([
      {state: 'cancelled'},
      {state: 'cancelled'},
    ])
    // The Undos as ActivityPub.unfollow stores them (docs/federation.md "Activities stored"), the accepted and the pending follow alike.
    const undos = Object.values(await activityByFlake(b)).filter((a) => a.type === 'Undo')
    expect(sorted(undos.map((u) => u.data.object.object))).toEqual(sorted([s.r.m.apId, s.r.n.apId]))
    for (const u of undos) {
      const followed = u.data.object.object as string
      const key = followed === s.r.m.apId ? 'm' : 'n'
      expect(u).toMatchObject({local: true, recipients: [followed]})
      expect(u.data).toEqual({
        id: expect.stringMatching(`^${BASE}/activities/`),
        type: 'Undo',
        actor: A,
        to: [followed],
        published: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/),
        context: expect.stringMatching(`^${BASE}/contexts/`),
        object: {
          id: `${BASE}/activities/follow-${key}`,
          type: 'Follow',
          actor: A,
          object: followed,
          to: [followed],
          cc: [PUBLIC],
          state: 'cancelled',
          published: u.data.published,
          context: u.data.context,
        },
      })
    }
    // Her follows are gone (o's too, which had no Follow activity and gets no Undo); her followers stay.
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships WHERE follower_id = $1`, [s.locals.alice])).toEqual([{n: 0}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships WHERE following_id = $1`, [s.locals.alice])).toEqual([{n: 8}])
  })

  it('a remote user unsubscribed queues nothing (nobody here can sign for it)', async () => {
    const s = await seedSpammer(b)
    await follow(b, s.r.r1.id, s.r.m.id)
    const r = await b.run(['user:unsubscribe', 'r1@a.example', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({federated: false, deliveries: 0})
    expect(await jobs(b)).toEqual([])
    // Nor the instance command, whose users are all remote: r2's follows of alice and of m go, no Undo is stored or queued.
    await follow(b, s.r.r2.id, s.r.m.id)
    const all = await b.run(['user:unsubscribe-all-from-instance', 'a.example', '-y', '--json'])
    expect(all.exitCode).toBe(0)
    expect(all.json).toMatchObject({deactivated: 1})
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships WHERE follower_id = ANY($1::uuid[])`, [[s.r.r1.id, s.r.r2.id]])).toEqual([
      {n: 0},
    ])
    expect(await jobs(b)).toEqual([])
    expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Undo'`)).toEqual([{n: 0}])
  })

  it('an account pending approval is deleted outright: its Delete stored, nothing queued (its row and keys go, nothing could sign)', async () => {
    const {pending} = await seedUsers(b, [{nickname: 'pending', isApproved: false}])
    const r = await seedRemotes(b, [{key: 'f1', host: 'a.example'}])
    await follow(b, r.f1.id, pending)
    const dry = await b.run(['user:rm', 'pending', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    expect(dry.json).toMatchObject({federated: false, deliveries: 0, deliveryServers: 0, dryRun: true})
    const out = await b.run(['user:rm', 'pending', '-y', '--json'])
    expect(out.stderr).toBe('')
    expect(out.exitCode).toBe(0)
    expect(out.json).toMatchObject({deleted: true, purged: false, federated: false, deliveries: 0, deliveryServers: 0})
    expect(await jobs(b)).toEqual([])
    expect(await b.sql(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [pending])).toEqual([{n: 0}])
    // The account's Delete is stored (the task's pipeline stores it before the deletion), but no delivery of it is queued.
    expect(await b.sql(`SELECT data FROM activities`)).toEqual([
      {
        data: {
          id: expect.stringMatching(`^${BASE}/activities/`),
          type: 'Delete',
          actor: apId('pending'),
          object: apId('pending'),
          to: [followersOf('pending')],
          cc: [],
          bto: [],
          bcc: [],
        },
      },
    ])
  })

  it('200 remote followers on 50 servers: one job per server inbox (and none for 4 more on a server given up on)', async () => {
    const [alice] = Object.values(await seedUsers(b, [{nickname: 'alice'}]))
    const remotes: Remote[] = []
    for (let h = 0; h < 50; h++) for (let k = 0; k < 4; k++) remotes.push({key: `u${h}x${k}`, host: `host${h}.example`})
    for (let k = 0; k < 4; k++) remotes.push({key: `gone${k}`, host: 'gone.example'})
    const r = await seedRemotes(b, remotes)
    await unreachable(b, 'gone.example', 8)
    await insertRows(
      b,
      'following_relationships',
      Object.values(r).map((u) => ({follower_id: u.id, following_id: alice, state: 2, inserted_at: SEEDED_AT, updated_at: SEEDED_AT})),
    )
    const dry = await b.run(['user:rm', 'alice', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    expect(dry.json).toMatchObject({federated: true, deliveries: 50, deliveryServers: 50, followers: 204, dryRun: true})
    expect(await jobs(b)).toEqual([])
    const out = await b.run(['user:rm', 'alice', '-y', '--json'])
    expect(out.exitCode).toBe(0)
    expect(out.json).toMatchObject({federated: true, deliveries: 50, deliveryServers: 50, followers: 204})
    const list = await jobs(b)
    expectPleromaJobs(list)
    expect(list.map((j) => j.args.params.inbox).sort()).toEqual(Array.from({length: 50}, (_, h) => `https://host${h}.example/inbox`).sort())
    // All the account's Delete, to its followers (priority 1), none of the servers marked unreachable.
    const [del] = await b.sql(`SELECT id::text AS id, data FROM activities`)
    expect(del.data).toMatchObject({type: 'Delete', actor: A, object: A, to: [FOLLOWERS]})
    for (const j of list) expect(j).toMatchObject({priority: 1, args: {params: {activity_id: flakeIdToString(del.id), unreachable_since: null}}})
  })

  describe('generations', () => {
    const akkomaTables = () => akkomaLayout(b)
    afterEach(async () => {
      await undoAkkomaLayout(b)
      await b.sql(`DELETE FROM schema_migrations WHERE version IN (20221128103145, 20240625213637, 20250302113138)`)
      await b.sql(`INSERT INTO schema_migrations (version, inserted_at) VALUES (20240729163838, '2025-03-12 09:00:00') ON CONFLICT DO NOTHING`)
    })

    it('Akkoma (its tables, columns and migrations): module/json args with the rendered activity, the shared inbox, priority 0, max_attempts 6', async () => {
      await akkomaTables()
      await b.sql(`DELETE FROM schema_migrations WHERE version = 20240729163838`)
      await b.sql(`INSERT INTO schema_migrations (version, inserted_at) VALUES (20221128103145, now()), (20240625213637, now()), (20250302113138, now())`)
      const s = await seedSpammer(b)
      const r = await b.run(['user:rm', 'alice', '-y', '--json'])
      expect(r.exitCode).toBe(0)
      const list = await jobs(b)
      expect(r.json).toMatchObject({federated: true, deliveries: list.length})
      const byApId = Object.fromEntries((await b.sql(`SELECT data FROM activities`)).map((a) => [a.data.id, a.data]))
      const seen: Array<[string, string, string | null]> = []
      for (const j of list) {
        expect(j).toMatchObject({
          worker: 'Pleroma.Workers.PublisherWorker',
          queue: 'federator_outgoing',
          state: 'available',
          attempt: 0,
          max_attempts: 6,
          priority: 0,
          errors: [],
          tags: [],
          meta: {},
          fresh: true,
        })
        expect(Object.keys(j.args).sort()).toEqual(['module', 'op', 'params'])
        expect(j.args).toMatchObject({op: 'publish_one', module: 'Elixir.Pleroma.Web.ActivityPub.Publisher'})
        expect(Object.keys(j.args.params).sort()).toEqual(['actor_id', 'id', 'inbox', 'json', 'unreachable_since'])
        expect(j.args.params.actor_id).toBe(flakeIdToString(s.locals.alice))
        const stored = byApId[j.args.params.id]
        const rest = Object.fromEntries(Object.entries(stored).filter(([k]) => k !== 'deleted_activity_id'))
        expect(JSON.parse(j.args.params.json)).toEqual({
          ...rest,
          '@context': [
            'https://www.w3.org/ns/activitystreams',
            `${BASE}/schemas/litepub-0.1.jsonld`,
            {'@language': 'und', htmlMfm: 'https://w3id.org/fep/c16b#htmlMfm'},
          ],
        })
        seen.push([stored.type, j.args.params.inbox, j.args.params.unreachable_since])
      }
      // Akkoma prefers the shared inbox for every activity (m's and n's Undos go to their servers' shared inboxes);
      // a.example's shared inbox once per activity, r3 (no shared inbox) its own, dead.example skipped, flaky.example with its date.
      const fol: Array<[string, string | null]> = [
        ['https://a.example/inbox', null],
        [s.r.r3.inbox, null],
        ['https://flaky.example/inbox', s.since],
      ]
      expect(sorted(seen)).toEqual(
        sorted([
          ...fol.map(([inbox, since]): [string, string, string | null] => ['Delete', inbox, since]),
          ...fol.map(([inbox, since]): [string, string, string | null] => ['Delete', inbox, since]),
          ['Delete', 'https://h.example/inbox', null],
          ['Delete', 'https://i.example/inbox', null],
          ['Undo', 'https://e.example/inbox', null],
          ...fol.map(([inbox, since]): [string, string, string | null] => ['Undo', inbox, since]),
          ['Undo', 'https://e.example/inbox', null],
          ['Undo', 'https://f.example/inbox', null],
        ]),
      )
      expect(list.length).toBe(14)
      // Nothing with --no-federate or --dry-run on Akkoma's layout either.
      await b.sql(`DELETE FROM oban_jobs`)
      const {carol} = await seedUsers(b, [{nickname: 'carol'}])
      await follow(b, s.r.r1.id, carol)
      const dry = await b.run(['user:rm', 'carol', '--dry-run', '--json'])
      expect(dry.exitCode).toBe(0)
      expect(dry.json).toMatchObject({federated: true, deliveries: 1, deliveryServers: 1, dryRun: true})
      expect(await jobs(b)).toEqual([])
      const off = await b.run(['user:rm', 'carol', '-y', '--no-federate', '--json'])
      expect(off.exitCode).toBe(0)
      expect(off.json).toMatchObject({federated: false, deliveries: 0, purged: true})
      expect(await jobs(b)).toEqual([])
    })

    it("Akkoma's tables and columns with Pleroma 2.7's job migration only: refused with exit 4 (the format cannot be told), nothing written", async () => {
      await akkomaTables()
      await seedSpammer(b)
      const before = await dumpTables(b, TABLES)
      const r = await b.run(['user:rm', 'alice', '-y'])
      expect(r.exitCode).toBe(4)
      expect(r.stdout).toBe('')
      expectErrorLines(r.stderr)
      expect(r.stderr).toContain("Cannot tell which job format this server's queue expects")
      expect(r.stderr).toContain('Hint: Run it with --no-federate to make the change without telling other servers.')
      expect(await dumpTables(b, TABLES)).toEqual(before)
    })

    it("Akkoma's tables and columns without its migrations' rows: Akkoma's format", async () => {
      await akkomaTables()
      await b.sql(`DELETE FROM schema_migrations WHERE version = 20240729163838`)
      await seedSpammer(b)
      const r = await b.run(['user:rm', 'alice', '-y', '--json'])
      expect(r.exitCode).toBe(0)
      expect(r.json).toMatchObject({federated: true, deliveries: 14})
      const list = await jobs(b)
      expect(list).toHaveLength(14)
      for (const j of list)
        expect(j).toMatchObject({max_attempts: 6, priority: 0, args: {op: 'publish_one', module: 'Elixir.Pleroma.Web.ActivityPub.Publisher'}})
    })

    it('neither generation recognised: refused with exit 4, nothing written; --no-federate works', async () => {
      await b.sql(`DELETE FROM schema_migrations WHERE version = 20240729163838`)
      await seedSpammer(b)
      const before = await dumpTables(b, TABLES)
      const r = await b.run(['user:rm', 'alice', '-y'])
      expect(r.exitCode).toBe(4)
      expect(r.stderr).toContain("Cannot tell which job format this server's queue expects")
      expect(r.stderr).toContain('--no-federate')
      expectErrorLines(r.stderr)
      expect(await dumpTables(b, TABLES)).toEqual(before)
      // The other federating commands refuse the same way, also under --dry-run and --json.
      for (const args of [
        ['user:delete-activities', 'alice', '-y'],
        ['user:unsubscribe', 'alice', '-y'],
        ['user:rm', 'alice', '--dry-run'],
      ]) {
        const other = await b.run([...args, '--json'])
        expect([args, other.exitCode]).toEqual([args, 4])
        expect(other.json).toEqual({
          error: {
            code: 'refused',
            exitCode: 4,
            message:
              "Cannot tell which job format this server's queue expects: schema_migrations has neither Pleroma 2.7's publisher_job_change (20240729163838) nor Akkoma's own migrations (a Pleroma older than 2.7, or another fork).",
            hint: 'Run it with --no-federate to make the change without telling other servers.',
          },
        })
      }
      expect(await dumpTables(b, TABLES)).toEqual(before)
      const ok = await b.run(['user:rm', 'alice', '-y', '--no-federate', '--json'])
      expect(ok.exitCode).toBe(0)
      expect(ok.json).toMatchObject({purged: true, federated: false})
      expect(await jobs(b)).toEqual([])
    })

    it("both generations' migrations in schema_migrations: refused with exit 4 naming --no-federate, nothing written", async () => {
      await b.sql(`INSERT INTO schema_migrations (version, inserted_at) VALUES (20240625213637, now())`)
      await seedSpammer(b)
      const before = await dumpTables(b, TABLES)
      const r = await b.run(['user:rm', 'alice', '-y'])
      expect(r.exitCode).toBe(4)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(
        "Error: Cannot tell which job format this server's queue expects: schema_migrations has both Pleroma 2.7's publisher_job_change and Akkoma's own migrations.\n" +
          'Hint: Run it with --no-federate to make the change without telling other servers.\n',
      )
      expect(await dumpTables(b, TABLES)).toEqual(before)
    })

    it('a server database without oban_jobs: refused with exit 4 naming --no-federate; --no-federate works', async () => {
      await seedSpammer(b)
      await b.sql(`ALTER TABLE oban_jobs RENAME TO oban_jobs_away`)
      try {
        const before = await dumpTables(
          b,
          TABLES.filter((t) => t !== 'oban_jobs'),
        )
        const r = await b.run(['user:delete-activities', 'alice', '-y'])
        expect(r.exitCode).toBe(4)
        expect(r.stdout).toBe('')
        expect(r.stderr).toBe(
          'Error: This server database has no oban_jobs table, so deliveries to other servers cannot be queued.\n' +
            'Hint: Run it with --no-federate to make the change without telling other servers.\n',
        )
        expect(
          await dumpTables(
            b,
            TABLES.filter((t) => t !== 'oban_jobs'),
          ),
        ).toEqual(before)
        const ok = await b.run(['user:delete-activities', 'alice', '-y', '--no-federate', '--json'])
        expect(ok.exitCode).toBe(0)
        expect(ok.json).toMatchObject({posts: 2, federated: false, deliveries: 0})
      } finally {
        await b.sql(`ALTER TABLE oban_jobs_away RENAME TO oban_jobs`)
      }
      expect(await jobs(b)).toEqual([])
    })
  })
})
