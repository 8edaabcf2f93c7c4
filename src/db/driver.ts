/**
 * The one connection a command uses, as TypeORM's postgres driver sees it:
 * a node-postgres Client, or a minimal node-postgres look-alike over one
 * PGlite instance, handed to TypeORM (its `driver` option) as a pool of one.
 */
import type {PGlite, Results} from '@electric-sql/pglite'

/** What TypeORM's postgres query runner calls on a connection (a pg Client has all of it). */
export interface DriverClient {
  query(sql: string, params?: unknown[]): Promise<unknown>
  on(event: string, listener: (...args: unknown[]) => void): unknown
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown
  /** COPY ... TO STDOUT's data as it comes (Buffers cut anywhere); PostgreSQL servers only. */
  copyOut?(sql: string): AsyncIterable<Buffer>
}

interface PgLikeResult {
  rows: unknown[]
  rowCount: number
  command: string
  fields: {name: string; dataTypeID: number}[]
}

function toPgResult(r: Results | undefined, sql: string): PgLikeResult {
  const command = ((r as {command?: string} | undefined)?.command ?? firstWord(sql)).toUpperCase()
  const rows = r?.rows ?? []
  const affected = r?.affectedRows ?? 0
  return {
    rows,
    rowCount: command === 'SELECT' ? rows.length : affected,
    command,
    fields: (r?.fields ?? []).map((f) => ({name: f.name, dataTypeID: f.dataTypeID})),
  }
}

function firstWord(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*)*(\w+)/.exec(sql)
  return m ? m[1] : ''
}

export class PGliteClient implements DriverClient {
  constructor(private readonly db: PGlite) {}

  async query(sql: string | {text: string; values?: unknown[]}, params?: unknown[]): Promise<PgLikeResult> {
    const text = typeof sql === 'string' ? sql : sql.text
    const values = typeof sql === 'string' ? params : (sql.values ?? params)
    if (values && values.length > 0) {
      return toPgResult(await this.db.query(text, values), text)
    }
    // No parameters: the simple protocol, which also runs several statements
    // (as node-postgres does); the last statement's result is returned.
    const results = await this.db.exec(text)
    return toPgResult(results.at(-1), text)
  }

  on(): this {
    return this
  }

  removeListener(): this {
    return this
  }
}

/**
 * A node-postgres-like driver module for TypeORM (its `driver` option) whose
 * "pool" hands out one existing client (a pg Client or a PGliteClient) to one
 * query runner at a time; a second `connect()` waits until the first is
 * released (as a pool of size 1). Ending the pool leaves the client open.
 */
export function singleClientDriver(client: DriverClient): {Pool: new (options?: unknown) => unknown; defaults: Record<string, unknown>} {
  let tail: Promise<void> = Promise.resolve()

  class Pool {
    // TypeORM passes its pool options; the one client is already configured.
    constructor() {}

    on(): this {
      return this
    }

    connect(cb: (err: Error | null, client?: unknown, release?: () => void) => void): void {
      let release!: () => void
      const mine = new Promise<void>((resolve) => {
        release = () => resolve()
      })
      const previous = tail
      tail = previous.then(() => mine)
      void previous.then(() => cb(null, client, release))
    }

    end(cb?: (err?: Error) => void): Promise<void> {
      cb?.()
      return Promise.resolve()
    }
  }

  return {Pool, defaults: {}}
}
