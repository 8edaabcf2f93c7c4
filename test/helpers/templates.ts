/**
 * Template databases built once per test run (globalSetup) and copied for
 * each suite: an embedded (PGlite) data directory dump, and, when
 * TEST_DATABASE_URL is set, two PostgreSQL template databases — one made by
 * the tool's own migrations and one laid out as Pleroma's migrations leave it.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export const PG_TEMPLATE_TOOL = 'pa_test_tpl_tool'
export const PG_TEMPLATE_PLEROMA = 'pa_test_tpl_pleroma'
export const PG_TEMPLATE_PLEROMA_2021 = 'pa_test_tpl_pleroma_2021'

export function templateDir(): string {
  const dir = path.join(os.tmpdir(), 'pleroma-admin-test')
  fs.mkdirSync(dir, {recursive: true})
  return dir
}

export function pgliteTemplateFile(): string {
  return path.join(templateDir(), 'pglite-template.tar.gz')
}

/** The URL of another database on the TEST_DATABASE_URL server. */
export function databaseUrl(base: string, database: string): string {
  const u = new URL(base)
  u.pathname = '/' + database
  return u.toString()
}

export const FIXTURE_SQL = path.join(__dirname, '..', 'fixtures', 'pleroma-schema.sql')
export const FIXTURE_SQL_2021 = path.join(__dirname, '..', 'fixtures', 'pleroma-schema-2021.sql')
