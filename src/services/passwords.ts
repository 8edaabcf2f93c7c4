/**
 * Password hashes: bcrypt `$2b$`, cost 12 (docs/design.md#passwords). Pleroma accepts
 * `$2a$`/`$2b$` at login and rehashes them to its own PBKDF2 format.
 * PLEROMA_ADMIN_BCRYPT_COST lowers the cost for test and benchmark databases.
 */
export const DEFAULT_BCRYPT_COST = 12

export function bcryptCost(): number {
  const raw = process.env.PLEROMA_ADMIN_BCRYPT_COST
  const n = raw ? Number(raw) : DEFAULT_BCRYPT_COST
  return Number.isInteger(n) && n >= 4 && n <= 31 ? n : DEFAULT_BCRYPT_COST
}

export async function hashPassword(password: string): Promise<string> {
  const bcrypt = await import('bcryptjs')
  const hash = await bcrypt.hash(password, bcryptCost())
  return hash.replace(/^\$2a\$/, '$2b$')
}
