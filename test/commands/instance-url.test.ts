/**
 * The instance URL of a new user (#11 part 1, #12 defect 9): the service
 * actors count as a source; a Pleroma-owned database with no source is
 * refused rather than given http://localhost:4000; a URL that differs from
 * the one the local rows carry is refused unless --force.
 */
import {describeBackends} from '../helpers/backends'
import * as path from 'node:path'
import {dumpTables, expectErrorLines, USER_TABLES} from '../helpers/assertions'
import {newFlakeId} from '../../src/db/flake-id'

/** A config as `pleroma_ctl instance gen` writes it: url host pleroma.example, https. */
const CONFIG = path.join(__dirname, '..', 'fixtures', 'config', 'generated-config.exs')

const T0 = '2026-01-01 00:00:00'

describeBackends('user:new instance URL', (b) => {
  /** A service actor as Pleroma creates it (local, invisible) at `<base>/relay` or `<base>/internal/fetch`. */
  const seedActor = async (nickname: 'relay' | 'internal.fetch', base: string) => {
    const path = nickname === 'relay' ? 'relay' : 'internal/fetch'
    await b.sql(
      `INSERT INTO users (id, nickname, bio, ap_id, local, invisible, is_active, inserted_at, updated_at, follower_address)
       VALUES ($1::uuid, $2, '', $3::varchar, true, true, true, '${T0}', '${T0}', $3::varchar || '/followers')`,
      [newFlakeId(), nickname, `${base}/${path}`],
    )
  }
  const apIdOf = async (nick: string) => (await b.sql<{ap_id: string}>(`SELECT ap_id FROM users WHERE nickname = $1`, [nick]))[0]?.ap_id

  it('only service actors: their URL is the instance URL', async () => {
    await seedActor('internal.fetch', 'https://fresh.example')
    await seedActor('relay', 'https://fresh.example')
    const r = await b.run(['user:new', 'admin', 'admin@fresh.example', '-y', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({apId: 'https://fresh.example/users/admin', created: true})
    expect(await apIdOf('admin')).toBe('https://fresh.example/users/admin')
  })

  it('a service actor on another URL than the one given: exit 4 unless --force', async () => {
    await seedActor('relay', 'https://old.example')
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:new', 'admin', 'admin@new.example', '-y', '--instance-url', 'https://new.example'])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(
      /^Error: The instance URL https:\/\/new\.example \(from --instance-url\) differs from https:\/\/old\.example, the one the service actor relay has\./,
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    const env = await b.run(['user:new', 'admin', 'admin@new.example', '-y'], {env: {PLEROMA_INSTANCE_URL: 'https://new.example'}})
    expect(env.exitCode).toBe(4)
    expect(env.stderr).toMatch(/\(from PLEROMA_INSTANCE_URL\) differs from https:\/\/old\.example/)
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    const forced = await b.run(['user:new', 'admin', 'admin@new.example', '-y', '--instance-url', 'https://new.example', '--force'])
    expect(forced.exitCode).toBe(0)
    expect(await apIdOf('admin')).toBe('https://new.example/users/admin')
  })

  // (With --pleroma-config and no database URL, the embedded backend would open the config's database.)
  const withDatabaseUrl = b.name === 'embedded' ? it.skip : it
  withDatabaseUrl('a service actor on another URL than --pleroma-config’s: exit 4; on the same URL the config is used', async () => {
    await seedActor('internal.fetch', 'https://old.example')
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:new', 'admin', 'admin@pleroma.example', '-y', '--pleroma-config', CONFIG])
    expect(r.exitCode).toBe(4)
    expect(r.stdout).toBe('')
    expectErrorLines(r.stderr)
    expect(r.stderr).toMatch(
      /^Error: The instance URL https:\/\/pleroma\.example \(from the Pleroma config file\) differs from https:\/\/old\.example, the one the service actor internal\.fetch has\.\n/,
    )
    expect(r.stderr).toContain(
      'Hint: Leave out the Pleroma config file (or correct it); --force creates the user under https://pleroma.example all the same.\n',
    )
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    await b.sql(`UPDATE users SET ap_id = 'https://pleroma.example/internal/fetch' WHERE nickname = 'internal.fetch'`)
    const same = await b.run(['user:new', 'admin', 'admin@pleroma.example', '-y', '--pleroma-config', CONFIG])
    expect(same.stderr).toBe('')
    expect(same.exitCode).toBe(0)
    expect(await apIdOf('admin')).toBe('https://pleroma.example/users/admin')
  })

  it('a URL that differs from the existing local users’: exit 4 unless --force; the same URL is fine', async () => {
    await b.sql(
      `INSERT INTO users (id, nickname, bio, ap_id, local, is_active, inserted_at, updated_at, follower_address)
       VALUES ($1::uuid, 'alice', '', 'https://social.example/users/alice', true, true, '${T0}', '${T0}', 'https://social.example/users/alice/followers')`,
      [newFlakeId()],
    )
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:new', 'bob', 'bob@example.com', '-y', '--instance-url', 'https://stale.example'])
    expect(r.exitCode).toBe(4)
    expect(r.stderr).toMatch(/differs from https:\/\/social\.example, the one the existing local users have\./)
    expect(r.stderr).toContain('--force creates the user under https://stale.example all the same.')
    expect(await dumpTables(b, USER_TABLES)).toEqual(before)
    const same = await b.run(['user:new', 'bob', 'bob@example.com', '-y', '--instance-url', 'https://social.example'])
    expect(same.exitCode).toBe(0)
    const plain = await b.run(['user:new', 'carol', 'carol@example.com', '-y'])
    expect(plain.exitCode).toBe(0)
    expect(await apIdOf('bob')).toBe('https://social.example/users/bob')
    expect(await apIdOf('carol')).toBe('https://social.example/users/carol')
  })

  it('no source at all: refused on a Pleroma database (exit 4), http://localhost:4000 on the tool’s own', async () => {
    const before = await dumpTables(b, USER_TABLES)
    const r = await b.run(['user:new', 'admin', 'admin@example.com', '-y', '--json'])
    if (b.name === 'pleroma') {
      const text = await b.run(['user:new', 'admin', 'admin@example.com', '-y'])
      expect(text.exitCode).toBe(4)
      expect(text.stdout).toBe('')
      expectErrorLines(text.stderr)
      expect(text.stderr).toBe(
        'Error: The instance URL is unknown: this Pleroma database has no local user or service actor to take it from.\n' +
          'Hint: Give it with --instance-url https://your.instance, PLEROMA_INSTANCE_URL, or --pleroma-config /etc/pleroma/config.exs.\n',
      )
      expect(r.exitCode).toBe(4)
      expect(r.json).toEqual({
        error: {
          code: 'refused',
          exitCode: 4,
          message: 'The instance URL is unknown: this Pleroma database has no local user or service actor to take it from.',
          hint: 'Give it with --instance-url https://your.instance, PLEROMA_INSTANCE_URL, or --pleroma-config /etc/pleroma/config.exs.',
        },
      })
      expect(await dumpTables(b, USER_TABLES)).toEqual(before)
      const given = await b.run(['user:new', 'admin', 'admin@example.com', '-y', '--instance-url', 'https://given.example'])
      expect(given.exitCode).toBe(0)
      expect(await apIdOf('admin')).toBe('https://given.example/users/admin')
    } else {
      expect(r.exitCode).toBe(0)
      expect(r.json).toMatchObject({apId: 'http://localhost:4000/users/admin'})
      expect(await apIdOf('admin')).toBe('http://localhost:4000/users/admin')
    }
  })
})
