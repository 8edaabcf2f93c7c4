/**
 * FlakeIds as Pleroma generates them for users and activities (schema.md §2.1):
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

  constructor(worker?: Buffer, private readonly clock: () => number = Date.now) {
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
  const fast = uuid.length === 36 ? canonicalToBase62(uuid) : undefined
  if (fast !== undefined) return fast
  const hex = uuid.replace(/-/g, '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a uuid: ${uuid}`)
  // Legacy ids (high 64 bits zero) are shown as their decimal integer.
  if (/^0{16}/.test(hex)) return BigInt('0x' + hex).toString(10)
  return canonicalToBase62(formatUuid(hex))!
}

const HEX_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i
}
const LIMBS = new Float64Array(8)
const P5 = 62 ** 5
/** Two base-62 digits for each value below 62², most significant first. */
const PAIRS = Array.from({length: 62 * 62}, (_, i) => BASE62[Math.floor(i / 62)] + BASE62[i % 62])

/**
 * The base-62 form of a uuid in its canonical 8-4-4-4-12 form; undefined
 * for anything else and for legacy ids (high 64 bits zero). A listing
 * converts hundreds of thousands of ids, so no BigInt, regular expression or
 * intermediate string: the 128-bit number is read into eight 16-bit limbs
 * and divided by 62⁵ per pass (remainder × 2¹⁶ + limb < 2⁴⁶: exact in
 * doubles), five digits at a time.
 */
function canonicalToBase62(u: string): string | undefined {
  let k = 0
  let acc = 0
  let digits = 0
  for (let i = 0; i < 36; i++) {
    const c = u.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return undefined
      continue
    }
    const v = c < 128 ? HEX_VALUE[c] : -1
    if (v < 0) return undefined
    acc = acc * 16 + v
    if (++digits === 4) {
      LIMBS[k++] = acc
      acc = 0
      digits = 0
    }
  }
  if (LIMBS[0] === 0 && LIMBS[1] === 0 && LIMBS[2] === 0 && LIMBS[3] === 0) return undefined
  let out = ''
  for (;;) {
    let rem = 0
    let more = false
    for (let i = 0; i < 8; i++) {
      const cur = rem * 65536 + LIMBS[i]
      const q = Math.floor(cur / P5)
      LIMBS[i] = q
      rem = cur - q * P5
      if (q !== 0) more = true
    }
    if (!more) {
      // The leading digits: no zero padding.
      while (rem > 0) {
        const q = Math.floor(rem / 62)
        out = BASE62[rem - q * 62] + out
        rem = q
      }
      return out
    }
    const a = Math.floor(rem / 3844)
    const b = Math.floor(a / 3844)
    out = BASE62[b] + PAIRS[a - b * 3844] + PAIRS[rem - a * 3844] + out
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
