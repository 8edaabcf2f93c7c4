/**
 * Several users at once on the per-user commands converted after the first
 * ones (user-bulk.test.ts), fed by
 * `user:list --nicknames`. For each: a not-found user reported and the
 * others done, staff skipped by the destructive ones, the exit code of the
 * first failure, the final line, --json with every user's outcome, and a
 * dry run whose totals are what the real run then did (the rows checked).
 */
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, expectErrorLines, USER_TABLES} from '../helpers/assertions'
import {BASE, MIXED_USERS, seedBulkUsers, seedFollows, userState} from '../helpers/bulk'
import {backgroundJob, expectedJobs, jobRows, LIVE_TABLES, logRows, logUser} from '../helpers/live'
import {seedActivities} from '../helpers/social-graph'
import {flakeIdToString} from '../../src/db/flake-id'

const ALL_TABLES = [...USER_TABLES, 'apps', ...LIVE_TABLES]

/** `user:list ARGS --nicknames`, its stdout (and that it succeeded). */
async function listNicknames(b: Backend, args: string[] = []): Promise<string> {
  const r = await b.run(['user:list', ...args, '--nicknames'])
  expect({stderr: r.stderr, exitCode: r.exitCode}).toEqual({stderr: '', exitCode: 0})
  return r.stdout
}

type Outcome = {nickname: string; status: string; reason?: string; error?: {code: string; message: string}}

/** nickname → ok / failed: CODE / skipped: REASON. */
function statusOf(json: {outcomes: Outcome[]}): Record<string, string> {
  return Object.fromEntries(
    json.outcomes.map((o) => [o.nickname, o.status === 'skipped' ? `skipped: ${o.reason}` : o.status === 'failed' ? `failed: ${o.error!.code}` : o.status]),
  )
}

/** The last line of stdout. */
const lastLine = (stdout: string) => stdout.trim().split('\n').at(-1)

describeBackends('several users at once: the per-user commands converted later', (b) => {
  let ids: Record<string, string>
  const u = (nick: string) => logUser(ids, nick)
  beforeEach(async () => {
    ids = await seedBulkUsers(b, MIXED_USERS)
    await seedFollows(b, ids, [
      ['alice', 'bob'],
      ['carol', 'alice'],
      ['root', 'alice'],
    ])
  })

  describe('user:delete-activities', () => {
    beforeEach(async () => {
      // bob likes a post of alice's and one of root's; carol likes the other of alice's.
      await seedActivities(b, [
        {name: 'bob-likes-alice', actor: `${BASE}/users/bob`, type: 'Like', object: `${BASE}/objects/alice-post-0`},
        {name: 'carol-likes-alice', actor: `${BASE}/users/carol`, type: 'Like', object: `${BASE}/objects/alice-post-1`},
        {name: 'bob-likes-root', actor: `${BASE}/users/bob`, type: 'Like', object: `${BASE}/objects/root-post-0`},
      ])
    })

    it('list --nicknames | delete-activities --stdin: staff skipped, a not-found and a remote user reported (exit 3), the dry run is the effect', async () => {
      const stdin = (await listNicknames(b)) + 'nobody\neve@remote.example\n'
      const before = await dumpTables(b, ALL_TABLES)
      const dry = await b.run(['user:delete-activities', '--stdin', '--dry-run', '--json'], {stdin})
      expect(dry.exitCode).toBe(3)
      expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
      const expected = {
        alice: 'ok',
        bob: 'ok',
        carol: 'ok',
        root: 'skipped: admin',
        mod: 'skipped: moderator',
        ghost: 'skipped: invisible',
        relay: 'skipped: service actor',
        nobody: 'failed: not_found',
        'eve@remote.example': 'failed: refused',
      }
      expect(statusOf(dry.json)).toEqual(expected)
      expect(dry.json).toMatchObject({dryRun: true, users: 9, succeeded: 3, failed: 2, skipped: 4, interrupted: false})
      // alice's posts go first and take bob's and carol's likes of them along: bob has one like left to undo (of root's post), carol none.
      expect(dry.json.totals).toEqual({posts: 3, likesAndAnnounces: 1, deliveries: 0})

      const real = await b.run(['user:delete-activities', '--stdin', '--yes', '--json'], {stdin})
      expect(real.exitCode).toBe(3)
      expect(statusOf(real.json)).toEqual(expected)
      expect(real.json).toMatchObject({dryRun: false, users: 9, succeeded: 3, failed: 2, skipped: 4, interrupted: false})
      expect(real.json.totals).toEqual(dry.json.totals)
      const result = (nick: string) => real.json.outcomes.find((o: Outcome) => o.nickname === nick).result
      expect(result('bob')).toMatchObject({nickname: 'bob', posts: 1, likes: 1, announces: 0, likesAndAnnounces: 1, dryRun: false})
      expect(result('carol')).toMatchObject({nickname: 'carol', posts: 0, likesAndAnnounces: 0, batches: 0})
      expect(real.json.outcomes.find((o: Outcome) => o.nickname === 'nobody').error).toEqual({
        code: 'not_found',
        exitCode: 3,
        message: 'No local user nobody',
        hint: expect.any(String),
      })

      // Only root's post and nothing of the others is left; the Deletes and bob's Undo recorded.
      const creates = await b.sql(`SELECT actor FROM activities WHERE data->>'type' = 'Create' ORDER BY actor`)
      expect(creates.map((a) => a.actor)).toEqual([`${BASE}/users/root`])
      expect(await b.sql(`SELECT count(*)::int AS n FROM activities WHERE data->>'type' = 'Like'`)).toEqual([{n: 0}])
      const made = await b.sql(`SELECT actor, data->>'type' AS type FROM activities WHERE data->>'type' IN ('Delete', 'Undo') ORDER BY 2, 1`)
      expect(made).toEqual([
        {actor: `${BASE}/users/alice`, type: 'Delete'},
        {actor: `${BASE}/users/alice`, type: 'Delete'},
        {actor: `${BASE}/users/bob`, type: 'Delete'},
        {actor: `${BASE}/users/bob`, type: 'Undo'},
      ])
      expect(await b.sql(`SELECT count(*)::int AS n FROM objects WHERE data->>'type' = 'Tombstone'`)).toEqual([{n: 3}])
      for (const nick of ['alice', 'bob']) expect(await userState(b, nick)).toMatchObject({note_count: 0, is_active: true})
      expect(await userState(b, 'root')).toMatchObject({note_count: 1})
    })

    it('the human output: one summary, the per-user lines, the final line; a remote user fails on stderr too (exit 4)', async () => {
      const r = await b.run(['user:delete-activities', 'alice', 'root', 'bob', 'eve@remote.example', '--yes'])
      expect(r.exitCode).toBe(4)
      const lines = r.stdout.split('\n')
      expect(lines.slice(0, 4)).toEqual([
        '2 users will lose their posts, likes and announces: alice, bob',
        '  in all: 3 posts, 1 like or announce',
        '  skipped: root (admin)',
        expect.stringMatching(/^ {2}failed: eve@remote\.example \(.+\)$/),
      ])
      expect(r.stdout).toContain('User alice statuses deleted.\n')
      expect(r.stdout).toContain('User bob statuses deleted.\n')
      expect(lastLine(r.stdout)).toBe('2 succeeded, 1 failed, 1 skipped.')
      expect(await userState(b, 'root')).toMatchObject({note_count: 1})
      // --include-staff reaches root too.
      const staff = await b.run(['user:delete-activities', 'root', 'mod', '--include-staff', '--yes', '--json'])
      expect(staff.exitCode).toBe(0)
      expect(staff.json).toMatchObject({succeeded: 2, skipped: 0, totals: {posts: 1, likesAndAnnounces: 0}})
      expect(await userState(b, 'root')).toMatchObject({note_count: 0})
    })
  })

  describe('user:unsubscribe', () => {
    beforeEach(async () => {
      await seedFollows(b, ids, [
        ['mod', 'bob'],
        ['bob', 'carol'],
      ])
    })

    it('list --nicknames | unsubscribe --stdin --actor: staff skipped, a not-found reported (exit 3), each user logged and signed out, the dry run is the effect', async () => {
      const stdin = (await listNicknames(b)) + 'nobody\n'
      const before = await dumpTables(b, ALL_TABLES)
      const dry = await b.run(['user:unsubscribe', '--stdin', '--dry-run', '--json', '--actor', 'mod'], {stdin})
      expect(dry.exitCode).toBe(3)
      expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
      const expected = {
        alice: 'ok',
        bob: 'ok',
        carol: 'ok',
        root: 'skipped: admin',
        mod: 'skipped: moderator',
        ghost: 'skipped: invisible',
        relay: 'skipped: service actor',
        nobody: 'failed: not_found',
      }
      expect(statusOf(dry.json)).toEqual(expected)
      expect(dry.json.totals).toEqual({unsubscribed: 3, deliveries: 0})

      const real = await b.run(['user:unsubscribe', '--stdin', '--yes', '--json', '--actor', 'mod'], {stdin})
      expect(real.exitCode).toBe(3)
      expect(statusOf(real.json)).toEqual(expected)
      expect(real.json).toMatchObject({dryRun: false, users: 8, succeeded: 3, failed: 1, skipped: 4})
      expect(real.json.totals).toEqual(dry.json.totals)
      const results = real.json.outcomes.filter((o: Outcome) => o.status === 'ok').map((o: {result: unknown}) => o.result)
      expect(results).toEqual([
        {nickname: 'alice', deactivated: true, unsubscribed: ['bob'], federated: b.name === 'pleroma', deliveries: 0, deliveryServers: 0, dryRun: false},
        {nickname: 'bob', deactivated: true, unsubscribed: ['carol'], federated: b.name === 'pleroma', deliveries: 0, deliveryServers: 0, dryRun: false},
        {nickname: 'carol', deactivated: true, unsubscribed: ['alice'], federated: b.name === 'pleroma', deliveries: 0, deliveryServers: 0, dryRun: false},
      ])

      // Only the staff's follows are left; alice, bob and carol inactive and signed out, root and mod untouched.
      const follows = await b.sql(
        `SELECT f.nickname AS follower, t.nickname AS followed FROM following_relationships r
           JOIN users f ON f.id = r.follower_id JOIN users t ON t.id = r.following_id ORDER BY 1, 2`,
      )
      expect(follows).toEqual([
        {follower: 'mod', followed: 'bob'},
        {follower: 'root', followed: 'alice'},
      ])
      for (const nick of ['alice', 'bob', 'carol']) expect(await userState(b, nick)).toMatchObject({is_active: false, tokens: 0, following_count: 0})
      // carol's follow of alice went with carol; root's stays (root was skipped).
      expect(await userState(b, 'alice')).toMatchObject({follower_count: 1})
      // Their follows stay, but count no more: an inactive account is not counted.
      expect(await userState(b, 'root')).toMatchObject({is_active: true, tokens: 1, following_count: 0})
      expect(await userState(b, 'mod')).toMatchObject({is_active: true, tokens: 1, following_count: 0})
      // One "deactivate" entry per user, by the actor, and the server's user_activation job for each.
      expect((await logRows(b)).map((l) => l.data)).toEqual(
        ['alice', 'bob', 'carol'].map((n) => ({actor: u('mod'), action: 'deactivate', subject: [u(n)], message: `@mod deactivated users: @${n}`})),
      )
      expect((await jobRows(b)).filter((j) => j.queue === 'background')).toEqual(
        expectedJobs(
          b,
          ['alice', 'bob', 'carol'].map((n) => backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids[n]), status: false})),
        ),
      )
    })

    it('the human output, and one nickname as before', async () => {
      const r = await b.run(['user:unsubscribe', 'alice', 'nobody', 'mod', '--yes'])
      expect(r.exitCode).toBe(3)
      expect(r.stdout.split('\n').slice(0, 4)).toEqual([
        '1 user will be deactivated and unsubscribed: alice',
        '  in all: 1 follow removed',
        '  skipped: mod (moderator)',
        '  failed: nobody (No user nobody)',
      ])
      expect(r.stdout).toContain('Deactivating alice\nUnsubscribing bob from alice\nSuccessfully unsubscribed all followers from alice\n')
      expect(lastLine(r.stdout)).toBe('1 succeeded, 1 failed, 1 skipped.')
      const one = await b.run(['user:unsubscribe', 'nobody', '--yes'])
      expect(one.exitCode).toBe(3)
      expect(one.stdout).toBe('')
      expectErrorLines(one.stderr)
      expect(one.stderr).toMatch(/^Error: No user nobody\./)
    })
  })
  /** verify_fields_links jobs of these users: the server's re-read (Pleroma-owned databases only). */
  const reread = (...nicks: string[]) =>
    expectedJobs(
      b,
      nicks.map((n) => backgroundJob({op: 'verify_fields_links', user_id: flakeIdToString(ids[n])})),
    )

  it('list --unconfirmed --nicknames | confirm --stdin --actor: not destructive (the admin confirmed too), a confirmed user skipped, a not-found reported (exit 3), one entry per user', async () => {
    await b.sql(`UPDATE users SET is_confirmed = false, confirmation_token = 'tok' WHERE nickname IN ('alice', 'bob', 'root')`)
    const stdin = (await listNicknames(b, ['--unconfirmed'])) + 'carol\nnobody\n'
    expect(stdin).toBe('alice\nbob\nroot\ncarol\nnobody\n')
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:confirm', '--stdin', '--dry-run', '--json', '--actor', 'mod'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    const expected = {alice: 'ok', bob: 'ok', root: 'ok', carol: 'skipped: already confirmed', nobody: 'failed: not_found'}
    expect(statusOf(dry.json)).toEqual(expected)

    const r = await b.run(['user:confirm', '--stdin', '--yes', '--actor', 'mod'], {stdin})
    expect(r.exitCode).toBe(3)
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      '3 users will be confirmed: alice, bob, root',
      '  skipped: carol (already confirmed)',
      '  failed: nobody (No local user nobody)',
    ])
    expect(r.stdout).toContain("alice doesn't need confirmation.\nbob doesn't need confirmation.\nroot doesn't need confirmation.\n")
    expect(lastLine(r.stdout)).toBe('3 succeeded, 1 failed, 1 skipped.')
    const rows = await b.sql(
      `SELECT nickname, is_confirmed, confirmation_token FROM users WHERE nickname IN ('alice', 'bob', 'root', 'carol') ORDER BY nickname`,
    )
    expect(rows).toEqual(['alice', 'bob', 'carol', 'root'].map((n) => ({nickname: n, is_confirmed: true, confirmation_token: null})))
    expect((await logRows(b)).map((l) => l.data)).toEqual(
      ['alice', 'bob', 'root'].map((n) => ({actor: u('mod'), action: 'confirm_email', subject: [u(n)], message: `@mod confirmed email for users: @${n}`})),
    )
    expect(await jobRows(b)).toEqual(reread('alice', 'bob', 'root'))
    // Alone, a confirmed user is still the error it was (exit 4).
    const one = await b.run(['user:confirm', 'carol'])
    expect(one.exitCode).toBe(4)
    expect(one.stderr).toBe("Error: carol doesn't need confirmation.\nHint: It is confirmed already; nothing was changed.\n")
  })

  it('list --unapproved --nicknames | approve --stdin: the moderator approved too, an approved user skipped, a not-found reported (exit 3); --all stays exclusive', async () => {
    await b.sql(`UPDATE users SET is_approved = false WHERE nickname IN ('alice', 'mod')`)
    await b.sql(`UPDATE users SET is_confirmed = false, confirmation_token = 'tok' WHERE nickname = 'alice'`)
    const stdin = (await listNicknames(b, ['--unapproved'])) + 'bob\nnobody\n'
    expect(stdin).toBe('alice\nmod\nbob\nnobody\n')
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:approve', '--stdin', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    const expected = {alice: 'ok', mod: 'ok', bob: 'skipped: already approved', nobody: 'failed: not_found'}
    expect(statusOf(dry.json)).toEqual(expected)
    expect(dry.json.totals).toEqual({unconfirmed: 1})

    const r = await b.run(['user:approve', '--stdin', '--yes', '--json'], {stdin})
    expect(r.exitCode).toBe(3)
    expect(statusOf(r.json)).toEqual(expected)
    expect(r.json).toMatchObject({dryRun: false, users: 4, succeeded: 2, failed: 1, skipped: 1})
    expect(r.json.totals).toEqual(dry.json.totals)
    expect(r.json.outcomes[0].result).toEqual({approved: ['alice'], unconfirmed: ['alice'], dryRun: false})
    const pending = await b.sql(`SELECT nickname FROM users WHERE NOT is_approved`)
    expect(pending).toEqual([])
    expect(await jobRows(b)).toEqual(reread('alice', 'mod'))
    const both = await b.run(['user:approve', 'alice', '--all', '-y'])
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toBe(
      'Error: Give a NICKNAME or --all, not both.\nHint: user:approve alice approves one user, user:approve --all every pending registration.\n',
    )
  })

  it('list --moderator --nicknames | set --stdin --no-moderator --locked: not destructive, a service actor refused and a not-found reported (exit 3: the first failure), the dry run is the effect', async () => {
    const stdin = (await listNicknames(b, ['--moderator'])) + 'alice\nnobody\nrelay\n'
    expect(stdin).toBe('mod\nalice\nnobody\nrelay\n')
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:set', '--stdin', '--no-moderator', '--locked', '--dry-run', '--json', '--actor', 'root'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    const expected = {mod: 'ok', alice: 'ok', nobody: 'failed: not_found', relay: 'failed: refused'}
    expect(statusOf(dry.json)).toEqual(expected)
    expect(dry.json.totals).toEqual({changed: 2})

    const r = await b.run(['user:set', '--stdin', '--no-moderator', '--locked', '--yes', '--actor', 'root'], {stdin})
    expect(r.exitCode).toBe(3)
    expect(r.stdout.split('\n')[0]).toBe('2 users will get --locked --no-moderator: mod, alice')
    expect(r.stdout).toContain('  in all: 2 users changed\n')
    expect(r.stdout).toContain('Locked status of mod: true\nModerator status of mod: false\n')
    expect(r.stdout).toContain('Locked status of alice: true\nModerator status of alice: false\n')
    expect(lastLine(r.stdout)).toBe('2 succeeded, 2 failed, 0 skipped.')
    const rows = await b.sql(`SELECT nickname, is_moderator, is_locked FROM users WHERE nickname IN ('mod', 'alice', 'relay', 'bob') ORDER BY nickname`)
    expect(rows).toEqual([
      {nickname: 'alice', is_moderator: false, is_locked: true},
      {nickname: 'bob', is_moderator: false, is_locked: false},
      {nickname: 'mod', is_moderator: false, is_locked: true},
      {nickname: 'relay', is_moderator: false, is_locked: false},
    ])
    expect((await logRows(b)).map((l) => l.data.action)).toEqual(['revoke', 'updated_users', 'updated_users'])
    expect(await jobRows(b)).toEqual(reread('mod', 'alice'))
  })

  it('toggle-confirmed on several users flips each from its own state; the dry run is the effect; a not-found reported (exit 3)', async () => {
    await b.sql(`UPDATE users SET is_confirmed = false, confirmation_token = 'tok' WHERE nickname = 'alice'`)
    const stdin = 'alice\nbob\nnobody\n'
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:toggle-confirmed', '--stdin', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    expect(dry.json.totals).toEqual({confirmed: 1, unconfirmed: 1})
    const r = await b.run(['user:toggle-confirmed', '--stdin', '--yes', '--json'], {stdin})
    expect(r.exitCode).toBe(3)
    expect(statusOf(r.json)).toEqual({alice: 'ok', bob: 'ok', nobody: 'failed: not_found'})
    expect(r.json.totals).toEqual(dry.json.totals)
    expect(r.json.outcomes.slice(0, 2).map((o: {result: unknown}) => o.result)).toEqual([
      {dryRun: false, nickname: 'alice', confirmed: true},
      {dryRun: false, nickname: 'bob', confirmed: false},
    ])
    const rows = await b.sql(
      `SELECT nickname, is_confirmed, length(confirmation_token) AS token FROM users WHERE nickname IN ('alice', 'bob') ORDER BY nickname`,
    )
    expect(rows).toEqual([
      {nickname: 'alice', is_confirmed: true, token: null},
      {nickname: 'bob', is_confirmed: false, token: 44},
    ])
  })

  it('reset-mfa on several users: the admin too (not destructive), one already disabled, a not-found reported (exit 3); the dry run is the effect', async () => {
    await b.sql(
      `UPDATE users SET multi_factor_authentication_settings = '{"enabled": true, "backup_codes": ["x"], "totp": {"secret": "S", "confirmed": true}}' WHERE nickname IN ('alice', 'root')`,
    )
    const stdin = 'alice\nroot\ncarol\nnobody\n'
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:reset-mfa', '--stdin', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    expect(dry.json.totals).toEqual({changed: 2, mfaTokensDeleted: 0})
    const r = await b.run(['user:reset-mfa', '--stdin', '--yes'], {stdin})
    expect(r.exitCode).toBe(3)
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      '3 users will have their multi-factor authentication disabled: alice, root, carol',
      '  in all: 2 MFA settings rewritten',
      '  failed: nobody (No local user nobody)',
    ])
    expect(r.stdout).toContain('Multi-Factor Authentication disabled for alice\nMulti-Factor Authentication disabled for root\n')
    expect(lastLine(r.stdout)).toBe('3 succeeded, 1 failed, 0 skipped.')
    const rows = await b.sql(
      `SELECT nickname, multi_factor_authentication_settings->>'enabled' AS enabled FROM users WHERE nickname IN ('alice', 'root') ORDER BY nickname`,
    )
    expect(rows).toEqual([
      {nickname: 'alice', enabled: 'false'},
      {nickname: 'root', enabled: 'false'},
    ])
    expect(await jobRows(b)).toEqual(reread('alice', 'root'))
  })
})
