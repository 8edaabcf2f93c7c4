import {randomBytes} from 'node:crypto'
import {FlakeIdGenerator, flakeIdFromString, flakeIdTime, flakeIdToString, newFlakeId} from '../../src/db/flake-id'
import {utcNow, toUtcTimestamp} from '../../src/db/time'
import {pathSegment, urlSafeToken} from '../../src/db/tokens'

describe('FlakeId (docs/pleroma/schema.md#flakeid)', () => {
  it('matches the test vector of Pleroma’s own test suite', () => {
    expect(flakeIdToString('00000168-50e5-02eb-8c16-45c935d20000')).toBe('9eoozpwTul5mjSEDRI')
    expect(flakeIdFromString('9eoozpwTul5mjSEDRI')).toBe('00000168-50e5-02eb-8c16-45c935d20000')
    expect(new Date(flakeIdTime('00000168-50e5-02eb-8c16-45c935d20000')).toISOString()).toBe('2019-01-15T09:43:32.331Z')
  })

  it('lays out timestamp, worker and sequence as in Pleroma', () => {
    const gen = new FlakeIdGenerator(Buffer.from('0123456789ab', 'hex'), () => 0x16850e502eb)
    expect(gen.next()).toBe('00000168-50e5-02eb-0123-456789ab0000')
    expect(gen.next()).toBe('00000168-50e5-02eb-0123-456789ab0001')
  })

  it('stays increasing when the clock stands still or goes back, and across a sequence overflow', () => {
    let now = 1_700_000_000_000
    const gen = new FlakeIdGenerator(Buffer.alloc(6), () => now)
    const ids: string[] = []
    for (let i = 0; i < 70_000; i++) ids.push(gen.next())
    now -= 5000
    ids.push(gen.next())
    const sorted = [...ids].sort()
    expect(sorted).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(flakeIdTime(ids[0])).toBe(1_700_000_000_000)
    expect(flakeIdTime(ids[69_999])).toBe(1_700_000_000_001)
  })

  it('makes unique, increasing ids from the process-wide generator', () => {
    const ids = Array.from({length: 5000}, () => newFlakeId())
    expect(new Set(ids).size).toBe(5000)
    expect([...ids].sort()).toEqual(ids)
    expect(Math.abs(flakeIdTime(ids[0]) - Date.now())).toBeLessThan(60_000)
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })

  it('converts like plain BigInt base-62 arithmetic, at the edges and on random ids', () => {
    const reference = (uuid: string): string => {
      let n = BigInt('0x' + uuid.replace(/-/g, ''))
      if (n >> 64n === 0n) return n.toString(10)
      const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
      let out = ''
      for (; n > 0n; n /= 62n) out = digits[Number(n % 62n)] + out
      return out
    }
    const hexes = [
      '00000000000000010000000000000000',
      'ffffffffffffffffffffffffffffffff',
      '0000000100000000ffffffffffffffff',
      '7fffffff80000000000000003e3e3e3e',
    ]
    for (let i = 0; i < 2000; i++) hexes.push(randomBytes(16).toString('hex'))
    // Powers of 62 and their neighbours: digit groups of zeros, and every length of the leading group.
    for (let k = 11n; k <= 21n; k++) for (const d of [-1n, 0n, 1n]) hexes.push((62n ** k + d).toString(16).padStart(32, '0'))
    for (const hex of hexes) {
      const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
      const text = flakeIdToString(uuid)
      expect(text).toBe(reference(uuid))
      // (Up to 17 decimal digits read back as a legacy integer id, as in Pleroma: 62^11 is "100000000000".)
      if (!/^\d{1,17}$/.test(text)) expect(flakeIdFromString(text)).toBe(uuid)
    }
  })

  it('reads the uuid in any case and with or without dashes', () => {
    expect(flakeIdToString('00000168-50E5-02EB-8C16-45C935D20000')).toBe('9eoozpwTul5mjSEDRI')
    expect(flakeIdToString('0000016850e502eb8c1645c935d20000')).toBe('9eoozpwTul5mjSEDRI')
    expect(() => flakeIdToString('00000168-50e5-02eb-8c16-45c935d2000g')).toThrow('not a uuid')
  })

  it('shows legacy integer ids as decimals and round-trips them', () => {
    expect(flakeIdToString('00000000-0000-0000-0000-00000000002a')).toBe('42')
    expect(flakeIdFromString('42')).toBe('00000000-0000-0000-0000-00000000002a')
    expect(() => flakeIdFromString('not-an-id!')).toThrow('not a FlakeId')
  })
})

describe('UTC timestamps', () => {
  it('are whole seconds in UTC whatever TZ says', () => {
    expect(utcNow(() => Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29 23:59:59')
    expect(toUtcTimestamp(new Date('2024-06-01T12:00:00+02:00'))).toBe('2024-06-01 10:00:00')
  })
})

describe('tokens', () => {
  it('are 32 random bytes in url-safe base64 with padding, path-encoded with %3D', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const t = urlSafeToken()
      expect(t).toMatch(/^[A-Za-z0-9_-]{43}=$/)
      expect(pathSegment(t)).toBe(t.slice(0, 43) + '%3D')
      seen.add(t)
    }
    expect(seen.size).toBe(200)
  })
})
