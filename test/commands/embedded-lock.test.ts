/**
 * The embedded database on disk, through the real executable (bin/run.js):
 * it persists across processes, and its data directory is locked so that two
 * processes never lose each other's writes.
 */
import {spawn} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const BIN = path.join(__dirname, '..', '..', 'bin', 'run.js')

interface Proc {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[], env: Record<string, string>, stdin = ''): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = {...process.env, ...env, PLEROMA_ADMIN_BCRYPT_COST: '4'}
    delete childEnv.DATABASE_URL
    delete childEnv.NODE_OPTIONS
    const p = spawn(process.execPath, [BIN, ...args], {env: childEnv})
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    p.on('error', reject)
    p.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))
    p.stdin.end(stdin)
  })
}

describe('the embedded database on disk', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-embedded-'))
  })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('is created on first use, persists, and two concurrent writers both land', async () => {
    // (initdb and two process start-ups: slow on a busy machine, see the timeout below)
    // A generous lock timeout: the first process runs initdb, which is slow on a busy machine.
    const env = {PLEROMA_ADMIN_DATA_DIR: path.join(dir, 'db'), PLEROMA_ADMIN_LOCK_TIMEOUT: '300'}
    const [a, b] = await Promise.all([
      cli(['user:new', 'alice', 'alice@example.com', '-y', '--password-stdin'], env, 'secret-a\n'),
      cli(['user:new', 'bob', 'bob@example.com', '-y', '--password-stdin'], env, 'secret-b\n'),
    ])
    expect([a.code, b.code]).toEqual([0, 0])
    expect(a.stdout).toContain('User alice created')
    expect(b.stdout).toContain('User bob created')
    // One of them waited for the other, and said so.
    expect(a.stderr + b.stderr).toContain('Waiting for another pleroma-admin process to release the embedded database')
    const list = await cli(['user:list', '--json'], env)
    expect(list.code).toBe(0)
    expect(
      JSON.parse(list.stdout)
        .map((u: {nickname: string}) => u.nickname)
        .sort(),
    ).toEqual(['alice', 'bob'])
    // The lock is released after each run.
    expect(fs.existsSync(path.join(dir, 'db.lock'))).toBe(false)
  }, 300_000)

  it('takes over the lock of a process that no longer exists', async () => {
    const db = path.join(dir, 'db')
    fs.mkdirSync(`${db}.lock`)
    // A pid that cannot exist (above the kernel's pid_max).
    fs.writeFileSync(path.join(`${db}.lock`, 'owner.json'), JSON.stringify({pid: 2 ** 30, host: os.hostname()}))
    const r = await cli(['user:list'], {PLEROMA_ADMIN_DATA_DIR: db, PLEROMA_ADMIN_LOCK_TIMEOUT: '5'})
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(fs.existsSync(`${db}.lock`)).toBe(false)
  })

  it('gives up with exit 5 and a clear message when the lock is not released in time', async () => {
    const db = path.join(dir, 'db')
    // Held by this (live) test process.
    fs.mkdirSync(`${db}.lock`)
    fs.writeFileSync(path.join(`${db}.lock`, 'owner.json'), JSON.stringify({pid: process.pid, host: os.hostname()}))
    const release = async () => fs.rmSync(`${db}.lock`, {recursive: true, force: true})
    try {
      const r = await cli(['user:list'], {PLEROMA_ADMIN_DATA_DIR: db, PLEROMA_ADMIN_LOCK_TIMEOUT: '1'})
      expect(r.code).toBe(5)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(`Waiting for another pleroma-admin process to release the embedded database ${db} ...`)
      expect(r.stderr).toContain(
        `Error: The embedded database ${db} is in use by another pleroma-admin process (pid ${process.pid}) (waited 1 s).\nHint: Wait for it to finish, or raise PLEROMA_ADMIN_LOCK_TIMEOUT (seconds). If no such process runs, remove ${db}.lock.`,
      )
      expect(fs.existsSync(path.join(db, 'PG_VERSION'))).toBe(false)
    } finally {
      await release()
    }
  })
})
