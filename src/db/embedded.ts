/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly) kept in
 * a data directory. PGlite does no locking of its own, so the directory is
 * held under an exclusive lock while it is open; a second process waits.
 * Opening is most of an embedded command's time: only the extensions the
 * database needs are loaded, with a small buffer pool.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type {Extensions, PGlite} from '@electric-sql/pglite'
import {DatabaseError} from '../errors'

export interface EmbeddedHandle {
  db: PGlite
  dataDir: string
  /** true when a new data directory was created by this open (initdb ran). */
  created: boolean
  close(): Promise<void>
}

const REGISTRY = Symbol.for('pleroma-admin.embedded-instances')

type Registry = Map<string, PGlite>

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>
  g[REGISTRY] ??= new Map()
  return g[REGISTRY]
}

/**
 * Tests: make `dataDir` resolve to an already open in-memory instance, so that
 * commands run in-process do not pay PGlite's start-up on every call. The
 * instance is not closed by the command.
 */
export function registerEmbeddedInstance(dataDir: string, db: PGlite): void {
  registry().set(path.resolve(dataDir), db)
}

export function unregisterEmbeddedInstance(dataDir: string): void {
  registry().delete(path.resolve(dataDir))
}

/** The contrib extensions Pleroma's schema needs (citext, pg_trgm, uuid-ossp) and pgcrypto. */
export function pgliteExtensions(): Extensions {
  return embeddedExtensions(['citext', 'pgcrypto', 'uuid-ossp', 'pg_trgm'])
}

/** PostgreSQL's extension name -> PGlite's contrib module (and export) name. */
const CONTRIB: Record<string, string> = {citext: 'citext', pgcrypto: 'pgcrypto', 'uuid-ossp': 'uuid_ossp', pg_trgm: 'pg_trgm'}

/**
 * The extensions a database of the tool's own needs loaded: the two its
 * migrations create (src/db/migrations/pleroma-ddl.ts). Each extension loaded
 * costs start-up time (pgcrypto alone is a 3 MB WebAssembly module to compile
 * and link), so the others are loaded only when the data directory has them
 * installed (see openEmbedded).
 */
const TOOL_EXTENSIONS = ['citext', 'uuid-ossp']

function embeddedExtensions(names: string[]): Extensions {
  // Loaded with require: these subpath exports are not visible to TypeScript's
  // CommonJS module resolution, but Node resolves them.
  const extensions: Extensions = {}
  for (const name of names) {
    const module = CONTRIB[name]
    extensions[module] = (require(`@electric-sql/pglite/contrib/${module}`) as Extensions)[module]
  }
  return extensions
}

/**
 * Start-up parameters: PGlite's defaults, with 16 MB of shared buffers
 * instead of initdb's 128 MB: PostgreSQL clears its buffer pool at every
 * start, which under WebAssembly took a tenth of a second for 128 MB; a
 * one-shot command on the embedded database needs far less.
 */
function startParams(PGliteClass: {defaultStartParams: string[]}): string[] {
  return [...PGliteClass.defaultStartParams, '-c', 'shared_buffers=16MB']
}

/**
 * Compile PGlite's WebAssembly (9 MB) with V8's baseline compiler (Liftoff)
 * only: in Node 20, V8 also compiles it with its optimising compiler, which
 * cost about 1 s of CPU at every start; a command's queries on the embedded
 * database are short and run about as fast either way. Set before PGlite
 * compiles anything; the flag only concerns WebAssembly. (Node documents
 * v8.setFlagsFromString after start-up as "may do nothing": then the start
 * is merely slower.)
 */
function useBaselineWasmCompiler(): void {
  ;(require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only')
}

/** Type parsers that make PGlite return what node-postgres returns. */
export const PGLITE_PARSERS: Record<number, (value: string) => unknown> = {
  20: (v) => v, // int8 as string, as node-postgres does
  1082: (v) => v, // date as 'YYYY-MM-DD'
  1114: (v) => new Date(v.replace(' ', 'T') + 'Z'), // timestamp without time zone is UTC
}

export interface OpenEmbeddedOptions {
  lockTimeoutMs?: number
  /** Called once if the directory is locked by another process and we wait. */
  onWait?: (message: string) => void
}

export async function openEmbedded(dataDir: string, options: OpenEmbeddedOptions = {}): Promise<EmbeddedHandle> {
  const dir = path.resolve(dataDir)
  const injected = registry().get(dir)
  if (injected) {
    return {db: injected, dataDir: dir, created: false, close: async () => {}}
  }

  try {
    fs.mkdirSync(path.dirname(dir), {recursive: true})
  } catch (error) {
    throw new DatabaseError(
      `Cannot create the embedded database directory ${path.dirname(dir)}: ${(error as Error).message}`,
      'Set PLEROMA_ADMIN_DATA_DIR to a writable directory.',
    )
  }

  const unlock = await lockDirectory(dir, options)
  try {
    const created = !fs.existsSync(path.join(dir, 'PG_VERSION'))
    useBaselineWasmCompiler()
    const {PGlite} = await import('@electric-sql/pglite')
    const open = (extensions: string[]) =>
      PGlite.create({dataDir: dir, extensions: embeddedExtensions(extensions), parsers: PGLITE_PARSERS, startParams: startParams(PGlite)})
    let db = await open(TOOL_EXTENSIONS)
    // An extension installed in the database but not loaded would fail when
    // used: open again with every known one the database has.
    let installed: string[]
    try {
      installed = (await db.query<{extname: string}>('SELECT extname FROM pg_extension')).rows.map((r) => r.extname)
    } catch (error) {
      await db.close()
      throw error
    }
    const missing = installed.filter((name) => CONTRIB[name] && !TOOL_EXTENSIONS.includes(name))
    if (missing.length > 0) {
      await db.close()
      db = await open([...TOOL_EXTENSIONS, ...missing])
    }
    return {
      db,
      dataDir: dir,
      created,
      async close() {
        try {
          await db.close()
        } finally {
          await unlock()
        }
      },
    }
  } catch (error) {
    await unlock()
    if (error instanceof DatabaseError) throw error
    throw new DatabaseError(
      `Cannot open the embedded database in ${dir}: ${(error as Error).message}`,
      'Check the directory, or point --database-url at a PostgreSQL server.',
    )
  }
}

/**
 * An exclusive lock on the data directory: the directory `<dataDir>.lock`,
 * made atomically with mkdir, holding the owner's pid and host. A lock is
 * stale only when its owner process (on this host) no longer exists — never
 * because of its age: PGlite runs PostgreSQL synchronously on the event loop,
 * so a busy owner cannot refresh a timestamp, and an age-based lock (as
 * proper-lockfile's) was taken over under load and lost writes.
 */
async function lockDirectory(dir: string, options: OpenEmbeddedOptions): Promise<() => Promise<void>> {
  const lockDir = `${dir}.lock`
  const ownerFile = path.join(lockDir, 'owner.json')
  const timeout = options.lockTimeoutMs ?? lockTimeoutFromEnv()
  const started = Date.now()
  let warned = false
  for (;;) {
    try {
      fs.mkdirSync(lockDir)
      fs.writeFileSync(ownerFile, JSON.stringify({pid: process.pid, host: os.hostname(), since: new Date().toISOString()}))
      let released = false
      const release = () => {
        if (released) return
        released = true
        fs.rmSync(lockDir, {recursive: true, force: true})
      }
      process.once('exit', release)
      return () => {
        process.removeListener('exit', release)
        release()
        return Promise.resolve()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DatabaseError(`Cannot lock the embedded database ${dir}: ${(error as Error).message}`, 'Check the permissions of its parent directory.')
      }
    }
    const owner = readOwner(ownerFile)
    if (owner === 'stale') {
      // The owner is gone: take the stale lock away atomically and try again.
      fs.rmSync(`${lockDir}.stale`, {recursive: true, force: true})
      try {
        fs.renameSync(lockDir, `${lockDir}.stale`)
      } catch {
        // someone else took it away first
      }
      continue
    }
    const waited = Date.now() - started
    if (waited >= timeout) {
      throw new DatabaseError(
        `The embedded database ${dir} is in use by another pleroma-admin process${owner ? ` (pid ${owner.pid})` : ''} (waited ${Math.round(waited / 1000)} s).`,
        `Wait for it to finish, or raise PLEROMA_ADMIN_LOCK_TIMEOUT (seconds). If no such process runs, remove ${lockDir}.`,
      )
    }
    if (!warned) {
      warned = true
      options.onWait?.(`Waiting for another pleroma-admin process to release the embedded database ${dir} ...`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The lock's owner, 'stale' when it is certainly gone, undefined while unknown (just being written). */
function readOwner(ownerFile: string): {pid: number; host: string} | 'stale' | undefined {
  let owner: {pid: number; host: string}
  try {
    owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as {pid: number; host: string}
  } catch {
    // Not written yet (the owner is between mkdir and write), or half written.
    try {
      const age = Date.now() - fs.statSync(path.dirname(ownerFile)).mtimeMs
      return age > 60_000 ? 'stale' : undefined
    } catch {
      return undefined
    }
  }
  if (owner.host !== os.hostname()) return owner
  try {
    process.kill(owner.pid, 0)
    return owner
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'stale' : owner
  }
}

function lockTimeoutFromEnv(): number {
  const s = Number(process.env.PLEROMA_ADMIN_LOCK_TIMEOUT)
  return Number.isFinite(s) && s >= 0 && process.env.PLEROMA_ADMIN_LOCK_TIMEOUT !== '' && process.env.PLEROMA_ADMIN_LOCK_TIMEOUT !== undefined
    ? s * 1000
    : 30_000
}
