/**
 * The embedded database's data directory, through the real executable
 * (bin/run.js), as on a fresh machine (a new HOME): made from the template
 * built by `npm run build` (no initdb), private (PostgreSQL's 0700/0600), and
 * refused where PostgreSQL would refuse it: not a directory, another user's,
 * not empty and not a database, or open to other users
 * (docs/design.md#embedded-database).
 */
import {spawnSync} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {PGlite} from '@electric-sql/pglite'
import {openEmbedded, pgliteExtensions, PGLITE_PARSERS} from '../../src/db/embedded'
import {extractTemplate, TEMPLATE_FILE} from '../../src/db/embedded-template'
import {pgliteTemplateFile} from '../helpers/templates'

const ROOT = path.join(__dirname, '..', '..')
const BIN = path.join(ROOT, 'bin', 'run.js')
const TEMPLATE = path.join(ROOT, 'dist', TEMPLATE_FILE)

interface Proc {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[], env: Record<string, string>): Proc {
  const childEnv: NodeJS.ProcessEnv = {...process.env, ...env, PLEROMA_ADMIN_BCRYPT_COST: '4', PLEROMA_ADMIN_LOCK_TIMEOUT: '300'}
  delete childEnv.DATABASE_URL
  delete childEnv.PLEROMA_ADMIN_DATABASE_URL
  delete childEnv.NODE_OPTIONS
  delete childEnv.XDG_DATA_HOME
  if (!('PLEROMA_ADMIN_DATA_DIR' in env)) delete childEnv.PLEROMA_ADMIN_DATA_DIR
  const r = spawnSync(process.execPath, [BIN, ...args], {env: childEnv, encoding: 'utf8', input: ''})
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr}
}

/** Every path under `dir` (itself included) that the group or others can access, with its mode. */
function openToOthers(dir: string): string[] {
  const found: string[] = []
  const walk = (p: string) => {
    const st = fs.lstatSync(p)
    if ((st.mode & 0o077) !== 0) found.push(`${(st.mode & 0o777).toString(8)} ${path.relative(dir, p) || '.'}`)
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name))
  }
  walk(dir)
  return found
}

/** Every path under `dir` with its mode, owner, size and mtime: to show that a refusal touched nothing. */
function snapshot(dir: string): string[] {
  const out: string[] = []
  const walk = (p: string) => {
    const st = fs.lstatSync(p)
    out.push(`${path.relative(dir, p)} ${st.mode.toString(8)} ${st.uid} ${st.size} ${st.mtimeMs}`)
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name))
  }
  walk(dir)
  return out
}

/** A refusal: exit 5, the message and a hint, no stack, no Node warning, nothing on stdout. */
function expectRefused(r: Proc, message: RegExp): void {
  expect(r.code).toBe(5)
  expect(r.stdout).toBe('')
  expect(r.stderr).toMatch(message)
  expect(r.stderr).not.toMatch(/undefined|Warning|\(node:|\n\s+at /)
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2)
}

/** PostgreSQL's system identifier (pg_control's first 8 bytes): made by initdb, different for every initdb. */
function systemIdentifier(dataDir: string): string {
  return fs
    .readFileSync(path.join(dataDir, 'global', 'pg_control'))
    .subarray(0, 8)
    .toString('hex')
}

/** The schema and the tool's rows of a database, as text to compare. */
async function schemaOf(query: (sql: string) => Promise<Array<{k: string; v: string}>>): Promise<string[]> {
  const rows = await query(`
    SELECT 'column' AS k, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS v
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'extension', extname || ' ' || extversion FROM pg_extension
    UNION ALL SELECT 'function', p.oid::regprocedure::text FROM pg_proc p WHERE pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger', tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'type', typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
    UNION ALL SELECT 'database', datname || ' ' || pg_encoding_to_char(encoding) || ' ' || datcollate || ' ' || datctype FROM pg_database
    UNION ALL SELECT 'rows', table_name || ' ' || (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM public.' || quote_ident(table_name), false, true, '')))[1]::text
      FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    UNION ALL SELECT 'migration', name FROM pleroma_admin_migrations
    ORDER BY 1, 2`)
  return rows.map((r) => `${r.k}: ${r.v}`)
}

describe('the embedded data directory', () => {
  let tmp: string
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-data-dir-'))
  })
  afterEach(() => fs.rmSync(tmp, {recursive: true, force: true}))

  it('is made from the built template on a fresh machine, private after the first run and after later ones', async () => {
    const home = path.join(tmp, 'home')
    fs.mkdirSync(home)
    const env = {HOME: home}
    const first = cli(['user:new', 'alice', 'alice@example.com', '--password', 'x', '-y', '--instance-url', 'https://example.com'], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('User alice created')
    const top = path.join(home, '.local')
    const dataDir = path.join(home, '.local', 'share', 'pleroma-admin', 'pglite')
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true)
    // Parents made 0700 too; nothing under them open to the group or others; the lock is gone.
    expect(openToOthers(top)).toEqual([])
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false)
    expect(fs.existsSync(path.join(dataDir, '.pleroma-admin-creating'))).toBe(false)
    // Unpacked from the template (its initdb's system identifier), not made by an initdb of its own.
    const unpacked = path.join(tmp, 'unpacked')
    fs.mkdirSync(unpacked, {mode: 0o700})
    await extractTemplate(TEMPLATE, unpacked)
    expect(systemIdentifier(dataDir)).toBe(systemIdentifier(unpacked))
    expect(openToOthers(unpacked)).toEqual([])

    // Later runs (PostgreSQL rewrites its relation cache files at every start) keep it so.
    const list = cli(['user:list'], env)
    expect(list.code).toBe(0)
    expect(list.stdout).toContain('alice')
    const tag = cli(['user:tag', 'alice', 'x'], env)
    expect(tag.code).toBe(0)
    expect(openToOthers(top)).toEqual([])

    // The lock directory, held while the database is open.
    const handle = await openEmbedded(dataDir)
    try {
      expect((fs.statSync(`${dataDir}.lock`).mode & 0o777).toString(8)).toBe('700')
      expect((fs.statSync(path.join(`${dataDir}.lock`, 'owner.json')).mode & 0o777).toString(8)).toBe('600')
      const {rows} = await handle.db.query<{nickname: string; tags: string[]}>(`SELECT nickname, tags FROM users`)
      expect(rows).toEqual([{nickname: 'alice', tags: ['x']}])
    } finally {
      await handle.close()
    }
    expect(openToOthers(top)).toEqual([])
  })

  it('has the schema initdb and the migrations give (the test template is made that way)', async () => {
    const dataDir = path.join(tmp, 'db')
    const handle = await openEmbedded(dataDir, {template: TEMPLATE})
    let fromTemplate: string[]
    try {
      expect(handle.created).toBe(true)
      fromTemplate = await schemaOf(async (q) => (await handle.db.query<{k: string; v: string}>(q)).rows)
    } finally {
      await handle.close()
    }
    const initdb = await PGlite.create({
      loadDataDir: new Blob([fs.readFileSync(pgliteTemplateFile())]),
      extensions: pgliteExtensions(),
      parsers: PGLITE_PARSERS,
    })
    try {
      const made = await schemaOf(async (q) => (await initdb.query<{k: string; v: string}>(q)).rows)
      expect(made.length).toBeGreaterThan(100)
      expect(fromTemplate).toEqual(made)
    } finally {
      await initdb.close()
    }
  })

  it('starts again from the template after a first run killed while unpacking it', () => {
    const dataDir = path.join(tmp, 'db')
    fs.mkdirSync(dataDir, {mode: 0o700})
    fs.writeFileSync(path.join(dataDir, '.pleroma-admin-creating'), '')
    fs.mkdirSync(path.join(dataDir, 'base'))
    fs.writeFileSync(path.join(dataDir, 'base', 'half-written'), 'x')
    const r = cli(['user:list', '--json'], {PLEROMA_ADMIN_DATA_DIR: dataDir})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([])
    expect(fs.existsSync(path.join(dataDir, 'base', 'half-written'))).toBe(false)
    expect(fs.existsSync(path.join(dataDir, '.pleroma-admin-creating'))).toBe(false)
    expect(openToOthers(dataDir)).toEqual([])
  })

  it('makes an empty directory of ours private and uses it (as initdb does)', () => {
    const dataDir = path.join(tmp, 'empty')
    fs.mkdirSync(dataDir)
    fs.chmodSync(dataDir, 0o755)
    const r = cli(['user:list', '--json'], {PLEROMA_ADMIN_DATA_DIR: dataDir})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([])
    expect(openToOthers(dataDir)).toEqual([])
  })

  it('refuses a database directory other users can enter, and changes nothing', () => {
    const dataDir = path.join(tmp, 'db')
    const env = {PLEROMA_ADMIN_DATA_DIR: dataDir}
    expect(cli(['user:new', 'alice', 'alice@example.com', '--password', 'x', '-y'], env).code).toBe(0)
    for (const mode of [0o755, 0o750, 0o701]) {
      fs.chmodSync(dataDir, mode)
      const before = snapshot(dataDir)
      const r = cli(['user:rm', 'alice', '-y'], env)
      expectRefused(r, new RegExp(`${dataDir} is open to other users \\(mode 0${mode.toString(8)}; it must be 0700\\)[\\s\\S]*chmod -R go-rwx ${dataDir}`))
      expect(snapshot(dataDir)).toEqual(before)
      expect(fs.existsSync(`${dataDir}.lock`)).toBe(false)
    }
    // Made private as the hint says, it is used again, with alice still there.
    fs.chmodSync(dataDir, 0o700)
    const list = cli(['user:list', '--json'], env)
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout).map((u: {nickname: string}) => u.nickname)).toEqual(['alice'])
  })

  const asRoot = process.getuid?.() === 0 ? it : it.skip
  asRoot('refuses a directory that belongs to another user, and changes nothing', () => {
    const dataDir = path.join(tmp, 'db')
    const env = {PLEROMA_ADMIN_DATA_DIR: dataDir}
    expect(cli(['user:new', 'alice', 'alice@example.com', '--password', 'x', '-y'], env).code).toBe(0)
    const nobody = 65534
    const chownAll = (p: string) => {
      fs.lchownSync(p, nobody, nobody)
      if (fs.lstatSync(p).isDirectory()) for (const name of fs.readdirSync(p)) chownAll(path.join(p, name))
    }
    chownAll(dataDir)
    const before = snapshot(dataDir)
    expectRefused(cli(['user:list'], env), new RegExp(`${dataDir} belongs to another user \\(uid ${nobody}\\)`))
    expect(snapshot(dataDir)).toEqual(before)
    // An empty directory of another user's is refused too, not taken over.
    const empty = path.join(tmp, 'empty')
    fs.mkdirSync(empty, {mode: 0o700})
    fs.chownSync(empty, nobody, nobody)
    expectRefused(cli(['user:list'], {PLEROMA_ADMIN_DATA_DIR: empty}), /belongs to another user/)
    expect(fs.readdirSync(empty)).toEqual([])
    expect(fs.statSync(empty).uid).toBe(nobody)
  })

  it('refuses a non-empty directory that is not a database (as initdb does), and changes nothing', () => {
    const dataDir = path.join(tmp, 'photos')
    fs.mkdirSync(dataDir, {mode: 0o700})
    fs.writeFileSync(path.join(dataDir, 'cat.jpg'), 'meow')
    const before = snapshot(dataDir)
    expectRefused(cli(['user:list'], {PLEROMA_ADMIN_DATA_DIR: dataDir}), new RegExp(`${dataDir} is not empty and holds no database`))
    expect(snapshot(dataDir)).toEqual(before)
    expect(fs.existsSync(`${dataDir}.lock`)).toBe(false)
  })

  it('refuses a file, and a path under a file, with exit 5 and no Node warning', () => {
    const file = path.join(tmp, 'notes.txt')
    fs.writeFileSync(file, 'keep me')
    expectRefused(cli(['user:list'], {PLEROMA_ADMIN_DATA_DIR: file}), new RegExp(`${file} is not a directory`))
    expectRefused(cli(['user:list'], {PLEROMA_ADMIN_DATA_DIR: path.join(file, 'db')}), new RegExp(`Cannot create the embedded database directory ${file}`))
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me')
    expect(fs.readdirSync(tmp)).toEqual(['notes.txt'])
  })
})
