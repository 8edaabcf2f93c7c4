/**
 * Opening the database: PostgreSQL by URL, or the embedded PGlite. Then the
 * schema check of schema.ts, and the tool's own migrations where (and only
 * where) the tool owns the database.
 *
 * Commands work over one connection with raw SQL (querier.ts); TypeORM is
 * loaded only when the tool's own migrations have to run (an empty
 * database, or a tool-owned one with a migration not yet applied), which
 * keeps it off every ordinary start.
 */
import * as path from 'node:path'
import {DatabaseError} from '../errors'
import {openEmbedded, type EmbeddedHandle} from './embedded'
import {MIGRATIONS} from './migrations'
import {PGliteClient, singleClientDriver} from './pglite-driver'
import {SerialConnection, type Querier, type RawClient} from './querier'
import {detectSchema, listColumns, listTables, TOOL_MIGRATIONS_TABLE, type SchemaInfo} from './schema'
import {describePgError} from './pg-errors'

export type {Querier} from './querier'

export type ConnectionSource =
  | {kind: 'url'; url: string; from: 'flag' | 'env' | 'config'}
  | {kind: 'embedded'; dataDir: string}

export interface OpenOptions {
  /** `db:init`: create the tables in an empty database. */
  init?: boolean
  onWait?: (message: string) => void
}

export interface Database {
  schema: SchemaInfo
  source: ConnectionSource
  /** true when this open created the tables (a new embedded database or `db:init`). */
  initialized: boolean
  transaction<T>(fn: (m: Querier) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Where the embedded database lives when nothing else is configured. */
export function embeddedDataDir(oclifDataDir: string): string {
  return process.env.PLEROMA_ADMIN_DATA_DIR ? path.resolve(process.env.PLEROMA_ADMIN_DATA_DIR) : path.join(oclifDataDir, 'pglite')
}

/** Type parsers for node-postgres: `timestamp without time zone` is UTC, `date` stays a string. */
function pgTypes() {
  // The Client alone (not the pg package's index, which also loads the pool).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const TypeOverrides = require('pg/lib/type-overrides') as new () => {getTypeParser(oid: number, format?: string): unknown}
  const defaults = new TypeOverrides()
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 1114) return (v: string) => new Date(v.replace(' ', 'T') + 'Z')
      if (oid === 1082) return (v: string) => v
      return defaults.getTypeParser(oid, format)
    },
  }
}

export function describeSource(source: ConnectionSource): string {
  if (source.kind === 'embedded') return `embedded database ${source.dataDir}`
  try {
    const u = new URL(source.url)
    return `postgres://${u.username ? decodeURIComponent(u.username) + '@' : ''}${u.host}${u.pathname}`
  } catch {
    return 'the configured database URL'
  }
}

/**
 * node-postgres' Client alone (not the pg package's index, which also loads
 * the pool). On loading, pg probes for Cloudflare Workers with `new
 * Response()` when there is no global `navigator` (Node 20; Node 21+ has
 * one), and that loads Node's fetch implementation (undici): ~90 ms of a
 * command's start. A `navigator` as Node 21 defines it is given for the
 * time of the require.
 */
function requirePgClient(): typeof import('pg').Client {
  const g = globalThis as {navigator?: unknown}
  const shim = !('navigator' in globalThis)
  if (shim) Object.defineProperty(g, 'navigator', {value: {userAgent: `Node.js/${process.versions.node.split('.')[0]}`}, configurable: true, writable: true})
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('pg/lib/client') as typeof import('pg').Client
  } finally {
    if (shim) delete g.navigator
  }
}

/** A connected node-postgres Client (no pool: a command uses one connection). */
async function connectPostgres(url: string): Promise<RawClient & {end(): Promise<void>}> {
  const Client = requirePgClient()
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    application_name: 'pleroma-admin',
    types: pgTypes(),
    options: '-c TimeZone=UTC',
  } as import('pg').ClientConfig)
  // A connection lost while idle is reported as an 'error' event; without a
  // listener it would end the process. The next query fails instead.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    // The wording of the pool this replaced (pg-pool).
    if ((error as Error).message === 'timeout expired') throw new Error('Connection terminated due to connection timeout', {cause: error})
    throw error
  }
  return Object.assign(client, {copyOut: (sql: string) => copyTo(client, sql)})
}

/**
 * COPY ... TO STDOUT through pg-copy-streams (loaded when first used). Its
 * stream reads the socket only as fast as the consumer takes the data, so
 * memory stays flat; 1 MB chunks keep the per-chunk overhead low.
 */
function copyTo(client: import('pg').Client, sql: string): AsyncIterable<Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const {to} = require('pg-copy-streams') as {to(sql: string, options?: {highWaterMark?: number}): import('pg').Submittable & AsyncIterable<Buffer>}
  return client.query(to(sql, {highWaterMark: 1 << 20}))
}

/** The names of the tool's migrations that the database has not run yet. */
async function pendingMigrations(connection: SerialConnection): Promise<string[]> {
  const rows: Array<{name: string}> = await connection.query(`SELECT name FROM ${TOOL_MIGRATIONS_TABLE}`)
  const done = new Set(rows.map((r) => r.name))
  return MIGRATIONS.map((M) => new M().name).filter((name) => !done.has(name))
}

/** Runs the tool's pending migrations (all in one transaction) with TypeORM, over the same connection. */
async function runMigrations(client: RawClient): Promise<number> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  require('reflect-metadata')
  const {DataSource} = require('typeorm') as typeof import('typeorm')
  const {ENTITIES} = require('../entities') as typeof import('../entities')
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Never synchronize: only our own migrations, and only where we own the database.
  const dataSource = new DataSource({
    type: 'postgres',
    driver: singleClientDriver(client),
    database: 'postgres',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: TOOL_MIGRATIONS_TABLE,
    installExtensions: false,
    synchronize: false,
    logging: false,
  })
  await dataSource.initialize()
  try {
    const ran = await dataSource.runMigrations({transaction: 'all'})
    return ran.length
  } finally {
    await dataSource.destroy()
  }
}

export async function openDatabase(source: ConnectionSource, options: OpenOptions = {}): Promise<Database> {
  let embedded: EmbeddedHandle | undefined
  let client: RawClient
  let end: () => Promise<void>
  if (source.kind === 'embedded') {
    embedded = await openEmbedded(source.dataDir, {onWait: options.onWait})
    client = new PGliteClient(embedded.db)
    end = async () => {}
  } else {
    let parsed: URL
    try {
      parsed = new URL(source.url)
      if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('scheme')
    } catch {
      throw new DatabaseError(`The database URL is not a postgres:// URL.`, 'Use the form postgres://USER:PASSWORD@HOST:5432/DATABASE.')
    }
    try {
      const pg = await connectPostgres(source.url)
      client = pg
      end = () => pg.end()
    } catch (error) {
      throw describePgError(error, source)
    }
  }

  const close = async () => {
    try {
      await end()
    } finally {
      await embedded?.close()
    }
  }

  try {
    const connection = new SerialConnection(client)
    const query = (sql: string, params?: unknown[]) => connection.query(sql, params)
    const detected = await detectSchema(query)
    let initialized = false
    if (detected.state === 'empty') {
      if (source.kind !== 'embedded' && !options.init) {
        throw new DatabaseError(
          `The database ${describeSource(source)} is empty.`,
          'To use it for pleroma-admin alone, create the tables with `pleroma-admin db:init`; to manage a Pleroma server, point --database-url at its database.',
        )
      }
      await runMigrations(client)
      initialized = true
    } else if (detected.state === 'tool') {
      // Our own database: bring it up to date with our own migrations.
      if ((await pendingMigrations(connection)).length > 0) {
        const ran = await runMigrations(client)
        initialized = ran > 0 && options.init === true
      }
    } else if (options.init) {
      throw new DatabaseError(
        `The database ${describeSource(source)} is a Pleroma database; db:init only prepares an empty one.`,
        'Nothing to do: pleroma-admin works on a Pleroma database as it is, and never migrates it.',
      )
    }
    const tables = await listTables(query)
    const schema: SchemaInfo = {
      owner: detected.state === 'pleroma' ? 'pleroma' : 'tool',
      tables,
      userColumns: detected.state === 'pleroma' ? detected.userColumns : await listColumns(query, 'users'),
    }
    return {
      schema,
      source,
      initialized,
      transaction: (fn) => connection.transaction(fn),
      close,
    }
  } catch (error) {
    await close()
    throw describePgError(error, source)
  }
}
