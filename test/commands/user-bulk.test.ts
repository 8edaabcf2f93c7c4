/**
 * Many users at once (src/bulk-users.ts, BaseCommand.forUsers): the
 * per-user commands given several nicknames or --stdin, fed by
 * `user:list --nicknames`; the selection (staff, invisible and service
 * actors skipped by destructive commands), the preview equal to the effect,
 * per-user failures, the final line, --json and the exit code.
 */
import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {MIXED_USERS, seedBulkUsers, seedFollows, userState} from '../helpers/bulk'
import {runShell} from '../helpers/cli-process'

const ALL_TABLES = [...USER_TABLES, 'apps']

/** `user:list ARGS --nicknames`, its stdout (and that it succeeded). */
async function listNicknames(b: Backend, args: string[] = []): Promise<string> {
  const r = await b.run(['user:list', ...args, '--nicknames'])
  expect({stderr: r.stderr, exitCode: r.exitCode}).toEqual({stderr: '', exitCode: 0})
  return r.stdout
}

describeBackends('several users at once', (b) => {
  let ids: Record<string, string>
  beforeEach(async () => {
    ids = await seedBulkUsers(b, MIXED_USERS)
    await seedFollows(b, ids, [
      ['alice', 'bob'],
      ['carol', 'alice'],
      ['root', 'alice'],
    ])
  })

  it('user:list --nicknames prints only the nicknames, one per line (local ones, not internal.*), with the filters', async () => {
    expect(await listNicknames(b)).toBe('alice\nbob\ncarol\nroot\nmod\nghost\nrelay\n')
    expect(await listNicknames(b, ['--admin'])).toBe('root\n')
    expect(await listNicknames(b, ['--remote'])).toBe('eve@remote.example\n')
    expect(await listNicknames(b, ['--search', 'nobody-matches'])).toBe('')
    const both = await b.run(['user:list', '--nicknames', '--ndjson'])
    expect(both.exitCode).toBe(2)
    expect(both.stdout).toBe('')
    expect(both.stderr).toMatch(/--ndjson=true cannot also be provided when using --nicknames/)
    const json = await b.run(['user:list', '--nicknames', '--json'])
    expect(json.exitCode).toBe(2)
    expect(json.json.error).toMatchObject({code: 'usage'})
  })

  it('list --nicknames | rm --stdin: a dry run previews exactly what the real run does; staff, invisible and service actors skipped, a not-found reported, exit 3', async () => {
    const stdin = (await listNicknames(b)) + 'nobody\n# a comment\n\neve@remote.example\n'
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:rm', '--stdin', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    expect(dry.json).toMatchObject({dryRun: true, users: 9, succeeded: 3, failed: 2, skipped: 4, interrupted: false})
    // alice's follower carol is deleted after her: counted once, as the real run meets it.
    expect(dry.json.totals).toEqual({posts: 3, likesAndAnnounces: 0, followers: 2, follows: 1, tokens: 4, purged: 3, deleted: 0})
    const statusOf = (json: {outcomes: Array<{nickname: string; status: string; reason?: string; error?: {code: string}}>}) =>
      Object.fromEntries(
        json.outcomes.map((o) => [o.nickname, o.status === 'skipped' ? `skipped: ${o.reason}` : o.status === 'failed' ? `failed: ${o.error!.code}` : o.status]),
      )
    const expected = {
      alice: 'ok',
      bob: 'ok',
      carol: 'ok',
      root: 'skipped: admin',
      mod: 'skipped: moderator',
      ghost: 'skipped: invisible',
      relay: 'skipped: service actor',
      nobody: 'failed: not_found',
      'eve@remote.example': 'failed: refused',
    }
    expect(statusOf(dry.json)).toEqual(expected)

    const real = await b.run(['user:rm', '--stdin', '--yes', '--json'], {stdin})
    expect(real.exitCode).toBe(3)
    expect(statusOf(real.json)).toEqual(expected)
    // The preview is the effect: the same totals.
    expect(real.json.totals).toEqual(dry.json.totals)
    expect(real.json.outcomes.find((o: {nickname: string}) => o.nickname === 'alice').result).toMatchObject({
      nickname: 'alice',
      posts: 2,
      purged: true,
      dryRun: false,
    })
    for (const nick of ['alice', 'bob', 'carol']) expect(await userState(b, nick)).toMatchObject({is_active: false, email: null, tokens: 0, note_count: 0})
    for (const nick of ['root', 'mod', 'ghost']) expect(await userState(b, nick)).toMatchObject({is_active: true, email: `${nick}@example.com`, tokens: 1})
    expect(await userState(b, 'root')).toMatchObject({note_count: 1, following_count: 0})
    const posts = await b.sql(`SELECT actor FROM activities WHERE data->>'type' = 'Create' ORDER BY actor`)
    expect(posts.map((p) => p.actor)).toEqual(['https://pleroma.example/users/root'])
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 0}])
  })

  it("README's line through a real pipe: `user:list --unconfirmed --created-before 2026-01-01 --nicknames | user:rm --stdin --yes` (separate processes started at once), with a not-found appended; the preview's summary is the real run's", async () => {
    // Never confirmed: alice, bob, root (an admin) and ghost (invisible); carol did confirm.
    await b.sql(`UPDATE users SET is_confirmed = false WHERE nickname IN ('alice', 'bob', 'root', 'ghost')`)
    const list = ['user:list', '--unconfirmed', '--created-before', '2026-01-01', '--nicknames']
    expect(await listNicknames(b, list.slice(1, -1))).toBe('alice\nbob\nroot\nghost\n')
    const summary = [
      '2 users will be deleted: alice, bob',
      // Never confirmed: deleted outright, not purged and kept reserved.
      '  in all: 3 posts, 2 followers, 1 follow, 3 OAuth tokens, 2 accounts deleted outright',
      '  skipped: root (admin), ghost (invisible)',
      '  failed: nobody (No local user nobody)',
    ]
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:rm', '--stdin', '--dry-run'], {stdin: (await listNicknames(b, list.slice(1, -1))) + 'nobody\n'})
    expect(dry.exitCode).toBe(3)
    expect(dry.stdout.split('\n')).toEqual([...summary, 'Dry run: 2 would succeed, 1 failed, 2 skipped.', ''])
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)

    const real = await b.asProcesses!((env) => runShell(`{ pleroma-admin ${list.join(' ')}; echo nobody; } | pleroma-admin user:rm --stdin --yes`, {env}))
    expect(real.code).toBe(3)
    // Then each user as user:rm alone shows and does it (on Pleroma's layout with its federation line).
    const federation = b.name === 'pleroma' ? ["Federation: 0 deliveries to 0 servers will be queued in the server's Pleroma job queue."] : []
    expect(real.stdout.split('\n')).toEqual([
      ...summary,
      'alice (local, active, pending confirmation): 2 posts, 0 likes and announces, 2 followers, 1 follow, 2 OAuth tokens will be deleted; the account will be deleted (it was pending confirmation)',
      ...federation,
      'User alice deleted.',
      'bob (local, active, pending confirmation): 1 post, 0 likes and announces, 0 followers, 0 follows, 1 OAuth token will be deleted; the account will be deleted (it was pending confirmation)',
      ...federation,
      'User bob deleted.',
      '2 succeeded, 1 failed, 2 skipped.',
      '',
    ])
    // The not-found was found by the preview: reported in the summary (stdout), nothing on stderr; no process waited for another's lock.
    expect(real.stderr).toBe('')
    for (const nick of ['alice', 'bob']) expect(await userState(b, nick)).toBeUndefined()
    expect(await b.sql(`SELECT count(*)::int AS n FROM oauth_tokens`)).toEqual([{n: 4}])
    for (const nick of ['root', 'ghost', 'carol']) expect(await userState(b, nick)).toMatchObject({is_active: true, email: `${nick}@example.com`, tokens: 1})
    expect(await userState(b, 'root')).toMatchObject({note_count: 1, following_count: 0})
    expect(await userState(b, 'carol')).toMatchObject({following_count: 0})
    const posts = await b.sql(`SELECT actor FROM activities WHERE data->>'type' = 'Create' ORDER BY actor`)
    expect(posts.map((p) => p.actor)).toEqual(['https://pleroma.example/users/root'])
    expect(await b.sql(`SELECT count(*)::int AS n FROM following_relationships`)).toEqual([{n: 0}])
  })

  it('the human output: one summary, the per-user lines, the final line; the failures on stderr too', async () => {
    const r = await b.run(['user:rm', 'alice', 'root', 'nobody', 'bob', '--yes'])
    expect(r.exitCode).toBe(3)
    const lines = r.stdout.split('\n')
    expect(lines.slice(0, 4)).toEqual([
      '2 users will be deleted: alice, bob',
      // carol and root follow alice; alice's follow of bob goes with alice, before bob's turn.
      '  in all: 3 posts, 2 followers, 1 follow, 3 OAuth tokens, 2 accounts purged',
      '  skipped: root (admin)',
      '  failed: nobody (No local user nobody)',
    ])
    expect(r.stdout).toContain('User alice deleted.\n')
    expect(r.stdout).toContain('User bob deleted.\n')
    expect(lines.at(-2)).toBe('2 succeeded, 1 failed, 1 skipped.')
    expect(await userState(b, 'root')).toMatchObject({is_active: true, tokens: 1})
  })

  it('an empty nickname among several is a usage error (exit 2) before anything is written', async () => {
    const before = await dumpTables(b, ALL_TABLES)
    const r = await b.run(['user:rm', 'alice', '', 'bob', '--yes'])
    expect(r.exitCode).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      'Error: Nickname 2 of 3 is empty.\nHint: Give each nickname as a non-empty argument (a variable that expanded to nothing?); nothing was changed.\n',
    )
    const json = await b.run(['user:sign-out', 'alice', ' ', '--yes', '--json'])
    expect(json.exitCode).toBe(2)
    expect(json.json.error).toMatchObject({code: 'usage', message: 'Nickname 2 of 2 is empty.'})
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
  })

  it('--include-staff acts on admins, moderators, invisible and service actors too', async () => {
    const r = await b.run(['user:sign-out', '--stdin', '--include-staff', '--yes', '--json'], {stdin: 'root\nmod\nghost\nalice\n'})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({succeeded: 4, failed: 0, skipped: 0, totals: {tokensDeleted: 5, authorizationsDeleted: 0}})
    for (const nick of ['root', 'mod', 'ghost', 'alice']) expect((await userState(b, nick))!.tokens).toBe(0)
    expect((await userState(b, 'bob'))!.tokens).toBe(1)
  })

  it('list --nicknames | sign-out --stdin: the dry run is the effect; the others signed out, staff kept, not-found reported (exit 3)', async () => {
    // Authorizations too: bob's goes, root's (an admin's) stays.
    const [app] = await b.sql(`SELECT id FROM apps WHERE client_id = 'bulk-client'`)
    await b.sql(
      `INSERT INTO oauth_authorizations (app_id, user_id, token, inserted_at, updated_at) VALUES ($1, $2, 'auth-bob', now(), now()), ($1, $3, 'auth-root', now(), now())`,
      [app.id, ids.bob, ids.root],
    )
    const signIns = async () =>
      (await b.sql(`SELECT (SELECT count(*)::int FROM oauth_tokens) AS tokens, (SELECT count(*)::int FROM oauth_authorizations) AS authorizations`))[0]
    const stdin = (await listNicknames(b)) + 'nobody\n'
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:sign-out', '--stdin', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(dry.json).toMatchObject({dryRun: true, users: 8, succeeded: 3, failed: 1, skipped: 4})
    expect(dry.json.totals).toEqual({tokensDeleted: 4, authorizationsDeleted: 1})
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    const was = await signIns()
    const r = await b.run(['user:sign-out', '--stdin', '--yes'], {stdin})
    expect(r.exitCode).toBe(3)
    // What the real run did is what the dry run said.
    const now = await signIns()
    expect({tokensDeleted: was.tokens - now.tokens, authorizationsDeleted: was.authorizations - now.authorizations}).toEqual(dry.json.totals)
    expect(await b.sql(`SELECT u.nickname FROM oauth_authorizations a JOIN users u ON u.id = a.user_id`)).toEqual([{nickname: 'root'}])
    expect(r.stdout.split('\n')[0]).toBe('3 users will be signed out: alice, bob, carol')
    expect(r.stdout).toContain('  in all: 4 OAuth tokens, 1 authorization\n')
    expect(r.stdout).toContain('  skipped: root (admin), mod (moderator), ghost (invisible), relay (service actor)\n')
    expect(r.stdout).toContain('alice signed out from all apps.\n')
    expect(r.stdout.trim().split('\n').at(-1)).toBe('3 succeeded, 1 failed, 4 skipped.')
    const tokens = await b.sql(`SELECT u.nickname, count(t.id)::int AS n FROM users u LEFT JOIN oauth_tokens t ON t.user_id = u.id GROUP BY 1 ORDER BY 1`)
    expect(Object.fromEntries(tokens.map((t) => [t.nickname, t.n]))).toEqual({
      alice: 0,
      bob: 0,
      carol: 0,
      root: 1,
      mod: 1,
      ghost: 1,
      relay: 0,
      'internal.fetch': 0,
      'eve@remote.example': 0,
    })
  })

  it('list --nicknames | toggle-activated --stdin: deactivates the others, keeps staff active, reports the unknown', async () => {
    const stdin = (await listNicknames(b, ['--active'])) + 'nobody\neve@remote.example\n'
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:toggle-activated', '--stdin', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    const r = await b.run(['user:toggle-activated', '--stdin', '-y', '--json'], {stdin})
    expect(r.exitCode).toBe(3)
    expect(r.json).toMatchObject({succeeded: 4, failed: 1, skipped: 4})
    expect(r.json.totals).toEqual(dry.json.totals)
    expect(r.json.totals).toEqual({activated: 0, deactivated: 4, followsRemoved: 1})
    const active = await b.sql(`SELECT nickname FROM users WHERE is_active ORDER BY nickname`)
    expect(active.map((u) => u.nickname)).toEqual(['ghost', 'internal.fetch', 'mod', 'relay', 'root'])
    // alice's follow of bob (active, local) went, as set_activation does; the counters follow.
    expect(await userState(b, 'bob')).toMatchObject({follower_count: 0})
  })

  it('list --nicknames | deactivate --stdin: the preview is the effect; staff skipped, an inactive user skipped (not a failure), a not-found reported (exit 3)', async () => {
    await b.sql(`UPDATE users SET is_active = false WHERE nickname = 'carol'`)
    const stdin = (await listNicknames(b)) + 'nobody\neve@remote.example\n'
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:deactivate', '--stdin', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(3)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    const r = await b.run(['user:deactivate', '--stdin', '--yes', '--json'], {stdin})
    expect(r.exitCode).toBe(3)
    expect(r.json).toMatchObject({users: 9, succeeded: 3, failed: 1, skipped: 5})
    expect(r.json.totals).toEqual(dry.json.totals)
    // alice's follow of bob goes (set_activation); 3 tokens: alice's 2, bob's 1 (carol was skipped).
    expect(r.json.totals).toEqual({followsRemoved: 1, tokensDeleted: 3})
    const reasons = Object.fromEntries(r.json.outcomes.map((o: {nickname: string; status: string; reason?: string}) => [o.nickname, o.reason ?? o.status]))
    expect(reasons).toEqual({
      alice: 'ok',
      bob: 'ok',
      carol: 'already inactive',
      root: 'admin',
      mod: 'moderator',
      ghost: 'invisible',
      relay: 'service actor',
      nobody: 'failed',
      'eve@remote.example': 'ok',
    })
    const active = await b.sql(`SELECT nickname FROM users WHERE is_active ORDER BY nickname`)
    expect(active.map((u) => u.nickname)).toEqual(['ghost', 'internal.fetch', 'mod', 'relay', 'root'])
    // One user alone keeps its exit code 4 for an inactive user.
    const one = await b.run(['user:deactivate', 'carol', '--yes'])
    expect(one.exitCode).toBe(4)
    expect(one.stderr).toMatch(/^Error: User carol already deactivated/)
    const again = await b.run(['user:activate', 'alice', 'bob', 'root', '--yes', '--json'])
    expect(again.exitCode).toBe(0)
    expect(again.json).toMatchObject({succeeded: 2, skipped: 1})
    expect(again.json.outcomes[2]).toEqual({nickname: 'root', status: 'skipped', reason: 'already active'})
  })

  it('list --nicknames | tag --stdin TAG...: every argument a tag; not destructive, so admins and moderators are tagged; service actors refused (exit 4, the first failure)', async () => {
    const stdin = (await listNicknames(b)) + 'nobody\n'
    const before = await dumpTables(b, ALL_TABLES)
    const dry = await b.run(['user:tag', '--stdin', 'VIP', 'mrf_tag:sandbox', '--dry-run', '--json'], {stdin})
    expect(dry.exitCode).toBe(4)
    expect(dry.json).toMatchObject({dryRun: true, users: 8, succeeded: 5, failed: 3, skipped: 0, totals: {changed: 5}})
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
    const r = await b.run(['user:tag', '--stdin', 'VIP', 'mrf_tag:sandbox', '--yes'], {stdin})
    expect(r.exitCode).toBe(4)
    // What the real run did is what the dry run said: 5 tag lists changed.
    expect(await b.sql(`SELECT count(*)::int AS n FROM users WHERE 'mrf_tag:sandbox' = ANY(tags)`)).toEqual([{n: dry.json.totals.changed}])
    expect(r.stdout.split('\n')[0]).toBe('5 users will be tagged ["vip", "mrf_tag:sandbox"]: alice, bob, carol, root, mod')
    expect(r.stdout).toContain('Tags of alice: ["old", "vip", "mrf_tag:sandbox"]\n')
    expect(r.stdout).toMatch(
      /\n {2}failed: ghost \(Refusing to tag ghost: .*\), relay \(Refusing to tag relay: .*\), nobody \(Could not change user tags for nobody\)\n/,
    )
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 succeeded, 3 failed, 0 skipped.')
    const tags = await b.sql(`SELECT nickname, tags FROM users ORDER BY nickname`)
    expect(Object.fromEntries(tags.map((t) => [t.nickname, t.tags]))).toEqual({
      alice: ['old', 'vip', 'mrf_tag:sandbox'],
      bob: ['vip', 'mrf_tag:sandbox'],
      carol: ['vip', 'mrf_tag:sandbox'],
      root: ['vip', 'mrf_tag:sandbox'],
      mod: ['vip', 'mrf_tag:sandbox'],
      ghost: [],
      relay: [],
      'internal.fetch': [],
      'eve@remote.example': [],
    })
    const untag = await b.run(['user:untag', '--stdin', 'vip', '-y', '--json'], {stdin: 'alice\nroot\n'})
    expect(untag.exitCode).toBe(0)
    expect(untag.json).toMatchObject({succeeded: 2, failed: 0, totals: {changed: 2}})
    expect(untag.json.outcomes[0].result).toEqual({dryRun: false, nickname: 'alice', tags: ['old', 'mrf_tag:sandbox'], changed: true})
  })

  it("README's sandbox line: list --instance HOST --nicknames | tag --stdin mrf_tag:sandbox --yes tags that instance's users (exit 0)", async () => {
    const stdin = await listNicknames(b, ['--instance', 'remote.example'])
    expect(stdin).toBe('eve@remote.example\n')
    const r = await b.run(['user:tag', '--stdin', 'mrf_tag:sandbox', '--yes'], {stdin})
    expect({exitCode: r.exitCode, stderr: r.stderr}).toEqual({exitCode: 0, stderr: ''})
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 succeeded, 0 failed, 0 skipped.')
    const tagged = await b.sql(`SELECT nickname FROM users WHERE 'mrf_tag:sandbox' = ANY(tags)`)
    expect(tagged).toEqual([{nickname: 'eve@remote.example'}])
  })

  it('all succeeded: exit 0; a user listed twice (any case) is done once', async () => {
    const r = await b.run(['user:tag', '--stdin', 'x', '-y', '--json'], {stdin: 'alice\nALICE\nbob\n'})
    expect(r.exitCode).toBe(0)
    expect(r.json.outcomes.map((o: {status: string; reason?: string}) => o.reason ?? o.status)).toEqual(['ok', 'listed twice', 'ok'])
    expect((await userState(b, 'alice'))!.tags).toEqual(['old', 'x'])
  })

  it('refuses before writing anything: no nickname, a line that is not a nickname, no -y without a terminal', async () => {
    const before = await dumpTables(b, ALL_TABLES)
    const none = await b.run(['user:rm', '--stdin', '-y'], {stdin: '# nothing\n\n'})
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toMatch(/^Error: No nickname given: stdin had none\./)
    const missing = await b.run(['user:sign-out', '-y'])
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/^Error: No nickname given\./)
    const listLine = await b.run(['user:rm', '--stdin', '-y'], {stdin: 'alice\nbob moderator: false, admin: false\n'})
    expect(listLine.exitCode).toBe(2)
    expect(listLine.stderr).toMatch(/^Error: Line 2 of stdin is not a nickname: "bob moderator: false, admin: false"\./)
    const noYes = await b.run(['user:rm', '--stdin'], {stdin: 'alice\nbob\n'})
    expect(noYes.exitCode).toBe(1)
    expect(noYes.stderr).toMatch(/Nothing was changed\. Not confirmed: stdin is not a terminal\./)
    const noTag = await b.run(['user:tag', '--stdin', '-y'], {stdin: 'alice\n'})
    expect(noTag.exitCode).toBe(2)
    expect(await dumpTables(b, ALL_TABLES)).toEqual(before)
  })

  it('one nickname without --stdin is the command as before (its own JSON and errors)', async () => {
    const one = await b.run(['user:sign-out', 'alice', '-y', '--json'])
    expect(one.json).toEqual({nickname: 'alice', tokensDeleted: 2, authorizationsDeleted: 0, dryRun: false})
    const nf = await b.run(['user:sign-out', 'nobody', '-y', '--json'])
    expect(nf.exitCode).toBe(3)
    expect(nf.json.error).toMatchObject({code: 'not_found', message: 'No local user nobody'})
    // One line on --stdin is a run on several users (a stable shape for scripts).
    const viaStdin = await b.run(['user:sign-out', '--stdin', '-y', '--json'], {stdin: 'bob\n'})
    expect(viaStdin.json).toMatchObject({users: 1, succeeded: 1, totals: {tokensDeleted: 1}})
  })
})
