/**
 * Global sign-out (user-tasks.md §12): delete all of a user's OAuth
 * authorizations and tokens. Their MFA tokens (via authorization_id) and push
 * subscriptions (via token_id) go with them by ON DELETE CASCADE. Apps,
 * registrations and password reset tokens are left alone.
 */
import type {EntityManager} from 'typeorm'

export interface SignOutCounts {
  tokens: number
  authorizations: number
  /** push_subscriptions that go with the tokens (cascade). */
  pushSubscriptions: number
  /** mfa_tokens that go with the authorizations (cascade). */
  mfaTokens: number
}

/** What a sign-out of the user would delete, counted in one statement. */
export async function countSessions(m: EntityManager, userId: string): Promise<SignOutCounts> {
  const rows: Array<{tokens: number; authorizations: number; push: number; mfa: number}> = await m.query(
    `SELECT (SELECT count(*) FROM oauth_tokens WHERE user_id = $1)::int AS tokens,
            (SELECT count(*) FROM oauth_authorizations WHERE user_id = $1)::int AS authorizations,
            (SELECT count(*) FROM push_subscriptions p JOIN oauth_tokens t ON t.id = p.token_id WHERE t.user_id = $1)::int AS push,
            (SELECT count(*) FROM mfa_tokens f JOIN oauth_authorizations a ON a.id = f.authorization_id WHERE a.user_id = $1)::int AS mfa`,
    [userId],
  )
  const r = rows[0]
  return {tokens: r.tokens, authorizations: r.authorizations, pushSubscriptions: r.push, mfaTokens: r.mfa}
}

/** Deletes the user's authorizations, then its tokens (as Pleroma does); returns how many of each. */
export async function signOutUser(m: EntityManager, userId: string): Promise<{tokens: number; authorizations: number}> {
  const [, authorizations] = (await m.query(`DELETE FROM oauth_authorizations WHERE user_id = $1`, [userId])) as [unknown, number]
  const [, tokens] = (await m.query(`DELETE FROM oauth_tokens WHERE user_id = $1`, [userId])) as [unknown, number]
  return {tokens, authorizations}
}
