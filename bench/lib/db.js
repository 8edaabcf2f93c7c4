'use strict'
/** PostgreSQL plumbing of the benchmark: server URLs, databases, templates, psql. */
const fs = require('node:fs')
const path = require('node:path')
const {execFileSync, spawnSync} = require('node:child_process')
const {Client} = require('pg')

const ROOT = path.resolve(__dirname, '..', '..')
const BIN = path.join(ROOT, 'bin', 'run.js')

/** The URL of database `name` on the server of `serverUrl`. */
function dbUrl(serverUrl, name) {
  const u = new URL(serverUrl)
  u.pathname = '/' + name
  return u.toString()
}

async function withClient(url, fn) {
  const c = new Client({connectionString: url})
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

const ident = (name) => {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`)
  return `"${name}"`
}

async function dropDatabase(serverUrl, name) {
  await withClient(serverUrl, async (c) => {
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name])
    await c.query(`DROP DATABASE IF EXISTS ${ident(name)}`)
  })
}

/** CREATE DATABASE name [TEMPLATE template], with the file-copy strategy where the server has it (PostgreSQL 15+). */
async function createDatabase(serverUrl, name, template) {
  await withClient(serverUrl, async (c) => {
    const {rows} = await c.query(`SELECT current_setting('server_version_num')::int AS v`)
    const strategy = template && rows[0].v >= 150000 ? ' STRATEGY = FILE_COPY' : ''
    await c.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}${strategy}` : ''}`)
  })
}

async function databaseComment(serverUrl, name) {
  return withClient(serverUrl, async (c) => {
    const {rows} = await c.query(`SELECT shobj_description(d.oid, 'pg_database') AS comment FROM pg_database d WHERE d.datname = $1`, [name])
    return rows.length === 0 ? undefined : (rows[0].comment ?? '')
  })
}

async function setDatabaseComment(serverUrl, name, comment) {
  await withClient(serverUrl, (c) => c.query(`COMMENT ON DATABASE ${ident(name)} IS '${comment.replace(/'/g, "''")}'`))
}

/**
 * Lays out an empty database: `tool` runs pleroma-admin's own `db:init`,
 * `pleroma` loads the schema Pleroma's migrations leave (the test fixture).
 */
async function layOut(url, layout) {
  if (layout === 'tool') {
    execFileSync(process.execPath, [BIN, 'db:init', '--database-url', url], {stdio: ['ignore', 'ignore', 'inherit']})
  } else if (layout === 'pleroma') {
    const sql = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'pleroma-schema.sql'), 'utf8')
    await withClient(url, (c) => c.query(sql))
  } else {
    throw new Error(`unknown layout ${layout} (tool or pleroma)`)
  }
}

function requirePsql() {
  const r = spawnSync('psql', ['--version'], {encoding: 'utf8'})
  if (r.error || r.status !== 0) {
    throw new Error('psql is needed for the SQL baselines (Debian: apt-get install postgresql-client).')
  }
  return r.stdout.trim()
}

/**
 * A digest of the tables, columns and indexes that `layout` lays out today
 * (in a scratch database, dropped again): part of a template's signature, so
 * that a template seeded before a migration was added or changed is seeded
 * again instead of benchmarking an old schema.
 */
async function layoutDigest(serverUrl, layout) {
  const name = `pa_bench_${process.pid}_layout`
  await dropDatabase(serverUrl, name)
  await createDatabase(serverUrl, name)
  try {
    await layOut(dbUrl(serverUrl, name), layout)
    return await withClient(dbUrl(serverUrl, name), async (c) => {
      const {rows} = await c.query(
        `SELECT md5(concat_ws('|',
                  (SELECT string_agg(concat_ws(':', table_name, column_name, data_type, is_nullable, column_default), ',' ORDER BY table_name, column_name)
                     FROM information_schema.columns WHERE table_schema = current_schema()),
                  (SELECT string_agg(indexdef, ',' ORDER BY indexdef) FROM pg_indexes WHERE schemaname = current_schema()),
                  (SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = current_schema()))) AS digest`,
      )
      return rows[0].digest
    })
  } finally {
    await dropDatabase(serverUrl, name)
  }
}

module.exports = {ROOT, BIN, dbUrl, withClient, dropDatabase, createDatabase, databaseComment, setDatabaseComment, layOut, layoutDigest, requirePsql}
