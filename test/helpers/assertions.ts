import {execFileSync} from 'node:child_process'
import type {Backend} from './backends'

/** Verifies a bcrypt hash with an independent implementation (libxcrypt, through Python's crypt module). */
export function verifyBcryptIndependently(password: string, hash: string): boolean {
  const out = execFileSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])', password, hash], {
    encoding: 'utf8',
  })
  return out.trim() === 'True'
}

/** A dump of whole tables, to show that a command changed nothing. */
export async function dumpTables(b: Backend, tables: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {}
  for (const t of tables) out[t] = await b.sql(`SELECT * FROM ${t} ORDER BY 1`)
  return out
}

export const USER_TABLES = [
  'users',
  'password_reset_tokens',
  'user_invite_tokens',
  'following_relationships',
  'activities',
  'objects',
  'notifications',
  'oauth_tokens',
  'oauth_authorizations',
]

export async function countUsers(b: Backend): Promise<number> {
  const rows = await b.sql<{n: string}>(`SELECT count(*)::text AS n FROM users`)
  return Number(rows[0].n)
}

/** An error as the CLI prints it (src/text.ts errorLines): `Error: …` and, when there is one, `Hint: …` on the next line; nothing else. */
export function expectErrorLines(stderr: string): void {
  const lines = stderr.trim().split('\n')
  expect(lines[0]).toMatch(/^Error: \S/)
  expect(lines.length).toBeLessThanOrEqual(2)
  if (lines.length === 2) expect(lines[1]).toMatch(/^Hint: \S/)
}
