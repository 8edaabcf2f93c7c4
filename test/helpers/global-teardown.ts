import * as fs from 'node:fs'
import {Client} from 'pg'
import {PG_PREFIX, pgliteTemplateFile, runId} from './templates'

export default async function globalTeardown(): Promise<void> {
  fs.rmSync(pgliteTemplateFile(), {force: true})
  const base = process.env.TEST_DATABASE_URL
  if (!base) return
  const admin = new Client({connectionString: base})
  await admin.connect()
  try {
    const rows = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${PG_PREFIX}${runId()}\\_%`])
    for (const r of rows.rows) {
      await admin.query(`UPDATE pg_database SET datistemplate = false WHERE datname = $1`, [r.datname])
      await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined)
    }
  } finally {
    await admin.end()
  }
}
