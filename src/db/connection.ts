/**
 * Opening the database: PostgreSQL by URL, or the embedded PGlite. Then the
 * schema check of schema.ts, and the tool's own migrations where (and only
 * where) the tool owns the database.
 */
import 'reflect-metadata'
import * as path from 'node:path'
import {DataSource, type EntityManager} from 'typeorm'
import {ENTITIES} from '../entities'
import {DatabaseError} from '../errors'
import {openEmbedded, type EmbeddedHandle} from './embedded'
import {MIGRATIONS} from './migrations'
import {pgliteDriver} from './pglite-driver'
import {detectSchema, listColumns, listTables, TOOL_MIGRATIONS_TABLE, type SchemaInfo} from './schema'
import {describePgError} from './pg-errors'

export type ConnectionSource =
  | {kind: 'url'; url: string; from: 'flag' | 'env' | 'config'}
  | {kind: 'embedded'; dataDir: string}

export interface OpenOptions {
  /** `db:init`: create the tables in an empty database. */
  init?: boolean
  onWait?: (message: string) => void
}

export interface Database {
  dataSource: DataSource
  schema: SchemaInfo
  source: ConnectionSource
  /** true when this open created the tables (a new embedded database or `db:init`). */
  initialized: boolean
  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Where the embedded database lives when nothing else is configured. */
export function embeddedDataDir(oclifDataDir: string): string {
  return process.env.PLEROMA_ADMIN_DATA_DIR ? path.resolve(process.env.PLEROMA_ADMIN_DATA_DIR) : path.join(oclifDataDir, 'pglite')
}

/** Type parsers for node-postgres: `timestamp without time zone` is UTC, `date` stays a string. */
function pgTypes() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof import('pg')
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === 1114) return (v: string) => new Date(v.replace(' ', 'T') + 'Z')
      if (oid === 1082) return (v: string) => v
      return (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)
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

export async function openDatabase(source: ConnectionSource, options: OpenOptions = {}): Promise<Database> {
  let embedded: EmbeddedHandle | undefined
  let dataSource: DataSource
  // Never synchronize: only our own migrations, and only where we own the database.
  const common = {
    type: 'postgres',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: TOOL_MIGRATIONS_TABLE,
    installExtensions: false,
    synchronize: false,
    logging: false,
  } as const
  if (source.kind === 'embedded') {
    embedded = await openEmbedded(source.dataDir, {onWait: options.onWait})
    dataSource = new DataSource({...common, driver: pgliteDriver(embedded.db), database: 'postgres'})
  } else {
    let parsed: URL
    try {
      parsed = new URL(source.url)
      if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('scheme')
    } catch {
      throw new DatabaseError(`The database URL is not a postgres:// URL.`, 'Use the form postgres://USER:PASSWORD@HOST:5432/DATABASE.')
    }
    dataSource = new DataSource({
      ...common,
      url: source.url,
      poolSize: 2,
      connectTimeoutMS: 10_000,
      applicationName: 'pleroma-admin',
      extra: {types: pgTypes(), options: '-c TimeZone=UTC'},
    })
  }

  try {
    await dataSource.initialize()
  } catch (error) {
    await embedded?.close()
    throw describePgError(error, source)
  }

  const close = async () => {
    try {
      if (dataSource.isInitialized) await dataSource.destroy()
    } finally {
      await embedded?.close()
    }
  }

  try {
    const query = (sql: string, params?: unknown[]) => dataSource.query(sql, params)
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
      const ran = await dataSource.runMigrations({transaction: 'all'})
      initialized = ran.length > 0 && options.init === true
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
      dataSource,
      schema,
      source,
      initialized,
      transaction: (fn) => dataSource.transaction(fn),
      close,
    }
  } catch (error) {
    await close()
    throw describePgError(error, source)
  }
}
