#!/usr/bin/env node
'use strict'
/**
 * Seeds a realistic Pleroma instance into a new database (bench/lib/seed.js).
 *
 *   node bench/seed.js --database-url postgres://postgres@127.0.0.1:5432/postgres \
 *        --name pa_seeded [--scale default|small|tiny] [--layout tool|pleroma] [--sizes 1,4,16]
 *        [--fed-sizes 1] [--local N] [--remote N] [--instances N] [--posts N] [--fixture F]
 *
 * --database-url is any database of the server (the new one is created next
 * to it, replacing one of the same name). --layout tool lays the tables out
 * with pleroma-admin's db:init, pleroma with Pleroma's own schema
 * (test/fixtures/pleroma-schema.sql). --sizes adds the benchmark's scenario
 * fixtures (dead instance, spammer, victim) at those multiples; --fed-sizes
 * the federated user:rm fixture (fedspamMx, its followers on 500·M servers).
 */
const {parseArgs} = require('node:util')
const {SCALES, seed} = require('./lib/seed')
const {dbUrl, withClient, dropDatabase, createDatabase, layOut} = require('./lib/db')

async function seedDatabase({serverUrl, name, layout, params, sizes, fed = [], log = () => {}}) {
  await dropDatabase(serverUrl, name)
  await createDatabase(serverUrl, name)
  const url = dbUrl(serverUrl, name)
  await layOut(url, layout)
  const started = process.hrtime.bigint()
  await withClient(url, async (c) => {
    await c.query(`SET synchronous_commit = off`)
    await seed(
      (sql) => c.query(sql),
      params,
      sizes,
      (label, s) => log(`  ${label}: ${s.toFixed(1)} s`),
      fed,
    )
  })
  const {rows} = await withClient(url, (c) =>
    c.query(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM activities)::int AS activities,
                    (SELECT count(*) FROM objects)::int AS objects, (SELECT count(*) FROM following_relationships)::int AS follows,
                    (SELECT count(*) FROM notifications)::int AS notifications, pg_size_pretty(pg_database_size(current_database())) AS size`),
  )
  return {url, seconds: Number(process.hrtime.bigint() - started) / 1e9, counts: rows[0]}
}

function scaleParams(values) {
  const scale = SCALES[values.scale ?? 'default']
  if (!scale) throw new Error(`--scale is one of ${Object.keys(SCALES).join(', ')}`)
  const params = {...scale}
  for (const k of ['local', 'remote', 'instances', 'posts', 'fixture']) if (values[k] !== undefined) params[k] = Number(values[k])
  return params
}

async function main() {
  const {values} = parseArgs({
    options: {
      'database-url': {
        type: 'string',
        default: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      },
      name: {type: 'string', default: 'pa_seeded'},
      scale: {type: 'string', default: 'default'},
      layout: {type: 'string', default: 'tool'},
      sizes: {type: 'string', default: ''},
      'fed-sizes': {type: 'string', default: ''},
      local: {type: 'string'},
      remote: {type: 'string'},
      instances: {type: 'string'},
      posts: {type: 'string'},
      fixture: {type: 'string'},
    },
  })
  const params = scaleParams(values)
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : []
  const fed = values['fed-sizes'] ? values['fed-sizes'].split(',').map(Number) : []
  console.error(
    `Seeding ${values.name} (${values.layout} layout): ${JSON.stringify(params)} fixtures ${sizes.join(',') || 'none'}, federated ${fed.join(',') || 'none'}`,
  )
  const r = await seedDatabase({serverUrl: values['database-url'], name: values.name, layout: values.layout, params, sizes, fed, log: console.error})
  console.error(`Seeded in ${r.seconds.toFixed(1)} s: ${JSON.stringify(r.counts)}`)
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`Error: ${e.message}`)
    process.exit(1)
  })
}

module.exports = {seedDatabase, scaleParams}
