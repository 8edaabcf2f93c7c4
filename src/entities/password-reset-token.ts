import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

/** `password_reset_tokens` (docs/pleroma/schema.md#password_reset_tokens); user_id → users ON DELETE CASCADE. */
@Entity({name: 'password_reset_tokens'})
export class PasswordResetToken {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({type: 'varchar', length: 255}) token!: string
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
  @Column({type: 'boolean', default: false}) used!: boolean
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}
