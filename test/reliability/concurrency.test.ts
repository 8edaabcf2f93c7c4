/**
 * Concurrency: many pleroma-admin processes (bin/run.js, as installed) at
 * once on overlapping users.
 *
 * PostgreSQL (Pleroma's layout, so the commands also queue the server's jobs):
 * `user:tag`, `user:untag`, `user:set` and `user:rm` started together on
 * users who all follow one another. Whatever the interleaving:
 *   - no lost update: every tag added is there, every tag removed is gone,
 *     every flag set is set;
 *   - no process fails with exit 1 ("unexpected"): a deadlock or a
 *     serialization failure between them is retried;
 *   - an `rm` racing a tag and a flag change ends with the user purged and
 *     nothing of it left behind (no follow, no post, no notification), and
 *     every remaining user's follow counters match the follows that remain.
 *
 * Embedded database (one process at a time, the others wait for the lock):
 * concurrent `user:new` and `user:tag` processes all land, none is lost.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {Client} from 'pg'
import {newFlakeId} from '../../src/db/flake-id'
import {openDatabase} from '../../src/db/connection'
import {recomputeFollowCounters} from '../../src/services/counters'
import {PG_AVAILABLE, scratchPgDatabase} from '../helpers/backends'
import {runProcess, type ProcessResult} from '../helpers/cli-process'
import {pgTemplatePleroma} from '../helpers/templates'
import {INSTANCE_URL, seedUsers} from '../helpers/user-flags'

const describePg = PG_AVAILABLE ? describe : describe.skip

/** The local users, each following all the others (accepted), tagged old-a and old-b. */
const USERS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']
/** Removed while the others are tagged and changed. */
const REMOVED = ['m5', 'm6']

interface Call {
  args: string[]
  stdin?: string
  /** The exit codes this call may end with, whatever the interleaving. */
  codes: number[]
}

function describeRun(calls: Call[], results: ProcessResult[]): string {
  return calls
    .map(
      (c, i) => `${c.args.join(' ')}${c.stdin ? ` <<< ${JSON.stringify(c.stdin)}` : ''} -> exit ${results[i].code} ${results[i].stderr.trim().slice(0, 400)}`,
    )
    .join('\n')
}

describePg('concurrent tag, untag, set and rm processes on overlapping users [postgres]', () => {
  let db: Awaited<ReturnType<typeof scratchPgDatabase>>
  let client: Client
  const sql = async (q: string, p?: unknown[]) => (await client.query(q, p as unknown[])).rows
  beforeAll(async () => {
    db = await scratchPgDatabase(pgTemplatePleroma())
    client = new Client({connectionString: db.url})
    await client.connect()
    await client.query(`SET TIME ZONE 'UTC'`)
  })
  afterAll(async () => {
    await client?.end()
    await db?.drop()
  })

  /** The flags user:set changes here (by their flag) and the sorted tags of each user. */
  async function flagsAndTags(nicknames: string[]): Promise<Record<string, {tags: string[]; flags: Record<string, boolean>}>> {
    const rows = await sql(
      `SELECT nickname, tags, is_admin, is_moderator, is_locked, is_discoverable, hide_followers, hide_follows, is_active
         FROM users WHERE nickname = ANY($1)`,
      [nicknames],
    )
    expect(rows).toHaveLength(nicknames.length)
    return Object.fromEntries(
      rows.map((u) => [
        u.nickname,
        {
          tags: [...u.tags].sort(),
          flags: {
            '--admin': u.is_admin,
            '--moderator': u.is_moderator,
            '--locked': u.is_locked,
            '--discoverable': u.is_discoverable,
            '--hide-followers': u.hide_followers,
            '--hide-follows': u.hide_follows,
            active: u.is_active,
          },
        },
      ]),
    )
  }

  it('no lost update, no exit 1, the removed users purged with nothing left behind, counters consistent', async () => {
    const ids = await seedUsers(
      {sql},
      USERS.map((nickname) => ({nickname, tags: ['old-a', 'old-b']})),
    )
    await sql(
      `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
       SELECT f.id, t.id, 2, now(), now() FROM users f, users t WHERE f.id <> t.id AND f.local AND t.local`,
    )
    await sql(`UPDATE users SET follower_count = $1, following_count = $1 WHERE local`, [USERS.length - 1])
    // A post of each removed user: rm deletes it.
    for (const n of REMOVED) {
      await sql(
        `INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
         VALUES ($3::uuid, jsonb_build_object('id', $1::text, 'type', 'Create', 'actor', $2::text, 'object', $1::text || '/o',
                 'to', jsonb_build_array('https://www.w3.org/ns/activitystreams#Public')), now(), now(), true, $2, ARRAY['https://www.w3.org/ns/activitystreams#Public'])`,
        [`${INSTANCE_URL}/activities/${n}-post`, `${INSTANCE_URL}/users/${n}`, newFlakeId()],
      )
    }

    const calls: Call[] = []
    // Every surviving user: a tag, an untag and two flag changes, each its own process, and two bulk
    // tags of all of them (several users in one process, in opposite orders).
    const survivors = USERS.filter((n) => !REMOVED.includes(n))
    const flagPairs = [
      ['--admin', '--locked'],
      ['--moderator', '--discoverable'],
      ['--hide-followers', '--hide-follows'],
    ]
    survivors.forEach((n, i) => {
      calls.push({args: ['user:tag', n, `t1-${n}`], codes: [0]})
      calls.push({args: ['user:untag', n, 'old-a'], codes: [0]})
      for (const flag of flagPairs[i % flagPairs.length]) calls.push({args: ['user:set', n, flag], codes: [0]})
    })
    calls.push({args: ['user:tag', '--stdin', '--yes', 'bulk-up'], stdin: survivors.join('\n'), codes: [0]})
    calls.push({args: ['user:tag', '--stdin', '--yes', 'bulk-down'], stdin: [...survivors].reverse().join('\n'), codes: [0]})
    // The removed users: rm, each racing a tag and a flag change (which then find it, or not: exit 0 or 3).
    for (const n of REMOVED) {
      calls.push({args: ['user:rm', n, '--yes', '--batch-size', '1'], codes: [0]})
      calls.push({args: ['user:tag', n, 'doomed'], codes: [0, 3]})
      calls.push({args: ['user:set', n, '--moderator'], codes: [0, 3]})
    }
    expect(calls.length).toBe(24)

    const before = await flagsAndTags(survivors)
    const env = {DATABASE_URL: db.url, PLEROMA_INSTANCE_URL: INSTANCE_URL}
    const results = await Promise.all(calls.map((c) => runProcess(c.args, {env, stdin: c.stdin})))
    const report = describeRun(calls, results)

    // Every process ended as it may, with its own output, never "unexpected", never a stack trace.
    results.forEach((r, i) => {
      if (!calls[i].codes.includes(r.code ?? -1) || /unexpected|^\s+at .+:\d+:\d+\)?$/m.test(r.stderr)) {
        throw new Error(`a process ended badly:\n${report}`)
      }
    })

    // No lost update on the survivors: every tag added and removed, every flag set, the others as they were.
    const after = await flagsAndTags(survivors)
    survivors.forEach((n, i) => {
      expect(after[n].tags).toEqual(['bulk-down', 'bulk-up', 'old-b', `t1-${n}`].sort())
      const expected = {...before[n].flags}
      for (const flag of flagPairs[i % flagPairs.length]) {
        // (each one a change: false before)
        expect({nickname: n, flag, before: before[n].flags[flag]}).toEqual({nickname: n, flag, before: false})
        expected[flag] = true
      }
      expect({nickname: n, ...after[n].flags}).toEqual({nickname: n, ...expected})
    })

    // The removed users: purged (inactive, no roles, counters 0), nothing of theirs left behind.
    const removedIds = REMOVED.map((n) => ids[n])
    const gone = await sql(`SELECT nickname, is_active, is_admin, email, follower_count, following_count FROM users WHERE id = ANY($1::uuid[])`, [removedIds])
    for (const u of gone) expect(u).toMatchObject({is_active: false, is_admin: false, email: null, follower_count: 0, following_count: 0})
    expect(
      await sql(`SELECT follower_id, following_id FROM following_relationships WHERE follower_id = ANY($1::uuid[]) OR following_id = ANY($1::uuid[])`, [
        removedIds,
      ]),
    ).toEqual([])
    expect(
      await sql(`SELECT data->>'type' AS type FROM activities WHERE actor = ANY($1) AND data->>'type' <> 'Delete'`, [
        REMOVED.map((n) => `${INSTANCE_URL}/users/${n}`),
      ]),
    ).toEqual([])
    expect(await sql(`SELECT id FROM oauth_tokens WHERE user_id = ANY($1::uuid[])`, [removedIds])).toEqual([])

    // The follow counters of every local user match the follows that remain (none lost between two rms).
    const counters = await sql(
      `SELECT u.nickname, u.follower_count AS followers, u.following_count AS following,
              (SELECT count(*) FROM following_relationships r JOIN users f ON f.id = r.follower_id
                WHERE r.following_id = u.id AND r.state = 2 AND f.id <> u.id AND f.is_active)::int AS real_followers,
              (SELECT count(*) FROM following_relationships r JOIN users t ON t.id = r.following_id
                WHERE r.follower_id = u.id AND r.state = 2 AND t.id <> u.id AND t.is_active)::int AS real_following
         FROM users u WHERE u.local ORDER BY u.nickname`,
    )
    for (const c of counters)
      expect({nickname: c.nickname, followers: c.followers, following: c.following}).toEqual({
        nickname: c.nickname,
        followers: c.real_followers,
        following: c.real_following,
      })
    // The survivors still follow one another.
    for (const c of counters.filter((x) => survivors.includes(x.nickname))) expect(c.followers).toBe(survivors.length - 1)
  }, 300_000)
})

describePg("two transactions recomputing one user's follow counters [postgres]", () => {
  let db: Awaited<ReturnType<typeof scratchPgDatabase>>
  afterEach(async () => {
    await db?.drop()
  })

  /**
   * What two concurrent user:rm (or unsubscribe) batches do to a user both
   * had followed: each deletes its follow and recomputes the counters. The
   * second one waits for the first one's row lock; it must then count the
   * follows as they are once the first has committed, not as they were when
   * its statement began (which left follower_count one too high).
   */
  it('each removed a follow of the same user: the counter matches the follows left', async () => {
    db = await scratchPgDatabase(pgTemplatePleroma())
    const client = new Client({connectionString: db.url})
    await client.connect()
    const dbs = await Promise.all([1, 2].map(() => openDatabase({kind: 'url', url: db.url, from: 'flag'})))
    try {
      const sql = async (q: string, p?: unknown[]) => (await client.query(q, p as unknown[])).rows
      const ids = await seedUsers({sql}, [{nickname: 'x'}, {nickname: 'a'}, {nickname: 'b'}])
      await sql(
        `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
         VALUES ($1, $3, 2, now(), now()), ($2, $3, 2, now(), now())`,
        [ids.a, ids.b, ids.x],
      )
      await sql(`UPDATE users SET follower_count = 2 WHERE nickname = 'x'`)
      const unfollow = `DELETE FROM following_relationships WHERE follower_id = $1 AND following_id = $2`
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      let firstDone = false
      const first = dbs[0].transaction(async (m) => {
        await m.query(unfollow, [ids.a, ids.x])
        await recomputeFollowCounters(m, [ids.x])
        firstDone = true
        await held
      })
      while (!firstDone) await new Promise((resolve) => setTimeout(resolve, 20))
      const second = dbs[1].transaction(async (m) => {
        await m.query(unfollow, [ids.b, ids.x])
        await recomputeFollowCounters(m, [ids.x])
      })
      // The second waits for x's row, locked by the first.
      for (let i = 0; ; i++) {
        const [{n}] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
        if (n >= 1) break
        if (i > 400) throw new Error('the second transaction never waited for the first one')
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      release()
      await Promise.all([first, second])
      expect(await sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 0}])
      expect(await sql(`SELECT follower_count FROM users WHERE nickname = 'x'`)).toEqual([{follower_count: 0}])
    } finally {
      await Promise.all(dbs.map((d) => d.close()))
      await client.end()
    }
  })
})

describePg('rm, deactivate and grace periods of users who follow each other, at the same time [postgres]', () => {
  let db: Awaited<ReturnType<typeof scratchPgDatabase>>
  afterAll(async () => {
    await db?.drop()
  })

  /**
   * Each pair follows each other, and both are acted on at once by two
   * processes. Every deactivation is slowed down (a trigger sleeps), so
   * both transactions are inside their work at the same time: one that
   * locked its own user first and its partner's row only when recomputing
   * the counters waited for the other, which waited for it (a deadlock,
   * exit 5 for one of them). Locking both rows first, in one order, the
   * second waits and then goes on.
   */
  it('every process ends with exit 0 and the counters match the follows left', async () => {
    db = await scratchPgDatabase(pgTemplatePleroma())
    const client = new Client({connectionString: db.url})
    await client.connect()
    try {
      const sql = async (q: string, p?: unknown[]) => (await client.query(q, p as unknown[])).rows
      const pairs = [
        ['ra', 'rb'],
        ['da', 'db'],
        ['ga', 'gb'],
      ]
      await seedUsers(
        {sql},
        [...pairs.flat(), 'bystander'].map((nickname) => ({nickname})),
      )
      // Each pair follows each other; everyone follows the bystander.
      await sql(
        `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
         SELECT f.id, t.id, 2, now(), now() FROM users f JOIN users t ON f.id <> t.id
          WHERE (f.nickname, t.nickname) IN (('ra','rb'),('rb','ra'),('da','db'),('db','da'),('ga','gb'),('gb','ga'))
             OR (t.nickname = 'bystander' AND f.nickname <> 'bystander')`,
      )
      await sql(`UPDATE users u SET follower_count = (SELECT count(*) FROM following_relationships r WHERE r.following_id = u.id),
                                    following_count = (SELECT count(*) FROM following_relationships r WHERE r.follower_id = u.id)`)
      await sql(`CREATE FUNCTION slow_deactivation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$`)
      await sql(
        `CREATE TRIGGER slow_deactivation BEFORE UPDATE OF is_active ON users
           FOR EACH ROW WHEN (OLD.is_active AND NOT NEW.is_active) EXECUTE FUNCTION slow_deactivation()`,
      )
      const calls: string[][] = [
        ['user:rm', 'ra', '--yes'],
        ['user:rm', 'rb', '--yes'],
        ['user:deactivate', 'da', '--yes'],
        ['user:deactivate', 'db', '--yes'],
        ['user:rm', 'ga', '--grace', '7d', '--yes'],
        ['user:rm', 'gb', '--grace', '7d', '--yes'],
      ]
      const env = {DATABASE_URL: db.url, PLEROMA_INSTANCE_URL: INSTANCE_URL}
      const results = await Promise.all(calls.map((args) => runProcess(args, {env})))
      const report = calls.map((c, i) => `${c.join(' ')} -> exit ${results[i].code} ${results[i].stderr.trim().slice(0, 300)}`).join('\n')
      expect({report, codes: results.map((r) => r.code)}).toEqual({report, codes: calls.map(() => 0)})
      expect(results.map((r) => r.stdout)).toEqual([
        expect.stringContaining('User ra deleted.'),
        expect.stringContaining('User rb deleted.'),
        expect.stringContaining('da'),
        expect.stringContaining('db'),
        expect.stringContaining('ga'),
        expect.stringContaining('gb'),
      ])

      const users = await sql(`SELECT nickname, is_active, follower_count, following_count FROM users WHERE local ORDER BY nickname`)
      expect(users.map((u) => [u.nickname, u.is_active])).toEqual([
        ['bystander', true],
        ['da', false],
        ['db', false],
        ['ga', false],
        ['gb', false],
        ['ra', false],
        ['rb', false],
      ])
      // rm removed every follow of ra and rb; deactivate removed da's and db's follows of active local accounts;
      // the grace period keeps ga's and gb's (user:restore puts them back).
      const follows = await sql(
        `SELECT f.nickname AS follower, t.nickname AS followed FROM following_relationships r
           JOIN users f ON f.id = r.follower_id JOIN users t ON t.id = r.following_id ORDER BY 1, 2`,
      )
      // (Pleroma's set_activation removes follows of active accounts only: the one deactivated second keeps its follow of the first.)
      const kept = follows.map((r) => `${r.follower}->${r.followed}`)
      expect(kept.filter((f) => f.startsWith('g'))).toEqual(['ga->bystander', 'ga->gb', 'gb->bystander', 'gb->ga'])
      expect([['da->db'], ['db->da']]).toContainEqual(kept.filter((f) => !f.startsWith('g')))
      // The counters count active accounts only: the bystander has no active follower left; ga and gb still follow it (active).
      expect(users.map((u) => [u.nickname, u.follower_count, u.following_count])).toEqual([
        ['bystander', 0, 0],
        ['da', 0, 0],
        ['db', 0, 0],
        ['ga', 0, 1],
        ['gb', 0, 1],
        ['ra', 0, 0],
        ['rb', 0, 0],
      ])
    } finally {
      await client.end()
    }
  }, 120_000)
})

describe('concurrent writers on the embedded database', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-concurrent-'))
  })
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('user:new and user:tag processes started together all land (each waits for the lock)', async () => {
    const env = {PLEROMA_ADMIN_DATA_DIR: path.join(dir, 'db'), PLEROMA_ADMIN_LOCK_TIMEOUT: '600', PLEROMA_INSTANCE_URL: INSTANCE_URL}
    const first = await runProcess(['user:new', 'base', 'base@example.com', '--yes', '--password-stdin'], {env, stdin: 'secret-base\n'})
    expect(first.code).toBe(0)
    const names = Array.from({length: 3}, (_, i) => `w${i + 1}`)
    const tags = Array.from({length: 3}, (_, i) => `c${i + 1}`)
    const calls = [...names.map((n) => ['user:new', n, `${n}@example.com`, '--yes', '--password-stdin']), ...tags.map((t) => ['user:tag', 'base', t])]
    const results = await Promise.all(calls.map((args) => runProcess(args, {env, stdin: 'secret-pw\n'})))
    const report = describeRun(
      calls.map((args) => ({args, codes: [0]})),
      results,
    )
    if (results.some((r) => r.code !== 0)) throw new Error(`a process failed:\n${report}`)
    // Some waited for the lock, and said so.
    expect(results.some((r) => r.stderr.includes('Waiting for another pleroma-admin process'))).toBe(true)
    const list = await runProcess(['user:list', '--json'], {env})
    expect(list.code).toBe(0)
    const users = JSON.parse(list.stdout) as Array<{nickname: string; tags: string[]}>
    expect(users.map((u) => u.nickname).sort()).toEqual(['base', ...names].sort())
    const shown = await runProcess(['user:show', 'base', '--json'], {env})
    expect(shown.code).toBe(0)
    expect([...(JSON.parse(shown.stdout) as {user: {tags: string[]}}).user.tags].sort()).toEqual(tags)
  }, 600_000)
})
