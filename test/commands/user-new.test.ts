import {describeBackends} from '../helpers/backends'
import {countUsers, dumpTables, USER_TABLES, verifyBcryptIndependently, expectErrorLines} from '../helpers/assertions'
import {flakeIdTime, flakeIdToString} from '../../src/db/flake-id'

const PASSWORD = 'correct horse battery staple'

describeBackends('user:new', (b) => {
  // A Pleroma database with no local user gives no instance URL (refused: test/commands/instance-url.test.ts); name the one the tests expect.
  const run: typeof b.run = (args, o) => b.run(args, {...o, env: {...(b.name === 'pleroma' ? {PLEROMA_INSTANCE_URL: 'http://localhost:4000'} : {}), ...o?.env}})
  it('creates the row Pleroma’s registration writes, with roles, and prints Pleroma’s lines', async () => {
    const before = Date.now()
    const r = await run(
      [
        'user:new',
        'alice',
        'alice@example.com',
        '--name',
        'Alice A.',
        '--bio',
        'Hello',
        '--password-stdin',
        '--moderator',
        '--admin',
        '-y',
        '--instance-url',
        'https://pleroma.example',
      ],
      {stdin: PASSWORD + '\n'},
    )
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain(
      'A user will be created with the following information:\n  - nickname: alice\n  - email: alice@example.com\n  - password: [given; not shown]\n  - name: Alice A.\n  - bio: Hello\n  - moderator: true\n  - admin: true\n',
    )
    expect(r.stdout).toContain('User alice created\nModerator status of alice: true\nAdmin status of alice: true\n')
    expect(r.stdout).not.toContain(PASSWORD)

    const [u] = await b.sql(`SELECT * FROM users WHERE nickname = 'alice'`)
    expect(u).toMatchObject({
      email: 'alice@example.com',
      name: 'Alice A.',
      bio: 'Hello',
      local: true,
      ap_id: 'https://pleroma.example/users/alice',
      follower_address: 'https://pleroma.example/users/alice/followers',
      following_address: 'https://pleroma.example/users/alice/following',
      featured_address: 'https://pleroma.example/users/alice/collections/featured',
      is_active: true,
      is_confirmed: true,
      is_approved: true,
      is_moderator: true,
      is_admin: true,
      is_locked: false,
      note_count: 0,
      follower_count: 0,
      following_count: 0,
      invisible: false,
      actor_type: 'Person',
      confirmation_token: null,
      raw_bio: null,
      uri: null,
      default_scope: 'public',
      accepts_chat_messages: true,
      hide_favorites: true,
      show_role: true,
      allow_following_move: true,
      disclose_client: true,
      email_notifications: {digest: false},
      fields: [],
      raw_fields: [],
      emoji: {},
      avatar: {},
      pinned_objects: {},
      tags: [],
      also_known_as: [],
    })
    expect(u.keys).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END RSA PRIVATE KEY-----$/)
    expect(u.password_hash).toMatch(/^\$2b\$\d\d\$/)
    expect(verifyBcryptIndependently(PASSWORD, u.password_hash)).toBe(true)
    expect(verifyBcryptIndependently('wrong', u.password_hash)).toBe(false)
    // FlakeId made now; whole-second UTC timestamps.
    expect(flakeIdTime(u.id)).toBeGreaterThanOrEqual(before - 1)
    expect(flakeIdTime(u.id)).toBeLessThanOrEqual(Date.now())
    expect(u.inserted_at.getTime() % 1000).toBe(0)
    expect(u.updated_at).toEqual(u.inserted_at)
    // Written while the command ran (whole seconds), in UTC.
    expect(u.inserted_at.getTime()).toBeGreaterThanOrEqual(before - (before % 1000))
    expect(u.inserted_at.getTime()).toBeLessThanOrEqual(Date.now())
    // Password given: no reset token.
    expect(await b.sql(`SELECT * FROM password_reset_tokens`)).toEqual([])
  })

  it('--json returns the created user and never the password or hash', async () => {
    const r = await run(['user:new', 'bob', 'bob@example.com', '--password-stdin', '--yes', '--json'], {stdin: PASSWORD})
    expect(r.exitCode).toBe(0)
    const [u] = await b.sql(`SELECT id, password_hash FROM users WHERE nickname = 'bob'`)
    expect(r.json).toEqual({
      dryRun: false,
      created: true,
      id: flakeIdToString(u.id),
      uuid: u.id,
      nickname: 'bob',
      email: 'bob@example.com',
      name: 'bob',
      apId: 'http://localhost:4000/users/bob',
      moderator: false,
      admin: false,
      active: true,
      confirmed: true,
      approved: true,
    })
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain(PASSWORD)
      expect(out).not.toContain(u.password_hash)
      expect(out).not.toContain('$2b$')
    }
  })

  it('without a password sets a random one and prints a password reset link, as Pleroma does', async () => {
    const r = await run(['user:new', 'carol', 'carol@example.com', '-y', '--instance-url', 'https://pleroma.example:8443'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('  - password: [generated; a reset link will be created]\n')
    const [u] = await b.sql(`SELECT id, password_hash, ap_id FROM users WHERE nickname = 'carol'`)
    expect(u.ap_id).toBe('https://pleroma.example:8443/users/carol')
    expect(u.password_hash).toMatch(/^\$2b\$/)
    const tokens = await b.sql(`SELECT token, user_id, used, inserted_at, updated_at FROM password_reset_tokens`)
    expect(tokens).toHaveLength(1)
    expect(tokens[0]).toMatchObject({user_id: u.id, used: false})
    expect(tokens[0].token).toMatch(/^[A-Za-z0-9_-]{43}=$/)
    const encoded = tokens[0].token.slice(0, 43) + '%3D'
    expect(r.stdout).toContain(
      `User carol created\nGenerated password reset token for carol\nURL: https://pleroma.example:8443/api/v1/pleroma/password_reset/${encoded}\n`,
    )
    // The next user takes the instance URL from the existing local user's ap_id.
    const json = await b.run(['user:new', 'dave', 'dave@example.com', '-y', '--json'])
    expect(json.json.passwordResetUrl).toMatch(/^https:\/\/pleroma\.example:8443\/api\/v1\/pleroma\/password_reset\/[A-Za-z0-9_-]{43}%3D$/)
  })

  it('proposes the nickname from a lone e-mail address', async () => {
    const r = await run(['user:new', 'erin.smith+x@example.com', '--password-stdin', '-y'], {stdin: PASSWORD})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('  - nickname: erin_smith_x (proposed from the e-mail address)\n  - email: erin.smith+x@example.com\n')
    expect(await b.sql(`SELECT nickname, email FROM users`)).toEqual([{nickname: 'erin_smith_x', email: 'erin.smith+x@example.com'}])
  })

  it('takes the instance URL from existing local users when none is given', async () => {
    await b.run(['user:new', 'first', 'first@example.com', '-y', '--password-stdin', '--instance-url', 'https://social.example'], {stdin: PASSWORD})
    const r = await b.run(['user:new', 'second', 'second@example.com', '-y', '--password-stdin'], {stdin: PASSWORD})
    expect(r.exitCode).toBe(0)
    const rows = await b.sql(`SELECT ap_id FROM users WHERE nickname = 'second'`)
    expect(rows[0].ap_id).toBe('https://social.example/users/second')
    const env = await b.run(['user:new', 'third', 'third@example.com', '-y', '--password-stdin'], {
      stdin: PASSWORD,
      env: {PLEROMA_INSTANCE_URL: 'https://env.example/'},
    })
    // Another URL than the local users have (#12 defect 9): refused, unless --force.
    expect(env.exitCode).toBe(4)
    expect(env.stderr).toMatch(/^Error: The instance URL https:\/\/env\.example \(from PLEROMA_INSTANCE_URL\) differs from https:\/\/social\.example/)
    expect(await b.sql(`SELECT ap_id FROM users WHERE nickname = 'third'`)).toEqual([])
    const forced = await b.run(['user:new', 'third', 'third@example.com', '-y', '--password-stdin', '--force'], {
      stdin: PASSWORD,
      env: {PLEROMA_INSTANCE_URL: 'https://env.example/'},
    })
    expect(forced.exitCode).toBe(0)
    expect((await b.sql(`SELECT ap_id FROM users WHERE nickname = 'third'`))[0].ap_id).toBe('https://env.example/users/third')
  })

  it('warns that --password is visible, and still never prints it', async () => {
    const r = await run(['user:new', 'frank', 'frank@example.com', '--password', 'visible-secret', '-y'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toMatch(/^Warning: --password is visible to other users/)
    expect(r.stdout + r.stderr).not.toContain('visible-secret')
    const [u] = await b.sql(`SELECT password_hash FROM users WHERE nickname = 'frank'`)
    expect(verifyBcryptIndependently('visible-secret', u.password_hash)).toBe(true)
  })

  describe('refuses bad input with exit 4, one line, and no change', () => {
    beforeEach(async () => {
      const r = await run(['user:new', 'Taken', 'taken@example.com', '-y', '--password-stdin'], {stdin: PASSWORD})
      expect(r.exitCode).toBe(0)
    })

    const cases: Array<[string, string[], RegExp]> = [
      ['an invalid nickname', ['bad.nick', 'x@example.com'], /^Error: Invalid nickname "bad\.nick": only ASCII letters, digits, _ and - are allowed\./],
      ['a non-ASCII nickname', ['zoë', 'x@example.com'], /^Error: Invalid nickname "zoë"/],
      ['a reserved nickname, whatever its case', ['Pleroma', 'x@example.com'], /^Error: The nickname "Pleroma" is reserved by Pleroma\./],
      ['a taken nickname, case-insensitively', ['TAKEN', 'x@example.com'], /^Error: The nickname TAKEN is already taken \(by Taken\)\./],
      ['a taken e-mail, case-insensitively', ['newbie', 'TAKEN@Example.com'], /^Error: The e-mail address TAKEN@Example\.com is already used by Taken\./],
      ['an invalid e-mail', ['newbie', 'not-an-email'], /^Error: Invalid e-mail address "not-an-email"\./],
      ['a too long nickname', ['n'.repeat(250), 'x@example.com'], /^Error: The nickname is 250 characters long; at most 206 fit/],
      ['a too long name', ['newbie', 'x@example.com', '--name', 'é'.repeat(101)], /^Error: The name is 101 characters long; Pleroma allows at most 100\./],
      ['an empty name', ['newbie', 'x@example.com', '--name', ''], /^Error: The name is empty\./],
      ['a too long bio', ['newbie', 'x@example.com', '--bio', 'b'.repeat(5001)], /^Error: The bio is 5001 characters long; Pleroma allows at most 5000\./],
      [
        'a bad instance URL',
        ['newbie', 'x@example.com', '--instance-url', 'ftp://pleroma.example'],
        /^Error: The instance URL from --instance-url must be http or https/,
      ],
      ['an instance URL with a path', ['newbie', 'x@example.com', '--instance-url', 'https://pleroma.example/social'], /must be only scheme:\/\/host\[:port\]/],
    ]
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const before = await dumpTables(b, USER_TABLES)
        const r = await run(['user:new', ...args, '-y', '--password-stdin'], {stdin: PASSWORD})
        expect(r.exitCode).toBe(4)
        expect(r.stderr).toMatch(message)
        expectErrorLines(r.stderr)
        expect(r.stdout).toBe('')
        expect(await dumpTables(b, USER_TABLES)).toEqual(before)
        const json = await run(['user:new', ...args, '-y', '--password-stdin', '--json'], {stdin: PASSWORD})
        expect(json.exitCode).toBe(4)
        expect(json.json.error).toMatchObject({code: 'refused', exitCode: 4})
        expect(json.json.error.message).toMatch(message.source.startsWith('^Error: ') ? new RegExp(message.source.slice(8)) : message)
      })
    }

    it('the proposed nickname of a lone e-mail when it is taken, saying how to give one', async () => {
      const r = await run(['user:new', 'taken@elsewhere.example', '-y'])
      expect(r.exitCode).toBe(4)
      expect(r.stderr).toContain('(nickname proposed from taken@elsewhere.example)')
      expect(r.stderr).toContain('user:new NICKNAME taken@elsewhere.example')
      expect(await countUsers(b)).toBe(1)
    })

    it('an empty password on stdin', async () => {
      const r = await run(['user:new', 'newbie', 'n@example.com', '-y', '--password-stdin'], {stdin: '\n'})
      expect(r.exitCode).toBe(4)
      expect(r.stderr).toMatch(/^Error: No password on stdin/)
      expect(await countUsers(b)).toBe(1)
    })

    it('a password over 72 bytes (bcrypt would ignore the rest), counted in bytes, by every way of giving it; an empty --password', async () => {
      const before = await dumpTables(b, USER_TABLES)
      const cases: Array<[string[], string | undefined, number]> = [
        [['--password-stdin'], 'p'.repeat(73) + '\n', 73],
        [['--password-stdin'], 'p'.repeat(100) + '\n', 100],
        [['--password-stdin'], 'é'.repeat(37) + '\n', 74],
        [['--password', 'q'.repeat(73)], undefined, 73],
        [['--password-stdin', '--dry-run'], 'p'.repeat(73) + '\n', 73],
      ]
      for (const [args, stdin, bytes] of cases) {
        const r = await b.run(['user:new', 'newbie', 'n@example.com', '-y', ...args], {stdin})
        expect(r.exitCode).toBe(4)
        expect(r.stdout).toBe('')
        expect(r.stderr.replace(/^Warning: .*\n/, '')).toBe(
          `Error: The password is ${bytes} bytes long; bcrypt uses only the first 72 and would silently ignore the rest.\n` +
            'Hint: Choose a password of at most 72 bytes (72 ASCII characters, fewer with accented letters or emoji), or leave it out to get a reset link.\n',
        )
        const j = await b.run(['user:new', 'newbie', 'n@example.com', '-y', '--json', ...args], {stdin})
        expect(j.exitCode).toBe(4)
        expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
      }
      const empty = await b.run(['user:new', 'newbie', 'n@example.com', '-y', '--password', ''])
      expect(empty.exitCode).toBe(4)
      expect(empty.stderr).toContain('Error: The password given with --password is empty.\n')
      expect(await dumpTables(b, USER_TABLES)).toEqual(before)

      // 72 bytes exactly is taken, and the whole of it is what matches.
      const ok = await b.run(['user:new', 'newbie', 'n@example.com', '-y', '--password-stdin'], {stdin: 'é'.repeat(36) + '\n'})
      expect(ok.exitCode).toBe(0)
      const [row] = await b.sql(`SELECT password_hash FROM users WHERE nickname = 'newbie'`)
      expect(verifyBcryptIndependently('é'.repeat(36), row.password_hash)).toBe(true)
      expect(verifyBcryptIndependently('é'.repeat(35) + 'e', row.password_hash)).toBe(false)
    })
  })

  it('refuses without a terminal and without -y (exit 1), and writes nothing', async () => {
    const r = await run(['user:new', 'gina', 'gina@example.com', '--password-stdin'], {stdin: PASSWORD})
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain('A user will be created with the following information:')
    expect(r.stderr).toBe('Error: User will not be created. Not confirmed: stdin is not a terminal.\nHint: Pass -y (--yes) to proceed without the prompt.\n')
    expect(await countUsers(b)).toBe(0)
  })

  it('--dry-run shows the summary and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await run(['user:new', 'hank', 'hank@example.com', '--dry-run', '--json'])
    expect(r.exitCode).toBe(0)
    // The keys of a real run, null where the value exists only once written.
    expect(r.json).toEqual({
      dryRun: true,
      created: false,
      id: null,
      uuid: null,
      nickname: 'hank',
      email: 'hank@example.com',
      name: 'hank',
      apId: 'http://localhost:4000/users/hank',
      moderator: false,
      admin: false,
      active: true,
      confirmed: true,
      approved: true,
      passwordResetUrl: null,
    })
    const text = await run(['user:new', 'hank', 'hank@example.com', '--dry-run'])
    expect(text.exitCode).toBe(0)
    expect(text.stdout).toContain('A user will be created with the following information:\n  - nickname: hank\n')
    expect(text.stderr).toBe('Dry run: nothing was written.\n')
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('usage errors exit 2', async () => {
    const noEmail = await run(['user:new', 'ivan', '-y'])
    expect(noEmail.exitCode).toBe(2)
    expect(noEmail.stderr).toContain('Missing the e-mail address of ivan.')
    const noArgs = await run(['user:new'])
    expect(noArgs.exitCode).toBe(2)
    expect(noArgs.stderr).toContain('Missing 1 required arg')
    const both = await run(['user:new', 'ivan', 'i@example.com', '--password', 'x', '--password-stdin', '-y'])
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toContain('--password-stdin=true cannot also be provided when using --password')
    const unknown = await run(['user:new', 'ivan', 'i@example.com', '--frobnicate'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('Nonexistent flag: --frobnicate')
    expect(await countUsers(b)).toBe(0)
  })
})
