import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {INSTANCE_URL, seedUsers} from '../helpers/user-flags'
import {flakeIdToString} from '../../src/db/flake-id'

const T = '2024-01-02 03:04:05'
const SECRETS = ['SECRETHASH', 'SECRETKEY', 'SECRETCONFIRM', 'SECRETTOTP', 'SECRETOAUTH', 'SECRETREFRESH']

async function seed(b: Backend): Promise<Record<string, string>> {
  const ids = await seedUsers(b, [
    {nickname: 'alice', admin: true, tags: ['vip', 'mrf_tag:sandbox']},
    {nickname: 'carol', confirmed: false, confirmationToken: 'SECRETCONFIRM'},
    {nickname: 'bob@remote.example', local: false},
  ])
  await b.sql(
    `UPDATE users SET email = 'alice@mail.example', name = 'Alice', password_hash = 'SECRETHASH', keys = 'SECRETKEY', note_count = 7, follower_count = 1,
       multi_factor_authentication_settings = '{"enabled": true, "backup_codes": ["SECRETCODE"], "totp": {"secret": "SECRETTOTP", "confirmed": true, "delivery_type": "app"}}'
     WHERE nickname = 'alice'`,
  )
  // A remote display name with an escape sequence and a bidi override.
  await b.sql(`UPDATE users SET name = $1 WHERE nickname = 'bob@remote.example'`, ['Bob\u001b[2J\u202eevil\n'])
  await b.sql(
    `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
     VALUES ($1, $2, 2, '${T}', '${T}'), ($3, $2, 1, '${T}', '${T}'), ($2, $1, 2, '${T}', '${T}')`,
    [ids['bob@remote.example'], ids.alice, ids.carol],
  )
  const ap = `${INSTANCE_URL}/users/alice`
  await b.sql(
    `INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients) VALUES
       ('00000190-0000-0000-0000-000000000001', jsonb_build_object('type', 'Create', 'actor', $1::text), '2024-03-01 10:00:00', '${T}', true, $1, '{}'),
       ('00000190-0000-0000-0000-000000000002', jsonb_build_object('type', 'Create', 'actor', $1::text), '2024-03-02 10:00:00', '${T}', true, $1, '{}'),
       ('00000190-0000-0000-0000-000000000003', jsonb_build_object('type', 'Like', 'actor', $1::text), '2024-03-05 11:12:13', '${T}', true, $1, '{}')`,
    [ap],
  )
  const [app] = await b.sql(
    `INSERT INTO apps (client_name, redirect_uris, scopes, client_id, client_secret, inserted_at, updated_at) VALUES ('a', 'urn:x', '{read}', 'cid', 'csecret', '${T}', '${T}') RETURNING id`,
  )
  await b.sql(
    `INSERT INTO oauth_tokens (app_id, user_id, token, refresh_token, valid_until, inserted_at, updated_at, scopes) VALUES ($1, $2, 'SECRETOAUTH', 'SECRETREFRESH', '2124-01-01', '${T}', '${T}', '{read}')`,
    [app.id, ids.alice],
  )
  return ids
}

describeBackends('user:show', (b) => {
  let ids: Record<string, string>
  beforeEach(async () => {
    ids = await seed(b)
  })

  it('shows a local user: ids, roles, flags, counters next to the counted rows, dates; no secret; changes nothing', async () => {
    const before = await dumpTables(b, [...USER_TABLES, 'apps'])
    const r = await b.run(['user:show', 'alice'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    const lines = r.stdout.trimEnd().split('\n')
    const get = (k: string) =>
      lines
        .find((l) => l.startsWith(`${k}:`))
        ?.slice(k.length + 1)
        .trim()
    expect(get('nickname')).toBe('alice')
    expect(get('id')).toBe(`${flakeIdToString(ids.alice)} (uuid ${ids.alice})`)
    expect(get('kind')).toBe('local Person')
    expect(get('email')).toBe('alice@mail.example')
    expect(get('roles')).toBe('admin')
    expect(get('MFA')).toBe('enabled')
    expect(get('tags')).toBe('vip, mrf_tag:sandbox')
    expect(get('posts')).toBe('2 (note_count 7)')
    expect(get('followers')).toBe('1 (follower_count 1), 1 pending')
    expect(get('following')).toBe('1 (following_count 0), 0 pending')
    expect(get('OAuth tokens')).toBe('1')
    expect(get('created')).toBe('2024-01-02T03:04:05Z')
    expect(get('last activity')).toBe('2024-03-05T11:12:13Z')
    for (const s of [...SECRETS, 'SECRETCODE']) expect(r.stdout).not.toContain(s)
    const j = await b.run(['user:show', 'alice', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json.user).toMatchObject({
      id: flakeIdToString(ids.alice),
      uuid: ids.alice,
      nickname: 'alice',
      local: true,
      admin: true,
      moderator: false,
      active: true,
      mfaEnabled: true,
      posts: 2,
      followers: 1,
      following: 1,
      pendingFollowers: 1,
      pendingFollowing: 0,
      oauthTokens: 1,
      noteCount: 7,
      lastActivityAt: '2024-03-05T11:12:13Z',
    })
    for (const s of [...SECRETS, 'SECRETCODE']) expect(j.stdout).not.toContain(s)
    expect(await dumpTables(b, [...USER_TABLES, 'apps'])).toEqual(before)
  })

  it('shows a remote user with control characters and bidi overrides in its strings escaped (raw in --json)', async () => {
    const r = await b.run(['user:show', 'BOB@remote.example'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('name:')
    expect(r.stdout).toContain('Bob\\u001b[2J\\u202eevil\\u000a')
    expect(r.stdout).not.toContain('\u001b')
    expect(r.stdout).not.toContain('\u202e')
    expect(r.stdout).toMatch(/^kind: +remote Person$/m)
    const j = await b.run(['user:show', 'bob@remote.example', '--json'])
    expect(j.json.user).toMatchObject({nickname: 'bob@remote.example', local: false, name: 'Bob\u001b[2J\u202eevil\n', following: 1})
  })

  it('unknown user: "No user", exit 3 (also under --json); no argument: exit 2', async () => {
    const r = await b.run(['user:show', 'nobody'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No user nobody\.\nHint: /)
    const j = await b.run(['user:show', 'nobody', '--json'])
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3})
    expect((await b.run(['user:show'])).exitCode).toBe(2)
    expect((await b.run(['user:show', 'alice', '--dry-run'])).exitCode).toBe(2)
  })
})
