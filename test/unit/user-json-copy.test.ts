import {CopyUserJsonEncoder} from '../../src/services/user-json-copy'
import {flakeIdToString} from '../../src/db/flake-id'

// Rows as COPY ... TO STDOUT (text format) writes user:list's columns (LISTED_FIELDS in users.ts), and their JSON.
const ROWS: Array<{line: string; json: object}> = [
  {
    line: '00000185-6aa1-b260-0000-000000000001\tu1\tt\tu1@mail.example\tUser 1\tf\tt\tf\tt\tt\tt\t{}\t2023-01-01 00:01:00',
    json: {
      id: flakeIdToString('00000185-6aa1-b260-0000-000000000001'),
      uuid: '00000185-6aa1-b260-0000-000000000001',
      nickname: 'u1',
      local: true,
      email: 'u1@mail.example',
      name: 'User 1',
      moderator: false,
      admin: true,
      locked: false,
      active: true,
      confirmed: true,
      approved: true,
      tags: [],
      insertedAt: '2023-01-01T00:01:00Z',
    },
  },
  {
    // Escapes of COPY and of JSON, multi-byte UTF-8, NULLs, a tag array with quoting, a legacy integer id.
    line: '00000000-0000-0000-0000-00000000002a\tzo\\\\ë "z"\tf\t\\N\ttab\\there\\nnl \x01 😀\t\\N\tf\tf\tt\tf\tf\t{"a,b","c\\\\\\\\d",plain,NULL}\t2024-02-29 23:59:59.123456',
    json: {
      id: '42',
      uuid: '00000000-0000-0000-0000-00000000002a',
      nickname: 'zo\\ë "z"',
      local: false,
      email: null,
      name: 'tab\there\nnl \x01 😀',
      moderator: null,
      admin: false,
      locked: false,
      active: true,
      confirmed: false,
      approved: false,
      tags: ['a,b', 'c\\d', 'plain', null],
      insertedAt: '2024-02-29T23:59:59Z',
    },
  },
  {
    line: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\t\tt\t\t\\N\tt\tt\tt\tt\tt\tt\t\\N\t0044-03-15 12:00:00 BC',
    json: {
      id: flakeIdToString('ffffffff-ffff-ffff-ffff-ffffffffffff'),
      uuid: 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      nickname: '',
      local: true,
      email: '',
      name: null,
      moderator: true,
      admin: true,
      locked: true,
      active: true,
      confirmed: true,
      approved: true,
      tags: [],
      insertedAt: '0044-03-15T12:00:00Z',
    },
  },
]
const DATA = Buffer.from(ROWS.map((r) => r.line + '\n').join(''))
const ARRAY = {first: '\n  ', between: ',\n  ', after: ''}

function encode(chunks: Buffer[], framing = ARRAY): string {
  const e = new CopyUserJsonEncoder(framing)
  const out = chunks.map((c) => e.push(c))
  e.end()
  return Buffer.concat(out).toString('utf8')
}

describe('CopyUserJsonEncoder (user:list --json from COPY text rows)', () => {
  it('writes what JSON.stringify writes for the same users, with the framing asked for', () => {
    expect(encode([DATA])).toBe('\n  ' + ROWS.map((r) => JSON.stringify(r.json)).join(',\n  '))
    expect(encode([DATA], {first: '', between: '', after: '\n'})).toBe(ROWS.map((r) => JSON.stringify(r.json) + '\n').join(''))
  })

  it('gives the same bytes however the data is cut (inside rows, fields and UTF-8 sequences)', () => {
    const whole = encode([DATA])
    for (let cut = 1; cut < DATA.length; cut++) expect(encode([DATA.subarray(0, cut), DATA.subarray(cut)])).toBe(whole)
    expect(encode([...DATA].map((byte) => Buffer.from([byte])))).toBe(whole)
  })

  it('refuses a row with too few or too many fields, and data ending inside a row', () => {
    expect(() => encode([Buffer.from('00000185-6aa1-b260-0000-000000000001\tu1\tt\n')])).toThrow('unexpected COPY row')
    expect(() => encode([Buffer.from(ROWS[0].line + '\textra\n')])).toThrow('unexpected COPY row')
    expect(() => encode([Buffer.from(ROWS[0].line)])).toThrow('COPY data ended inside a row')
  })
})
