/**
 * Everything a command runs once it touches the database: the TypeORM
 * DataSource and entities, and the services. Built into one bundle
 * (dist/runtime.bundle.js, scripts/bundle.js) with TypeORM and pg inside,
 * and loaded by runtime-loader.ts only when a command needs it, so that
 * --help and command discovery load none of it.
 *
 * Commands reach services through `runtime()` (runtime-loader.ts), never by
 * importing them: a second copy of TypeORM (or of an entity) would not share
 * the bundle's metadata.
 */
import 'reflect-metadata'

export * as connection from './db/connection'
export * as embedded from './db/embedded'
export * as embeddedTemplate from './db/embedded-template'
export * as flakeId from './db/flake-id'
export * as tokens from './db/tokens'
export * as activation from './services/activation'
export * as approval from './services/approval'
export * as confirmation from './services/confirmation'
export * as bulkUsers from './services/bulk-users'
export * as counters from './services/counters'
export * as deleteActivities from './services/delete-activities'
export * as deleteUser from './services/delete-user'
export * as federation from './services/federation'
export * as followState from './services/follow-state'
export * as grace from './services/grace'
export * as deletionSummary from './services/deletion-summary'
export * as email from './services/email'
export * as instance from './services/instance'
export * as invites from './services/invites'
export * as live from './services/live'
export * as mfa from './services/mfa'
export * as moderationLog from './services/moderation-log'
export * as oban from './services/oban'
export * as passwordReset from './services/password-reset'
export * as passwords from './services/passwords'
export * as prune from './services/prune'
export * as serviceActors from './services/service-actors'
export * as show from './services/show'
export * as signOut from './services/sign-out'
export * as stdin from './services/stdin'
export * as userFlags from './services/user-flags'
export * as userTags from './services/user-tags'
export * as users from './services/users'
