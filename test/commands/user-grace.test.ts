/**
 * Deletion with a grace period: user:rm --grace, user:restore, user:rm --due,
 * user:list --pending-deletion. grace → restore loses nothing (follows,
 * roles, tags, posts; only the sign-ins are gone), grace → due deletes as
 * user:rm does, a restored account is never deleted by a stale marker, two
 * --due runs at once delete each account once, and the refusals change
 * nothing.
 */
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {seedBulkUsers, seedFollows, userState} from '../helpers/bulk'
import {logRows, logUser} from '../helpers/live'
import {runProcess} from '../helpers/cli-process'

const ALL_TABLES = [...USER_TABLES, 'apps', 'moderation_log']
const DUE_TAG = /^pleroma-admin:delete-after:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

/** Every table a restore must give back as it was: the users without updated_at, and the rest whole (tokens aside). */
async function snapshot(b: Backend) {
  const users = await b.sql(
    `SELECT id, nickname, is_active, is_admin, is_moderator, tags, email, bio, note_count, follower_count, following_count, password_hash, last_active_at
       FROM users ORDER BY id`,
  )
  const rest = await dumpTables(b, ['following_relationships', 'activities', 'objects', 'notifications'])
  return {users, ...rest}
}

describeBackends('user:rm --grace, user:restore, user:rm --due', (b) => {
  let ids: Record<string, string>
  beforeEach(async () => {
    ids = await seedBulkUsers(b, [
      {nickname: 'admin', admin: true},
      {nickname: 'alice', moderator: true, tokens: 2, posts: 2, tags: ['old']},
      {nickname: 'bob', tokens: 1},
      {nickname: 'carol', posts: 1},
      {nickname: 'eve@remote.example', local: false},
    ])
    await seedFollows(b, ids, [
      ['alice', 'bob'],
      ['carol', 'alice'],
      ['alice', 'eve@remote.example'],
      ['bob', 'carol'],
    ])
  })

  it('grace → restore: nothing lost (follows, roles, tags, posts, counters); only the sign-ins are gone; logged with --actor', async () => {
    const before = await snapshot(b)
    const dry = await b.run(['user:rm', 'alice', '--grace', '7d', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    expect(dry.json).toMatchObject({nickname: 'alice', wasActive: true, tokensDeleted: 2, followsKept: 3, dryRun: true})
    expect(await snapshot(b)).toEqual(before)

    const started = Date.now()
    const r = await b.run(['user:rm', 'alice', '--grace', '7d', '--actor', 'admin', '--yes'])
    expect(r.exitCode).toBe(0)
    const [line1, line2] = r.stdout.split('\n')
    expect(line1).toMatch(
      /^alice \(local, active\): will be deactivated and signed out now \(2 OAuth tokens deleted\) and deleted once due, at \S+Z \(user:rm --due\); until then its 3 follow relationships, posts, roles and tags are kept \(user:restore alice puts it back\)\.$/,
    )
    expect(line2).toMatch(/^alice deactivated and signed out; its deletion is due at \S+Z\.$/)
    const alice = (await userState(b, 'alice'))!
    expect(alice).toMatchObject({is_active: false, is_moderator: true, tokens: 0, note_count: 2, following_count: 2, follower_count: 1})
    expect(alice.tags).toEqual(['old', expect.stringMatching(DUE_TAG)])
    const due = Date.parse(alice.tags[1].slice('pleroma-admin:delete-after:'.length))
    expect(due).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000 + 7 * 86400000)
    expect(due).toBeLessThanOrEqual(Date.now() + 7 * 86400000)
    // Follows kept; the counters no longer count the sleeping account.
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 4}])
    expect(await userState(b, 'bob')).toMatchObject({follower_count: 0, following_count: 1})
    expect(await userState(b, 'carol')).toMatchObject({following_count: 0})

    const list = await b.run(['user:list', '--pending-deletion'])
    expect(list.stdout).toBe(`alice moderator: true, admin: false, locked: false, deactivated: true, deletion due: ${alice.tags[1].slice(27)}\n`)
    expect((await b.run(['user:list', '--pending-deletion', '--nicknames'])).stdout).toBe('alice\n')

    const restore = await b.run(['user:restore', 'alice', '--actor', 'admin', '--yes', '--json'])
    expect(restore.exitCode).toBe(0)
    expect(restore.json).toMatchObject({nickname: 'alice', dueAt: alice.tags[1].slice(27), active: true, moderationLogged: true, dryRun: false})
    expect(await snapshot(b)).toEqual(before)
    expect((await userState(b, 'alice'))!.tokens).toBe(0)
    expect(await userState(b, 'bob')).toMatchObject({tokens: 1})
    expect((await logRows(b)).map((row) => row.data)).toEqual([
      expect.objectContaining({action: 'deactivate', actor: logUser(ids, 'admin'), subject: [logUser(ids, 'alice')]}),
      expect.objectContaining({action: 'activate', actor: logUser(ids, 'admin'), subject: [logUser(ids, 'alice')]}),
    ])
    expect((await b.run(['user:list', '--pending-deletion'])).stdout).toBe('')
  })

  it('an account inactive before its grace period stays inactive after a restore', async () => {
    await b.sql(`UPDATE users SET is_active = false WHERE nickname = 'bob'`)
    // The counters as Pleroma keeps them: an inactive account is not counted.
    await b.sql(
      `UPDATE users u SET follower_count = (SELECT count(*) FROM following_relationships r JOIN users f ON f.id = r.follower_id WHERE r.following_id = u.id AND r.state = 2 AND f.is_active),
                          following_count = (SELECT count(*) FROM following_relationships r JOIN users t ON t.id = r.following_id WHERE r.follower_id = u.id AND r.state = 2 AND t.is_active)
        WHERE u.local`,
    )
    const before = await snapshot(b)
    expect((await b.run(['user:rm', 'bob', '--grace', '1s', '--yes'])).exitCode).toBe(0)
    expect((await userState(b, 'bob'))!.tags).toEqual([expect.stringMatching(DUE_TAG), 'pleroma-admin:was-inactive'])
    const r = await b.run(['user:restore', 'bob', '--yes'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/it stays inactive, as it was before/)
    expect(r.stdout).toContain('bob restored (inactive, as before).\n')
    expect(await snapshot(b)).toEqual(before)
  })

  it('grace 0d → due: deleted as user:rm deletes (posts, follows, purge, marker gone); a second --due finds nothing', async () => {
    expect((await b.run(['user:rm', 'alice', '--grace', '0d', '--yes'])).exitCode).toBe(0)
    expect((await b.run(['user:rm', 'bob', '--grace', '7d', '--yes'])).exitCode).toBe(0)
    const dry = await b.run(['user:rm', '--due', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    const r = await b.run(['user:rm', '--due', '--actor', 'admin', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({dryRun: false, users: 1, succeeded: 1, failed: 0, skipped: 0})
    expect(r.json.totals).toEqual(dry.json.totals)
    expect(r.json.outcomes).toEqual([
      {
        nickname: 'alice',
        status: 'ok',
        result: expect.objectContaining({nickname: 'alice', posts: 2, followers: 1, follows: 2, tokens: 0, purged: true, deleted: false}),
      },
    ])
    expect(await userState(b, 'alice')).toMatchObject({is_active: false, is_moderator: false, email: null, tags: [], note_count: 0, tokens: 0})
    expect(await b.sql(`SELECT data->>'type' AS type FROM activities WHERE actor = $1 ORDER BY 1`, ['https://pleroma.example/users/alice'])).toEqual([
      {type: 'Delete'},
      {type: 'Delete'},
      {type: 'Delete'},
    ])
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships WHERE follower_id = $1 OR following_id = $1`, [ids.alice])).toEqual([{n: 0}])
    // With --actor, the deletion is user:rm's "delete" entry.
    expect((await logRows(b)).map((row) => row.data)).toEqual([
      expect.objectContaining({action: 'delete', actor: logUser(ids, 'admin'), subject: [logUser(ids, 'alice')]}),
    ])
    // bob is not due yet: untouched, still waiting.
    expect(await userState(b, 'bob')).toMatchObject({is_active: false, email: 'bob@example.com', tags: [expect.stringMatching(DUE_TAG)]})
    const human = await b.run(['user:rm', '--due', '--yes'])
    expect(human).toMatchObject({exitCode: 0, stdout: 'No deletion is due.\n'})
  })

  it('a restored account is never deleted by a stale marker', async () => {
    expect((await b.run(['user:rm', 'alice', '--grace', '0d', '--yes'])).exitCode).toBe(0)
    expect((await b.run(['user:restore', 'alice', '--yes'])).exitCode).toBe(0)
    const before = await dumpTables(b, ALL_TABLES)
    const r = await b.run(['user:rm', '--due', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({users: 0, succeeded: 0})
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    expect(await userState(b, 'alice')).toMatchObject({is_active: true, note_count: 2})
  })

  it('two --due runs at once delete each account once', async () => {
    if (!b.url) return // the embedded database admits one process at a time (embedded-lock.test.ts)
    const many = Array.from({length: 12}, (_, i) => ({nickname: `gone${i}`, posts: 3}))
    await seedBulkUsers(b, many)
    await b.sql(`UPDATE users SET is_active = false, tags = ARRAY['pleroma-admin:delete-after:2020-01-01T00:00:00Z']::varchar[] WHERE nickname LIKE 'gone%'`)
    const args = ['user:rm', '--due', '--yes', '--json', '--database-url', b.url, '--instance-url', 'https://pleroma.example']
    const [one, two] = await Promise.all([runProcess(args), runProcess(args)])
    const outcomes = [one, two].map((p) => JSON.parse(p.stdout) as {succeeded: number; outcomes: Array<{nickname: string; status: string}>})
    expect([one.code, two.code]).toEqual([0, 0])
    const deletedBy = (n: string) => outcomes.filter((o) => o.outcomes.some((x) => x.nickname === n && x.status === 'ok')).length
    for (const u of many) expect({nickname: u.nickname, runs: deletedBy(u.nickname)}).toEqual({nickname: u.nickname, runs: 1})
    expect(outcomes[0].succeeded + outcomes[1].succeeded).toBe(12)
    const deletes = await b.sql(
      `SELECT actor, count(*)::int AS n FROM activities WHERE data->>'type' = 'Delete' AND data->>'object' = actor GROUP BY actor ORDER BY actor`,
    )
    expect(deletes).toHaveLength(12)
    expect(deletes.every((d) => d.n === 1)).toBe(true)
    expect(await b.sql(`SELECT count(*)::int AS n FROM users WHERE nickname LIKE 'gone%' AND (is_active OR email IS NOT NULL OR tags <> '{}')`)).toEqual([
      {n: 0},
    ])
  })

  it('refusals change nothing: pending already (4), restore of an account not pending (4), a bad --grace (4), --due with a nickname or --grace (2)', async () => {
    expect((await b.run(['user:rm', 'alice', '--grace', '7d', '--yes'])).exitCode).toBe(0)
    const before = await dumpTables(b, ALL_TABLES)
    const again = await b.run(['user:rm', 'alice', '--grace', '1d', '--yes'])
    expect(again.exitCode).toBe(4)
    expect(again.stderr).toMatch(
      /^Error: alice is waiting for its deletion already \(due \S+Z\)\.\nHint: Nothing was changed; `pleroma-admin user:restore alice` cancels it/,
    )
    const notPending = await b.run(['user:restore', 'bob', '--yes', '--json'])
    expect(notPending.exitCode).toBe(4)
    expect(notPending.json.error).toMatchObject({code: 'refused', message: 'bob is not waiting for a deletion.'})
    const bad = await b.run(['user:rm', 'bob', '--grace', '7 days', '--yes'])
    expect(bad.exitCode).toBe(4)
    expect(bad.stderr).toMatch(/^Error: --grace takes a duration such as 30d, 12h or 2y, not "7 days"\./)
    const nick = await b.run(['user:rm', 'bob', '--due', '--yes'])
    expect(nick.exitCode).toBe(2)
    expect(nick.stderr).toMatch(/--due takes no nickname/)
    const both = await b.run(['user:rm', '--due', '--grace', '1d', '--yes'])
    expect(both.exitCode).toBe(2)
    const nobody = await b.run(['user:restore', 'nobody', '--yes'])
    expect(nobody.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
  })

  it('several at once: grace and restore through --stdin, staff skipped by --grace', async () => {
    const r = await b.run(['user:rm', '--stdin', '--grace', '7d', '--yes', '--json'], {stdin: 'bob\ncarol\nadmin\nnobody\n'})
    expect(r.exitCode).toBe(3)
    expect(r.json).toMatchObject({succeeded: 2, failed: 1, skipped: 1, totals: {tokensDeleted: 1}})
    const stdin = (await b.run(['user:list', '--pending-deletion', '--nicknames'])).stdout
    expect(stdin).toBe('bob\ncarol\n')
    const back = await b.run(['user:restore', '--stdin', '--yes', '--json'], {stdin})
    expect(back.exitCode).toBe(0)
    expect(back.json).toMatchObject({succeeded: 2, totals: {reactivated: 2}})
    expect(await userState(b, 'bob')).toMatchObject({is_active: true, tags: []})
  })
})
