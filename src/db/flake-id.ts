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
  let n = BigInt('0x' + hex)
  // Legacy ids (high 64 bits zero) are shown as their decimal integer.
  if (n >> 64n === 0n) return n.toString(10)
  let out = ''
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out
    n /= 62n
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
