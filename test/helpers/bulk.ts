/**
 * A small instance for the bulk tests (user-bulk.test.ts, user-prune.test.ts,
 * user-grace.test.ts): local users of every kind the selection tells apart
 * (ordinary, admin, moderator, invisible, the relay and internal.fetch
 * service actors, pending approval), a remote user, with OAuth tokens,
 * posts, follows and tags; everything in a few multi-row INSERTs.
 */
import {newFlakeId} from '../../src/db/flake-id'
import type {Backend} from './backends'
import {PUBLIC, seedActivities, seedObjects} from './social-graph'

export const BASE = 'https://pleroma.example'
export const T0 = '2024-01-02 03:04:05'

export interface BulkUser {
  nickname: string
  local?: boolean
  admin?: boolean
  moderator?: boolean
  invisible?: boolean
  active?: boolean
  confirmed?: boolean
  approved?: boolean
  apId?: string
  tags?: string[]
  /** inserted_at (default T0). */
  insertedAt?: string
  /** last_active_at (default NULL). */
  lastActiveAt?: string | null
  /** OAuth tokens to give the user. */
  tokens?: number
  /** Public posts (Create + Note) to give the user. */
  posts?: number
}

export const apIdOf = (u: Pick<BulkUser, 'nickname' | 'local' | 'apId'>) =>
  u.apId ?? ((u.local ?? true) ? `${BASE}/users/${u.nickname}` : `https://${u.nickname.split('@')[1]}/users/${u.nickname.split('@')[0]}`)

/** Inserts the users, their tokens (one app) and posts; returns nickname → id. */
export async function seedBulkUsers(b: Backend, users: BulkUser[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  const params: unknown[] = []
  const values = users.map((u) => {
    const id = newFlakeId()
    ids[u.nickname] = id
    const ap = apIdOf(u)
    const local = u.local ?? true
    const row = [
      id,
      u.nickname,
      ap,
      local,
      u.admin ?? false,
      u.moderator ?? false,
      u.invisible ?? false,
      u.active ?? true,
      u.confirmed ?? true,
      u.approved ?? true,
      `{${(u.tags ?? []).map((t) => `"${t}"`).join(',')}}`,
      u.insertedAt ?? T0,
      u.lastActiveAt ?? null,
      local ? `${u.nickname}@example.com` : null,
      `${ap}/followers`,
      `${ap}/following`,
      u.confirmed === false ? 'confirm-me' : null,
    ]
    const base = params.length
    params.push(...row)
    const p = (k: number) => `$${base + k + 1}`
    return `(${p(0)}::uuid, ${p(1)}, ${p(2)}, ${p(3)}::boolean, ${p(4)}::boolean, ${p(5)}::boolean, ${p(6)}::boolean, ${p(7)}::boolean, ${p(8)}::boolean, ${p(9)}::boolean, ${p(10)}::varchar[], ${p(11)}::timestamp, ${p(12)}::timestamp, ${p(13)}, ${p(14)}, ${p(15)}, ${p(16)}, 'I am here', '${T0}')`
  })
  await b.sql(
    `INSERT INTO users (id, nickname, ap_id, local, is_admin, is_moderator, invisible, is_active, is_confirmed, is_approved, tags, inserted_at, last_active_at,
                        email, follower_address, following_address, confirmation_token, bio, updated_at)
     VALUES ${values.join(', ')}`,
    params,
  )
  const tokenRows = users.flatMap((u) => Array.from({length: u.tokens ?? 0}, (_, i) => [ids[u.nickname], `${u.nickname}-token-${i}`]))
  if (tokenRows.length > 0) {
    // One app for every seeding (a test may seed users more than once).
    const existing = await b.sql<{id: string}>(`SELECT id FROM apps WHERE client_id = 'bulk-client'`)
    const [app] =
      existing.length > 0
        ? existing
        : await b.sql<{id: string}>(
            `INSERT INTO apps (client_name, redirect_uris, scopes, client_id, client_secret, inserted_at, updated_at)
             VALUES ('Bulk app', 'urn:ietf:wg:oauth:2.0:oob', '{read,write}', 'bulk-client', 'bulk-secret', '${T0}', '${T0}') RETURNING id`,
          )
    await b.sql(
      `INSERT INTO oauth_tokens (app_id, user_id, token, refresh_token, valid_until, inserted_at, updated_at, scopes)
       SELECT $1::bigint, u, t, 'refresh-' || t, '2124-01-02 03:04:05', '${T0}', '${T0}', '{read,write}' FROM unnest($2::uuid[], $3::text[]) AS x(u, t)`,
      [app.id, tokenRows.map((r) => r[0]), tokenRows.map((r) => r[1])],
    )
  }
  const posts = users.flatMap((u) => Array.from({length: u.posts ?? 0}, (_, i) => ({u, name: `${u.nickname.replace(/\W/g, '_')}-post-${i}`})))
  if (posts.length > 0) {
    await seedObjects(
      b,
      posts.map((p) => ({name: p.name, data: {type: 'Note', actor: apIdOf(p.u), content: 'hello', to: [PUBLIC], cc: [`${apIdOf(p.u)}/followers`]}})),
    )
    await seedActivities(
      b,
      posts.map((p) => ({
        name: `create-${p.name}`,
        actor: apIdOf(p.u),
        type: 'Create',
        object: `${BASE}/objects/${p.name}`,
        to: [PUBLIC],
        cc: [`${apIdOf(p.u)}/followers`],
      })),
    )
    for (const u of users.filter((x) => (x.posts ?? 0) > 0)) await b.sql(`UPDATE users SET note_count = $2 WHERE id = $1`, [ids[u.nickname], u.posts])
  }
  return ids
}

/** Accepted follows [follower, followed] by nickname, with the counters made consistent. */
export async function seedFollows(b: Backend, ids: Record<string, string>, follows: Array<[string, string]>): Promise<void> {
  if (follows.length === 0) return
  await b.sql(
    `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at)
     SELECT f, t, 2, '${T0}', '${T0}' FROM unnest($1::uuid[], $2::uuid[]) AS x(f, t)`,
    [follows.map((f) => ids[f[0]]), follows.map((f) => ids[f[1]])],
  )
  await b.sql(
    `UPDATE users u SET follower_count = (SELECT count(*) FROM following_relationships r WHERE r.following_id = u.id AND r.state = 2),
                        following_count = (SELECT count(*) FROM following_relationships r WHERE r.follower_id = u.id AND r.state = 2)`,
  )
}

/** The local users of every kind the bulk tests select from. */
export const MIXED_USERS: BulkUser[] = [
  {nickname: 'alice', tokens: 2, posts: 2, tags: ['old']},
  {nickname: 'bob', tokens: 1, posts: 1},
  {nickname: 'carol', tokens: 1},
  {nickname: 'root', admin: true, tokens: 1, posts: 1},
  {nickname: 'mod', moderator: true, tokens: 1},
  {nickname: 'ghost', invisible: true, tokens: 1},
  {nickname: 'relay', invisible: true, apId: `${BASE}/relay`},
  {nickname: 'internal.fetch', invisible: true, apId: `${BASE}/internal/fetch`},
  {nickname: 'eve@remote.example', local: false},
]

/** One user's row, the columns the bulk tests look at. */
export async function userState(b: Backend, nickname: string) {
  const [u] = await b.sql(
    `SELECT nickname, is_active, is_admin, is_moderator, email, tags, note_count, follower_count, following_count,
            (SELECT count(*)::int FROM oauth_tokens t WHERE t.user_id = users.id) AS tokens
       FROM users WHERE nickname = $1`,
    [nickname],
  )
  return u as
    | {
        nickname: string
        is_active: boolean
        is_admin: boolean
        is_moderator: boolean
        email: string | null
        tags: string[]
        note_count: number
        follower_count: number
        following_count: number
        tokens: number
      }
    | undefined
}
