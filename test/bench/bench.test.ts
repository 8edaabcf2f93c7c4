/**
 * The benchmark harness (bench/run.js) at its tiny scale, on both layouts:
 * every scenario's command and SQL baseline must end in the same state, and
 * a baseline that does nothing (--break) must be reported as different with
 * exit 1, so the comparison can fail. Times are not asserted (bench/RESULTS.md
 * is where they go).
 */
import {spawnSync} from 'node:child_process'
import * as path from 'node:path'
import {Client} from 'pg'
import {PG_AVAILABLE} from '../helpers/backends'

const RUN = path.join(__dirname, '..', '..', 'bench', 'run.js')
const havePsql = spawnSync('psql', ['--version']).status === 0
const describeBench = PG_AVAILABLE && havePsql ? describe : describe.skip

interface BulkResult {
  id: string
  m: number
  command: number[]
  baseline: number[]
  equal: boolean
  diff: Array<{table: string}>
}

function bench(args: string[]) {
  const env = {...process.env}
  delete env.NODE_OPTIONS
  const r = spawnSync(
    process.execPath,
    [RUN, '--database-url', process.env.TEST_DATABASE_URL!, '--scale', 'tiny', '--runs', '1', '--reseed', '--json', ...args],
    {
      env,
      encoding: 'utf8',
      timeout: 280_000,
    },
  )
  return {code: r.status, stderr: r.stderr, json: r.stdout ? JSON.parse(r.stdout) : undefined}
}

async function leftovers(): Promise<string[]> {
  const c = new Client({connectionString: process.env.TEST_DATABASE_URL})
  await c.connect()
  try {
    const {rows} = await c.query(`SELECT datname FROM pg_database WHERE datname ~ '^pa_bench_[0-9]+_' ORDER BY datname`)
    return rows.map((r) => r.datname)
  } finally {
    await c.end()
  }
}

describeBench('bench/run.js at the tiny scale', () => {
  for (const layout of ['tool', 'pleroma']) {
    it(`${layout} layout: commands and SQL baselines end equal; a do-nothing baseline is caught (exit 1)`, async () => {
      const before = await leftovers()
      const only =
        layout === 'tool' ? 'unsubscribe-all-from-instance,delete-activities,rm,list,startup' : 'unsubscribe-all-from-instance,delete-activities,rm,list'
      const r = bench(['--layout', layout, '--only', only, '--break', 'rm', '--startup-runs', '1'])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('End states differ: rm 1x (')
      expect(r.json.layout).toBe(layout)
      expect(r.json.info.local_users).toBeGreaterThan(200)
      expect(r.json.info.activities).toBeGreaterThan(4000)
      const byId = Object.fromEntries((r.json.bulk as BulkResult[]).map((b) => [b.id, b]))
      expect(Object.keys(byId).sort()).toEqual(['delete-activities', 'rm', 'unsubscribe-all-from-instance'])
      for (const id of ['unsubscribe-all-from-instance', 'delete-activities']) {
        expect(byId[id]).toMatchObject({m: 1, equal: true, diff: []})
        expect(byId[id].command[0]).toBeGreaterThan(0)
        expect(byId[id].baseline[0]).toBeGreaterThan(0)
      }
      // The do-nothing baseline left the victim, its posts and follows in place.
      expect(byId.rm.equal).toBe(false)
      expect(byId.rm.diff.map((d) => d.table)).toEqual(expect.arrayContaining(['users', 'following_relationships', 'activities (new)', 'objects']))
      expect(r.json.list.command[0]).toBeGreaterThan(0)
      expect(r.json.list.rss[0]).toBeGreaterThan(10_000)
      if (layout === 'tool') {
        expect(r.json.startup.map((c: {id: string}) => c.id)).toEqual([
          'node -e 0',
          'pleroma-admin --help',
          'user:tag (PostgreSQL)',
          'user:list (embedded, 10 users)',
          'user:list (embedded, first run)',
        ])
        for (const c of r.json.startup) expect(c.median).toBeGreaterThan(0)
        // The embedded runs report their peak RSS (a PGlite process takes well over 50 MB).
        for (const c of r.json.startup.slice(3)) expect(c.peakRssMb).toBeGreaterThan(50)
      }
      // Its databases are dropped at the end (those of other runs may exist).
      expect(await leftovers()).toEqual(before)
    }, 300_000)
  }

  it('the federated scenarios (#11): rm with jobs and --no-federate end equal to their floors, oban_jobs compared; one INSERT per batch', async () => {
    const before = await leftovers()
    const r = bench(['--only', 'rm-federated,rm-no-federate', '--fed-template', 'pa_bench_pleroma_fed_jest', '--batch-size', '10'])
    expect(r.stderr).not.toContain('Error')
    expect(r.code).toBe(0)
    // Only the federated template was needed: no main template, no list.
    expect(r.json.info).toBeUndefined()
    expect(r.json.list).toBeUndefined()
    expect(r.json.fedInfo.local_users).toBeGreaterThan(200)
    const byId = Object.fromEntries((r.json.bulk as Array<BulkResult & {queued: Record<string, number>}>).map((b) => [b.id, b]))
    expect(Object.keys(byId).sort()).toEqual(['rm-federated', 'rm-no-federate'])
    // tiny: 40 posts, followers on 1 server (+1 unreachable): the 40 Deletes and the account's to 1 shared inbox,
    // in 4 batches of 10 posts and the last transaction, one INSERT each.
    expect(byId['rm-federated']).toMatchObject({equal: true, diff: [], queued: {jobs: 41, inboxes: 1, statements: 5, transactions: 5}})
    expect(byId['rm-no-federate']).toMatchObject({equal: true, diff: [], queued: {jobs: 0, inboxes: 0, statements: 0, transactions: 0}})
    // A floor that does nothing is reported (exit 1).
    const broken = bench(['--only', 'rm-federated', '--fed-template', 'pa_bench_pleroma_fed_jest', '--break', 'rm-federated'])
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain('End states differ: rm-federated 1x (')
    expect(await leftovers()).toEqual(before)
    const c = new Client({connectionString: process.env.TEST_DATABASE_URL})
    await c.connect()
    await c.query('DROP DATABASE IF EXISTS pa_bench_pleroma_fed_jest')
    await c.end()
  }, 300_000)
})
