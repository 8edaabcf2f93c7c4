/**
 * A local user's e-mail address, as Pleroma's User.change_email sets it
 * (docs/pleroma/tasks.md#change_email; v2.9.1:lib/pleroma/user.ex:2577-2584):
 * the pattern and the unique address of registration, is_confirmed and the
 * confirmation token untouched. Plain functions over an EntityManager: no
 * printing, no oclif.
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {columnsOf} from '../entities/names'
import {updateReturning} from '../entities/returning'
import {NotFoundError, RefusedError} from '../errors'
import {utcNowDate} from '../db/time'
import {requireLocalUser, validateEmail} from './users'

const U = columnsOf(User)

export interface ChangeEmailResult {
  nickname: string
  previousEmail: string | null
  email: string
  /** Whether the row was (dry run: would be) updated; false when the address is already exactly this. */
  changed: boolean
  /** is_confirmed, unchanged. */
  confirmed: boolean
}

/**
 * Sets the e-mail address of a local user (one UPDATE, updated_at bumped)
 * unless it is already exactly that string. Refuses (exit 4) an address
 * that does not match Pleroma's pattern or that another user has
 * (case-insensitively, as the citext unique index compares).
 */
export async function changeEmail(
  m: EntityManager,
  nickname: string,
  email: string,
  options: {instanceHost?: () => Promise<string>; dryRun?: boolean; now?: Date} = {},
): Promise<ChangeEmailResult> {
  const user = await requireLocalUser(m, nickname, options.instanceHost)
  validateEmail(email)
  const other = await m
    .createQueryBuilder(User, 'u')
    .select(['u.id', 'u.nickname', 'u.apId'])
    .where('u.email = :email AND u.id <> :id', {email, id: user.id})
    .limit(1)
    .getOne()
  if (other) throw new RefusedError(`The e-mail address ${email} is already used by ${other.nickname ?? other.apId}.`, 'Use another address.')
  const result = {nickname: user.nickname!, previousEmail: user.email, email, confirmed: user.isConfirmed}
  // Ecto compares the strings exactly: another case is a change.
  const changed = user.email !== email
  if (options.dryRun || !changed) return {...result, changed}
  const [row] = await updateReturning(
    m
      .createQueryBuilder()
      .update(User)
      .set({email, updatedAt: options.now ?? utcNowDate()})
      .where(`${U.id} = :id AND ${U.local}`, {id: user.id}),
    ['nickname', 'email', 'isConfirmed'],
  )
  if (!row) throw new NotFoundError(`No local user ${nickname}`, 'The user disappeared while the command ran; check with `pleroma-admin user:list`.')
  return {...result, email: row.email!, confirmed: row.isConfirmed, changed: true}
}

/** The user whose e-mail address changeEmail changes (for the moderation log and the server's re-read). */
export async function emailSubject(
  m: EntityManager,
  nickname: string,
  instanceHost?: () => Promise<string>,
): Promise<{id: string; nickname: string; local: boolean}> {
  const user = await requireLocalUser(m, nickname, instanceHost)
  return {id: user.id, nickname: user.nickname!, local: true}
}
