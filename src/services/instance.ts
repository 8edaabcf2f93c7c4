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

/** In this order: the flag, the environment, the config file, the ap_id of existing local users, the stored setting, the default. */
export async function resolveInstanceUrl(m: EntityManager, schema: SchemaInfo, sources: InstanceUrlSources): Promise<string> {
  if (sources.flag) return normalizeInstanceUrl(sources.flag, '--instance-url')
  if (sources.env) return normalizeInstanceUrl(sources.env, 'PLEROMA_INSTANCE_URL')
  if (sources.config) return normalizeInstanceUrl(sources.config, 'the Pleroma config file')
  const fromUsers = await instanceUrlFromUsers(m)
  if (fromUsers) return fromUsers
  if (schema.tables.has(tableOf(AdminSetting))) {
    const setting = await m.findOneBy(AdminSetting, {key: SETTING_INSTANCE_URL})
    if (setting) return setting.value
  }
  return DEFAULT_INSTANCE_URL
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
