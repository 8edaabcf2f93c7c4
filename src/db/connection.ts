/**
 * Opening the database: PostgreSQL by URL, or the embedded PGlite, as a
 * TypeORM DataSource over the tool's entities (src/entities). Then the
 * schema check of schema.ts, and the tool's own migrations where (and only
 * where) the tool owns the database.
 *
 * A command uses one connection: a node-postgres Client, or the PGlite
 * instance, handed to TypeORM's postgres driver as a pool of one
 * (pglite-driver.ts). Services get the EntityManager of one transaction.
 */
import * as os from 'node:os'
import * as path from 'node:path'
import {DataSource, QueryFailedError, type EntityManager} from 'typeorm'
import type {PostgresQueryRunner} from 'typeorm/driver/postgres/PostgresQueryRunner'
import {DatabaseError} from '../errors'
import {ENTITIES} from '../entities'
import {openEmbedded, type EmbeddedHandle} from './embedded'
import {MIGRATIONS} from './migrations'
import {PGliteClient, singleClientDriver, type DriverClient} from './driver'
import {detectSchema, listColumns, listTables, TOOL_MIGRATIONS_TABLE, type SchemaInfo} from './schema'
import {describePgError} from './pg-errors'

export type ConnectionSource = {kind: 'url'; url: string; from: 'flag' | 'env' | 'config'} | {kind: 'embedded'; dataDir: string}

export interface OpenOptions {
  /** `db:init`: create the tables in an empty database. */
  init?: boolean
  onWait?: (message: string) => void
  /** Seconds to wait for a PostgreSQL server to accept the connection (--connect-timeout; default 10). */
  connectTimeoutSeconds?: number
  /** The embedded database's template (OpenEmbeddedOptions.template); false for the build that makes it. */
  embeddedTemplate?: string | false
}

export interface Database {
  schema: SchemaInfo
  source: ConnectionSource
  /** true when this open created the tables (a new embedded database or `db:init`). */
  initialized: boolean
  /** The TypeORM DataSource over the tool's entities (one connection). */
  dataSource: DataSource
  /** Runs `fn` in one transaction (TypeORM's: START TRANSACTION, COMMIT, or ROLLBACK and rethrow). */
  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T>
  close(): Promise<void>
  /**
   * Why the server connection was lost while no query ran (the server's
   * error, e.g. 57P01 of pg_terminate_backend, or the socket's), if it was:
   * the next query only says "not queryable".
   */
  lostWith(): Error | undefined
}

/** Where the embedded database lives when nothing else is configured. */
export function embeddedDataDir(oclifDataDir: string): string {
  return process.env.PLEROMA_ADMIN_DATA_DIR ? path.resolve(process.env.PLEROMA_ADMIN_DATA_DIR) : path.join(oclifDataDir, 'pglite')
}

/** Type parsers for node-postgres: `timestamp without time zone` is UTC, `date` stays a string. */
function pgTypes() {
  // The Client alone (not the pg package's index, which also loads the pool).
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
    return require('pg/lib/client') as typeof import('pg').Client
  } finally {
    if (shim) delete g.navigator
  }
}

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== ''
  } catch {
    return false
  }
}

/**
 * The password of a URL without one: PGPASSWORD, else the matching line of
 * ~/.pgpass (PGPASSFILE), as libpq and psql find it — so that no password
 * needs to be on a command line. node-postgres' own ~/.pgpass lookup prints a
 * deprecation warning; this asks the same module (pgpass) directly.
 */
function passwordFromEnvironment(url: string): Promise<string | undefined> {
  if (process.env.PGPASSWORD !== undefined) return Promise.resolve(process.env.PGPASSWORD)
  const u = new URL(url)
  const pgpass = require('pgpass') as (params: Record<string, unknown>, cb: (password: string | undefined) => void) => void
  const params = {
    host: decodeURIComponent(u.hostname) || process.env.PGHOST || 'localhost',
    port: Number(u.port || process.env.PGPORT || 5432),
    database: decodeURIComponent(u.pathname.slice(1)) || process.env.PGDATABASE || '',
    user: decodeURIComponent(u.username) || process.env.PGUSER || os.userInfo().username,
  }
  return new Promise((resolve) => pgpass(params, resolve))
}

/** A connected node-postgres Client (no pool: a command uses one connection). */
async function connectPostgres(url: string, timeoutSeconds: number): Promise<DriverClient & {end(): Promise<void>; lostWith(): Error | undefined}> {
  const Client = requirePgClient()
  // Dates (the timestamp columns of entities) are sent as UTC, which is what
  // `timestamp without time zone` holds (node-postgres' default is local time).
  const pgDefaults = require('pg/lib/defaults') as {parseInputDatesAsUTC: boolean}
  pgDefaults.parseInputDatesAsUTC = true
  const client = new Client({
    connectionString: url,
    ...(hasPassword(url) ? {} : {password: () => passwordFromEnvironment(url) as Promise<string>}),
    connectionTimeoutMillis: timeoutSeconds * 1000,
    application_name: 'pleroma-admin',
    types: pgTypes(),
    options: '-c TimeZone=UTC',
  })
  // A connection lost while idle is reported as an 'error' event; without a
  // listener it would end the process. The next query fails instead, and
  // the error is kept to say why.
  let lost: Error | undefined
  client.on('error', (error) => {
    lost ??= error
  })
  try {
    await client.connect()
  } catch (error) {
    if ((error as Error).message === 'timeout expired')
      throw Object.assign(new Error(`no answer within ${timeoutSeconds} s`), {code: 'CONNECT_TIMEOUT', cause: error})
    throw error
  }
  return Object.assign(client, {copyOut: (sql: string) => copyTo(client, sql), lostWith: () => lost})
}

/**
 * COPY ... TO STDOUT through pg-copy-streams (loaded when first used). Its
 * stream reads the socket only as fast as the consumer takes the data, so
 * memory stays flat; 1 MB chunks keep the per-chunk overhead low.
 */
function copyTo(client: import('pg').Client, sql: string): AsyncIterable<Buffer> {
  const {to} = require('pg-copy-streams') as {to: (sql: string, options?: {highWaterMark?: number}) => import('pg').Submittable & AsyncIterable<Buffer>}
  return client.query(to(sql, {highWaterMark: 1 << 20}))
}

/** The connection of the transaction of `m` (the one the query runner holds). */
async function connectionOf(m: EntityManager): Promise<DriverClient | undefined> {
  const runner = m.queryRunner as PostgresQueryRunner | undefined
  return runner ? ((await runner.connect()) as DriverClient) : undefined
}

/** true when `m`'s connection streams COPY (a PostgreSQL server; the embedded database does not). */
export async function canCopyOut(m: EntityManager): Promise<boolean> {
  return typeof (await connectionOf(m))?.copyOut === 'function'
}

/**
 * `COPY (...) TO STDOUT` in the transaction of `m`, its data as it comes
 * (Buffers cut anywhere); only where canCopyOut(m). A failure is TypeORM's
 * QueryFailedError, as for a query.
 */
export async function* copyOut(m: EntityManager, sql: string): AsyncGenerator<Buffer> {
  const client = await connectionOf(m)
  if (!client?.copyOut) throw new Error('COPY TO STDOUT needs a PostgreSQL server connection')
  try {
    yield* client.copyOut(sql)
  } catch (error) {
    throw new QueryFailedError(sql, undefined, error as Error)
  }
}

/** The DataSource over one connected client: TypeORM's postgres driver, never synchronising. */
function dataSourceOver(client: DriverClient): DataSource {
  return new DataSource({
    type: 'postgres',
    driver: singleClientDriver(client),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: TOOL_MIGRATIONS_TABLE,
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  })
}

export async function openDatabase(source: ConnectionSource, options: OpenOptions = {}): Promise<Database> {
  let embedded: EmbeddedHandle | undefined
  let client: DriverClient
  let end: () => Promise<void>
  let lostWith: () => Error | undefined = () => undefined
  if (source.kind === 'embedded') {
    embedded = await openEmbedded(source.dataDir, {onWait: options.onWait, template: options.embeddedTemplate})
    client = new PGliteClient(embedded.db)
    end = async () => {}
  } else {
    let parsed: URL
    try {
      parsed = new URL(source.url)
      if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('scheme')
    } catch {
      throw new DatabaseError(
        `The database URL is not a postgres:// URL.`,
        'Use the form postgres://USER@HOST:5432/DATABASE, the password in PGPASSWORD or ~/.pgpass (or the whole URL in DATABASE_URL).',
      )
    }
    try {
      const pg = await connectPostgres(source.url, options.connectTimeoutSeconds ?? 10)
      client = pg
      lostWith = () => pg.lostWith()
      // A connection the server ended may never report its end again: do not wait for it.
      end = () => (pg.lostWith() ? Promise.resolve() : pg.end())
    } catch (error) {
      throw describePgError(error, source)
    }
  }

  const dataSource = dataSourceOver(client)
  const close = async () => {
    try {
      if (dataSource.isInitialized) await dataSource.destroy()
      await end()
    } finally {
      await embedded?.close()
    }
  }

  try {
    await dataSource.initialize()
    const query = (sql: string, params?: unknown[]) => dataSource.query<Array<Record<string, unknown>>>(sql, params)
    const detected = await detectSchema(query)
    let initialized = false
    if (detected.state === 'empty') {
      if (source.kind !== 'embedded' && !options.init) {
        throw new DatabaseError(
          `The database ${describeSource(source)} is empty.`,
          'To use it for pleroma-admin alone, create the tables with `pleroma-admin db:init`; to manage a Pleroma server, point --database-url at its database.',
        )
      }
      await dataSource.runMigrations({transaction: 'all'})
      initialized = true
    } else if (detected.state === 'tool') {
      // Our own database: bring it up to date with our own migrations.
      if (await dataSource.showMigrations()) {
        const ran = await dataSource.runMigrations({transaction: 'all'})
        initialized = ran.length > 0 && options.init === true
      }
      // A new embedded database unpacked from the template has its tables already: this open created them.
      if (embedded?.created) initialized = true
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
      dataSource,
      transaction: (fn) => dataSource.transaction(fn),
      close,
      lostWith,
    }
  } catch (error) {
    await close()
    throw describePgError(error, source)
  }
}
