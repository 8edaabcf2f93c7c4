import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

/**
 * `oban_jobs`: the job queue of the running server (Oban, migration level
 * 12; docs/live-instance.md#job-queue). The tool only inserts rows as Oban's
 * `Job.new` + `Oban.insert` would (src/services/oban.ts); the columns it
 * leaves to their defaults (errors, attempt, timestamps, tags, meta) are
 * not mapped.
 */
@Entity({name: 'oban_jobs'})
export class ObanJob {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({type: 'text'}) state!: string
  @Column({type: 'text'}) queue!: string
  @Column({type: 'text'}) worker!: string
  @Column({type: 'jsonb'}) args!: Record<string, unknown>
  @Column({name: 'max_attempts', type: 'integer'}) maxAttempts!: number
  @Column({type: 'integer'}) priority!: number
}
