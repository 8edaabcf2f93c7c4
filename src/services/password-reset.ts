/** Password reset links (user-tasks.md §4). */
import type {EntityManager} from 'typeorm'
import {pathSegment, urlSafeToken} from '../db/tokens'
import {utcNow} from '../db/time'

/** Inserts a password_reset_tokens row and returns its token. */
export async function createPasswordResetToken(m: EntityManager, userId: string, now = utcNow()): Promise<string> {
  const token = urlSafeToken()
  await m.query(
    `INSERT INTO password_reset_tokens (token, user_id, used, inserted_at, updated_at) VALUES ($1, $2, false, $3, $3)`,
    [token, userId, now],
  )
  return token
}

/** The link current Pleroma (2.9) and Akkoma print: `<base>/api/v1/pleroma/password_reset/<token>`. */
export function passwordResetUrl(instanceUrl: string, token: string): string {
  return `${instanceUrl}/api/v1/pleroma/password_reset/${pathSegment(token)}`
}
