import {describeBackends} from '../helpers/backends'
import {dumpTables, expectErrorLines} from '../helpers/assertions'
import {seedUsers, SESSION_TABLES} from '../helpers/sessions'
import {TOKEN_RE, utcMs} from '../helpers/invites'

describeBackends('user:reset-password', (b) => {
  it('inserts a password reset token and prints the link (Pleroma: stdout contains "URL:" and "Generated")', async () => {
    const ids = await seedUsers(b, [{nickname: 'alice'}, {nickname: 'bob'}])
    const usersBefore = await dumpTables(b, ['users'])
    const start = Date.now()
    const r = await b.run(['user:reset-password', 'ALICE'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('Generated')
    expect(r.stdout).toContain('URL:')
    const rows = await b.sql(
      `SELECT id::int AS id, token, user_id, used, inserted_at::text AS inserted_at, updated_at::text AS updated_at FROM password_reset_tokens`,
    )
    expect(rows).toHaveLength(1)
    const row = rows[0]
    expect(row).toEqual({id: row.id, token: row.token, user_id: ids.alice, used: false, inserted_at: row.inserted_at, updated_at: row.inserted_at})
    expect(row.token).toMatch(TOKEN_RE)
    expect(utcMs(row.inserted_at)).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000)
    expect(utcMs(row.inserted_at)).toBeLessThanOrEqual(Date.now())
    // The stored nickname, the base URL of the local users, the token with '=' as %3D.
    expect(r.stdout).toBe(`Generated password reset token for alice\nURL: https://pleroma.example/api/v1/pleroma/password_reset/${row.token.slice(0, 43)}%3D\n`)
    // The password and the user rows are untouched.
    expect(await dumpTables(b, ['users'])).toEqual(usersBefore)
  })

  it('--json returns the nickname and the link; deactivated local users and nick@our-host work', async () => {
    await seedUsers(b, [{nickname: 'carol', active: false}])
    const r = await b.run(['user:reset_password', 'carol@pleroma.example', '--json', '--instance-url', 'https://pleroma.example'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    const [row] = await b.sql(`SELECT token FROM password_reset_tokens`)
    expect(r.json).toEqual({dryRun: false, nickname: 'carol', url: `https://pleroma.example/api/v1/pleroma/password_reset/${encodeURIComponent(row.token)}`})
    const dry = await b.run(['user:reset-password', 'CAROL', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toBe('A password reset token would be generated for carol\n')
    expect(dry.stderr).toBe('Dry run: nothing was written.\n')
    expect((await b.run(['user:reset-password', 'carol', '--dry-run', '--json'])).json).toEqual({dryRun: true, nickname: 'carol', url: null})
    expect(await b.sql(`SELECT count(*)::int AS n FROM password_reset_tokens`)).toEqual([{n: 1}])
    // A second link is a second row; the first stays valid.
    expect((await b.run(['user:reset-password', 'carol'])).exitCode).toBe(0)
    expect(await b.sql(`SELECT used FROM password_reset_tokens`)).toEqual([{used: false}, {used: false}])
  })

  it('unknown user: "No local user" (Pleroma’s test), exit 3, nothing written', async () => {
    await seedUsers(b, [{nickname: 'alice'}])
    const before = await dumpTables(b, SESSION_TABLES)
    const r = await b.run(['user:reset-password', 'nobody'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:reset_password', 'nobody', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    expect(await dumpTables(b, SESSION_TABLES)).toEqual(before)
  })

  it('remote user: "No local user", exit 4, nothing written', async () => {
    await seedUsers(b, [{nickname: 'alice'}, {nickname: 'bob@remote.example', local: false}])
    const before = await dumpTables(b, SESSION_TABLES)
    const r = await b.run(['user:reset-password', 'bob@remote.example'])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user bob@remote\.example\.\nHint: bob@remote\.example is a remote user/)
    expectErrorLines(r.stderr)
    expect(await dumpTables(b, SESSION_TABLES)).toEqual(before)
  })

  it('usage errors exit 2', async () => {
    const r = await b.run(['user:reset-password'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('Missing 1 required arg')
  })
})
