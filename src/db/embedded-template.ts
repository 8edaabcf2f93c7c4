/**
 * The embedded database's template: the data directory that PGlite's initdb
 * and the tool's migrations produce, made once by `npm run build`
 * (scripts/embedded-template.js) and unpacked by the first command on a
 * machine instead of running initdb inside PGlite, which took seconds and
 * ~700 MB of memory (bench/RESULTS.md, "Embedded first run").
 *
 * The archive is a gzip'd ustar archive of the data directory as PostgreSQL
 * left it at a clean shutdown: directories and regular files only, names
 * relative to the data directory. It is unpacked here with modes 0700 and
 * 0600 (never the archive's), streaming, so that memory stays flat.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'

/** The template's file name in dist/ (next to the runtime bundle). */
export const TEMPLATE_FILE = 'embedded-template.tar.gz'

/** The template made at build time, if there is one. */
export function builtTemplate(): string | undefined {
  const file = path.join(__dirname, TEMPLATE_FILE)
  return fs.existsSync(file) ? file : undefined
}

const BLOCK = 512
/** Files of a running server that a copy of a data directory leaves out (as pg_basebackup does). */
const LEFT_OUT = new Set(['postmaster.pid', 'postmaster.opts'])

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'latin1')
}

function header(name: string, type: '0' | '5', size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`name too long for the template archive: ${name}`)
  const h = Buffer.alloc(BLOCK)
  h.write(name, 0, 100, 'utf8')
  octal(h, 100, 8, type === '5' ? 0o700 : 0o600)
  octal(h, 108, 8, 0)
  octal(h, 116, 8, 0)
  octal(h, 124, 12, size)
  octal(h, 136, 12, mtime)
  h.write('        ', 148, 8, 'latin1')
  h.write(type, 156, 1, 'latin1')
  h.write('ustar\u000000', 257, 8, 'latin1')
  let sum = 0
  for (const byte of h) sum += byte
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1')
  return h
}

/** Writes `dir` (a data directory PostgreSQL has shut down) as the template archive `file`. */
export function writeTemplate(dir: string, file: string): void {
  const parts: Buffer[] = []
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const relName = rel ? `${rel}/${name}` : name
      const st = fs.lstatSync(path.join(dir, relName))
      const mtime = Math.floor(st.mtimeMs / 1000)
      if (st.isDirectory()) {
        parts.push(header(relName + '/', '5', 0, mtime))
        walk(relName)
      } else if (st.isFile()) {
        if (!rel && LEFT_OUT.has(name)) continue
        const data = fs.readFileSync(path.join(dir, relName))
        parts.push(header(relName, '0', data.length, mtime), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK))
      } else {
        throw new Error(`not a file or directory: ${relName}`)
      }
    }
  }
  walk('')
  parts.push(Buffer.alloc(2 * BLOCK))
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(parts), {level: 9}))
}

function field(h: Buffer, offset: number, length: number): string {
  const s = h.toString('latin1', offset, offset + length)
  const end = s.indexOf('\0')
  return end < 0 ? s : s.slice(0, end)
}

/**
 * Unpacks the template archive `file` into the existing, empty directory
 * `dir`: directories 0700, files 0600 (PostgreSQL's own modes for a data
 * directory), whatever the archive or the umask say.
 */
export async function extractTemplate(file: string, dir: string): Promise<void> {
  let buffered = Buffer.alloc(0)
  let fd: number | undefined
  let left = 0 // bytes of the current file still to write
  let skip = 0 // padding still to skip
  let ended = false
  const entry = (h: Buffer) => {
    const name = field(h, 0, 100)
    const prefix = field(h, 345, 155)
    const rel = (prefix ? `${prefix}/` : '') + name
    const size = parseInt(field(h, 124, 12).trim() || '0', 8)
    const type = String.fromCharCode(h[156])
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.')
    if (parts.length === 0 || rel.startsWith('/') || parts.includes('..') || !Number.isFinite(size)) {
      throw new Error(`bad entry in the template archive: ${JSON.stringify(rel)}`)
    }
    const target = path.join(dir, ...parts)
    if (type === '5') {
      fs.mkdirSync(target, {recursive: true, mode: 0o700})
    } else if (type === '0' || type === '\0') {
      fs.mkdirSync(path.dirname(target), {recursive: true, mode: 0o700})
      fd = fs.openSync(target, 'wx', 0o600)
      left = size
      skip = (BLOCK - (size % BLOCK)) % BLOCK
      if (left === 0) closeFile()
    } else {
      throw new Error(`unexpected entry type ${JSON.stringify(type)} in the template archive: ${rel}`)
    }
  }
  const closeFile = () => {
    if (fd !== undefined) fs.closeSync(fd)
    fd = undefined
  }
  try {
    for await (const chunk of fs.createReadStream(file).pipe(zlib.createGunzip({chunkSize: 1 << 20}))) {
      let data = buffered.length > 0 ? Buffer.concat([buffered, chunk as Buffer]) : (chunk as Buffer)
      buffered = Buffer.alloc(0)
      while (data.length > 0 && !ended) {
        if (left > 0) {
          const n = Math.min(left, data.length)
          fs.writeSync(fd!, data, 0, n)
          left -= n
          data = data.subarray(n)
          if (left === 0) closeFile()
        } else if (skip > 0) {
          const n = Math.min(skip, data.length)
          skip -= n
          data = data.subarray(n)
        } else if (data.length < BLOCK) {
          buffered = Buffer.from(data)
          data = data.subarray(data.length)
        } else {
          const h = data.subarray(0, BLOCK)
          data = data.subarray(BLOCK)
          if (h.every((b) => b === 0)) ended = true
          else entry(h)
        }
      }
    }
    if (!ended || left > 0) throw new Error('the template archive is truncated')
  } finally {
    closeFile()
  }
}
