#!/usr/bin/env node
/**
 * Builds the runtime bundle (see src/runtime-loader.ts): dist/runtime.js (the
 * compiled src/runtime.ts) with everything it requires — TypeORM, pg,
 * reflect-metadata, the entities and services — in one file,
 * dist/runtime.bundle.js, and V8's code cache for it, made by compiling and
 * running the bundle once in a child process of the same Node binary.
 *
 * Left out of the bundle: PGlite (loaded only for the embedded database, with
 * its WebAssembly files beside its modules), optional drivers TypeORM never
 * loads for PostgreSQL, and src/errors.ts, which the commands load too:
 * errors thrown by services must be instances of the very classes the base
 * command checks for.
 */
const fs = require('node:fs')
const path = require('node:path')
const {execFileSync} = require('node:child_process')
const esbuild = require('esbuild')

const dist = path.join(__dirname, '..', 'dist')
const out = path.join(dist, 'runtime.bundle.js')

/** Modules TypeORM can load for other databases (PlatformTools.load), never for PostgreSQL. */
const UNUSED_DRIVERS = [
  'pg-native',
  'pg-query-stream',
  'mysql',
  'mysql2',
  'sqlite3',
  'better-sqlite3',
  'mongodb',
  'oracledb',
  'mssql',
  'sql.js',
  'redis',
  'ioredis',
  '@sap/hana-client',
  '@sap/hana-client/extension/Stream',
  'hdb-pool',
  'typeorm-aurora-data-api-driver',
  'react-native-sqlite-storage',
  '@google-cloud/spanner',
  '@capacitor-community/sqlite',
  'expo-sqlite',
]

const sharedWithCommands = {
  name: 'shared-with-commands',
  setup(build) {
    // dist/errors.js, from wherever in dist/ it is required.
    build.onResolve({filter: /^\.\.?\/(\.\.\/)*errors$/}, () => ({path: './errors', external: true}))
  },
}

async function main() {
  const result = await esbuild.build({
    entryPoints: [path.join(dist, 'runtime.js')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@electric-sql/pglite', '@electric-sql/pglite/*', ...UNUSED_DRIVERS],
    plugins: [sharedWithCommands],
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  })
  // The compiled modules now inside the bundle are removed from dist/, so that
  // nothing can load a second copy of them (their .d.ts files stay).
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(input)
    if (file.startsWith(dist + path.sep) && file !== path.join(dist, 'runtime-loader.js')) {
      fs.rmSync(file, {force: true})
      fs.rmSync(file + '.map', {force: true})
    }
  }
  // The code cache: compiled by the Node that will run it (V8 rejects a cache of another version).
  execFileSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(dist, 'runtime-loader.js'))}).writeCodeCache()`], {stdio: 'inherit'})
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
