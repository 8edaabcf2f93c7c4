/**
 * The frozen command-line contract (test/contract/cli-contract.json): every
 * command's id, aliases, args and flags, and the keys of its --json output.
 * A rename, a removed flag or a changed JSON key fails here on purpose:
 * update the contract file (`node scripts/contract.js --update`, then the
 * JSON shapes by hand) and the README (`npm run readme`) together.
 */
import * as fs from 'node:fs'
import {describeBackends} from '../helpers/backends'
import {seedUsers} from '../helpers/social-graph'

// eslint-disable-next-line @typescript-eslint/no-require-imports
const contract = require('../../scripts/contract.js') as {
  fromManifest(): Record<string, unknown>
  load(): {commands: Record<string, {json: {shape: string; example: string[]}}>; error: {shape: string; codes: Record<string, number>}}
  withReadmeTable(text: string, c: unknown): string
  readmeFile: string
}

/** The keys a shape string names: `{a, b?, c}` or `[{a, b}] ...`; `?` marks optional ones. */
function keysOf(shape: string): {required: string[]; optional: string[]} {
  const inner = /\{([^{}]*)\}/.exec(shape)![1]
  const names = inner.split(',').map((s) => s.trim()).filter(Boolean)
  return {required: names.filter((n) => !n.endsWith('?')).sort(), optional: names.filter((n) => n.endsWith('?')).map((n) => n.slice(0, -1)).sort()}
}

function expectKeys(value: Record<string, unknown>, shape: string, id: string): void {
  const {required, optional} = keysOf(shape)
  const actual = Object.keys(value).sort()
  const unknown = actual.filter((k) => !required.includes(k) && !optional.includes(k))
  const missing = required.filter((k) => !actual.includes(k))
  expect({id, unknown, missing}).toEqual({id, unknown: [], missing: []})
}

describe('the command-line contract', () => {
  it('matches the commands, aliases, args and flags', () => {
    const frozen = contract.load().commands
    const live = contract.fromManifest()
    const strip = (c: Record<string, unknown>) => Object.fromEntries(Object.entries(c).map(([id, v]) => [id, {...(v as object), json: undefined}]))
    expect(strip(live)).toEqual(strip(frozen))
  })

  it('is what the README documents', () => {
    const readme = fs.readFileSync(contract.readmeFile, 'utf8')
    expect(contract.withReadmeTable(readme, contract.load())).toBe(readme)
    expect(readme).toContain(contract.load().error.shape)
  })
})

describeBackends('the --json output of every command', (b) => {
  it('has the contract’s keys (success and error)', async () => {
    const ids = await seedUsers(b, [
      {nickname: 'alice'},
      {nickname: 'carol'},
      {nickname: 'bob', local: false},
    ])
    const [z] = await b.sql(
      `INSERT INTO users (id, nickname, bio, ap_id, local, inserted_at, updated_at) VALUES ('00000190-0000-0000-0000-00000000000a', 'z@dead.example', '', 'https://dead.example/users/z', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00') RETURNING id`,
    )
    ids['z@dead.example'] = z.id
    await b.sql(
      `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at) VALUES ($1, $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00'), ($3, $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
      [ids.bob, ids.alice, ids['z@dead.example']],
    )
    const {commands, error} = contract.load()
    const ran: string[] = []
    for (const [id, c] of Object.entries(commands)) {
      // db:init prepares only a database the tool owns; it refuses Pleroma's (tested in database.test.ts).
      if (id === 'db:init' && b.name === 'pleroma') {
        ran.push(id)
        continue
      }
      const r = await b.run([...c.json.example, '--json'], {stdin: 'a password\n'})
      expect({id, exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr}).toEqual({id, exitCode: 0, stderr: ''})
      const value = Array.isArray(r.json) ? r.json[0] : r.json
      expect(value).toBeDefined()
      expectKeys(value, c.json.shape, id)
      ran.push(id)
    }
    expect(ran).toHaveLength(Object.keys(commands).length)

    const notFound = await b.run(['user:rm', 'nobody', '-y', '--json'])
    expect(notFound.exitCode).toBe(error.codes.not_found)
    expect(Object.keys(notFound.json)).toEqual(['error'])
    expectKeys(notFound.json.error, error.shape, 'error')
    expect(notFound.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    const count = await b.run(['user:list', '--count', '--json'])
    expect(Object.keys(count.json)).toEqual(['count'])
  })
})

describeBackends('--dry-run', (b) => {
  it('writes nothing on any command that has it: every table is the same afterwards', async () => {
    const ids = await seedUsers(b, [{nickname: 'alice'}, {nickname: 'carol'}, {nickname: 'bob', local: false}])
    await b.sql(
      `INSERT INTO users (id, nickname, bio, ap_id, local, inserted_at, updated_at) VALUES ('00000190-0000-0000-0000-00000000000a', 'z@dead.example', '', 'https://dead.example/users/z', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
    )
    await b.sql(
      `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at) VALUES ($1, $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00'), ('00000190-0000-0000-0000-00000000000a', $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
      [ids.bob, ids.alice],
    )
    await b.sql(`INSERT INTO user_invite_tokens (token, used, inserted_at, updated_at, uses, invite_type) VALUES ('tok', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00', 0, 'one_time')`)
    const tables = (await b.sql(`SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1`)).map((r) => r.t as string)
    const dump = async () => {
      const out: Record<string, unknown[]> = {}
      for (const t of tables) out[t] = await b.sql(`SELECT * FROM "${t}" ORDER BY 1`)
      return out
    }
    const manifest = contract.fromManifest() as Record<string, {flags: Array<{name: string}>}>
    const {commands} = contract.load()
    const withDryRun = Object.keys(commands).filter((id) => manifest[id].flags.some((f) => f.name === 'dry-run'))
    // Every command that writes (all but db:init, user:list and user:invites).
    expect(withDryRun).toHaveLength(14)
    const before = await dump()
    for (const id of withDryRun) {
      const r = await b.run([...commands[id].json.example, '--dry-run', '--json'], {stdin: 'a password\n'})
      expect({id, exitCode: r.exitCode}).toEqual({id, exitCode: 0})
      expect({id, dryRun: r.json.dryRun}).toEqual({id, dryRun: true})
      expect(await dump()).toEqual(before)
    }
  })
})
