/**
 * Password reset links, as `mix pleroma.user reset_password` makes them
 * (lib/mix/tasks/pleroma/user.ex, Pleroma v2.9.1): a password_reset_tokens row.
 */
import type {EntityManager} from 'typeorm'
import {PasswordResetToken} from '../entities/password-reset-token'
import {pathSegment, urlSafeToken} from '../db/tokens'
import {utcNowDate} from '../db/time'

/** Inserts a password_reset_tokens row (unused, timestamps now) and returns its token. */
export async function createPasswordResetToken(m: EntityManager, userId: string, now = utcNowDate()): Promise<string> {
  const token = urlSafeToken()
  await m.insert(PasswordResetToken, {token, userId, used: false, insertedAt: now, updatedAt: now})
  return token
}

/** The link current Pleroma (2.9) and Akkoma print: `<base>/api/v1/pleroma/password_reset/<token>`. */
export function passwordResetUrl(instanceUrl: string, token: string): string {
  return `${instanceUrl}/api/v1/pleroma/password_reset/${pathSegment(token)}`
}
