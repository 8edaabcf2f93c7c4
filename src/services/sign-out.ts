/**
 * Global sign-out, as `mix pleroma.user sign_out` does it
 * (lib/mix/tasks/pleroma/user.ex: User.global_sign_out, lib/pleroma/user.ex,
 * Pleroma v2.9.1): delete all of a user's OAuth authorizations and tokens.
 * Their MFA tokens (via authorization_id) and push subscriptions (via
 * token_id) go with them by ON DELETE CASCADE. Apps, registrations and
 * password reset tokens are left alone.
 */
import type {EntityManager} from 'typeorm'
import {OAuthAuthorization, OAuthToken} from '../entities/oauth'
import {MfaToken, PushSubscription} from '../entities/account-data'

export interface SignOutCounts {
  tokens: number
  authorizations: number
  /** push_subscriptions that go with the tokens (cascade). */
  pushSubscriptions: number
  /** mfa_tokens that go with the authorizations (cascade). */
  mfaTokens: number
}

/** What a sign-out of the user would delete. */
export async function countSessions(m: EntityManager, userId: string): Promise<SignOutCounts> {
  return {
    tokens: await m.countBy(OAuthToken, {userId}),
    authorizations: await m.countBy(OAuthAuthorization, {userId}),
    pushSubscriptions: await m
      .createQueryBuilder(PushSubscription, 'p')
      .innerJoin(OAuthToken, 't', 't.id = p.tokenId')
      .where('t.userId = :userId', {userId})
      .getCount(),
    mfaTokens: await m
      .createQueryBuilder(MfaToken, 'f')
      .innerJoin(OAuthAuthorization, 'a', 'a.id = f.authorizationId')
      .where('a.userId = :userId', {userId})
      .getCount(),
  }
}

/** Deletes the user's authorizations, then its tokens (as Pleroma does); returns how many of each. */
export async function signOutUser(m: EntityManager, userId: string): Promise<{tokens: number; authorizations: number}> {
  const authorizations = await m.delete(OAuthAuthorization, {userId})
  const tokens = await m.delete(OAuthToken, {userId})
  return {tokens: tokens.affected ?? 0, authorizations: authorizations.affected ?? 0}
}
