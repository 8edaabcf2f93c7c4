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
import {BASE, seedBulkUsers, seedFollows, userState} from '../helpers/bulk'
import {seedActivities} from '../helpers/social-graph'
import {flakeIdToString} from '../../src/db/flake-id'
import {logRows, logUser} from '../helpers/live'
import {runProcess} from '../helpers/cli-process'

const ALL_TABLES = [...USER_TABLES, 'apps', 'moderation_log']
const DUE_TAG = /^pleroma-admin:delete-after:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

/**
 * Every table a restore must give back as it was: the users' rows (every
 * column but updated_at), follows (pending ones too), blocks and mutes,
 * posts, notifications, and the sign-ins of the other users (`signedOut`'s
 * are gone, by design).
 */
async function snapshot(b: Backend, signedOut: string) {
  const users = (await b.sql(`SELECT * FROM users ORDER BY id`)).map((u) => ({...u, updated_at: undefined}))
  const rest = await dumpTables(b, ['following_relationships', 'user_relationships', 'activities', 'objects', 'notifications', 'apps'])
  const others = `WHERE user_id NOT IN (SELECT id FROM users WHERE nickname = $1) ORDER BY id`
  const oauthTokens = await b.sql(`SELECT * FROM oauth_tokens ${others}`, [signedOut])
  const oauthAuthorizations = await b.sql(`SELECT * FROM oauth_authorizations ${others}`, [signedOut])
  return {users, ...rest, oauthTokens, oauthAuthorizations}
}

/** The sign-ins (OAuth tokens and authorizations) of one user. */
async function signIns(b: Backend, nickname: string): Promise<{tokens: number; authorizations: number}> {
  const [row] = await b.sql(
    `SELECT (SELECT count(*)::int FROM oauth_tokens t WHERE t.user_id = u.id) AS tokens,
            (SELECT count(*)::int FROM oauth_authorizations a WHERE a.user_id = u.id) AS authorizations
       FROM users u WHERE nickname = $1`,
    [nickname],
  )
  return row
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

  it("grace → restore: nothing lost (follows pending too, blocks and mutes, roles, tags, posts, counters, the others' sign-ins); only its own sign-ins are gone; logged with --actor", async () => {
    // What a sleeping account must keep besides its accepted follows: a pending follow request, a block, a mute of it; its sign-ins and bob's.
    await b.sql(
      `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at) VALUES ($1, $2, 1, '2024-01-02 03:04:05', '2024-01-02 03:04:05')`,
      [ids.alice, ids.admin],
    )
    await b.sql(
      `INSERT INTO user_relationships (source_id, target_id, relationship_type, inserted_at) VALUES ($1, $2, 1, '2024-01-02 03:04:05'), ($3, $1, 2, '2024-01-02 03:04:05')`,
      [ids.alice, ids['eve@remote.example'], ids.bob],
    )
    const [app] = await b.sql(`SELECT id FROM apps WHERE client_id = 'bulk-client'`)
    await b.sql(
      `INSERT INTO oauth_authorizations (app_id, user_id, token, inserted_at, updated_at) VALUES ($1, $2, 'auth-alice', '2024-01-02 03:04:05', '2024-01-02 03:04:05'), ($1, $3, 'auth-bob', '2024-01-02 03:04:05', '2024-01-02 03:04:05')`,
      [app.id, ids.alice, ids.bob],
    )
    const before = await snapshot(b, 'alice')
    expect(await signIns(b, 'alice')).toEqual({tokens: 2, authorizations: 1})
    const dry = await b.run(['user:rm', 'alice', '--grace', '7d', '--dry-run', '--json'])
    expect(dry.exitCode).toBe(0)
    expect(dry.json).toMatchObject({nickname: 'alice', wasActive: true, tokensDeleted: 2, followsKept: 4, dryRun: true})
    expect(await snapshot(b, 'alice')).toEqual(before)
    expect(await signIns(b, 'alice')).toEqual({tokens: 2, authorizations: 1})

    const started = Date.now()
    const r = await b.run(['user:rm', 'alice', '--grace', '7d', '--actor', 'admin', '--yes'])
    expect(r.exitCode).toBe(0)
    const [line1, line2] = r.stdout.split('\n')
    expect(line1).toMatch(
      /^alice \(local, active\): will be deactivated and signed out now \(2 OAuth tokens deleted\) and deleted once due, at \S+Z \(user:rm --due\); until then its 4 follow relationships, posts, roles and tags are kept \(user:restore alice puts it back\)\.$/,
    )
    expect(line2).toMatch(/^alice deactivated and signed out; its deletion is due at \S+Z\.$/)
    const alice = (await userState(b, 'alice'))!
    expect(alice).toMatchObject({is_active: false, is_moderator: true, tokens: 0, note_count: 2, following_count: 2, follower_count: 1})
    expect(alice.tags).toEqual(['old', expect.stringMatching(DUE_TAG)])
    const due = Date.parse(alice.tags[1].slice('pleroma-admin:delete-after:'.length))
    expect(due).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000 + 7 * 86400000)
    expect(due).toBeLessThanOrEqual(Date.now() + 7 * 86400000)
    // Follows kept (the pending request too); the counters no longer count the sleeping account.
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 5}])
    expect(await b.sql(`SELECT count(*)::int AS n FROM user_relationships`)).toEqual([{n: 2}])
    expect(await userState(b, 'bob')).toMatchObject({follower_count: 0, following_count: 1})
    expect(await userState(b, 'carol')).toMatchObject({following_count: 0})

    const list = await b.run(['user:list', '--pending-deletion'])
    expect(list.stdout).toBe(`alice moderator: true, admin: false, locked: false, deactivated: true, deletion due: ${alice.tags[1].slice(27)}\n`)
    expect((await b.run(['user:list', '--pending-deletion', '--nicknames'])).stdout).toBe('alice\n')

    const restore = await b.run(['user:restore', 'alice', '--actor', 'admin', '--yes', '--json'])
    expect(restore.exitCode).toBe(0)
    expect(restore.json).toMatchObject({nickname: 'alice', dueAt: alice.tags[1].slice(27), active: true, moderationLogged: true, dryRun: false})
    expect(await snapshot(b, 'alice')).toEqual(before)
    expect(await signIns(b, 'alice')).toEqual({tokens: 0, authorizations: 0})
    expect(await signIns(b, 'bob')).toEqual({tokens: 1, authorizations: 1})
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
    const before = await snapshot(b, 'bob')
    expect((await b.run(['user:rm', 'bob', '--grace', '1s', '--yes'])).exitCode).toBe(0)
    expect((await userState(b, 'bob'))!.tags).toEqual([expect.stringMatching(DUE_TAG), 'pleroma-admin:was-inactive'])
    const r = await b.run(['user:restore', 'bob', '--yes'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/it stays inactive, as it was before/)
    expect(r.stdout).toContain('bob restored (inactive, as before).\n')
    expect(await snapshot(b, 'bob')).toEqual(before)
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

  it('grace → due deletes exactly as a plain user:rm: the same end state (rows, follows both ways, counters, posts, likes, jobs) and the same result but the tokens signed out before', async () => {
    // Two copies of one small graph: g's account goes through --grace 0d and --due, r's is removed by user:rm.
    const copy = await seedBulkUsers(
      b,
      ['g', 'r'].flatMap((x) => [
        {nickname: `${x}del`, moderator: true, tokens: 2, posts: 2, tags: ['old']},
        {nickname: `${x}fan`, tokens: 1, posts: 1},
        {nickname: `${x}friend`},
        {nickname: `${x}rem@remote.example`, local: false},
      ]),
    )
    await seedFollows(
      b,
      copy,
      ['g', 'r'].flatMap((x): Array<[string, string]> => [
        [`${x}fan`, `${x}del`],
        [`${x}del`, `${x}friend`],
        [`${x}del`, `${x}fan`],
        [`${x}rem@remote.example`, `${x}del`],
        [`${x}del`, `${x}rem@remote.example`],
        [`${x}fan`, `${x}friend`],
      ]),
    )
    // The remote follower has an inbox: on Pleroma's layout the deletion is delivered there (oban_jobs).
    await b.sql(`UPDATE users SET inbox = ap_id || '/inbox' WHERE NOT local`)
    await seedActivities(
      b,
      ['g', 'r'].flatMap((x) => [
        {name: `${x}fan-likes-del`, actor: `${BASE}/users/${x}fan`, type: 'Like', object: `${BASE}/objects/${x}del-post-0`},
        {name: `${x}del-likes-fan`, actor: `${BASE}/users/${x}del`, type: 'Like', object: `${BASE}/objects/${x}fan-post-0`},
      ]),
    )
    const grace = await b.run(['user:rm', 'gdel', '--grace', '0d', '--yes'])
    expect({exitCode: grace.exitCode, stderr: grace.stderr}).toEqual({exitCode: 0, stderr: ''})
    const due = await b.run(['user:rm', '--due', '--yes', '--json'])
    expect({exitCode: due.exitCode, stderr: due.stderr}).toEqual({exitCode: 0, stderr: ''})
    expect(due.json).toMatchObject({users: 1, succeeded: 1, failed: 0, skipped: 0})
    const rm = await b.run(['user:rm', 'rdel', '--yes', '--json'])
    expect({exitCode: rm.exitCode, stderr: rm.stderr}).toEqual({exitCode: 0, stderr: ''})
    // The same result, but for the tokens: --grace signed them out already.
    const dueResult = due.json.outcomes[0].result
    expect({...dueResult, nickname: 'X', tokens: 2}).toEqual({...rm.json, nickname: 'X'})
    expect(rm.json).toMatchObject({posts: 2, likesAndAnnounces: 1, followers: 2, follows: 3, tokens: 2, purged: true, deleted: false})
    expect(dueResult.tokens).toBe(0)

    const state = async (x: string) => {
      const rename = (text: string | null) => (text === null ? null : text.replace(new RegExp(`\\b${x}(del|fan|friend|rem)`, 'g'), 'X$1'))
      const rows = []
      for (const n of ['del', 'fan', 'friend', 'rem@remote.example']) {
        const u = await userState(b, `${x}${n}`)
        rows.push(u && {...u, nickname: n, email: rename(u.email)})
      }
      const like = [`${BASE}/users/${x}%`, `https://remote.example/users/${x}%`]
      const activities = await b.sql(
        `SELECT id, actor, data->>'type' AS type, data->>'object' AS object FROM activities WHERE actor LIKE $1 OR actor LIKE $2 ORDER BY 2, 3, 4`,
        like,
      )
      // A delivery names its activity by its flake id: the activity's type and object instead.
      const byFlakeId = new Map(activities.map((a) => [flakeIdToString(a.id), `${a.type} ${rename(a.object)}`]))
      const objects = await b.sql(`SELECT data->>'id' AS id, data->>'type' AS type FROM objects WHERE data->>'id' LIKE $1 ORDER BY 1`, [
        `${BASE}/objects/${x}%`,
      ])
      const follows = await b.sql(
        `SELECT f.nickname AS follower, t.nickname AS following, r.state FROM following_relationships r
           JOIN users f ON f.id = r.follower_id JOIN users t ON t.id = r.following_id
          WHERE f.nickname LIKE $1 OR t.nickname LIKE $1 ORDER BY 1, 2`,
        [`${x}%`],
      )
      const [{jobs}] = await b.sql(`SELECT to_regclass('oban_jobs') IS NOT NULL AS jobs`)
      const queued = jobs
        ? await b.sql(`SELECT worker, queue, args::text AS args FROM oban_jobs WHERE args::text LIKE $1 ORDER BY 1, 2, 3`, [`%/users/${x}%`])
        : []
      return {
        rows,
        activities: activities.map((a) => ({actor: rename(a.actor), type: a.type, object: rename(a.object)})),
        objects: objects.map((o) => ({...o, id: rename(o.id)})),
        follows: follows.map((f) => ({...f, follower: rename(f.follower), following: rename(f.following)})),
        queued: queued
          .map((j) => ({...j, args: rename(j.args.replace(/"activity_id": "(\w+)"/, (_: string, id: string) => `"activity": "${byFlakeId.get(id) ?? id}"`))}))
          .sort((p, q) => p.args.localeCompare(q.args)),
      }
    }
    const g = await state('g')
    expect(g).toEqual(await state('r'))
    // And what that state is: the account purged, its follows gone both ways, the others' counters recounted.
    expect(g.rows).toEqual([
      expect.objectContaining({
        nickname: 'del',
        is_active: false,
        is_moderator: false,
        email: null,
        tags: [],
        note_count: 0,
        tokens: 0,
        follower_count: 0,
        following_count: 0,
      }),
      expect.objectContaining({nickname: 'fan', is_active: true, email: 'Xfan@example.com', tokens: 1, note_count: 1, follower_count: 0, following_count: 1}),
      expect.objectContaining({nickname: 'friend', is_active: true, follower_count: 1, following_count: 0}),
      expect.objectContaining({nickname: 'rem@remote.example', is_active: true}),
    ])
    expect(g.follows).toEqual([{follower: 'Xfan', following: 'Xfriend', state: 2}])
    // Pleroma's layout queues the deliveries to the remote follower (the same three for both); the others have no queue to fill.
    expect(g.queued.map((j) => JSON.parse(j.args).params.activity)).toEqual(
      b.name === 'pleroma' ? [`Delete ${BASE}/objects/Xdel-post-0`, `Delete ${BASE}/objects/Xdel-post-1`, `Delete ${BASE}/users/Xdel`] : [],
    )
    // Its two posts and itself deleted, its like of fan's post undone; fan's like of its post gone with the post.
    expect(g.activities.filter((a) => a.actor === `${BASE}/users/Xdel`).map((a) => a.type)).toEqual(['Delete', 'Delete', 'Delete', 'Undo'])
    expect(g.activities.filter((a) => a.actor === `${BASE}/users/Xfan`).map((a) => a.type)).toEqual(['Create'])
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

  it('two --due runs at once delete each account once (separate processes; the embedded database lets one wait for the other)', async () => {
    const many = Array.from({length: 12}, (_, i) => ({nickname: `gone${i}`, posts: 3}))
    await seedBulkUsers(b, many)
    await b.sql(`UPDATE users SET is_active = false, tags = ARRAY['pleroma-admin:delete-after:2020-01-01T00:00:00Z']::varchar[] WHERE nickname LIKE 'gone%'`)
    const args = ['user:rm', '--due', '--yes', '--json', '--instance-url', 'https://pleroma.example']
    const [one, two] = await b.asProcesses!((env) => Promise.all([runProcess(args, {env}), runProcess(args, {env})]))
    expect([one.code, two.code]).toEqual([0, 0])
    const outcomes = [one, two].map((p) => JSON.parse(p.stdout) as {succeeded: number; failed: number; outcomes: Array<{nickname: string; status: string}>})
    const deletedBy = (n: string) => outcomes.filter((o) => o.outcomes.some((x) => x.nickname === n && x.status === 'ok')).length
    for (const u of many) expect({nickname: u.nickname, runs: deletedBy(u.nickname)}).toEqual({nickname: u.nickname, runs: 1})
    expect(outcomes[0].succeeded + outcomes[1].succeeded).toBe(12)
    expect(outcomes[0].failed + outcomes[1].failed).toBe(0)
    const deletes = await b.sql(
      `SELECT actor, count(*)::int AS n FROM activities WHERE data->>'type' = 'Delete' AND data->>'object' = actor GROUP BY actor ORDER BY actor`,
    )
    expect(deletes).toHaveLength(12)
    expect(deletes.every((d) => d.n === 1)).toBe(true)
    // Each post deleted once too: one Delete per post, no Create left.
    expect(await b.sql(`SELECT data->>'type' AS type, count(*)::int AS n FROM activities WHERE actor LIKE '%/users/gone%' GROUP BY 1`)).toEqual([
      {type: 'Delete', n: 12 * 4},
    ])
    expect(await b.sql(`SELECT count(*)::int AS n FROM users WHERE nickname LIKE 'gone%' AND (is_active OR email IS NOT NULL OR tags <> '{}')`)).toEqual([
      {n: 0},
    ])
    // The other accounts untouched, nothing left due.
    expect(await userState(b, 'alice')).toMatchObject({is_active: true, note_count: 2, tokens: 2})
    expect((await b.run(['user:rm', '--due', '--yes'])).stdout).toBe('No deletion is due.\n')
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
