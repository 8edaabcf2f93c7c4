/**
 * Seeding for the tests of user:set, user:tag/untag and
 * user:toggle-confirmed: users rows with given flags and tags, inserted in
 * one multi-row INSERT.
 */
import {newFlakeId} from '../../src/db/flake-id'
import type {Backend} from './backends'

export const SEEDED_AT = '2024-01-02 03:04:05'
/** The instance the seeded local users live on (pass as --instance-url). */
export const INSTANCE_URL = 'https://pleroma.example'
/** A confirmation token as Pleroma makes them (44 characters). */
export const OLD_TOKEN = 'b2xkLXRva2VuLW9sZC10b2tlbi1vbGQtdG9rZW4tb2w='

export interface SeedUser {
  nickname: string
  local?: boolean
  admin?: boolean
  moderator?: boolean
  locked?: boolean
  confirmed?: boolean
  /** Default: NULL when confirmed, OLD_TOKEN when not. */
  confirmationToken?: string | null
  tags?: string[] | null
}

/** Inserts the users (remote ones get nick@remote.example style ap_ids); returns nickname → id. */
export async function seedUsers(b: Pick<Backend, 'sql'>, users: SeedUser[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  const values: string[] = []
  const params: unknown[] = []
  for (const u of users) {
    const id = newFlakeId()
    ids[u.nickname] = id
    const local = u.local ?? true
    const apId = local ? `${INSTANCE_URL}/users/${u.nickname}` : `https://${u.nickname.split('@')[1]}/users/${u.nickname.split('@')[0]}`
    const confirmed = u.confirmed ?? true
    const token = u.confirmationToken !== undefined ? u.confirmationToken : confirmed ? null : OLD_TOKEN
    const row = [
      id,
      u.nickname,
      apId,
      local,
      u.admin ?? false,
      u.moderator ?? false,
      u.locked ?? false,
      confirmed,
      token,
      u.tags === undefined ? [] : u.tags,
      `${apId}/followers`,
    ]
    const base = params.length
    values.push(`(${row.map((_, i) => `$${base + i + 1}`).join(', ')}, '', '${SEEDED_AT}', '${SEEDED_AT}')`)
    params.push(...row)
  }
  await b.sql(
    `INSERT INTO users (id, nickname, ap_id, local, is_admin, is_moderator, is_locked, is_confirmed, confirmation_token, tags, follower_address, bio, inserted_at, updated_at)
     VALUES ${values.join(', ')}`,
    params,
  )
  return ids
}

export interface FlagRow {
  nickname: string
  is_admin: boolean
  is_moderator: boolean
  is_locked: boolean
  is_confirmed: boolean
  confirmation_token: string | null
  tags: string[] | null
  updated_at: Date
}

export async function userRow(b: Pick<Backend, 'sql'>, nickname: string): Promise<FlagRow> {
  const rows = await b.sql<FlagRow>(
    `SELECT nickname, is_admin, is_moderator, is_locked, is_confirmed, confirmation_token, tags, updated_at FROM users WHERE nickname = $1`,
    [nickname],
  )
  if (rows.length !== 1) throw new Error(`expected one user ${nickname}, found ${rows.length}`)
  return rows[0]
}

/** Asserts that updated_at was set by the command just now (UTC, whole seconds). */
export function expectBumped(updatedAt: Date, startedAt: number): void {
  expect(updatedAt.getTime() % 1000).toBe(0)
  expect(updatedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000)
  expect(updatedAt.getTime()).toBeLessThanOrEqual(Date.now())
}

export function expectUnchanged(updatedAt: Date): void {
  expect(updatedAt).toEqual(new Date(SEEDED_AT.replace(' ', 'T') + 'Z'))
}

export const TOKEN_RE = /^[A-Za-z0-9_-]{43}=$/
