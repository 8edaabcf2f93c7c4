import {describeBackends, type Backend} from '../helpers/backends'
import {dumpTables, USER_TABLES} from '../helpers/assertions'
import {expectBumped, INSTANCE_URL, OLD_TOKEN, seedUsers} from '../helpers/user-flags'

async function seed(b: Backend): Promise<void> {
  await seedUsers(b, [{nickname: 'alice'}, {nickname: 'pending', confirmed: false}, {nickname: 'taken'}, {nickname: 'bob@remote.example', local: false}])
  await b.sql(`UPDATE users SET email = nickname || '@old.example' WHERE local`)
  await b.sql(`UPDATE users SET email = 'Taken@Mail.Example' WHERE nickname = 'taken'`)
}

async function row(b: Backend, nick: string) {
  const [r] = await b.sql(`SELECT email, is_confirmed, confirmation_token, updated_at FROM users WHERE nickname = $1`, [nick])
  return r
}

/** The users rows but the changed user's email and updated_at. */
async function othersOf(b: Backend, nick: string) {
  return (await dumpTables(b, USER_TABLES)).users.map((u: any) => (u.nickname === nick ? {...u, email: undefined, updated_at: undefined} : u))
}

describeBackends('user:change-email', (b) => {
  beforeEach(() => seed(b))

  it('sets the address as User.change_email does (is_confirmed and the token kept), prints Akkoma’s line', async () => {
    const before = await othersOf(b, 'pending')
    const started = Date.now()
    const r = await b.run(['user:change-email', 'pending', 'new@mail.example'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("pending's email updated\n")
    expect(r.stderr).toBe('pending: pending@old.example -> new@mail.example (still unconfirmed; no e-mail was sent).\n')
    const u = await row(b, 'pending')
    // User.change_email (v2.9.1:lib/pleroma/user.ex:2577) casts only email: is_confirmed and confirmation_token stay.
    expect(u).toMatchObject({email: 'new@mail.example', is_confirmed: false, confirmation_token: OLD_TOKEN})
    expectBumped(u.updated_at, started)
    expect(await othersOf(b, 'pending')).toEqual(before)
  })

  it('--json gives the old and new address; an address differing only in case is a change (Ecto compares exactly)', async () => {
    const r = await b.run(['user:change-email', 'alice', 'ALICE@old.example', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json).toEqual({dryRun: false, nickname: 'alice', previousEmail: 'alice@old.example', email: 'ALICE@old.example', changed: true, confirmed: true})
    expect((await row(b, 'alice')).email).toBe('ALICE@old.example')
  })

  it('already that address: nothing written, exit 0, says so', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:change-email', 'alice', 'alice@old.example'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("alice's email is already alice@old.example; nothing changed.\n")
    const j = await b.run(['user:change-email', 'alice', 'alice@old.example', '--json'])
    expect(j.json).toMatchObject({changed: false, previousEmail: 'alice@old.example', email: 'alice@old.example'})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('a user without an address gets one', async () => {
    await b.sql(`UPDATE users SET email = NULL WHERE nickname = 'alice'`)
    const r = await b.run(['user:change-email', 'alice', 'a@mail.example', '--json'])
    expect(r.json).toMatchObject({previousEmail: null, email: 'a@mail.example', changed: true})
    expect((await row(b, 'alice')).email).toBe('a@mail.example')
  })

  it('--dry-run shows the change and writes nothing', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:change-email', 'alice', 'new@mail.example', '--dry-run'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("alice's email would be updated: alice@old.example -> new@mail.example\n")
    expect(r.stderr).toBe('Dry run: nothing was written.\n')
    const j = await b.run(['user:change-email', 'alice', 'new@mail.example', '--dry-run', '--json'])
    expect(j.json).toEqual({dryRun: true, nickname: 'alice', previousEmail: 'alice@old.example', email: 'new@mail.example', changed: true, confirmed: true})
    // A dry run still refuses what the real run refuses.
    expect((await b.run(['user:change-email', 'alice', 'taken@mail.example', '--dry-run'])).exitCode).toBe(4)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('bad values: an invalid or empty address, another user’s address (case-insensitively): exit 4, one line, nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const invalid = await b.run(['user:change-email', 'alice', 'not an address'])
    expect(invalid.exitCode).toBe(4)
    expect(invalid.stderr).toBe('Error: Invalid e-mail address "not an address".\nHint: Give an address such as alice@example.com.\n')
    expect((await b.run(['user:change-email', 'alice', ''])).exitCode).toBe(4)
    expect((await b.run(['user:change-email', 'alice', 'a@b..c'])).exitCode).toBe(4)
    const taken = await b.run(['user:change-email', 'alice', 'taken@mail.example'])
    expect(taken.exitCode).toBe(4)
    expect(taken.stderr).toBe('Error: The e-mail address taken@mail.example is already used by taken.\nHint: Use another address.\n')
    const j = await b.run(['user:change-email', 'alice', 'taken@mail.example', '--json'])
    expect(j.json.error).toMatchObject({code: 'refused', exitCode: 4})
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('finds the user case-insensitively and as nick@<instance host>', async () => {
    const r = await b.run(['user:change-email', 'Alice@Pleroma.Example', 'x@mail.example', '--instance-url', INSTANCE_URL])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe("Alice@Pleroma.Example's email updated\n")
    expect((await row(b, 'alice')).email).toBe('x@mail.example')
  })

  it('unknown user: "No local user", exit 3; a remote user: exit 4; nothing changed', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:change-email', 'nobody', 'x@mail.example'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^Error: No local user nobody\.\nHint: /)
    const j = await b.run(['user:change-email', 'nobody', 'x@mail.example', '--json'])
    expect(j.json.error).toMatchObject({code: 'not_found', exitCode: 3, message: 'No local user nobody'})
    const remote = await b.run(['user:change-email', 'bob@remote.example', 'x@mail.example'])
    expect(remote.exitCode).toBe(4)
    expect(remote.stderr).toMatch(/^Error: No local user bob@remote\.example\.\nHint: bob@remote\.example is a remote user/)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
  })

  it('usage: a missing address is exit 2; Akkoma’s spelling works', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:change-email', 'alice'])
    expect(r.exitCode).toBe(2)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    const alias = await b.run(['user:change_email', 'alice', 'y@mail.example'])
    expect(alias.exitCode).toBe(0)
    expect(alias.stdout).toBe("alice's email updated\n")
  })
})
