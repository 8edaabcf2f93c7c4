/**
 * user:fix-follow-state (Pleroma's fix_follow_state, docs/pleroma/tasks.md#fix_follow_state).
 * Pleroma has no test of the task; the rows afterwards are compared with what
 * CommonAPI.reject_follow_request (v2.9.1:lib/pleroma/web/common_api.ex:161-167)
 * leaves: its Reject (Builder.reject through the pipeline), the Follows
 * marked "reject" by Utils.update_follow_state_for_all, FollowingRelationship's
 * unfollow with its counters, Notification.dismiss.
 */
import {randomUUID} from 'node:crypto'
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES, expectErrorLines} from '../helpers/assertions'
import {expectBumped, INSTANCE_URL, SEEDED_AT, seedUsers} from '../helpers/user-flags'
import {newFlakeId} from '../../src/db/flake-id'

const TABLES = [...USER_TABLES, 'oban_jobs']
const AS_PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'
const ALICE = `${INSTANCE_URL}/users/alice`
const BOB = 'https://remote.example/users/bob'
const DAVE = 'https://remote.example/users/dave'
const HEAD_ACCEPT = 'Request state is accept, vs calculated state of following=false\n'
const FIXED = HEAD_ACCEPT + 'Discrepancy found, fixing\nRelationship fixed\n'

describeBackends('user:fix-follow-state', (b) => {
  let ids: Record<string, string>

  /** A Follow activity as Pleroma stores it (Builder.follow, utils.ex make_follow_data); ids increase with each call. */
  async function follow(actor: string, object: string, state: string | null): Promise<{id: string; apId: string}> {
    const id = newFlakeId()
    const apId = `${actor.startsWith(INSTANCE_URL) ? INSTANCE_URL : 'https://remote.example'}/activities/${randomUUID()}`
    const data: Record<string, unknown> = {id: apId, type: 'Follow', actor, object, to: [object], cc: [AS_PUBLIC]}
    if (state !== null) data.state = state
    await b.sql(`INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients) VALUES ($1, $2, $3, $3, $4, $5, $6)`, [
      id,
      JSON.stringify(data),
      SEEDED_AT,
      actor.startsWith(INSTANCE_URL),
      actor,
      [object],
    ])
    return {id, apId}
  }

  async function relationship(from: string, to: string, state: number): Promise<void> {
    await b.sql(`INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, [
      ids[from],
      ids[to],
      state,
      SEEDED_AT,
    ])
  }

  async function hasObanJobs(): Promise<boolean> {
    const [r] = await b.sql(`SELECT to_regclass('oban_jobs') IS NOT NULL AS t`)
    return r.t
  }

  async function tables(): Promise<Record<string, unknown[]>> {
    return dumpTables(b as Backend, (await hasObanJobs()) ? TABLES : USER_TABLES)
  }

  beforeEach(async () => {
    ids = await seedUsers(b, [
      {nickname: 'alice'},
      {nickname: 'carol'},
      {nickname: 'bob@remote.example', local: false},
      {nickname: 'dave@remote.example', local: false},
    ])
    // alice's counters as a stale cache: one follow (the broken one).
    await b.sql(`UPDATE users SET following_count = 1 WHERE nickname = 'alice'`)
  })

  it('the latest Follow says accept, the relationship is pending: the rows CommonAPI.reject_follow_request leaves, Pleroma’s lines', async () => {
    const older = await follow(ALICE, BOB, 'pending')
    const latest = await follow(ALICE, BOB, 'accept')
    const other = await follow(ALICE, DAVE, 'accept')
    const carols = await follow(`${INSTANCE_URL}/users/carol`, BOB, 'accept')
    await relationship('alice', 'bob@remote.example', 1)
    await relationship('alice', 'dave@remote.example', 2)
    await relationship('carol', 'bob@remote.example', 2)
    await b.sql(`INSERT INTO notifications (user_id, activity_id, seen, inserted_at, updated_at) VALUES ($1, $2, false, $3, $3), ($4, $5, false, $3, $3)`, [
      ids['bob@remote.example'],
      latest.id,
      SEEDED_AT,
      ids.carol,
      other.id,
    ])
    // A stale counter, so that the recomputation shows.
    await b.sql(`UPDATE users SET following_count = 5 WHERE nickname = 'alice'`)
    const before = await tables()
    const started = Date.now()

    const r = await b.run(['user:fix-follow-state', 'alice', 'bob@remote.example', '--instance-url', INSTANCE_URL])
    expect(r.stdout).toBe(FIXED)
    expect(r.stderr).toBe(
      '2 Follow activities marked rejected, a Reject activity stored, the pending relationship removed, 1 notification deleted. alice can follow bob@remote.example again.\n',
    )
    expect(r.exitCode).toBe(0)

    // Utils.update_follow_state_for_all: both Follows of alice for bob get "reject" (update_all: updated_at kept); the others are untouched.
    const follows = await b.sql(`SELECT id, data, updated_at FROM activities WHERE data->>'type' = 'Follow' ORDER BY id`)
    const byId = Object.fromEntries(follows.map((f) => [f.id, f]))
    expect(byId[older.id].data.state).toBe('reject')
    expect(byId[latest.id].data.state).toBe('reject')
    expect(byId[latest.id].updated_at).toEqual(new Date(SEEDED_AT.replace(' ', 'T') + 'Z'))
    expect(byId[other.id].data.state).toBe('accept')
    expect(byId[carols.id].data.state).toBe('accept')
    // Builder.reject(bob, latest) through the pipeline: actor bob, object the latest Follow, to alice, empty cc/bto/bcc; local; recipients = to.
    const rejects = await b.sql(`SELECT id, data, local, actor, recipients, inserted_at, updated_at FROM activities WHERE data->>'type' = 'Reject'`)
    expect(rejects).toHaveLength(1)
    expect(rejects[0].data).toEqual({id: rejects[0].data.id, type: 'Reject', actor: BOB, object: latest.apId, to: [ALICE], cc: [], bto: [], bcc: []})
    expect(rejects[0].data.id).toMatch(new RegExp(`^${INSTANCE_URL}/activities/[0-9a-f-]{36}$`))
    expect(rejects[0]).toMatchObject({local: true, actor: BOB, recipients: [ALICE]})
    expect(rejects[0].inserted_at).toEqual(rejects[0].updated_at)
    expectBumped(rejects[0].inserted_at, started)
    // FollowingRelationship.update(:follow_reject) = unfollow: the row goes; the other follows stay.
    const after = await tables()
    expect(after.following_relationships).toEqual(
      before.following_relationships.filter((f: any) => !(f.follower_id === ids.alice && f.following_id === ids['bob@remote.example'])),
    )
    expect(after.following_relationships).toHaveLength(2)
    // Notification.dismiss(latest): its notification goes, the other stays.
    expect(after.notifications).toEqual(before.notifications.filter((n: any) => n.activity_id !== latest.id))
    // after_update: alice's following_count recomputed (1 accepted follow: dave), updated_at bumped; nobody else changed.
    const alice = (after.users as any[]).find((u) => u.nickname === 'alice')
    expect(alice).toEqual({...(before.users as any[]).find((u) => u.nickname === 'alice'), following_count: 1, updated_at: alice.updated_at})
    expectBumped(alice.updated_at, started)
    expect(after.users.filter((u: any) => u.nickname !== 'alice')).toEqual(before.users.filter((u: any) => u.nickname !== 'alice'))
    // Nothing queued for another server: the Reject is addressed to alice only.
    if (after.oban_jobs) expect(after.oban_jobs).toEqual(before.oban_jobs)
    expect(after.activities).toHaveLength(before.activities.length + 1)
  })

  it('no relationship row at all (the usual case): the Follow rejected, a Reject stored, counters left alone; --json; the hidden alias fix_follow_state', async () => {
    await b.sql(`UPDATE users SET following_count = 0 WHERE nickname = 'alice'`)
    const latest = await follow(ALICE, BOB, 'accept')
    const before = await tables()
    const r = await b.run(['user:fix_follow_state', 'Alice', 'BOB@remote.example', '--json', '--instance-url', INSTANCE_URL])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({
      local: 'alice',
      remote: 'bob@remote.example',
      requestState: 'accept',
      following: false,
      followsRejected: 1,
      relationshipRemoved: false,
      notificationsDismissed: 0,
      rejectActivity: expect.stringMatching(new RegExp(`^${INSTANCE_URL}/activities/`)),
      dryRun: false,
    })
    const after = await tables()
    expect(after.users).toEqual(before.users)
    expect(after.following_relationships).toEqual([])
    const [reject] = await b.sql(`SELECT data FROM activities WHERE data->>'type' = 'Reject'`)
    expect(reject.data).toMatchObject({id: r.json.rejectActivity, object: latest.apId})
    expect((await b.sql(`SELECT data->>'state' AS s FROM activities WHERE id = $1`, [latest.id]))[0].s).toBe('reject')
    // Run again: the latest Follow now says reject: nothing to fix (exit 4), nothing written.
    const again = await b.run(['user:fix-follow-state', 'alice', 'bob@remote.example'])
    expect(again.exitCode).toBe(4)
    expect(again.stdout).toBe('Request state is reject, vs calculated state of following=false\n')
    expect(again.stderr).toMatch(/^Error: No discrepancy found\.\nHint: The latest Follow says reject, not accept/)
    expect(await tables()).toEqual(after)
  })

  it('--dry-run: Pleroma’s first lines and what would change, every table unchanged; --dry-run --json', async () => {
    await follow(ALICE, BOB, 'accept')
    await relationship('alice', 'bob@remote.example', 3)
    const before = await tables()
    const r = await b.run(['user:fix-follow-state', 'alice', 'bob@remote.example', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(HEAD_ACCEPT + 'Discrepancy found, fixing\n')
    expect(r.stderr).toBe(
      'Would be: 1 Follow activity marked rejected, a Reject activity stored, the rejected relationship removed.\nDry run: nothing was written.\n',
    )
    const j = await b.run(['user:fix-follow-state', 'alice', 'bob@remote.example', '--dry-run', '--json'])
    expect(j.exitCode).toBe(0)
    expect(j.json).toEqual({
      local: 'alice',
      remote: 'bob@remote.example',
      requestState: 'accept',
      following: false,
      followsRejected: 1,
      relationshipRemoved: true,
      notificationsDismissed: 0,
      rejectActivity: null,
      dryRun: true,
    })
    expect(await tables()).toEqual(before)
  })

  it('already consistent: following and accepted, or pending without a relationship: "No discrepancy found", exit 4, nothing written', async () => {
    await follow(ALICE, BOB, 'accept')
    await relationship('alice', 'bob@remote.example', 2)
    await follow(ALICE, DAVE, 'pending')
    const before = await tables()
    const r = await b.run(['user:fix-follow-state', 'alice', 'bob@remote.example'])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('Request state is accept, vs calculated state of following=true\n')
    expect(r.stderr).toBe('Error: No discrepancy found.\nHint: alice follows bob@remote.example and the latest Follow says accept: nothing to fix.\n')
    const pending = await b.run(['user:fix-follow-state', 'alice', 'dave@remote.example', '--json'])
    expect(pending.exitCode).toBe(4)
    expect(pending.stdout).not.toContain('Request state')
    expect(pending.json.error).toMatchObject({code: 'refused', exitCode: 4, message: 'No discrepancy found'})
    expect(await tables()).toEqual(before)
  })

  it('no Follow, or a Follow without a state: "No follow data for LOCAL and REMOTE", exit 4, nothing written', async () => {
    await follow(ALICE, DAVE, null)
    const before = await tables()
    const none = await b.run(['user:fix-follow-state', 'alice', 'bob@remote.example'])
    expect(none.exitCode).toBe(4)
    expect(none.stdout).toBe('')
    expect(none.stderr).toMatch(/^Error: No follow data for alice and bob@remote\.example\.\nHint: alice has no Follow activity/)
    expectErrorLines(none.stderr)
    const stateless = await b.run(['user:fix-follow-state', 'alice', 'dave@remote.example', '--json'])
    expect(stateless.exitCode).toBe(4)
    expect(stateless.json.error).toMatchObject({code: 'refused', message: 'No follow data for alice and dave@remote.example'})
    expect(await tables()).toEqual(before)
  })

  it('unknown users (exit 3) and the wrong kind (exit 4): Pleroma’s messages, nothing written', async () => {
    await follow(ALICE, BOB, 'accept')
    await follow(`${INSTANCE_URL}/users/carol`, ALICE, 'accept')
    const before = await tables()
    const cases: Array<[string[], number, RegExp]> = [
      [['nobody', 'bob@remote.example'], 3, /^Error: No local user nobody\.\nHint: /],
      [['alice', 'nobody@remote.example'], 3, /^Error: No remote user nobody@remote\.example\.\nHint: /],
      [['bob@remote.example', 'dave@remote.example'], 4, /^Error: No local user bob@remote\.example\.\nHint: bob@remote\.example is a remote user/],
      [['carol', 'alice'], 4, /^Error: No remote user alice\.\nHint: alice is a local user/],
    ]
    for (const [args, code, message] of cases) {
      const r = await b.run(['user:fix-follow-state', ...args])
      expect({args, exitCode: r.exitCode}).toEqual({args, exitCode: code})
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(message)
      expectErrorLines(r.stderr)
    }
    const missing = await b.run(['user:fix-follow-state', 'alice'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('Missing 1 required arg')
    expect(await tables()).toEqual(before)
  })
})
