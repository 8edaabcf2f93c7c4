import {Column, Entity, PrimaryColumn, PrimaryGeneratedColumn} from 'typeorm'

/** `activities` (docs/pleroma/schema.md#activities): FlakeId primary key; author in `actor` (an ap_id), no FK to users. */
@Entity({name: 'activities'})
export class Activity {
  @PrimaryColumn({type: 'uuid'}) id!: string
  @Column({type: 'jsonb'}) data!: Record<string, unknown>
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
  @Column({type: 'boolean', default: true}) local!: boolean
  @Column({type: 'varchar', length: 255, nullable: true}) actor!: string | null
  @Column({type: 'varchar', length: 255, array: true, nullable: true}) recipients!: string[] | null
}

/** `objects` (docs/pleroma/schema.md#objects): posts and other objects; a deleted one becomes a Tombstone. */
@Entity({name: 'objects'})
export class PleromaObject {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({type: 'jsonb'}) data!: Record<string, unknown>
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}
