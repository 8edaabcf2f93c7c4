import * as fs from 'node:fs'
import {Client} from 'pg'
import {PGlite} from '@electric-sql/pglite'
import {openDatabase} from '../../src/db/connection'
import {pgliteExtensions, PGLITE_PARSERS, registerEmbeddedInstance, unregisterEmbeddedInstance} from '../../src/db/embedded'
import {databaseUrl, FIXTURE_SQL, FIXTURE_SQL_2021, PG_TEMPLATE_PLEROMA, PG_TEMPLATE_PLEROMA_2021, PG_TEMPLATE_TOOL, pgliteTemplateFile} from './templates'

async function buildPgliteTemplate(): Promise<void> {
  const pg = await PGlite.create({extensions: pgliteExtensions(), parsers: PGLITE_PARSERS})
  const fake = '/nonexistent/pleroma-admin-template'
  registerEmbeddedInstance(fake, pg)
  const db = await openDatabase({kind: 'embedded', dataDir: fake})
  await db.close()
  unregisterEmbeddedInstance(fake)
  const dump = await pg.dumpDataDir('gzip')
  fs.writeFileSync(pgliteTemplateFile(), Buffer.from(await dump.arrayBuffer()))
  await pg.close()
}

async function recreate(admin: Client, name: string): Promise<void> {
  await admin.query(`UPDATE pg_database SET datistemplate = false WHERE datname = $1`, [name])
  await admin.query(`DROP DATABASE IF EXISTS ${name}`)
  await admin.query(`CREATE DATABASE ${name}`)
}

async function loadSql(url: string, file: string): Promise<void> {
  const c = new Client({connectionString: url})
  await c.connect()
  try {
    await c.query(fs.readFileSync(file, 'utf8'))
  } finally {
    await c.end()
  }
}

async function buildPgTemplates(base: string): Promise<void> {
  const admin = new Client({connectionString: base})
  await admin.connect()
  try {
    // Drop the scratch databases a killed earlier run left behind.
    const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'pa_test_s_%'`)
    for (const r of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined)

    await recreate(admin, PG_TEMPLATE_TOOL)
    const db = await openDatabase({kind: 'url', url: databaseUrl(base, PG_TEMPLATE_TOOL), from: 'flag'}, {init: true})
    await db.close()

    await recreate(admin, PG_TEMPLATE_PLEROMA)
    await loadSql(databaseUrl(base, PG_TEMPLATE_PLEROMA), FIXTURE_SQL)
    await recreate(admin, PG_TEMPLATE_PLEROMA_2021)
    await loadSql(databaseUrl(base, PG_TEMPLATE_PLEROMA_2021), FIXTURE_SQL_2021)
  } finally {
    await admin.end()
  }
}

export default async function globalSetup(): Promise<void> {
  await buildPgliteTemplate()
  if (process.env.TEST_DATABASE_URL) await buildPgTemplates(process.env.TEST_DATABASE_URL)
}
