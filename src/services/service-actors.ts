/**
 * Service actors: the local accounts Pleroma (and Akkoma) create for
 * themselves, not for a person (docs/pleroma/schema.md#service-actors):
 *
 * - `relay` (Pleroma.Web.ActivityPub.Relay, `v2.9.1:lib/pleroma/web/activity_pub/relay.ex:13`):
 *   follows other relays and announces what they relay;
 * - `internal.fetch` (`v2.9.1:lib/pleroma/web/activity_pub/internal_fetch_actor.ex:18`):
 *   signs the instance's fetches of remote objects;
 * - any other local `internal.*` account (`User.internal?`, `v2.9.1:lib/pleroma/user.ex:2561-2563`),
 *   and any local `invisible` account: Pleroma makes a service actor
 *   invisible (`create_service_actor`, `v2.9.1:lib/pleroma/user.ex:2265-2280`),
 *   and nothing else sets the flag.
 *
 * Deleting, deactivating or otherwise changing one breaks federation, so the
 * commands refuse (exit 4) unless --force. The predicate exists twice, as
 * TypeScript over a row and as SQL over a `users` alias, and
 * test/unit/service-actors.test.ts checks that they agree.
 */
import {User} from '../entities/user'
import {columnsOf} from '../entities/names'
import {RefusedError} from '../errors'

const U = columnsOf(User)

/** What the predicate reads of a users row. */
export interface ServiceActorFields {
  local: boolean
  nickname: string | null
  invisible: boolean
}

/** The service actor's nicknames that are not `internal.*` (compared case-insensitively, as the citext column does). */
export const SERVICE_ACTOR_NICKNAMES = ['relay'] as const

/** true for a service actor: local, and `relay`, `internal.*` or invisible. Rows without a nickname (deleted users' skeletons) are not. */
export function isServiceActor(u: ServiceActorFields): boolean {
  if (!u.local || u.nickname === null) return false
  const nick = u.nickname.toLowerCase()
  return (SERVICE_ACTOR_NICKNAMES as readonly string[]).includes(nick) || nick.startsWith('internal.') || u.invisible
}

/**
 * The same predicate as SQL over a `users` row under `alias`
 * (`serviceActorSql('u')` → `(u.local AND u.nickname IS NOT NULL AND (...))`).
 * Negate it to skip service actors in bulk work: `NOT ${serviceActorSql('u')}`.
 */
export function serviceActorSql(alias: string): string {
  const c = (column: string) => `${alias}.${column}`
  const names = SERVICE_ACTOR_NICKNAMES.map((n) => `'${n}'`).join(', ')
  return (
    `(${c(U.local)} AND ${c(U.nickname)} IS NOT NULL AND ` +
    `(lower(${c(U.nickname)}::text) IN (${names}) OR lower(${c(U.nickname)}::text) LIKE 'internal.%' OR ${c(U.invisible)}))`
  )
}

/** What the service actor does, for the refusal message. */
export function serviceActorRole(u: ServiceActorFields): string {
  const nick = (u.nickname ?? '').toLowerCase()
  if (nick === 'relay') return "this instance's relay actor: it follows other relays and announces the posts they relay"
  if (nick === 'internal.fetch') return "this instance's fetch actor: it signs the requests with which the server fetches posts and accounts from other servers"
  return 'a service actor of this instance (an internal, invisible account of the server, not of a person)'
}

/** Passed by a command to the lookup: what it is about to do ("delete", "deactivate", ...) and whether --force was given. */
export interface ServiceActorGuard {
  /** The verb of the refused action, e.g. `delete` → "Refusing to delete relay". */
  action: string
  force: boolean
}

/**
 * Throws RefusedError (exit 4) when `u` is a service actor and the guard
 * does not force it; does nothing otherwise (and without a guard).
 */
export function refuseServiceActor(u: ServiceActorFields, guard: ServiceActorGuard | undefined): void {
  if (!guard || guard.force || !isServiceActor(u)) return
  throw new RefusedError(
    `Refusing to ${guard.action} ${u.nickname}: it is ${serviceActorRole(u)}; changing it breaks federation.`,
    'Nothing was changed. Pass --force if that is really what you want.',
  )
}
