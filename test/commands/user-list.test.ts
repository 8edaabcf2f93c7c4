import {describeBackends} from '../helpers/backends'
import {flakeIdToString, newFlakeId} from '../../src/db/flake-id'

interface Row {
  nickname: string | null
  local?: boolean
  admin?: boolean
  moderator?: boolean
  locked?: boolean
  active?: boolean
  invisible?: boolean
  confirmed?: boolean
  approved?: boolean
  email?: string | null
  name?: string | null
  tags?: string[]
  insertedAt?: string
}

async function insertUser(b: {sql: (q: string, p?: unknown[]) => Promise<unknown[]>}, row: Row): Promise<string> {
  const id = newFlakeId()
  const ap =
    row.local === false ? `https://${row.nickname!.split('@')[1]}/users/${row.nickname!.split('@')[0]}` : `https://pleroma.example/users/${row.nickname ?? id}`
  await b.sql(
    `INSERT INTO users (id, nickname, email, name, bio, ap_id, local, is_admin, is_moderator, is_locked, is_active, invisible, is_confirmed, is_approved, tags, inserted_at, updated_at, follower_address)
     VALUES ($1, $2, $11, $12, '', $3, $4, $5, $6, $7, $8, $9, $13, $14, $15, $16, $16, $10)`,
    [
      id,
      row.nickname,
      ap,
      row.local ?? true,
      row.admin ?? false,
      row.moderator ?? false,
      row.locked ?? false,
      row.active ?? true,
      row.invisible ?? false,
      ap + '/followers',
      row.email ?? null,
      row.name ?? null,
      row.confirmed ?? true,
      row.approved ?? true,
      row.tags ?? [],
      row.insertedAt ?? '2024-01-02 03:04:05',
    ],
  )
  return id
}

describeBackends('user:list', (b) => {
  it('prints nothing for an instance without local users', async () => {
    const r = await b.run(['user:list'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('')
    const j = await b.run(['user:list', '--json'])
    expect(j.json).toEqual([])
  })

  it('--format pleroma-2.9 prints v2.9.1’s line (lib/mix/tasks/pleroma/user.ex:417-419: is_active instead of deactivated), same users and order; bad or combined values are usage errors', async () => {
    await insertUser(b, {nickname: 'zed', admin: true})
    await insertUser(b, {nickname: 'internal.fetch', invisible: true})
    await insertUser(b, {nickname: 'remote@remote.example', local: false})
    await insertUser(b, {nickname: 'amy', moderator: true, locked: true, active: false})
    const r = await b.run(['user:list', '--format', 'pleroma-2.9'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(
      'zed moderator: false, admin: true, locked: false, is_active: true\namy moderator: true, admin: false, locked: true, is_active: false\n',
    )
    const old = await b.run(['user:list', '--format', 'pleroma-2020', '--deactivated'])
    expect(old.stdout).toBe('amy moderator: true, admin: false, locked: true, deactivated: true\n')
    const bad = await b.run(['user:list', '--format', 'csv'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stdout).toBe('')
    expect((await b.run(['user:list', '--format', 'pleroma-2.9', '--json'])).exitCode).toBe(2)
    expect((await b.run(['user:list', '--format', 'pleroma-2.9', '--nicknames'])).exitCode).toBe(2)
  })

  it('lists local users in id order in Pleroma’s format, hiding internal actors, remote users and nameless rows', async () => {
    const ids: string[] = []
    ids.push(await insertUser(b, {nickname: 'zed', admin: true}))
    await insertUser(b, {nickname: 'internal.fetch', invisible: true})
    ids.push(await insertUser(b, {nickname: 'relay', invisible: true}))
    await insertUser(b, {nickname: 'remote@remote.example', local: false})
    await insertUser(b, {nickname: null, active: false})
    ids.push(await insertUser(b, {nickname: 'amy', moderator: true, locked: true, active: false}))
    const r = await b.run(['user:list'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'zed moderator: false, admin: true, locked: false, deactivated: false\n' +
        'relay moderator: false, admin: false, locked: false, deactivated: false\n' +
        'amy moderator: true, admin: false, locked: true, deactivated: true\n',
    )
    const j = await b.run(['user:list', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json.map((u: {nickname: string}) => u.nickname)).toEqual(['zed', 'relay', 'amy'])
    expect(j.json[2]).toEqual({
      id: flakeIdToString(ids[2]),
      uuid: ids[2],
      nickname: 'amy',
      local: true,
      email: null,
      name: null,
      moderator: true,
      admin: false,
      locked: true,
      active: false,
      confirmed: true,
      approved: true,
      tags: [],
      insertedAt: '2024-01-02T03:04:05Z',
    })
  })

  it('reads past the first page', async () => {
    const values: string[] = []
    for (let i = 0; i < 2100; i++)
      values.push(
        `('${newFlakeId()}', 'user${String(i).padStart(4, '0')}', '', 'https://pleroma.example/users/user${i}', '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
      )
    await b.sql(`INSERT INTO users (id, nickname, bio, ap_id, inserted_at, updated_at) VALUES ${values.join(',')}`)
    const r = await b.run(['user:list'])
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(2100)
    expect(lines[0]).toBe('user0000 moderator: false, admin: false, locked: false, deactivated: false')
    expect(lines[2099]).toMatch(/^user2099 /)
    const j = await b.run(['user:list', '--json'])
    expect(j.json).toHaveLength(2100)
  })

  it('writes names and tags that need JSON escaping exactly as JSON.stringify would, in --json and --ndjson', async () => {
    const name = 'Zoë "Z" \\ back\nslash\ttab \u0001 😀'
    const id = await insertUser(b, {nickname: 'zoe', email: 'zoe@example.com', name, tags: ['a"b', 'c\\d'], insertedAt: '2024-02-29 23:59:59'})
    const expected = {
      id: flakeIdToString(id),
      uuid: id,
      nickname: 'zoe',
      local: true,
      email: 'zoe@example.com',
      name,
      moderator: false,
      admin: false,
      locked: false,
      active: true,
      confirmed: true,
      approved: true,
      tags: ['a"b', 'c\\d'],
      insertedAt: '2024-02-29T23:59:59Z',
    }
    const j = await b.run(['user:list', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.stdout).toBe(`[\n  ${JSON.stringify(expected)}\n]\n`)
    const n = await b.run(['user:list', '--ndjson'])
    expect(n.exitCode).toBe(0)
    expect(n.stdout).toBe(JSON.stringify(expected) + '\n')
  })

  it('every character PostgreSQL escapes in its text output comes out as it is stored (COPY on a server, pages on the embedded database)', async () => {
    const name = 'cr\r bs\b ff\f vt\v del\u007f \\N {a,b} "q" \u2028 \u00e9'
    const tags = ['with,comma', 'with space', '{braces}', 'NULL', '', 'back\\slash "quoted"', 'tab\there', 'é']
    const id = await insertUser(b, {nickname: 'esc', email: null, name, tags, insertedAt: '2024-03-01 12:00:00'})
    await insertUser(b, {nickname: 'plain', email: 'plain@example.com', name: null, insertedAt: '2024-03-02 12:00:00'})
    const r = await b.run(['user:list', '--ndjson'])
    expect(r.exitCode).toBe(0)
    const [first, second] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(first).toMatchObject({id: flakeIdToString(id), uuid: id, nickname: 'esc', email: null, name, tags, insertedAt: '2024-03-01T12:00:00Z'})
    expect(second).toMatchObject({nickname: 'plain', email: 'plain@example.com', name: null, tags: []})
    expect(r.stdout.split('\n')[0]).toBe(JSON.stringify(first))
  })
})

describeBackends('user:list filters', (b) => {
  beforeEach(async () => {
    await insertUser(b, {nickname: 'ada', admin: true, email: 'ada@example.com', name: 'Ada Lovelace', insertedAt: '2023-05-01 10:00:00'})
    await insertUser(b, {nickname: 'bert', moderator: true, email: 'bert@mail.example', tags: ['mrf_tag:sandbox', 'vip'], insertedAt: '2023-12-31 23:59:59'})
    await insertUser(b, {nickname: 'cleo', active: false, email: 'cleo@example.com', insertedAt: '2024-01-01 00:00:00'})
    await insertUser(b, {
      nickname: 'dana',
      confirmed: false,
      approved: false,
      locked: true,
      email: 'dana@EXAMPLE.com',
      tags: ['vip'],
      insertedAt: '2024-06-01 00:00:00',
    })
    await insertUser(b, {nickname: 'eve_100%', email: 'eve@other.example', name: 'Evil 100%', insertedAt: '2024-07-01 00:00:00'})
    await insertUser(b, {nickname: 'rem@dead.example', local: false})
    await insertUser(b, {nickname: 'Rem2@DEAD.example', local: false, active: false})
    await insertUser(b, {nickname: 'x@xdead.example', local: false})
    await insertUser(b, {nickname: 'y@dead.example.org', local: false})
  })

  const nicks = async (args: string[]) => {
    const r = await b.run(['user:list', ...args, '--ndjson'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    return r.stdout.trim() === ''
      ? []
      : r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).nickname)
  }

  it('filter by role, state and tag, combined with AND', async () => {
    expect(await nicks([])).toEqual(['ada', 'bert', 'cleo', 'dana', 'eve_100%'])
    expect(await nicks(['--admin'])).toEqual(['ada'])
    expect(await nicks(['--moderator'])).toEqual(['bert'])
    expect(await nicks(['--deactivated'])).toEqual(['cleo'])
    expect(await nicks(['--active'])).toEqual(['ada', 'bert', 'dana', 'eve_100%'])
    expect(await nicks(['--unconfirmed'])).toEqual(['dana'])
    expect(await nicks(['--unapproved', '--locked'])).toEqual(['dana'])
    expect(await nicks(['--tag', 'VIP'])).toEqual(['bert', 'dana'])
    expect(await nicks(['--tag', 'vip', '--tag', 'mrf_tag:sandbox'])).toEqual(['bert'])
    expect(await nicks(['--tag', 'vip', '--moderator'])).toEqual(['bert'])
    expect(await nicks(['--admin', '--moderator'])).toEqual([])
  })

  it('filter values with quotes and backslashes are values, not SQL', async () => {
    await insertUser(b, {nickname: 'obrien', name: "O'Brien \\ Co", tags: ["it's", 'a\\b'], insertedAt: '2024-08-01 00:00:00'})
    expect(await nicks(['--search', "O'Brien \\"])).toEqual(['obrien'])
    expect(await nicks(['--tag', "it's"])).toEqual(['obrien'])
    expect(await nicks(['--tag', 'a\\b'])).toEqual(['obrien'])
    expect(await nicks(['--search', "'; DROP TABLE users; --"])).toEqual([])
    expect(await nicks(['--search', 'ada'])).toEqual(['ada'])
  })

  it('filter remote users by exact host, and all users', async () => {
    expect(await nicks(['--remote'])).toEqual(['rem@dead.example', 'Rem2@DEAD.example', 'x@xdead.example', 'y@dead.example.org'])
    expect(await nicks(['--instance', 'dead.example'])).toEqual(['rem@dead.example', 'Rem2@DEAD.example'])
    expect(await nicks(['--instance', 'DEAD.example', '--active'])).toEqual(['rem@dead.example'])
    expect(await nicks(['--all', '--deactivated'])).toEqual(['cleo', 'Rem2@DEAD.example'])
  })

  it('filter by e-mail domain, creation date and search text; limit; count', async () => {
    expect(await nicks(['--email-domain', 'example.com'])).toEqual(['ada', 'cleo', 'dana'])
    expect(await nicks(['--created-after', '2024-01-01'])).toEqual(['cleo', 'dana', 'eve_100%'])
    expect(await nicks(['--created-before', '2024-01-01'])).toEqual(['ada', 'bert'])
    expect(await nicks(['--created-after', '2023-12-31T23:59:59Z', '--created-before', '2024-06-01'])).toEqual(['bert', 'cleo'])
    expect(await nicks(['--search', 'LOVELACE'])).toEqual(['ada'])
    expect(await nicks(['--search', 'mail.example'])).toEqual(['bert'])
    expect(await nicks(['--search', '100%'])).toEqual(['eve_100%'])
    expect(await nicks(['--search', '_'])).toEqual(['eve_100%'])
    expect(await nicks(['--limit', '2'])).toEqual(['ada', 'bert'])
    const count = await b.run(['user:list', '--count', '--active'])
    expect(count.stdout).toBe('4\n')
    const countJson = await b.run(['user:list', '--count', '--remote', '--json'])
    expect(countJson.json).toEqual({count: 4})
    const text = await b.run(['user:list', '--tag', 'vip'])
    expect(text.stdout).toBe(
      'bert moderator: true, admin: false, locked: false, deactivated: false\ndana moderator: false, admin: false, locked: true, deactivated: false\n',
    )
  })

  it('bad filter values are refused with one line', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['--created-after', '2024-02-30'], 4, /^Error: --created-after must be a date such as 2024-01-31/],
      [['--created-before', 'yesterday'], 4, /^Error: --created-before must be a date/],
      [
        ['--instance', 'https://dead.example/'],
        4,
        /^Error: --instance takes a bare host name, not "https:\/\/dead\.example\/"\.\nHint: For example: --instance dead\.example/,
      ],
      [['--limit', '0'], 2, /Expected an integer greater than or equal to 1/],
      [['--active', '--deactivated'], 2, /cannot also be provided/],
      [['--remote', '--all'], 2, /cannot also be provided/],
    ]
    for (const [args, code, message] of cases) {
      const r = await b.run(['user:list', ...args])
      expect(r.exitCode).toBe(code)
      expect(r.stderr).toMatch(message)
      expect(r.stdout).toBe('')
    }
    // Under --json the same reason, on one line, in the error object.
    const j = await b.run(['user:list', '--limit', '0', '--json'])
    expect(j.exitCode).toBe(2)
    expect(j.json.error).toEqual({
      code: 'usage',
      exitCode: 2,
      message: 'Parsing --limit: Expected an integer greater than or equal to 1 but received: 0',
      hint: 'See --help.',
    })
  })
})
