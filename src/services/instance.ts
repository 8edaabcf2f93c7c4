/**
 * The instance base URL (`Pleroma.Web.Endpoint.url()`): scheme://host[:port],
 * the port left out when it is the scheme's default, no trailing slash.
 */
import type {EntityManager} from 'typeorm'
import {AdminSetting} from '../entities/admin-setting'
import {User} from '../entities/user'
import {tableOf} from '../entities/names'
import {RefusedError} from '../errors'
import type {SchemaInfo} from '../db/schema'

export const DEFAULT_INSTANCE_URL = 'http://localhost:4000'
export const SETTING_INSTANCE_URL = 'instance_url'

export function normalizeInstanceUrl(raw: string, from: string): string {
  let u: URL
  try {
    u = new URL(raw.includes('://') ? raw : `https://${raw}`)
  } catch {
    throw new RefusedError(`The instance URL from ${from} is not a URL: ${raw}`, 'Give it as https://pleroma.example.')
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new RefusedError(`The instance URL from ${from} must be http or https: ${raw}`, 'Give it as https://pleroma.example.')
  }
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username) {
    throw new RefusedError(`The instance URL from ${from} must be only scheme://host[:port]: ${raw}`, 'Give it as https://pleroma.example.')
  }
  return `${u.protocol}//${u.host}`
}

export interface InstanceUrlSources {
  flag?: string
  env?: string
  config?: string
}

/** The source the admin gave (flag, environment, config file), by name, in the order they win; undefined when none. */
export function givenSource(sources: InstanceUrlSources): {name: string; raw: string} | undefined {
  if (sources.flag) return {name: '--instance-url', raw: sources.flag}
  if (sources.env) return {name: 'PLEROMA_INSTANCE_URL', raw: sources.env}
  if (sources.config) return {name: 'the Pleroma config file', raw: sources.config}
  return undefined
}

/**
 * In this order: the flag, the environment, the config file, the ap_id of
 * existing local users, of the service actors, the stored setting, the
 * default (which only the tool's own databases should end up with: see
 * checkNewUserInstanceUrl).
 */
export async function resolveInstanceUrl(m: EntityManager, schema: SchemaInfo, sources: InstanceUrlSources): Promise<string> {
  const given = givenSource(sources)
  if (given) return normalizeInstanceUrl(given.raw, given.name)
  const existing = await instanceUrlOfLocalRows(m)
  if (existing) return existing.url
  if (schema.tables.has(tableOf(AdminSetting))) {
    const setting = await m.findOneBy(AdminSetting, {key: SETTING_INSTANCE_URL})
    if (setting) return setting.value
  }
  return DEFAULT_INSTANCE_URL
}

/**
 * The instance URL the database's own local rows carry: the ordinary local
 * users' ap_id (`<base>/users/<nick>`), else the service actors' (Pleroma
 * makes `relay` at `<base>/relay` and `internal.fetch` at
 * `<base>/internal/fetch`, docs/pleroma/schema.md#service-actors).
 */
export async function instanceUrlOfLocalRows(m: EntityManager): Promise<{url: string; from: string} | undefined> {
  const fromUsers = await instanceUrlFromUsers(m)
  if (fromUsers) return {url: fromUsers, from: 'the existing local users'}
  const fromActors = await instanceUrlFromServiceActors(m)
  if (fromActors) return {url: fromActors.url, from: `the service actor ${fromActors.nickname}`}
  return undefined
}

/** The base of the oldest service actor's ap_id (`relay`: `<base>/relay`; `internal.fetch`: `<base>/internal/fetch`). */
export async function instanceUrlFromServiceActors(m: EntityManager): Promise<{url: string; nickname: string} | undefined> {
  const rows = await m
    .createQueryBuilder(User, 'u')
    .select(['u.id', 'u.apId', 'u.nickname'])
    .where(`u.local AND u.nickname IN ('relay', 'internal.fetch')`)
    .orderBy('u.id')
    .getMany()
  for (const r of rows) {
    const m1 = /^(https?:\/\/[^/]+)\/(relay|internal\/fetch)$/.exec(r.apId)
    if (m1) return {url: m1[1], nickname: r.nickname!}
  }
  return undefined
}

/**
 * Before user:new writes an ap_id under `url`: on a Pleroma-owned database
 * whose URL came from no source (no flag, environment or config file, no
 * local user or service actor), refuse rather than invent one (exit 4); a
 * URL that differs from the one the local rows carry is refused unless
 * `force` (two hosts on one instance is never what was meant).
 */
export async function checkNewUserInstanceUrl(m: EntityManager, schema: SchemaInfo, url: string, sources: InstanceUrlSources, force: boolean): Promise<void> {
  const given = givenSource(sources)
  const existing = await instanceUrlOfLocalRows(m)
  if (!given && !existing && schema.owner === 'pleroma') {
    throw new RefusedError(
      'The instance URL is unknown: this Pleroma database has no local user or service actor to take it from.',
      'Give it with --instance-url https://your.instance, PLEROMA_INSTANCE_URL, or --pleroma-config /etc/pleroma/config.exs.',
    )
  }
  if (given && existing && existing.url !== url && !force) {
    throw new RefusedError(
      `The instance URL ${url} (from ${given.name}) differs from ${existing.url}, the one ${existing.from} ${existing.from.startsWith('the existing') ? 'have' : 'has'}.`,
      `Leave out ${given.name} (or correct it); --force creates the user under ${url} all the same.`,
    )
  }
}

/** The prefix of the ap_id of the oldest ordinary local user (`<base>/users/<nick>`). */
export async function instanceUrlFromUsers(m: EntityManager): Promise<string | undefined> {
  const user = await m
    .createQueryBuilder(User, 'u')
    .select(['u.id', 'u.apId'])
    .where(`u.local AND u.nickname IS NOT NULL AND u.nickname NOT LIKE 'internal.%' AND u.apId LIKE '%/users/%'`)
    .orderBy('u.id')
    .limit(1)
    .getOne()
  if (!user) return undefined
  const m1 = /^(https?:\/\/[^/]+)\/users\//.exec(user.apId)
  return m1 ? m1[1] : undefined
}

/** Stores the instance URL in the tool's own settings (a database the tool created). */
export async function storeInstanceUrl(m: EntityManager, url: string): Promise<void> {
  await m.upsert(AdminSetting, {key: SETTING_INSTANCE_URL, value: url}, ['key'])
}

export function hostOf(instanceUrl: string): string {
  return new URL(instanceUrl).host
}
