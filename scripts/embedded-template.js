#!/usr/bin/env node
/**
 * Builds dist/embedded-template.tar.gz (src/db/embedded-template.ts): a new
 * embedded database as PGlite's initdb and the tool's migrations leave it,
 * made once here so that the first command on a machine unpacks it instead
 * of running initdb. Runs after scripts/bundle.js (it opens the database
 * through the runtime bundle, as a command does, with the template turned
 * off).
 *
 * Making it takes an initdb (seconds, ~700 MB): the result is kept in
 * node_modules/.cache/pleroma-admin under a digest of everything that
 * decides its content (PGlite's version, the migrations, the embedded open
 * path, this script) and reused by the next build.
 */
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const dist = path.join(ROOT, 'dist')
const cacheDir = path.join(ROOT, 'node_modules', '.cache', 'pleroma-admin')

function inputs() {
  const migrations = path.join(ROOT, 'src', 'db', 'migrations')
  return [
    ...fs
      .readdirSync(migrations)
      .sort()
      .map((f) => path.join(migrations, f)),
    path.join(ROOT, 'src', 'db', 'embedded.ts'),
    path.join(ROOT, 'src', 'db', 'embedded-template.ts'),
    path.join(__dirname, 'embedded-template.js'),
    path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'),
  ]
}

function digest() {
  const h = crypto.createHash('sha256')
  for (const file of inputs()) h.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0')
  return h.digest('hex').slice(0, 16)
}

async function make(file) {
  const {runtime} = require(path.join(dist, 'runtime-loader.js'))
  const {connection, embeddedTemplate} = runtime()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-template-'))
  try {
    const dataDir = path.join(tmp, 'db')
    const db = await connection.openDatabase({kind: 'embedded', dataDir}, {embeddedTemplate: false})
    if (db.schema.owner !== 'tool' || !db.initialized) throw new Error('the new embedded database was not initialised')
    await db.close()
    const part = `${file}.${process.pid}`
    embeddedTemplate.writeTemplate(dataDir, part)
    fs.renameSync(part, file)
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true})
  }
}

async function main() {
  const name = `embedded-template-${digest()}.tar.gz`
  const cached = path.join(cacheDir, name)
  if (!fs.existsSync(cached)) {
    const started = Date.now()
    fs.mkdirSync(cacheDir, {recursive: true})
    for (const old of fs.readdirSync(cacheDir)) if (old.startsWith('embedded-template-')) fs.rmSync(path.join(cacheDir, old), {force: true})
    await make(cached)
    console.error(
      `made the embedded database template (${(fs.statSync(cached).size / 2 ** 20).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
  }
  fs.copyFileSync(cached, path.join(dist, 'embedded-template.tar.gz'))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
