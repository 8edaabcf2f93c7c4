import {Column, Entity, PrimaryColumn, PrimaryGeneratedColumn} from 'typeorm'

/*
 * The tables outgoing federation reads and writes on a server's own database
 * (docs/federation.md). pleroma-admin only inserts oban_jobs rows and reads the
 * other two; it never creates these tables on a Pleroma database.
 */

/**
 * `oban_jobs` at Oban's migration level 12 (docs/pleroma/schema.md#oban_jobs):
 * the job queue a running Pleroma or Akkoma polls. A row the server picks up:
 * state 'available', one of its queues, `worker` the module name without
 * "Elixir.", string-keyed args, attempt 0, UTC timestamps.
 */
@Entity({name: 'oban_jobs'})
export class ObanJob {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({type: 'text', default: 'available'}) state!: string
  @Column({type: 'text', default: 'default'}) queue!: string
  @Column({type: 'text'}) worker!: string
  @Column({type: 'jsonb', default: {}}) args!: Record<string, unknown>
  @Column({type: 'integer', default: 0}) attempt!: number
  @Column({name: 'max_attempts', type: 'integer', default: 20}) maxAttempts!: number
  @Column({type: 'integer', default: 0}) priority!: number
  @Column({name: 'inserted_at', type: 'timestamp'}) insertedAt!: Date
  @Column({name: 'scheduled_at', type: 'timestamp'}) scheduledAt!: Date
  @Column({name: 'attempted_at', type: 'timestamp', nullable: true}) attemptedAt!: Date | null
  @Column({name: 'attempted_by', type: 'text', array: true, nullable: true}) attemptedBy!: string[] | null
  @Column({type: 'jsonb', nullable: true}) meta!: Record<string, unknown> | null
}

/**
 * `instances`: what the server knows of other hosts. `unreachable_since` is set
 * when a delivery failed and cleared when one succeeds
 * (v2.9.1:lib/pleroma/instances/instance.ex:99-131).
 */
@Entity({name: 'instances'})
export class Instance {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({type: 'varchar', length: 255}) host!: string
  @Column({name: 'unreachable_since', type: 'timestamp', nullable: true}) unreachableSince!: Date | null
}

/** Ecto's `schema_migrations`: one row per migration the server has run. */
@Entity({name: 'schema_migrations'})
export class SchemaMigration {
  @PrimaryColumn({type: 'bigint'}) version!: string
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0, nullable: true}) insertedAt!: Date | null
}
