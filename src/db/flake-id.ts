/**
 * FlakeIds as Pleroma generates them for users and activities (docs/pleroma/schema.md#flakeid):
 * a 128-bit big-endian integer stored in a uuid column —
 * 64 bits of milliseconds since the Unix epoch, a 48-bit worker id and a
 * 16-bit sequence. Ids made by one process are unique and strictly increasing.
 */
import {randomBytes} from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export class FlakeIdGenerator {
  private lastMs = 0n
  private seq = 0
  private readonly workerHex: string

  constructor(
    worker?: Buffer,
    private readonly clock: () => number = Date.now,
  ) {
    const w = worker ?? randomBytes(6)
    if (w.length !== 6) throw new Error('FlakeId worker must be 6 bytes')
    this.workerHex = w.toString('hex')
  }

  /** A new id in uuid form (`TTTTTTTT-TTTT-TTTT-WWWW-WWWWWWWWSSSS`). */
  next(): string {
    const now = BigInt(this.clock())
    if (now > this.lastMs) {
      this.lastMs = now
      this.seq = 0
    } else {
      // Same millisecond (or the clock went back): keep the last timestamp
      // and count up; on overflow borrow the next millisecond.
      this.seq += 1
      if (this.seq > 0xffff) {
        this.lastMs += 1n
        this.seq = 0
      }
    }
    const hex = this.lastMs.toString(16).padStart(16, '0') + this.workerHex + this.seq.toString(16).padStart(4, '0')
    return formatUuid(hex)
  }
}

function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

const defaultGenerator = new FlakeIdGenerator()

/** A new FlakeId (uuid form) from the process-wide generator. */
export function newFlakeId(): string {
  return defaultGenerator.next()
}

/** The external (API) string form: base 62, most significant digit first. */
export function flakeIdToString(uuid: string): string {
  if (uuid.length === 36) {
    for (let i = 0; i < 36; i++) UUID_CODES[i] = Math.min(uuid.charCodeAt(i), 255)
    const n = readCanonicalUuid(UUID_CODES, 0) ? limbsToBase62() : 0
    if (n > 0) {
      let out = ''
      for (let i = n - 1; i >= 0; i--) out += BASE62[DIGITS[i]]
      return out
    }
  }
  const hex = uuid.replace(/-/g, '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a uuid: ${uuid}`)
  // Legacy ids (high 64 bits zero) are shown as their decimal integer.
  if (/^0{16}/.test(hex)) return BigInt('0x' + hex).toString(10)
  return flakeIdToString(formatUuid(hex))
}

/**
 * flakeIdToString for a canonical uuid at `src[at..at+36)` (ASCII bytes),
 * written as ASCII bytes at `dst[pos]`: returns the position after it, or -1
 * (not a canonical uuid, or a legacy id: use flakeIdToString).
 */
export function writeFlakeIdBytes(src: Uint8Array, at: number, dst: Uint8Array, pos: number): number {
  if (!readCanonicalUuid(src, at)) return -1
  const n = limbsToBase62()
  if (n === 0) return -1
  for (let i = n - 1; i >= 0; i--) dst[pos++] = BASE62_BYTES[DIGITS[i]]
  return pos
}

/*
 * The conversion reads hundreds of thousands of ids in a listing, so no
 * BigInt, regular expression or intermediate string: the uuid's 128 bits go
 * into eight 16-bit limbs, divided by 62^6 per pass (remainder × 2^16 + limb
 * < 2^52: exact in doubles), six digits at a time.
 */
const BASE62_BYTES = Uint8Array.from(BASE62, (c) => c.charCodeAt(0))
const HEX_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i
}
const LIMBS = new Float64Array(8)
/** Base-62 digit values of the last conversion, least significant first. */
const DIGITS = new Uint8Array(24)
const P6 = 62 ** 6

/** A string uuid's character codes, for readCanonicalUuid. */
const UUID_CODES = new Uint8Array(36)

/** Reads an 8-4-4-4-12 uuid (ASCII at `src[at..at+36)`) into LIMBS; false when it is not one. */
function readCanonicalUuid(src: Uint8Array, at: number): boolean {
  let k = 0
  let acc = 0
  let digits = 0
  for (let i = 0; i < 36; i++) {
    const c = src[at + i]
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false
      continue
    }
    const v = c < 128 ? HEX_VALUE[c] : -1
    if (v < 0) return false
    acc = acc * 16 + v
    if (++digits === 4) {
      LIMBS[k++] = acc
      acc = 0
      digits = 0
    }
  }
  return true
}

/** LIMBS in base 62 into DIGITS; returns the number of digits, 0 for a legacy id (high 64 bits zero). */
function limbsToBase62(): number {
  if (LIMBS[0] === 0 && LIMBS[1] === 0 && LIMBS[2] === 0 && LIMBS[3] === 0) return 0
  let n = 0
  for (;;) {
    let rem = 0
    let more = false
    for (let i = 0; i < 8; i++) {
      const cur = rem * 65536 + LIMBS[i]
      const q = Math.floor(cur / P6)
      LIMBS[i] = q
      rem = cur - q * P6
      if (q !== 0) more = true
    }
    // Six digits of this pass; the leading pass without its zeros.
    for (let j = 0; j < 6 && (more || rem > 0); j++) {
      const q = Math.floor(rem / 62)
      DIGITS[n++] = rem - q * 62
      rem = q
    }
    if (!more) return n
  }
}

/** Parses the API string form (base 62, or a legacy decimal integer) back into a uuid. */
export function flakeIdFromString(s: string): string {
  let n = 0n
  if (/^\d{1,17}$/.test(s)) {
    n = BigInt(s)
  } else if (s === '-1') {
    n = 0n
  } else {
    if (!/^[0-9A-Za-z]+$/.test(s)) throw new Error(`not a FlakeId: ${s}`)
    for (const ch of s) n = n * 62n + BigInt(BASE62.indexOf(ch))
  }
  if (n >> 128n !== 0n) throw new Error(`not a FlakeId: ${s}`)
  return formatUuid(n.toString(16).padStart(32, '0'))
}

/** The timestamp (ms since the epoch) a FlakeId was made at. */
export function flakeIdTime(uuid: string): number {
  return Number(BigInt('0x' + uuid.replace(/-/g, '').slice(0, 16)))
}
