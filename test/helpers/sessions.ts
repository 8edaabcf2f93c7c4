/** Seeding users and their OAuth state (apps, tokens, authorizations, MFA tokens, push subscriptions) for the sign-out and password reset tests. */
import type {Backend} from './backends'
import {newFlakeId} from '../../src/db/flake-id'

export const T0 = '2024-01-02 03:04:05'

export interface UserSeed {
  nickname: string
  local?: boolean
  active?: boolean
}

/** Inserts users in one statement; returns their ids by nickname. */
export async function seedUsers(b: Backend, users: UserSeed[], base = 'https://pleroma.example'): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  const params: unknown[] = []
  const values = users.map((u) => {
    const id = newFlakeId()
    ids[u.nickname] = id
    const local = u.local ?? true
    const ap = local ? `${base}/users/${u.nickname}` : `https://${u.nickname.split('@')[1]}/users/${u.nickname.split('@')[0]}`
    const start = params.length
    params.push(id, u.nickname, ap, local, u.active ?? true)
    const p = (k: number) => `$${start + k + 1}`
    return `(${p(0)}::uuid, ${p(1)}, '', ${p(2)}::varchar, ${p(3)}::boolean, ${p(4)}::boolean, '${T0}', '${T0}', ${p(2)}::varchar || '/followers')`
  })
  await b.sql(`INSERT INTO users (id, nickname, bio, ap_id, local, is_active, inserted_at, updated_at, follower_address) VALUES ${values.join(', ')}`, params)
  return ids
}

export interface SessionSeed {
  /** oauth_tokens rows: [owner user id or null (client credentials), token string] */
  tokens: Array<[string | null, string]>
  /** oauth_authorizations rows: [owner user id, token string] */
  authorizations: Array<[string, string]>
  /** mfa_tokens rows: [user id, index into authorizations or null, token] */
  mfaTokens?: Array<[string, number | null, string]>
  /** push_subscriptions rows: [user id, index into tokens] */
  pushSubscriptions?: Array<[string, number]>
}

/**
 * One app, then the given tokens, authorizations, MFA tokens and push
 * subscriptions (one multi-row INSERT per table). Returns the ids, in the
 * order given.
 */
export async function seedSessions(b: Backend, s: SessionSeed): Promise<{appId: number; tokenIds: number[]; authorizationIds: number[]}> {
  const app = await b.sql<{id: string}>(
    `INSERT INTO apps (client_name, redirect_uris, scopes, client_id, client_secret, inserted_at, updated_at)
     VALUES ('Test app', 'urn:ietf:wg:oauth:2.0:oob', '{read,write}', 'client-id-1', 'client-secret-1', '${T0}', '${T0}') RETURNING id`,
  )
  const appId = Number(app[0].id)
  const tokens = await b.sql<{id: string}>(
    `INSERT INTO oauth_tokens (app_id, user_id, token, refresh_token, valid_until, inserted_at, updated_at, scopes)
     SELECT $1::bigint, u, t, 'refresh-' || t, '2124-01-02 03:04:05', '${T0}', '${T0}', '{read,write}'
       FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS x(u, t, n) ORDER BY n RETURNING id`,
    [appId, s.tokens.map((t) => t[0]), s.tokens.map((t) => t[1])],
  )
  const tokenIds = tokens.map((r) => Number(r.id)).sort((a, b2) => a - b2)
  const auths = await b.sql<{id: string}>(
    `INSERT INTO oauth_authorizations (app_id, user_id, token, valid_until, used, inserted_at, updated_at, scopes)
     SELECT $1::bigint, u, t, '2024-01-02 03:14:05', false, '${T0}', '${T0}', '{read}'
       FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS x(u, t, n) ORDER BY n RETURNING id`,
    [appId, s.authorizations.map((a) => a[0]), s.authorizations.map((a) => a[1])],
  )
  const authorizationIds = auths.map((r) => Number(r.id)).sort((a, b2) => a - b2)
  if (s.mfaTokens?.length) {
    await b.sql(
      `INSERT INTO mfa_tokens (user_id, authorization_id, token, valid_until, inserted_at, updated_at)
       SELECT u, a, t, '2024-01-02 03:19:05', '${T0}', '${T0}' FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS x(u, a, t)`,
      [s.mfaTokens.map((x) => x[0]), s.mfaTokens.map((x) => (x[1] === null ? null : authorizationIds[x[1]])), s.mfaTokens.map((x) => x[2])],
    )
  }
  if (s.pushSubscriptions?.length) {
    await b.sql(
      `INSERT INTO push_subscriptions (user_id, token_id, endpoint, key_p256dh, key_auth, data, inserted_at, updated_at)
       SELECT u, t, 'https://push.example/' || t, 'p256dh', 'auth', '{"alerts": {"mention": true}}', '${T0}', '${T0}'
         FROM unnest($1::uuid[], $2::bigint[]) AS x(u, t)`,
      [s.pushSubscriptions.map((x) => x[0]), s.pushSubscriptions.map((x) => tokenIds[x[1]])],
    )
  }
  return {appId, tokenIds, authorizationIds}
}

export const SESSION_TABLES = [
  'users',
  'apps',
  'oauth_tokens',
  'oauth_authorizations',
  'mfa_tokens',
  'push_subscriptions',
  'registrations',
  'password_reset_tokens',
]
