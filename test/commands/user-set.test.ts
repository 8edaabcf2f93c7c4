import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {expectBumped, expectUnchanged, INSTANCE_URL, OLD_TOKEN, seedUsers, TOKEN_RE, userRow} from '../helpers/user-flags'

const ALL_UNSET = {admin: false, moderator: false, locked: false, confirmed: false}
const ALL_SET = {admin: true, moderator: true, locked: true, confirmed: true}
/** The admin API's flags of a seeded user: the columns' defaults (Pleroma's User schema, v2.9.1:lib/pleroma/user.ex). */
const OTHERS = {
  approved: true,
  suggested: false,
  discoverable: false,
  showRole: true,
  hideFollowers: false,
  hideFollows: false,
  hideFollowersCount: false,
  hideFollowsCount: false,
  hideFavorites: true,
  allowFollowingMove: true,
  skipThreadContainment: false,
  richText: true,
}
/** The admin API's flag options that change every one of OTHERS, and the lines they print for NICK, in order. */
const FLIP_OTHERS = [
  '--no-allow-following-move',
  '--no-approved',
  '--suggested',
  '--discoverable',
  '--no-show-role',
  '--hide-followers',
  '--hide-follows',
  '--hide-followers-count',
  '--hide-follows-count',
  '--no-hide-favorites',
  '--skip-thread-containment',
  '--no-rich-text',
]
const FLIPPED_LINES = (nick: string) =>
  [
    `Allow following move status of ${nick}: false`,
    `Approval status of ${nick}: false`,
    `Discoverable status of ${nick}: true`,
    `Hide favorites status of ${nick}: false`,
    `Hide followers status of ${nick}: true`,
    `Hide followers count status of ${nick}: true`,
    `Hide follows status of ${nick}: true`,
    `Hide follows count status of ${nick}: true`,
    `Rich text status of ${nick}: false`,
    `Show role status of ${nick}: false`,
    `Skip thread containment status of ${nick}: true`,
    `Suggestion status of ${nick}: true`,
  ].join('\n') + '\n'
const FLIPPED = Object.fromEntries(Object.entries(OTHERS).map(([k, v]) => [k, !v])) as typeof OTHERS
/** Those flags' columns as FLIPPED leaves them. */
const FLIPPED_COLUMNS = {
  is_approved: false,
  is_suggested: true,
  is_discoverable: true,
  show_role: false,
  hide_followers: true,
  hide_follows: true,
  hide_followers_count: true,
  hide_follows_count: true,
  hide_favorites: false,
  allow_following_move: false,
  skip_thread_containment: true,
  no_rich_text: true,
}

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
    expect(plain.json).toEqual({dryRun: false, nickname: 'plain', changed: false, ...ALL_UNSET, ...OTHERS})
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
    expect(r.json).toEqual({dryRun: false, nickname: 'plain', changed: true, admin: false, moderator: false, locked: true, confirmed: false, ...OTHERS})
  })

  it('--dry-run prints what would be set and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:set', 'plain', '--admin', '--confirmed', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Admin status of plain: true\nConfirmation status of plain: true\n')
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:set', 'plain', '--admin', '--confirmed', '--dry-run', '--json'])
    expect(j.json).toEqual({dryRun: true, nickname: 'plain', changed: true, admin: true, moderator: false, locked: false, confirmed: true, ...OTHERS})
    const same = await b.run(['user:set', 'boss', '--admin', '--dry-run', '--json'])
    expect(same.json).toEqual({dryRun: true, nickname: 'boss', changed: false, ...ALL_SET, ...OTHERS})
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
    expect(none.stderr).toMatch(
      /^Error: No flag given: nothing to set\.\nHint: Give at least one of --admin, --allow-following-move, --approved, --confirmed, .*, --suggested \(or their --no- forms\)/,
    )
    expectErrorLines(none.stderr)
    const dry = await b.run(['user:set', 'plain', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(2)
    expect(dry.json.error).toMatchObject({code: 'usage', exitCode: 2})
    const unknown = await b.run(['user:set', 'plain', '--deactivated'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('Nonexistent flag: --deactivated')
    const noNick = await b.run(['user:set', '--admin'])
    expect(noNick.exitCode).toBe(2)
    expect(noNick.stderr).toContain('Error: No nickname given.')
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  /** Every column of the user's row. */
  async function fullRow(nickname: string): Promise<Record<string, any>> {
    const rows = await b.sql(`SELECT * FROM users WHERE nickname = $1`, [nickname])
    expect(rows).toHaveLength(1)
    return rows[0]
  }
  const opposite = (flag: string) => (flag.startsWith('--no-') ? `--${flag.slice(5)}` : `--no-${flag.slice(2)}`)

  it('--approved and --suggested write what User.approve and User.set_suggestion write: the column and updated_at, nothing else', async () => {
    await b.sql(`UPDATE users SET is_approved = false WHERE nickname = 'plain'`)
    const before = await fullRow('plain')
    const started = Date.now()
    // User.approve (v2.9.1:lib/pleroma/user.ex:1934-1940): change(user, is_approved: true), updated.
    const r = await b.run(['user:set', 'plain', '--approved'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Approval status of plain: true\n')
    const approved = await fullRow('plain')
    expect(approved).toEqual({...before, is_approved: true, updated_at: approved.updated_at})
    expectBumped(approved.updated_at, started)
    // User.set_suggestion (user.ex:1962-1976): change(user, is_suggested: B), updated; the same value: left alone.
    await b.sql(`UPDATE users SET updated_at = '2024-01-02 03:04:05' WHERE nickname = 'plain'`)
    const s = await b.run(['user:set', 'plain', '--suggested', '--json'])
    expect(s.exitCode).toBe(0)
    expect(s.stderr).toBe('')
    expect(s.json).toEqual({dryRun: false, nickname: 'plain', changed: true, ...ALL_UNSET, ...OTHERS, suggested: true})
    const suggested = await fullRow('plain')
    expect(suggested).toEqual({...before, is_approved: true, is_suggested: true, updated_at: suggested.updated_at})
    expectBumped(suggested.updated_at, started)
    const unsuggest = await b.run(['user:set', 'plain', '--no-suggested'])
    expect(unsuggest.stdout).toBe('Suggestion status of plain: false\n')
    expect(await fullRow('plain')).toMatchObject({is_suggested: false, is_approved: true})
    // Only the given user changed.
    expectUnchanged((await userRow(b, 'bystander')).updated_at)
  })

  it('the credentials flags write what User.update_as_admin_changeset writes (the columns and updated_at), and back', async () => {
    const before = await fullRow('plain')
    const started = Date.now()
    const r = await b.run(['user:set', 'plain', ...FLIP_OTHERS])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(FLIPPED_LINES('plain'))
    const after = await fullRow('plain')
    // update_as_admin_changeset (v2.9.1:lib/pleroma/user.ex:735-743) casts them from the params; Ecto writes the changed ones and updated_at.
    expect(after).toEqual({...before, ...FLIPPED_COLUMNS, updated_at: after.updated_at})
    expectBumped(after.updated_at, started)
    const back = await b.run(['user:set', 'plain', ...FLIP_OTHERS.map(opposite), '--json'])
    expect(back.exitCode).toBe(0)
    expect(back.stderr).toBe('')
    expect(back.stdout).toBe(JSON.stringify({dryRun: false, nickname: 'plain', changed: true, ...ALL_UNSET, ...OTHERS}, null, 2) + '\n')
    const restored = await fullRow('plain')
    expect(restored).toEqual({...before, updated_at: restored.updated_at})
  })

  it('a flag already in that state: its line, nothing written (as Pleroma: approve and set_suggestion leave the user alone)', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:set', 'plain', '--approved', '--no-suggested', '--no-discoverable', '--show-role', '--hide-favorites', '--rich-text'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(
      'Approval status of plain: true\nDiscoverable status of plain: false\nHide favorites status of plain: true\nRich text status of plain: true\nShow role status of plain: true\nSuggestion status of plain: false\n',
    )
    const j = await b.run(['user:set', 'plain', '--approved', '--json'])
    expect(j.json).toEqual({dryRun: false, nickname: 'plain', changed: false, ...ALL_UNSET, ...OTHERS})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run with the admin API’s flags: the lines and values they would give, every table unchanged', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:set', 'plain', ...FLIP_OTHERS, '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(FLIPPED_LINES('plain'))
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:set', 'plain', ...FLIP_OTHERS, '--dry-run', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json).toEqual({dryRun: true, nickname: 'plain', changed: true, ...ALL_UNSET, ...FLIPPED})
    const same = await b.run(['user:set', 'plain', '--approved', '--dry-run'])
    expect(same.stdout).toBe('Approval status of plain: true\n')
    expect(same.stderr).toBe('Dry run: nothing would change; nothing was written.\n')
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('the admin API’s flags on an unknown user (exit 3) and a remote one (exit 4): nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const none = await b.run(['user:set', 'nobody', '--approved', '--suggested'])
    expect(none.exitCode).toBe(3)
    expect(none.stdout).toBe('')
    expect(none.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    const remote = await b.run(['user:set', 'bob@remote.example', '--no-approved', '--discoverable', '--json'])
    expect(remote.exitCode).toBe(4)
    expect(remote.json.error).toMatchObject({code: 'refused', exitCode: 4, message: 'No local user bob@remote.example'})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})
