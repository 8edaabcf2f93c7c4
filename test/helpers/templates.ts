/**
 * Template databases built once per test run (globalSetup) and copied for
 * each suite: an embedded (PGlite) data directory dump, and, when
 * TEST_DATABASE_URL is set, two PostgreSQL template databases — one made by
 * the tool's own migrations and one laid out as Pleroma's migrations leave it.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/**
 * One id per test run (the jest parent's pid, set in globalSetup and
 * inherited by the workers), so that test runs in several work trees at
 * once never touch each other's databases.
 */
export function runId(): string {
  process.env.PA_TEST_RUN_ID ??= String(process.pid)
  return process.env.PA_TEST_RUN_ID
}

export const PG_PREFIX = 'pa_test_'
export const pgTemplateTool = () => `${PG_PREFIX}${runId()}_tpl_tool`
export const pgTemplatePleroma = () => `${PG_PREFIX}${runId()}_tpl_pleroma`
export const pgTemplatePleroma2021 = () => `${PG_PREFIX}${runId()}_tpl_pleroma_2021`
export const pgScratchPrefix = () => `${PG_PREFIX}${runId()}_s_`

/** The pid in a test database's name, for dropping what a killed run left behind. */
export function pidOfTestDatabase(name: string): number | undefined {
  const m = /^pa_test_(\d+)_/.exec(name)
  return m ? Number(m[1]) : undefined
}

export function templateDir(): string {
  const dir = path.join(os.tmpdir(), 'pleroma-admin-test')
  fs.mkdirSync(dir, {recursive: true})
  return dir
}

export function pgliteTemplateFile(): string {
  return path.join(templateDir(), `pglite-template-${runId()}.tar.gz`)
}

/** The URL of another database on the TEST_DATABASE_URL server. */
export function databaseUrl(base: string, database: string): string {
  const u = new URL(base)
  u.pathname = '/' + database
  return u.toString()
}

export const FIXTURE_SQL = path.join(__dirname, '..', 'fixtures', 'pleroma-schema.sql')
export const FIXTURE_SQL_2021 = path.join(__dirname, '..', 'fixtures', 'pleroma-schema-2021.sql')
