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
  const hex = uuid.replace(/-/g, '').toLowerCase()
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a uuid: ${uuid}`)
  // Legacy ids (high 64 bits zero) are shown as their decimal integer.
  if (/^0{16}/.test(hex)) return BigInt('0x' + hex).toString(10)
  // Long division of the 128-bit number by 62 on four 32-bit limbs: exact in
  // doubles (remainder * 2^32 + limb < 2^38), and far cheaper than BigInt
  // when a listing converts hundreds of thousands of ids.
  const limbs = [0, 8, 16, 24].map((i) => Number.parseInt(hex.slice(i, i + 8), 16))
  let out = ''
  while (limbs[0] !== 0 || limbs[1] !== 0 || limbs[2] !== 0 || limbs[3] !== 0) {
    let rem = 0
    for (let i = 0; i < 4; i++) {
      const cur = rem * 0x1_0000_0000 + limbs[i]
      limbs[i] = Math.floor(cur / 62)
      rem = cur - limbs[i] * 62
    }
    out = BASE62[rem] + out
  }
  return out
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
