/**
 * user:toggle-activated on a live instance: the moderation log entry of
 * --actor / PLEROMA_ADMIN_ACTOR, the sign-out on deactivation, and the
 * server's user_activation job (Pleroma-owned databases only).
 */
import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {seedSessions, SESSION_TABLES} from '../helpers/sessions'
import {backgroundJob, expectedJobs, expectLogTimes, jobRows, LIVE_TABLES, logRows, logUser, seedStaff} from '../helpers/live'
import {flakeIdToString} from '../../src/db/flake-id'

const TABLES = [...new Set([...USER_TABLES, ...SESSION_TABLES, ...LIVE_TABLES])]

describeBackends('user:toggle-activated live', (b) => {
  let ids: Record<string, string>
  beforeEach(async () => {
    ids = await seedStaff(b, [{nickname: 'alice'}, {nickname: 'bob'}])
    await seedSessions(b, {
      tokens: [
        [ids.alice, 'alice-token-1'],
        [ids.alice, 'alice-token-2'],
        [ids.bob, 'bob-token'],
      ],
      authorizations: [[ids.alice, 'alice-auth']],
    })
  })

  it('--actor: deactivates, signs the account out, logs "deactivate" and queues user_activation; activating logs "activate"', async () => {
    const started = Date.now()
    const r = await b.run(['user:toggle-activated', 'alice', '-y', '--actor', 'admin'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active) will be deactivated; 0 follows of local accounts will be removed; the counters of 0 local followers will be recomputed; ' +
        'it will be signed out (2 OAuth tokens deleted).\n' +
        'Activation status of alice: deactivated\n',
    )
    expect(r.stderr).toBe('Recorded in the moderation log as done by admin.\n')
    expect(await b.sql(`SELECT nickname, is_active FROM users WHERE nickname IN ('alice', 'bob') ORDER BY nickname`)).toEqual([
      {nickname: 'alice', is_active: false},
      {nickname: 'bob', is_active: true},
    ])
    // Signed out: alice's tokens and authorizations are gone, bob's token stays.
    expect(await b.sql(`SELECT token FROM oauth_tokens ORDER BY id`)).toEqual([{token: 'bob-token'}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM oauth_authorizations`)).toEqual([{n: 0}])
    const log = await logRows(b)
    expect(log.map((l) => l.data)).toEqual([
      {actor: logUser(ids, 'admin'), action: 'deactivate', subject: [logUser(ids, 'alice')], message: '@admin deactivated users: @alice'},
    ])
    expectLogTimes(log, started)
    expect(await jobRows(b)).toEqual(expectedJobs(b, [backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids.alice), status: false})]))

    const again = await b.run(['user:toggle-activated', 'alice', '-y', '--actor', 'mod', '--json'])
    expect(again.exitCode).toBe(0)
    expect(again.json).toEqual({
      nickname: 'alice',
      active: true,
      followsRemoved: 0,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: true,
      dryRun: false,
    })
    expect((await logRows(b)).map((l) => l.data)).toEqual([
      log[0].data,
      {actor: logUser(ids, 'mod'), action: 'activate', subject: [logUser(ids, 'alice')], message: '@mod activated users: @alice'},
    ])
    expect(await jobRows(b)).toEqual(
      expectedJobs(b, [
        backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids.alice), status: false}),
        backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids.alice), status: true}),
      ]),
    )
  })

  it('PLEROMA_ADMIN_ACTOR logs like --actor; the flag wins over it; without either nothing is logged', async () => {
    const r = await b.run(['user:toggle-activated', 'alice', '-y', '--json'], {env: {PLEROMA_ADMIN_ACTOR: 'mod'}})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({active: false, tokensDeleted: 2, moderationLogged: true})
    const r2 = await b.run(['user:toggle-activated', 'bob', '-y', '--actor', 'admin'], {env: {PLEROMA_ADMIN_ACTOR: 'mod'}})
    expect(r2.exitCode).toBe(0)
    const r3 = await b.run(['user:toggle-activated', 'bob', '-y', '--json'])
    expect(r3.json).toMatchObject({active: true, moderationLogged: false})
    expect((await logRows(b)).map((l) => l.data)).toEqual([
      {actor: logUser(ids, 'mod'), action: 'deactivate', subject: [logUser(ids, 'alice')], message: '@mod deactivated users: @alice'},
      {actor: logUser(ids, 'admin'), action: 'deactivate', subject: [logUser(ids, 'bob')], message: '@admin deactivated users: @bob'},
    ])
    expect((await jobRows(b)).map((j) => j.args.status)).toEqual(expectedJobs(b, [false, false, true] as never[]))
  })

  it('--dry-run: the would-be effects in --json, nothing written', async () => {
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:toggle-activated', 'alice', '--dry-run', '--actor', 'admin', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'alice',
      active: false,
      followsRemoved: 0,
      tokensDeleted: 2,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: true,
      dryRun: true,
    })
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  const refusals: Array<[string, string[], Record<string, string>, number, RegExp]> = [
    ['an unknown actor (exit 3)', ['--actor', 'nobody'], {}, 3, /^Error: No user nobody \(--actor\)/],
    ['a plain user (exit 4)', ['--actor', 'plain'], {}, 4, /^Error: plain \(--actor\) is neither an admin nor a moderator\./],
    ['a deactivated admin (exit 4)', ['--actor', 'oldadmin'], {}, 4, /^Error: oldadmin \(--actor\) is deactivated\./],
    ['a remote admin (exit 4)', ['--actor', 'boss@remote.example'], {}, 4, /^Error: boss@remote.example \(--actor\) is a remote user\./],
    ['an unknown PLEROMA_ADMIN_ACTOR (exit 3)', [], {PLEROMA_ADMIN_ACTOR: 'ghost'}, 3, /^Error: No user ghost \(PLEROMA_ADMIN_ACTOR\)/],
    ['an empty --actor (exit 2)', ['--actor', ''], {}, 2, /^Error: --actor is empty\./],
  ]
  for (const [what, args, env, code, message] of refusals) {
    it(`refuses ${what} before anything is written`, async () => {
      const before = await dumpTables(b, TABLES)
      const r = await b.run(['user:toggle-activated', 'alice', '-y', ...args], {env})
      expect(r.exitCode).toBe(code)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(message)
      expectErrorLines(r.stderr)
      expect(await dumpTables(b, TABLES)).toEqual(before)
    })
  }

  it('refuses --actor under --json with the error document', async () => {
    const r = await b.run(['user:toggle-activated', 'alice', '-y', '--actor', 'plain', '--json'])
    expect(r.exitCode).toBe(4)
    expect(r.json).toEqual({
      error: {
        code: 'refused',
        exitCode: 4,
        message: 'plain (--actor) is neither an admin nor a moderator.',
        hint: '--actor names the local admin or moderator the moderation log records the change for.',
      },
    })
  })
})

describeBackends('user:activate, user:deactivate and the instance commands live', (b) => {
  let ids: Record<string, string>
  const job = (nick: string, status: boolean) => backgroundJob({op: 'user_activation', user_id: flakeIdToString(ids[nick]), status})
  beforeEach(async () => {
    ids = await seedStaff(b, [
      {nickname: 'alice'},
      {nickname: 'x1@dead.example', local: false},
      {nickname: 'x2@dead.example', local: false},
      {nickname: 'x3@dead.example', local: false, active: false},
      {nickname: 'y@alive.example', local: false},
    ])
    await seedSessions(b, {
      tokens: [
        [ids.alice, 'alice-token'],
        [ids.admin, 'admin-token'],
      ],
      authorizations: [[ids.alice, 'alice-auth']],
    })
  })

  it('user:deactivate --actor signs out, logs "deactivate", queues user_activation; user:activate logs "activate"', async () => {
    const started = Date.now()
    const r = await b.run(['user:deactivate', 'alice', '-y', '--actor', 'admin', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'alice',
      local: true,
      active: false,
      followsRemoved: 0,
      tokensDeleted: 1,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: true,
      dryRun: false,
    })
    expect(await b.sql(`SELECT token FROM oauth_tokens ORDER BY id`)).toEqual([{token: 'admin-token'}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM oauth_authorizations`)).toEqual([{n: 0}])
    const a = await b.run(['user:activate', 'alice', '--actor', 'mod'])
    expect(a.exitCode).toBe(0)
    expect(a.stdout).toContain('Successfully activated alice\n')
    expect(a.stderr).toBe('Recorded in the moderation log as done by mod.\n')
    const log = await logRows(b)
    expect(log.map((l) => l.data)).toEqual([
      {actor: logUser(ids, 'admin'), action: 'deactivate', subject: [logUser(ids, 'alice')], message: '@admin deactivated users: @alice'},
      {actor: logUser(ids, 'mod'), action: 'activate', subject: [logUser(ids, 'alice')], message: '@mod activated users: @alice'},
    ])
    expectLogTimes(log, started)
    expect(await jobRows(b)).toEqual(expectedJobs(b, [job('alice', false), job('alice', true)]))
  })

  it('user:deactivate refused ("already deactivated") logs nothing and queues nothing', async () => {
    await b.sql(`UPDATE users SET is_active = false WHERE nickname = 'alice'`)
    const before = await dumpTables(b, TABLES)
    const r = await b.run(['user:deactivate', 'alice', '-y', '--actor', 'admin'])
    expect(r.exitCode).toBe(4)
    expect(await dumpTables(b, TABLES)).toEqual(before)
  })

  it('user:deactivate-all-from-instance --actor: one "deactivate" entry per batch naming the users it deactivated, a job per user', async () => {
    const r = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', '2', '--json'], {env: {PLEROMA_ADMIN_ACTOR: 'admin'}})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({users: 3, deactivated: 2, tokensDeleted: 0, refreshJobsQueued: b.name === 'pleroma' ? 2 : 0, moderationLogged: true})
    // Users in id order: x1, x2 in the first batch, x3 (already inactive) alone in the second: no entry for it.
    expect((await logRows(b)).map((l) => l.data)).toEqual([
      {
        actor: logUser(ids, 'admin'),
        action: 'deactivate',
        subject: [logUser(ids, 'x1@dead.example'), logUser(ids, 'x2@dead.example')],
        message: '@admin deactivated users: @x1@dead.example, @x2@dead.example',
      },
    ])
    expect(await jobRows(b)).toEqual(expectedJobs(b, [job('x1@dead.example', false), job('x2@dead.example', false)]))
  })

  it('user:unsubscribe-all-from-instance --actor: entries per batch, jobs per deactivated user; --dry-run writes nothing', async () => {
    const before = await dumpTables(b, TABLES)
    const dry = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '--dry-run', '--actor', 'mod', '--json'])
    expect(dry.json).toMatchObject({deactivated: 2, tokensDeleted: 0, refreshJobsQueued: b.name === 'pleroma' ? 2 : 0, moderationLogged: true, dryRun: true})
    expect(await dumpTables(b, TABLES)).toEqual(before)
    const r = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1', '--actor', 'mod', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({deactivated: 2, refreshJobsQueued: b.name === 'pleroma' ? 2 : 0, moderationLogged: true})
    expect((await logRows(b)).map((l) => l.data)).toEqual(
      ['x1@dead.example', 'x2@dead.example'].map((n) => ({
        actor: logUser(ids, 'mod'),
        action: 'deactivate',
        subject: [logUser(ids, n)],
        message: `@mod deactivated users: @${n}`,
      })),
    )
    expect(await jobRows(b)).toEqual(expectedJobs(b, [job('x1@dead.example', false), job('x2@dead.example', false)]))
  })
})
