/**
 * A realistic follow graph for the activation and unsubscribe commands:
 * local users (one inactive, one internal actor), remote users on
 * dead.example (one with an upper-case host, one inactive), on other.example
 * and on hosts that must NOT match dead.example (xdead.example,
 * dead.example.org, dead.example:8443), a remote user without nickname;
 * follows in both directions, accepted, pending and rejected. The counters
 * of local users start consistent with the rows (COUNTS_SQL); remote users
 * carry their server's numbers (REMOTE_COUNT), which must never change.
 *
 * Ids are fixed, so that the graph can be seeded again in the same database
 * and the id order (keyset batches) is known.
 */
import {COUNTS_SQL} from '../../src/services/counters'
import type {Backend} from './backends'

type Sql = Pick<Backend, 'sql'>

export const T0 = '2024-01-01 00:00:00'
export const REMOTE_COUNT = 77

export const PENDING = 1
export const ACCEPTED = 2
export const REJECTED = 3

interface GraphUserDef {
  key: string
  nickname: string | null
  local: boolean
  active: boolean
  apId: string
}

const local = (nickname: string, active = true): GraphUserDef => ({
  key: nickname,
  nickname,
  local: true,
  active,
  apId: `https://pleroma.example/users/${nickname}`,
})
const remote = (key: string, nickname: string | null, apId: string, active = true): GraphUserDef => ({key, nickname, local: false, active, apId})

/** In id order. */
export const GRAPH_USERS: GraphUserDef[] = [
  local('alice'),
  local('bob'),
  local('carol'),
  local('dave', false),
  local('internal.fetch'),
  local('eve'),
  remote('zed', 'zed@dead.example', 'https://dead.example/users/zed'),
  remote('yan', 'Yan@DEAD.Example', 'https://dead.example/users/yan'),
  remote('xin', 'xin@dead.example', 'https://dead.example/users/xin', false),
  remote('oscar', 'oscar@other.example', 'https://other.example/users/oscar'),
  remote('pat', 'pat@xdead.example', 'https://xdead.example/users/pat'),
  remote('quinn', 'quinn@dead.example.org', 'https://dead.example.org/users/quinn'),
  remote('wes', 'wes@dead.example:8443', 'https://dead.example:8443/users/wes'),
  remote('ghost', null, 'https://dead.example/users/ghost'),
]

/** [follower key, following key, state], in relationship id order (id = index + 1). */
export const GRAPH_FOLLOWS: Array<[string, string, number]> = [
  // among local users
  ['alice', 'bob', ACCEPTED],
  ['bob', 'alice', ACCEPTED],
  ['carol', 'alice', PENDING],
  ['alice', 'carol', ACCEPTED],
  ['eve', 'alice', ACCEPTED],
  ['dave', 'alice', ACCEPTED],
  ['internal.fetch', 'alice', ACCEPTED],
  ['eve', 'dave', ACCEPTED],
  // local → remote
  ['alice', 'zed', ACCEPTED],
  ['alice', 'yan', PENDING],
  ['bob', 'zed', ACCEPTED],
  ['carol', 'xin', ACCEPTED],
  ['dave', 'zed', ACCEPTED],
  ['internal.fetch', 'zed', ACCEPTED],
  ['eve', 'oscar', ACCEPTED],
  ['eve', 'pat', ACCEPTED],
  ['eve', 'quinn', ACCEPTED],
  ['eve', 'wes', ACCEPTED],
  // remote → local and remote
  ['zed', 'alice', ACCEPTED],
  ['zed', 'bob', PENDING],
  ['zed', 'dave', ACCEPTED],
  ['zed', 'oscar', ACCEPTED],
  ['zed', 'pat', ACCEPTED],
  ['zed', 'ghost', ACCEPTED],
  ['zed', 'internal.fetch', ACCEPTED],
  ['zed', 'carol', REJECTED],
  ['yan', 'alice', ACCEPTED],
  ['yan', 'carol', ACCEPTED],
  ['yan', 'zed', ACCEPTED],
  ['xin', 'bob', ACCEPTED],
  ['oscar', 'alice', ACCEPTED],
  ['pat', 'alice', ACCEPTED],
  ['quinn', 'bob', ACCEPTED],
  ['wes', 'carol', ACCEPTED],
  ['ghost', 'eve', ACCEPTED],
]

export function graphId(key: string): string {
  const i = GRAPH_USERS.findIndex((u) => u.key === key)
  if (i < 0) throw new Error(`no graph user ${key}`)
  return `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`
}

/** How a user appears in relationship dumps and command output: its nickname, else its ap_id. */
export function graphName(key: string): string {
  const u = GRAPH_USERS.find((x) => x.key === key)!
  return u.nickname ?? u.apId
}

/** Inserts the graph (two multi-row INSERTs) and makes the local counters consistent. */
export async function seedFollowGraph(b: Sql): Promise<void> {
  const params: unknown[] = []
  const rows = GRAPH_USERS.map((u) => {
    params.push(graphId(u.key), u.nickname, u.apId, u.local, u.active, `${u.apId}/followers`, u.local ? 0 : REMOTE_COUNT)
    const p = params.length - 7
    return `($${p + 1}, $${p + 2}, '', $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}, $${p + 7}, '${T0}', '${T0}')`
  })
  await b.sql(
    `INSERT INTO users (id, nickname, bio, ap_id, local, is_active, follower_address, follower_count, following_count, inserted_at, updated_at)
     VALUES ${rows.join(', ')}`,
    params,
  )
  const follows = GRAPH_FOLLOWS.map(([from, to, state], i) => `(${i + 1}, '${graphId(from)}', '${graphId(to)}', ${state}, '${T0}', '${T0}')`)
  await b.sql(`INSERT INTO following_relationships (id, follower_id, following_id, state, inserted_at, updated_at) VALUES ${follows.join(', ')}`)
  await b.sql(`WITH c AS (${COUNTS_SQL}) UPDATE users u SET follower_count = c.followers, following_count = c.following FROM c WHERE u.id = c.id`, [
    GRAPH_USERS.map((u) => graphId(u.key)),
  ])
}

/** Removes everything seedFollowGraph inserted (to seed again in the same database). */
export async function clearFollowGraph(b: Sql): Promise<void> {
  await b.sql(`DELETE FROM following_relationships`)
  await b.sql(`DELETE FROM users`)
}

/** `follower -> following (state)` for the given follows, sorted. */
export function describeFollows(follows: Array<[string, string, number]>): string[] {
  return follows.map(([from, to, state]) => `${graphName(from)} -> ${graphName(to)} (${state})`).sort()
}

/** Every relationship row in the database, as describeFollows writes them. */
export async function followRows(b: Sql): Promise<string[]> {
  const rows = await b.sql<{line: string}>(
    `SELECT COALESCE(f.nickname::text, f.ap_id) || ' -> ' || COALESCE(t.nickname::text, t.ap_id) || ' (' || r.state || ')' AS line
       FROM following_relationships r JOIN users f ON f.id = r.follower_id JOIN users t ON t.id = r.following_id`,
  )
  return rows.map((r) => r.line).sort()
}

/** The graph's follows except those `removed` returns true for. */
export function followsWithout(removed: (from: string, to: string, state: number) => boolean): string[] {
  return describeFollows(GRAPH_FOLLOWS.filter(([from, to, state]) => !removed(from, to, state)))
}

/**
 * Asserts that no surviving relationship row was touched: every row still
 * has its seeded id, follower, following, state and timestamps.
 */
export async function expectSurvivingFollowsUntouched(b: Sql): Promise<void> {
  const rows = await b.sql<{id: string; follower_id: string; following_id: string; state: number; ins: string; upd: string}>(
    `SELECT id::text, follower_id::text, following_id::text, state, to_char(inserted_at, 'YYYY-MM-DD HH24:MI:SS') AS ins, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') AS upd
       FROM following_relationships`,
  )
  for (const r of rows) {
    const [from, to, state] = GRAPH_FOLLOWS[Number(r.id) - 1]
    expect({id: r.id, follower: r.follower_id, following: r.following_id, state: r.state, ins: r.ins, upd: r.upd}).toEqual({
      id: r.id,
      follower: graphId(from),
      following: graphId(to),
      state,
      ins: T0,
      upd: T0,
    })
  }
}

export interface UserSnapshot {
  active: boolean
  followers: number
  following: number
  /** updated_at as 'YYYY-MM-DD HH:MM:SS'. */
  updatedAt: string
}

/** Every user's flag, counters and updated_at, keyed by graph key. */
export async function snapshotUsers(b: Sql): Promise<Record<string, UserSnapshot>> {
  const rows = await b.sql<{id: string; is_active: boolean; follower_count: number; following_count: number; upd: string}>(
    `SELECT id::text, is_active, follower_count, following_count, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') AS upd FROM users`,
  )
  const out: Record<string, UserSnapshot> = {}
  for (const r of rows) {
    const u = GRAPH_USERS.find((x) => graphId(x.key) === r.id)
    out[u ? u.key : r.id] = {active: r.is_active, followers: r.follower_count, following: r.following_count, updatedAt: r.upd}
  }
  return out
}

/** The counters every local user should have, computed in JavaScript from the rows (independently of COUNTS_SQL). */
export async function expectedCounters(b: Sql): Promise<Record<string, {followers: number; following: number}>> {
  const users = await b.sql<{id: string; nickname: string | null; local: boolean; is_active: boolean}>(
    `SELECT id::text, nickname::text, local, is_active FROM users`,
  )
  const rels = await b.sql<{follower_id: string; following_id: string; state: number}>(
    `SELECT follower_id::text, following_id::text, state FROM following_relationships`,
  )
  const byId = new Map(users.map((u) => [u.id, u]))
  const counted = (id: string) => {
    const u = byId.get(id)!
    return u.is_active && u.nickname !== null && !u.nickname.startsWith('internal.')
  }
  const out: Record<string, {followers: number; following: number}> = {}
  for (const u of users.filter((x) => x.local)) {
    out[u.id] = {
      followers: rels.filter((r) => r.following_id === u.id && r.state === 2 && r.follower_id !== u.id && counted(r.follower_id)).length,
      following: rels.filter((r) => r.follower_id === u.id && r.state === 2 && r.following_id !== u.id && counted(r.following_id)).length,
    }
  }
  return out
}

/**
 * Asserts that the stored counters of every local user equal the ones
 * recomputed from the rows, and that remote users kept their server's
 * numbers.
 */
export async function expectCountersConsistent(b: Sql): Promise<void> {
  const expected = await expectedCounters(b)
  const rows = await b.sql<{id: string; nickname: string | null; local: boolean; follower_count: number; following_count: number}>(
    `SELECT id::text, nickname::text, local, follower_count, following_count FROM users`,
  )
  const stored: Record<string, unknown> = {}
  const wanted: Record<string, unknown> = {}
  for (const r of rows) {
    const label = r.nickname ?? r.id
    stored[label] = {followers: r.follower_count, following: r.following_count}
    wanted[label] = r.local ? expected[r.id] : {followers: REMOTE_COUNT, following: REMOTE_COUNT}
  }
  expect(stored).toEqual(wanted)
}

/**
 * Asserts that exactly the users whose is_active or counters changed got a
 * new updated_at (a whole-second UTC time of this run), and no others.
 */
export function expectUpdatedAtBumpedWhereChanged(before: Record<string, UserSnapshot>, after: Record<string, UserSnapshot>, startedAt: number): void {
  const bumped: string[] = []
  const changed: string[] = []
  for (const [key, a] of Object.entries(after)) {
    const p = before[key]
    if (a.updatedAt !== p.updatedAt) {
      bumped.push(key)
      const t = new Date(a.updatedAt.replace(' ', 'T') + 'Z').getTime()
      expect(t).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000)
      expect(t).toBeLessThanOrEqual(Date.now())
    }
    if (a.active !== p.active || a.followers !== p.followers || a.following !== p.following) changed.push(key)
  }
  expect(bumped.sort()).toEqual(changed.sort())
}

/** The users whose state (flag or counters) differs between two snapshots, with the new values. */
export function changes(before: Record<string, UserSnapshot>, after: Record<string, UserSnapshot>): Record<string, Partial<Omit<UserSnapshot, 'updatedAt'>>> {
  const out: Record<string, Partial<Omit<UserSnapshot, 'updatedAt'>>> = {}
  for (const [key, a] of Object.entries(after)) {
    const p = before[key]
    const d: Partial<Omit<UserSnapshot, 'updatedAt'>> = {}
    if (a.active !== p.active) d.active = a.active
    if (a.followers !== p.followers) d.followers = a.followers
    if (a.following !== p.following) d.following = a.following
    if (Object.keys(d).length > 0) out[key] = d
  }
  return out
}

/**
 * The follows Pleroma's `User.set_activation(user, status)` deletes
 * (v2.9.1:lib/pleroma/user.ex:1909-1924, in either direction): `get_friends`
 * of the user (accepted follows of other accounts that are active and not
 * internal actors: User.Query `friends`, `deactivated: false` and the
 * default `internal: false`), the local ones, each through `do_unfollow`.
 * Written from Pleroma's code, independently of the SQL of
 * src/services/activation.ts; a predicate for followsWithout.
 */
export function setActivationRemoves(...keys: string[]): (from: string, to: string, state: number) => boolean {
  const friendOf = (self: string, k: string) => {
    const u = GRAPH_USERS.find((x) => x.key === k)!
    return k !== self && u.local && u.active && u.nickname !== null && !u.nickname.startsWith('internal.')
  }
  return (from, to, state) => keys.includes(from) && state === ACCEPTED && friendOf(from, to)
}
