/**
 * user:list --json / --ndjson on a PostgreSQL server: the rows of one
 * `COPY (SELECT <LISTED_COLUMNS>) TO STDOUT` (text format) turned into the
 * JSON of listed users byte by byte, without making a JavaScript string or
 * object per row.
 *
 * A listing of a large instance writes three times as many bytes as it
 * reads; going through node-postgres' row objects, or even through a string
 * per row, made Node the bottleneck (three times psql's COPY of the same
 * columns). Here the fields are found by their tab bytes and copied as they
 * are: the common text needs no escaping (no backslash, quote or control
 * byte; UTF-8 is valid JSON as it is), and only a field that does goes
 * through strings (copyField, JSON.stringify), as do non-empty tag arrays.
 * The output is byte for byte what userJson (users.ts) writes from the
 * same row; the tests compare the two paths.
 */
import {copyField, parseArrayLiteral} from '../db/copy-text'
import {flakeIdToString, writeFlakeIdBytes} from '../db/flake-id'

const TAB = 9
const NEWLINE = 10
const BACKSLASH = 92
const QUOTE = 34

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))
/** The constant text before each field (the first one after the separator). */
const KEYS = [
  '{"id":"',
  '","uuid":"',
  '","nickname":',
  ',"local":',
  ',"email":',
  ',"name":',
  ',"moderator":',
  ',"admin":',
  ',"locked":',
  ',"active":',
  ',"confirmed":',
  ',"approved":',
  ',"tags":',
  ',"insertedAt":',
].map(ascii)
const CLOSE = ascii('}')
const TRUE = ascii('true')
const FALSE = ascii('false')
const NULL = ascii('null')
const EMPTY_ARRAY = ascii('[]')
/** The fields' kinds, in LISTED_COLUMNS' order (after id). */
const TEXT = 0
const BOOL = 1
const TAGS = 2
const DATE = 3
const KINDS = [TEXT, BOOL, TEXT, TEXT, BOOL, BOOL, BOOL, BOOL, BOOL, BOOL, TAGS, DATE]
/** The most a row's JSON can take beyond 6 bytes per input byte (\u00XX for a control byte). */
const ROW_OVERHEAD = 512

export interface JsonFraming {
  /** Written before the first row. */
  first: string
  /** Written before every other row. */
  between: string
  /** Written after every row. */
  after: string
}

export class CopyUserJsonEncoder {
  private rest: Buffer | undefined
  private out: Buffer = Buffer.alloc(0)
  private pos = 0
  private rows = 0
  private readonly first: Uint8Array
  private readonly between: Uint8Array
  private readonly after: Uint8Array

  constructor(framing: JsonFraming) {
    this.first = Buffer.from(framing.first)
    this.between = Buffer.from(framing.between)
    this.after = Buffer.from(framing.after)
  }

  /** How many rows were encoded so far. */
  get count(): number {
    return this.rows
  }

  /** Encodes the whole rows of `data` (with what was left of the last chunk); returns their JSON (maybe empty). */
  push(data: Buffer): Buffer {
    const src = this.rest ? Buffer.concat([this.rest, data]) : data
    const last = src.lastIndexOf(NEWLINE)
    this.rest = last + 1 < src.length ? Buffer.from(src.subarray(last + 1)) : undefined
    // A fresh buffer per chunk: the last one may still be queued in stdout.
    this.out = Buffer.allocUnsafe(Math.max(4096, 4 * (last + 1)))
    this.pos = 0
    let at = 0
    while (at <= last) {
      const eol = src.indexOf(NEWLINE, at)
      this.row(src, at, eol)
      at = eol + 1
    }
    return this.out.subarray(0, this.pos)
  }

  /** Checks that the data ended with a whole row. */
  end(): void {
    if (this.rest) throw new Error(`COPY data ended inside a row: ${this.rest.toString('utf8', 0, 80)}`)
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.out.length) return
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.pos + n))
    this.out.copy(bigger, 0, 0, this.pos)
    this.out = bigger
  }

  private put(bytes: Uint8Array): void {
    const out = this.out
    let p = this.pos
    for (let i = 0; i < bytes.length; i++) out[p++] = bytes[i]
    this.pos = p
  }

  private putString(s: string): void {
    this.reserve(Buffer.byteLength(s))
    this.pos += this.out.write(s, this.pos)
  }

  private row(src: Buffer, start: number, eol: number): void {
    this.reserve(ROW_OVERHEAD + 6 * (eol - start) + this.between.length + this.after.length)
    this.put(this.rows === 0 ? this.first : this.between)
    this.rows++
    // id: base 62 of the uuid, then the uuid itself.
    let tab = src.indexOf(TAB, start)
    if (tab < 0 || tab > eol) throw this.malformed(src, start, eol)
    this.put(KEYS[0])
    const next = tab - start === 36 ? writeFlakeIdBytes(src, start, this.out, this.pos) : -1
    if (next >= 0) this.pos = next
    else this.putString(flakeIdToString(src.toString('latin1', start, tab)))
    this.put(KEYS[1])
    this.copyBytes(src, start, tab)
    let at = tab + 1
    for (let f = 0; f < KINDS.length; f++) {
      const lastField = f === KINDS.length - 1
      const nextTab = src.indexOf(TAB, at)
      if (lastField ? nextTab >= 0 && nextTab < eol : nextTab < 0 || nextTab > eol) throw this.malformed(src, start, eol)
      tab = lastField ? eol : nextTab
      this.put(KEYS[f + 2])
      this.field(KINDS[f], src, at, tab)
      at = tab + 1
    }
    this.put(CLOSE)
    this.put(this.after)
  }

  private field(kind: number, src: Buffer, a: number, b: number): void {
    const isNull = b - a === 2 && src[a] === BACKSLASH && src[a + 1] === 78 // \N
    switch (kind) {
      case BOOL:
        this.put(b - a === 1 && src[a] === 116 ? TRUE : b - a === 1 && src[a] === 102 ? FALSE : NULL)
        return
      case DATE:
        if (isNull) this.put(NULL)
        else {
          this.out[this.pos++] = QUOTE
          this.copyBytes(src, a, b)
          this.out[this.pos++] = QUOTE
        }
        return
      case TAGS:
        if (isNull || (b - a === 2 && src[a] === 123 && src[a + 1] === 125)) this.put(EMPTY_ARRAY)
        else this.putString(JSON.stringify(parseArrayLiteral(copyField(src.toString('utf8', a, b))!)))
        return
      case TEXT:
        if (isNull) {
          this.put(NULL)
          return
        }
        for (let i = a; i < b; i++) {
          const c = src[i]
          if (c < 32 || c === QUOTE || c === BACKSLASH) {
            this.putString(JSON.stringify(copyField(src.toString('utf8', a, b))))
            return
          }
        }
        this.out[this.pos++] = QUOTE
        this.copyBytes(src, a, b)
        this.out[this.pos++] = QUOTE
    }
  }

  private copyBytes(src: Buffer, a: number, b: number): void {
    const out = this.out
    let p = this.pos
    for (let i = a; i < b; i++) out[p++] = src[i]
    this.pos = p
  }

  private malformed(src: Buffer, start: number, eol: number): Error {
    return new Error(`unexpected COPY row: ${src.toString('utf8', start, Math.min(eol, start + 200))}`)
  }
}
