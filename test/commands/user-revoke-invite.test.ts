import {describeBackends} from '../helpers/backends'
import {dumpTables, expectErrorLines} from '../helpers/assertions'
import {readInvites, seedInvites, utcDay, utcMs} from '../helpers/invites'

const tok = (c: string) => c.repeat(43) + '='
const T0 = '2024-01-02 03:04:05'

describeBackends('user:revoke-invite', (b) => {
  it('revokes by token: used = true and updated_at bumped on that row only', async () => {
    await seedInvites(b, [
      {id: 1, token: tok('a')},
      {id: 2, token: tok('b'), inviteType: 'reusable', maxUse: 5, uses: 2},
    ])
    const before = await readInvites(b)
    const start = Date.now()
    const r = await b.run(['user:revoke-invite', tok('b')])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(`Invite for token ${tok('b')} was revoked.\n`)
    const after = await readInvites(b)
    expect(after[0]).toEqual(before[0])
    expect(after[1]).toEqual({...before[1], used: true, updated_at: after[1].updated_at})
    expect(after[1].inserted_at).toBe(T0)
    expect(utcMs(after[1].updated_at)).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000)
    expect(utcMs(after[1].updated_at)).toBeLessThanOrEqual(Date.now())
  })

  it('revokes by id, prints the stored token, and --json says what happened', async () => {
    await seedInvites(b, [
      {id: 41, token: tok('x'), inviteType: 'date_limited', expiresAt: utcDay(3)},
      {id: 42, token: tok('y')},
    ])
    const r = await b.run(['user:revoke-invite', '41', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({id: 41, token: tok('x'), revoked: true, alreadyUsed: false, dryRun: false})
    const rows = await readInvites(b)
    expect(rows.map((i) => i.used)).toEqual([true, false])
    expect(rows[1].updated_at).toBe(T0)
    await b.sql(`UPDATE user_invite_tokens SET used = false, updated_at = '${T0}' WHERE id = 41`)
    const text = await b.run(['user:revoke-invite', '41'])
    expect(text.stdout).toBe(`Invite for token ${tok('x')} was revoked.\n`)
  })

  it('a token match wins over an id match', async () => {
    await seedInvites(b, [
      {id: 1, token: '2'},
      {id: 2, token: tok('z')},
    ])
    const r = await b.run(['user:revoke-invite', '2', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({id: 1, token: '2', revoked: true})
    expect((await readInvites(b)).map((i) => [i.id, i.used])).toEqual([
      [1, true],
      [2, false],
    ])
  })

  it('an invite already used is left unchanged (no UPDATE), with Pleroma’s message and a note on stderr', async () => {
    await seedInvites(b, [{id: 3, token: tok('u'), used: true}])
    const before = await dumpTables(b, ['user_invite_tokens'])
    const r = await b.run(['user:revoke-invite', tok('u')])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(`Invite for token ${tok('u')} was revoked.\n`)
    expect(r.stderr).toBe('The invite (ID 3) was already used or revoked; nothing was changed.\n')
    const j = await b.run(['user:revoke-invite', '3', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.stderr).toBe('')
    expect(j.json).toEqual({id: 3, token: tok('u'), revoked: true, alreadyUsed: true, dryRun: false})
    expect(await dumpTables(b, ['user_invite_tokens'])).toEqual(before)
  })

  it('--dry-run changes nothing', async () => {
    await seedInvites(b, [{id: 5, token: tok('d')}])
    const before = await dumpTables(b, ['user_invite_tokens'])
    const r = await b.run(['user:revoke-invite', tok('d'), '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(`Invite for token ${tok('d')} would be revoked.\n`)
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:revoke-invite', '5', '--dry-run', '--json'])
    expect(j.json).toEqual({id: 5, token: tok('d'), revoked: false, alreadyUsed: false, dryRun: true})
    expect(await dumpTables(b, ['user_invite_tokens'])).toEqual(before)
  })

  it('Pleroma’s test: revoking an existing date-limited invite prints the revoked message', async () => {
    const created = await b.run(['user:invite', '--expires-at', utcDay(0), '--json'])
    expect(created.exitCode).toBe(0)
    // "--" ends the options: a token may begin with "-".
    const r = await b.run(['user:revoke_invite', '--', created.json.token])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(`Invite for token ${created.json.token} was revoked.\n`)
    const [row] = await readInvites(b)
    expect(row).toMatchObject({used: true, invite_type: 'date_limited', expires_at: utcDay(0)})
  })

  it('takes a token that begins with "-" after "--"', async () => {
    await seedInvites(b, [{id: 1, token: '-' + 'm'.repeat(42) + '='}])
    const r = await b.run(['user:revoke-invite', '--json', '--', '-' + 'm'.repeat(42) + '='])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({id: 1, revoked: true})
  })

  describe('not found: exit 3, one line, nothing changed', () => {
    const cases: Array<[string, string]> = [
      ['Pleroma’s test: "foo"', 'foo'],
      ['a token in another case (tokens are case-sensitive)', tok('A').toLowerCase()],
      ['an unknown id', '99'],
      ['an id beyond bigint', '99999999999999999999'],
      ['a token without its "="', tok('A').slice(0, 43)],
    ]
    for (const [what, arg] of cases) {
      it(what, async () => {
        await seedInvites(b, [{id: 1, token: tok('A')}])
        const before = await dumpTables(b, ['user_invite_tokens'])
        const r = await b.run(['user:revoke-invite', arg])
        expect(r.exitCode).toBe(3)
        expect(r.stdout).toBe('')
        expect(r.stderr).toMatch(new RegExp(`^Error: No invite found with token ${arg}\\.\\nHint: `))
        expectErrorLines(r.stderr)
        const j = await b.run(['user:revoke_invite', arg, '--json'])
        expect(j.exitCode).toBe(3)
        expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: `No invite found with token ${arg}`})
        expect(await dumpTables(b, ['user_invite_tokens'])).toEqual(before)
      })
    }
  })

  it('refuses a token shared by several invites (exit 4), saying to use the id', async () => {
    await seedInvites(b, [
      {id: 1, token: 'dup'},
      {id: 2, token: 'dup'},
    ])
    const before = await dumpTables(b, ['user_invite_tokens'])
    const r = await b.run(['user:revoke-invite', 'dup'])
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/^Error: Several invites have the token dup\.\nHint: .*revoke each by its ID\.\n$/)
    expect(await dumpTables(b, ['user_invite_tokens'])).toEqual(before)
    expect((await b.run(['user:revoke-invite', '2'])).exitCode).toBe(0)
    expect((await readInvites(b)).map((i) => i.used)).toEqual([false, true])
  })

  it('usage errors exit 2', async () => {
    const r = await b.run(['user:revoke-invite'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('Missing 1 required arg')
  })
})
