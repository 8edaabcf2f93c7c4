/**
 * user:list --json / --ndjson on a PostgreSQL server: the rows of one
 * `COPY (SELECT <user:list's columns>) TO STDOUT` (text format) turned into the
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
 * The output is byte for byte what the keyset path (users.ts) writes for
 * the same row; the tests compare the two paths.
 */
import {copyField, parseArrayLiteral} from '../db/copy-text'
import {flakeIdToString, writeFlakeIdBytes} from '../db/flake-id'

const TAB = 9
const NEWLINE = 10
const SPACE = 32
const BACKSLASH = 92
const QUOTE = 34
const T = 84
const Z = 90

function copyBytes(out: Uint8Array, pos: number, src: Uint8Array, a: number, b: number): number {
  for (let i = a; i < b; i++) out[pos++] = src[i]
  return pos
}

const isNull = (src: Uint8Array, a: number, b: number): boolean => b - a === 2 && src[a] === BACKSLASH && src[a + 1] === 78 // \N
/** A boolean field: 0 false, 1 true, 2 NULL (or anything else). */
const boolValue = (src: Uint8Array, a: number, b: number): number => (b - a === 1 ? (src[a] === 116 ? 1 : src[a] === 102 ? 0 : 2) : 2)

function putBytes(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  const n = bytes.length
  if (n > 8) {
    out.set(bytes, pos)
    return pos + n
  }
  for (let i = 0; i < n; i++) out[pos++] = bytes[i]
  return pos
}

/*
 * What the COPY reads, in the order of the fields below: the columns of
 * LISTED_FIELDS (users.ts), in its order: id, nickname, local, email, name,
 * the six flags of FLAG_KEYS, tags, inserted_at. inserted_at as the server
 * writes it with DateStyle ISO (set for the transaction), its formatting to
 * ISO 8601 UTC done here rather than by to_char in the database, where it
 * would add to the server's share of the work.
 */

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))
const ID_KEY = ascii('{"id":"')
const UUID_KEY = ascii('","uuid":"')
const NICKNAME_KEY = ascii('","nickname":')
const NAME_KEY = ascii(',"name":')
const INSERTED_AT_KEY = ascii(',"insertedAt":')
const CLOSE = ascii('}')
const NULL = ascii('null')
const EMPTY_ARRAY = ascii('[]')
const BOOL_TEXT = ['false', 'true', 'null']
/** The boolean flags between name and tags, in the COPY's order, as ListedUser names them. */
const FLAG_KEYS = ['moderator', 'admin', 'locked', 'active', 'confirmed', 'approved']

/**
 * The constant stretches with booleans in them, made once per combination
 * (a boolean is false, true or NULL: 3 and 3^6 of them): `,"local":B,"email":`
 * and `,"moderator":B,...,"approved":B,"tags":`.
 */
const LOCAL_SEGMENTS = [0, 1, 2].map((v) => ascii(`,"local":${BOOL_TEXT[v]},"email":`))
const FLAG_SEGMENTS: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(3 ** FLAG_KEYS.length)
function flagSegment(code: number): Uint8Array {
  let segment = FLAG_SEGMENTS[code]
  if (!segment) {
    const values: string[] = []
    for (let i = FLAG_KEYS.length - 1, c = code; i >= 0; i--, c = Math.floor(c / 3)) values[i] = `,"${FLAG_KEYS[i]}":${BOOL_TEXT[c % 3]}`
    segment = ascii(values.join('') + ',"tags":')
    FLAG_SEGMENTS[code] = segment
  }
  return segment
}

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
    this.first = new Uint8Array(Buffer.from(framing.first))
    this.between = new Uint8Array(Buffer.from(framing.between))
    this.after = new Uint8Array(Buffer.from(framing.after))
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

  private putString(s: string): void {
    this.reserve(Buffer.byteLength(s))
    this.pos += this.out.write(s, this.pos)
  }

  private row(src: Buffer, start: number, eol: number): void {
    this.reserve(ROW_OVERHEAD + 6 * (eol - start) + this.between.length + this.after.length)
    this.pos = putBytes(this.out, this.pos, this.rows === 0 ? this.first : this.between)
    this.rows++
    // id: base 62 of the uuid, then the uuid itself.
    const idEnd = this.fieldEnd(src, start, eol, start)
    this.put(ID_KEY)
    const next = idEnd - start === 36 ? writeFlakeIdBytes(src, start, this.out, this.pos) : -1
    if (next >= 0) this.pos = next
    else this.putString(flakeIdToString(src.toString('latin1', start, idEnd)))
    this.put(UUID_KEY)
    this.pos = copyBytes(this.out, this.pos, src, start, idEnd)
    this.put(NICKNAME_KEY)
    let at = this.text(src, idEnd + 1, eol, start) + 1
    let end = this.fieldEnd(src, at, eol, start)
    this.put(LOCAL_SEGMENTS[boolValue(src, at, end)])
    at = this.text(src, end + 1, eol, start) + 1
    this.put(NAME_KEY)
    at = this.text(src, at, eol, start) + 1
    let flags = 0
    for (let i = 0; i < FLAG_KEYS.length; i++) {
      end = this.fieldEnd(src, at, eol, start)
      flags = flags * 3 + boolValue(src, at, end)
      at = end + 1
    }
    this.put(flagSegment(flags))
    end = this.fieldEnd(src, at, eol, start)
    if (isNull(src, at, end) || (end - at === 2 && src[at] === 123 && src[at + 1] === 125)) this.put(EMPTY_ARRAY)
    else this.putString(JSON.stringify(parseArrayLiteral(copyField(src.toString('utf8', at, end))!)))
    at = end + 1
    // inserted_at, the last field: up to the end of the line.
    if (at > eol) throw this.malformed(src, start, eol)
    for (let i = at; i < eol; i++) if (src[i] === TAB) throw this.malformed(src, start, eol)
    this.put(INSERTED_AT_KEY)
    this.date(src, at, eol)
    this.put(CLOSE)
    this.put(this.after)
  }

  /** Where the field from `at` ends (its tab); refuses a row that ends first. */
  private fieldEnd(src: Buffer, at: number, eol: number, start: number): number {
    let b = at
    while (b < eol && src[b] !== TAB) b++
    if (b >= eol) throw this.malformed(src, start, eol)
    return b
  }

  /** A text field as a JSON string, copied as it is unless it needs escaping; returns where it ends (its tab). */
  private text(src: Buffer, at: number, eol: number, start: number): number {
    const out = this.out
    let q = this.pos
    out[q++] = QUOTE
    let b = at
    let plain = true
    for (; b < eol; b++) {
      const c = src[b]
      if (c === TAB) break
      if (c < 32 || c === QUOTE || c === BACKSLASH) plain = false
      out[q++] = c
    }
    if (b >= eol) throw this.malformed(src, start, eol)
    if (plain) {
      out[q++] = QUOTE
      this.pos = q
    } else if (isNull(src, at, b)) this.put(NULL)
    else this.putString(JSON.stringify(copyField(src.toString('utf8', at, b))))
    return b
  }

  /** DateStyle ISO "2024-02-29 23:59:59[.ffffff][ BC]" as "2024-02-29T23:59:59Z" (what to_char writes on the keyset path). */
  private date(src: Buffer, at: number, end: number): void {
    if (isNull(src, at, end)) {
      this.put(NULL)
      return
    }
    const out = this.out
    let p = this.pos
    let space = at
    while (space < end && src[space] !== SPACE) space++
    out[p++] = QUOTE
    if (space + 9 <= end) {
      p = copyBytes(out, p, src, at, space)
      out[p++] = T
      p = copyBytes(out, p, src, space + 1, space + 9)
      out[p++] = Z
    } else p = copyBytes(out, p, src, at, end)
    out[p++] = QUOTE
    this.pos = p
  }

  private put(bytes: Uint8Array): void {
    this.pos = putBytes(this.out, this.pos, bytes)
  }

  private malformed(src: Buffer, start: number, eol: number): Error {
    return new Error(`unexpected COPY row: ${src.toString('utf8', start, Math.min(eol, start + 200))}`)
  }
}
