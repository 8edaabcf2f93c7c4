import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

/** `user_invite_tokens` (docs/pleroma/schema.md#user_invite_tokens): invite links. No index on token. */
@Entity({name: 'user_invite_tokens'})
export class UserInviteToken {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({type: 'varchar', length: 255, nullable: true}) token!: string | null
  @Column({type: 'boolean', default: false}) used!: boolean
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
  /** Last day (UTC date, inclusive) on which the invite is valid. */
  @Column({name: 'expires_at', type: 'date', nullable: true}) expiresAt!: string | null
  @Column({type: 'integer', default: 0}) uses!: number
  @Column({name: 'max_use', type: 'integer', nullable: true}) maxUse!: number | null
  @Column({name: 'invite_type', type: 'varchar', length: 255, default: 'one_time'}) inviteType!: string
}
