/**
 * The runtime database layer: raw SQL over one connection (a node-postgres
 * Client or the PGlite instance), with exactly the results and errors of
 * TypeORM's `EntityManager.query` and `transaction`, but without loading
 * TypeORM (which costs a quarter of a second at every start). TypeORM is
 * loaded only to run the tool's own migrations (see connection.ts).
 */

/** What services work with: one transaction's `query`. */
export interface Querier {
  /**
   * Runs one statement (several when there are no parameters). Returns the
   * rows, except for a bare UPDATE or DELETE: `[rows, affectedCount]`
   * (TypeORM's convention, kept as the services rely on it).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>
  /**
   * Runs `COPY (...) TO STDOUT` and gives its data as it arrives, in
   * Buffers cut anywhere. Only on a PostgreSQL server (the embedded database
   * has no streaming COPY); errors as `query`'s.
   */
  copyOut?(sql: string): AsyncIterable<Buffer>
}

/** A node-postgres-like connection: `query` resolving to a pg `Result` (or an array of them). */
export interface RawClient {
  query(sql: string, params?: unknown[]): Promise<unknown>
  /** COPY ... TO STDOUT's data as it comes (Buffers cut anywhere). */
  copyOut?(sql: string): AsyncIterable<Buffer>
}

/**
 * A failed query, as TypeORM's QueryFailedError: the driver's message
 * without its `error: ` prefix, the driver's error in `driverError` and its
 * properties (code, detail, constraint, ...) copied onto this one.
 */
export class QueryFailedError extends Error {
  get name(): string {
    return 'QueryFailedError'
  }

  driverError: unknown
  query: string
  parameters: unknown[] | undefined

  constructor(query: string, parameters: unknown[] | undefined, driverError: unknown) {
    super(String(driverError).replace(/^error: /, '').replace(/^Error: /, '').replace(/^Request/, ''))
    Object.setPrototypeOf(this, new.target.prototype)
    this.query = query
    this.parameters = parameters
    this.driverError = driverError
    if (driverError) {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const {name: _, ...otherProperties} = driverError as Record<string, unknown>
      for (const prop of Object.getOwnPropertyNames(otherProperties)) (this as unknown as Record<string, unknown>)[prop] = otherProperties[prop]
    }
  }
}

/** `client.query` with TypeORM's result shape and error wrapping. */
export async function runQuery(client: RawClient, sql: string, params?: unknown[]): Promise<unknown> {
  let raw: {rows?: unknown[]; rowCount?: number | null; command?: string} | undefined
  try {
    raw = (await client.query(sql, params)) as typeof raw
  } catch (error) {
    throw new QueryFailedError(sql, params, error)
  }
  if (!raw) return raw // (never: both drivers always give a result)
  return raw.command === 'UPDATE' || raw.command === 'DELETE' ? [raw.rows, raw.rowCount] : raw.rows
}

/** COPY's data as it comes, with a failure reported as `query` reports one. */
export async function* copyData(client: RawClient & {copyOut(sql: string): AsyncIterable<Buffer>}, sql: string): AsyncGenerator<Buffer> {
  try {
    yield* client.copyOut(sql)
  } catch (error) {
    throw new QueryFailedError(sql, undefined, error)
  }
}

/**
 * One connection used by one transaction at a time: a transaction (or a
 * lone query) waits until the previous one has finished, as with a pool of
 * one connection.
 */
export class SerialConnection {
  private tail: Promise<unknown> = Promise.resolve()

  constructor(readonly client: RawClient) {}

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn)
    this.tail = result.catch(() => {})
    return result
  }

  /** A query outside any transaction. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any> {
    return this.exclusive(() => runQuery(this.client, sql, params))
  }

  /** START TRANSACTION, fn, COMMIT; ROLLBACK (its own errors ignored) and rethrow on error. */
  transaction<T>(fn: (m: Querier) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const {client} = this
      const m: Querier = {query: (sql, params) => runQuery(client, sql, params)}
      if (client.copyOut) m.copyOut = (sql) => copyData(client as Parameters<typeof copyData>[0], sql)
      try {
        await runQuery(this.client, 'START TRANSACTION')
        const result = await fn(m)
        await runQuery(this.client, 'COMMIT')
        return result
      } catch (error) {
        try {
          await runQuery(this.client, 'ROLLBACK')
        } catch {
          // the original error is what counts
        }
        throw error
      }
    })
  }
}
