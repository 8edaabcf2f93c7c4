import {Column, Entity, PrimaryColumn, PrimaryGeneratedColumn} from 'typeorm'

/*
 * The tables outgoing federation reads on a server's own database
 * (docs/federation.md), next to oban_jobs (oban-job.ts); pleroma-admin never
 * creates them on a Pleroma database.
 */

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
