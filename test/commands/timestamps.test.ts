/**
 * Pleroma's timestamp columns (`timestamp without time zone`) hold UTC. The
 * commands write them through TypeORM as Dates; whatever the time zone of
 * the machine that runs them, what lands in the column is UTC now.
 */
import {describeBackends} from '../helpers/backends'
import {seedUsers} from '../helpers/user-flags'

/** Far from UTC on both sides: a local time written as if it were UTC would be 14 hours ahead or 8 behind. */
const ZONES = ['Pacific/Kiritimati', 'America/Los_Angeles']

describeBackends('timestamps', (b) => {
  it('are written in UTC whatever the machine’s time zone (user:new, reset link, invite, set, tag, toggle-confirmed, revoke-invite)', async () => {
    await seedUsers(b, [{nickname: 'plain'}])
    for (const [i, TZ] of ZONES.entries()) {
      await b.sql(`TRUNCATE password_reset_tokens, user_invite_tokens`)
      await b.sql(`DELETE FROM users WHERE nickname = 'new'`)
      const started = Math.floor(Date.now() / 1000) * 1000
      const env = {TZ}
      for (const args of [
        ['user:new', 'new', 'new@example.com', '-y'],
        ['user:invite'],
        ['user:set', 'plain', i === 0 ? '--admin' : '--no-admin'],
        ['user:tag', 'new', 'x'],
      ]) {
        const r = await b.run(args, {env})
        expect({args, stderr: r.stderr, exitCode: r.exitCode}).toEqual({args, stderr: '', exitCode: 0})
      }
      const [invite] = await b.sql(`SELECT id FROM user_invite_tokens`)
      expect((await b.run(['user:revoke-invite', String(invite.id)], {env})).exitCode).toBe(0)
      const finished = Date.now()
      const stamps = [
        ...(await b.sql(`SELECT nickname AS what, inserted_at, updated_at FROM users`)),
        ...(await b.sql(`SELECT 'reset token' AS what, inserted_at, updated_at FROM password_reset_tokens`)),
        ...(await b.sql(`SELECT 'invite' AS what, inserted_at, updated_at FROM user_invite_tokens`)),
      ]
      expect(stamps).toHaveLength(4)
      for (const s of stamps) {
        for (const column of ['inserted_at', 'updated_at']) {
          if (s.what === 'plain' && column === 'inserted_at') continue // seeded
          const t = (s[column] as Date).getTime()
          expect({TZ, what: s.what, column, inRun: t >= started && t <= finished}).toEqual({TZ, what: s.what, column, inRun: true})
        }
      }
      // toggle-confirmed's updated_at too.
      const before = Date.now()
      expect((await b.run(['user:toggle-confirmed', 'plain'], {env})).exitCode).toBe(0)
      const [plain] = await b.sql(`SELECT updated_at FROM users WHERE nickname = 'plain'`)
      expect(plain.updated_at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000)
      expect(plain.updated_at.getTime()).toBeLessThanOrEqual(Date.now())
    }
  })
})
