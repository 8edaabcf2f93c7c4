/**
 * Opening the embedded database on disk, through the real executable: only
 * the extensions the tool's own schema needs are loaded at start (TypeORM
 * comes from the runtime bundle, never from node_modules); an extension the
 * data directory has installed besides those is still loaded.
 */
import {execFileSync} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {PGlite} from '@electric-sql/pglite'
import {pgliteExtensions} from '../../src/db/embedded'

const BIN = path.join(__dirname, '..', '..', 'bin', 'run.js')
const TRACER = path.join(__dirname, '..', 'helpers', 'module-tracer.js')

describe('the embedded database at start', () => {
  let dir: string
  let trace: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-embedded-start-'))
    trace = path.join(dir, 'modules.txt')
  })
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))

  function cli(args: string[]): {stdout: string; modules: string[]} {
    const env: NodeJS.ProcessEnv = {...process.env, PLEROMA_ADMIN_DATA_DIR: path.join(dir, 'db'), PLEROMA_ADMIN_BCRYPT_COST: '4', PA_MODULE_TRACE: trace}
    delete env.DATABASE_URL
    delete env.NODE_OPTIONS
    const stdout = execFileSync(process.execPath, ['--require', TRACER, BIN, ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
    return {stdout, modules: fs.readFileSync(trace, 'utf8').split('\n')}
  }

  it('loads citext and uuid-ossp only, and TypeORM from the runtime bundle only', () => {
    const created = cli(['user:new', 'alice', 'alice@example.com', '--password', 'x', '-y', '--instance-url', 'https://example.com'])
    expect(created.stdout).toContain('User alice created')
    expect(created.modules.some((m) => /runtime\.bundle\.js \(code cache accepted\)$/.test(m))).toBe(true) // the migrations ran from it
    expect(created.modules.filter((m) => /node_modules\/(typeorm|reflect-metadata)\//.test(m))).toEqual([])

    const {stdout, modules} = cli(['user:list'])
    expect(stdout).toContain('alice moderator: false')
    const contrib = modules
      .filter((m) => /pglite\/dist\/contrib\//.test(m))
      .map((m) => path.basename(m).replace(/\.c?js$/, ''))
      .sort()
    expect(contrib).toEqual(['citext', 'uuid_ossp'])
    expect(modules.filter((m) => /node_modules\/(typeorm|reflect-metadata)\//.test(m))).toEqual([])
  })

  it('loads an extension the data directory has installed besides those', async () => {
    // An index that needs pg_trgm: without its library, writing to users fails.
    const pg = await PGlite.create({dataDir: path.join(dir, 'db'), extensions: pgliteExtensions()})
    await pg.exec('CREATE EXTENSION pg_trgm; CREATE INDEX users_nickname_trgm ON users USING gin (nickname gin_trgm_ops)')
    await pg.close()

    const {stdout, modules} = cli(['user:new', 'bob', 'bob@example.com', '--password', 'x', '-y'])
    expect(stdout).toContain('User bob created')
    expect(modules.some((m) => /pglite\/dist\/contrib\/pg_trgm/.test(m))).toBe(true)
  })
})
