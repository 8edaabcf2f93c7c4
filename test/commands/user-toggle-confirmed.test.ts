import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {expectBumped, INSTANCE_URL, OLD_TOKEN, seedUsers, TOKEN_RE, userRow} from '../helpers/user-flags'

describeBackends('user:toggle-confirmed', (b) => {
  beforeEach(async () => {
    await seedUsers(b, [
      {nickname: 'confirmed', confirmed: true},
      {nickname: 'pending', confirmed: false, confirmationToken: OLD_TOKEN},
      {nickname: 'bystander', confirmed: true},
      {nickname: 'bob@remote.example', local: false},
    ])
  })

  it('a confirmed user needs confirmation afterwards, with a new 44-character token (Pleroma’s test)', async () => {
    const started = Date.now()
    const r = await b.run(['user:toggle-confirmed', 'confirmed'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('confirmed needs confirmation.\n')
    const u = await userRow(b, 'confirmed')
    expect(u.is_confirmed).toBe(false)
    expect(u.confirmation_token).toMatch(TOKEN_RE)
    expectBumped(u.updated_at, started)
    expect(await userRow(b, 'bystander')).toMatchObject({is_confirmed: true, confirmation_token: null})
  })

  it('an unconfirmed user does not need confirmation afterwards, and its token is cleared (Pleroma’s test)', async () => {
    const started = Date.now()
    const r = await b.run(['user:toggle-confirmed', 'pending'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("pending doesn't need confirmation.\n")
    const u = await userRow(b, 'pending')
    expect(u).toMatchObject({is_confirmed: true, confirmation_token: null})
    expectBumped(u.updated_at, started)
  })

  it('toggles back and forth under Pleroma’s name user:toggle_confirmed, with a fresh token each time', async () => {
    const tokens: string[] = []
    for (const expected of [false, true, false]) {
      const r = await b.run(['user:toggle_confirmed', 'confirmed', '--json'])
      expect(r.exitCode).toBe(0)
      expect(r.json).toEqual({dryRun: false, nickname: 'confirmed', confirmed: expected})
      const u = await userRow(b, 'confirmed')
      expect(u.is_confirmed).toBe(expected)
      if (expected) expect(u.confirmation_token).toBeNull()
      else tokens.push(u.confirmation_token!)
    }
    expect(tokens).toHaveLength(2)
    expect(tokens[0]).toMatch(TOKEN_RE)
    expect(tokens[1]).toMatch(TOKEN_RE)
    expect(tokens[0]).not.toBe(tokens[1])
  })

  it('--dry-run prints what it would print and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:toggle-confirmed', 'pending', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("pending doesn't need confirmation.\n")
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:toggle-confirmed', 'confirmed', '--dry-run', '--json'])
    expect(j.json).toEqual({dryRun: true, nickname: 'confirmed', confirmed: false})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('finds the user case-insensitively and as nick@<instance host>, and prints the stored nickname', async () => {
    const r = await b.run(['user:toggle-confirmed', 'PENDING'])
    expect(r.stdout).toBe("pending doesn't need confirmation.\n")
    const at = await b.run(['user:toggle-confirmed', 'Pending@pleroma.EXAMPLE', '--instance-url', INSTANCE_URL])
    expect(at.exitCode).toBe(0)
    expect(at.stdout).toBe('pending needs confirmation.\n')
  })

  it('unknown user: "No local user", exit 3; a remote user: exit 4; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const cmd of ['user:toggle-confirmed', 'user:toggle_confirmed']) {
      const r = await b.run([cmd, 'nobody'])
      expect(r.exitCode).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
      expectErrorLines(r.stderr)
    }
    const j = await b.run(['user:toggle-confirmed', 'nobody', '--json'])
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    const remote = await b.run(['user:toggle-confirmed', 'bob@remote.example'])
    expect(remote.exitCode).toBe(4)
    expect(remote.stderr).toMatch(/^Error: No local user bob@remote\.example\.\nHint: bob@remote\.example is a remote user/)
    const remoteJson = await b.run(['user:toggle-confirmed', 'bob@remote.example', '--json'])
    expect(remoteJson.json.error).toMatchObject({code: 'refused', exitCode: 4})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('usage errors exit 2', async () => {
    const none = await b.run(['user:toggle-confirmed'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('Error: No nickname given.')
    // Two nicknames are two users (user-bulk-commands.test.ts): one confirmation, which cannot be answered here.
    const two = await b.run(['user:toggle-confirmed', 'pending', 'confirmed'])
    expect(two.exitCode).toBe(1)
    expect(two.stderr).toMatch(/Not confirmed: stdin is not a terminal/)
    expect(await userRow(b, 'pending')).toMatchObject({is_confirmed: false, confirmation_token: OLD_TOKEN})
  })
})
