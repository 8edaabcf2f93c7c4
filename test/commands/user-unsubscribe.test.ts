import {withoutFederation} from '../helpers/federation'
import {describeBackends} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {
  changes,
  expectCountersConsistent,
  expectSurvivingFollowsUntouched,
  expectUpdatedAtBumpedWhereChanged,
  followRows,
  followsWithout,
  seedFollowGraph,
  snapshotUsers,
} from '../helpers/follow-graph'

describeBackends('user:unsubscribe', (server) => {
  const b = withoutFederation(server)
  beforeEach(async () => {
    await seedFollowGraph(b)
  })

  it("Pleroma's test: a user following one account — Deactivating, Unsubscribing, Successfully unsubscribed; no friends left; deactivated", async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:unsubscribe', 'oscar@other.example', '-y'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'oscar@other.example (remote, active) will be deactivated; 1 follow will be removed (1 of local accounts, 0 of remote ones); the counters of 1 local follower will be recomputed.\n' +
        'Deactivating oscar@other.example\n' +
        'Unsubscribing alice from oscar@other.example\n' +
        'Successfully unsubscribed all followers from oscar@other.example\n',
    )
    expect(
      await b.sql(`SELECT count(*)::int AS n FROM following_relationships r JOIN users u ON u.id = r.follower_id WHERE u.nickname = 'oscar@other.example'`),
    ).toEqual([{n: 0}])
    expect(await followRows(b)).toEqual(followsWithout((from) => from === 'oscar'))
    await expectSurvivingFollowsUntouched(b)
    const after = await snapshotUsers(b)
    expect(changes(before, after)).toEqual({
      oscar: {active: false},
      alice: {followers: 5},
      eve: {following: 4},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it("current Pleroma's deactivate test: a user following one local and one remote account has no local follows left and is deactivated", async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:unsubscribe', 'bob', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'bob (local, active) will be deactivated; 2 follows will be removed (1 of local accounts, 1 of remote ones); the counters of 1 local follower will be recomputed.\n' +
        'Deactivating bob\n' +
        'Unsubscribing alice from bob\n' +
        'Unsubscribing zed@dead.example from bob\n' +
        'Successfully unsubscribed all followers from bob\n',
    )
    expect(await followRows(b)).toEqual(followsWithout((from) => from === 'bob'))
    const after = await snapshotUsers(b)
    expect(after.bob.active).toBe(false)
    expect(changes(before, after)).toEqual({
      bob: {active: false, following: 0},
      alice: {followers: 5, following: 2},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it('removes every follow, accepted and pending, in relationship id order; --json lists them', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:unsubscribe', 'ALICE', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({
      nickname: 'alice',
      deactivated: true,
      unsubscribed: ['bob', 'carol', 'zed@dead.example', 'Yan@DEAD.Example'],
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: false,
    })
    expect(await followRows(b)).toEqual(followsWithout((from) => from === 'alice'))
    await expectSurvivingFollowsUntouched(b)
    const after = await snapshotUsers(b)
    expect(changes(before, after)).toEqual({
      alice: {active: false, following: 0},
      bob: {followers: 1, following: 1},
      carol: {followers: 2},
      dave: {following: 1},
      'internal.fetch': {following: 1},
      eve: {following: 4},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it('an already inactive user: its follows go, nothing else changes, and a second run changes nothing', async () => {
    const before = await snapshotUsers(b)
    const r = await b.run(['user:unsubscribe', 'xin@dead.example', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'xin@dead.example (remote, inactive) will be deactivated; 1 follow will be removed (1 of local accounts, 0 of remote ones); the counters of 1 local follower will be recomputed.\n' +
        'Deactivating xin@dead.example\n' +
        'Unsubscribing bob from xin@dead.example\n' +
        'Successfully unsubscribed all followers from xin@dead.example\n',
    )
    expect(await followRows(b)).toEqual(followsWithout((from) => from === 'xin'))
    // Inactive followers are not counted: no counter and no updated_at changes anywhere.
    expect(await snapshotUsers(b)).toEqual(before)
    const dump = await dumpTables(b, USER_TABLES)
    const again = await b.run(['user:unsubscribe', 'xin@dead.example', '-y'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe(
      'xin@dead.example (remote, inactive) will be deactivated; 0 follows will be removed (0 of local accounts, 0 of remote ones); the counters of 1 local follower will be recomputed.\n' +
        'Deactivating xin@dead.example\n' +
        'Successfully unsubscribed all followers from xin@dead.example\n',
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(dump)
    await expectCountersConsistent(b)
  })

  it('shows a followed account without a nickname by its ap_id, and removes rejected follows too', async () => {
    const r = await b.run(['user:unsubscribe', 'zed@dead.example', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json.unsubscribed).toEqual([
      'alice',
      'bob',
      'dave',
      'oscar@other.example',
      'pat@xdead.example',
      'https://dead.example/users/ghost',
      'internal.fetch',
      'carol',
    ])
    expect(await followRows(b)).toEqual(followsWithout((from) => from === 'zed'))
    await expectCountersConsistent(b)
  })

  it('unknown user: "No user", exit 3, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:unsubscribe', 'nobody', '-y'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:unsubscribe', 'nobody', '-y', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No user nobody'})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run shows the summary and the JSON shape, and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:unsubscribe', 'alice', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active) will be deactivated; 4 follows will be removed (2 of local accounts, 2 of remote ones); the counters of 4 local followers will be recomputed.\n',
    )
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:unsubscribe', 'alice', '--dry-run', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json).toEqual({
      nickname: 'alice',
      deactivated: true,
      unsubscribed: ['bob', 'carol', 'zed@dead.example', 'Yan@DEAD.Example'],
      federated: false,
      deliveries: 0,
      deliveryServers: 0,
      dryRun: true,
    })
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('refuses without a terminal and without -y (exit 1), and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:unsubscribe', 'alice'])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain('alice (local, active) will be deactivated;')
    expect(r.stderr).toBe(
      'Error: alice will not be deactivated or unsubscribed. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n',
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    const missing = await b.run(['user:unsubscribe', '-y'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('Error: No nickname given.')
  })
})
