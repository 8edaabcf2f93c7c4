/**
 * Jobs for the running server's own queue: rows in `oban_jobs` as Oban's
 * `Job.new` + `Oban.insert` leave them (docs/live-instance.md#job-queue):
 * state 'available', the worker's module name without `Elixir.`, string-keyed
 * JSON args, max_attempts as the worker declares it, priority 0 unless the
 * caller says otherwise; errors, attempt, tags, meta and the UTC
 * inserted_at/scheduled_at are the column defaults, which are Oban's own
 * values. Oban's stager moves nothing: an 'available' row is fetched by the
 * queue's producer on its next poll, no NOTIFY needed.
 *
 * Only in a Pleroma-owned database that has `oban_jobs` (hasJobQueue): the
 * tool's own databases have no server to run them.
 */
import type {EntityManager} from 'typeorm'
import type {SchemaInfo} from '../db/schema'
import {ObanJob} from '../entities/oban-job'
import {columnsOf, tableOf} from '../entities/names'

const J = columnsOf(ObanJob)
const JOBS = tableOf(ObanJob)

export interface JobSpec {
  queue: string
  /** The worker module without `Elixir.`, e.g. `Pleroma.Workers.BackgroundWorker`. */
  worker: string
  /** String-keyed JSON arguments (ids in the string form Pleroma's own jobs carry). */
  args: Record<string, unknown>
  maxAttempts: number
  /** 0 (Oban's default) unless given. */
  priority?: number
}

/** Whether the running server has a job queue the tool may add to. */
export function hasJobQueue(schema: Pick<SchemaInfo, 'owner' | 'tables'>): boolean {
  return schema.owner === 'pleroma' && schema.tables.has(JOBS)
}

/** Inserts the jobs in one statement (in the order given); returns how many. */
export async function insertJobs(m: EntityManager, jobs: JobSpec[]): Promise<number> {
  if (jobs.length === 0) return 0
  await m.query(
    `INSERT INTO ${JOBS} (${J.state}, ${J.queue}, ${J.worker}, ${J.args}, ${J.maxAttempts}, ${J.priority})
     SELECT 'available', q, w, a::jsonb, ma, p
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[]) WITH ORDINALITY AS x(q, w, a, ma, p, n)
      ORDER BY n`,
    [
      jobs.map((j) => j.queue),
      jobs.map((j) => j.worker),
      jobs.map((j) => JSON.stringify(j.args)),
      jobs.map((j) => j.maxAttempts),
      jobs.map((j) => j.priority ?? 0),
    ],
  )
  return jobs.length
}
