/**
 * user:prune: each rule with an account on either side of its boundary
 * (29 and 31 days against 30d), the accounts never chosen (staff, invisible,
 * service actors, remote, with posts unless --with-posts), removal as
 * user:rm removes, --deactivate, the dry run's list equal to the effect, the
 * errors with nothing changed.
 */
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {seedBulkUsers, seedFollows, userState, type BulkUser} from '../helpers/bulk'
import {logRows, logUser} from '../helpers/live'

const ALL_TABLES = [...USER_TABLES, 'apps', 'moderation_log']
const DAY = 86400000

/** A UTC timestamp `days` ago (an hour's margin either way is far from any boundary here). */
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString().slice(0, 19).replace('T', ' ')

/** An ordinary account: registered 400 days ago, active yesterday. */
const user = (u: BulkUser): BulkUser => ({insertedAt: ago(400), lastActiveAt: ago(1), ...u})

async function nicknames(b: Backend): Promise<string[]> {
  return (await b.sql<{nickname: string}>(`SELECT nickname FROM users WHERE nickname IS NOT NULL ORDER BY nickname`)).map((r) => r.nickname)
}

/** Runs the dry run and then the real run; checks that the dry run changed nothing and chose what the real run did. */
async function dryThenReal(b: Backend, args: string[]) {
  const before = await dumpTables(b, ALL_TABLES)
  const dry = await b.run(['user:prune', ...args, '--dry-run', '--json'])
  expect(dry.exitCode).toBe(0)
  expect(dry.stderr).toBe('')
  expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
  const real = await b.run(['user:prune', ...args, '--yes', '--json'])
  expect(real.exitCode).toBe(0)
  expect(real.json.accounts.map((a: {nickname: string}) => a.nickname)).toEqual(dry.json.accounts.map((a: {nickname: string}) => a.nickname))
  expect(dry.json.accounts.every((a: {outcome: unknown}) => a.outcome === null)).toBe(true)
  return {dry: dry.json, real: real.json}
}

describeBackends('user:prune', (b) => {
  it('--unconfirmed-for 30d: unconfirmed for 31 days deleted outright (as user:rm), 29 days and confirmed ones kept', async () => {
    await seedBulkUsers(b, [
      user({nickname: 'unc31', confirmed: false, insertedAt: ago(31), tokens: 1}),
      user({nickname: 'unc29', confirmed: false, insertedAt: ago(29)}),
      user({nickname: 'conf31', insertedAt: ago(31)}),
    ])
    const {dry, real} = await dryThenReal(b, ['--unconfirmed-for', '30d'])
    expect(dry).toMatchObject({dryRun: true, action: 'delete', rules: ['unconfirmed-for 30d'], selected: 1, leftOutWithPosts: 0, deleted: 0, purged: 0})
    expect(dry.accounts).toEqual([
      {
        nickname: 'unc31',
        rules: ['unconfirmed-for 30d'],
        registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        lastActiveAt: expect.any(String),
        posts: false,
        outcome: null,
      },
    ])
    expect(real).toMatchObject({dryRun: false, selected: 1, deleted: 1, purged: 0, deactivated: 0, changedMeanwhile: 0})
    expect(real.accounts[0].outcome).toBe('deleted')
    expect(await nicknames(b)).toEqual(['conf31', 'unc29'])
    expect(await b.sql(`SELECT count(*)::int AS n FROM oauth_tokens`)).toEqual([{n: 0}])
  })

  it('--unapproved-for 30d: pending approval for 31 days deleted, 29 days and approved ones kept', async () => {
    await seedBulkUsers(b, [
      user({nickname: 'una31', approved: false, insertedAt: ago(31)}),
      user({nickname: 'una29', approved: false, insertedAt: ago(29)}),
      user({nickname: 'ok31', insertedAt: ago(31)}),
    ])
    const {dry, real} = await dryThenReal(b, ['--unapproved-for', '30d'])
    expect(dry.accounts.map((a: {nickname: string}) => a.nickname)).toEqual(['una31'])
    expect(real).toMatchObject({selected: 1, deleted: 1, purged: 0})
    expect(await nicknames(b)).toEqual(['ok31', 'una29'])
  })

  it('--never-active-for 30d: never active and registered 31 days ago purged (kept reserved), 29 days and once-active ones kept', async () => {
    await seedBulkUsers(b, [
      user({nickname: 'never31', lastActiveAt: null, insertedAt: ago(31), tokens: 1}),
      user({nickname: 'never29', lastActiveAt: null, insertedAt: ago(29)}),
      user({nickname: 'active31', lastActiveAt: ago(31), insertedAt: ago(31)}),
    ])
    const {dry, real} = await dryThenReal(b, ['--never-active-for', '30d'])
    expect(dry.accounts).toEqual([expect.objectContaining({nickname: 'never31', rules: ['never-active-for 30d'], lastActiveAt: null})])
    expect(real).toMatchObject({selected: 1, deleted: 0, purged: 1})
    expect(real.accounts[0].outcome).toBe('purged')
    expect(await userState(b, 'never31')).toMatchObject({is_active: false, email: null, tokens: 0})
    expect(await userState(b, 'never29')).toMatchObject({is_active: true, email: 'never29@example.com'})
    expect(await userState(b, 'active31')).toMatchObject({is_active: true, email: 'active31@example.com'})
    // The Delete of the account was recorded, as user:rm records it.
    expect(await b.sql(`SELECT actor FROM activities WHERE data->>'type' = 'Delete'`)).toEqual([{actor: 'https://pleroma.example/users/never31'}])
  })

  it('--inactive-for 30d: last active 31 days ago purged, 29 days ago and never-active ones kept', async () => {
    await seedBulkUsers(b, [
      user({nickname: 'idle31', lastActiveAt: ago(31)}),
      user({nickname: 'idle29', lastActiveAt: ago(29)}),
      user({nickname: 'never', lastActiveAt: null}),
    ])
    const {dry, real} = await dryThenReal(b, ['--inactive-for', '30d'])
    expect(dry.accounts.map((a: {nickname: string}) => a.nickname)).toEqual(['idle31'])
    expect(real).toMatchObject({selected: 1, purged: 1})
    expect(await userState(b, 'idle31')).toMatchObject({is_active: false, email: null})
    expect(await userState(b, 'idle29')).toMatchObject({is_active: true})
    expect(await userState(b, 'never')).toMatchObject({is_active: true})
  })

  it('rules combine (any matches), each account says which; the human dry run lists who and why', async () => {
    await seedBulkUsers(b, [
      user({nickname: 'both', confirmed: false, lastActiveAt: null, insertedAt: ago(100)}),
      user({nickname: 'unc', confirmed: false, insertedAt: ago(40)}),
      user({nickname: 'idle', lastActiveAt: ago(3 * 365)}),
      user({nickname: 'fine'}),
    ])
    const args = ['--unconfirmed-for', '30d', '--never-active-for', '90d', '--inactive-for', '2y']
    const json = await b.run(['user:prune', ...args, '--dry-run', '--json'])
    expect(json.exitCode).toBe(0)
    expect(json.json.rules).toEqual(['unconfirmed-for 30d', 'never-active-for 90d', 'inactive-for 2y'])
    expect(Object.fromEntries(json.json.accounts.map((a: {nickname: string; rules: string[]}) => [a.nickname, a.rules]))).toEqual({
      both: ['unconfirmed-for 30d', 'never-active-for 90d'],
      unc: ['unconfirmed-for 30d'],
      idle: ['inactive-for 2y'],
    })
    const [both] = await b.sql(`SELECT to_char(inserted_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at FROM users WHERE nickname = 'both'`)
    const [idle] = await b.sql(`SELECT to_char(last_active_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at FROM users WHERE nickname = 'idle'`)
    const human = await b.run(['user:prune', ...args, '--dry-run'])
    expect(human.exitCode).toBe(0)
    expect(human.stdout.split('\n')).toEqual([
      '3 accounts will be deleted (unconfirmed-for 30d or never-active-for 90d or inactive-for 2y):',
      `  both: unconfirmed-for 30d, never-active-for 90d; registered ${both.at}; last active never`,
      expect.stringMatching(/^ {2}unc: unconfirmed-for 30d; registered \S+; last active \S+$/),
      expect.stringMatching(new RegExp(`^  idle: inactive-for 2y; registered \\S+; last active ${idle.at}$`)),
      '',
    ])
    expect(human.stderr).toBe('Dry run: nothing was written.\n')
  })

  it('never chooses admins, moderators, invisible accounts, service actors, remote users; accounts with posts only with --with-posts', async () => {
    const stale = {confirmed: false, insertedAt: ago(60)}
    await seedBulkUsers(b, [
      user({nickname: 'plain', ...stale}),
      user({nickname: 'poster', ...stale, posts: 2}),
      user({nickname: 'root', admin: true, ...stale}),
      user({nickname: 'mod', moderator: true, ...stale}),
      user({nickname: 'ghost', invisible: true, ...stale}),
      user({nickname: 'relay', invisible: true, apId: 'https://pleroma.example/relay', ...stale}),
      user({nickname: 'eve@remote.example', local: false, ...stale}),
    ])
    const dry = await b.run(['user:prune', '--unconfirmed-for', '30d', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toContain('1 account will be deleted (unconfirmed-for 30d):\n')
    expect(dry.stdout).toContain('1 more account matches but has posts (left alone; --with-posts includes them): poster\n')
    const real = await b.run(['user:prune', '--unconfirmed-for', '30d', '--yes', '--json'])
    expect(real.json).toMatchObject({selected: 1, leftOutWithPosts: 1, deleted: 1})
    expect(await nicknames(b)).toEqual(['eve@remote.example', 'ghost', 'mod', 'poster', 'relay', 'root'])
    const withPosts = await b.run(['user:prune', '--unconfirmed-for', '30d', '--with-posts', '--yes', '--json'])
    expect(withPosts.exitCode).toBe(0)
    expect(withPosts.json).toMatchObject({selected: 1, leftOutWithPosts: 0, deleted: 1})
    expect(withPosts.json.accounts).toEqual([expect.objectContaining({nickname: 'poster', posts: true, outcome: 'deleted'})])
    expect(await nicknames(b)).toEqual(['eve@remote.example', 'ghost', 'mod', 'relay', 'root'])
    // Its posts went as user:rm's go: the Creates deleted, a Delete recorded for each post and one for the account.
    expect(
      await b.sql(`SELECT data->>'type' AS type, count(*)::int AS n FROM activities WHERE actor = 'https://pleroma.example/users/poster' GROUP BY 1`),
    ).toEqual([{type: 'Delete', n: 3}])
    // Nothing left to do: a second run chooses nobody.
    const again = await b.run(['user:prune', '--unconfirmed-for', '30d', '--with-posts', '--yes'])
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe('0 accounts will be deleted (unconfirmed-for 30d).\n')
  })

  it('--deactivate: deactivates and signs out (as user:deactivate), keeps the row; --actor logs it; a re-run finds nobody', async () => {
    const ids = await seedBulkUsers(b, [
      user({nickname: 'admin', admin: true}),
      user({nickname: 'idle', lastActiveAt: ago(40), tokens: 2}),
      user({nickname: 'idle2', lastActiveAt: ago(50)}),
      user({nickname: 'fresh', lastActiveAt: ago(2)}),
    ])
    await seedFollows(b, ids, [['idle', 'fresh']])
    const r = await b.run(['user:prune', '--inactive-for', '30d', '--deactivate', '--batch-size', '1', '--actor', 'admin', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({action: 'deactivate', selected: 2, deactivated: 2, deleted: 0, purged: 0})
    expect(r.json.accounts.map((a: {outcome: string}) => a.outcome)).toEqual(['deactivated', 'deactivated'])
    expect(await userState(b, 'idle')).toMatchObject({is_active: false, email: 'idle@example.com', tokens: 0, following_count: 0})
    expect(await userState(b, 'fresh')).toMatchObject({is_active: true, follower_count: 0})
    expect(await userState(b, 'idle2')).toMatchObject({is_active: false, email: 'idle2@example.com'})
    // One entry per batch (--batch-size 1).
    expect((await logRows(b)).map((row) => row.data)).toEqual([
      expect.objectContaining({action: 'deactivate', actor: logUser(ids, 'admin'), subject: [logUser(ids, 'idle')]}),
      expect.objectContaining({action: 'deactivate', actor: logUser(ids, 'admin'), subject: [logUser(ids, 'idle2')]}),
    ])
    const again = await b.run(['user:prune', '--inactive-for', '30d', '--deactivate', '--yes', '--json'])
    expect(again.json).toMatchObject({selected: 0, deactivated: 0})
  })

  it("removes a batch of accounts at once with the end state user:rm of each leaves: follows both ways, the others' counters, sign-ins, Deletes, the log", async () => {
    // Two copies of one small graph: the "a" accounts are chosen by the rules, the "b" ones (recent) are removed by user:rm one by one.
    const ids = await seedBulkUsers(b, [
      user({nickname: 'admin', admin: true}),
      ...['a', 'b'].flatMap((x) => {
        const old = x === 'a'
        return [
          user({nickname: `${x}p1`, lastActiveAt: old ? null : ago(1), tokens: 2}),
          user({nickname: `${x}p2`, lastActiveAt: old ? null : ago(1), tokens: 1}),
          user({nickname: `${x}u`, confirmed: false, insertedAt: old ? ago(60) : ago(10), lastActiveAt: null, tokens: 1}),
          user({nickname: `${x}fan`, tokens: 1}),
        ]
      }),
    ])
    // Only the "a" accounts match; b's never-active unconfirmed account registered 10 days ago does not.
    await b.sql(`UPDATE users SET inserted_at = now() - interval '10 days' WHERE nickname = 'bu'`)
    await seedFollows(
      b,
      ids,
      ['a', 'b'].flatMap((x): Array<[string, string]> => [
        [`${x}p1`, `${x}p2`],
        [`${x}p2`, `${x}fan`],
        [`${x}fan`, `${x}u`],
        [`${x}fan`, `${x}p1`],
      ]),
    )
    const r = await b.run(['user:prune', '--never-active-for', '30d', '--unconfirmed-for', '30d', '--actor', 'admin', '--yes', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({selected: 3, deleted: 1, purged: 2, changedMeanwhile: 0})
    expect(r.json.accounts.map((a: {nickname: string; outcome: string}) => [a.nickname, a.outcome])).toEqual([
      ['ap1', 'purged'],
      ['ap2', 'purged'],
      ['au', 'deleted'],
    ])
    const rm = await b.run(['user:rm', 'bp1', 'bp2', 'bu', '--actor', 'admin', '--yes'])
    expect(rm.exitCode).toBe(0)

    // The same end state for both copies.
    const state = async (x: string) => {
      const rows = []
      for (const n of ['p1', 'p2', 'u', 'fan']) {
        const u = await userState(b, `${x}${n}`)
        rows.push(u && {...u, nickname: n, email: u.email === null ? null : u.email.replace(`${x}${n}`, 'X')})
      }
      const acts = await b.sql(`SELECT data->>'type' AS type, count(*)::int AS n FROM activities WHERE actor LIKE $1 GROUP BY 1 ORDER BY 1`, [
        `https://pleroma.example/users/${x}%`,
      ])
      const [rels] = await b.sql(
        `SELECT count(*)::int AS n FROM following_relationships r JOIN users f ON f.id = r.follower_id JOIN users t ON t.id = r.following_id
          WHERE f.nickname LIKE $1 OR t.nickname LIKE $1`,
        [`${x}%`],
      )
      return {rows, acts, rels: rels.n}
    }
    const a = await state('a')
    expect(a).toEqual(await state('b'))
    expect(a.rows).toEqual([
      expect.objectContaining({nickname: 'p1', is_active: false, email: null, tokens: 0, follower_count: 0, following_count: 0}),
      expect.objectContaining({nickname: 'p2', is_active: false, email: null, tokens: 0}),
      undefined,
      expect.objectContaining({nickname: 'fan', is_active: true, email: 'X@example.com', tokens: 1, follower_count: 0, following_count: 0}),
    ])
    expect(a.acts).toEqual([{type: 'Delete', n: 3}])
    expect(a.rels).toBe(0)
    // One "delete" entry per account, for both.
    expect((await logRows(b)).map((row) => [row.data.action, (row.data.subject as Array<{nickname: string}>)[0].nickname])).toEqual([
      ['delete', 'ap1'],
      ['delete', 'ap2'],
      ['delete', 'au'],
      ['delete', 'bp1'],
      ['delete', 'bp2'],
      ['delete', 'bu'],
    ])
  })

  it('the human run: count, names, one confirmation, the closing line', async () => {
    await seedBulkUsers(b, [user({nickname: 'a1', confirmed: false, insertedAt: ago(31)}), user({nickname: 'a2', lastActiveAt: null, insertedAt: ago(31)})])
    const r = await b.run(['user:prune', '--unconfirmed-for', '30d', '--never-active-for', '30d', '--yes'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(
      '2 accounts will be deleted (unconfirmed-for 30d or never-active-for 30d):\n  a1, a2\nDeleted 2 accounts (1 purged and kept reserved, 1 deleted outright).\n',
    )
  })

  it('refuses without a rule (exit 2), a bad duration (exit 4), no terminal and no -y (exit 1): nothing changed', async () => {
    await seedBulkUsers(b, [user({nickname: 'unc', confirmed: false, insertedAt: ago(31)})])
    const before = await dumpTables(b, ALL_TABLES)
    const none = await b.run(['user:prune', '--yes'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toMatch(/^Error: No rule given\.\nHint: Give at least one of --unconfirmed-for/)
    for (const bad of ['30', '30 days', '-1d', '3x', '']) {
      const r = await b.run(['user:prune', '--unconfirmed-for', bad, '--yes', '--json'])
      expect(r.exitCode).toBe(4)
      expect(r.json.error).toMatchObject({code: 'refused', message: `--unconfirmed-for takes a duration such as 30d, 12h or 2y, not "${bad}".`})
    }
    const noTty = await b.run(['user:prune', '--unconfirmed-for', '30d'])
    expect(noTty.exitCode).toBe(1)
    expect(noTty.stderr).toMatch(/Nothing was changed\. Not confirmed: stdin is not a terminal\./)
    const actor = await b.run(['user:prune', '--unconfirmed-for', '30d', '--actor', 'nobody', '--yes'])
    expect(actor.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
  })
})
