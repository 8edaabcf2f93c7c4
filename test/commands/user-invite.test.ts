import {describeBackends} from '../helpers/backends'
import {dumpTables, expectErrorLines} from '../helpers/assertions'
import {readInvites, TOKEN_RE, utcDay, utcMs} from '../helpers/invites'

const BASE = 'https://pleroma.example'

describeBackends('user:invite', (b) => {
  it('without options creates a one-time invite and prints Pleroma’s lines (Pleroma: "Generated user invite token one time", stdout contains "http")', async () => {
    const before = Date.now()
    const r = await b.run(['user:invite', '--instance-url', BASE])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('http')
    const rows = await readInvites(b)
    expect(rows).toHaveLength(1)
    const row = rows[0]
    expect(row.token).toMatch(TOKEN_RE)
    expect(row).toEqual({
      id: row.id,
      token: row.token,
      used: false,
      uses: 0,
      max_use: null,
      expires_at: null,
      invite_type: 'one_time',
      inserted_at: row.inserted_at,
      updated_at: row.inserted_at,
    })
    // Whole-second UTC timestamps, made now.
    expect(row.inserted_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(utcMs(row.inserted_at)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
    expect(utcMs(row.inserted_at)).toBeLessThanOrEqual(Date.now())
    expect(r.stdout).toBe(`Generated user invite token one time\n${BASE}/registration/${row.token!.slice(0, 43)}%3D\n`)
  })

  it('--expires-at today makes a date-limited invite (Pleroma: "… date limited")', async () => {
    const today = utcDay(0)
    const r = await b.run(['user:invite', '--expires-at', today, '--instance-url', BASE])
    expect(r.exitCode).toBe(0)
    const [row] = await readInvites(b)
    expect(row).toMatchObject({invite_type: 'date_limited', expires_at: today, max_use: null, uses: 0, used: false})
    expect(row.updated_at).toBe(row.inserted_at)
    expect(r.stdout).toBe(`Generated user invite token date limited\n${BASE}/registration/${encodeURIComponent(row.token!)}\n`)
  })

  it('--max-use 5 makes a reusable invite (Pleroma: "… reusable")', async () => {
    const r = await b.run(['user:invite', '--max-use', '5', '--instance-url', BASE])
    expect(r.exitCode).toBe(0)
    const [row] = await readInvites(b)
    expect(row).toMatchObject({invite_type: 'reusable', expires_at: null, max_use: 5, uses: 0, used: false})
    expect(r.stdout).toBe(`Generated user invite token reusable\n${BASE}/registration/${encodeURIComponent(row.token!)}\n`)
  })

  it('both options make a reusable date-limited invite (Pleroma: "… reusable date limited"), and --json returns it', async () => {
    const day = utcDay(30)
    const r = await b.run(['user:invite', '--expires-at', day, '--max-use', '15', '--instance-url', BASE])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^Generated user invite token reusable date limited\nhttps:\/\/pleroma\.example\/registration\/[A-Za-z0-9_-]{43}%3D\n$/)
    const j = await b.run(['user:invite', '--expires-at', day, '--max-use', '15', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.stderr).toBe('')
    const rows = await readInvites(b)
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(row).toMatchObject({invite_type: 'reusable_date_limited', expires_at: day, max_use: 15, uses: 0, used: false})
    expect(rows[0].token).not.toBe(rows[1].token)
    // The instance URL now comes from the embedded setting / default: no local users exist.
    expect(j.json).toEqual({
      dryRun: false,
      id: rows[1].id,
      token: rows[1].token,
      inviteType: 'reusable_date_limited',
      expiresAt: day,
      maxUse: 15,
      url: expect.stringMatching(new RegExp(`^https?://[^/]+/registration/${encodeURIComponent(rows[1].token!)}$`)),
    })
  })

  it('takes the base URL of the link from the local users when none is given', async () => {
    await b.sql(
      `INSERT INTO users (id, nickname, bio, ap_id, local, inserted_at, updated_at) VALUES ('00000185-0000-0000-0000-000000000001', 'admin', '', 'https://social.example:8443/users/admin', true, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
    )
    const j = await b.run(['user:invite', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json.url).toBe(`https://social.example:8443/registration/${encodeURIComponent(j.json.token)}`)
    expect(j.json).toMatchObject({inviteType: 'one_time', expiresAt: null, maxUse: null})
  })

  it('--dry-run says what would be generated and writes nothing', async () => {
    const r = await b.run(['user:invite', '--max-use', '3', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('A user invite token reusable would be generated\n')
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:invite', '--expires-at', '2999-01-01', '--dry-run', '--json'])
    expect(j.json).toEqual({dryRun: true, id: null, token: null, inviteType: 'date_limited', expiresAt: '2999-01-01', maxUse: null, url: null})
    expect(await readInvites(b)).toEqual([])
  })

  it('accepts the largest --max-use the column holds', async () => {
    const r = await b.run(['user:invite', '--max-use', '2147483647', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json.maxUse).toBe(2147483647)
    expect((await readInvites(b))[0].max_use).toBe(2147483647)
  })

  it('usage errors exit 2', async () => {
    const extra = await b.run(['user:invite', 'surplus'])
    expect(extra.exitCode).toBe(2)
    expect(extra.stderr).toContain('Unexpected argument: surplus')
    const missing = await b.run(['user:invite', '--max-use'])
    expect(missing.exitCode).toBe(2)
    expect(await readInvites(b)).toEqual([])
  })
})

// Nothing is written by any of these, so they share one database per backend.
describeBackends(
  'user:invite refuses bad values with exit 4, one line, and writes nothing',
  (b) => {
    const cases: Array<[string, string[], RegExp]> = [
      ['a date in another format', ['--expires-at', '12/31/2030'], /^Error: Invalid date "12\/31\/2030" for --expires-at: expected YYYY-MM-DD\./],
      ['a date with a time', ['--expires-at', '2030-12-31T00:00:00'], /^Error: Invalid date "2030-12-31T00:00:00" for --expires-at: expected YYYY-MM-DD\./],
      ['a word', ['--expires-at', 'tomorrow'], /^Error: Invalid date "tomorrow" for --expires-at/],
      ['a day that does not exist', ['--expires-at', '2031-02-30'], /^Error: Invalid date "2031-02-30" for --expires-at: there is no such day\./],
      ['a month that does not exist', ['--expires-at', '2031-13-01'], /^Error: Invalid date "2031-13-01" for --expires-at: there is no such day\./],
      [
        'yesterday',
        ['--expires-at', utcDay(-1)],
        new RegExp(`^Error: The date ${utcDay(-1)} given with --expires-at is in the past \\(today is ${utcDay(0)} UTC\\)\\.`),
      ],
      ['a long-past date', ['--expires-at', '2020-01-01', '--max-use', '3'], /^Error: The date 2020-01-01 given with --expires-at is in the past/],
      ['--max-use 0', ['--max-use', '0'], /^Error: Invalid number "0" for --max-use: an invite must allow at least 1 use\./],
      ['a negative --max-use', ['--max-use=-1'], /^Error: Invalid number "-1" for --max-use: expected a whole number of at least 1\./],
      ['a fractional --max-use', ['--max-use', '1.5'], /^Error: Invalid number "1\.5" for --max-use/],
      ['a non-numeric --max-use', ['--max-use', 'five'], /^Error: Invalid number "five" for --max-use/],
      ['an empty --max-use', ['--max-use='], /^Error: Invalid number "" for --max-use/],
      ['a --max-use too large for the column', ['--max-use', '2147483648'], /^Error: Invalid number "2147483648" for --max-use: at most 2147483647 fits/],
      ['a good date with a bad --max-use', ['--expires-at', utcDay(1), '--max-use', '0'], /^Error: Invalid number "0" for --max-use/],
    ]
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const before = await dumpTables(b, ['user_invite_tokens'])
        const r = await b.run(['user:invite', ...args])
        expect(r.exitCode).toBe(4)
        expect(r.stderr).toMatch(message)
        expectErrorLines(r.stderr)
        expect(r.stdout).toBe('')
        const j = await b.run(['user:invite', ...args, '--json'])
        expect(j.exitCode).toBe(4)
        expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4, message: expect.stringMatching(new RegExp(message.source.replace('^Error: ', '^')))})
        expect(await dumpTables(b, ['user_invite_tokens'])).toEqual(before)
        expect(before.user_invite_tokens).toEqual([])
      })
    }
  },
  {fresh: 'all'},
)
