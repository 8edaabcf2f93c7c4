/**
 * Service actors (relay, internal.fetch, other local internal.* or invisible
 * accounts): every command that would change one refuses (exit 4, nothing
 * written) unless --force; the SQL and TypeScript forms of the predicate
 * agree on every kind of row.
 */
import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {INSTANCE_URL, seedUsers} from '../helpers/user-flags'
import {isServiceActor, serviceActorSql} from '../../src/services/service-actors'

const URL_FLAG = ['--instance-url', INSTANCE_URL]

/** Each command on a service actor, and the verb of its refusal. */
const GUARDED: Array<{args: (nick: string) => string[]; action: string}> = [
  {args: (n) => ['user:rm', n, '-y'], action: 'delete'},
  {args: (n) => ['user:delete-activities', n, '-y'], action: 'delete the activities of'},
  {args: (n) => ['user:toggle-activated', n, '-y'], action: 'deactivate or activate'},
  {args: (n) => ['user:deactivate', n, '-y'], action: 'deactivate'},
  {args: (n) => ['user:unsubscribe', n, '-y'], action: 'deactivate and unsubscribe'},
  {args: (n) => ['user:set', n, '--admin'], action: 'change the flags of'},
  {args: (n) => ['user:toggle-confirmed', n], action: 'change the confirmation of'},
  {args: (n) => ['user:reset-password', n], action: 'make a password reset link for'},
  {args: (n) => ['user:tag', n, 'mrf_tag:sandbox'], action: 'tag'},
]

describeBackends('service actors', (b) => {
  beforeEach(async () => {
    await seedUsers(b, [{nickname: 'alice'}, {nickname: 'relay'}, {nickname: 'internal.fetch'}, {nickname: 'relay@remote.example', local: false}])
    await b.sql(`UPDATE users SET invisible = true WHERE nickname IN ('relay', 'internal.fetch')`)
  })

  for (const g of GUARDED) {
    const command = g.args('x')[0]
    it(`${command} refuses relay and internal.fetch (exit 4, says why, nothing written), also under --json and --dry-run`, async () => {
      const before = await dumpTables(b, USER_TABLES)
      for (const nick of ['relay', 'internal.fetch', 'RELAY']) {
        const r = await b.run([...g.args(nick), ...URL_FLAG])
        expect(r.exitCode).toBe(4)
        expect(r.stdout).toBe('')
        const actual = nick === 'RELAY' ? 'relay' : nick
        expect(r.stderr).toContain(`Refusing to ${g.action} ${actual}: it is this instance's ${actual === 'relay' ? 'relay' : 'fetch'} actor`)
        expect(r.stderr).toContain('breaks federation')
        expect(r.stderr).toContain('--force')
        expect(r.stderr).not.toContain('unexpected')
      }
      const json = await b.run([...g.args('relay'), ...URL_FLAG, '--json'])
      expect(json.exitCode).toBe(4)
      expect(json.json.error).toMatchObject({code: 'refused', exitCode: 4})
      expect(json.json.error.message).toContain(`Refusing to ${g.action} relay`)
      const dry = await b.run([...g.args('relay'), ...URL_FLAG, '--dry-run'])
      expect(dry.exitCode).toBe(4)
      expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    })
  }

  it('an ordinary local user and a remote "relay@host" are not service actors: the same commands work on them', async () => {
    const r = await b.run(['user:tag', 'alice', 'mrf_tag:sandbox', ...URL_FLAG])
    expect(r.exitCode).toBe(0)
    const remote = await b.run(['user:tag', 'relay@remote.example', 'mrf_tag:sandbox', ...URL_FLAG])
    expect(remote.exitCode).toBe(0)
    const rows = await b.sql<{nickname: string; tags: string[]}>(`SELECT nickname, tags FROM users WHERE tags <> '{}' ORDER BY nickname`)
    expect(rows).toEqual([
      {nickname: 'alice', tags: ['mrf_tag:sandbox']},
      {nickname: 'relay@remote.example', tags: ['mrf_tag:sandbox']},
    ])
    const rm = await b.run(['user:rm', 'alice', '-y', ...URL_FLAG])
    expect(rm.exitCode).toBe(0)
  })

  it('--force does it: user:toggle-activated relay --force deactivates the relay, user:rm internal.fetch --force purges it', async () => {
    const r = await b.run(['user:toggle-activated', 'relay', '-y', '--force', ...URL_FLAG])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('Activation status of relay: deactivated')
    const rm = await b.run(['user:rm', 'internal.fetch', '-y', '--force', ...URL_FLAG])
    expect(rm.exitCode).toBe(0)
    const rows = await b.sql<{nickname: string; active: boolean}>(
      `SELECT nickname, is_active AS active FROM users WHERE nickname IN ('relay', 'internal.fetch', 'alice') ORDER BY nickname`,
    )
    expect(rows).toEqual([
      {nickname: 'alice', active: true},
      {nickname: 'internal.fetch', active: false},
      {nickname: 'relay', active: false},
    ])
  })

  it('the SQL predicate (for bulk work) and the TypeScript one agree on every kind of row', async () => {
    await seedUsers(b, [{nickname: 'internal.other'}, {nickname: 'Internal.Caps'}, {nickname: 'bot'}, {nickname: 'internal.x@remote.example', local: false}])
    await b.sql(`UPDATE users SET invisible = true WHERE nickname IN ('bot', 'internal.x@remote.example')`)
    // A deleted user's skeleton: no nickname.
    await b.sql(`UPDATE users SET nickname = NULL WHERE nickname = 'alice'`)
    const rows = await b.sql<{nickname: string | null; local: boolean; invisible: boolean; sql: boolean}>(
      `SELECT u.nickname, u.local, u.invisible, ${serviceActorSql('u')} AS sql FROM users u ORDER BY u.nickname NULLS FIRST`,
    )
    expect(rows.map((r) => [r.nickname, r.sql])).toEqual([
      [null, false],
      ['bot', true],
      ['Internal.Caps', true],
      ['internal.fetch', true],
      ['internal.other', true],
      ['internal.x@remote.example', false],
      ['relay', true],
      ['relay@remote.example', false],
    ])
    for (const r of rows) expect([r.nickname, isServiceActor(r)]).toEqual([r.nickname, r.sql])
  })
})
