/**
 * --actor / PLEROMA_ADMIN_ACTOR on the commands other than the activation
 * ones: the exact moderation_log.data each writes (as Pleroma's
 * ModerationLog.insert_log would), the server's re-read job
 * (verify_fields_links, Pleroma-owned databases only), nothing with
 * --dry-run, and a refused actor before anything is written.
 */
import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {akkomaLayout, backgroundJob, expectedJobs, expectLogTimes, jobRows, LIVE_TABLES, logRows, logUser, seedStaff, undoAkkomaLayout} from '../helpers/live'
import {seedSessions, SESSION_TABLES} from '../helpers/sessions'
import {flakeIdToString} from '../../src/db/flake-id'

const TABLES = [...new Set([...USER_TABLES, ...SESSION_TABLES, ...LIVE_TABLES])]

describeBackends('moderation log of the other writing commands', (b) => {
  let ids: Record<string, string>
  const u = (nick: string) => logUser(ids, nick)
  const reread = (...nicks: string[]) =>
    expectedJobs(
      b,
      nicks.map((n) => backgroundJob({op: 'verify_fields_links', user_id: flakeIdToString(ids[n])})),
    )
  const data = async () => (await logRows(b)).map((l) => l.data)

  beforeEach(async () => {
    ids = await seedStaff(b, [{nickname: 'alice'}, {nickname: 'bob'}, {nickname: 'carol'}, {nickname: 'zed@remote.example', local: false}])
    await b.sql(`UPDATE users SET is_confirmed = true, is_approved = true, confirmation_token = NULL`)
  })

  it('user:set: "grant"/"revoke" per role changed, "confirm_email", "approve", suggestions, one "updated_users" for the credential flags', async () => {
    await b.sql(`UPDATE users SET is_confirmed = false, confirmation_token = 'tok', is_approved = false WHERE nickname = 'alice'`)
    const started = Date.now()
    const r = await b.run(['user:set', 'alice', '--admin', '--moderator', '--confirmed', '--approved', '--locked', '--discoverable', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'Admin status of alice: true\nApproval status of alice: true\nConfirmation status of alice: true\nDiscoverable status of alice: true\nLocked status of alice: true\nModerator status of alice: true\n',
    )
    expect(r.stderr).toBe('Recorded in the moderation log as done by admin.\n')
    const first = [
      {actor: u('admin'), action: 'grant', subject: [u('alice')], permission: 'admin', message: '@admin made @alice admin'},
      {actor: u('admin'), action: 'grant', subject: [u('alice')], permission: 'moderator', message: '@admin made @alice moderator'},
      {actor: u('admin'), action: 'confirm_email', subject: [u('alice')], message: '@admin confirmed email for users: @alice'},
      {actor: u('admin'), action: 'approve', subject: [u('alice')], message: '@admin approved users: @alice'},
      {actor: u('admin'), action: 'updated_users', subject: [u('alice')], message: '@admin updated users: @alice'},
    ]
    expect(await data()).toEqual(first)
    expectLogTimes(await logRows(b), started)
    expect(await jobRows(b)).toEqual(reread('alice'))

    // Only what changes is logged: admin stays, moderator goes; unconfirming and unapproving have no entry.
    const r2 = await b.run(['user:set', 'alice', '--admin', '--no-moderator', '--no-confirmed', '--no-approved', '--json'], {env: {PLEROMA_ADMIN_ACTOR: 'mod'}})
    expect(r2.exitCode).toBe(0)
    expect(r2.json).toMatchObject({
      dryRun: false,
      nickname: 'alice',
      changed: true,
      admin: true,
      moderator: false,
      locked: true,
      confirmed: false,
      approved: false,
    })
    const second = [
      ...first,
      {actor: u('mod'), action: 'revoke', subject: [u('alice')], permission: 'moderator', message: '@mod revoked moderator role from @alice'},
    ]
    expect(await data()).toEqual(second)
    // Unapproving has no entry; unlocking is one "updated_users".
    const r4 = await b.run(['user:set', 'alice', '--no-approved', '--no-locked', '--actor', 'admin'])
    expect(r4.exitCode).toBe(0)
    expect(r4.stderr).toBe('Recorded in the moderation log as done by admin.\n')
    expect(await data()).toEqual([...second, {actor: u('admin'), action: 'updated_users', subject: [u('alice')], message: '@admin updated users: @alice'}])
    expect(await jobRows(b)).toEqual(reread('alice', 'alice', 'alice'))
    // Nothing changes: nothing logged, nothing queued.
    const r5 = await b.run(['user:set', 'alice', '--no-locked', '--actor', 'admin'])
    expect(r5.exitCode).toBe(0)
    expect(r5.stderr).toBe('')
    expect(await data()).toHaveLength(7)
    expect(await jobRows(b)).toHaveLength(b.name === 'pleroma' ? 3 : 0)
  })

  it("timestamps as Pleroma writes them: moderation_log in whole UTC seconds in microsecond columns, oban_jobs from the columns' UTC defaults", async () => {
    // Pleroma's migrations: moderation_log's timestamps() with migration_timestamps naive_datetime_usec (plain timestamp,
    // 6 digits); oban_jobs' inserted_at/scheduled_at utc_datetime_usec defaulting to timezone('UTC', now()) (docs/live-instance.md).
    const columns = await b.sql(
      `SELECT table_name, column_name, data_type, datetime_precision, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name IN ('moderation_log', 'oban_jobs') AND column_name IN ('inserted_at', 'updated_at', 'scheduled_at')
        ORDER BY table_name, column_name`,
    )
    const column = (table: string, name: string, def: string | null) => ({
      table_name: table,
      column_name: name,
      data_type: 'timestamp without time zone',
      datetime_precision: 6,
      is_nullable: 'NO',
      column_default: def,
    })
    expect(columns).toEqual([
      column('moderation_log', 'inserted_at', null),
      column('moderation_log', 'updated_at', null),
      column('oban_jobs', 'inserted_at', "timezone('UTC'::text, now())"),
      column('oban_jobs', 'scheduled_at', "timezone('UTC'::text, now())"),
    ])
    const started = Date.now()
    const r = await b.run(['user:set', 'alice', '--locked', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Locked status of alice: true\n')
    expect(r.stderr).toBe('Recorded in the moderation log as done by admin.\n')
    const log = await logRows(b)
    expect(log.map((l) => l.data)).toEqual([{actor: u('admin'), action: 'updated_users', subject: [u('alice')], message: '@admin updated users: @alice'}])
    // Whole seconds (the schema's timestamps() are :naive_datetime), UTC, inserted_at = updated_at.
    expectLogTimes(log, started)
    // The job's times are the columns' defaults: the transaction's UTC now() (microseconds), scheduled_at = inserted_at.
    expect(await jobRows(b)).toEqual(reread('alice'))
    if (b.name === 'pleroma') {
      const [t] = await b.sql<{log: string; job: string}>(
        `SELECT to_char(l.inserted_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS log, to_char(date_trunc('second', j.inserted_at), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS job
           FROM moderation_log l, oban_jobs j`,
      )
      expect(Math.abs(Date.parse(t.job) - Date.parse(t.log))).toBeLessThanOrEqual(2000)
    }
  })

  it('user:toggle-confirmed, user:confirm: "confirm_email"; becoming unconfirmed logs nothing', async () => {
    const r = await b.run(['user:toggle-confirmed', 'alice', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('alice needs confirmation.\n')
    expect(r.stderr).toBe('')
    const r2 = await b.run(['user:toggle-confirmed', 'alice', '--actor', 'admin'])
    expect(r2.stdout).toBe("alice doesn't need confirmation.\n")
    expect(r2.stderr).toBe('Recorded in the moderation log as done by admin.\n')
    await b.sql(`UPDATE users SET is_confirmed = false, confirmation_token = 'x' WHERE nickname = 'bob'`)
    const r3 = await b.run(['user:confirm', 'bob', '--actor', 'mod'])
    expect(r3.exitCode).toBe(0)
    expect(r3.stdout).toBe("bob doesn't need confirmation.\n")
    expect(r3.stderr).toBe('Recorded in the moderation log as done by mod.\n')
    expect(await data()).toEqual([
      {actor: u('admin'), action: 'confirm_email', subject: [u('alice')], message: '@admin confirmed email for users: @alice'},
      {actor: u('mod'), action: 'confirm_email', subject: [u('bob')], message: '@mod confirmed email for users: @bob'},
    ])
    expect(await jobRows(b)).toEqual(reread('alice', 'alice', 'bob'))
    expect(await b.sql(`SELECT nickname, is_confirmed FROM users WHERE nickname IN ('alice', 'bob') ORDER BY nickname`)).toEqual([
      {nickname: 'alice', is_confirmed: true},
      {nickname: 'bob', is_confirmed: true},
    ])
  })

  it('user:confirm-all: one "confirm_email" per batch naming the users it confirmed; unconfirm-all only re-reads', async () => {
    await b.sql(`UPDATE users SET is_confirmed = false, confirmation_token = 'x' WHERE nickname IN ('alice', 'bob', 'carol')`)
    const r = await b.run(['user:confirm-all', '-y', '--batch-size', '2', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toContain('Recorded in the moderation log as done by admin.\n')
    // Selected in id (seed) order: plain, alice | bob, carol; plain is confirmed already and not named.
    expect(await data()).toEqual([
      {actor: u('admin'), action: 'confirm_email', subject: [u('alice')], message: '@admin confirmed email for users: @alice'},
      {actor: u('admin'), action: 'confirm_email', subject: [u('bob'), u('carol')], message: '@admin confirmed email for users: @bob, @carol'},
    ])
    expect(await jobRows(b)).toEqual(reread('alice', 'bob', 'carol'))
    const before = await data()
    const r2 = await b.run(['user:unconfirm-all', '-y'], {env: {PLEROMA_ADMIN_ACTOR: 'admin'}})
    expect(r2.exitCode).toBe(0)
    expect(await data()).toEqual(before)
    expect(await jobRows(b)).toEqual(reread('alice', 'bob', 'carol', 'plain', 'alice', 'bob', 'carol'))
  })

  it('user:approve (one and --all): "approve"', async () => {
    await b.sql(`UPDATE users SET is_approved = false WHERE nickname IN ('alice', 'bob', 'carol')`)
    const r = await b.run(['user:approve', 'alice', '--actor', 'mod'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Approved alice.\n')
    expect(r.stderr).toBe('Recorded in the moderation log as done by mod.\n')
    const r2 = await b.run(['user:approve', '--all', '-y', '--actor', 'admin'])
    expect(r2.exitCode).toBe(0)
    const order = (await b.sql<{nickname: string}>(`SELECT nickname FROM users WHERE nickname IN ('bob', 'carol') ORDER BY id`)).map((x) => x.nickname)
    expect(await data()).toEqual([
      {actor: u('mod'), action: 'approve', subject: [u('alice')], message: '@mod approved users: @alice'},
      {actor: u('admin'), action: 'approve', subject: order.map(u), message: `@admin approved users: ${order.map((n) => `@${n}`).join(', ')}`},
    ])
    expect(await jobRows(b)).toEqual(reread('alice', ...order))
  })

  it('user:tag / user:untag: "tag"/"untag" with nicknames and tags; a remote user is logged but not re-read', async () => {
    const r = await b.run(['user:tag', 'alice', 'mrf_tag:Sandbox', 'x', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('Recorded in the moderation log as done by admin.\n')
    const r2 = await b.run(['user:tag', 'zed@remote.example', 'x', '--actor', 'admin'])
    expect(r2.exitCode).toBe(0)
    const r3 = await b.run(['user:untag', 'alice', 'x', '--actor', 'mod'])
    expect(r3.exitCode).toBe(0)
    // Nothing changes: no entry.
    const r4 = await b.run(['user:untag', 'alice', 'x', '--actor', 'mod'])
    expect(r4.exitCode).toBe(0)
    expect(r4.stderr).toBe('')
    expect(await data()).toEqual([
      {
        actor: u('admin'),
        action: 'tag',
        nicknames: ['alice'],
        tags: ['mrf_tag:sandbox', 'x'],
        message: '@admin added tags: mrf_tag:sandbox, x to users: @alice',
      },
      {actor: u('admin'), action: 'tag', nicknames: ['zed@remote.example'], tags: ['x'], message: '@admin added tags: x to users: @zed@remote.example'},
      {actor: u('mod'), action: 'untag', nicknames: ['alice'], tags: ['x'], message: '@mod removed tags: x from users: @alice'},
    ])
    expect(await jobRows(b)).toEqual(reread('alice', 'alice'))
  })

  it('user:new: "create" with subjects, and a "grant" per role', async () => {
    const r = await b.run(['user:new', 'dave', 'dave@example.com', '--admin', '-y', '--password-stdin', '--actor', 'admin'], {stdin: 'secret-pass\n'})
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toContain('Recorded in the moderation log as done by admin.\n')
    const [dave] = await b.sql<{id: string}>(`SELECT id FROM users WHERE nickname = 'dave'`)
    const d = {id: flakeIdToString(dave.id), nickname: 'dave', type: 'user'}
    expect(await data()).toEqual([
      {actor: u('admin'), action: 'create', subjects: [d], message: '@admin created users: @dave'},
      {actor: u('admin'), action: 'grant', subject: [d], permission: 'admin', message: '@admin made @dave admin'},
    ])
    expect(await jobRows(b)).toEqual([])
  })

  it('user:change-email: "updated_users"', async () => {
    const r = await b.run(['user:change-email', 'alice', 'alice@new.example', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("alice's email updated\n")
    expect(r.stderr).toContain('Recorded in the moderation log as done by admin.\n')
    expect(await data()).toEqual([{actor: u('admin'), action: 'updated_users', subject: [u('alice')], message: '@admin updated users: @alice'}])
    expect(await jobRows(b)).toEqual(reread('alice'))
  })

  it('user:rm: "delete"; user:unsubscribe: "deactivate" with the sign-out and user_activation', async () => {
    await seedSessions(b, {tokens: [[ids.bob, 'bob-token']], authorizations: []})
    const r = await b.run(['user:rm', 'alice', '-y', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toContain('Recorded in the moderation log as done by admin.\n')
    const r2 = await b.run(['user:unsubscribe', 'bob', '-y', '--actor', 'mod'])
    expect(r2.exitCode).toBe(0)
    expect(r2.stderr).toContain('Recorded in the moderation log as done by mod.\n')
    expect(await data()).toEqual([
      {actor: u('admin'), action: 'delete', subject: [u('alice')], message: '@admin deleted users: @alice'},
      {actor: u('mod'), action: 'deactivate', subject: [u('bob')], message: '@mod deactivated users: @bob'},
    ])
    expect(await b.sql(`SELECT count(*)::int AS n FROM oauth_tokens`)).toEqual([{n: 0}])
    expect((await jobRows(b)).filter((j) => j.queue === 'background')).toEqual(
      expectedJobs(b, [backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids.bob), status: false})]),
    )
  })

  it('user:rm --grace, user:restore, user:rm --due, user:prune: "deactivate", "activate", "delete" in full', async () => {
    await b.sql(`UPDATE users SET last_active_at = '2020-01-02 00:00:00' WHERE nickname IN ('carol', 'zed@remote.example')`)
    await b.sql(`UPDATE users SET last_active_at = timezone('UTC', now()) WHERE nickname NOT IN ('carol', 'zed@remote.example')`)
    const grace = await b.run(['user:rm', 'alice', '--grace', '7d', '--actor', 'admin', '-y'])
    expect(grace.exitCode).toBe(0)
    expect(grace.stderr).toContain('Recorded in the moderation log as done by admin.\n')
    const restore = await b.run(['user:restore', 'alice', '--actor', 'mod', '-y'])
    expect(restore.exitCode).toBe(0)
    expect(restore.stderr).toContain('Recorded in the moderation log as done by mod.\n')
    expect((await b.run(['user:rm', 'bob', '--grace', '7d', '--actor', 'mod', '-y'])).exitCode).toBe(0)
    await b.sql(`UPDATE users SET tags = ARRAY['pleroma-admin:delete-after:2020-01-01T00:00:00Z']::varchar[] WHERE nickname = 'bob'`)
    const due = await b.run(['user:rm', '--due', '--actor', 'admin', '-y', '--json'])
    expect(due.exitCode).toBe(0)
    const removed = await b.run(['user:prune', '--inactive-for', '30d', '--actor', 'admin', '-y', '--json'])
    expect(removed.exitCode).toBe(0)
    expect(removed.json).toMatchObject({selected: 1, purged: 1})
    await b.sql(`UPDATE users SET last_active_at = '2020-01-02 00:00:00' WHERE nickname = 'plain'`)
    const deact = await b.run(['user:prune', '--inactive-for', '30d', '--deactivate', '--actor', 'mod', '-y', '--json'])
    expect(deact.exitCode).toBe(0)
    expect(deact.json).toMatchObject({selected: 1, deactivated: 1})
    expect(await data()).toEqual([
      {actor: u('admin'), action: 'deactivate', subject: [u('alice')], message: '@admin deactivated users: @alice'},
      {actor: u('mod'), action: 'activate', subject: [u('alice')], message: '@mod activated users: @alice'},
      {actor: u('mod'), action: 'deactivate', subject: [u('bob')], message: '@mod deactivated users: @bob'},
      {actor: u('admin'), action: 'delete', subject: [u('bob')], message: '@admin deleted users: @bob'},
      {actor: u('admin'), action: 'delete', subject: [u('carol')], message: '@admin deleted users: @carol'},
      {actor: u('mod'), action: 'deactivate', subject: [u('plain')], message: '@mod deactivated users: @plain'},
    ])
    // alice restored; bob and carol purged (their tokens and follows gone); plain deactivated.
    expect(await b.sql(`SELECT nickname, is_active FROM users WHERE nickname IN ('alice', 'bob', 'carol', 'plain') ORDER BY nickname`)).toEqual([
      {nickname: 'alice', is_active: true},
      {nickname: 'bob', is_active: false},
      {nickname: 'carol', is_active: false},
      {nickname: 'plain', is_active: false},
    ])
    expect(await b.sql(`SELECT nickname FROM users WHERE nickname IN ('bob', 'carol') AND name IS NULL AND tags = '{}' ORDER BY 1`)).toEqual([
      {nickname: 'bob'},
      {nickname: 'carol'},
    ])
  })

  // The writing commands with no moderation_log action of their own (docs/live-instance.md "Not logged"): no --actor, and
  // PLEROMA_ADMIN_ACTOR is not read (an unknown actor there would be exit 3).
  const unlogged: string[][] = [
    ['user:delete-activities', 'alice', '-y'],
    ['user:fix-follow-state', 'alice', 'zed@remote.example'],
    ['user:invite'],
    ['user:revoke-invite', 'INVITE'],
    ['user:reset-password', 'alice'],
    ['user:reset-mfa', 'alice'],
    ['user:sign-out', 'alice', '-y'],
    ['user:unconfirm-all', '-y'],
  ]
  it('the writing commands Pleroma logs nothing for refuse --actor (exit 2, nothing written) and ignore PLEROMA_ADMIN_ACTOR', async () => {
    await seedSessions(b, {tokens: [[ids.alice, 'alice-token']], authorizations: []})
    const invite = await b.run(['user:invite', '--json'])
    expect(invite.exitCode).toBe(0)
    const token = (invite.json as {token: string}).token
    const args = unlogged.map((a) => a.map((x) => (x === 'INVITE' ? token : x)))
    const before = await dumpTables(b, TABLES)
    for (const a of args) {
      const r = await b.run([...a, '--actor', 'admin'])
      expect([a[0], r.exitCode, r.stdout]).toEqual([a[0], 2, ''])
      expect(r.stderr).toBe('Nonexistent flag: --actor\nSee more help with --help\n')
    }
    expect(await dumpTables(b, TABLES)).toEqual(before)
    for (const a of args) {
      const r = await b.run(a, {env: {PLEROMA_ADMIN_ACTOR: 'nobody'}})
      // (fix-follow-state finds nothing to fix here: its own refusal, not the actor's.)
      const refusal =
        'Error: No follow data for alice and zed@remote.example.\nHint: alice has no Follow activity (with a state) for zed@remote.example: nothing to fix.\n'
      const stderr: Record<string, unknown> = {
        'user:fix-follow-state': refusal,
        'user:reset-mfa': 'It was already disabled (settings unchanged); 0 pending MFA sign-in tokens deleted.\n',
        'user:unconfirm-all': expect.stringMatching(
          /^(|Done: \d users need confirmation\. user:confirm NICK confirms one again, user:confirm-all all of them\.\n)$/,
        ),
      }
      expect([a[0], r.exitCode, r.stderr]).toEqual([a[0], a[0] === 'user:fix-follow-state' ? 4 : 0, stderr[a[0]] ?? ''])
      expect(r.stderr).not.toContain('moderation log')
    }
    expect(await logRows(b)).toEqual([])
  })

  const onServer = b.name === 'pleroma' ? it : it.skip
  onServer("on Akkoma's layout: the same entries; user_activation with Akkoma's max_attempts 1; no re-read job (Akkoma has none)", async () => {
    await akkomaLayout(b)
    try {
      await seedSessions(b, {tokens: [[ids.alice, 'alice-token']], authorizations: []})
      const r = await b.run(['user:deactivate', 'alice', '-y', '--actor', 'admin'])
      expect(r.exitCode).toBe(0)
      expect(r.stderr).toBe('Recorded in the moderation log as done by admin.\n')
      const r2 = await b.run(['user:set', 'bob', '--moderator', '--locked', '--actor', 'admin'])
      expect(r2.exitCode).toBe(0)
      const r3 = await b.run(['user:tag', 'bob', 'x', '--actor', 'mod'])
      expect(r3.exitCode).toBe(0)
      const r4 = await b.run(['user:activate', 'alice', '--actor', 'mod'])
      expect(r4.exitCode).toBe(0)
      expect(await data()).toEqual([
        {actor: u('admin'), action: 'deactivate', subject: [u('alice')], message: '@admin deactivated users: @alice'},
        {actor: u('admin'), action: 'grant', subject: [u('bob')], permission: 'moderator', message: '@admin made @bob moderator'},
        {actor: u('admin'), action: 'updated_users', subject: [u('bob')], message: '@admin updated users: @bob'},
        {actor: u('mod'), action: 'tag', nicknames: ['bob'], tags: ['x'], message: '@mod added tags: x to users: @bob'},
        {actor: u('mod'), action: 'activate', subject: [u('alice')], message: '@mod activated users: @alice'},
      ])
      // Akkoma's WorkerHelper: max_attempts 1 for the background queue (no retries configured for it).
      expect(await jobRows(b)).toEqual([
        backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids.alice), status: false}, 1),
        backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids.alice), status: true}, 1),
      ])
      expect(await b.sql(`SELECT count(*)::int AS n FROM oauth_tokens WHERE user_id = $1`, [ids.alice])).toEqual([{n: 0}])
    } finally {
      await undoAkkomaLayout(b)
    }
  })

  it('user:reset-mfa: the re-read job, no entry (the admin API logs none)', async () => {
    await b.sql(
      `UPDATE users SET multi_factor_authentication_settings = '{"enabled": true, "totp": {"secret": "S", "confirmed": true}}' WHERE nickname = 'alice'`,
    )
    const r = await b.run(['user:reset-mfa', 'alice'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('Multi-Factor Authentication disabled for alice\n')
    expect(await data()).toEqual([])
    expect(await jobRows(b)).toEqual(reread('alice'))
    // Already disabled: nothing to re-read.
    const again = await b.run(['user:reset-mfa', 'alice'])
    expect(again.exitCode).toBe(0)
    expect(await jobRows(b)).toEqual(reread('alice'))
  })

  const dry: Array<[string, string[], string?]> = [
    ['user:set', ['user:set', 'alice', '--admin']],
    ['user:toggle-confirmed', ['user:toggle-confirmed', 'alice']],
    ['user:tag', ['user:tag', 'alice', 'x']],
    ['user:untag', ['user:untag', 'alice', 'x']],
    ['user:change-email', ['user:change-email', 'alice', 'a@new.example']],
    ['user:rm', ['user:rm', 'alice', '-y']],
    ['user:unsubscribe', ['user:unsubscribe', 'alice', '-y']],
    ['user:new', ['user:new', 'dave', 'dave@example.com', '-y']],
    ['user:confirm-all', ['user:confirm-all', '-y']],
  ]
  for (const [name, args] of dry) {
    it(`${name} --dry-run --actor writes nothing`, async () => {
      await b.sql(`UPDATE users SET tags = '{x}', is_confirmed = false, confirmation_token = 't' WHERE nickname = 'alice'`)
      const before = await dumpTables(b, TABLES)
      const r = await b.run([...args, '--dry-run', '--actor', 'admin'])
      expect(r.exitCode).toBe(0)
      expect(r.stderr).toContain('Dry run: nothing was written.')
      expect(await dumpTables(b, TABLES)).toEqual(before)
    })
  }

  const refused: Array<[string[], string, number]> = [
    [['user:set', 'alice', '--admin'], 'plain', 4],
    [['user:set', 'alice', '--admin'], 'nobody', 3],
    [['user:toggle-confirmed', 'alice'], 'plain', 4],
    [['user:confirm', 'alice'], 'nobody', 3],
    [['user:confirm-all', '-y'], 'plain', 4],
    [['user:approve', '--all', '-y'], 'nobody', 3],
    [['user:tag', 'alice', 'x'], 'plain', 4],
    [['user:untag', 'alice', 'x'], 'nobody', 3],
    [['user:new', 'dave', 'dave@example.com', '-y'], 'plain', 4],
    [['user:change-email', 'alice', 'a@new.example'], 'nobody', 3],
    [['user:rm', 'alice', '-y'], 'plain', 4],
    [['user:unsubscribe', 'alice', '-y'], 'nobody', 3],
  ]
  for (const [args, actor, code] of refused) {
    it(`${args[0]} refuses --actor ${actor} (exit ${code}) with nothing written`, async () => {
      await b.sql(`UPDATE users SET tags = '{x}', is_confirmed = false, is_approved = false, confirmation_token = 't' WHERE nickname = 'alice'`)
      const before = await dumpTables(b, TABLES)
      const r = await b.run([...args, '--actor', actor])
      expect(r.exitCode).toBe(code)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(code === 3 ? /^Error: No user nobody \(--actor\)/ : /^Error: plain \(--actor\) is neither an admin nor a moderator\./)
      expect(await dumpTables(b, TABLES)).toEqual(before)
    })
  }
})
