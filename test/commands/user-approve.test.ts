import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {expectBumped, INSTANCE_URL, SEEDED_AT, seedUsers} from '../helpers/user-flags'

/**
 * `pending`: what User.approve changes (v2.9.1:lib/pleroma/user.ex:1934-1942:
 * is_approved false → true) among the users the admin API's need_approval
 * filter lists (is_approved false, not internal), local ones.
 */
const USERS = [
  {nickname: 'alice', approved: true},
  {nickname: 'pending1', approved: false, confirmed: false, pending: true},
  {nickname: 'pending2', approved: false, inactive: true, pending: true},
  {nickname: 'internal.fetch', approved: false},
  {nickname: 'bob@remote.example', approved: false, local: false},
]

async function seed(b: Pick<Backend, 'sql'>): Promise<void> {
  await seedUsers(
    b,
    USERS.map(({nickname, confirmed, local}) => ({nickname, confirmed, local})),
  )
  await b.sql(`UPDATE users SET is_approved = false WHERE nickname = ANY($1::text[])`, [USERS.filter((u) => !u.approved).map((u) => u.nickname)])
  await b.sql(`UPDATE users SET is_active = false WHERE nickname = 'pending2'`)
  await b.sql(`UPDATE users SET email = 'p1@example.com', registration_reason = 'I like "cats"' WHERE nickname = 'pending1'`)
}

/** nickname → [is_approved, updated_at bumped?]. */
async function approvalState(b: Backend, started: number): Promise<Record<string, [boolean, boolean]>> {
  const rows = await b.sql<{nickname: string; is_approved: boolean; updated_at: Date}>(`SELECT nickname::text, is_approved, updated_at FROM users`)
  const out: Record<string, [boolean, boolean]> = {}
  for (const r of rows) {
    const bumped = r.updated_at.getTime() !== new Date(SEEDED_AT.replace(' ', 'T') + 'Z').getTime()
    if (bumped) expectBumped(r.updated_at, started)
    out[r.nickname] = [r.is_approved, bumped]
  }
  return out
}

const LIST =
  '2 pending registrations will be approved:\n' +
  `  pending1 <p1@example.com>, registered ${SEEDED_AT} UTC (unconfirmed): "I like \\"cats\\""\n` +
  `  pending2, registered ${SEEDED_AT} UTC (confirmed, deactivated)\n`

describeBackends('user:approve', (b) => {
  beforeEach(async () => {
    await seed(b)
  })

  it('approves one pending registration as User.approve does; says when the e-mail is not confirmed yet', async () => {
    const started = Date.now()
    const r = await b.run(['user:approve', 'pending1'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Approved pending1.\n')
    expect(r.stderr).toBe('pending1 has not confirmed the e-mail address yet; `pleroma-admin user:confirm pending1` confirms it.\n')
    expect(await approvalState(b, started)).toEqual({
      alice: [true, false],
      pending1: [true, true],
      pending2: [false, false],
      'internal.fetch': [false, false],
      'bob@remote.example': [false, false],
    })
    const j = await b.run(['user:approve', 'Pending2@pleroma.example', '--instance-url', INSTANCE_URL, '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.stderr).toBe('')
    expect(j.json).toEqual({approved: ['pending2'], unconfirmed: [], dryRun: false})
  })

  it('--all lists every pending local registration (deactivated ones too), asks, and approves them; a re-run finds none', async () => {
    const started = Date.now()
    const r = await b.run(['user:approve', '--all', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(LIST)
    expect(r.stderr).toBe('Done: 2 registrations approved. 1 of them has not confirmed the e-mail address yet (user:confirm NICK, or user:confirm-all).\n')
    expect(await approvalState(b, started)).toEqual({
      alice: [true, false],
      pending1: [true, true],
      pending2: [true, true],
      'internal.fetch': [false, false],
      'bob@remote.example': [false, false],
    })
    const dump = await dumpTables(b, USER_TABLES)
    const again = await b.run(['user:approve', '--all', '-y'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe('')
    expect(again.stderr).toBe('No pending registrations.\n')
    const j = await b.run(['user:approve', '--all', '--json'])
    expect(j.json).toEqual({approved: [], unconfirmed: [], dryRun: false})
    expect(await dumpTables(b, USER_TABLES)).toEqual(dump)
  })

  it('--all --json in batches', async () => {
    const r = await b.run(['user:approve', '--all', '--yes', '--json', '--batch-size', '1'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({approved: ['pending1', 'pending2'], unconfirmed: ['pending1'], dryRun: false})
    const approved = await b.sql<{nickname: string}>(`SELECT nickname::text FROM users WHERE is_approved ORDER BY nickname`)
    expect(approved.map((x) => x.nickname)).toEqual(['alice', 'pending1', 'pending2'])
  })

  it('an approved user: exit 4; unknown: exit 3; remote: exit 4; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:approve', 'alice'])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('Error: alice is approved already.\nHint: Nothing was changed.\n')
    expect((await b.run(['user:approve', 'alice', '--dry-run'])).exitCode).toBe(4)
    const j = await b.run(['user:approve', 'alice', '--json'])
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4, message: 'alice is approved already.'})
    const nobody = await b.run(['user:approve', 'nobody'])
    expect(nobody.exitCode).toBe(3)
    expect(nobody.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    const remote = await b.run(['user:approve', 'bob@remote.example', '--json'])
    expect(remote.exitCode).toBe(4)
    expect(remote.json.error).toMatchObject({code: 'refused', message: 'No local user bob@remote.example'})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('NICKNAME and --all, or neither: usage error (exit 2), one line; bad flags: exit 2; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const both = await b.run(['user:approve', 'pending1', '--all', '-y'])
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toBe(
      'Error: Give a NICKNAME or --all, not both.\nHint: user:approve alice approves one user, user:approve --all every pending registration.\n',
    )
    const neither = await b.run(['user:approve'])
    expect(neither.exitCode).toBe(2)
    expect(neither.stderr).toBe(
      'Error: Missing NICKNAME (or --all).\nHint: user:approve alice approves one user, user:approve --all every pending registration.\n',
    )
    const j = await b.run(['user:approve', '--json'])
    expect(j.json.error).toMatchObject({code: 'usage', exitCode: 2})
    expect((await b.run(['user:approve', '--all', '--batch-size', '0', '-y'])).exitCode).toBe(2)
    // Two nicknames are two users (user-bulk-commands.test.ts): neither exists, exit 3.
    expect((await b.run(['user:approve', 'a', 'b'])).exitCode).toBe(3)
    const allAndStdin = await b.run(['user:approve', '--all', '--stdin', '-y'], {stdin: 'pending1\n'})
    expect(allAndStdin.exitCode).toBe(2)
    expect(allAndStdin.stderr).toMatch(/cannot also be provided when using --/)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run (one and --all) writes nothing; --all without a terminal and -y refuses (exit 1)', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const one = await b.run(['user:approve', 'pending2', '--dry-run'])
    expect(one.exitCode).toBe(0)
    expect(one.stdout).toBe('Approved pending2.\n')
    expect(one.stderr).toBe('Dry run: nothing was written.\n')
    const all = await b.run(['user:approve', '--all', '--dry-run'])
    expect(all.exitCode).toBe(0)
    expect(all.stdout).toBe(LIST)
    expect(all.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:approve', '--all', '--dry-run', '--json'])
    expect(j.json).toEqual({approved: ['pending1', 'pending2'], unconfirmed: ['pending1'], dryRun: true})
    const asked = await b.run(['user:approve', '--all'])
    expect(asked.exitCode).toBe(1)
    expect(asked.stdout).toBe(LIST)
    expect(asked.stderr).toBe(
      'Error: No registration was approved. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n',
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})
