/**
 * The instance base URL (`Pleroma.Web.Endpoint.url()`): scheme://host[:port],
 * the port left out when it is the scheme's default, no trailing slash.
 */
import type {EntityManager} from 'typeorm'
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

/** DESIGN §1: flag, env, config file, the ap_id of existing local users, the stored setting, the default. */
export async function resolveInstanceUrl(m: EntityManager, schema: SchemaInfo, sources: InstanceUrlSources): Promise<string> {
  if (sources.flag) return normalizeInstanceUrl(sources.flag, '--instance-url')
  if (sources.env) return normalizeInstanceUrl(sources.env, 'PLEROMA_INSTANCE_URL')
  if (sources.config) return normalizeInstanceUrl(sources.config, 'the Pleroma config file')
  const fromUsers = await instanceUrlFromUsers(m)
  if (fromUsers) return fromUsers
  if (schema.tables.has('pleroma_admin_settings')) {
    const rows: Array<{value: string}> = await m.query(`SELECT value FROM pleroma_admin_settings WHERE key = $1`, [SETTING_INSTANCE_URL])
    if (rows[0]) return rows[0].value
  }
  return DEFAULT_INSTANCE_URL
}

/** The prefix of the ap_id of the oldest ordinary local user (`<base>/users/<nick>`). */
export async function instanceUrlFromUsers(m: EntityManager): Promise<string | undefined> {
  const rows: Array<{ap_id: string}> = await m.query(
    `SELECT ap_id FROM users
      WHERE local AND nickname IS NOT NULL AND nickname NOT LIKE 'internal.%' AND ap_id LIKE '%/users/%'
      ORDER BY id LIMIT 1`,
  )
  if (!rows[0]) return undefined
  const m1 = /^(https?:\/\/[^/]+)\/users\//.exec(rows[0].ap_id)
  return m1 ? m1[1] : undefined
}

export async function storeInstanceUrl(m: EntityManager, url: string): Promise<void> {
  await m.query(
    `INSERT INTO pleroma_admin_settings (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [SETTING_INSTANCE_URL, url],
  )
}

export function hostOf(instanceUrl: string): string {
  return new URL(instanceUrl).host
}
