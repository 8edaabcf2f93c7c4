import * as fs from 'node:fs'
import {Client} from 'pg'
import {PGlite} from '@electric-sql/pglite'
import {openDatabase} from '../../src/db/connection'
import {pgliteExtensions, PGLITE_PARSERS, registerEmbeddedInstance, unregisterEmbeddedInstance} from '../../src/db/embedded'
import {
  databaseUrl,
  FIXTURE_SQL,
  FIXTURE_SQL_2021,
  PG_PREFIX,
  pgTemplatePleroma,
  pgTemplatePleroma2021,
  pgTemplateTool,
  pgliteTemplateFile,
  pidOfTestDatabase,
  runId,
} from './templates'

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
    // Drop the databases of earlier runs whose jest process is gone.
    const old = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'`)
    for (const r of old.rows) {
      const pid = pidOfTestDatabase(r.datname)
      if (pid !== undefined && !alive(pid)) {
        await admin.query(`UPDATE pg_database SET datistemplate = false WHERE datname = $1`, [r.datname])
        await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`).catch(() => undefined)
      }
    }

    await recreate(admin, pgTemplateTool())
    const db = await openDatabase({kind: 'url', url: databaseUrl(base, pgTemplateTool()), from: 'flag'}, {init: true})
    await db.close()

    await recreate(admin, pgTemplatePleroma())
    await loadSql(databaseUrl(base, pgTemplatePleroma()), FIXTURE_SQL)
    await recreate(admin, pgTemplatePleroma2021())
    await loadSql(databaseUrl(base, pgTemplatePleroma2021()), FIXTURE_SQL_2021)
  } finally {
    await admin.end()
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export default async function globalSetup(): Promise<void> {
  runId()
  await buildPgliteTemplate()
  if (process.env.TEST_DATABASE_URL) await buildPgTemplates(process.env.TEST_DATABASE_URL)
}
