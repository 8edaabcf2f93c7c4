import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, expectErrorLines} from '../helpers/assertions'
import {seedSessions, seedUsers, SESSION_TABLES, T0} from '../helpers/sessions'

/**
 * alice: 3 tokens (one with a push subscription), 2 authorizations (one
 * with an MFA token), an MFA token without authorization, a registration
 * and a password reset token. bob: 1 token with a push subscription, 1
 * authorization with an MFA token. Plus a client-credentials token.
 */
async function seedTwoUsers(b: Backend): Promise<{ids: Record<string, string>; appId: number}> {
  const ids = await seedUsers(b, [{nickname: 'alice'}, {nickname: 'bob'}, {nickname: 'eve@remote.example', local: false}])
  const {appId} = await seedSessions(b, {
    tokens: [
      [ids.alice, 'tok-a1'],
      [ids.bob, 'tok-b1'],
      [ids.alice, 'tok-a2'],
      [null, 'tok-app'],
      [ids.alice, 'tok-a3'],
    ],
    authorizations: [
      [ids.alice, 'auth-a1'],
      [ids.bob, 'auth-b1'],
      [ids.alice, 'auth-a2'],
    ],
    mfaTokens: [
      [ids.alice, 0, 'mfa-a1'],
      [ids.bob, 1, 'mfa-b1'],
      [ids.alice, null, 'mfa-a-loose'],
    ],
    pushSubscriptions: [
      [ids.alice, 2],
      [ids.bob, 1],
    ],
  })
  await b.sql(
    `INSERT INTO registrations (id, user_id, provider, uid, info, inserted_at, updated_at)
     VALUES ('00000000-0000-0000-0000-0000000000a1', $1, 'github', 'alice-gh', '{}', '${T0}', '${T0}')`,
    [ids.alice],
  )
  await b.sql(`INSERT INTO password_reset_tokens (token, user_id, used, inserted_at, updated_at) VALUES ('reset-a', $1, false, '${T0}', '${T0}')`, [ids.alice])
  await b.sql(`UPDATE apps SET user_id = $1`, [ids.alice])
  return {ids, appId}
}

/** The dump minus alice's tokens and authorizations and what cascades from them. */
function withoutAlicesSessions(dump: Record<string, any[]>, aliceId: string): Record<string, any[]> {
  const goneTokens = new Set(dump.oauth_tokens.filter((t) => t.user_id === aliceId).map((t) => String(t.id)))
  const goneAuths = new Set(dump.oauth_authorizations.filter((a) => a.user_id === aliceId).map((a) => String(a.id)))
  return {
    ...dump,
    oauth_tokens: dump.oauth_tokens.filter((t) => !goneTokens.has(String(t.id))),
    oauth_authorizations: dump.oauth_authorizations.filter((a) => !goneAuths.has(String(a.id))),
    mfa_tokens: dump.mfa_tokens.filter((m) => m.authorization_id === null || !goneAuths.has(String(m.authorization_id))),
    push_subscriptions: dump.push_subscriptions.filter((p) => !goneTokens.has(String(p.token_id))),
  }
}

describeBackends('user:sign-out', (b) => {
  it('deletes only the user’s tokens and authorizations, with their push subscriptions and MFA tokens', async () => {
    const {ids} = await seedTwoUsers(b)
    const before = await dumpTables(b, SESSION_TABLES)
    const r = await b.run(['user:sign-out', 'Alice', '--yes'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice: 3 OAuth tokens and 2 authorizations will be deleted\n' +
        '  (with them 1 push subscription and 1 MFA token)\n' +
        'alice signed out from all apps.\n',
    )
    const after = await dumpTables(b, SESSION_TABLES)
    expect(after).toEqual(withoutAlicesSessions(before, ids.alice))
    // Spelled out: what is left.
    expect((await b.sql(`SELECT token FROM oauth_tokens ORDER BY id`)).map((t) => t.token)).toEqual(['tok-b1', 'tok-app'])
    expect((await b.sql(`SELECT token FROM oauth_authorizations ORDER BY id`)).map((t) => t.token)).toEqual(['auth-b1'])
    expect((await b.sql(`SELECT token FROM mfa_tokens ORDER BY id`)).map((t) => t.token)).toEqual(['mfa-b1', 'mfa-a-loose'])
    expect(await b.sql(`SELECT user_id FROM push_subscriptions`)).toEqual([{user_id: ids.bob}])
    expect(after.apps).toHaveLength(1)
    expect(after.registrations).toHaveLength(1)
    expect(after.password_reset_tokens).toHaveLength(1)
    expect(after.users).toEqual(before.users)
  })

  it('--json returns the counts; a second run has nothing left to delete and needs no confirmation', async () => {
    await seedTwoUsers(b)
    const r = await b.run(['user:sign_out', 'alice', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({nickname: 'alice', tokensDeleted: 3, authorizationsDeleted: 2, dryRun: false})
    const again = await b.run(['user:sign-out', 'alice'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe('alice: 0 OAuth tokens and 0 authorizations will be deleted\nalice signed out from all apps.\n')
    const j = await b.run(['user:sign-out', 'alice', '--json'])
    expect(j.json).toEqual({nickname: 'alice', tokensDeleted: 0, authorizationsDeleted: 0, dryRun: false})
  })

  it('Pleroma’s test: a user with one token and one authorization has none afterwards', async () => {
    const ids = await seedUsers(b, [{nickname: 'dave'}])
    await seedSessions(b, {tokens: [[ids.dave, 'tok-d']], authorizations: [[ids.dave, 'auth-d']]})
    const r = await b.run(['user:sign-out', 'dave', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('dave: 1 OAuth token and 1 authorization will be deleted\ndave signed out from all apps.\n')
    expect(await b.sql(`SELECT id FROM oauth_tokens WHERE user_id = $1`, [ids.dave])).toEqual([])
    expect(await b.sql(`SELECT id FROM oauth_authorizations WHERE user_id = $1`, [ids.dave])).toEqual([])
  })

  it('--dry-run shows the counts and deletes nothing', async () => {
    await seedTwoUsers(b)
    const before = await dumpTables(b, SESSION_TABLES)
    const r = await b.run(['user:sign-out', 'alice', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('alice: 3 OAuth tokens and 2 authorizations will be deleted\n  (with them 1 push subscription and 1 MFA token)\n')
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:sign-out', 'alice', '--dry-run', '--json'])
    expect(j.json).toEqual({nickname: 'alice', tokensDeleted: 3, authorizationsDeleted: 2, dryRun: true})
    expect(await dumpTables(b, SESSION_TABLES)).toEqual(before)
  })

  it('refuses without a terminal and without -y (exit 1), and deletes nothing', async () => {
    await seedTwoUsers(b)
    const before = await dumpTables(b, SESSION_TABLES)
    const r = await b.run(['user:sign-out', 'alice'])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe('alice: 3 OAuth tokens and 2 authorizations will be deleted\n  (with them 1 push subscription and 1 MFA token)\n')
    expect(r.stderr).toBe('Error: alice was not signed out. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n')
    expect(await dumpTables(b, SESSION_TABLES)).toEqual(before)
  })

  it('unknown user: "No local user" (Pleroma’s test), exit 3, nothing deleted', async () => {
    await seedTwoUsers(b)
    const before = await dumpTables(b, SESSION_TABLES)
    const r = await b.run(['user:sign-out', 'nobody', '-y'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:sign-out', 'nobody', '-y', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    expect(await dumpTables(b, SESSION_TABLES)).toEqual(before)
  })

  it('remote user: "No local user", exit 4, nothing deleted', async () => {
    await seedTwoUsers(b)
    const before = await dumpTables(b, SESSION_TABLES)
    const r = await b.run(['user:sign-out', 'eve@remote.example', '-y'])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user eve@remote\.example\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:sign-out', 'eve@remote.example', '-y', '--json'])
    expect(j.exitCode).toBe(4)
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
    expect(await dumpTables(b, SESSION_TABLES)).toEqual(before)
  })

  it('usage errors exit 2', async () => {
    const r = await b.run(['user:sign-out', '-y'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^Error: No nickname given\./)
  })
})
