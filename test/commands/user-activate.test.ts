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
  setActivationRemoves,
  snapshotUsers,
} from '../helpers/follow-graph'

describeBackends('user:deactivate', (b) => {
  beforeEach(async () => {
    await seedFollowGraph(b)
  })

  it('deactivates a local user as set_activation(user, false) does: its accepted follows of local accounts go, remote ones stay, counters right', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:deactivate', 'alice', '-y'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active) will be deactivated; 2 follows of local accounts will be removed; the counters of 4 local followers will be recomputed.\n' +
        // Pleroma's test asserts exactly this line.
        'Successfully deactivated alice and unsubscribed all local followers\n',
    )
    // alice -> bob and alice -> carol go; alice -> zed (remote) and alice -> yan (pending) stay.
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('alice')))
    expect(await followRows(b)).toEqual(followsWithout((from, to) => from === 'alice' && (to === 'bob' || to === 'carol')))
    await expectSurvivingFollowsUntouched(b)
    const after = await snapshotUsers(b)
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
  })

  it('a remote user (nick@host, case-insensitively): only its accepted follows of active, non-internal local accounts go; --json', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:deactivate', 'ZED@dead.example', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({
      nickname: 'zed@dead.example',
      local: false,
      active: false,
      followsRemoved: 1,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    // zed -> alice goes. Stay: pending (bob), rejected (carol), inactive dave, the internal actor
    // (get_friends leaves internal actors out), the remote accounts.
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('zed')))
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

  it('an inactive user: "User NICK already deactivated" (Pleroma\'s words), exit 4, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const nick of ['dave', 'xin@dead.example']) {
      const r = await b.run(['user:deactivate', nick, '-y'])
      expect(r.exitCode).toBe(4)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(`Error: User ${nick} already deactivated.\nHint: Nothing was changed; \`pleroma-admin user:activate ${nick}\` activates it.\n`)
      const d = await b.run(['user:deactivate', nick, '--dry-run'])
      expect(d.exitCode).toBe(4)
    }
    const j = await b.run(['user:deactivate', 'dave', '-y', '--json'])
    expect(j.exitCode).toBe(4)
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4, message: 'User dave already deactivated'})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('unknown user: "No user NICK", exit 3; bad usage: exit 2; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:deactivate', 'nobody', '-y'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const j = await b.run(['user:deactivate', 'nobody@dead.example', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No user nobody@dead.example'})
    const missing = await b.run(['user:deactivate', '-y'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('Missing 1 required arg')
    const extra = await b.run(['user:deactivate', 'alice', 'bob', '-y'])
    expect(extra.exitCode).toBe(2)
    const flag = await b.run(['user:deactivate', 'alice', '--all', '-y'])
    expect(flag.exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run shows the summary and the JSON shape, and writes nothing; without a terminal and -y it refuses (exit 1)', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:deactivate', 'alice', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'alice (local, active) will be deactivated; 2 follows of local accounts will be removed; the counters of 4 local followers will be recomputed.\n',
    )
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:deactivate', 'alice', '--dry-run', '--json'])
    expect(j.json).toEqual({
      nickname: 'alice',
      local: true,
      active: false,
      followsRemoved: 2,
      tokensDeleted: 0,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: false,
      dryRun: true,
    })
    const asked = await b.run(['user:deactivate', 'alice'])
    expect(asked.exitCode).toBe(1)
    expect(asked.stderr).toBe(
      'Error: alice was not deactivated. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n',
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})

describeBackends('user:activate', (b) => {
  beforeEach(async () => {
    await seedFollowGraph(b)
  })

  it('activates an inactive local user as set_activation(user, true) does, which removes its accepted follows of local accounts too', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:activate', 'dave'])
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'dave (local, inactive) will be activated; 1 follow of local accounts will be removed; the counters of 1 local follower will be recomputed.\n' +
        // Pleroma's test asserts exactly this line.
        'Successfully activated dave\n',
    )
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('dave')))
    expect(await followRows(b)).toEqual(followsWithout((from, to) => from === 'dave' && to === 'alice'))
    await expectSurvivingFollowsUntouched(b)
    const after = await snapshotUsers(b)
    expect(changes(before, after)).toEqual({
      dave: {active: true, following: 1},
      eve: {following: 6},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it('a remote user (--json): its local followers count it again', async () => {
    const before = await snapshotUsers(b)
    const started = Date.now()
    const r = await b.run(['user:activate', 'xin@dead.example', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({
      nickname: 'xin@dead.example',
      local: false,
      active: true,
      followsRemoved: 1,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: false,
      dryRun: false,
    })
    // xin -> bob (accepted, bob local and active) goes, as set_activation does in both directions.
    expect(await followRows(b)).toEqual(followsWithout(setActivationRemoves('xin')))
    const after = await snapshotUsers(b)
    expect(changes(before, after)).toEqual({
      xin: {active: true},
      carol: {following: 1},
    })
    expectUpdatedAtBumpedWhereChanged(before, after, started)
    await expectCountersConsistent(b)
  })

  it('deactivate then activate: the flag comes back, the removed follows do not (as in Pleroma)', async () => {
    const before = await snapshotUsers(b)
    expect((await b.run(['user:deactivate', 'bob', '-y'])).exitCode).toBe(0)
    const r = await b.run(['user:activate', 'bob'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'bob (local, inactive) will be activated; 0 follows of local accounts will be removed; the counters of 1 local follower will be recomputed.\nSuccessfully activated bob\n',
    )
    expect(await followRows(b)).toEqual(followsWithout((from, to) => from === 'bob' && to === 'alice'))
    const after = await snapshotUsers(b)
    expect(changes(before, after)).toEqual({alice: {followers: 5}, bob: {following: 1}})
    await expectCountersConsistent(b)
  })

  it('an active user: "User NICK already activated" (Pleroma\'s words), exit 4, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    for (const nick of ['alice', 'Yan@DEAD.Example']) {
      const r = await b.run(['user:activate', nick])
      expect(r.exitCode).toBe(4)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(`Error: User ${nick} already activated.\nHint: Nothing was changed; \`pleroma-admin user:deactivate ${nick}\` deactivates it.\n`)
    }
    const j = await b.run(['user:activate', 'ALICE', '--json', '--dry-run'])
    expect(j.exitCode).toBe(4)
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4, message: 'User alice already activated'})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('unknown user: "No user NICK", exit 3; a missing argument: exit 2; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:activate', 'nobody'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No user nobody\.\nHint: /)
    expectErrorLines(r.stderr)
    const missing = await b.run(['user:activate'])
    expect(missing.exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('--dry-run shows the summary and the JSON shape, and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:activate', 'dave', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      'dave (local, inactive) will be activated; 1 follow of local accounts will be removed; the counters of 1 local follower will be recomputed.\n',
    )
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:activate', 'dave', '--dry-run', '--json'])
    expect(j.json).toEqual({
      nickname: 'dave',
      local: true,
      active: true,
      followsRemoved: 1,
      refreshJobsQueued: b.name === 'pleroma' ? 1 : 0,
      moderationLogged: false,
      dryRun: true,
    })
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })
})
