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
  graphId,
  seedFollowGraph,
  snapshotUsers,
  T0,
} from '../helpers/follow-graph'

const DEAD = ['zed', 'yan', 'xin']

const SUMMARY = 'dead.example: 3 users (2 active), 12 follows from them, 5 local users follow them\n'
const ZED_LINES =
  'Deactivating zed@dead.example\n' +
  'Unsubscribing alice from zed@dead.example\n' +
  'Unsubscribing bob from zed@dead.example\n' +
  'Unsubscribing dave from zed@dead.example\n' +
  'Unsubscribing oscar@other.example from zed@dead.example\n' +
  'Unsubscribing pat@xdead.example from zed@dead.example\n' +
  'Unsubscribing https://dead.example/users/ghost from zed@dead.example\n' +
  'Unsubscribing internal.fetch from zed@dead.example\n' +
  'Unsubscribing carol from zed@dead.example\n' +
  'Successfully unsubscribed all followers from zed@dead.example\n'
const YAN_LINES =
  'Deactivating Yan@DEAD.Example\n' +
  'Unsubscribing alice from Yan@DEAD.Example\n' +
  'Unsubscribing carol from Yan@DEAD.Example\n' +
  'Unsubscribing zed@dead.example from Yan@DEAD.Example\n' +
  'Successfully unsubscribed all followers from Yan@DEAD.Example\n'
const XIN_LINES =
  'Deactivating xin@dead.example\n' + 'Unsubscribing bob from xin@dead.example\n' + 'Successfully unsubscribed all followers from xin@dead.example\n'

/** The end state of every user and relationship, with updated_at reduced to "bumped or not". */
async function endState(b: Backend): Promise<unknown> {
  const users = await snapshotUsers(b)
  const reduced = Object.fromEntries(
    Object.entries(users).map(([k, u]) => [k, {active: u.active, followers: u.followers, following: u.following, bumped: u.updatedAt !== T0}]),
  )
  return {users: reduced, follows: await followRows(b)}
}

describeBackends('user:unsubscribe-all-from-instance', (b) => {
  beforeEach(async () => {
    await seedFollowGraph(b)
  })

  it('deactivates the users of exactly that host (case-insensitively) and removes all their follows, printing Pleroma’s lines per user', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(SUMMARY + ZED_LINES + YAN_LINES + XIN_LINES)
    expect(r.stderr).toBe('Done: 3 users of dead.example deactivated (1 already inactive), 12 follows removed.\n')
    // Users of xdead.example, dead.example.org, dead.example:8443 and the nameless one keep their follows.
    expect(await followRows(b)).toEqual(followsWithout((from) => DEAD.includes(from)))
    await expectSurvivingFollowsUntouched(b)
    const after = await snapshotUsers(b)
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

  it('--json: counts of users, deactivated users, removed follows and batches; the host argument is case-insensitive', async () => {
    const r = await b.run(['user:unsubscribe-all-from-instance', 'DEAD.Example', '--yes', '--json', '--batch-size', '2'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({
      instance: 'DEAD.Example',
      users: 3,
      deactivated: 2,
      followsRemoved: 12,
      batches: 7,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 2 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    expect(await followRows(b)).toEqual(followsWithout((from) => DEAD.includes(from)))
    await expectCountersConsistent(b)
  })

  it('a port is part of the host: dead.example:8443 is another instance', async () => {
    const r = await b.run(['user:unsubscribe-all-from-instance', 'dead.example:8443', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'dead.example:8443: 1 user (1 active), 1 follow from them, 1 local user follows them\n' +
        'Deactivating wes@dead.example:8443\nUnsubscribing carol from wes@dead.example:8443\nSuccessfully unsubscribed all followers from wes@dead.example:8443\n',
    )
    expect(await followRows(b)).toEqual(followsWithout((from) => from === 'wes'))
    await expectCountersConsistent(b)
  })

  it('counters move by exactly the follows removed and the users deactivated: an error in them stays as it was, never below zero', async () => {
    const right = await snapshotUsers(b)
    // alice has wrong cached counters; bob's and carol's are too low for what the run takes off (never below zero).
    await b.sql(`UPDATE users SET follower_count = 99, following_count = 42 WHERE nickname = 'alice'`)
    await b.sql(`UPDATE users SET follower_count = 0 WHERE nickname = 'carol'`)
    await b.sql(`UPDATE users SET following_count = 0 WHERE nickname = 'bob'`)
    const r = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 2,
      followsRemoved: 12,
      batches: 12,
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
    // Uninterrupted, one user per batch.
    const full = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1', '--json'])
    expect(full.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 2,
      followsRemoved: 12,
      batches: 12,
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
    const crashed = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1'])
    expect(crashed.exitCode).toBe(1)
    expect(crashed.stdout).toBe(SUMMARY + ZED_LINES)
    expect(crashed.stderr).toMatch(/^Error: simulated crash\.\n/)
    // The first step (the follows, by followed account) is complete; in the second, the first
    // batch (zed) is complete and the second (Yan) left nothing behind.
    expect(await followRows(b)).toEqual(followsWithout((from) => DEAD.includes(from)))
    const mid = await snapshotUsers(b)
    expect([mid.zed.active, mid.yan.active, mid.xin.active]).toEqual([false, true, false])
    await expectCountersConsistent(b)

    await b.sql(`DROP TRIGGER test_crash_on_yan ON users`)
    await b.sql(`DROP FUNCTION test_crash_on_yan()`)
    const rerun = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1'])
    expect(rerun.exitCode).toBe(0)
    expect(rerun.stdout).toBe(
      'dead.example: 3 users (1 active), 0 follows from them, 5 local users follow them\n' +
        'Deactivating zed@dead.example\nSuccessfully unsubscribed all followers from zed@dead.example\n' +
        'Deactivating Yan@DEAD.Example\nSuccessfully unsubscribed all followers from Yan@DEAD.Example\n' +
        'Deactivating xin@dead.example\nSuccessfully unsubscribed all followers from xin@dead.example\n',
    )
    expect(rerun.stderr).toBe('Done: 3 users of dead.example deactivated (2 already inactive), 0 follows removed.\n')
    expect(await endState(b)).toEqual(expected)
    await expectCountersConsistent(b)

    // Once more: nothing left to do, nothing changes.
    const dump = await dumpTables(b, USER_TABLES)
    const third = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--json'])
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

  it('interrupted in the first step (the follows, by followed account): whole batches of accounts, nobody deactivated yet; a re-run finishes', async () => {
    const full = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1', '--json'])
    expect(full.exitCode).toBe(0)
    const expected = await endState(b)

    await clearFollowGraph(b)
    await seedFollowGraph(b)
    // Followed accounts go in id order, one per batch: alice, bob, then carol's batch fails.
    await b.sql(`CREATE FUNCTION test_crash_on_carol() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF OLD.following_id = '${graphId('carol')}' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN OLD; END $$`)
    await b.sql(`CREATE TRIGGER test_crash_on_carol BEFORE DELETE ON following_relationships FOR EACH ROW EXECUTE FUNCTION test_crash_on_carol()`)
    const crashed = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '1'])
    expect(crashed.exitCode).toBe(1)
    expect(crashed.stdout).toBe(SUMMARY)
    expect(crashed.stderr).toMatch(/^Error: simulated crash\.\n/)
    expect(await followRows(b)).toEqual(followsWithout((from, to) => DEAD.includes(from) && ['alice', 'bob'].includes(to)))
    const mid = await snapshotUsers(b)
    expect([mid.zed.active, mid.yan.active, mid.xin.active]).toEqual([true, true, false])
    await expectCountersConsistent(b)

    await b.sql(`DROP TRIGGER test_crash_on_carol ON following_relationships`)
    await b.sql(`DROP FUNCTION test_crash_on_carol()`)
    const rerun = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--json'])
    expect(rerun.exitCode).toBe(0)
    // zed's 2 follows of alice and bob, Yan's of alice, xin's of bob went in the first run.
    expect(rerun.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 2,
      followsRemoved: 8,
      batches: 2,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 2 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    expect(await endState(b)).toEqual(expected)
    await expectCountersConsistent(b)
  })

  it('% and _ are ordinary characters', async () => {
    await b.sql(`INSERT INTO users (id, nickname, bio, ap_id, local, inserted_at, updated_at) VALUES
      ('00000000-0000-4000-8000-100000000001', 'u1@deadxexample', '', 'https://deadxexample/users/u1', false, '${T0}', '${T0}'),
      ('00000000-0000-4000-8000-100000000002', 'u2@dead_example', '', 'https://dead_example/users/u2', false, '${T0}', '${T0}')`)
    const r = await b.run(['user:unsubscribe-all-from-instance', 'dead_example', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'dead_example: 1 user (1 active), 0 follows from them, 0 local users follow them\nDeactivating u2@dead_example\nSuccessfully unsubscribed all followers from u2@dead_example\n',
    )
    expect(await b.sql(`SELECT nickname::text, is_active FROM users WHERE id::text LIKE '00000000-0000-4000-8000-1%' ORDER BY id`)).toEqual([
      {nickname: 'u1@deadxexample', is_active: true},
      {nickname: 'u2@dead_example', is_active: false},
    ])
    const pct = await b.run(['user:unsubscribe-all-from-instance', 'dead%', '-y'])
    expect(pct.exitCode).toBe(4)
  })

  it('nothing matches: "No users of INSTANCE found." on stderr, exit 0, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const host of ['nowhere.example', 'example', 'dead', 'xample']) {
      const r = await b.run(['user:unsubscribe-all-from-instance', host, '-y'])
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(`No users of ${host} found.\n`)
    }
    const j = await b.run(['user:unsubscribe-all-from-instance', 'nowhere.example', '--json'])
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

  it('refuses what is not a bare host (exit 4, one line, with the bare host as hint), and changes nothing', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'https://dead.example/',
        /^Error: "https:\/\/dead\.example\/" is a URL, not an instance host\.\nHint: Give the bare host: pleroma-admin user:unsubscribe-all-from-instance dead\.example\n$/,
      ],
      [
        'dead.example/',
        /^Error: "dead\.example\/" is not an instance host \(it contains a path\)\.\nHint: Give the bare host: pleroma-admin user:unsubscribe-all-from-instance dead\.example\n$/,
      ],
      [
        'zed@dead.example',
        /^Error: "zed@dead\.example" is not an instance host \(it contains @\)\.\nHint: Give the host \(pleroma-admin user:unsubscribe-all-from-instance dead\.example\), or use user:unsubscribe zed@dead\.example for one user\.\n$/,
      ],
      ['dead.example:99999', /^Error: "dead\.example:99999" is not a valid instance host\./],
      ['dead example', /^Error: "dead example" is not a valid instance host\./],
      ['', /^Error: The instance is empty\./],
      ['-dead.example', /^Error: "-dead\.example" is not a valid instance host\./],
    ]
    const before = await dumpTables(b, USER_TABLES)
    for (const [arg, message] of cases) {
      const r = await b.run(['user:unsubscribe-all-from-instance', '-y', '--', arg])
      expect(r.exitCode).toBe(4)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(message)
      expectErrorLines(r.stderr)
      const j = await b.run(['user:unsubscribe-all-from-instance', '-y', '--json', '--', arg])
      expect(j.exitCode).toBe(4)
      expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
    }
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run shows the summary and the JSON shape, and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(SUMMARY)
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '--dry-run', '--json', '--batch-size', '2'])
    expect(j.json).toEqual({
      instance: 'dead.example',
      users: 3,
      deactivated: 2,
      followsRemoved: 12,
      batches: 7,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 2 : 0,
      moderationLogged: false,
      dryRun: true,
    })
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('refuses without a terminal and without -y (exit 1); a bad --batch-size is a usage error; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:unsubscribe-all-from-instance', 'dead.example'])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toBe(SUMMARY)
    expect(r.stderr).toBe(
      'Error: No user of dead.example was changed. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n',
    )
    const zero = await b.run(['user:unsubscribe-all-from-instance', 'dead.example', '-y', '--batch-size', '0'])
    expect(zero.exitCode).toBe(2)
    expect(zero.stderr).toContain('greater than or equal to 1')
    const missing = await b.run(['user:unsubscribe-all-from-instance', '-y'])
    expect(missing.exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it("Pleroma's spelling user:unsubscribe_all_from_instance works", async () => {
    const r = await b.run(['user:unsubscribe_all_from_instance', 'other.example', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'other.example: 1 user (1 active), 1 follow from them, 1 local user follows them\n' +
        'Deactivating oscar@other.example\nUnsubscribing alice from oscar@other.example\nSuccessfully unsubscribed all followers from oscar@other.example\n',
    )
    expect(r.stderr).toBe('Done: 1 user of other.example deactivated, 1 follow removed.\n')
    expect(await followRows(b)).toEqual(followsWithout((from) => from === 'oscar'))
    await expectCountersConsistent(b)
  })
})
