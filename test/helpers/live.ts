/** Seeds and reads for the live-instance tests: staff accounts, moderation_log rows, oban_jobs rows. */
import type {Backend} from './backends'
import {flakeIdToString} from '../../src/db/flake-id'
import {seedUsers} from './sessions'

/** Users for --actor: an admin, a moderator, a plain user, a deactivated admin, a remote admin. */
export async function seedStaff(b: Backend, extra: Array<{nickname: string; local?: boolean; active?: boolean}> = []): Promise<Record<string, string>> {
  const ids = await seedUsers(b, [
    {nickname: 'admin'},
    {nickname: 'mod'},
    {nickname: 'plain'},
    {nickname: 'oldadmin', active: false},
    {nickname: 'boss@remote.example', local: false},
    ...extra,
  ])
  await b.sql(`UPDATE users SET is_admin = true WHERE nickname IN ('admin', 'oldadmin', 'boss@remote.example')`)
  await b.sql(`UPDATE users SET is_moderator = true WHERE nickname = 'mod'`)
  return ids
}

/** A user as the moderation log names it. */
export function logUser(ids: Record<string, string>, nickname: string): {id: string; nickname: string; type: 'user'} {
  return {id: flakeIdToString(ids[nickname]), nickname, type: 'user'}
}

export interface LogRow {
  data: Record<string, unknown>
  inserted_at: string
  updated_at: string
}

/** moderation_log rows in id order, timestamps as ISO text (microseconds) read as UTC. */
export async function logRows(b: Backend): Promise<LogRow[]> {
  return b.sql<LogRow>(
    `SELECT data, to_char(inserted_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS inserted_at, to_char(updated_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at
       FROM moderation_log ORDER BY id`,
  )
}

/** Checks that the rows were written between `started` and now, in UTC, in whole seconds, inserted_at = updated_at. */
export function expectLogTimes(rows: LogRow[], started: number): void {
  for (const r of rows) {
    expect(r.inserted_at).toBe(r.updated_at)
    expect(r.inserted_at).toMatch(/\.000000Z$/)
    const t = Date.parse(r.inserted_at)
    expect(t).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000)
    expect(t).toBeLessThanOrEqual(Date.now())
  }
}

export interface JobRow {
  state: string
  queue: string
  worker: string
  args: Record<string, unknown>
  max_attempts: number
  priority: number
  attempt: number
  errors: unknown[]
  attempted_by: string[] | null
  tags: string[]
  meta: Record<string, unknown>
  /** inserted_at and scheduled_at are within a minute of now in UTC. */
  fresh: boolean
}

/** oban_jobs rows in id order (the columns Oban reads), with a check of their UTC timestamps. */
export async function jobRows(b: Backend): Promise<JobRow[]> {
  return b.sql<JobRow>(
    `SELECT state::text AS state, queue, worker, args, max_attempts, priority, attempt, errors, attempted_by, tags, meta,
            (abs(extract(epoch FROM inserted_at - timezone('UTC', now()))) < 60 AND scheduled_at = inserted_at) AS fresh
       FROM oban_jobs ORDER BY id`,
  )
}

/** The row Pleroma's Oban would insert for BackgroundWorker with these args (Pleroma: max_attempts 20). */
export function backgroundJob(args: Record<string, unknown>, maxAttempts = 20): JobRow {
  return {
    state: 'available',
    queue: 'background',
    worker: 'Pleroma.Workers.BackgroundWorker',
    args,
    max_attempts: maxAttempts,
    priority: 0,
    attempt: 0,
    errors: [],
    attempted_by: null,
    tags: [],
    meta: {},
    fresh: true,
  }
}

/** Jobs a command is expected to queue: only in a Pleroma-owned database (the pleroma backend). */
export function expectedJobs(b: Backend, jobs: JobRow[]): JobRow[] {
  return b.name === 'pleroma' ? jobs : []
}

export const LIVE_TABLES = ['moderation_log', 'oban_jobs']

/**
 * What only Akkoma's migrations create, added to the Pleroma-layout database:
 * users.status_ttl_days (20221128103145) and user_frontend_setting_profiles
 * (20220911195347), the signs serverFamily reads (src/db/schema.ts).
 * undoAkkomaLayout takes them away again.
 */
export async function akkomaLayout(b: Backend): Promise<void> {
  await b.sql(`ALTER TABLE users ADD COLUMN status_ttl_days integer`)
  await b.sql(
    `CREATE TABLE user_frontend_setting_profiles (
       user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE, frontend_name varchar(255) NOT NULL,
       profile_name varchar(255) NOT NULL, version integer, settings jsonb,
       inserted_at timestamp(0) without time zone NOT NULL, updated_at timestamp(0) without time zone NOT NULL,
       PRIMARY KEY (user_id, frontend_name, profile_name))`,
  )
}

export async function undoAkkomaLayout(b: Backend): Promise<void> {
  await b.sql(`DROP TABLE IF EXISTS user_frontend_setting_profiles`)
  await b.sql(`ALTER TABLE users DROP COLUMN IF EXISTS status_ttl_days`)
}
