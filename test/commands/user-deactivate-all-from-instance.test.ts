import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {
  changes,
  clearFollowGraph,
  expectCountersConsistent,
  expectSurvivingFollowsUntouched,
  expectUpdatedAtBumpedWhereChanged,
  followRows,
  followsWithout,
  seedFollowGraph,
  setActivationRemoves,
  snapshotUsers,
  T0,
} from '../helpers/follow-graph'

const SUMMARY =
  'dead.example: 3 users (2 active, 1 already inactive); 3 follows of local accounts will be removed; the counters of 4 local followers will be lowered.\n'
const ZED = 'Successfully deactivated zed@dead.example and unsubscribed all local followers\n'
const YAN = 'Successfully deactivated Yan@DEAD.Example and unsubscribed all local followers\n'
const XIN = 'User xin@dead.example already deactivated\n'

/** The end state of every user and relationship, with updated_at reduced to "bumped or not". */
async function endState(b: Backend): Promise<unknown> {
  const users = await snapshotUsers(b)
  const reduced = Object.fromEntries(
    Object.entries(users).map(([k, u]) => [k, {active: u.active, followers: u.followers, following: u.following, bumped: u.updatedAt !== T0}]),
  )
  return {users: reduced, follows: await followRows(b)}
}

describeBackends('user:deactivate-all-from-instance', (b) => {
  beforeEach(async () => {
    await seedFollowGraph(b)
  })

  it('deactivates the active users of exactly that host as set_activation(user, false) does for each, printing Pleroma’s line per user', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(SUMMARY + ZED + YAN + XIN)
    expect(r.stderr).toBe('Done: 2 users of dead.example deactivated (1 already inactive), 3 follows of local accounts removed.\n')
    // Pleroma's deactivate for zed and Yan (xin is inactive: left alone): zed -> alice, Yan -> alice, Yan -> carol.
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('zed', 'yan')))
    expect(await followRows(b)).toEqual(
      followsWithout((from, to) => (from === 'zed' && to === 'alice') || (from === 'yan' && (to === 'alice' || to === 'carol'))),
    )
    await expectSurvivingFollowsUntouched(b)
    const after = await snapshotUsers(b)
    // Pleroma's ILIKE '%@dead.example%' would also take quinn@dead.example.org and wes@dead.example:8443: they stay active.
    expect(changes(before, after)).toEqual({
      zed: {active: false},
      yan: {active: false},
      alice: {followers: 4, following: 2},
      bob: {following: 1},
      carol: {followers: 2},
      dave: {followers: 1, following: 1},
      'internal.fetch': {followers: 0, following: 1},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it('ends where user:deactivate of each user ends', async () => {
    for (const nick of ['zed@dead.example', 'Yan@DEAD.Example']) expect((await b.run(['user:deactivate', nick, '-y'])).exitCode).toBe(0)
    const expected = await endState(b)
    await clearFollowGraph(b)
    await seedFollowGraph(b)
    const r = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', '2'])
    expect(r.exitCode).toBe(0)
    expect(await endState(b)).toEqual(expected)
  })

  it('--json: counts of users, deactivated users, removed follows and batches; the host argument is case-insensitive', async () => {
    const r = await b.run(['user:deactivate-all-from-instance', 'DEAD.Example', '--yes', '--json', '--batch-size', '2'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({
      instance: 'DEAD.Example',
      users: 3,
      deactivated: 2,
      followsRemoved: 3,
      batches: 2,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 2 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('zed', 'yan')))
    await expectCountersConsistent(b)
  })

  it('a port is part of the host; Pleroma’s spelling user:deactivate_all_from_instance works', async () => {
    const r = await b.run(['user:deactivate_all_from_instance', 'dead.example:8443', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'dead.example:8443: 1 user (1 active); 1 follow of local accounts will be removed; the counters of 1 local follower will be lowered.\n' +
        'Successfully deactivated wes@dead.example:8443 and unsubscribed all local followers\n',
    )
    expect(r.stderr).toBe('Done: 1 user of dead.example:8443 deactivated, 1 follow of local accounts removed.\n')
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('wes')))
    expect((await snapshotUsers(b)).wes.active).toBe(false)
    await expectCountersConsistent(b)
  })

  it('counters move by exactly the follows of the users deactivated: an error in them stays as it was, never below zero', async () => {
    const right = await snapshotUsers(b)
    // alice has wrong cached counters; bob's and carol's are too low for what the run takes off (never below zero).
    await b.sql(`UPDATE users SET follower_count = 99, following_count = 42 WHERE nickname = 'alice'`)
    await b.sql(`UPDATE users SET follower_count = 0 WHERE nickname = 'carol'`)
    await b.sql(`UPDATE users SET following_count = 0 WHERE nickname = 'bob'`)
    const r = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', '1', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 2,
      followsRemoved: 3,
      batches: 3,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 2 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    const after = await snapshotUsers(b)
    // What a recount gives after the run: alice 4 followers and 2 follows, bob 1 follow, carol 2 followers.
    expect([right.alice.followers - 4, right.alice.following - 2, right.bob.following - 1, right.carol.followers - 2]).toEqual([2, 1, 1, 1])
    expect([after.alice.followers, after.alice.following, after.bob.following, after.carol.followers]).toEqual([99 - 2, 42 - 1, 0, 0])
    // The run touched no other counter: with those four put right, every counter matches the rows.
    await b.sql(`UPDATE users SET follower_count = 4, following_count = 2 WHERE nickname = 'alice'`)
    await b.sql(`UPDATE users SET follower_count = 2 WHERE nickname = 'carol'`)
    await b.sql(`UPDATE users SET following_count = 1 WHERE nickname = 'bob'`)
    await expectCountersConsistent(b)
  })

  it('an interrupted run leaves whole batches, and a re-run ends where an uninterrupted run ends', async () => {
    const full = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', '1', '--json'])
    expect(full.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 2,
      followsRemoved: 3,
      batches: 3,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 2 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    const expected = await endState(b)

    await clearFollowGraph(b)
    await seedFollowGraph(b)
    // The second batch (Yan) fails when it deactivates its user.
    await b.sql(`CREATE FUNCTION test_crash_on_yan() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF OLD.nickname = 'Yan@DEAD.Example' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$`)
    await b.sql(`CREATE TRIGGER test_crash_on_yan BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION test_crash_on_yan()`)
    const crashed = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', '1'])
    expect(crashed.exitCode).toBe(1)
    expect(crashed.stdout).toBe(SUMMARY + ZED)
    expect(crashed.stderr).toMatch(/^Error: simulated crash\.\n/)
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('zed')))
    const mid = await snapshotUsers(b)
    expect([mid.zed.active, mid.yan.active, mid.xin.active]).toEqual([false, true, false])
    await expectCountersConsistent(b)

    await b.sql(`DROP TRIGGER test_crash_on_yan ON users`)
    await b.sql(`DROP FUNCTION test_crash_on_yan()`)
    const rerun = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', '1'])
    expect(rerun.exitCode).toBe(0)
    expect(rerun.stdout).toBe(
      'dead.example: 3 users (1 active, 2 already inactive); 2 follows of local accounts will be removed; the counters of 0 local followers will be lowered.\n' +
        'User zed@dead.example already deactivated\n' +
        YAN +
        XIN,
    )
    expect(rerun.stderr).toBe('Done: 1 user of dead.example deactivated (2 already inactive), 2 follows of local accounts removed.\n')
    expect(await endState(b)).toEqual(expected)
    await expectCountersConsistent(b)

    // Once more: nothing left to do, nothing changes.
    const dump = await dumpTables(b, USER_TABLES)
    const third = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--json'])
    expect(third.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 0,
      followsRemoved: 0,
      batches: 1,
      tokensDeleted: 0,
      refreshJobsQueued: 0,
      moderationLogged: false,
      dryRun: false,
    })
    expect(await dumpTables(b, USER_TABLES)).toEqual(dump)
  })

  it('% and _ are ordinary characters (Pleroma’s ILIKE takes them as wildcards)', async () => {
    await b.sql(`INSERT INTO users (id, nickname, bio, ap_id, local, inserted_at, updated_at) VALUES
      ('00000000-0000-4000-8000-100000000001', 'u1@deadxexample', '', 'https://deadxexample/users/u1', false, '${T0}', '${T0}'),
      ('00000000-0000-4000-8000-100000000002', 'u2@dead_example', '', 'https://dead_example/users/u2', false, '${T0}', '${T0}')`)
    const r = await b.run(['user:deactivate-all-from-instance', 'dead_example', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'dead_example: 1 user (1 active); 0 follows of local accounts will be removed; the counters of 0 local followers will be lowered.\n' +
        'Successfully deactivated u2@dead_example and unsubscribed all local followers\n',
    )
    expect(await b.sql(`SELECT nickname::text, is_active FROM users WHERE id::text LIKE '00000000-0000-4000-8000-1%' ORDER BY id`)).toEqual([
      {nickname: 'u1@deadxexample', is_active: true},
      {nickname: 'u2@dead_example', is_active: false},
    ])
  })

  it('nothing matches: "No users of INSTANCE found." on stderr, exit 0, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const host of ['nowhere.example', 'example', 'dead', 'pleroma.example']) {
      const r = await b.run(['user:deactivate-all-from-instance', host, '-y'])
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(`No users of ${host} found.\n`)
    }
    const j = await b.run(['user:deactivate-all-from-instance', 'nowhere.example', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json).toEqual({
      instance: 'nowhere.example',
      users: 0,
      deactivated: 0,
      followsRemoved: 0,
      batches: 0,
      tokensDeleted: 0,
      refreshJobsQueued: 0,
      moderationLogged: false,
      dryRun: false,
    })
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('refuses what is not a bare host (exit 4, one line, with the bare host as hint); bad flags are usage errors; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const cases: Array<[string, RegExp]> = [
      [
        'https://dead.example/',
        /^Error: "https:\/\/dead\.example\/" is a URL, not an instance host\.\nHint: Give the bare host: pleroma-admin user:deactivate-all-from-instance dead\.example\n$/,
      ],
      ['zed@dead.example', /^Error: "zed@dead\.example" is not an instance host \(it contains @\)\./],
      ['dead%', /^Error: "dead%" is not a valid instance host\./],
      ['', /^Error: The instance is empty\./],
    ]
    for (const [arg, message] of cases) {
      const r = await b.run(['user:deactivate-all-from-instance', '-y', '--', arg])
      expect(r.exitCode).toBe(4)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(message)
      expectErrorLines(r.stderr)
      const j = await b.run(['user:deactivate-all-from-instance', '-y', '--json', '--', arg])
      expect(j.exitCode).toBe(4)
      expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
    }
    const zero = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', '0'])
    expect(zero.exitCode).toBe(2)
    expect(zero.stderr).toContain('greater than or equal to 1')
    const word = await b.run(['user:deactivate-all-from-instance', 'dead.example', '-y', '--batch-size', 'ten'])
    expect(word.exitCode).toBe(2)
    const missing = await b.run(['user:deactivate-all-from-instance', '-y'])
    expect(missing.exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run shows the summary and the JSON shape, and writes nothing; without a terminal and -y it refuses (exit 1)', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:deactivate-all-from-instance', 'dead.example', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(SUMMARY)
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:deactivate-all-from-instance', 'dead.example', '--dry-run', '--json', '--batch-size', '2'])
    expect(j.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 2,
      followsRemoved: 3,
      batches: 2,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 2 : 0,
      moderationLogged: false,
      dryRun: true,
    })
    const asked = await b.run(['user:deactivate-all-from-instance', 'dead.example'])
    expect(asked.exitCode).toBe(1)
    expect(asked.stdout).toBe(SUMMARY)
    expect(asked.stderr).toBe(
      'Error: No user of dead.example was changed. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n',
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})
