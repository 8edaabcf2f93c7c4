/**
 * Multi-factor authentication: `mix pleroma.user reset_mfa`
 * (docs/pleroma/tasks.md#reset_mfa; Pleroma.MFA.disable,
 * v2.9.1:lib/pleroma/mfa.ex:128-134). Plain functions over an EntityManager:
 * no printing, no oclif.
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {MfaToken} from '../entities/account-data'
import {columnsOf} from '../entities/names'
import {utcNowDate} from '../db/time'
import {NotFoundError} from '../errors'
import {requireLocalUser} from './users'

const U = columnsOf(User)

/**
 * The settings a reset leaves: what Pleroma's MFA.disable writes for
 * `enabled` and `totp` (an empty TOTP embed, v2.9.1:lib/pleroma/mfa/changeset.ex:10-26,
 * lib/pleroma/mfa/settings.ex:11-21), with the backup codes emptied too.
 */
export const MFA_DISABLED_SETTINGS = {enabled: false, backup_codes: [], totp: {secret: null, delivery_type: 'app', confirmed: false}} as const

/**
 * SQL: the settings column reads as disabled, as Pleroma loads it (missing
 * keys take the embed's defaults; NULL is the defaults): not enabled, no
 * backup codes, no TOTP secret, TOTP not confirmed.
 */
const READS_AS_DISABLED = `(
  coalesce(${U.mfaSettings}->'enabled', 'false'::jsonb) IN ('false'::jsonb, 'null'::jsonb)
  AND coalesce(${U.mfaSettings}->'backup_codes', '[]'::jsonb) IN ('[]'::jsonb, 'null'::jsonb)
  AND coalesce(${U.mfaSettings}->'totp'->'secret', 'null'::jsonb) = 'null'::jsonb
  AND coalesce(${U.mfaSettings}->'totp'->'confirmed', 'false'::jsonb) IN ('false'::jsonb, 'null'::jsonb)
)`

export interface ResetMfaResult {
  nickname: string
  /** Whether sign-in asked for a second factor before (settings.enabled). */
  wasEnabled: boolean
  /** Whether the settings were (dry run: would be) rewritten. */
  changed: boolean
  /** mfa_tokens rows of the user deleted (dry run: that would be). */
  mfaTokensDeleted: number
}

/**
 * Disables MFA of a local user: the settings become MFA_DISABLED_SETTINGS
 * (one UPDATE, updated_at bumped) unless they already read as disabled, and
 * the user's pending mfa_tokens are deleted. With `dryRun`, counts and
 * writes nothing.
 */
export async function resetMfa(
  m: EntityManager,
  nickname: string,
  options: {instanceHost?: () => Promise<string>; dryRun?: boolean; now?: Date} = {},
): Promise<ResetMfaResult> {
  const user = await requireLocalUser(m, nickname, options.instanceHost)
  const state = await m
    .createQueryBuilder(User, 'u')
    .select(`coalesce(${U.mfaSettings}->'enabled', 'false'::jsonb) = 'true'::jsonb`, 'enabled')
    .addSelect(`NOT ${READS_AS_DISABLED}`, 'change')
    .where('u.id = :id', {id: user.id})
    .getRawOne<{enabled: boolean; change: boolean}>()
  if (!state) throw new NotFoundError(`No local user ${nickname}`, 'The user disappeared while the command ran; check with `pleroma-admin user:list`.')
  const result = {nickname: user.nickname!, wasEnabled: state.enabled, changed: state.change}
  if (options.dryRun) return {...result, mfaTokensDeleted: await m.countBy(MfaToken, {userId: user.id})}
  if (state.change) {
    await m
      .createQueryBuilder()
      .update(User)
      .set({mfaSettings: () => 'CAST(:settings AS jsonb)', updatedAt: options.now ?? utcNowDate()})
      .where(`${U.id} = :id AND NOT ${READS_AS_DISABLED}`, {id: user.id, settings: JSON.stringify(MFA_DISABLED_SETTINGS)})
      .execute()
  }
  const deleted = await m.delete(MfaToken, {userId: user.id})
  return {...result, mfaTokensDeleted: deleted.affected ?? 0}
}
