/**
 * The frozen command-line contract (test/contract/cli-contract.json), all of
 * it generated (scripts/contract.js): every command's id, aliases, args and
 * flags from the manifest, and the JSON Schema of its --json output from the
 * result type its run() declares. A rename, a removed flag or a changed JSON
 * key fails here until `npm run contract` regenerates the file (and the
 * README's table); real --json output (success, dry run, error) is checked
 * against the schemas on every backend.
 */
import * as fs from 'node:fs'
import Ajv from 'ajv'
import {describeBackends} from '../helpers/backends'
import {seedUsers} from '../helpers/social-graph'
import {ExitCode} from '../../src/errors'

interface Contract {
  commands: Record<string, {flags: Array<{name: string}>; json: object}>
  error: {json: object; codes: Record<string, number>}
}

const contract = require('../../scripts/contract.js') as {
  generate(): Contract
  load(): Contract
  withReadmeTable(text: string, c: Contract): string
  errorShape(schema: object): string
  readmeFile: string
}

/** A run of each command that succeeds on the data seeded below (their --json output is checked against the schemas). */
const EXAMPLES: Record<string, string[]> = {
  'db:init': ['db:init'],
  'user:activate': ['user:activate', 'z@dead.example'],
  'user:approve': ['user:approve', '--all', '-y'],
  'user:confirm': ['user:confirm', 'carol'],
  'user:confirm-all': ['user:confirm-all', '-y'],
  'user:change-email': ['user:change-email', 'carol', 'carol@new.example'],
  'user:deactivate': ['user:deactivate', 'bob@remote.example', '-y'],
  'user:deactivate-all-from-instance': ['user:deactivate-all-from-instance', 'dead.example', '-y'],
  'user:delete-activities': ['user:delete-activities', 'alice', '-y'],
  'user:fix-follow-state': ['user:fix-follow-state', 'carol', 'z@dead.example'],
  'user:invite': ['user:invite', '--max-use', '2'],
  'user:invites': ['user:invites'],
  'user:list': ['user:list'],
  'user:new': ['user:new', 'dora', 'dora@example.com', '-y', '--password-stdin'],
  'user:prune': ['user:prune', '--unconfirmed-for', '1s', '-y'],
  'user:reset-mfa': ['user:reset-mfa', 'carol'],
  'user:reset-password': ['user:reset-password', 'carol'],
  'user:revoke-invite': ['user:revoke-invite', '1'],
  'user:rm': ['user:rm', 'alice', '-y'],
  'user:set': ['user:set', 'carol', '--admin'],
  'user:show': ['user:show', 'carol'],
  'user:sign-out': ['user:sign-out', 'carol', '-y'],
  'user:tag': ['user:tag', 'carol', 'vip'],
  'user:toggle-activated': ['user:toggle-activated', 'bob@remote.example', '-y'],
  'user:toggle-confirmed': ['user:toggle-confirmed', 'carol'],
  'user:unconfirm-all': ['user:unconfirm-all', '-y'],
  'user:unsubscribe': ['user:unsubscribe', 'bob@remote.example', '-y'],
  'user:unsubscribe-all-from-instance': ['user:unsubscribe-all-from-instance', 'dead.example', '-y'],
  'user:untag': ['user:untag', 'carol', 'vip'],
}

/** For user:fix-follow-state: carol's latest Follow of z@dead.example says accept, no relationship row. */
async function seedBrokenFollow(b: {sql: (q: string, p?: unknown[]) => Promise<unknown[]>}): Promise<void> {
  const data = {id: 'https://pleroma.example/activities/f0110w', type: 'Follow', actor: 'https://pleroma.example/users/carol', object: 'https://dead.example/users/z', state: 'accept'}
  await b.sql(
    `INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients) VALUES ('00000190-0000-0000-0000-0000000000f0', $1, '2024-01-01 00:00:00', '2024-01-01 00:00:00', true, $2, $3)`,
    [JSON.stringify(data), data.actor, [data.object]],
  )
}

const frozen = contract.load()
const ajv = new Ajv({allErrors: true, strict: false})
const validators = Object.fromEntries(Object.entries(frozen.commands).map(([id, c]) => [id, ajv.compile(c.json)]))
const validateError = ajv.compile(frozen.error.json)

/** The output's schema errors (none when it matches). */
function mismatches(validate: ReturnType<typeof ajv.compile>, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
}

describe('the command-line contract', () => {
  it('is what the code generates: commands, aliases, args, flags and --json schemas', () => {
    expect(contract.generate()).toEqual(frozen)
  })

  it('has an example run for every command', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(Object.keys(frozen.commands).sort())
  })

  it('is what the README documents', () => {
    const readme = fs.readFileSync(contract.readmeFile, 'utf8')
    expect(contract.withReadmeTable(readme, frozen)).toBe(readme)
    expect(readme).toContain(contract.errorShape(frozen.error.json))
    expect(frozen.error.codes).toEqual({error: ExitCode.ERROR, aborted: ExitCode.ERROR, usage: ExitCode.USAGE, not_found: ExitCode.NOT_FOUND, refused: ExitCode.REFUSED, database: ExitCode.DATABASE})
  })

  it('rejects output that differs from a schema (the check can fail)', () => {
    const tag = validators['user:tag']
    expect(mismatches(tag, {dryRun: false, nickname: 'a', tags: [], changed: true})).toEqual([])
    expect(mismatches(tag, {dryRun: false, nickname: 'a', tags: []}).length).toBeGreaterThan(0)
    expect(mismatches(tag, {dryRun: false, nickname: 'a', tags: [], changed: true, extra: 1}).length).toBeGreaterThan(0)
    expect(mismatches(tag, {dryRun: false, nickname: 'a', tags: [1], changed: true}).length).toBeGreaterThan(0)
  })
})

describeBackends('the --json output of every command', (b) => {
  it('matches the contract’s schemas (success and error)', async () => {
    // carol: a registration waiting for approval and confirmation (user:approve, user:confirm).
    const ids = await seedUsers(b, [
      {nickname: 'alice'},
      {nickname: 'carol'},
      {nickname: 'bob', local: false},
    ])
    await b.sql(`UPDATE users SET is_approved = false, is_confirmed = false, confirmation_token = 'tok' WHERE nickname = 'carol'`)
    const [z] = await b.sql(
      `INSERT INTO users (id, nickname, bio, ap_id, local, inserted_at, updated_at) VALUES ('00000190-0000-0000-0000-00000000000a', 'z@dead.example', '', 'https://dead.example/users/z', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00') RETURNING id`,
    )
    ids['z@dead.example'] = z.id
    // Inactive, for user:activate.
    await b.sql(`UPDATE users SET is_active = false WHERE id = $1`, [z.id])
    await b.sql(
      `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at) VALUES ($1, $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00'), ($3, $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
      [ids.bob, ids.alice, ids['z@dead.example']],
    )
    await b.sql(`INSERT INTO user_invite_tokens (token, used, inserted_at, updated_at, uses, invite_type) VALUES ('tok', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00', 0, 'one_time')`)
    await seedBrokenFollow(b)
    const ran: string[] = []
    for (const id of Object.keys(frozen.commands)) {
      // db:init prepares only a database the tool owns; it refuses Pleroma's (tested in database.test.ts).
      if (id === 'db:init' && b.name === 'pleroma') {
        ran.push(id)
        continue
      }
      const r = await b.run([...EXAMPLES[id], '--json'], {stdin: 'a password\n'})
      expect({id, exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr + r.stdout}).toEqual({id, exitCode: 0, stderr: ''})
      expect(r.json).toBeDefined()
      if (Array.isArray(r.json)) expect({id, items: r.json.length > 0}).toEqual({id, items: true})
      expect({id, mismatches: mismatches(validators[id], r.json)}).toEqual({id, mismatches: []})
      ran.push(id)
    }
    expect(ran).toHaveLength(Object.keys(frozen.commands).length)

    const notFound = await b.run(['user:rm', 'nobody', '-y', '--json'])
    expect(notFound.exitCode).toBe(frozen.error.codes.not_found)
    expect(mismatches(validateError, notFound.json)).toEqual([])
    expect(notFound.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    const count = await b.run(['user:list', '--count', '--json'])
    expect(count.json).toEqual({count: 3}) // carol, dora, and alice (purged, the row kept)
    expect(mismatches(validators['user:list'], count.json)).toEqual([])
    const generated = await b.run(['user:new', 'erin', 'erin@example.com', '-y', '--json'])
    expect(generated.json.passwordResetUrl).toMatch(/^https?:\/\/.+\/api\/v1\/pleroma\/password_reset\/.+/)
    expect(mismatches(validators['user:new'], generated.json)).toEqual([])
  })
})

describeBackends('--dry-run', (b) => {
  it('writes nothing on any command that has it: every table is the same afterwards', async () => {
    const ids = await seedUsers(b, [{nickname: 'alice'}, {nickname: 'carol'}, {nickname: 'bob', local: false}])
    await b.sql(`UPDATE users SET is_approved = false, is_confirmed = false, confirmation_token = 'tok' WHERE nickname = 'carol'`)
    await b.sql(
      `INSERT INTO users (id, nickname, bio, ap_id, local, is_active, inserted_at, updated_at) VALUES ('00000190-0000-0000-0000-00000000000a', 'z@dead.example', '', 'https://dead.example/users/z', false, false, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
    )
    await b.sql(
      `INSERT INTO following_relationships (follower_id, following_id, state, inserted_at, updated_at) VALUES ($1, $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00'), ('00000190-0000-0000-0000-00000000000a', $2, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:00')`,
      [ids.bob, ids.alice],
    )
    await b.sql(`INSERT INTO user_invite_tokens (token, used, inserted_at, updated_at, uses, invite_type) VALUES ('tok', false, '2024-01-01 00:00:00', '2024-01-01 00:00:00', 0, 'one_time')`)
    await seedBrokenFollow(b)
    const tables = (await b.sql(`SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1`)).map((r) => r.t as string)
    const dump = async () => {
      const out: Record<string, unknown[]> = {}
      for (const t of tables) out[t] = await b.sql(`SELECT * FROM "${t}" ORDER BY 1`)
      return out
    }
    const withDryRun = Object.keys(frozen.commands).filter((id) => frozen.commands[id].flags.some((f) => f.name === 'dry-run'))
    // Every command that writes: all but these read-only ones (and db:init, which only prepares a database).
    const readOnly = ['db:init', 'user:invites', 'user:list', 'user:show']
    expect(withDryRun.sort()).toEqual(Object.keys(frozen.commands).filter((id) => !readOnly.includes(id)).sort())
    const before = await dump()
    const runs = [...withDryRun.map((id) => ({id, args: EXAMPLES[id]})), {id: 'user:new', args: ['user:new', 'erin', 'erin@example.com', '-y']}]
    for (const {id, args} of runs) {
      const r = await b.run([...args, '--dry-run', '--json'], {stdin: 'a password\n'})
      expect({id, exitCode: r.exitCode}).toEqual({id, exitCode: 0})
      expect({id, dryRun: r.json.dryRun}).toEqual({id, dryRun: true})
      // The same keys as the real run: the schema requires them all.
      expect({id, mismatches: mismatches(validators[id], r.json)}).toEqual({id, mismatches: []})
      expect(await dump()).toEqual(before)
    }
  })
})
