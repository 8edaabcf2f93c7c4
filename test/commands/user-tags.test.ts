import {Client} from 'pg'
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {expectBumped, expectUnchanged, INSTANCE_URL, seedUsers, userRow} from '../helpers/user-flags'
import {openDatabase, type Database} from '../../src/db/connection'
import {changeTags, type TagMode} from '../../src/services/user-tags'

describeBackends('user:tag / user:untag', (b) => {
  beforeEach(async () => {
    await seedUsers(b, [
      {nickname: 'alice'},
      {nickname: 'tagged', tags: ['pleroma']},
      {nickname: 'messy', tags: ['Keep', 'a', 'b', 'a', 'c', 'A']},
      {nickname: 'bob@remote.example', local: false, tags: ['x']},
    ])
  })

  it('tag "pleroma" adds it (Pleroma’s test) and prints the resulting list', async () => {
    const started = Date.now()
    const r = await b.run(['user:tag', 'alice', 'pleroma'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Tags of alice: ["pleroma"]\n')
    const u = await userRow(b, 'alice')
    expect(u.tags).toEqual(['pleroma'])
    expectBumped(u.updated_at, started)
  })

  it('untag of a user tagged "pleroma" leaves the list empty (Pleroma’s test)', async () => {
    const started = Date.now()
    const r = await b.run(['user:untag', 'tagged', 'pleroma'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Tags of tagged: []\n')
    const u = await userRow(b, 'tagged')
    expect(u.tags).toEqual([])
    expectBumped(u.updated_at, started)
  })

  it('unknown user: "Could not change user tags" (Pleroma’s test), exit 3, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const cmd of ['user:tag', 'user:untag']) {
      const r = await b.run([cmd, 'nobody', 'pleroma'])
      expect(r.exitCode).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/^Error: Could not change user tags for nobody\.\nHint: /)
      expectErrorLines(r.stderr)
      const j = await b.run([cmd, 'nobody', 'pleroma', '--json'])
      expect(j.exitCode).toBe(3)
      expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'Could not change user tags for nobody'})
    }
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('tag lower-cases (Unicode-aware) and appends, keeping the first of each duplicate, also of stored ones', async () => {
    const r = await b.run(['user:tag', 'messy', 'B', 'ÄÖ', 'NEW', 'new', 'keep'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Tags of messy: ["Keep", "a", "b", "c", "A", "äö", "new", "keep"]\n')
    expect((await userRow(b, 'messy')).tags).toEqual(['Keep', 'a', 'b', 'c', 'A', 'äö', 'new', 'keep'])
  })

  it('untag removes one occurrence per tag given (the first), matching exactly', async () => {
    const one = await b.run(['user:untag', 'messy', 'a', 'missing'])
    expect(one.exitCode).toBe(0)
    expect(one.stdout).toBe('Tags of messy: ["Keep", "b", "a", "c", "A"]\n')
    // "A" and "KEEP" are lower-cased to "a" and "keep": "a" goes, the stored "A" and "Keep" stay.
    const two = await b.run(['user:untag', 'messy', 'A', 'KEEP', '--json'])
    expect(two.json).toEqual({dryRun: false, nickname: 'messy', tags: ['Keep', 'b', 'c', 'A'], changed: true})
    await b.sql(`UPDATE users SET tags = '{x,y,x,x}' WHERE nickname = 'alice'`)
    const twice = await b.run(['user:untag', 'alice', 'x', 'x'])
    expect(twice.stdout).toBe('Tags of alice: ["y", "x"]\n')
    expect((await userRow(b, 'messy')).tags).toEqual(['Keep', 'b', 'c', 'A'])
    expect((await userRow(b, 'alice')).tags).toEqual(['y', 'x'])
  })

  it('writes nothing when the list does not change (updated_at kept), and still prints it', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const tag = await b.run(['user:tag', 'tagged', 'PLEROMA', '--json'])
    expect(tag.json).toEqual({dryRun: false, nickname: 'tagged', tags: ['pleroma'], changed: false})
    const untag = await b.run(['user:untag', 'alice', 'absent'])
    expect(untag.exitCode).toBe(0)
    expect(untag.stdout).toBe('Tags of alice: []\n')
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    expectUnchanged((await userRow(b, 'tagged')).updated_at)
  })

  it('works on remote users, and on a NULL tags column', async () => {
    const r = await b.run(['user:tag', 'BOB@remote.example', 'mrf_tag:sandbox'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Tags of bob@remote.example: ["x", "mrf_tag:sandbox"]\n')
    const u = await b.run(['user:untag', 'bob@remote.example', 'x', '--json'])
    expect(u.json).toEqual({dryRun: false, nickname: 'bob@remote.example', tags: ['mrf_tag:sandbox'], changed: true})
    await b.sql(`UPDATE users SET tags = NULL WHERE nickname = 'alice'`)
    const none = await b.run(['user:untag', 'alice', 'x', '--json'])
    expect(none.json).toEqual({dryRun: false, nickname: 'alice', tags: [], changed: false})
    expect((await userRow(b, 'alice')).tags).toBeNull()
    const add = await b.run(['user:tag', 'alice', 'x'])
    expect(add.stdout).toBe('Tags of alice: ["x"]\n')
  })

  it('finds the user case-insensitively and as nick@<instance host>, and prints the stored nickname', async () => {
    const r = await b.run(['user:tag', 'ALICE', 'one'])
    expect(r.stdout).toBe('Tags of alice: ["one"]\n')
    const at = await b.run(['user:tag', 'alice@PLEROMA.example', 'two', '--instance-url', INSTANCE_URL])
    expect(at.exitCode).toBe(0)
    expect(at.stdout).toBe('Tags of alice: ["one", "two"]\n')
  })

  it('prints tags in Elixir’s inspect syntax, escaping quotes, backslashes and #{', async () => {
    const r = await b.run(['user:tag', 'alice', 'say "hi"', 'back\\slash', '#{x}', 'tab\there'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Tags of alice: ["say \\"hi\\"", "back\\\\slash", "\\#{x}", "tab\\there"]\n')
    expect((await userRow(b, 'alice')).tags).toEqual(['say "hi"', 'back\\slash', '#{x}', 'tab\there'])
  })

  it('takes tags that start with a dash after --', async () => {
    const r = await b.run(['user:tag', 'alice', '--', '-odd', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Tags of alice: ["-odd", "--json"]\n')
  })

  it('--dry-run prints the resulting list and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:tag', 'tagged', 'more', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Tags of tagged: ["pleroma", "more"]\n')
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:untag', 'tagged', 'pleroma', '--dry-run', '--json'])
    expect(j.json).toEqual({dryRun: true, nickname: 'tagged', tags: [], changed: true})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('refuses an empty tag or one too long for the column (exit 4, one line, nothing changed); 255 characters fit', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const cmd of ['user:tag', 'user:untag']) {
      const empty = await b.run([cmd, 'tagged', 'ok', ''])
      expect(empty.exitCode).toBe(4)
      expect(empty.stderr).toMatch(/^Error: A tag is empty\./)
      expectErrorLines(empty.stderr)
      expect(empty.stdout).toBe('')
      const long = await b.run([cmd, 'tagged', 'é'.repeat(256), '--json'])
      expect(long.exitCode).toBe(4)
      expect(long.json.error).toMatchObject({code: 'refused', message: 'A tag is 256 characters long; the tags column holds at most 255.'})
    }
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    const fits = await b.run(['user:tag', 'alice', 'É'.repeat(255), '--json'])
    expect(fits.exitCode).toBe(0)
    expect(fits.json.tags).toEqual(['é'.repeat(255)])
  })

  it('usage errors exit 2: no tag, no nickname, an unknown flag', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const cmd of ['user:tag', 'user:untag']) {
      const noTag = await b.run([cmd, 'alice'])
      expect(noTag.exitCode).toBe(2)
      expect(noTag.stderr).toMatch(/^Error: No tag given: nothing to (un)?tag\.\nHint: Give the nickname and one or more tags/)
      const nothing = await b.run([cmd])
      expect(nothing.exitCode).toBe(2)
      const unknown = await b.run([cmd, 'alice', 'x', '--frobnicate'])
      expect(unknown.exitCode).toBe(2)
      expect(unknown.stderr).toContain('Nonexistent flag: --frobnicate')
    }
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  if (b.name !== 'embedded') {
    describe('concurrent commands on one user (separate connections)', () => {
      let dbs: Database[] = []
      afterEach(async () => {
        await Promise.all(dbs.map((d) => d.close()))
        dbs = []
      })

      /**
       * Runs the calls at once, each in its own transaction on its own
       * connection, while another transaction holds the user's row: every
       * call has read the user and is blocked in its UPDATE before the row
       * is released, so a read-modify-write would lose all but one change.
       */
      async function raceOnHeldRow(calls: Array<[TagMode, string]>): Promise<void> {
        dbs = await Promise.all(calls.map(() => openDatabase({kind: 'url', url: b.url!, from: 'flag'})))
        const blocker = new Client({connectionString: b.url})
        await blocker.connect()
        try {
          await blocker.query('BEGIN')
          await blocker.query(`SELECT 1 FROM users WHERE nickname = 'alice' FOR UPDATE`)
          const running = calls.map(([mode, tag], i) => dbs[i].transaction((m) => changeTags(m, 'alice', mode, [tag])))
          await waitForBlocked(blocker, calls.length)
          await blocker.query('COMMIT')
          const results = await Promise.all(running)
          expect(results.every((r) => r.changed)).toBe(true)
        } finally {
          await blocker.end()
        }
      }

      it('20 concurrent tag commands all land', async () => {
        const tags = Array.from({length: 20}, (_, i) => `t${i}`)
        await raceOnHeldRow(tags.map((t) => ['tag', t]))
        const u = await userRow(b, 'alice')
        expect([...u.tags!].sort()).toEqual([...tags].sort())
      })

      it('concurrent tag and untag commands do not lose each other’s change', async () => {
        const old = Array.from({length: 10}, (_, i) => `old${i}`)
        await b.sql(`UPDATE users SET tags = $1 WHERE nickname = 'alice'`, [old])
        const added = Array.from({length: 10}, (_, i) => `new${i}`)
        const calls: Array<[TagMode, string]> = []
        for (let i = 0; i < 10; i++) calls.push(['untag', old[i]], ['tag', added[i]])
        await raceOnHeldRow(calls)
        expect([...(await userRow(b, 'alice')).tags!].sort()).toEqual([...added].sort())
      })
    })
  }
})

/** Waits until `n` other sessions of this database wait for a lock. */
async function waitForBlocked(client: Client, n: number): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const {rows} = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    )
    if (rows[0].n >= n) return
    if (Date.now() > deadline) throw new Error(`only ${rows[0].n} of ${n} sessions got blocked`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export type {Backend}
