/** Seeding and reading user_invite_tokens rows for the invite command tests. */
import type {Backend} from './backends'

export interface InviteSeed {
  id?: number
  token: string | null
  inviteType?: string
  used?: boolean
  expiresAt?: string | null
  maxUse?: number | null
  uses?: number
  at?: string
}

/** Inserts invites in one statement (explicit ids when given); returns their ids in order. */
export async function seedInvites(b: Backend, invites: InviteSeed[]): Promise<number[]> {
  const params: unknown[] = []
  const values = invites.map((i) => {
    const row = [
      i.id ?? null,
      i.token,
      i.inviteType ?? 'one_time',
      i.used ?? false,
      i.expiresAt ?? null,
      i.maxUse ?? null,
      i.uses ?? 0,
      i.at ?? '2024-01-02 03:04:05',
    ]
    const start = params.length
    params.push(...row)
    const p = (k: number) => `$${start + k + 1}`
    return `(COALESCE(${p(0)}::bigint, nextval('user_invite_tokens_id_seq')), ${p(1)}, ${p(2)}, ${p(3)}::boolean, ${p(4)}::date, ${p(5)}::integer, ${p(6)}::integer, ${p(7)}::timestamp, ${p(7)}::timestamp)`
  })
  const rows = await b.sql<{id: string}>(
    `INSERT INTO user_invite_tokens (id, token, invite_type, used, expires_at, max_use, uses, inserted_at, updated_at)
     VALUES ${values.join(', ')} RETURNING id`,
    params,
  )
  return rows.map((r) => Number(r.id))
}

export interface InviteRow {
  id: number
  token: string | null
  used: boolean
  inserted_at: string
  updated_at: string
  expires_at: string | null
  uses: number
  max_use: number | null
  invite_type: string
}

/** Every column of every invite, timestamps and dates as text (independent of the client's time zone). */
export async function readInvites(b: Backend): Promise<InviteRow[]> {
  const rows = await b.sql(
    `SELECT id::int AS id, token, used, inserted_at::text AS inserted_at, updated_at::text AS updated_at,
            expires_at::text AS expires_at, uses, max_use, invite_type
       FROM user_invite_tokens ORDER BY id`,
  )
  return rows as InviteRow[]
}

/** Today, yesterday, tomorrow etc. as UTC dates (YYYY-MM-DD). */
export function utcDay(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10)
}

/** A UTC 'YYYY-MM-DD HH:MM:SS' string as epoch milliseconds. */
export function utcMs(timestamp: string): number {
  return Date.parse(timestamp.replace(' ', 'T') + 'Z')
}

/** A 44-character url-safe padded token as it appears in a link (`=` → `%3D`). */
export const TOKEN_RE = /^[A-Za-z0-9_-]{43}=$/
