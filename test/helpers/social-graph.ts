/**
 * A small seeded instance for the deletion commands (user:delete-activities,
 * user:rm): local users alice (the one deleted), bob and carol (locked), a
 * remote dave; alice's posts of every visibility, a reply, a post whose
 * object row was pruned, a pinned post; likes, announces and reactions both
 * ways with their notifications; follows both ways (accepted and pending)
 * with consistent counters; bookmarks; OAuth apps, tokens and
 * authorizations (one app owned by alice and used by bob); a report note
 * written by alice; an invite. Everything is written with one multi-row
 * INSERT per table.
 */
import {randomBytes} from 'node:crypto'
import {newFlakeId} from '../../src/db/flake-id'
import type {Backend} from './backends'

export const BASE = 'https://pleroma.example'
export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'
/** The seeded rows' timestamps, so that a bumped updated_at shows. */
export const SEEDED_AT = '2024-01-02 03:04:05'

export const apId = (nick: string) => `${BASE}/users/${nick}`
export const followersOf = (nick: string) => `${apId(nick)}/followers`
export const objectId = (name: string) => `${BASE}/objects/${name}`
export const DAVE = 'https://remote.example/users/dave'

/** A PostgreSQL array literal for a text/varchar[] parameter. */
export function pgArray(list: string[]): string {
  return `{${list.map((s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`
}

/** One multi-row INSERT; `casts` gives the SQL type of a column's parameters (jsonb values are JSON-encoded, arrays written as literals). */
export async function insertRows(
  b: Backend,
  table: string,
  rows: Array<Record<string, unknown>>,
  casts: Record<string, string> = {},
  returning = '',
): Promise<any[]> {
  if (rows.length === 0) return []
  const columns = Object.keys(rows[0])
  const params: unknown[] = []
  const values = rows.map((row) => {
    const ph = columns.map((c) => {
      let v = row[c]
      const cast = casts[c]
      if (cast === 'jsonb' && v !== null && v !== undefined) v = JSON.stringify(v)
      else if (cast?.endsWith('[]') && Array.isArray(v)) v = pgArray(v as string[])
      params.push(v ?? null)
      return `$${params.length}${cast ? `::${cast}` : ''}`
    })
    return `(${ph.join(', ')})`
  })
  return b.sql(
    `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}${returning ? ` RETURNING ${returning}` : ''}`,
    params,
  )
}

export interface SeedUser {
  nickname: string
  local?: boolean
  apId?: string
  isActive?: boolean
  isApproved?: boolean
  isConfirmed?: boolean
  isLocked?: boolean
  noteCount?: number
  followerCount?: number
  followingCount?: number
  pinned?: Record<string, string>
}

const USER_CASTS = {
  tags: 'varchar[]',
  also_known_as: 'varchar[]',
  domain_blocks: 'text[]',
  avatar: 'jsonb',
  banner: 'jsonb',
  background: 'jsonb',
  emoji: 'jsonb',
  fields: 'jsonb',
  raw_fields: 'jsonb',
  pinned_objects: 'jsonb',
  mascot: 'jsonb',
  pleroma_settings_store: 'jsonb',
}

/** Users with every column a purge empties filled in. Returns nickname → id. */
export async function seedUsers(b: Backend, users: SeedUser[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  const rows = users.map((u) => {
    const id = newFlakeId()
    ids[u.nickname] = id
    const local = u.local ?? true
    const ap = u.apId ?? (local ? apId(u.nickname) : `https://remote.example/users/${u.nickname}`)
    return {
      id,
      nickname: local ? u.nickname : `${u.nickname}@remote.example`,
      email: local ? `${u.nickname}@example.com` : null,
      name: `${u.nickname[0].toUpperCase()}${u.nickname.slice(1)}`,
      bio: `I am ${u.nickname}`,
      raw_bio: `I am ${u.nickname}`,
      password_hash: local ? '$2b$04$abcdefghijklmnopqrstuuJ5n7iUSkAA8B6y6k6xkQkQkQkQkQkQm' : null,
      ap_id: ap,
      follower_address: `${ap}/followers`,
      following_address: `${ap}/following`,
      featured_address: `${ap}/collections/featured`,
      local,
      is_active: u.isActive ?? true,
      is_approved: u.isApproved ?? true,
      is_confirmed: u.isConfirmed ?? true,
      is_locked: u.isLocked ?? false,
      is_moderator: true,
      is_admin: u.nickname === 'alice',
      is_discoverable: true,
      password_reset_pending: true,
      confirmation_token: u.isConfirmed === false ? 'confirm-me' : null,
      registration_reason: 'Let me in',
      last_refreshed_at: SEEDED_AT,
      last_digest_emailed_at: SEEDED_AT,
      note_count: u.noteCount ?? 0,
      follower_count: u.followerCount ?? 0,
      following_count: u.followingCount ?? 0,
      tags: ['tag'],
      also_known_as: ['https://old.example/users/x'],
      domain_blocks: ['blocked.example'],
      avatar: {url: [{href: 'https://pleroma.example/media/a.png'}]},
      banner: {url: [{href: 'https://pleroma.example/media/b.png'}]},
      background: {url: [{href: 'https://pleroma.example/media/c.png'}]},
      emoji: {blob: 'https://pleroma.example/emoji/blob.png'},
      fields: [{name: 'web', value: 'example.com'}],
      raw_fields: [{name: 'web', value: 'example.com'}],
      pinned_objects: u.pinned ?? {},
      mascot: {id: 'm'},
      pleroma_settings_store: {'pleroma-fe': {theme: 'dark'}},
      keys: local ? '-----BEGIN RSA PRIVATE KEY-----\nkey\n-----END RSA PRIVATE KEY-----' : null,
      public_key: local ? null : '-----BEGIN PUBLIC KEY-----\nkey\n-----END PUBLIC KEY-----',
      inserted_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    }
  })
  await insertRows(b, 'users', rows, USER_CASTS)
  return ids
}

export interface SeedActivity {
  /** A name for the test to refer to it. */
  name: string
  actor: string
  type: string
  object: unknown
  to?: string[]
  cc?: string[]
  extra?: Record<string, unknown>
  local?: boolean
}

/** Activities in the given order (FlakeIds increasing). Returns name → {id, apId}. */
export async function seedActivities(b: Backend, list: SeedActivity[]): Promise<Record<string, {id: string; apId: string}>> {
  const out: Record<string, {id: string; apId: string}> = {}
  const rows = list.map((a) => {
    const id = newFlakeId()
    const host = a.actor.startsWith(BASE) ? BASE : 'https://remote.example'
    const ap = `${host}/activities/${a.name}`
    out[a.name] = {id, apId: ap}
    const to = a.to ?? []
    const cc = a.cc ?? []
    return {
      id,
      data: {id: ap, type: a.type, actor: a.actor, object: a.object, to, cc, ...a.extra},
      local: a.local ?? a.actor.startsWith(BASE),
      actor: a.actor,
      recipients: [...new Set([...to, ...cc])],
      inserted_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    }
  })
  await insertRows(b, 'activities', rows, {data: 'jsonb', recipients: 'varchar[]'})
  return out
}

/** Objects (posts). Returns name → objects.id. */
export async function seedObjects(b: Backend, list: Array<{name: string; data: Record<string, unknown>}>): Promise<Record<string, string>> {
  const rows = await insertRows(
    b,
    'objects',
    list.map((o) => ({data: {id: objectId(o.name), ...o.data}, inserted_at: SEEDED_AT, updated_at: SEEDED_AT})),
    {data: 'jsonb'},
    `id, data->>'id' AS ap_id`,
  )
  const out: Record<string, string> = {}
  for (const o of list) out[o.name] = rows.find((r) => r.ap_id === objectId(o.name)).id
  return out
}

const note = (actor: string, to: string[], cc: string[], extra: Record<string, unknown> = {}) => ({type: 'Note', actor, content: 'hello', to, cc, ...extra})

export interface SocialGraph {
  users: Record<'alice' | 'bob' | 'carol' | 'dave', string>
  objects: Record<string, string>
  activities: Record<string, {id: string; apId: string}>
  /** notification name → notifications.id */
  notifications: Record<string, string>
  bookmarks: Record<string, string>
  apps: Record<'frontend' | 'aliceShared' | 'alicePrivate', string>
  tokens: Record<'aliceFe' | 'aliceShared' | 'alicePrivate' | 'bobShared', string>
  authorizations: Record<'alice' | 'bob', string>
  reportNote: string
}

export interface GraphOptions {
  alice?: Partial<SeedUser>
}

/**
 * alice: posts p1 (public; liked by bob and by alice herself, announced by
 * carol), p2 (unlisted; carol reacts), p3 (private), p4 (public reply to
 * bob's b1), p5 (public, object row pruned), p6 (public, pinned); she likes
 * b1, announces b2 (also announced by carol) and reacts to b1; follows bob
 * (accepted) and carol (pending, carol is locked); bob and remote dave follow
 * her; carol and bob follow each other. note_count: alice 5, bob 2.
 */
export async function seedSocialGraph(b: Backend, options: GraphOptions = {}): Promise<SocialGraph> {
  const A = apId('alice')
  const B = apId('bob')
  const C = apId('carol')
  const users = (await seedUsers(b, [
    {
      nickname: 'alice',
      noteCount: 5,
      followerCount: 2,
      followingCount: 1,
      pinned: {[objectId('p6')]: '2024-01-02T03:04:05Z', [objectId('gone')]: '2024-01-02T03:04:05Z'},
      ...options.alice,
    },
    {nickname: 'bob', noteCount: 2, followerCount: 2, followingCount: 2},
    {nickname: 'carol', isLocked: true, followerCount: 1, followingCount: 1},
    {nickname: 'dave', local: false, apId: DAVE, followerCount: 7, followingCount: 9},
  ])) as SocialGraph['users']

  const objects = await seedObjects(b, [
    {name: 'b1', data: note(B, [PUBLIC], [followersOf('bob')], {repliesCount: 1, likes: [A], like_count: 1})},
    {name: 'b2', data: note(B, [PUBLIC], [followersOf('bob')], {announcements: [A, C], announcement_count: 2})},
    {
      name: 'p1',
      data: note(A, [PUBLIC], [followersOf('alice')], {
        likes: [B, A],
        like_count: 2,
        announcements: [C],
        announcement_count: 1,
        tag: [{type: 'Hashtag', name: '#cats'}],
      }),
    },
    {name: 'p2', data: note(A, [followersOf('alice')], [PUBLIC])},
    {name: 'p3', data: note(A, [followersOf('alice')], [])},
    {name: 'p4', data: note(A, [PUBLIC], [followersOf('alice'), B], {inReplyTo: objectId('b1')})},
    {name: 'p6', data: note(A, [PUBLIC], [followersOf('alice')])},
    {name: 'c1', data: note(C, [PUBLIC], [followersOf('carol')])},
  ])

  const create = (name: string, actor: string, obj: string, to: string[], cc: string[]): SeedActivity => ({
    name,
    actor,
    type: 'Create',
    object: objectId(obj),
    to,
    cc,
  })
  const follow = (name: string, actor: string, object: string, state: string): SeedActivity => ({
    name,
    actor,
    type: 'Follow',
    object,
    to: [object],
    cc: [],
    extra: {state},
  })
  const activities = await seedActivities(b, [
    create('create-b1', B, 'b1', [PUBLIC], [followersOf('bob')]),
    create('create-b2', B, 'b2', [PUBLIC], [followersOf('bob')]),
    create('create-c1', C, 'c1', [PUBLIC], [followersOf('carol')]),
    follow('follow-alice-bob', A, B, 'accept'),
    follow('follow-alice-carol', A, C, 'pending'),
    follow('follow-bob-alice', B, A, 'accept'),
    follow('follow-dave-alice', DAVE, A, 'accept'),
    follow('follow-carol-bob', C, B, 'accept'),
    follow('follow-bob-carol', B, C, 'accept'),
    create('create-p1', A, 'p1', [PUBLIC], [followersOf('alice')]),
    create('create-p2', A, 'p2', [followersOf('alice')], [PUBLIC]),
    create('create-p3', A, 'p3', [followersOf('alice')], []),
    create('create-p4', A, 'p4', [PUBLIC], [followersOf('alice'), B]),
    create('create-p5', A, 'p5', [PUBLIC], [followersOf('alice')]),
    create('create-p6', A, 'p6', [PUBLIC], [followersOf('alice')]),
    {name: 'like-bob-p1', actor: B, type: 'Like', object: objectId('p1'), to: [followersOf('bob'), A], cc: [PUBLIC]},
    {name: 'announce-carol-p1', actor: C, type: 'Announce', object: objectId('p1'), to: [followersOf('carol'), A], cc: [PUBLIC]},
    {name: 'react-carol-p2', actor: C, type: 'EmojiReact', object: objectId('p2'), to: [A], cc: [], extra: {content: '🔥'}},
    {name: 'like-alice-p1', actor: A, type: 'Like', object: objectId('p1'), to: [followersOf('alice'), A], cc: [PUBLIC]},
    {name: 'like-alice-b1', actor: A, type: 'Like', object: objectId('b1'), to: [followersOf('alice'), B], cc: [PUBLIC]},
    {name: 'announce-alice-b2', actor: A, type: 'Announce', object: objectId('b2'), to: [followersOf('alice'), B], cc: [PUBLIC]},
    {name: 'announce-carol-b2', actor: C, type: 'Announce', object: objectId('b2'), to: [followersOf('carol'), B], cc: [PUBLIC]},
    {name: 'react-alice-b1', actor: A, type: 'EmojiReact', object: objectId('b1'), to: [B], cc: [], extra: {content: '👍'}},
    {name: 'block-alice-dave', actor: A, type: 'Block', object: DAVE, to: [DAVE], cc: []},
    {name: 'flag-carol-dave', actor: C, type: 'Flag', object: [DAVE, objectId('c1')], to: [], cc: [], extra: {content: 'spam'}},
  ])

  await insertRows(
    b,
    'following_relationships',
    [
      [users.alice, users.bob, 2],
      [users.alice, users.carol, 1],
      [users.bob, users.alice, 2],
      [users.dave, users.alice, 2],
      [users.carol, users.bob, 2],
      [users.bob, users.carol, 2],
    ].map(([follower_id, following_id, state]) => ({follower_id, following_id, state, inserted_at: SEEDED_AT, updated_at: SEEDED_AT})),
  )

  const notificationList: Array<[string, string, string, string]> = [
    ['alice-liked-by-bob', users.alice, 'like-bob-p1', 'favourite'],
    ['alice-announced-by-carol', users.alice, 'announce-carol-p1', 'reblog'],
    ['alice-reacted-by-carol', users.alice, 'react-carol-p2', 'pleroma:emoji_reaction'],
    ['bob-mentioned-by-alice', users.bob, 'create-p4', 'mention'],
    ['bob-liked-by-alice', users.bob, 'like-alice-b1', 'favourite'],
    ['bob-announced-by-alice', users.bob, 'announce-alice-b2', 'reblog'],
    ['bob-announced-by-carol', users.bob, 'announce-carol-b2', 'reblog'],
    ['bob-reacted-by-alice', users.bob, 'react-alice-b1', 'pleroma:emoji_reaction'],
    ['bob-followed-by-alice', users.bob, 'follow-alice-bob', 'follow'],
    ['carol-requested-by-alice', users.carol, 'follow-alice-carol', 'follow_request'],
    ['alice-followed-by-bob', users.alice, 'follow-bob-alice', 'follow'],
  ]
  const notes = await insertRows(
    b,
    'notifications',
    notificationList.map(([, user_id, act, type]) => ({
      user_id,
      activity_id: activities[act].id,
      type,
      seen: false,
      inserted_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    })),
    {type: 'notification_type'},
    'id',
  )
  const notifications = Object.fromEntries(notificationList.map(([name], i) => [name, notes[i].id]))

  const bm = await insertRows(
    b,
    'bookmarks',
    [
      {user_id: users.bob, activity_id: activities['create-p1'].id, inserted_at: SEEDED_AT, updated_at: SEEDED_AT},
      {user_id: users.carol, activity_id: activities['create-b1'].id, inserted_at: SEEDED_AT, updated_at: SEEDED_AT},
    ],
    {},
    'id',
  )
  const bookmarks = {'bob-p1': bm[0].id, 'carol-b1': bm[1].id}

  const appRows = await insertRows(
    b,
    'apps',
    [
      {client_name: 'Pleroma FE', redirect_uris: '.', client_id: 'fe', client_secret: 's1', user_id: null, inserted_at: SEEDED_AT, updated_at: SEEDED_AT},
      {
        client_name: 'Shared',
        redirect_uris: '.',
        client_id: 'shared',
        client_secret: 's2',
        user_id: users.alice,
        inserted_at: SEEDED_AT,
        updated_at: SEEDED_AT,
      },
      {
        client_name: 'Alice only',
        redirect_uris: '.',
        client_id: 'alice-only',
        client_secret: 's3',
        user_id: users.alice,
        inserted_at: SEEDED_AT,
        updated_at: SEEDED_AT,
      },
    ],
    {user_id: 'uuid'},
    'id',
  )
  const apps = {frontend: appRows[0].id, aliceShared: appRows[1].id, alicePrivate: appRows[2].id}
  const tokenRows = await insertRows(
    b,
    'oauth_tokens',
    [
      [apps.frontend, users.alice, 'tok-alice-fe'],
      [apps.aliceShared, users.alice, 'tok-alice-shared'],
      [apps.alicePrivate, users.alice, 'tok-alice-private'],
      [apps.aliceShared, users.bob, 'tok-bob-shared'],
    ].map(([app_id, user_id, token]) => ({app_id, user_id, token, refresh_token: `r-${token}`, inserted_at: SEEDED_AT, updated_at: SEEDED_AT})),
    {},
    'id',
  )
  const tokens = {aliceFe: tokenRows[0].id, aliceShared: tokenRows[1].id, alicePrivate: tokenRows[2].id, bobShared: tokenRows[3].id}
  const authRows = await insertRows(
    b,
    'oauth_authorizations',
    [
      {app_id: apps.aliceShared, user_id: users.alice, token: 'auth-alice', inserted_at: SEEDED_AT, updated_at: SEEDED_AT},
      {app_id: apps.frontend, user_id: users.bob, token: 'auth-bob', inserted_at: SEEDED_AT, updated_at: SEEDED_AT},
    ],
    {},
    'id',
  )
  const authorizations = {alice: authRows[0].id, bob: authRows[1].id}

  const [rn] = await insertRows(
    b,
    'report_notes',
    [{user_id: users.alice, activity_id: activities['flag-carol-dave'].id, content: 'looked at it', inserted_at: SEEDED_AT, updated_at: SEEDED_AT}],
    {},
    'id',
  )
  await insertRows(b, 'user_relationships', [{source_id: users.alice, target_id: users.dave, relationship_type: 1, inserted_at: SEEDED_AT}])
  await insertRows(b, 'user_invite_tokens', [{token: 'invite-token', used: false, inserted_at: SEEDED_AT, updated_at: SEEDED_AT}])
  // Pleroma's own databases link posts to hashtags (the tool's databases have no hashtags_objects).
  if ((await b.sql(`SELECT to_regclass('hashtags_objects') IS NOT NULL AS has`))[0].has) {
    const [tag] = await insertRows(b, 'hashtags', [{name: 'cats', inserted_at: SEEDED_AT, updated_at: SEEDED_AT}], {}, 'id')
    await insertRows(b, 'hashtags_objects', [
      {hashtag_id: tag.id, object_id: objects.p1},
      {hashtag_id: tag.id, object_id: objects.c1},
    ])
  }

  return {users, objects, activities, notifications, bookmarks, apps, tokens, authorizations, reportNote: rn.id}
}

// ------------------------------------------------------------------ assertions helpers

/** follower_count / following_count of every local user as §0.4 defines them, computed from the rows. */
export async function expectedFollowCounters(b: Backend): Promise<Record<string, {followers: number; following: number}>> {
  const rows = await b.sql(
    `SELECT u.nickname,
            (SELECT count(*) FROM following_relationships r JOIN users f ON f.id = r.follower_id
              WHERE r.following_id = u.id AND r.state = 2 AND f.id <> u.id AND f.is_active
                AND f.nickname IS NOT NULL AND f.nickname NOT LIKE 'internal.%')::int AS followers,
            (SELECT count(*) FROM following_relationships r JOIN users t ON t.id = r.following_id
              WHERE r.follower_id = u.id AND r.state = 2 AND t.id <> u.id AND t.is_active
                AND t.nickname IS NOT NULL AND t.nickname NOT LIKE 'internal.%')::int AS following
       FROM users u WHERE u.local ORDER BY u.nickname`,
  )
  return Object.fromEntries(rows.map((r) => [r.nickname, {followers: r.followers, following: r.following}]))
}

export async function storedFollowCounters(b: Backend): Promise<Record<string, {followers: number; following: number}>> {
  const rows = await b.sql(`SELECT nickname, follower_count, following_count FROM users WHERE local ORDER BY nickname`)
  return Object.fromEntries(rows.map((r) => [r.nickname, {followers: r.follower_count, following: r.following_count}]))
}

/** Activity names of the graph that still exist. */
export async function remainingActivities(b: Backend, g: SocialGraph): Promise<string[]> {
  const rows = await b.sql(`SELECT id FROM activities WHERE id = ANY($1::uuid[])`, [Object.values(g.activities).map((a) => a.id)])
  const ids = new Set(rows.map((r) => r.id))
  return Object.entries(g.activities)
    .filter(([, a]) => ids.has(a.id))
    .map(([n]) => n)
    .sort()
}

export async function remainingNotifications(b: Backend, g: SocialGraph): Promise<string[]> {
  const rows = await b.sql(`SELECT id FROM notifications`)
  const ids = new Set(rows.map((r) => String(r.id)))
  return Object.entries(g.notifications)
    .filter(([, id]) => ids.has(String(id)))
    .map(([n]) => n)
    .sort()
}

/** The activities inserted by a command (not seeded), oldest first. */
export async function newActivities(b: Backend, g: SocialGraph): Promise<any[]> {
  return b.sql(`SELECT id, data, local, actor, recipients, inserted_at, updated_at FROM activities WHERE NOT (id = ANY($1::uuid[])) ORDER BY id`, [
    Object.values(g.activities).map((a) => a.id),
  ])
}

/** The database a backend's commands use, opened in the test process (to call a service directly). */
export async function openBackendDatabase(b: Backend) {
  const {openDatabase} = await import('../../src/db/connection')
  if (b.url) return openDatabase({kind: 'url', url: b.url, from: 'flag'})
  // The embedded backend registers its in-memory PGlite for a made-up data
  // directory (test/helpers/backends.ts); exactly one is open per test.
  const registry = (globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>)[Symbol.for('pleroma-admin.embedded-instances')]
  const dirs = [...(registry?.keys() ?? [])]
  if (dirs.length !== 1) throw new Error(`expected one embedded test database, found ${dirs.length}`)
  return openDatabase({kind: 'embedded', dataDir: dirs[0]})
}

/** Alice with `n` public posts (objects and Creates), for the batch tests. */
export async function seedManyPosts(b: Backend, nickname: string, n: number): Promise<string> {
  const ids = await seedUsers(b, [{nickname, noteCount: n}])
  const ap = apId(nickname)
  await b.sql(
    `INSERT INTO objects (data, inserted_at, updated_at)
     SELECT jsonb_build_object('id', $1 || '/objects/' || $6 || '-' || g, 'type', 'Note', 'actor', $2::text, 'content', 'post ' || g,
                               'to', jsonb_build_array($3::text), 'cc', jsonb_build_array($2::text || '/followers')),
            $4, $4
       FROM generate_series(1, $5::int) AS g`,
    [BASE, ap, PUBLIC, SEEDED_AT, n, nickname],
  )
  // FlakeIds of 2024-01-02 plus g ms, a random worker, in order.
  await b.sql(
    `INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
     SELECT (lpad(to_hex(1704164645000 + g), 16, '0') || $7 || '0000')::uuid,
            jsonb_build_object('id', $1 || '/activities/' || $6 || '-' || g, 'type', 'Create', 'actor', $2::text,
                               'object', $1 || '/objects/' || $6 || '-' || g,
                               'to', jsonb_build_array($3::text), 'cc', jsonb_build_array($2::text || '/followers')),
            $4, $4, true, $2, ARRAY[$3::varchar, ($2 || '/followers')::varchar]
       FROM generate_series(1, $5::int) AS g`,
    [BASE, ap, PUBLIC, SEEDED_AT, n, nickname, randomBytes(6).toString('hex')],
  )
  return ids[nickname]
}
