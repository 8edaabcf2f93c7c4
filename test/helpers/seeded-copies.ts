/**
 * One seeded database per suite, and cheap copies of it for the commands
 * run as separate processes (test/reliability/): on PostgreSQL a database
 * seeded once and copied with CREATE DATABASE ... TEMPLATE, on the embedded
 * database a data directory seeded once and copied file by file.
 */
import {execFileSync} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {randomBytes} from 'node:crypto'
import {Client} from 'pg'
import {PGlite} from '@electric-sql/pglite'
import {pgliteExtensions, PGLITE_PARSERS} from '../../src/db/embedded'
import type {Backend} from './backends'
import {baselineOf, listTables, normalise, readAllRows, type Baseline, type Sql} from './fingerprint'
import {databaseUrl, pgScratchPrefix, pgTemplatePleroma, pgliteTemplateFile} from './templates'

export type CopyBackend = 'embedded' | 'postgres'

export function copyBackends(): CopyBackend[] {
  return process.env.TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded']
}

export interface WorkCopy {
  /** What a command run on this copy needs in its environment. */
  env: Record<string, string>
  /** The database URL (PostgreSQL) or the data directory (embedded). */
  where: string
  /** Runs `fn` with a connection to the copy (opened for the call, closed after it). */
  withSql<R>(fn: (sql: Sql) => Promise<R>): Promise<R>
  /** Every table's rows, made-afresh values replaced (see fingerprint.ts). */
  state(): Promise<Record<string, string[]>>
  drop(): Promise<void>
}

export interface SeededDatabase {
  backend: CopyBackend
  copy(): Promise<WorkCopy>
  /** The seeded state itself, normalised (equal to itself). */
  seeded: Record<string, string[]>
  baseline: Baseline
  tables: string[]
  dispose(): Promise<void>
}

type Seeder = (b: Pick<Backend, 'sql'>) => Promise<void>

function pgSql(client: Client): Sql {
  return async (q, params) => (await client.query(q, params as unknown[])).rows
}

function pgliteSql(pg: PGlite): Sql {
  return async <T>(q: string, params?: unknown[]) => (await pg.query<T>(q, params)).rows
}

async function openPglite(dir: string): Promise<PGlite> {
  // As the commands do (src/db/embedded.ts): V8's baseline WebAssembly compiler only, a second less per start.
  ;(require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only')
  return PGlite.create({dataDir: dir, extensions: pgliteExtensions(), parsers: PGLITE_PARSERS})
}

async function withAdmin<R>(fn: (admin: Client) => Promise<R>): Promise<R> {
  const admin = new Client({connectionString: process.env.TEST_DATABASE_URL})
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.end()
  }
}

export async function seedDatabase(backend: CopyBackend, seed: Seeder): Promise<SeededDatabase> {
  return backend === 'embedded' ? seedEmbedded(seed) : seedPostgres(seed)
}

/** The seeded state: its tables, what counts as made afresh later, and its own normalised rows. */
async function readSeeded(sql: Sql): Promise<Pick<SeededDatabase, 'tables' | 'baseline' | 'seeded'>> {
  const tables = await listTables(sql)
  const rows = await readAllRows(sql, tables)
  const baseline = baselineOf(rows)
  // Rows the seed wrote with now() hold this second (Pleroma's timestamps have whole seconds): a command run
  // within the same second would write the same, "known", value, which normalise() then keeps instead of
  // replacing, and two runs differ by when they ran. Every run starts in a later second.
  await new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)))
  return {tables, baseline, seeded: normalise(rows, baseline)}
}

/** Memory-backed /dev/shm where there is one (copies of a data directory are written often), else the temporary directory. */
function scratchDir(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK)
    return '/dev/shm'
  } catch {
    return os.tmpdir()
  }
}

async function seedEmbedded(seed: Seeder): Promise<SeededDatabase> {
  const root = fs.mkdtempSync(path.join(scratchDir(), 'pleroma-admin-reliability-'))
  const template = path.join(root, 'template')
  // Private, as the commands require of a database directory (docs/design.md#embedded-database).
  fs.mkdirSync(template, {mode: 0o700})
  // The test run's template (a tar of a migrated data directory), unpacked.
  execFileSync('tar', ['xzf', pgliteTemplateFile(), '-C', template], {stdio: ['ignore', 'ignore', 'pipe']})
  const pg = await openPglite(template)
  let seeded: SeededDatabase
  try {
    const sql = pgliteSql(pg)
    await seed({sql})
    await pg.query('CHECKPOINT')
    const state = await readSeeded(sql)
    const copy = async (): Promise<WorkCopy> => {
      const dir = path.join(root, `copy-${randomBytes(4).toString('hex')}`)
      fs.cpSync(template, dir, {recursive: true})
      fs.chmodSync(dir, 0o700)
      const withSql = async <R>(fn: (s: Sql) => Promise<R>): Promise<R> => {
        const db = await openPglite(dir)
        try {
          return await fn(pgliteSql(db))
        } finally {
          await db.close()
        }
      }
      return {
        env: {PLEROMA_ADMIN_DATA_DIR: dir},
        where: dir,
        withSql,
        state: () => withSql(async (s) => normalise(await readAllRows(s, state.tables), state.baseline)),
        drop: async () => {
          fs.rmSync(dir, {recursive: true, force: true})
          fs.rmSync(`${dir}.lock`, {recursive: true, force: true})
          fs.rmSync(`${dir}.lock.stale`, {recursive: true, force: true})
        },
      }
    }
    seeded = {
      backend: 'embedded',
      ...state,
      copy,
      dispose: async () => {
        fs.rmSync(root, {recursive: true, force: true})
      },
    }
  } finally {
    await pg.close()
  }
  return seeded
}

async function seedPostgres(seed: Seeder): Promise<SeededDatabase> {
  const base = process.env.TEST_DATABASE_URL!
  const name = `${pgScratchPrefix()}${randomBytes(5).toString('hex')}`
  await withAdmin((a) => a.query(`CREATE DATABASE ${name} TEMPLATE ${pgTemplatePleroma()}`))
  const client = new Client({connectionString: databaseUrl(base, name)})
  await client.connect()
  let seeded: SeededDatabase
  try {
    await client.query(`SET TIME ZONE 'UTC'`)
    const sql = pgSql(client)
    await seed({sql})
    const state = await readSeeded(sql)
    const copy = async (): Promise<WorkCopy> => {
      const copyName = `${pgScratchPrefix()}${randomBytes(5).toString('hex')}`
      await withAdmin((a) => a.query(`CREATE DATABASE ${copyName} TEMPLATE ${name}`))
      const url = databaseUrl(base, copyName)
      const withSql = async <R>(fn: (s: Sql) => Promise<R>): Promise<R> => {
        const c = new Client({connectionString: url})
        await c.connect()
        try {
          await c.query(`SET TIME ZONE 'UTC'`)
          return await fn(pgSql(c))
        } finally {
          await c.end()
        }
      }
      return {
        env: {DATABASE_URL: url},
        where: url,
        withSql,
        state: () => withSql(async (s) => normalise(await readAllRows(s, state.tables), state.baseline)),
        drop: () => withAdmin(async (a) => void (await a.query(`DROP DATABASE IF EXISTS ${copyName} WITH (FORCE)`))),
      }
    }
    seeded = {
      backend: 'postgres',
      ...state,
      copy,
      dispose: () => withAdmin(async (a) => void (await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
    }
  } finally {
    await client.end()
  }
  return seeded
}

/** A small seeded pseudo-random generator (mulberry32): the same seed gives the same kill points. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of a randomised suite: RELIABILITY_SEED when set, else a new one (printed when a test fails). */
export function suiteSeed(): number {
  const fromEnv = Number(process.env.RELIABILITY_SEED)
  return Number.isInteger(fromEnv) && process.env.RELIABILITY_SEED ? fromEnv : randomBytes(4).readUInt32LE(0)
}

/** An integer knob from the environment (for longer runs than CI's), else the default. */
export function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name])
  return process.env[name] && Number.isInteger(n) && n > 0 ? n : fallback
}
