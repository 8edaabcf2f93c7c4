/**
 * Output hygiene (issue #12, defect 10): an error is `Error: MESSAGE.` and
 * `Hint: HINT` on their own lines; oclif's usage errors under --json read as
 * one sentence; a nickname or name a remote server sent cannot move the
 * cursor, recolour the terminal or fake an output line in human output;
 * user:list's usage line is readable; Ctrl-C exits 130.
 */
import * as net from 'node:net'
import {describeBackends, PG_AVAILABLE} from '../helpers/backends'
import {dumpTables, expectErrorLines, USER_TABLES} from '../helpers/assertions'
import {runProcess} from '../helpers/cli-process'
import {INSTANCE_URL, seedUsers} from '../helpers/user-flags'
import {printable, sentence} from '../../src/text'

/** A remote nickname and name as a hostile server could send them: clear the line, go back, print a fake line. */
const EVIL_NICK = 'evil\u001b[2K\rroot moderator: true, admin: true\u009b31m@evil.example'
const EVIL_NAME = 'Eve\n\u202eError: fake\u0007'
/** Any control character but the newline that ends each line, or a bidi override. */
// eslint-disable-next-line no-control-regex -- the point of the test
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('printable() and sentence()', () => {
  it('escapes C0, DEL, C1 and bidi controls, leaves the rest', () => {
    expect(printable('a\u001b[2Kb\rc\nd\u007fe\u009bf\u202eg é 🙂')).toBe('a\\u001b[2Kb\\u000dc\\u000ad\\u007fe\\u009bf\\u202eg é 🙂')
  })
  it('ends a message with one full stop', () => {
    expect(sentence('No user bob')).toBe('No user bob.')
    expect(sentence('Already done.')).toBe('Already done.')
    expect(sentence('Is it running?')).toBe('Is it running?')
    expect(sentence('Missing 1 required arg:')).toBe('Missing 1 required arg.')
    expect(sentence('(a remark.)')).toBe('(a remark.)')
  })
})

describeBackends('output hygiene', (b) => {
  beforeEach(async () => {
    await seedUsers(b, [{nickname: 'alice'}, {nickname: EVIL_NICK, local: false}])
    await b.sql(`UPDATE users SET name = $1 WHERE nickname = $2`, [EVIL_NAME, EVIL_NICK])
  })

  it('an error and its hint are two lines, the message ending with a full stop (exit code and --json unchanged)', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:show', 'nobody'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No user nobody\.\nHint: Check the nickname \(remote users are nick@host\)/)
    expectErrorLines(r.stderr)
    const remote = await b.run(['user:reset-password', 'bob@remote.example', '--instance-url', INSTANCE_URL])
    expect(remote.exitCode).toBe(3)
    expectErrorLines(remote.stderr)
    const j = await b.run(['user:show', 'nobody', '--json'])
    expect(j.exitCode).toBe(3)
    expect(j.json.error).toEqual({code: 'not_found', exitCode: 3, message: 'No user nobody', hint: expect.stringMatching(/^Check the nickname/)})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it("oclif's missing-argument error under --json is one sentence with one colon", async () => {
    const j = await b.run(['user:show', '--json'])
    expect(j.exitCode).toBe(2)
    expect(j.json.error.code).toBe('usage')
    expect(j.json.error.message).toBe('Missing 1 required arg: nickname: Nickname of the user (case-insensitive; remote users: nick@host).')
    expect(j.json.error.message).not.toContain('::')
  })

  it("a remote nickname's and name's control characters are escaped in every human output (raw in --json), nothing changed", async () => {
    const before = await dumpTables(b, USER_TABLES)
    const list = await b.run(['user:list', '--remote'])
    expect(list.exitCode).toBe(0)
    expect(list.stdout).toBe(
      'evil\\u001b[2K\\u000droot moderator: true, admin: true\\u009b31m@evil.example moderator: false, admin: false, locked: false, deactivated: false\n',
    )
    const nicknames = await b.run(['user:list', '--remote', '--nicknames'])
    expect(nicknames.stdout).toBe('evil\\u001b[2K\\u000droot moderator: true, admin: true\\u009b31m@evil.example\n')
    // In-process output is captured with ANSI sequences stripped (@oclif/test): the exact texts above show
    // the escaping; a separate process (PostgreSQL backends) shows the raw bytes.
    if (b.url) {
      const env = {DATABASE_URL: b.url}
      const spawned = await runProcess(['user:list', '--remote'], {env})
      expect(spawned.code).toBe(0)
      expect(spawned.stdout).toBe(list.stdout)
      const shown = await runProcess(['user:show', EVIL_NICK], {env})
      expect(shown.stdout).toContain('Eve\\u000a\\u202eError: fake\\u0007')
      const json = await runProcess(['user:list', '--remote', '--json'], {env})
      expect(JSON.parse(json.stdout).map((u: {nickname: string}) => u.nickname)).toEqual([EVIL_NICK])
      for (const r of [spawned, shown]) {
        expect(r.stdout).not.toMatch(RAW_CONTROL)
        expect(r.stderr).toBe('')
      }
    }

    const show = await b.run(['user:show', EVIL_NICK])
    expect(show.exitCode).toBe(0)
    expect(show.stdout).toContain('Eve\\u000a\\u202eError: fake\\u0007')
    expect(show.stdout.split('\n').filter((l) => l.startsWith('Error'))).toEqual([])

    // The nickname in an error's hint (from the database) and a bulk failure line.
    const refused = await b.run(['user:reset-password', EVIL_NICK, '--instance-url', INSTANCE_URL])
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toContain('Hint: evil\\u001b[2K\\u000droot moderator: true, admin: true\\u009b31m@evil.example is a remote user')
    expectErrorLines(refused.stderr)
    const bulk = await b.run(['user:sign-out', '--stdin', '--yes'], {stdin: `alice\n${EVIL_NICK}\n`})
    expect(bulk.exitCode).toBe(2)
    expect(bulk.stderr).toMatch(/^Error: Line 2 of stdin is not a nickname: "evil\\u001b\[2K\\u000droot moderator/)
    expectErrorLines(bulk.stderr)
    for (const r of [list, nicknames, show, refused, bulk]) {
      expect(r.stdout).not.toMatch(RAW_CONTROL)
      expect(r.stderr).not.toMatch(RAW_CONTROL)
    }
    expect(await dumpTables(b, ['users'])).toEqual({users: before.users})
  })
})

describe('user:list --help', () => {
  it('shows a usage line oclif did not mangle (no empty alternatives)', async () => {
    const r = await runProcess(['user:list', '--help'])
    expect(r.code).toBe(0)
    const usage = r.stdout.slice(r.stdout.indexOf('USAGE'), r.stdout.indexOf('\nFLAGS')).replace(/\s+/g, ' ')
    expect(usage).toContain('user:list [FILTERS] [--limit <value>] [--format pleroma-2020|pleroma-2.9 | --nicknames | --json | --ndjson] [GLOBAL FLAGS]')
    expect(usage).toContain('user:list [FILTERS] --count [--json] [GLOBAL FLAGS]')
    expect(usage).not.toMatch(/\| \]|\|\s+\|/)
  })
})

;(PG_AVAILABLE ? describe : describe.skip)('Ctrl-C', () => {
  it('exits 130 while the command waits (here: for a server that never answers), saying so', async () => {
    // Ctrl-C once the command has connected (and waits for the server's answer).
    let interrupt = () => {}
    const server = net.createServer(() => setTimeout(() => interrupt(), 200))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as net.AddressInfo).port
    try {
      const r = await runProcess(['user:list', '--database-url', `postgres://postgres@127.0.0.1:${port}/pleroma`, '--connect-timeout', '60'], {
        onSpawn: (kill) => (interrupt = () => kill('SIGINT')),
      })
      expect(r.signal).toBeNull()
      expect(r.code).toBe(130)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe('Interrupted (Ctrl-C); an unfinished transaction is rolled back.\n')
      expect(r.ms).toBeLessThan(10_000)
    } finally {
      server.close()
    }
  })
})
