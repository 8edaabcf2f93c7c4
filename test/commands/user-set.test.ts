import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {expectBumped, expectUnchanged, INSTANCE_URL, OLD_TOKEN, seedUsers, TOKEN_RE, userRow} from '../helpers/user-flags'

const ALL_UNSET = {admin: false, moderator: false, locked: false, confirmed: false}
const ALL_SET = {admin: true, moderator: true, locked: true, confirmed: true}

describeBackends('user:set', (b) => {
  beforeEach(async () => {
    await seedUsers(b, [
      {nickname: 'plain', ...ALL_UNSET},
      {nickname: 'boss', ...ALL_SET},
      {nickname: 'bystander', ...ALL_UNSET},
      {nickname: 'bob@remote.example', local: false},
    ])
  })

  it('"all set" (Pleroma’s test): --admin --confirmed --locked --moderator sets them all and prints Pleroma’s lines in order', async () => {
    const started = Date.now()
    const r = await b.run(['user:set', 'plain', '--admin', '--confirmed', '--locked', '--moderator'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Admin status of plain: true\nConfirmation status of plain: true\nLocked status of plain: true\nModerator status of plain: true\n')
    const u = await userRow(b, 'plain')
    expect(u).toMatchObject({is_admin: true, is_moderator: true, is_locked: true, is_confirmed: true, confirmation_token: null})
    expectBumped(u.updated_at, started)
    // Nobody else changed.
    expect(await userRow(b, 'bystander')).toMatchObject({
      is_admin: false,
      is_moderator: false,
      is_locked: false,
      is_confirmed: false,
      confirmation_token: OLD_TOKEN,
    })
    expectUnchanged((await userRow(b, 'bystander')).updated_at)
  })

  it('"all unset" (Pleroma’s test): the --no- forms on a user that had all of them reset them, with a new confirmation token', async () => {
    const started = Date.now()
    const r = await b.run(['user:set', 'boss', '--no-admin', '--no-confirmed', '--no-locked', '--no-moderator'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Admin status of boss: false\nConfirmation status of boss: false\nLocked status of boss: false\nModerator status of boss: false\n')
    const u = await userRow(b, 'boss')
    expect(u).toMatchObject({is_admin: false, is_moderator: false, is_locked: false, is_confirmed: false})
    expect(u.confirmation_token).toMatch(TOKEN_RE)
    expectBumped(u.updated_at, started)
  })

  it('prints in Pleroma’s order whatever the order of the flags, only the flags given, and leaves the others alone', async () => {
    const r = await b.run(['user:set', 'plain', '--moderator', '--no-locked', '--admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Admin status of plain: true\nLocked status of plain: false\nModerator status of plain: true\n')
    expect(await userRow(b, 'plain')).toMatchObject({is_admin: true, is_moderator: true, is_locked: false, is_confirmed: false, confirmation_token: OLD_TOKEN})
  })

  it('prints the lines but writes nothing when nothing changes (updated_at kept; an unconfirmed user keeps its token)', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:set', 'boss', '--admin', '--locked'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Admin status of boss: true\nLocked status of boss: true\n')
    const plain = await b.run(['user:set', 'plain', '--no-confirmed', '--no-admin', '--json'])
    expect(plain.json).toEqual({dryRun: false, nickname: 'plain', changed: false, ...ALL_UNSET})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('repairs an inconsistent confirmation: confirmed with a token, unconfirmed without one', async () => {
    await seedUsers(b, [
      {nickname: 'stale', confirmed: true, confirmationToken: OLD_TOKEN},
      {nickname: 'tokenless', confirmed: false, confirmationToken: null},
    ])
    const started = Date.now()
    const stale = await b.run(['user:set', 'stale', '--confirmed', '--json'])
    expect(stale.json).toMatchObject({changed: true, confirmed: true})
    expect(await userRow(b, 'stale')).toMatchObject({is_confirmed: true, confirmation_token: null})
    const tokenless = await b.run(['user:set', 'tokenless', '--no-confirmed', '--json'])
    expect(tokenless.json).toMatchObject({changed: true, confirmed: false})
    const u = await userRow(b, 'tokenless')
    expect(u.confirmation_token).toMatch(TOKEN_RE)
    expectBumped(u.updated_at, started)
  })

  it('--json returns the resulting values and prints nothing else', async () => {
    const r = await b.run(['user:set', 'plain', '--locked', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({dryRun: false, nickname: 'plain', changed: true, admin: false, moderator: false, locked: true, confirmed: false})
  })

  it('--dry-run prints what would be set and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:set', 'plain', '--admin', '--confirmed', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Admin status of plain: true\nConfirmation status of plain: true\n')
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:set', 'plain', '--admin', '--confirmed', '--dry-run', '--json'])
    expect(j.json).toEqual({dryRun: true, nickname: 'plain', changed: true, admin: true, moderator: false, locked: false, confirmed: true})
    const same = await b.run(['user:set', 'boss', '--admin', '--dry-run', '--json'])
    expect(same.json).toEqual({dryRun: true, nickname: 'boss', changed: false, ...ALL_SET})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('finds the user case-insensitively and as nick@<instance host>, and prints the stored nickname', async () => {
    const r = await b.run(['user:set', 'PLAIN', '--admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Admin status of plain: true\n')
    const at = await b.run(['user:set', 'Plain@Pleroma.Example', '--moderator', '--instance-url', INSTANCE_URL])
    expect(at.exitCode).toBe(0)
    expect(at.stdout).toBe('Moderator status of plain: true\n')
    expect(await userRow(b, 'plain')).toMatchObject({is_admin: true, is_moderator: true})
  })

  it('unknown user: "No local user" (Pleroma’s test), exit 3, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:set', 'nobody', '--admin'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:set', 'nobody', '--admin', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    // nick@another host is not looked up on the network.
    const other = await b.run(['user:set', 'plain@elsewhere.example', '--admin', '--instance-url', INSTANCE_URL])
    expect(other.exitCode).toBe(3)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('a remote user: "No local user", exit 4, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:set', 'bob@remote.example', '--admin'])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user bob@remote\.example\.\nHint: bob@remote\.example is a remote user/)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:set', 'bob@remote.example', '--admin', '--dry-run', '--json'])
    expect(j.exitCode).toBe(4)
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('usage errors exit 2: no flag (saying which flags exist), an unknown flag, no nickname', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const none = await b.run(['user:set', 'plain'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toMatch(/^Error: No flag given: nothing to set\.\nHint: Give at least one of --admin, --confirmed, --locked, --moderator/)
    expectErrorLines(none.stderr)
    const dry = await b.run(['user:set', 'plain', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(2)
    expect(dry.json.error).toMatchObject({code: 'usage', exitCode: 2})
    const unknown = await b.run(['user:set', 'plain', '--deactivated'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('Nonexistent flag: --deactivated')
    const noNick = await b.run(['user:set', '--admin'])
    expect(noNick.exitCode).toBe(2)
    expect(noNick.stderr).toContain('Missing 1 required arg')
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})
