import {Column, Entity, PrimaryColumn} from 'typeorm'

/**
 * `users` (schema.md §7.2). Only the columns every current-generation
 * database has (Pleroma 2.3+ and Akkoma) are mapped, so that TypeORM never
 * selects a column a given server lacks; newer columns (is_cat, indexable,
 * ...) are simply not read. Timestamps are UTC.
 */
@Entity({name: 'users'})
export class User {
  @PrimaryColumn({type: 'uuid'}) id!: string
  @Column({type: 'citext', nullable: true}) email!: string | null
  @Column({name: 'password_hash', type: 'varchar', length: 255, nullable: true, select: false}) passwordHash!: string | null
  @Column({type: 'varchar', length: 255, nullable: true}) name!: string | null
  @Column({type: 'citext', nullable: true}) nickname!: string | null
  @Column({type: 'text'}) bio!: string
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
  @Column({name: 'ap_id', type: 'varchar', length: 255}) apId!: string
  @Column({type: 'boolean', default: true}) local!: boolean
  @Column({name: 'follower_address', type: 'varchar', length: 255, nullable: true}) followerAddress!: string | null
  @Column({name: 'following_address', type: 'varchar', length: 255, nullable: true}) followingAddress!: string | null
  @Column({type: 'varchar', length: 255, array: true, nullable: true}) tags!: string[] | null
  @Column({type: 'text', nullable: true, select: false}) keys!: string | null
  @Column({name: 'note_count', type: 'integer', default: 0}) noteCount!: number
  @Column({name: 'follower_count', type: 'integer', default: 0}) followerCount!: number
  @Column({name: 'following_count', type: 'integer', default: 0}) followingCount!: number
  @Column({name: 'is_locked', type: 'boolean', default: false}) isLocked!: boolean
  @Column({name: 'is_confirmed', type: 'boolean', default: true}) isConfirmed!: boolean
  @Column({name: 'password_reset_pending', type: 'boolean', default: false}) passwordResetPending!: boolean
  @Column({name: 'confirmation_token', type: 'text', nullable: true, select: false}) confirmationToken!: string | null
  @Column({name: 'is_active', type: 'boolean', default: true}) isActive!: boolean
  @Column({name: 'is_moderator', type: 'boolean', default: false}) isModerator!: boolean
  @Column({name: 'is_admin', type: 'boolean', default: false}) isAdmin!: boolean
  @Column({type: 'boolean', default: false}) invisible!: boolean
  @Column({name: 'actor_type', type: 'varchar', length: 255, default: 'Person'}) actorType!: string
  @Column({type: 'text', nullable: true}) uri!: string | null
  @Column({name: 'is_approved', type: 'boolean', default: true}) isApproved!: boolean
}
