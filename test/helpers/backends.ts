/**
 * Runs a test body once per database backend, through the real oclif parser
 * (@oclif/test runCommand):
 *   - embedded: PGlite loaded from the template dump (in memory, injected for
 *     the data directory the command resolves);
 *   - postgres: a scratch database copied from the tool-migrated template
 *     (only when TEST_DATABASE_URL is set);
 *   - pleroma: a scratch database laid out as Pleroma v2.9.1's migrations
 *     leave it (only when TEST_DATABASE_URL is set).
 */
import {execFileSync} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {randomBytes} from 'node:crypto'
import {Readable} from 'node:stream'
import {captureOutput} from '@oclif/test'
import {Errors, run} from '@oclif/core'
import {Client} from 'pg'
import {PGlite} from '@electric-sql/pglite'
import {pgliteExtensions, PGLITE_PARSERS, registerEmbeddedInstance, unregisterEmbeddedInstance} from '../../src/db/embedded'
import {databaseUrl, pgScratchPrefix, pgTemplatePleroma, pgTemplatePleroma2021, pgTemplateTool, pgliteTemplateFile} from './templates'

export type BackendName = 'embedded' | 'postgres' | 'pleroma'

export interface RunResult {
  stdout: string
  stderr: string
  exitCode: number
  /** stdout parsed as JSON when it is JSON, else undefined. */
  json: any
}

export interface RunOptions {
  stdin?: string
  env?: Record<string, string | undefined>
}

export interface Backend {
  name: BackendName
  run(args: string[], options?: RunOptions): Promise<RunResult>
  sql<T = any>(query: string, params?: unknown[]): Promise<T[]>
  /** The database URL (PostgreSQL backends only). */
  url?: string
  /**
   * Runs `fn` with the environment that separate processes (bin/run.js,
   * test/helpers/cli-process.ts) need to reach this database; `sql` and
   * `run` see what they wrote afterwards. PostgreSQL: the database's URL.
   * Embedded: the in-memory database is written out to a data directory on
   * disk and closed meanwhile (the processes take the directory's lock, as
   * on an instance), then opened again from that directory.
   */
  asProcesses?<R>(fn: (env: Record<string, string>) => Promise<R>): Promise<R>
}

const ROOT = path.join(__dirname, '..', '..')

/** Environment variables the commands read; cleared around every run so the machine's own settings never leak in. */
const CONTROLLED_ENV = [
  'DATABASE_URL',
  'PLEROMA_ADMIN_DATA_DIR',
  'PLEROMA_CONFIG_PATH',
  'PLEROMA_INSTANCE_URL',
  'PLEROMA_ADMIN_PROGRESS_INTERVAL',
  'PLEROMA_ADMIN_ACTOR',
]

export async function runCli(args: string[], env: Record<string, string | undefined>, stdin?: string): Promise<RunResult> {
  const saved: Record<string, string | undefined> = {}
  for (const k of new Set([...CONTROLLED_ENV, ...Object.keys(env)])) {
    saved[k] = process.env[k]
    if (env[k] === undefined) delete process.env[k]
    else process.env[k] = env[k]
  }
  process.env.PLEROMA_ADMIN_BCRYPT_COST ??= '4'
  // oclif caches what it read from stdin for the whole process.
  delete (globalThis as {oclif?: {stdinCache?: unknown}}).oclif?.stdinCache
  const stdinDescriptor = Object.getOwnPropertyDescriptor(process, 'stdin')
  if (stdin !== undefined) {
    const stream = Readable.from([stdin]) as unknown as NodeJS.ReadStream
    Object.defineProperty(process, 'stdin', {value: stream, configurable: true, writable: true})
  }
  try {
    // @oclif/test's runCommand joins and re-splits the arguments (breaking
    // values with spaces), so call oclif's run() — what bin/run.js does —
    // under @oclif/test's output capture.
    const captured = await captureOutput(async () => run(args, {root: ROOT}))
    const {stdout, error} = captured
    let {stderr} = captured
    // bin/run.js lets oclif print errors the command did not print itself
    // (its parser's usage errors); do the same here.
    if (error && !(error instanceof Errors.ExitError)) stderr += `${error.message}\n`
    const exitCode = (error as {oclif?: {exit?: number}} | undefined)?.oclif?.exit ?? (error ? 1 : Number(process.exitCode ?? 0))
    let json: unknown
    try {
      json = stdout.trim() ? JSON.parse(stdout) : undefined
    } catch {
      json = undefined
    }
    return {stdout, stderr, exitCode, json}
  } finally {
    process.exitCode = undefined
    if (stdinDescriptor) Object.defineProperty(process, 'stdin', stdinDescriptor)
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/**
 * Empties every table but the migration logs and restarts the sequences:
 * the state of the template again, much faster than a new copy of it
 * (PGlite takes about a second to start, CREATE DATABASE a checkpoint).
 */
const RESET_SQL = `SELECT quote_ident(c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    AND c.relname NOT IN ('pleroma_admin_migrations', 'schema_migrations', 'data_migrations')`

async function resetTables(sql: (q: string) => Promise<Array<{t: string}>>): Promise<void> {
  const tables = await sql(RESET_SQL)
  await sql(`TRUNCATE ${tables.map((r) => r.t).join(', ')} RESTART IDENTITY CASCADE`)
}

async function resetEmbedded(pg: PGlite): Promise<void> {
  await resetTables(async (q) => (await pg.query<{t: string}>(q)).rows)
}

async function embeddedBackend(): Promise<Backend & {close(): Promise<void>; reset(): Promise<void>}> {
  const blob = new Blob([fs.readFileSync(pgliteTemplateFile())])
  let pg = await PGlite.create({loadDataDir: blob, extensions: pgliteExtensions(), parsers: PGLITE_PARSERS})
  const dataDir = path.join('/nonexistent', `pleroma-admin-test-${randomBytes(4).toString('hex')}`)
  registerEmbeddedInstance(dataDir, pg)
  /** The data directory on disk, once asProcesses has written one (then `pg` is opened from it). */
  let onDisk: string | undefined
  return {
    name: 'embedded',
    run: (args, options = {}) => runCli(args, {PLEROMA_ADMIN_DATA_DIR: dataDir, ...options.env}, options.stdin),
    sql: async (q, params) => (await pg.query(q, params)).rows as any[],
    reset: () => resetEmbedded(pg),
    async asProcesses(fn) {
      if (!onDisk) {
        // Private, as the commands require of a data directory.
        onDisk = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'pleroma-admin-test-'))
        fs.chmodSync(onDisk, 0o700)
        const tarball = path.join(onDisk, '..', `${path.basename(onDisk)}.tar`)
        fs.writeFileSync(tarball, Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer()))
        try {
          execFileSync('tar', ['xf', tarball, '-C', onDisk], {stdio: ['ignore', 'ignore', 'pipe']})
        } finally {
          fs.rmSync(tarball, {force: true})
        }
      } else {
        await pg.query('CHECKPOINT')
      }
      unregisterEmbeddedInstance(dataDir)
      await pg.close()
      try {
        return await fn({PLEROMA_ADMIN_DATA_DIR: onDisk})
      } finally {
        pg = await PGlite.create({dataDir: onDisk, extensions: pgliteExtensions(), parsers: PGLITE_PARSERS})
        registerEmbeddedInstance(dataDir, pg)
      }
    },
    async close() {
      unregisterEmbeddedInstance(dataDir)
      await pg.close()
      if (onDisk) fs.rmSync(onDisk, {recursive: true, force: true})
    },
  }
}

export async function scratchPgDatabase(template: string): Promise<{url: string; drop(): Promise<void>}> {
  const base = process.env.TEST_DATABASE_URL!
  const name = `${pgScratchPrefix()}${randomBytes(5).toString('hex')}`
  const admin = new Client({connectionString: base})
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)
  await admin.end()
  return {
    url: databaseUrl(base, name),
    async drop() {
      const a = new Client({connectionString: base})
      await a.connect()
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await a.end()
    },
  }
}

async function pgBackend(name: 'postgres' | 'pleroma'): Promise<Backend & {close(): Promise<void>; reset(): Promise<void>}> {
  const scratch = await scratchPgDatabase(name === 'postgres' ? pgTemplateTool() : pgTemplatePleroma())
  const client = new Client({connectionString: scratch.url})
  await client.connect()
  await client.query(`SET TIME ZONE 'UTC'`)
  return {
    name,
    url: scratch.url,
    run: (args, options = {}) => runCli(args, {DATABASE_URL: scratch.url, ...options.env}, options.stdin),
    sql: async (q, params) => (await client.query(q, params as unknown[])).rows,
    reset: () => resetTables(async (q) => (await client.query(q)).rows),
    asProcesses: (fn) => fn({DATABASE_URL: scratch.url}),
    async close() {
      await client.end()
      await scratch.drop()
    },
  }
}

export const PG_AVAILABLE = Boolean(process.env.TEST_DATABASE_URL)
export const oldSchemaTemplate = pgTemplatePleroma2021

/** The backends to run on: embedded always, PostgreSQL ones when TEST_DATABASE_URL is set. */
export function backendNames(): BackendName[] {
  return PG_AVAILABLE ? ['embedded', 'postgres', 'pleroma'] : ['embedded']
}

/**
 * `describe` once per backend. Each suite gets one database (a copy of the
 * template); before each test every table is emptied again (TRUNCATE ...
 * RESTART IDENTITY, the migration logs kept), so each test starts from the
 * template's state and tests never depend on one another.
 */
export function describeBackends(title: string, body: (b: Backend) => void, options: {fresh?: 'each' | 'all'} = {}): void {
  for (const name of backendNames()) {
    describe(`${title} [${name}]`, () => {
      let current: (Backend & {close(): Promise<void>}) | undefined
      const proxy: Backend = {
        name,
        run: (args, o) => current!.run(args, o),
        sql: (q, p) => current!.sql(q, p),
        get url() {
          return current?.url
        },
        asProcesses: (fn) => current!.asProcesses!(fn),
      }
      const open = async () => {
        current = name === 'embedded' ? await embeddedBackend() : await pgBackend(name)
      }
      const close = async () => {
        await current?.close()
        current = undefined
      }
      if (options.fresh === 'all') {
        beforeAll(open)
        afterAll(close)
      } else {
        // One database per suite, emptied before each test.
        let started = false
        beforeEach(async () => {
          if (started) await (current as unknown as {reset(): Promise<void>}).reset()
          else await open()
          started = true
        })
        afterAll(close)
      }
      body(proxy)
    })
  }
}
