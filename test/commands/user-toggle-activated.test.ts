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
  ACCEPTED,
} from '../helpers/follow-graph'

describeBackends('user:toggle-activated', (b) => {
  beforeEach(async () => {
    await seedFollowGraph(b)
  })

  it('the seeded graph starts with consistent counters', async () => {
    await expectCountersConsistent(b)
    const s = await snapshotUsers(b)
    expect(s.alice).toMatchObject({active: true, followers: 6, following: 3})
    expect(s.eve).toMatchObject({followers: 0, following: 5})
  })

  it('deactivates an active user (" deactivated"), removing its accepted follows of active local accounts, then activates it again (" activated")', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:toggle-activated', 'alice', '-y'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active) will be deactivated; 2 follows of local accounts will be removed; the counters of 4 local followers will be recomputed.\n' +
        'Activation status of alice: deactivated\n',
    )
    // Pleroma's test: the message contains " deactivated" and the user is deactivated.
    expect(r.stdout).toContain(' deactivated')
    const after = await snapshotUsers(b)
    expect(after.alice.active).toBe(false)
    // Follows of remote accounts (accepted or pending) stay; followers stay.
    expect(await followRows(b)).toEqual(followsWithout((from, to) => from === 'alice' && (to === 'bob' || to === 'carol')))
    await expectSurvivingFollowsUntouched(b)
    expect(changes(before, after)).toEqual({
      alice: {active: false, following: 1},
      bob: {followers: 1, following: 1},
      carol: {followers: 2},
      dave: {following: 1},
      'internal.fetch': {following: 1},
      eve: {following: 4},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)

    const again = await b.run(['user:toggle-activated', 'alice', '-y', '--json'])
    expect(again.exitCode).toBe(0)
    expect(again.json).toEqual({
      nickname: 'alice',
      active: true,
      followsRemoved: 0,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    const text = await b.run(['user:toggle-activated', 'alice', '-y'])
    expect(text.stdout).toBe(
      'alice (local, active) will be deactivated; 0 follows of local accounts will be removed; the counters of 4 local followers will be recomputed.\n' +
        'Activation status of alice: deactivated\n',
    )
    const third = await b.run(['user:toggle-activated', 'alice', '-y'])
    expect(third.stdout).toContain('alice (local, inactive) will be activated;')
    // Pleroma's test: the message contains " activated" and the user is active.
    expect(third.stdout).toContain('Activation status of alice: activated\n')
    const final = await snapshotUsers(b)
    expect(final.alice.active).toBe(true)
    // Back to active: the followers count alice again; the removed follows are gone for good.
    expect(changes(before, final)).toEqual({
      alice: {following: 1},
      bob: {followers: 1},
      carol: {followers: 2},
    })
    await expectCountersConsistent(b)
  })

  it('activating removes the follows of active local accounts too (set_activation in both directions) and recounts the followers', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:toggle-activated', 'dave', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      nickname: 'dave',
      active: true,
      followsRemoved: 1,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    expect(await followRows(b)).toEqual(followsWithout((from, to) => from === 'dave' && to === 'alice'))
    const after = await snapshotUsers(b)
    expect(changes(before, after)).toEqual({
      dave: {active: true, following: 1},
      eve: {following: 6},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it('works on a remote user found case-insensitively, and recounts local accounts it still follows', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:toggle-activated', 'ZED@dead.example', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'zed@dead.example (remote, active) will be deactivated; 1 follow of local accounts will be removed; the counters of 4 local followers will be recomputed.\n' +
        'Activation status of zed@dead.example: deactivated\n',
    )
    // Only accepted follows of active local accounts go: not the pending one (bob), not the
    // rejected one (carol), not the inactive dave, not the internal actor (set_activation's
    // get_friends leaves internal actors out), not the remote accounts.
    expect(await followRows(b)).toEqual(followsWithout((from, to) => from === 'zed' && to === 'alice'))
    await expectSurvivingFollowsUntouched(b)
    const after = await snapshotUsers(b)
    expect(changes(before, after)).toEqual({
      zed: {active: false},
      alice: {followers: 5, following: 2},
      bob: {following: 1},
      // zed -> dave and zed -> internal.fetch stay, but an inactive follower is not counted.
      dave: {followers: 1, following: 1},
      'internal.fetch': {followers: 0, following: 1},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it('unknown user: "No user", exit 3, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:toggle-activated', 'nobody', '-y'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:toggle-activated', 'nobody@dead.example', '-y', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No user nobody@dead.example'})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run shows the summary and the JSON shape, and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:toggle-activated', 'alice', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active) will be deactivated; 2 follows of local accounts will be removed; the counters of 4 local followers will be recomputed.\n',
    )
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:toggle-activated', 'alice', '--dry-run', '--json'])
    expect(j.json).toEqual({
      nickname: 'alice',
      active: false,
      followsRemoved: 2,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: false,
      dryRun: true,
    })
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('refuses without a terminal and without -y (exit 1), and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:toggle-activated', 'alice'])
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain('alice (local, active) will be deactivated;')
    expect(r.stderr).toBe(
      'Error: The activation status of alice will not be changed. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n',
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it("Pleroma's spelling user:toggle_activated works; a missing argument is a usage error", async () => {
    const r = await b.run(['user:toggle_activated', 'eve', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('Activation status of eve: deactivated\n')
    expect((await snapshotUsers(b)).eve.active).toBe(false)
    // eve's only accepted follow of an active local account: alice.
    expect(await followRows(b)).toEqual(followsWithout((from, to, state) => from === 'eve' && to === 'alice' && state === ACCEPTED))
    await expectCountersConsistent(b)
    const missing = await b.run(['user:toggle-activated'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/^Error: No nickname given\./)
  })
})
