import {describeBackends} from '../helpers/backends'
import {flakeIdToString, newFlakeId} from '../../src/db/flake-id'

async function insertUser(b: {sql: (q: string, p?: unknown[]) => Promise<unknown[]>}, row: {nickname: string | null; local?: boolean; admin?: boolean; moderator?: boolean; locked?: boolean; active?: boolean; invisible?: boolean}): Promise<string> {
  const id = newFlakeId()
  const ap = row.local === false ? `https://remote.example/users/${row.nickname}` : `https://pleroma.example/users/${row.nickname ?? id}`
  await b.sql(
    `INSERT INTO users (id, nickname, email, bio, ap_id, local, is_admin, is_moderator, is_locked, is_active, invisible, inserted_at, updated_at, follower_address)
     VALUES ($1, $2, NULL, '', $3, $4, $5, $6, $7, $8, $9, '2024-01-02 03:04:05', '2024-01-02 03:04:05', $10)`,
    [id, row.nickname, ap, row.local ?? true, row.admin ?? false, row.moderator ?? false, row.locked ?? false, row.active ?? true, row.invisible ?? false, ap + '/followers'],
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
      id: flakeIdToString(ids[2]), uuid: ids[2], nickname: 'amy', email: null, name: null,
      moderator: true, admin: false, locked: true, active: false, confirmed: true, approved: true, insertedAt: '2024-01-02T03:04:05Z',
    })
  })

  it('reads past the first page', async () => {
    const values: string[] = []
    for (let i = 0; i < 2100; i++) values.push(`('${newFlakeId()}', 'user${String(i).padStart(4, '0')}', '', 'https://pleroma.example/users/user${i}', '2024-01-01 00:00:00', '2024-01-01 00:00:00')`)
    await b.sql(`INSERT INTO users (id, nickname, bio, ap_id, inserted_at, updated_at) VALUES ${values.join(',')}`)
    const r = await b.run(['user:list'])
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(2100)
    expect(lines[0]).toBe('user0000 moderator: false, admin: false, locked: false, deactivated: false')
    expect(lines[2099]).toMatch(/^user2099 /)
    const j = await b.run(['user:list', '--json'])
    expect(j.json).toHaveLength(2100)
  })
})
