#!/usr/bin/env node
'use strict'
/**
 * The benchmark (issue #5): each bulk scenario timed as a whole pleroma-admin
 * process against a hand-written SQL baseline reaching the same end state in
 * one transaction (psql --single-transaction, the floor), in the same run,
 * alternating, several rounds; medians, ratios, end-state equality; then
 * start-up times against `node -e 0`. See bench/README.md.
 *
 *   npm run bench                               # default scale, 1x fixtures, 3 rounds; writes bench/RESULTS.md
 *   npm run bench -- --sizes 1,4,16             # with the scaling curves (~30 min on 2 cores with --curve-runs 1)
 *   npm run bench -- --scale tiny --runs 1      # what CI runs
 */
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const {parseArgs} = require('node:util')
const {execFileSync} = require('node:child_process')
const {SCALES, FIXTURE, BASE, seedStatements} = require('./lib/seed')
const {ROOT, BIN, dbUrl, withClient, dropDatabase, createDatabase, databaseComment, setDatabaseComment, layOut, layoutDigest, requirePsql} = require('./lib/db')
const {fingerprint, compare} = require('./lib/fingerprint')
const {timeProcess, median} = require('./lib/proc')
const {seedDatabase, scaleParams} = require('./seed')

/** Bump when the seed's rows change, so that old templates are re-seeded. */
const SEED_VERSION = 3
const BASELINES = path.join(__dirname, 'baselines')

const BULK = [
  {
    id: 'unsubscribe-all-from-instance',
    what: (m, f) => `dead${m}x.example: ${f.dead} users × 20 follows of local users`,
    target: 1.5,
    command: (m) => ['user:unsubscribe-all-from-instance', `dead${m}x.example`, '--yes'],
    baseline: (m) => ({file: 'unsubscribe-all-from-instance.sql', vars: {instance: `dead${m}x.example`}}),
  },
  {
    id: 'delete-activities',
    what: (m, f) => `spammer${m}x: ${f.spam} posts, each liked and announced by others`,
    target: 2,
    command: (m) => ['user:delete-activities', `spammer${m}x`, '--yes'],
    baseline: (m) => ({file: 'delete-activities.sql', vars: {nick: `spammer${m}x`}}),
  },
  {
    id: 'rm',
    what: (m, f) => `victim${m}x: ${f.victim} posts, ${f.followers} followers, ${f.follows} follows`,
    target: 2,
    command: (m) => ['user:rm', `victim${m}x`, '--yes'],
    baseline: (m) => ({file: 'rm.sql', vars: {nick: `victim${m}x`}}),
  },
  {
    id: 'prune-select',
    what: (m, f) => `stale${m}x: choosing ${f.stale} stale registrations among all users (--dry-run --json)`,
    target: 2,
    command: () => ['user:prune', ...PRUNE_RULES, '--dry-run', '--json'],
    baseline: () => ({file: 'prune-select.sql', vars: {days: PRUNE_DAYS}}),
  },
  {
    id: 'prune',
    what: (m, f) => `stale${m}x: ${f.stale} stale registrations removed (half deleted, half purged), 2 follows each`,
    target: 2,
    command: () => ['user:prune', ...PRUNE_RULES, '--yes'],
    baseline: () => ({file: 'prune.sql', vars: {days: PRUNE_DAYS}}),
  },
  // #11: user:rm on a Pleroma database with its job queue, with and without federation, on the federated template
  // (fedTemplate: Pleroma's layout whatever --layout says). Each gets its own pair of copies (both remove the same user).
  {
    id: 'rm-federated',
    fed: true,
    jobs: true,
    what: (m, f) => `fedspam${m}x: ${f.fedPosts} posts, ${f.fedFollowers} followers on ${f.fedServers} servers (+${f.fedDead} unreachable); deliveries queued`,
    command: (m) => ['user:rm', `fedspam${m}x`, '--yes'],
    baseline: (m) => ({file: 'rm-federated.sql', vars: {nick: `fedspam${m}x`}}),
  },
  {
    id: 'rm-no-federate',
    fed: true,
    what: (m) => `fedspam${m}x: the same, --no-federate`,
    command: (m) => ['user:rm', `fedspam${m}x`, '--yes', '--no-federate'],
    baseline: (m) => ({file: 'rm.sql', vars: {nick: `fedspam${m}x`}}),
  },
]

/** user:prune's rules in the prune scenarios: registered more than 1460 days ago (before 2023, when the seeded users start) and unconfirmed or never active. */
const PRUNE_DAYS = 1460
const PRUNE_RULES = ['--unconfirmed-for', `${PRUNE_DAYS}d`, '--never-active-for', `${PRUNE_DAYS}d`]

const LIST_COLUMNS = 'id, nickname, local, email, name, is_moderator, is_admin, is_locked, is_active, is_confirmed, is_approved, tags, inserted_at'
const LIST_SQL = `COPY (SELECT ${LIST_COLUMNS} FROM users WHERE nickname IS NOT NULL AND nickname NOT LIKE 'internal.%' ORDER BY id) TO STDOUT`

function options() {
  const {values} = parseArgs({
    options: {
      'database-url': {
        type: 'string',
        default: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      },
      scale: {type: 'string', default: 'default'},
      layout: {type: 'string', default: 'tool'},
      runs: {type: 'string'},
      sizes: {type: 'string'},
      'curve-runs': {type: 'string'},
      'startup-runs': {type: 'string'},
      'first-run-before': {type: 'string'},
      only: {type: 'string'},
      out: {type: 'string'},
      template: {type: 'string'},
      'fed-template': {type: 'string'},
      reseed: {type: 'boolean', default: false},
      keep: {type: 'boolean', default: false},
      json: {type: 'boolean', default: false},
      strict: {type: 'boolean', default: false},
      break: {type: 'string'},
      'batch-size': {type: 'string'},
      local: {type: 'string'},
      remote: {type: 'string'},
      instances: {type: 'string'},
      posts: {type: 'string'},
      help: {type: 'boolean', short: 'h', default: false},
    },
  })
  if (values.help) {
    console.log(fs.readFileSync(path.join(__dirname, 'README.md'), 'utf8'))
    process.exit(0)
  }
  const big = values.scale === 'default'
  return {
    serverUrl: values['database-url'],
    scale: values.scale,
    layout: values.layout,
    params: scaleParams(values),
    runs: Number(values.runs ?? 3),
    // The curves (--sizes 1,4,16) take half an hour at the default scale on a small machine: asked for, not default.
    sizes: values.sizes ? values.sizes.split(',').map(Number) : [1],
    // Rounds that also run the sizes other than 1× (the targets are at 1×; the curves need one run per size).
    curveRuns: Number(values['curve-runs'] ?? values.runs ?? 3),
    startupRuns: Number(values['startup-runs'] ?? (big ? 15 : 3)),
    // Another checkout (built) whose first embedded run is timed beside ours: the figure before a change.
    firstRunBefore: values['first-run-before'] ? path.resolve(values['first-run-before']) : undefined,
    only: values.only ? new Set(values.only.split(',')) : undefined,
    out: values.out ?? (big && !values.only ? path.join(__dirname, 'RESULTS.md') : undefined),
    // Another name than pa_bench_<layout>_<scale>: two benchmarks on one server each keep their own seeded template.
    template: values.template,
    // The federated scenarios' template (Pleroma's layout, fedspam fixture): pa_bench_pleroma_fed_<scale> unless named.
    fedTemplate: values['fed-template'],
    reseed: values.reseed,
    keep: values.keep,
    json: values.json,
    strict: values.strict,
    // The harness's own check: these scenarios' baselines do nothing, so their end states must differ.
    break: new Set(values.break ? values.break.split(',') : []),
    batchSize: values['batch-size'],
  }
}

const log = (...a) => console.error(...a)
const fmt = (s) => (s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3))

/** Fixture sizes at multiplier m (as seed.js makes them). */
function fixtureSizes(p, m) {
  const size = (n) => Math.max(1, Math.round(n * m * p.fixture))
  const F = FIXTURE.fed
  return {
    dead: size(5000),
    spam: size(20000),
    victim: size(20000),
    followers: size(5000),
    follows: size(5000),
    stale: size(10000),
    fedPosts: size(F.posts),
    fedServers: size(F.servers),
    fedDead: size(F.deadServers),
    fedFollowers: (size(F.servers) + size(F.deadServers)) * F.perServer,
  }
}

/**
 * The federated scenarios' instance: at the default scale the small one (2,000 local and 2,000 remote users,
 * 20,000 other posts) with the full-size fixture (20,000 posts, 500 servers): seeding the default instance on
 * Pleroma's layout took 50 min on the machine of bench/RESULTS.md. Otherwise the run's own.
 */
function fedParams(o) {
  return o.scale === 'default' ? {...SCALES.small, fixture: o.params.fixture} : o.params
}

async function ensureTemplate(o) {
  const name = (o.template ?? `pa_bench_${o.layout}_${o.scale}`).replace(/[^a-z0-9_]/g, '_')
  // The schema as laid out today is part of the signature: a migration added since the seed means seeding again.
  const signature = {v: SEED_VERSION, layout: o.layout, schema: await layoutDigest(o.serverUrl, o.layout), params: o.params, sizes: o.sizes}
  return seededTemplate(o, name, signature, {layout: o.layout, params: o.params, sizes: o.sizes})
}

/** The federated scenarios' own template: Pleroma's layout (oban_jobs, schema_migrations), the fedspam fixture only. */
async function ensureFedTemplate(o) {
  const name = (o.fedTemplate ?? `pa_bench_pleroma_fed_${o.scale}`).replace(/[^a-z0-9_]/g, '_')
  const params = fedParams(o)
  const signature = {v: SEED_VERSION, layout: 'pleroma', schema: await layoutDigest(o.serverUrl, 'pleroma'), params, sizes: o.sizes, fed: true}
  return seededTemplate(o, name, signature, {layout: 'pleroma', params, sizes: [], fed: o.sizes})
}

async function seededTemplate(o, name, signature, how) {
  const comment = await databaseComment(o.serverUrl, name)
  let seeded
  try {
    seeded = comment ? JSON.parse(comment) : undefined
  } catch {
    seeded = undefined
  }
  // Reused when seeded the same way with (at least) the fixture sizes asked for.
  const same = seeded && JSON.stringify({...seeded, sizes: []}) === JSON.stringify({...signature, sizes: []}) && o.sizes.every((m) => seeded.sizes?.includes(m))
  if (!o.reseed && same) {
    log(`Template ${name} is seeded already (${comment}).`)
    return name
  }
  log(`Seeding template ${name}: ${JSON.stringify(signature)}`)
  const r = await seedDatabase({serverUrl: o.serverUrl, name, ...how, log})
  await setDatabaseComment(o.serverUrl, name, JSON.stringify(signature))
  log(`Seeded in ${r.seconds.toFixed(0)} s: ${JSON.stringify(r.counts)}`)
  return name
}

async function describeTemplate(url) {
  return withClient(url, async (c) => {
    const {rows} = await c.query(
      `SELECT (SELECT count(*) FROM users WHERE local)::int AS local_users, (SELECT count(*) FROM users WHERE NOT local)::int AS remote_users,
              (SELECT count(*) FROM activities)::int AS activities, (SELECT count(*) FROM objects)::int AS objects,
              (SELECT count(*) FROM following_relationships)::int AS follows, (SELECT count(*) FROM notifications)::int AS notifications,
              (SELECT count(*) FROM oauth_tokens)::int AS oauth_tokens,
              pg_size_pretty(pg_database_size(current_database())) AS size, version() AS server,
              to_regclass('hashtags_objects') IS NOT NULL AS has_hashtags, to_regclass('chat_message_references') IS NOT NULL AS has_chat`,
    )
    return rows[0]
  })
}

function commandArgs(url, args) {
  return [BIN, ...args, '--database-url', url, '--instance-url', BASE]
}

async function runCommand(url, args, extra = {}) {
  const r = await timeProcess(process.execPath, commandArgs(url, args), {
    env: {...process.env, PLEROMA_ADMIN_PROGRESS_INTERVAL: '3600', ...extra.env},
    rss: extra.rss,
  })
  if (r.code !== 0) throw new Error(`pleroma-admin ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`)
  return r
}

async function runBaseline(url, baseline, info) {
  const vars = {base: BASE, has_hashtags: info.has_hashtags ? 1 : 0, has_chat: info.has_chat ? 1 : 0, ...baseline.vars}
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', url]
  for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`)
  args.push('-f', path.join(BASELINES, baseline.file))
  const r = await timeProcess('psql', args)
  if (r.code !== 0) throw new Error(`baseline ${baseline.file} failed (${r.code}): ${r.stderr.trim()}`)
  return r
}

/**
 * Before each timed run: a CHECKPOINT, so that the dirty pages the previous
 * run left (the other copy's, or a first round's copy of the template) are
 * written out before the clock starts, not during the next run.
 */
async function settle(serverUrl) {
  await withClient(serverUrl, (c) => c.query('CHECKPOINT'))
}

/** The selected scenarios (BULK ids), split by template: the main one, the federated one. */
function selected(o) {
  const scenarios = BULK.filter((s) => !o.only || o.only.has(s.id))
  return {main: scenarios.filter((s) => !s.fed), fed: scenarios.filter((s) => s.fed)}
}

/**
 * What the command's run left in oban_jobs: the jobs, and the transactions and
 * statements that inserted them (distinct xmin, and (xmin, cmin): rows one
 * INSERT writes share both), so one INSERT ... SELECT per batch can be checked.
 */
async function queuedJobs(url) {
  return withClient(url, async (c) => {
    const {rows} = await c.query(
      `SELECT count(*)::int AS jobs, count(DISTINCT args->'params'->>'inbox')::int AS inboxes,
              count(DISTINCT xmin::text)::int AS transactions, count(DISTINCT (xmin::text, cmin::text))::int AS statements
         FROM oban_jobs WHERE worker = 'Pleroma.Workers.PublisherWorker'`,
    )
    return rows[0]
  })
}

/** Runs one scenario's command and baseline on the two copies (order alternating by round), fingerprinting in round 1. */
async function runPair(o, r, s, urls, round, info) {
  const order = round % 2 === 1 ? ['command', 'baseline'] : ['baseline', 'command']
  for (const kind of order) {
    const baseline = o.break.has(r.id) ? {file: 'nothing.sql', vars: {}} : s.baseline(r.m)
    const args = [...s.command(r.m), ...(o.batchSize ? ['--batch-size', o.batchSize] : [])]
    await settle(o.serverUrl)
    const t = kind === 'command' ? await runCommand(urls.command, args) : await runBaseline(urls.baseline, baseline, info)
    r[kind].push(t.seconds)
  }
  let state = ''
  if (round === 1) {
    const [a, b] = await Promise.all([fingerprint(urls.command, {jobs: s.jobs}), fingerprint(urls.baseline, {jobs: s.jobs})])
    r.diff = compare(a, b)
    r.equal = r.diff.length === 0
    state = r.equal ? ', end states equal' : `, END STATES DIFFER: ${r.diff.map((d) => d.table).join(', ')}`
    if (s.fed) {
      r.queued = await queuedJobs(urls.command)
      state += `; ${r.queued.jobs} jobs to ${r.queued.inboxes} inboxes by ${r.queued.statements} INSERTs in ${r.queued.transactions} transactions`
    }
  }
  log(`  ${r.id} ${r.m}x: command ${fmt(r.command.at(-1))} s, SQL ${fmt(r.baseline.at(-1))} s${state}`)
}

async function bulkRounds(o, template, info, fedTemplate, fedInfo) {
  const results = []
  const {main, fed} = selected(o)
  for (const s of [...main, ...fed]) {
    for (const m of o.sizes)
      results.push({
        id: s.id,
        fed: s.fed === true,
        m,
        what: s.what(m, fixtureSizes(s.fed ? fedParams(o) : o.params, m)),
        target: m === 1 ? s.target : undefined,
        command: [],
        baseline: [],
        equal: undefined,
        diff: [],
      })
  }
  const list = template && (!o.only || o.only.has('list')) ? {id: 'list', command: [], baseline: [], rss: []} : undefined
  const names = {command: `pa_bench_${process.pid}_cmd`, baseline: `pa_bench_${process.pid}_sql`}
  const copies = async (from) => {
    const copyStart = process.hrtime.bigint()
    for (const n of Object.values(names)) {
      await dropDatabase(o.serverUrl, n)
      await createDatabase(o.serverUrl, n, from)
    }
    return (Number(process.hrtime.bigint() - copyStart) / 1e9).toFixed(1)
  }
  const urls = {command: dbUrl(o.serverUrl, names.command), baseline: dbUrl(o.serverUrl, names.baseline)}
  for (let round = 1; round <= o.runs; round++) {
    if (template) {
      log(`Round ${round}/${o.runs} (two copies of the template in ${await copies(template)} s)`)
    } else {
      log(`Round ${round}/${o.runs}`)
    }
    // The list first, on the fresh copy: the bulk scenarios leave dead rows in it, and autovacuum at work.
    if (list) {
      // One untimed COPY first: the first reader of a fresh copy pays for bringing its pages in, whichever of the two it is.
      await timeProcess('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', urls.command, '-c', LIST_SQL])
      const order = round % 2 === 1 ? ['command', 'baseline'] : ['baseline', 'command']
      for (const kind of order) {
        await settle(o.serverUrl)
        if (kind === 'command') {
          const t = await runCommand(urls.command, ['user:list', '--all', '--json'], {rss: true})
          list.command.push(t.seconds)
          list.rss.push(t.maxRssKb)
        } else {
          const t = await timeProcess('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', urls.command, '-c', LIST_SQL])
          if (t.code !== 0) throw new Error(`psql COPY failed: ${t.stderr}`)
          list.baseline.push(t.seconds)
        }
      }
      log(`  list: command ${fmt(list.command.at(-1))} s (peak RSS ${(list.rss.at(-1) / 1024).toFixed(0)} MB), psql COPY ${fmt(list.baseline.at(-1))} s`)
    }
    for (const r of results) {
      if (r.fed || (r.m !== 1 && round > o.curveRuns)) continue
      await runPair(
        o,
        r,
        BULK.find((x) => x.id === r.id),
        urls,
        round,
        info,
      )
    }
    // The federated scenarios: a fresh pair of copies of their own template each.
    for (const r of results) {
      if (!r.fed || (r.m !== 1 && round > o.curveRuns)) continue
      log(`  (two copies of the federated template in ${await copies(fedTemplate)} s)`)
      await runPair(
        o,
        r,
        BULK.find((x) => x.id === r.id),
        urls,
        round,
        fedInfo,
      )
    }
    if (!o.keep || round < o.runs) for (const n of Object.values(names)) await dropDatabase(o.serverUrl, n)
  }
  return {bulk: results, list}
}

/**
 * Start-up: node -e 0, --help, user:tag on PostgreSQL, user:list on the
 * embedded database with 10 users, and the first command on a fresh machine
 * (user:list on a data directory that does not exist yet, a new one each
 * run, with its peak RSS), round-robin.
 */
async function startup(o) {
  const dbName = `pa_bench_${process.pid}_startup`
  await dropDatabase(o.serverUrl, dbName)
  await createDatabase(o.serverUrl, dbName)
  const url = dbUrl(o.serverUrl, dbName)
  await layOut(url, o.layout)
  const small = {...SCALES.tiny, local: 10, remote: 10, instances: 2, posts: 50}
  await withClient(url, async (c) => {
    for (const s of seedStatements(small, [])) await c.query(s.sql)
  })
  // The embedded database: created by the tool itself, then 10 users.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-bench-embedded-'))
  const env = {...process.env, PLEROMA_ADMIN_DATA_DIR: path.join(dataDir, 'db')}
  delete env.DATABASE_URL
  delete env.PLEROMA_ADMIN_DATABASE_URL
  execFileSync(process.execPath, [BIN, 'user:list'], {env, stdio: ['ignore', 'ignore', 'inherit']})
  // (The compiled modules are inside the runtime bundle: dist/db/embedded.js is not there on its own.)
  const {openEmbedded} = require(path.join(ROOT, 'dist', 'runtime-loader.js')).runtime().embedded
  const handle = await openEmbedded(env.PLEROMA_ADMIN_DATA_DIR)
  const [fns, users] = seedStatements({...small, local: 10}, [])
  await handle.db.exec(fns.sql)
  await handle.db.exec(users.sql)
  const {rows} = await handle.db.query(`SELECT count(*)::int AS n FROM users WHERE local`)
  await handle.close()
  if (rows[0].n !== 10) throw new Error(`the embedded database has ${rows[0].n} users, not 10`)

  let fresh = 0
  const firstRun = () => ({...env, PLEROMA_ADMIN_DATA_DIR: path.join(dataDir, `first-${fresh++}`, 'db')})
  const cases = [
    {id: 'node -e 0', cmd: process.execPath, args: ['-e', '0']},
    {id: 'pleroma-admin --help', cmd: process.execPath, args: [BIN, '--help'], target: 2.5},
    {id: 'user:tag (PostgreSQL)', cmd: process.execPath, args: [BIN, 'user:tag', 'u1', 'bench', '--database-url', url], target: 5},
    {id: 'user:list (embedded, 10 users)', cmd: process.execPath, args: [BIN, 'user:list'], env, target: 10, rss: true},
    // The first command on a fresh machine (#12): ≤ 2 s and ≤ 300 MB on the machine of bench/RESULTS.md.
    {id: 'user:list (embedded, first run)', cmd: process.execPath, args: [BIN, 'user:list'], env: firstRun, targetSeconds: 2, targetRssMb: 300, rss: true},
  ]
  if (o.firstRunBefore) {
    const before = path.join(o.firstRunBefore, 'bin', 'run.js')
    const rev = execFileSync('git', ['-C', o.firstRunBefore, 'rev-parse', '--short', 'HEAD'], {encoding: 'utf8'}).trim()
    cases.push({id: `user:list (embedded, first run) before: ${rev}`, cmd: process.execPath, args: [before, 'user:list'], env: firstRun, rss: true})
  }
  for (const c of cases) {
    c.times = []
    c.rssKb = []
  }
  const warmup = o.startupRuns >= 5 ? 2 : 0
  for (let i = 0; i < o.startupRuns + warmup; i++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(i + k) % cases.length]
      const t = await timeProcess(c.cmd, c.args, {env: typeof c.env === 'function' ? c.env() : c.env, rss: c.rss})
      if (t.code !== 0) throw new Error(`${c.id} exited with ${t.code}: ${t.stderr.trim()}`)
      // A first run's new database (40 MB) is not kept.
      for (const name of fs.readdirSync(dataDir)) if (name.startsWith('first-')) fs.rmSync(path.join(dataDir, name), {recursive: true, force: true})
      if (i >= warmup) {
        c.times.push(t.seconds)
        if (c.rss) c.rssKb.push(t.maxRssKb)
      }
    }
  }
  await dropDatabase(o.serverUrl, dbName)
  fs.rmSync(dataDir, {recursive: true, force: true})
  const node = median(cases[0].times)
  return cases.map((c) => ({
    id: c.id,
    median: median(c.times),
    ratio: median(c.times) / node,
    target: c.target,
    targetSeconds: c.targetSeconds,
    targetRssMb: c.targetRssMb,
    times: c.times,
    peakRssMb: c.rss ? Math.max(...c.rssKb) / 1024 : undefined,
    rssKb: c.rss ? c.rssKb : undefined,
  }))
}

function machine() {
  const cpus = os.cpus()
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    psql: requirePsql(),
  }
}

function report(o, info, bulk, list, start, started, fedInfo) {
  const lines = []
  const ok = (v, t) => (t === undefined ? '' : v <= t ? 'met' : '**missed**')
  lines.push('# Benchmark results', '')
  lines.push(
    `Written by \`node bench/run.js ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${((Date.now() - started) / 60000).toFixed(0)} min.`,
  )
  lines.push('Each bulk command ran as a whole process (`node bin/run.js ... --yes`, stdout to /dev/null) on one copy of the seeded database, its SQL baseline')
  lines.push('(`psql --single-transaction -f bench/baselines/<scenario>.sql`) on another copy, alternating which goes first; medians of the rounds.')
  lines.push('End states are compared table by table after the first round (bench/lib/fingerprint.js).', '')
  const m = machine()
  lines.push('## Machine and data', '')
  lines.push(`- Machine: ${m.cpu}, ${m.memory}, ${m.os}; Node ${m.node}; ${m.psql}`)
  lines.push(`- Layout: ${o.layout === 'tool' ? "pleroma-admin's own migrations (db:init)" : "Pleroma's own migrations (test/fixtures/pleroma-schema.sql)"}`)
  if (info) {
    lines.push(`- Server: ${info.server.split(',')[0]}`)
    lines.push(`- Scale \`${o.scale}\`: ${JSON.stringify(o.params)}`)
    lines.push(
      `- Seeded database (${info.size}): ${info.local_users} local users, ${info.remote_users} remote users, ${info.activities} activities, ${info.objects} objects, ${info.follows} follows, ${info.notifications} notifications, ${info.oauth_tokens} OAuth tokens`,
    )
    lines.push(
      `- Rounds: ${o.runs}${o.sizes.some((m) => m !== 1) && o.curveRuns < o.runs ? ` (the sizes above 1× in the first ${o.curveRuns})` : ''}; fixture sizes: ${o.sizes.map((x) => x + '×').join(', ')}; batch size: ${o.batchSize ?? "each command's default"}`,
    )
  }
  if (fedInfo) {
    lines.push(
      `- Federated scenarios (rm-federated, rm-no-federate): their own template on Pleroma's layout (oban_jobs, schema_migrations of v2.9.1), scale ${JSON.stringify(fedParams(o))} with the fedspam fixture only: ${fedInfo.local_users} local users, ${fedInfo.remote_users} remote users, ${fedInfo.activities} activities, ${fedInfo.follows} follows (${fedInfo.size})`,
    )
  }
  lines.push('')
  if (bulk.length > 0 || list) {
    lines.push('## Against the SQL floor', '')
    lines.push('| scenario | size | command (median s) | SQL floor (median s) | ratio | target | | end state |', '|---|---|---|---|---|---|---|---|')
    for (const r of bulk) {
      const ratio = median(r.command) / median(r.baseline)
      lines.push(
        `| ${r.id} ${r.m}× | ${r.what} | ${fmt(median(r.command))} | ${fmt(median(r.baseline))} | ${ratio.toFixed(2)} | ${r.target ? '≤ ' + r.target : ''} | ${ok(ratio, r.target)} | ${r.equal ? 'equal' : 'DIFFERS: ' + r.diff.map((d) => d.table).join(', ')} |`,
      )
    }
    if (list) {
      const ratio = median(list.command) / median(list.baseline)
      const rss = Math.max(...list.rss) / 1024
      lines.push(
        `| user:list --all --json | ${info.local_users + info.remote_users} users → /dev/null vs psql COPY | ${fmt(median(list.command))} | ${fmt(median(list.baseline))} | ${ratio.toFixed(2)} | ≤ 1.5 | ${ok(ratio, 1.5)} | peak RSS ${rss.toFixed(0)} MB (≤ 150: ${ok(rss, 150)}) |`,
      )
    }
    lines.push('')
  }
  const fedRows = o.sizes.map((m) => [bulk.find((r) => r.id === 'rm-federated' && r.m === m), bulk.find((r) => r.id === 'rm-no-federate' && r.m === m)])
  if (fedRows.some(([a, b]) => a && b && a.queued)) {
    lines.push('## Federation (#11)', '')
    lines.push('`user:rm` of the same user on two copies of the federated template: with federation (the Deletes queued as publish_one jobs in')
    lines.push('oban_jobs) and with `--no-federate`. Jobs per second: queued jobs over the whole `rm` time, and over the time federation adds')
    lines.push(
      '(the difference of the medians). INSERTs / transactions: the distinct (xmin, cmin) and xmin of the queued rows (one INSERT ... SELECT per batch).',
      '',
    )
    lines.push(
      '| size | jobs queued (inboxes) | rm (s) | rm --no-federate (s) | ratio | jobs/s of rm | jobs/s of the difference | floor with jobs (s) | rm / floor | INSERTs / transactions |',
    )
    lines.push('|---|---|---|---|---|---|---|---|---|---|')
    for (const [a, b] of fedRows) {
      if (!a || !b || !a.queued) continue
      const ta = median(a.command)
      const tb = median(b.command)
      lines.push(
        `| ${a.m}× | ${a.queued.jobs} (${a.queued.inboxes}) | ${fmt(ta)} | ${fmt(tb)} | ${(ta / tb).toFixed(2)} | ${Math.round(a.queued.jobs / ta)} | ${ta > tb ? Math.round(a.queued.jobs / (ta - tb)) : 'n/a'} | ${fmt(median(a.baseline))} | ${(ta / median(a.baseline)).toFixed(2)} | ${a.queued.statements} / ${a.queued.transactions} |`,
      )
    }
    lines.push('')
  }
  if (o.sizes.length > 1 && bulk.length > 0) {
    lines.push('## Scaling', '')
    lines.push('Median times at each fixture size, and the cost of each extra 1× of work between two sizes (the slope; start-up and fixed costs cancel out).')
    lines.push('Linear growth keeps the slopes level; a quadratic step would multiply the later one by the size ratio.', '')
    const slopes = o.sizes.slice(1).map((s, i) => `${o.sizes[i]}×→${s}×`)
    lines.push(
      `| scenario | ${o.sizes.map((s) => s + '× (s)').join(' | ')} | ${slopes.map((x) => 's per 1× ' + x).join(' | ')} | SQL floor ${o.sizes.map((s) => s + '×').join(' / ')} (s) | SQL slopes |`,
    )
    lines.push(`|---|${o.sizes.map(() => '---|').join('')}${slopes.map(() => '---|').join('')}---|---|`)
    for (const id of [...new Set(bulk.map((r) => r.id))]) {
      const rows = o.sizes.map((s) => bulk.find((r) => r.id === id && r.m === s))
      const slope = (kind) => rows.slice(1).map((r, i) => fmt((median(r[kind]) - median(rows[i][kind])) / (r.m - rows[i].m)))
      lines.push(
        `| ${id} | ${rows.map((r) => fmt(median(r.command))).join(' | ')} | ${slope('command').join(' | ')} | ${rows.map((r) => fmt(median(r.baseline))).join(' / ')} | ${slope('baseline').join(' / ')} |`,
      )
    }
    lines.push('')
  }
  if (start) {
    lines.push(
      '## Start-up',
      '',
      `Round-robin, ${o.startupRuns} runs each${o.startupRuns >= 5 ? ' after 2 warm-ups' : ''}; ratio of medians to \`node -e 0\`.`,
      '',
    )
    lines.push('| process | median (ms) | ratio | peak RSS (MB) | target | |', '|---|---|---|---|---|---|')
    for (const c of start) {
      const target = c.target ? `≤ ${c.target}` : c.targetSeconds ? `≤ ${c.targetSeconds} s, ≤ ${c.targetRssMb} MB` : ''
      const met = c.target ? ok(c.ratio, c.target) : c.targetSeconds ? (c.median <= c.targetSeconds && c.peakRssMb <= c.targetRssMb ? 'met' : '**missed**') : ''
      lines.push(
        `| ${c.id} | ${(c.median * 1000).toFixed(0)} | ${c.ratio.toFixed(2)} | ${c.peakRssMb === undefined ? '' : c.peakRssMb.toFixed(0)} | ${target} | ${met} |`,
      )
    }
    lines.push('')
  }
  lines.push('## Every run (seconds)', '')
  for (const r of bulk) lines.push(`- ${r.id} ${r.m}×: command ${r.command.map(fmt).join(', ')}; SQL ${r.baseline.map(fmt).join(', ')}`)
  if (list)
    lines.push(`- user:list: command ${list.command.map(fmt).join(', ')} (peak RSS kB ${list.rss.join(', ')}); psql COPY ${list.baseline.map(fmt).join(', ')}`)
  if (start)
    for (const c of start)
      lines.push(`- ${c.id}: ${c.times.map((t) => (t * 1000).toFixed(0)).join(', ')} ms${c.rssKb ? ` (peak RSS kB ${c.rssKb.join(', ')})` : ''}`)
  lines.push('')
  return lines.join('\n')
}

async function main() {
  const o = options()
  const started = Date.now()
  requirePsql()
  if (!fs.existsSync(path.join(ROOT, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` first.')
  // Start-up alone needs no seeded instance (it makes its own small databases); the federated scenarios have their own.
  const {fed} = selected(o)
  const needsTemplate = !o.only || [...o.only].some((id) => id !== 'startup' && !fed.some((s) => s.id === id))
  const template = needsTemplate ? await ensureTemplate(o) : undefined
  const info = template ? await describeTemplate(dbUrl(o.serverUrl, template)) : undefined
  const fedTemplate = fed.length > 0 ? await ensureFedTemplate(o) : undefined
  const fedInfo = fedTemplate ? await describeTemplate(dbUrl(o.serverUrl, fedTemplate)) : undefined
  const {bulk, list} = template || fedTemplate ? await bulkRounds(o, template, info, fedTemplate, fedInfo) : {bulk: [], list: undefined}
  const start = !o.only || o.only.has('startup') ? await startup(o) : undefined
  const md = report(o, info, bulk, list, start, started, fedInfo)
  if (o.out) {
    fs.writeFileSync(o.out, md)
    log(`Wrote ${path.relative(process.cwd(), o.out)}`)
  }
  if (o.json) console.log(JSON.stringify({scale: o.scale, layout: o.layout, params: o.params, info, fedInfo, bulk, list, startup: start}, null, 2))
  else console.log(md)
  const differ = bulk.filter((r) => r.equal === false)
  if (differ.length > 0) {
    log(`End states differ: ${differ.map((r) => `${r.id} ${r.m}x (${r.diff.map((d) => d.table).join(', ')})`).join('; ')}`)
    process.exitCode = 1
  }
  if (o.strict) {
    const missed = [
      ...bulk.filter((r) => r.target && median(r.command) / median(r.baseline) > r.target).map((r) => r.id),
      ...(list && median(list.command) / median(list.baseline) > 1.5 ? ['list'] : []),
      ...(start ?? [])
        .filter((c) => (c.target && c.ratio > c.target) || (c.targetSeconds && (c.median > c.targetSeconds || c.peakRssMb > c.targetRssMb)))
        .map((c) => c.id),
    ]
    if (missed.length > 0) {
      log(`Targets missed: ${missed.join(', ')}`)
      process.exitCode = 1
    }
  }
}

main().catch((e) => {
  console.error(`Error: ${e.message}`)
  process.exit(1)
})
