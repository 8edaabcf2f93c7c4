/**
 * The selection side of the commands that work on many users (src/bulk-users.ts):
 * the users a list of nicknames names, read in a few queries, and which of
 * them a destructive bulk command leaves alone unless told otherwise (staff,
 * invisible accounts, the server's service actors). Plain functions over an
 * EntityManager: no printing, no oclif.
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {columnsOf, tableOf} from '../entities/names'
import {isServiceActor} from './service-actors'

const U = columnsOf(User)

/** What the selection needs to know of a user. */
export interface UserIdentity {
  id: string
  nickname: string
  local: boolean
  active: boolean
  admin: boolean
  moderator: boolean
  invisible: boolean
  apId: string
  actorType: string
}

const IDENTITY_SELECT = `${U.id} AS id, ${U.nickname} AS nickname, ${U.local} AS local, ${U.isActive} AS active, ${U.isAdmin} AS admin,
  ${U.isModerator} AS moderator, ${U.invisible} AS invisible, ${U.apId} AS "apId", ${U.actorType} AS "actorType"`

/** Names per query (one array parameter each). */
const CHUNK = 1000

/**
 * The user each name stands for (null: nobody), as findUser looks them up:
 * the nickname compared case-insensitively (citext: the array is cast to the
 * column's type, so the unique index on nickname is used), and
 * `nick@<this instance's host>` for the local `nick`.
 */
export async function lookupUsers(m: EntityManager, names: string[], instanceHost: () => Promise<string>): Promise<Map<string, UserIdentity | null>> {
  const found = new Map<string, UserIdentity>()
  const unique = [...new Set(names)]
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await m.query<UserIdentity[]>(`SELECT ${IDENTITY_SELECT} FROM ${tableOf(User)} WHERE ${U.nickname} = ANY($1::text[]::citext[])`, [
      unique.slice(i, i + CHUNK),
    ])
    for (const r of rows) found.set(r.nickname.toLowerCase(), r)
  }
  let host: string | undefined
  const result = new Map<string, UserIdentity | null>()
  for (const name of unique) {
    let user = found.get(name.toLowerCase())
    const at = name.indexOf('@')
    if (!user && at > 0) {
      host ??= (await instanceHost()).toLowerCase()
      if (name.slice(at + 1).toLowerCase() === host) user = found.get(name.slice(0, at).toLowerCase()) ?? (await lookupOne(m, name.slice(0, at)))
    }
    result.set(name, user ?? null)
  }
  return result
}

async function lookupOne(m: EntityManager, nickname: string): Promise<UserIdentity | undefined> {
  const rows = await m.query<UserIdentity[]>(`SELECT ${IDENTITY_SELECT} FROM ${tableOf(User)} WHERE ${U.nickname} = $1::citext`, [nickname])
  return rows[0]
}

/**
 * Why a destructive bulk command leaves this user alone (null: it does not):
 * the server's service actors (docs/pleroma/schema.md#service-actors: the
 * relay and `internal.*` actors, and any other local invisible account,
 * said as "invisible"), admins and moderators.
 */
export function protectedReason(u: Pick<UserIdentity, 'nickname' | 'local' | 'admin' | 'moderator' | 'invisible'>): string | null {
  if (isServiceActor(u)) {
    const nick = u.nickname.toLowerCase()
    return nick === 'relay' || nick.startsWith('internal.') ? 'service actor' : 'invisible'
  }
  if (u.admin) return 'admin'
  if (u.moderator) return 'moderator'
  return null
}
