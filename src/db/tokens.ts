import {randomBytes} from 'node:crypto'

/**
 * Pleroma's tokens for invites, password resets and confirmations:
 * 32 random bytes, url-safe base64 *with* padding (44 characters, ends in '=').
 */
export function urlSafeToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
}

/** A token as one path segment of a URL ('=' becomes %3D, as Pleroma prints it). */
export function pathSegment(token: string): string {
  return encodeURIComponent(token)
}

/** Pleroma's generated password for `user new` without --password: 16 random bytes, standard base64. */
export function randomPassword(): string {
  return randomBytes(16).toString('base64')
}
