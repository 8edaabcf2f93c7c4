/**
 * Which databases the tool works on, refuses or initialises (docs/design.md#target-database), and
 * the one-line errors with exit 5 for connection problems.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {Client} from 'pg'
import {describeBackends, oldSchemaTemplate, PG_AVAILABLE, runCli, scratchPgDatabase} from '../helpers/backends'
import {pgTemplatePleroma} from '../helpers/templates'
import {expectErrorLines} from '../helpers/assertions'

const describePg = PG_AVAILABLE ? describe : describe.skip

async function pgRows(url: string, sql: string): Promise<any[]> {
  const c = new Client({connectionString: url})
  await c.connect()
  try {
    return (await c.query(sql)).rows
  } finally {
    await c.end()
  }
}

describePg('a PostgreSQL database', () => {
  it('of the older Pleroma generation is refused with exit 4, naming the version, before anything is written', async () => {
    const db = await scratchPgDatabase(oldSchemaTemplate())
    try {
      const before = await pgRows(db.url, `SELECT count(*)::int AS n FROM users`)
      const tablesBefore = await pgRows(db.url, `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`)
      for (const args of [['user:new', 'alice', 'alice@example.com', '-y'], ['user:list']]) {
        const r = await runCli(args, {DATABASE_URL: db.url})
        expect(r.exitCode).toBe(4)
        expect(r.stdout).toBe('')
        expect(r.stderr).toMatch(
          /^Error: This Pleroma database is of an older schema generation \(it has users\.deactivated, users\.confirmation_pending, users\.approval_pending\); pleroma-admin needs Pleroma 2\.3\.0 or later, or Akkoma\.\nHint: Upgrade Pleroma and run its migrations/,
        )
        expectErrorLines(r.stderr)
        const j = await runCli([...args, '--json'], {DATABASE_URL: db.url})
        expect(j.exitCode).toBe(4)
        expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
      }
      expect(await pgRows(db.url, `SELECT count(*)::int AS n FROM users`)).toEqual(before)
      expect(await pgRows(db.url, `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual(tablesBefore)
    } finally {
      await db.drop()
    }
  })

  it('laid out by Pleroma is used as it is: no migration runs, no table of ours appears', async () => {
    const db = await scratchPgDatabase(pgTemplatePleroma())
    try {
      const tables = async () =>
        (await pgRows(db.url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.table_name)
      const migrations = async () => (await pgRows(db.url, `SELECT version::text FROM schema_migrations ORDER BY 1`)).map((r) => r.version)
      const t0 = await tables()
      const m0 = await migrations()
      expect(m0.length).toBeGreaterThan(50)
      const r = await runCli(['user:new', 'alice', 'alice@example.com', '-y', '--instance-url', 'https://pleroma.example'], {DATABASE_URL: db.url})
      expect(r.exitCode).toBe(0)
      expect(await tables()).toEqual(t0)
      expect(t0).not.toContain('pleroma_admin_migrations')
      expect(await migrations()).toEqual(m0)
      const init = await runCli(['db:init'], {DATABASE_URL: db.url})
      expect(init.exitCode).toBe(5)
      expect(init.stderr).toMatch(/is a Pleroma database; db:init only prepares an empty one\./)
    } finally {
      await db.drop()
    }
  })

  it('that is empty is refused (exit 5) until db:init creates the tables', async () => {
    const admin = process.env.TEST_DATABASE_URL!
    const name = `pa_test_${process.env.PA_TEST_RUN_ID}_empty_${process.pid}`
    await pgRows(admin, `CREATE DATABASE ${name}`)
    const url = new URL(admin)
    url.pathname = '/' + name
    try {
      const r = await runCli(['user:list'], {DATABASE_URL: url.toString()})
      expect(r.exitCode).toBe(5)
      expect(r.stderr).toMatch(
        /^Error: The database postgres:\/\/postgres@127\.0\.0\.1:5432\/pa_test_\w+ is empty\.\nHint: To use it for pleroma-admin alone, create the tables with `pleroma-admin db:init`/,
      )
      expect(await pgRows(url.toString(), `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([{n: 0}])

      const init = await runCli(['db:init', '--instance-url', 'https://admin.example', '--json'], {DATABASE_URL: url.toString()})
      expect(init.exitCode).toBe(0)
      expect(init.json).toMatchObject({initialized: true, instanceUrl: 'https://admin.example'})
      const tables = (await pgRows(url.toString(), `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).map((r) => r.table_name)
      expect(tables).toEqual(
        expect.arrayContaining(['users', 'schema_migrations', 'pleroma_admin_migrations', 'pleroma_admin_settings', 'oauth_tokens', 'report_notes']),
      )
      // The stored instance URL is used from then on.
      const created = await runCli(['user:new', 'zoe', 'zoe@example.com', '-y', '--json'], {DATABASE_URL: url.toString()})
      expect(created.json.apId).toBe('https://admin.example/users/zoe')
      const again = await runCli(['db:init'], {DATABASE_URL: url.toString()})
      expect(again.exitCode).toBe(0)
      expect(again.stdout).toMatch(/is already initialised; nothing to create\./)
    } finally {
      await pgRows(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  })

  it('of another application with schema_migrations and users(id, nickname, email) is not a Pleroma database: exit 5, nothing written', async () => {
    const admin = process.env.TEST_DATABASE_URL!
    const name = `pa_test_${process.env.PA_TEST_RUN_ID}_app_${process.pid}`
    await pgRows(admin, `CREATE DATABASE ${name}`)
    const url = new URL(admin)
    url.pathname = '/' + name
    const other = url.toString()
    const snapshot = async () => ({
      tables: (await pgRows(other, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map((r) => r.table_name),
      users: await pgRows(other, `SELECT * FROM users ORDER BY id`),
      versions: await pgRows(other, `SELECT * FROM schema_migrations ORDER BY version`),
    })
    try {
      await pgRows(other, `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, inserted_at timestamp(0))`)
      await pgRows(other, `CREATE TABLE users (id bigserial PRIMARY KEY, nickname text, email text)`)
      await pgRows(other, `INSERT INTO schema_migrations VALUES (20200101000000, now()); INSERT INTO users (nickname, email) VALUES ('alice', 'a@x.example')`)
      const before = await snapshot()
      const runs: string[][] = [['user:list'], ['db:init'], ['user:new', 'bob', 'bob@x.example', '-y'], ['user:set', 'alice', '--admin']]
      for (const args of runs) {
        const r = await runCli(args, {DATABASE_URL: other, PLEROMA_INSTANCE_URL: 'https://x.example'})
        expect(r.exitCode).toBe(5)
        expect(r.stdout).toBe('')
        expect(r.stderr).toBe(
          'Error: This database is not a Pleroma database: it has schema_migrations and users, but no activities table, no objects table, no users.ap_id.\n' +
            'Hint: Point --database-url (or DATABASE_URL) at the database of your Pleroma or Akkoma server; nothing was written.\n',
        )
        const j = await runCli([...args, '--json'], {DATABASE_URL: other, PLEROMA_INSTANCE_URL: 'https://x.example'})
        expect(j.exitCode).toBe(5)
        expect(j.json.error).toMatchObject({code: 'database', exitCode: 5, message: expect.stringMatching(/^This database is not a Pleroma database/)})
      }
      expect(await snapshot()).toEqual(before)
    } finally {
      await pgRows(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  })

  it('given with a password inside --database-url: a warning as for --password (also under --json), none from DATABASE_URL', async () => {
    const db = await scratchPgDatabase(pgTemplatePleroma())
    try {
      const withPassword = new URL(db.url)
      withPassword.password = 'sekret'
      const warning =
        'Warning: The password in --database-url is visible to other users of this machine (process list, shell history); put it in PGPASSWORD or ~/.pgpass, or the whole URL in DATABASE_URL.\n'
      const r = await runCli(['user:list', '--count', '--database-url', withPassword.toString()], {})
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toBe('0\n')
      expect(r.stderr).toBe(warning)
      const j = await runCli(['user:list', '--count', '--json', '--database-url', withPassword.toString()], {})
      expect(j.json).toEqual({count: 0})
      expect(j.stderr).toBe(warning)
      const env = await runCli(['user:list', '--count'], {DATABASE_URL: withPassword.toString()})
      expect(env.exitCode).toBe(0)
      expect(env.stderr).toBe('')
      const bare = await runCli(['user:list', '--count', '--database-url', db.url], {})
      expect(bare.stderr).toBe('')
    } finally {
      await db.drop()
    }
  })

  it('that holds something else is refused with exit 5', async () => {
    const admin = process.env.TEST_DATABASE_URL!
    const name = `pa_test_${process.env.PA_TEST_RUN_ID}_other_${process.pid}`
    await pgRows(admin, `CREATE DATABASE ${name}`)
    const url = new URL(admin)
    url.pathname = '/' + name
    try {
      await pgRows(url.toString(), `CREATE TABLE invoices (id int)`)
      for (const args of [['user:list'], ['db:init']]) {
        const r = await runCli(args, {DATABASE_URL: url.toString()})
        expect(r.exitCode).toBe(5)
        expect(r.stderr).toBe(
          'Error: This database is not empty and is not a Pleroma database (no schema_migrations and users tables).\nHint: Point --database-url (or DATABASE_URL) at the database of your Pleroma or Akkoma server.\n',
        )
      }
      expect((await pgRows(url.toString(), `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).map((r) => r.table_name)).toEqual(
        ['invoices'],
      )
    } finally {
      await pgRows(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  })

  it('that the role may not read gives "permission denied" with exit 5', async () => {
    const db = await scratchPgDatabase(pgTemplatePleroma())
    const role = `pa_test_ro_${process.env.PA_TEST_RUN_ID}`
    try {
      await pgRows(db.url, `DROP ROLE IF EXISTS ${role}`)
      await pgRows(db.url, `CREATE ROLE ${role} LOGIN`)
      const url = new URL(db.url)
      url.username = role
      for (const args of [['user:list'], ['user:new', 'x', 'x@example.com', '-y']]) {
        const r = await runCli(args, {DATABASE_URL: url.toString()})
        expect(r.exitCode).toBe(5)
        expect(r.stderr).toBe(
          'Error: Permission denied: permission denied for table users.\nHint: Connect as the user that owns the Pleroma database (the one in Pleroma.Repo).\n',
        )
      }
    } finally {
      await db.drop()
      await pgRows(process.env.TEST_DATABASE_URL!, `DROP ROLE IF EXISTS ${role}`)
    }
  })

  it('that cannot be reached gives one line and exit 5', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'postgres://postgres@127.0.0.1:1/pleroma',
        /^Error: Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/pleroma: connection refused\.\nHint: Is the server running\?/,
      ],
      [
        new URL('/pa_no_such_database', process.env.TEST_DATABASE_URL).toString(),
        /^Error: PostgreSQL at .*: database "pa_no_such_database" does not exist\.\nHint: Check the database name\./,
      ],
      [
        'postgres://pa_no_such_role@127.0.0.1:5432/postgres',
        /^Error: PostgreSQL at 127\.0\.0\.1:5432\/postgres refused the login: role "pa_no_such_role" does not exist\./,
      ],
      [
        'mysql://root@127.0.0.1/pleroma',
        /^Error: The database URL is not a postgres:\/\/ URL\.\nHint: Use the form postgres:\/\/USER@HOST:5432\/DATABASE, the password in PGPASSWORD or ~\/\.pgpass/,
      ],
    ]
    for (const [url, message] of cases) {
      const r = await runCli(['user:list', '--database-url', url], {})
      expect(r.exitCode).toBe(5)
      expect(r.stderr).toMatch(message)
      expectErrorLines(r.stderr)
      const j = await runCli(['user:list', '--database-url', url, '--json'], {})
      expect(j.exitCode).toBe(5)
      expect(j.json.error.code).toBe('database')
    }
  })
})

describeBackends('database selection', (b) => {
  it('DATABASE_URL / --database-url / the embedded database: the flag wins over the environment', async () => {
    // A flag pointing nowhere must win over the working environment.
    const r = await b.run(['user:list', '--database-url', 'postgres://postgres@127.0.0.1:1/x'])
    expect(r.exitCode).toBe(5)
    expect(r.stderr).toContain('127.0.0.1:1')
  })
})

describe('the Pleroma config file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-config-'))
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('gives the database and the instance URL', async () => {
    if (!PG_AVAILABLE) return
    const db = await scratchPgDatabase(pgTemplatePleroma())
    try {
      const u = new URL(db.url)
      const file = path.join(dir, 'config.exs')
      fs.writeFileSync(
        file,
        `import Config\n\n# generated by pleroma_ctl instance gen\nconfig :pleroma, Pleroma.Web.Endpoint,\n  url: [host: "social.example", scheme: "https", port: 443],\n  http: [ip: {127, 0, 0, 1}, port: 4000]\n\nconfig :pleroma, Pleroma.Repo,\n  adapter: Ecto.Adapters.Postgres,\n  username: "${decodeURIComponent(u.username)}",\n  database: "${u.pathname.slice(1)}",\n  hostname: "${u.hostname}",\n  port: ${u.port || 5432}\n`,
      )
      const r = await runCli(['user:new', 'cfg', 'cfg@example.com', '-y', '--json', '--pleroma-config', file], {})
      expect(r.stderr).toBe('')
      expect(r.exitCode).toBe(0)
      expect(r.json.apId).toBe('https://social.example/users/cfg')
      expect(await pgRows(db.url, `SELECT nickname FROM users`)).toEqual([{nickname: 'cfg'}])
      const env = await runCli(['user:list'], {PLEROMA_CONFIG_PATH: file})
      expect(env.stdout).toBe('cfg moderator: false, admin: false, locked: false, deactivated: false\n')
    } finally {
      await db.drop()
    }
  })

  it('refuses settings it cannot read, saying what to do instead (exit 5)', async () => {
    const file = path.join(dir, 'env.exs')
    fs.writeFileSync(
      file,
      `import Config\nconfig :pleroma, Pleroma.Repo,\n  username: "pleroma",\n  password: System.get_env("DB_PASS"),\n  database: "pleroma"\n`,
    )
    const r = await runCli(['user:list', '--pleroma-config', file], {})
    expect(r.exitCode).toBe(5)
    expect(r.stderr).toMatch(
      /^Error: Cannot use the config file's database settings: Pleroma\.Repo password is System\.get_env\("DB_PASS"\): not supported; .*DATABASE_URL/,
    )
    const missing = await runCli(['user:list', '--pleroma-config', path.join(dir, 'nope.exs')], {})
    expect(missing.exitCode).toBe(5)
    expect(missing.stderr).toMatch(/^Error: Cannot read Pleroma config .*nope\.exs: no such file/)
  })
})
