import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

/**
 * `moderation_log`: the audit trail Pleroma's admin-fe lists
 * (docs/live-instance.md#moderation-log). `data` is the entry as
 * `ModerationLog.insert_log` builds it (v2.9.1:lib/pleroma/moderation_log.ex:124-257);
 * the timestamps have no column default (Pleroma's schema writes them).
 * Created in the tool's own databases by migration 1732600000010-ModerationLog.
 */
@Entity({name: 'moderation_log'})
export class ModerationLog {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({type: 'jsonb'}) data!: Record<string, unknown>
  @Column({name: 'inserted_at', type: 'timestamp'}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp'}) updatedAt!: Date
}
