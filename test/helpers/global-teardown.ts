import {Client} from 'pg'
import {PG_TEMPLATE_PLEROMA, PG_TEMPLATE_PLEROMA_2021, PG_TEMPLATE_TOOL} from './templates'

export default async function globalTeardown(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL
  if (!base) return
  const admin = new Client({connectionString: base})
  await admin.connect()
  try {
    const rows = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'pa_test_s_%'`)
    for (const r of rows.rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined)
    for (const name of [PG_TEMPLATE_TOOL, PG_TEMPLATE_PLEROMA, PG_TEMPLATE_PLEROMA_2021]) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
    }
  } finally {
    await admin.end()
  }
}
