import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {expectBumped, expectUnchanged, INSTANCE_URL, OLD_TOKEN, seedUsers, TOKEN_RE, userRow} from '../helpers/user-flags'

describeBackends('user:confirm', (b) => {
  beforeEach(async () => {
    await seedUsers(b, [
      {nickname: 'confirmed', confirmed: true},
      {nickname: 'pending', confirmed: false, confirmationToken: OLD_TOKEN},
      {nickname: 'bystander', confirmed: false},
      {nickname: 'bob@remote.example', local: false, confirmed: false},
    ])
  })

  it('an unconfirmed user is confirmed and its token cleared, as User.confirm does; Pleroma’s line', async () => {
    const started = Date.now()
    const r = await b.run(['user:confirm', 'pending'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    // Pleroma's test asserts exactly this line.
    expect(r.stdout).toBe("pending doesn't need confirmation.\n")
    const u = await userRow(b, 'pending')
    // User.confirm: confirmation_changeset(set_confirmation: true) = is_confirmed true, confirmation_token nil.
    expect(u).toMatchObject({is_confirmed: true, confirmation_token: null})
    expectBumped(u.updated_at, started)
    const other = await userRow(b, 'bystander')
    expect(other).toMatchObject({is_confirmed: false, confirmation_token: OLD_TOKEN})
    expectUnchanged(other.updated_at)
  })

  it('--json; the user found case-insensitively and as nick@<instance host>', async () => {
    const r = await b.run(['user:confirm', 'PENDING', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({nickname: 'pending', confirmed: true, dryRun: false})
    const at = await b.run(['user:confirm', 'Bystander@pleroma.EXAMPLE', '--instance-url', INSTANCE_URL])
    expect(at.exitCode).toBe(0)
    expect(at.stdout).toBe("bystander doesn't need confirmation.\n")
    expect(await userRow(b, 'bystander')).toMatchObject({is_confirmed: true, confirmation_token: null})
  })

  it('a confirmed user: Pleroma’s words as an error, exit 4, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:confirm', 'confirmed'])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe("Error: confirmed doesn't need confirmation.\nHint: It is confirmed already; nothing was changed.\n")
    const d = await b.run(['user:confirm', 'confirmed', '--dry-run'])
    expect(d.exitCode).toBe(4)
    const j = await b.run(['user:confirm', 'confirmed', '--json'])
    expect(j.exitCode).toBe(4)
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4, message: "confirmed doesn't need confirmation."})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('unknown user: "No local user", exit 3; a remote user: exit 4; bad usage: exit 2; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:confirm', 'nobody'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const remote = await b.run(['user:confirm', 'bob@remote.example', '--json'])
    expect(remote.exitCode).toBe(4)
    expect(remote.json.error).toMatchObject({code: 'refused', exitCode: 4, message: 'No local user bob@remote.example'})
    expect((await b.run(['user:confirm'])).exitCode).toBe(2)
    // Two nicknames are two users (user-bulk-commands.test.ts): one confirmation, which cannot be answered here.
    const two = await b.run(['user:confirm', 'pending', 'bystander'])
    expect(two.exitCode).toBe(1)
    expect(two.stderr).toMatch(/Not confirmed: stdin is not a terminal/)
    expect((await b.run(['user:confirm', 'pending', '--all'])).exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run prints what it would print and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:confirm', 'pending', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("pending doesn't need confirmation.\n")
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:confirm', 'pending', '--dry-run', '--json'])
    expect(j.json).toEqual({nickname: 'pending', confirmed: true, dryRun: true})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})

/**
 * The seed of the bulk tests. `selected`: what Pleroma's confirm_all and
 * unconfirm_all select (v2.9.1:lib/mix/tasks/pleroma/user.ex:360-394 over
 * User.Query, v2.9.1:lib/pleroma/user/query.ex): local, is_admin false,
 * is_moderator false, invisible false, not internal; `is_active: true` is a
 * key User.Query ignores, so the deactivated user is selected too.
 */
const BULK = [
  {nickname: 'u1', confirmed: false, selected: true},
  {nickname: 'u2', confirmed: false, selected: true, inactive: true},
  {nickname: 'u3', confirmed: true, selected: true},
  {nickname: 'u4', confirmed: true, confirmationToken: OLD_TOKEN, selected: true},
  {nickname: 'admin', confirmed: false, admin: true, selected: false},
  {nickname: 'mod', confirmed: false, moderator: true, selected: false},
  {nickname: 'ghost', confirmed: false, invisible: true, selected: false},
  {nickname: 'internal.fetch', confirmed: false, selected: false},
  {nickname: 'bob@remote.example', confirmed: false, local: false, selected: false},
]
const SELECTED = BULK.filter((u) => u.selected).map((u) => u.nickname)

async function seedBulk(b: Pick<Backend, 'sql'>): Promise<void> {
  await seedUsers(
    b,
    BULK.map(({nickname, confirmed, confirmationToken, admin, moderator, local}) => ({nickname, confirmed, confirmationToken, admin, moderator, local})),
  )
  await b.sql(`UPDATE users SET is_active = false WHERE nickname = 'u2'`)
  await b.sql(`UPDATE users SET invisible = true WHERE nickname = 'ghost'`)
}

/** nickname → [is_confirmed, token, updated_at bumped?] of every seeded user. */
async function confirmationState(b: Backend, started: number): Promise<Record<string, [boolean, string | null, boolean]>> {
  const out: Record<string, [boolean, string | null, boolean]> = {}
  for (const {nickname} of BULK) {
    const u = await userRow(b, nickname)
    const bumped = u.updated_at.getTime() !== new Date('2024-01-02T03:04:05Z').getTime()
    if (bumped) expectBumped(u.updated_at, started)
    out[nickname] = [u.is_confirmed, u.confirmation_token, bumped]
  }
  return out
}

const CONFIRM_SUMMARY =
  '4 local users that are not admin, moderator or invisible (1 of them deactivated): 3 users will be confirmed (2 unconfirmed, 1 confirmed with a token left), 1 is confirmed already.\n'
const CONFIRM_DONE = 'Done: 3 users confirmed. user:unconfirm-all undoes it for all, user:set NICK --no-confirmed for one.\n'

describeBackends('user:confirm-all', (b) => {
  beforeEach(async () => {
    await seedBulk(b)
  })

  it('set_confirmation(user, true) for the users Pleroma’s confirm_all selects, deactivated ones included; the others untouched', async () => {
    const started = Date.now()
    const r = await b.run(['user:confirm-all', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(CONFIRM_SUMMARY)
    expect(r.stderr).toBe(CONFIRM_DONE)
    expect(await confirmationState(b, started)).toEqual({
      // set_confirmation(true): is_confirmed true and the token cleared; a row already so is not written (Ecto: no change, no UPDATE).
      u1: [true, null, true],
      u2: [true, null, true],
      u3: [true, null, false],
      u4: [true, null, true],
      admin: [false, OLD_TOKEN, false],
      mod: [false, OLD_TOKEN, false],
      ghost: [false, OLD_TOKEN, false],
      'internal.fetch': [false, OLD_TOKEN, false],
      'bob@remote.example': [false, OLD_TOKEN, false],
    })
    const confirmed = (await b.sql<{nickname: string}>(`SELECT nickname::text FROM users WHERE is_confirmed ORDER BY nickname`)).map((x) => x.nickname)
    expect(confirmed).toEqual([...SELECTED].sort())
  })

  it('--json, in batches; a second run has nothing to do; Pleroma’s spelling user:confirm_all', async () => {
    const r = await b.run(['user:confirm_all', '--yes', '--json', '--batch-size', '3'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({users: 4, inactive: 1, changed: 3, batches: 2, dryRun: false})
    const dump = await dumpTables(b, USER_TABLES)
    const again = await b.run(['user:confirm-all', '-y'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe(
      '4 local users that are not admin, moderator or invisible (1 of them deactivated): 0 users will be confirmed (0 unconfirmed, 0 confirmed with a token left), 4 are confirmed already.\n',
    )
    expect(again.stderr).toBe('Nothing to do.\n')
    expect(await dumpTables(b, USER_TABLES)).toEqual(dump)
  })

  it('an interrupted run leaves whole batches; a re-run finishes it', async () => {
    await b.sql(`CREATE FUNCTION test_crash_on_u2() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF OLD.nickname = 'u2' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$`)
    await b.sql(`CREATE TRIGGER test_crash_on_u2 BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION test_crash_on_u2()`)
    const crashed = await b.run(['user:confirm-all', '-y', '--batch-size', '1'])
    expect(crashed.exitCode).toBe(1)
    expect(crashed.stderr).toMatch(/^Error: simulated crash\.\n/)
    expect((await userRow(b, 'u1')).is_confirmed).toBe(true)
    expect((await userRow(b, 'u2')).is_confirmed).toBe(false)
    await b.sql(`DROP TRIGGER test_crash_on_u2 ON users`)
    await b.sql(`DROP FUNCTION test_crash_on_u2()`)
    const rerun = await b.run(['user:confirm-all', '-y', '--batch-size', '1', '--json'])
    expect(rerun.json).toEqual({users: 4, inactive: 1, changed: 2, batches: 4, dryRun: false})
    for (const nick of SELECTED) expect(await userRow(b, nick)).toMatchObject({is_confirmed: true, confirmation_token: null})
  })

  it('--dry-run shows the summary and the JSON shape and writes nothing; without a terminal and -y it refuses (exit 1); bad values: exit 2', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:confirm-all', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(CONFIRM_SUMMARY)
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:confirm-all', '--dry-run', '--json', '--batch-size', '3'])
    expect(j.json).toEqual({users: 4, inactive: 1, changed: 3, batches: 2, dryRun: true})
    const asked = await b.run(['user:confirm-all'])
    expect(asked.exitCode).toBe(1)
    expect(asked.stdout).toBe(CONFIRM_SUMMARY)
    expect(asked.stderr).toBe('Error: No user was changed. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n')
    const zero = await b.run(['user:confirm-all', '-y', '--batch-size', '0'])
    expect(zero.exitCode).toBe(2)
    expect(zero.stderr).toContain('greater than or equal to 1')
    expect((await b.run(['user:confirm-all', 'alice', '-y'])).exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('no user to select: says so, exit 0, nothing changed', async () => {
    await b.sql(`DELETE FROM users WHERE nickname IN ('u1', 'u2', 'u3', 'u4')`)
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:confirm-all', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('No local user that is not admin, moderator or invisible: nothing to do.\n')
    const j = await b.run(['user:confirm-all', '-y', '--json'])
    expect(j.json).toEqual({users: 0, inactive: 0, changed: 0, batches: 0, dryRun: false})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})

const UNCONFIRM_SUMMARY =
  '4 local users that are not admin, moderator or invisible (1 of them deactivated): all 4 will need confirmation, each with a new confirmation token (2 confirmed now; the 2 unconfirmed ones get a new token too, the old link stops working).\n'

describeBackends('user:unconfirm-all', (b) => {
  beforeEach(async () => {
    await seedBulk(b)
  })

  it('set_confirmation(user, false) for the users Pleroma’s unconfirm_all selects: each gets a fresh token of its own; the others untouched', async () => {
    const started = Date.now()
    const r = await b.run(['user:unconfirm-all', '-y', '--batch-size', '3'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(UNCONFIRM_SUMMARY)
    expect(r.stderr).toBe('Done: 4 users need confirmation. user:confirm NICK confirms one again, user:confirm-all all of them.\n')
    const state = await confirmationState(b, started)
    const tokens: string[] = []
    for (const nick of SELECTED) {
      // set_confirmation(false): is_confirmed false, confirmation_token = 32 random bytes, URL-safe Base64 (44 characters).
      const [confirmed, token, bumped] = state[nick]
      expect({nick, confirmed, bumped}).toEqual({nick, confirmed: false, bumped: true})
      expect(token).toMatch(TOKEN_RE)
      expect(token).not.toBe(OLD_TOKEN)
      tokens.push(token!)
    }
    expect(new Set(tokens).size).toBe(4)
    for (const nick of ['admin', 'mod', 'ghost', 'internal.fetch', 'bob@remote.example']) expect(state[nick]).toEqual([false, OLD_TOKEN, false])
    // Pleroma's test: admins and moderators stay confirmed.
    await b.sql(`UPDATE users SET is_confirmed = true, confirmation_token = NULL WHERE nickname IN ('admin', 'mod')`)
    expect((await b.run(['user:unconfirm-all', '-y'])).exitCode).toBe(0)
    expect(await userRow(b, 'admin')).toMatchObject({is_confirmed: true, confirmation_token: null})
    expect(await userRow(b, 'mod')).toMatchObject({is_confirmed: true, confirmation_token: null})
  })

  it('--json; Pleroma’s spelling user:unconfirm_all; confirm-all undoes it', async () => {
    const r = await b.run(['user:unconfirm_all', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({users: 4, inactive: 1, changed: 4, batches: 1, dryRun: false})
    const back = await b.run(['user:confirm-all', '--yes', '--json'])
    expect(back.json).toEqual({users: 4, inactive: 1, changed: 4, batches: 1, dryRun: false})
    for (const nick of SELECTED) expect(await userRow(b, nick)).toMatchObject({is_confirmed: true, confirmation_token: null})
  })

  it('--dry-run shows the summary and the JSON shape and writes nothing; without a terminal and -y it refuses (exit 1)', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:unconfirm-all', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(UNCONFIRM_SUMMARY)
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:unconfirm-all', '--dry-run', '--json'])
    expect(j.json).toEqual({users: 4, inactive: 1, changed: 4, batches: 1, dryRun: true})
    const asked = await b.run(['user:unconfirm-all'])
    expect(asked.exitCode).toBe(1)
    expect(asked.stderr).toBe('Error: No user was changed. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n')
    expect((await b.run(['user:unconfirm-all', '-y', '--batch-size', 'x'])).exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})
