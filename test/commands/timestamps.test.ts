/**
 * Pleroma's timestamp columns (`timestamp without time zone`) hold UTC. The
 * commands write them through TypeORM as Dates; whatever the time zone of
 * the machine that runs them, what lands in the column is UTC now.
 *
 * The time zone of a process is fixed when it starts (jest's process.env is
 * not the real one), so the commands run here as processes of their own,
 * through the real executable, with TZ set.
 */
import {execFile} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {promisify} from 'node:util'
import {PGlite} from '@electric-sql/pglite'
import {describeBackends} from '../helpers/backends'
import {PGLITE_PARSERS, pgliteExtensions} from '../../src/db/embedded'
import {seedUsers} from '../helpers/user-flags'

const BIN = path.join(__dirname, '..', '..', 'bin', 'run.js')
/** Far from UTC on both sides: a local time written as if it were UTC would be 14 hours ahead, or 8 behind. */
const ZONES = ['Pacific/Kiritimati', 'America/Los_Angeles']

describeBackends('timestamps', (b) => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-timestamps-'))
  })
  afterAll(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('are written in UTC whatever the machine’s time zone (user:new and its reset link, invite, set, tag, toggle-confirmed, revoke-invite)', async () => {
    // The embedded database of the processes is one on disk; PostgreSQL is the suite's database.
    const target: Record<string, string> = b.url ? {DATABASE_URL: b.url} : {PLEROMA_ADMIN_DATA_DIR: path.join(dir, 'db')}
    const cli = async (args: string[], TZ: string) => {
      const env: NodeJS.ProcessEnv = {...process.env, ...target, TZ, PLEROMA_ADMIN_BCRYPT_COST: '4'}
      if (!b.url) delete env.DATABASE_URL
      delete env.NODE_OPTIONS
      const r = await promisify(execFile)(process.execPath, [BIN, ...args], {env, encoding: 'utf8'})
      expect(r.stderr).toBe('')
      return r.stdout
    }
    const sql = <T>(query: string, params?: unknown[]): Promise<T[]> => (b.url ? b.sql<T>(query, params) : (embeddedSql(dir, query, params) as Promise<T[]>))
    if (!b.url) await cli(['user:list'], 'UTC') // creates the embedded database
    const seeded = await seedUsers({sql}, [{nickname: 'setme'}, {nickname: 'tagme'}, {nickname: 'toggleme'}])
    expect(Object.keys(seeded)).toHaveLength(3)

    // The embedded database (each of its processes, and each statement here, opens the data directory: seconds
    // apiece) in the zone 14 hours ahead only; both directions on the two PostgreSQL layouts.
    const zones = b.url ? ZONES : ZONES.slice(0, 1)
    for (const [i, TZ] of zones.entries()) {
      await sql(`WITH invites AS (DELETE FROM user_invite_tokens) DELETE FROM users WHERE nickname = 'new'`)
      const started = Math.floor(Date.now() / 1000) * 1000
      await cli(['user:new', 'new', 'new@example.com', '-y'], TZ)
      const invite = JSON.parse(await cli(['user:invite', '--json'], TZ)) as {id: number}
      await cli(['user:set', 'setme', i === 0 ? '--admin' : '--no-admin'], TZ)
      await cli(['user:tag', 'tagme', `zone${i}`], TZ)
      await cli(['user:toggle-confirmed', 'toggleme'], TZ)
      await cli(['user:revoke-invite', String(invite.id)], TZ)
      const finished = Date.now()

      const stamps = await sql<{what: string; inserted_at: Date; updated_at: Date}>(
        `SELECT nickname::text AS what, inserted_at, updated_at FROM users
         UNION ALL SELECT 'reset link', r.inserted_at, r.updated_at FROM password_reset_tokens r JOIN users u ON u.id = r.user_id WHERE u.nickname = 'new'
         UNION ALL SELECT 'invite', inserted_at, updated_at FROM user_invite_tokens`,
      )
      expect(stamps.map((s) => s.what).sort()).toEqual(['invite', 'new', 'reset link', 'setme', 'tagme', 'toggleme'])
      for (const s of stamps) {
        const columns = s.what === 'new' || s.what === 'reset link' || s.what === 'invite' ? ['inserted_at', 'updated_at'] : ['updated_at']
        for (const column of columns) {
          const t = s[column as 'inserted_at' | 'updated_at'].getTime()
          expect({TZ, what: s.what, column, duringTheRun: t >= started && t <= finished}).toEqual({TZ, what: s.what, column, duringTheRun: true})
        }
      }
    }
  }, 300_000) // about thirty processes, each opening the database
})

/** One statement on the embedded database on disk (while no command holds it). */
async function embeddedSql(dir: string, query: string, params?: unknown[]): Promise<unknown[]> {
  const pg = await PGlite.create({dataDir: path.join(dir, 'db'), extensions: pgliteExtensions(), parsers: PGLITE_PARSERS})
  try {
    return (await pg.query(query, params)).rows
  } finally {
    await pg.close()
  }
}
