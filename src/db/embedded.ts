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
import {builtTemplate, extractTemplate} from './embedded-template'

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
  /**
   * The archive a new database is unpacked from (embedded-template.ts);
   * false runs initdb inside PGlite instead, as the build does to make the
   * template. Default: the template built into dist/, else initdb.
   */
  template?: string | false
}

/**
 * Written first into a data directory being created and removed once it is
 * complete: a directory holding it is our own unfinished creation (a killed
 * first run), emptied and created again.
 */
const CREATING = '.pleroma-admin-creating'

type DataDirState = 'absent' | 'empty' | 'partial' | 'database'

export async function openEmbedded(dataDir: string, options: OpenEmbeddedOptions = {}): Promise<EmbeddedHandle> {
  const dir = path.resolve(dataDir)
  const injected = registry().get(dir)
  if (injected) {
    return {db: injected, dataDir: dir, created: false, close: async () => {}}
  }

  try {
    // Private from the start (initdb creates missing parents 0700 too); an existing parent is left as it is.
    fs.mkdirSync(path.dirname(dir), {recursive: true, mode: 0o700})
  } catch (error) {
    throw new DatabaseError(
      `Cannot create the embedded database directory ${path.dirname(dir)}: ${(error as Error).message}`,
      'Set PLEROMA_ADMIN_DATA_DIR to a writable directory.',
    )
  }
  // Refused before waiting for the lock, and checked again under it.
  inspectDataDir(dir)

  const unlock = await lockDirectory(dir, options)
  try {
    const state = inspectDataDir(dir)
    const created = state !== 'database'
    const template = options.template === undefined ? builtTemplate() : options.template || undefined
    // The template is unpacked while PGlite compiles and instantiates its
    // WebAssembly (inflating runs on libuv's threads): PGlite waits for it
    // only before it looks into the directory (PrivateNodeFS.initialSyncFs).
    const unpacked = created ? prepareDataDir(dir, state, template) : Promise.resolve()
    unpacked.catch(() => {}) // awaited below; never an unhandled rejection
    useBaselineWasmCompiler()
    const {PGlite} = await import('@electric-sql/pglite')
    const open = (extensions: string[]) =>
      PGlite.create({
        fs: privateNodeFs(dir, unpacked),
        extensions: embeddedExtensions(extensions),
        parsers: PGLITE_PARSERS,
        startParams: startParams(PGlite),
      })
    let db: PGlite
    try {
      db = await open(TOOL_EXTENSIONS)
    } catch (error) {
      await unpacked // its own error first: PGlite's is only a consequence
      throw error
    }
    // Without a template, PGlite's initdb has just filled the directory.
    if (created) fs.rmSync(path.join(dir, CREATING), {force: true})
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
 * What is at the data directory, refusing what PostgreSQL would refuse
 * (docs/design.md#embedded-database): something that is not a directory; a
 * directory of another user (postgres: "data directory has wrong
 * ownership"); a non-empty directory without a database (initdb: "exists but
 * is not empty"); a database directory other users can enter or list
 * (postgres: "data directory has invalid permissions", it must be 0700).
 */
function inspectDataDir(dir: string): DataDirState {
  let st: fs.Stats
  try {
    st = fs.statSync(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
    throw new DatabaseError(
      `Cannot read the embedded database directory ${dir}: ${(error as Error).message}`,
      'Set PLEROMA_ADMIN_DATA_DIR to a directory of your own.',
    )
  }
  if (!st.isDirectory()) {
    throw new DatabaseError(
      `The embedded database directory ${dir} is not a directory.`,
      'Set PLEROMA_ADMIN_DATA_DIR to a new or empty directory; pleroma-admin creates its database there.',
    )
  }
  const uid = process.getuid?.()
  if (uid !== undefined && st.uid !== uid) {
    throw new DatabaseError(
      `The embedded database directory ${dir} belongs to another user (uid ${st.uid}).`,
      'Run pleroma-admin as the user who owns it, or set PLEROMA_ADMIN_DATA_DIR to a directory of your own.',
    )
  }
  let entries: string[]
  try {
    entries = fs.readdirSync(dir)
  } catch (error) {
    throw new DatabaseError(
      `Cannot read the embedded database directory ${dir}: ${(error as Error).message}`,
      'Set PLEROMA_ADMIN_DATA_DIR to a directory of your own.',
    )
  }
  if (entries.includes(CREATING)) return 'partial'
  if (entries.length === 0) return 'empty'
  if (!entries.includes('PG_VERSION')) {
    throw new DatabaseError(
      `The embedded database directory ${dir} is not empty and holds no database.`,
      'Set PLEROMA_ADMIN_DATA_DIR to a new or empty directory; pleroma-admin creates its database there.',
    )
  }
  if (uid !== undefined && (st.mode & 0o077) !== 0) {
    throw new DatabaseError(
      `The embedded database directory ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}; it must be 0700).`,
      `If nobody else can have changed it, make it private with \`chmod -R go-rwx ${shellWord(dir)}\` and run again.`,
    )
  }
  return 'database'
}

/** `s` as one word for a POSIX shell. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * Makes an absent, empty or half-created data directory ready for PGlite,
 * under the lock: mode 0700 (initdb too fixes the mode of an existing empty
 * directory), and the template unpacked into it; without a template PGlite
 * runs initdb into it when it opens. The CREATING mark stays until the
 * directory is complete. Throws at once when the directory cannot be made;
 * the promise is the unpacking.
 */
function prepareDataDir(dir: string, state: DataDirState, template: string | undefined): Promise<void> {
  const failed = (error: unknown) =>
    new DatabaseError(
      `Cannot create the embedded database in ${dir}: ${(error as Error).message}`,
      'Set PLEROMA_ADMIN_DATA_DIR to a writable directory with some free space.',
    )
  try {
    if (state === 'absent') fs.mkdirSync(dir, {mode: 0o700})
    if (state === 'partial') {
      for (const name of fs.readdirSync(dir)) if (name !== CREATING) fs.rmSync(path.join(dir, name), {recursive: true, force: true})
    }
    fs.chmodSync(dir, 0o700)
    fs.writeFileSync(path.join(dir, CREATING), '', {mode: 0o600})
  } catch (error) {
    throw failed(error)
  }
  if (!template) return Promise.resolve()
  return extractTemplate(template, dir).then(
    () => fs.rmSync(path.join(dir, CREATING)),
    (error) => {
      throw failed(error)
    },
  )
}

/** Emscripten's NODEFS (the part of it used here): PGlite's file system layer over Node's fs. */
interface EmscriptenNodeFs {
  node_ops: {
    mknod: (parent: unknown, name: string, mode: number, dev: number) => unknown
    setattr: (node: unknown, attr: {mode?: number}) => void
  }
  stream_ops: {setattr?: (stream: unknown, attr: {mode?: number}) => void}
}

interface PGliteFilesystem {
  init(pg: unknown, opts: {preRun?: unknown[]}): Promise<{emscriptenOpts: {preRun?: unknown[]}}>
  initialSyncFs(): Promise<void>
}

/**
 * PGlite's Node file system, keeping every file and directory it creates
 * private. PostgreSQL asks for 0600 files and 0700 directories, but under
 * WebAssembly its modes go through Emscripten's NODEFS, which creates with
 * 0777 or 0666 and then sets modes with chmod (0666 for what initdb wrote,
 * 0644 for the relation cache files at every start), where the umask does
 * not apply: so the group and other bits are taken off every mode it sets.
 * `ready`: the data directory is complete.
 */
function privateNodeFs(dir: string, ready: Promise<void>): import('@electric-sql/pglite').PGliteOptions['fs'] {
  // A subpath export TypeScript's CommonJS resolution does not see (as the contrib modules above).
  const {NodeFS} = require('@electric-sql/pglite/nodefs') as {NodeFS: new (dir: string) => PGliteFilesystem}
  const ownerOnly = <T extends {mode?: number}>(attr: T): T => (attr.mode === undefined ? attr : {...attr, mode: attr.mode & ~0o077})
  class PrivateNodeFS extends NodeFS {
    override async init(pg: unknown, opts: {preRun?: unknown[]}) {
      const {emscriptenOpts} = await super.init(pg, opts)
      const makePrivate = (mod: {NODEFS: EmscriptenNodeFs}) => {
        const ops = mod.NODEFS.node_ops
        const streams = mod.NODEFS.stream_ops
        const {mknod, setattr} = ops
        const streamSetattr = streams.setattr
        ops.mknod = (parent, name, mode, dev) => mknod(parent, name, mode & ~0o077, dev)
        ops.setattr = (node, attr) => setattr(node, ownerOnly(attr))
        if (streamSetattr) streams.setattr = (stream, attr) => streamSetattr(stream, ownerOnly(attr))
      }
      return {emscriptenOpts: {...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), makePrivate]}}
    }

    /** Called once the WebAssembly runs, before PGlite looks for PG_VERSION: the directory must be complete by then. */
    override async initialSyncFs() {
      await ready
      await super.initialSyncFs()
    }
  }
  return new PrivateNodeFS(dir) as unknown as import('@electric-sql/pglite').PGliteOptions['fs']
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
      takeLock(lockDir)
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
      if (!['EEXIST', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '')) {
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

/**
 * Makes `lockDir` with its owner.json in one step: the directory is made and
 * written under a name of this process's own, then renamed to `lockDir`
 * (rename fails while `lockDir` exists). A process killed at any point thus
 * leaves either no lock or a lock that names it, which the next one finds
 * stale at once (a lock made by mkdir and then written was left without an
 * owner when killed in between, and waited for as a live one).
 */
function takeLock(lockDir: string): void {
  const pending = `${lockDir}.new-${process.pid}`
  fs.rmSync(pending, {recursive: true, force: true})
  fs.mkdirSync(pending, {mode: 0o700})
  try {
    fs.writeFileSync(path.join(pending, 'owner.json'), JSON.stringify({pid: process.pid, host: os.hostname(), since: new Date().toISOString()}), {mode: 0o600})
    // (rename over an empty directory would replace it: an empty lock directory is an older version's
    // lock just being written, so it counts as taken)
    if (fs.existsSync(lockDir)) throw Object.assign(new Error(`${lockDir} exists`), {code: 'EEXIST'})
    fs.renameSync(pending, lockDir)
  } finally {
    fs.rmSync(pending, {recursive: true, force: true})
  }
  // What processes killed while taking it left behind.
  const parent = path.dirname(lockDir)
  const prefix = `${path.basename(lockDir)}.new-`
  for (const name of fs.readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue
    const pid = Number(name.slice(prefix.length))
    if (Number.isInteger(pid) && !processExists(pid)) fs.rmSync(path.join(parent, name), {recursive: true, force: true})
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

/** The lock's owner, 'stale' when it is certainly gone, undefined while unknown (an older version's lock just being written). */
function readOwner(ownerFile: string): {pid: number; host: string} | 'stale' | undefined {
  let owner: {pid: number; host: string}
  try {
    owner = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as {pid: number; host: string}
  } catch {
    // Gone meanwhile (released), or an older version's lock (mkdir, then write): unknown for a minute.
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
