import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, expectErrorLines} from '../helpers/assertions'
import {seedSessions, seedUsers, SESSION_TABLES} from '../helpers/sessions'

const TOTP_ON = {secret: 'JBSWY3DPEHPK3PXP', delivery_type: 'app', confirmed: true}
const BACKUP = ['$pbkdf2-sha512$1$c2FsdA$aGFzaDE', '$pbkdf2-sha512$1$c2FsdA$aGFzaDI']
const EMPTY_TOTP = {secret: null, delivery_type: 'app', confirmed: false}

/**
 * What Pleroma v2.9.1's MFA.disable (lib/pleroma/mfa.ex:128-134 with
 * MFA.Changeset.disable_totp and disable(force)) makes of stored settings:
 * totp replaced by an empty TOTP embed, enabled false, everything else kept.
 */
function pleromaMfaDisable(settings: Record<string, unknown>): Record<string, unknown> {
  return {...settings, totp: EMPTY_TOTP, enabled: false}
}

const TABLES = [...SESSION_TABLES, 'password_reset_tokens']

async function seed(b: Backend): Promise<Record<string, string>> {
  const ids = await seedUsers(b, [
    {nickname: 'alice'},
    {nickname: 'plain'},
    {nickname: 'bystander'},
    {nickname: 'codes'},
    {nickname: 'eve@remote.example', local: false},
  ])
  const set = (nick: string, settings: unknown) =>
    b.sql(`UPDATE users SET multi_factor_authentication_settings = $2::jsonb WHERE nickname = $1`, [nick, settings === null ? null : JSON.stringify(settings)])
  await set('alice', {enabled: true, backup_codes: BACKUP, totp: TOTP_ON})
  await set('bystander', {enabled: true, backup_codes: BACKUP, totp: TOTP_ON})
  // Not enabled, but codes and an unconfirmed TOTP setup are stored.
  await set('codes', {enabled: false, backup_codes: BACKUP, totp: {secret: 'PENDINGSECRET', delivery_type: 'app', confirmed: false}})
  await seedSessions(b, {
    tokens: [[ids.alice, 'tok-a']],
    authorizations: [
      [ids.alice, 'auth-a'],
      [ids.bystander, 'auth-b'],
    ],
    mfaTokens: [
      [ids.alice, 0, 'mfa-a1'],
      [ids.alice, null, 'mfa-a2'],
      [ids.bystander, 1, 'mfa-b1'],
      [ids.plain, null, 'mfa-p1'],
    ],
  })
  return ids
}

async function settingsOf(b: Backend, nick: string): Promise<{s: unknown; updated_at: Date}> {
  const [row] = await b.sql(`SELECT multi_factor_authentication_settings AS s, updated_at FROM users WHERE nickname = $1`, [nick])
  return row
}

async function mfaTokens(b: Backend): Promise<string[]> {
  return (await b.sql<{token: string}>(`SELECT token FROM mfa_tokens ORDER BY token`)).map((r) => r.token)
}

describeBackends('user:reset-mfa', (b) => {
  let ids: Record<string, string>
  beforeEach(async () => {
    ids = await seed(b)
  })

  it('disables MFA as Pleroma’s MFA.disable does, also empties the backup codes, deletes the user’s mfa_tokens, prints Pleroma’s line', async () => {
    const before = await dumpTables(b, TABLES)
    const started = Date.now()
    const r = await b.run(['user:reset-mfa', 'alice'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Multi-Factor Authentication disabled for alice\n')
    expect(r.stderr).toBe('It was enabled; 2 pending MFA sign-in tokens deleted. alice signs in with the password alone and can set up TOTP again.\n')
    const after = await settingsOf(b, 'alice')
    const pleroma = pleromaMfaDisable({enabled: true, backup_codes: BACKUP, totp: TOTP_ON})
    expect(pleroma).toEqual({enabled: false, backup_codes: BACKUP, totp: EMPTY_TOTP})
    // Pleroma's row, except the backup codes (deliberately emptied, docs/pleroma/tasks.md#reset_mfa).
    expect(after.s).toEqual({...pleroma, backup_codes: []})
    expect(after.updated_at.getTime()).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000)
    expect(after.updated_at.getTime() % 1000).toBe(0)
    expect(await mfaTokens(b)).toEqual(['mfa-b1', 'mfa-p1'])
    // Nothing else changed: the other users, the OAuth rows.
    const now = await dumpTables(b, TABLES)
    expect(now.users.filter((u: any) => u.nickname !== 'alice')).toEqual(before.users.filter((u: any) => u.nickname !== 'alice'))
    for (const t of ['apps', 'oauth_tokens', 'oauth_authorizations', 'push_subscriptions', 'password_reset_tokens']) expect(now[t]).toEqual(before[t])
    // Only the settings and updated_at of alice's row changed.
    const strip = (u: any) => ({...u, multi_factor_authentication_settings: undefined, updated_at: undefined})
    expect(strip(now.users.find((u: any) => u.nickname === 'alice'))).toEqual(strip(before.users.find((u: any) => u.nickname === 'alice')))
  })

  it('not enabled but with a stored TOTP secret and backup codes: cleared (Pleroma would keep the codes)', async () => {
    const r = await b.run(['user:reset-mfa', 'codes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({dryRun: false, nickname: 'codes', wasEnabled: false, changed: true, mfaTokensDeleted: 0})
    expect((await settingsOf(b, 'codes')).s).toEqual({
      ...pleromaMfaDisable({enabled: false, backup_codes: BACKUP, totp: {secret: 'PENDINGSECRET', delivery_type: 'app', confirmed: false}}),
      backup_codes: [],
    })
  })

  it('already disabled ({} as registration leaves it, and NULL): settings and updated_at untouched, its mfa_tokens still deleted, same line', async () => {
    const before = await dumpTables(b, ['users'])
    const r = await b.run(['user:reset-mfa', 'plain'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Multi-Factor Authentication disabled for plain\n')
    expect(r.stderr).toBe('It was already disabled (settings unchanged); 1 pending MFA sign-in token deleted.\n')
    expect(await dumpTables(b, ['users'])).toEqual(before)
    expect((await settingsOf(b, 'plain')).s).toEqual({})
    expect(await mfaTokens(b)).toEqual(['mfa-a1', 'mfa-a2', 'mfa-b1'])
    // The result of a reset, reset again: nothing changes.
    await b.run(['user:reset-mfa', 'alice'])
    const once = await dumpTables(b, TABLES)
    const again = await b.run(['user:reset-mfa', 'alice', '--json'])
    expect(again.json).toEqual({dryRun: false, nickname: 'alice', wasEnabled: false, changed: false, mfaTokensDeleted: 0})
    expect(await dumpTables(b, TABLES)).toEqual(once)
    // NULL reads as the defaults too.
    await b.sql(`UPDATE users SET multi_factor_authentication_settings = NULL WHERE nickname = 'plain'`)
    const nul = await b.run(['user:reset-mfa', 'plain', '--json'])
    expect(nul.json).toMatchObject({changed: false, wasEnabled: false})
    expect((await settingsOf(b, 'plain')).s).toBeNull()
  })

  it('--dry-run says what would happen and writes nothing', async () => {
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:reset-mfa', 'alice', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Multi-Factor Authentication would be disabled for alice (it is enabled); 2 pending MFA sign-in tokens would be deleted.\n')
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:reset-mfa', 'alice', '--dry-run', '--json'])
    expect(j.json).toEqual({dryRun: true, nickname: 'alice', wasEnabled: true, changed: true, mfaTokensDeleted: 2})
    const plain = await b.run(['user:reset-mfa', 'plain', '--dry-run'])
    expect(plain.stdout).toBe('Multi-Factor Authentication is already disabled for plain; 1 pending MFA sign-in token would be deleted.\n')
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('finds the user case-insensitively and as nick@<instance host>; prints the stored nickname', async () => {
    const r = await b.run(['user:reset-mfa', 'ALICE@pleroma.example', '--instance-url', 'https://pleroma.example'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Multi-Factor Authentication disabled for alice\n')
    expect((await settingsOf(b, 'alice')).s).toMatchObject({enabled: false})
  })

  it('unknown user: "No local user" (Pleroma’s line), exit 3, nothing changed', async () => {
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:reset-mfa', 'nobody'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:reset-mfa', 'nobody', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('a remote user: "No local user", exit 4, nothing changed', async () => {
    await b.sql(`UPDATE users SET multi_factor_authentication_settings = '{"enabled": true}' WHERE id = $1`, [ids['eve@remote.example']])
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:reset-mfa', 'eve@remote.example'])
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/^Error: No local user eve@remote\.example\.\nHint: eve@remote\.example is a remote user/)
    const j = await b.run(['user:reset-mfa', 'eve@remote.example', '--dry-run', '--json'])
    expect(j.exitCode).toBe(4)
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('bad usage: no nickname, an unknown flag: exit 2, nothing changed; two nicknames without -y and a terminal: exit 1; Pleroma’s spelling works', async () => {
    const before = await dumpTables(b, TABLES)
    const none = await b.run(['user:reset-mfa'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toMatch(/^Error: No nickname given\./)
    // Several users: one confirmation, which cannot be answered here.
    const two = await b.run(['user:reset-mfa', 'alice', 'bob'])
    expect(two.exitCode).toBe(1)
    expect(two.stderr).toMatch(/Not confirmed: stdin is not a terminal/)
    expect((await b.run(['user:reset-mfa', 'alice', '--totp'])).exitCode).toBe(2)
    expect(await dumpTables(b, TABLES)).toEqual(before)
    const alias = await b.run(['user:reset_mfa', 'alice'])
    expect(alias.exitCode).toBe(0)
    expect(alias.stdout).toBe('Multi-Factor Authentication disabled for alice\n')
  })
})
