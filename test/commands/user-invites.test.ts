import {describeBackends} from '../helpers/backends'
import {dumpTables} from '../helpers/assertions'
import {seedInvites, utcDay} from '../helpers/invites'

const tok = (c: string) => c.repeat(43) + '='

describeBackends('user:invites', (b) => {
  it('prints only the heading when there are no invites, and [] under --json', async () => {
    const r = await b.run(['user:invites'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Invites list:\n')
    expect(r.stderr).toBe('')
    const j = await b.run(['user:invites', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json).toEqual([])
  })

  it('lists every invite by id in Pleroma’s format, used and expired ones included, with the uses left', async () => {
    const [yesterday, today, later] = [utcDay(-1), utcDay(0), utcDay(30)]
    // Inserted out of id order; listed by id.
    await seedInvites(b, [
      {id: 7, token: tok('g'), inviteType: 'reusable_date_limited', expiresAt: later, maxUse: 10, uses: 3},
      {id: 1, token: tok('a'), inviteType: 'one_time'},
      {id: 2, token: tok('b'), inviteType: 'one_time', used: true},
      {id: 3, token: tok('c'), inviteType: 'date_limited', expiresAt: yesterday},
      {id: 4, token: tok('d'), inviteType: 'date_limited', expiresAt: today},
      {id: 5, token: tok('e'), inviteType: 'reusable', maxUse: 5, uses: 2},
      {id: 6, token: tok('f'), inviteType: 'reusable', maxUse: 5, uses: 5, used: true},
      {id: 8, token: tok('h'), inviteType: 'reusable_date_limited', expiresAt: yesterday, maxUse: 4, uses: 0},
      {id: 9, token: tok('i'), inviteType: 'reusable', maxUse: 2, uses: 2},
    ])
    const before = await dumpTables(b, ['user_invite_tokens'])
    const r = await b.run(['user:invites'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(
      [
        'Invites list:',
        `ID: 1 | Token: ${tok('a')} | Token type: one_time | Used: false`,
        `ID: 2 | Token: ${tok('b')} | Token type: one_time | Used: true`,
        `ID: 3 | Token: ${tok('c')} | Token type: date_limited | Used: false | Expires at: ${yesterday}`,
        `ID: 4 | Token: ${tok('d')} | Token type: date_limited | Used: false | Expires at: ${today}`,
        `ID: 5 | Token: ${tok('e')} | Token type: reusable | Used: false | Max use: 5    Left use: 3`,
        `ID: 6 | Token: ${tok('f')} | Token type: reusable | Used: true | Max use: 5    Left use: 0`,
        `ID: 7 | Token: ${tok('g')} | Token type: reusable_date_limited | Used: false | Expires at: ${later} | Max use: 10    Left use: 7`,
        `ID: 8 | Token: ${tok('h')} | Token type: reusable_date_limited | Used: false | Expires at: ${yesterday} | Max use: 4    Left use: 4`,
        `ID: 9 | Token: ${tok('i')} | Token type: reusable | Used: false | Max use: 2    Left use: 0`,
        '',
      ].join('\n'),
    )

    const j = await b.run(['user:invites', '--json'])
    expect(j.exitCode).toBe(0)
    const base = {used: false, expiresAt: null, maxUse: null, uses: 0, leftUse: null, expired: false, valid: true}
    expect(j.json).toEqual([
      {...base, id: 1, token: tok('a'), inviteType: 'one_time'},
      {...base, id: 2, token: tok('b'), inviteType: 'one_time', used: true, valid: false},
      {...base, id: 3, token: tok('c'), inviteType: 'date_limited', expiresAt: yesterday, expired: true, valid: false},
      {...base, id: 4, token: tok('d'), inviteType: 'date_limited', expiresAt: today},
      {...base, id: 5, token: tok('e'), inviteType: 'reusable', maxUse: 5, uses: 2, leftUse: 3},
      {...base, id: 6, token: tok('f'), inviteType: 'reusable', used: true, maxUse: 5, uses: 5, leftUse: 0, valid: false},
      {...base, id: 7, token: tok('g'), inviteType: 'reusable_date_limited', expiresAt: later, maxUse: 10, uses: 3, leftUse: 7},
      {...base, id: 8, token: tok('h'), inviteType: 'reusable_date_limited', expiresAt: yesterday, maxUse: 4, uses: 0, leftUse: 4, expired: true, valid: false},
      {...base, id: 9, token: tok('i'), inviteType: 'reusable', maxUse: 2, uses: 2, leftUse: 0, valid: false},
    ])
    expect(await dumpTables(b, ['user_invite_tokens'])).toEqual(before)
  })

  it('Pleroma’s test: a one-time invite and one with expiry and max use 15 are listed after "Invites list:" with their types', async () => {
    expect((await b.run(['user:invite'])).exitCode).toBe(0)
    expect((await b.run(['user:invite', '--expires-at', utcDay(0), '--max-use', '15'])).exitCode).toBe(0)
    const r = await b.run(['user:invites'])
    expect(r.exitCode).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toBe('Invites list:')
    expect(lines[1]).toContain('one_time')
    expect(lines[2]).toContain('reusable_date_limited')
    expect(lines[2]).toContain(`Expires at: ${utcDay(0)} | Max use: 15    Left use: 15`)
    expect(lines[3]).toBe('')
  })

  it('reads past the first page', async () => {
    await b.sql(
      `INSERT INTO user_invite_tokens (token, invite_type, max_use, uses, inserted_at, updated_at)
       SELECT 'token-' || lpad(n::text, 4, '0'), 'reusable', 3, n % 3, '2024-01-01 00:00:00', '2024-01-01 00:00:00' FROM generate_series(1, 2100) AS n`,
    )
    const r = await b.run(['user:invites'])
    expect(r.exitCode).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(2101)
    expect(lines[1]).toBe('ID: 1 | Token: token-0001 | Token type: reusable | Used: false | Max use: 3    Left use: 2')
    expect(lines[2100]).toBe('ID: 2100 | Token: token-2100 | Token type: reusable | Used: false | Max use: 3    Left use: 3')
    const ids = lines.slice(1).map((l) => Number(/^ID: (\d+) /.exec(l)![1]))
    expect(ids).toEqual(Array.from({length: 2100}, (_, i) => i + 1))
    const j = await b.run(['user:invites', '--json'])
    expect(j.json).toHaveLength(2100)
    expect(j.json[2099]).toMatchObject({id: 2100, uses: 0, leftUse: 3, valid: true})
  })
})
