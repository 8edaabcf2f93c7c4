/**
 * Ctrl-C during batched work, through the real executable: the first SIGINT
 * stops after the current batch (whole batches done, exit 130, a message saying
 * how far it got), and running the command again finishes the job.
 */
import {spawn} from 'node:child_process'
import * as path from 'node:path'
import {Client} from 'pg'
import {PG_AVAILABLE, scratchPgDatabase, type Backend} from '../helpers/backends'
import {pgTemplateTool} from '../helpers/templates'
import {seedManyPosts} from '../helpers/social-graph'

const BIN = path.join(__dirname, '..', '..', 'bin', 'run.js')
const describePg = PG_AVAILABLE ? describe : describe.skip

interface Proc {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI and sends SIGINT once `trigger` appears in its stdout or stderr. */
function runAndInterrupt(args: string[], env: Record<string, string>, trigger: RegExp): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = {...process.env, ...env}
    delete childEnv.NODE_OPTIONS
    const p = spawn(process.execPath, [BIN, ...args], {env: childEnv})
    let stdout = ''
    let stderr = ''
    let sent = false
    const check = () => {
      if (!sent && trigger.test(stdout + stderr)) {
        sent = true
        p.kill('SIGINT')
      }
    }
    p.stdout.on('data', (d) => {
      stdout += d
      check()
    })
    p.stderr.on('data', (d) => {
      stderr += d
      check()
    })
    p.on('error', reject)
    p.on('close', (code) => resolve({code, stdout, stderr}))
    p.stdin.end()
  })
}

describePg('Ctrl-C between batches', () => {
  let db: Awaited<ReturnType<typeof scratchPgDatabase>>
  let client: Client
  let b: Pick<Backend, 'sql'>
  beforeEach(async () => {
    db = await scratchPgDatabase(pgTemplateTool())
    client = new Client({connectionString: db.url})
    await client.connect()
    b = {sql: async (q: string, p?: unknown[]) => (await client.query(q, p as unknown[])).rows}
  })
  afterEach(async () => {
    await client.end()
    await db.drop()
  })

  it('user:unsubscribe-all-from-instance stops after whole batches and a re-run finishes', async () => {
    await b.sql(`INSERT INTO users (id, nickname, bio, ap_id, local, inserted_at, updated_at)
      SELECT (lpad(to_hex(1704164645000 + g), 16, '0') || '0000000000000000')::uuid, 'u' || g || '@dead.example', '',
             'https://dead.example/users/u' || g, false, '2024-01-01 00:00:00', '2024-01-01 00:00:00'
        FROM generate_series(1, 400) g`)
    const env = {DATABASE_URL: db.url, PLEROMA_ADMIN_PROGRESS_INTERVAL: '0.001'}
    const r = await runAndInterrupt(
      ['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1'],
      env,
      /Successfully unsubscribed all followers from u1@dead\.example/,
    )
    expect(r.stderr).toContain('Stopping after the current batch (Ctrl-C again to stop at once) ...')
    expect(r.code).toBe(130)
    const m =
      /Error: Interrupted after (\d+) users of 400 \((\d+) whole batches\); 0 follows removed so far, nothing half-done\.\nHint: Run the same command again to finish\./.exec(
        r.stderr,
      )
    expect(m).not.toBeNull()
    const done = Number(m![1])
    expect(done).toBeGreaterThan(0)
    expect(done).toBeLessThan(400)
    const inactive = await b.sql(`SELECT count(*)::int AS n FROM users WHERE NOT is_active`)
    expect(inactive[0].n).toBe(done)
    // Progress lines went to stderr while it worked.
    expect(r.stderr).toMatch(/Unsubscribing users of dead\.example: \d+\/400 \(\d+%\)/)

    const again = await runAndInterrupt(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '100', '--json'], env, /^$/)
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({instance: 'dead.example', users: 400, deactivated: 400 - done, dryRun: false})
    expect((await b.sql(`SELECT count(*)::int AS n FROM users WHERE is_active`))[0].n).toBe(0)
  })

  it('user:delete-activities stops after whole batches and a re-run finishes', async () => {
    await seedManyPosts(b as Backend, 'alice', 3000)
    const env = {DATABASE_URL: db.url, PLEROMA_ADMIN_PROGRESS_INTERVAL: '0.001', PLEROMA_INSTANCE_URL: 'https://pleroma.example'}
    const r = await runAndInterrupt(['user:delete-activities', 'alice', '-y', '--batch-size', '100'], env, /Deleting posts: [1-9]/)
    expect(r.code).toBe(130)
    const m = /Error: Interrupted after (\d+) whole batches: (\d+) posts, 0 likes and announces deleted so far, nothing half-done\./.exec(r.stderr)
    expect(m).not.toBeNull()
    const posts = Number(m![2])
    expect(posts).toBe(Number(m![1]) * 100)
    expect(posts).toBeLessThan(3000)
    const tomb = await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone'`)
    expect(tomb[0].n).toBe(posts)
    const deletes = await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Delete'`)
    expect(deletes[0].n).toBe(posts)
    const again = await runAndInterrupt(['user:delete-activities', 'alice', '-y', '--json'], env, /^$/)
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({nickname: 'alice', posts: 3000 - posts})
    expect((await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone'`))[0].n).toBe(3000)
    expect((await b.sql(`SELECT note_count FROM users WHERE nickname = 'alice'`))[0].note_count).toBe(0)
  })
})
