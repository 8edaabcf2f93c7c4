import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

/*
 * Tables holding a user's own data next to its users row. pleroma-admin
 * writes them only through a user's removal (user:rm): most go with the users
 * row by ON DELETE CASCADE, bookmarks also with their activity, and
 * report_notes (no ON DELETE action on user_id) are deleted first. Only the
 * columns that Pleroma 2.3+ and Akkoma all have are mapped (bookmarks.folder_id,
 * Pleroma 2.7+, is not).
 */

/** `mfa_tokens` (Pleroma 20190508193213): second-factor sign-in tokens; user_id and authorization_id ON DELETE CASCADE. */
@Entity({name: 'mfa_tokens'})
export class MfaToken {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'user_id', type: 'uuid', nullable: true}) userId!: string | null
  @Column({name: 'authorization_id', type: 'bigint', nullable: true}) authorizationId!: string | null
  @Column({type: 'varchar', length: 255, nullable: true, select: false}) token!: string | null
  @Column({name: 'valid_until', type: 'timestamp', nullable: true}) validUntil!: Date | null
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}

/** `push_subscriptions`: Web Push endpoints; user_id and token_id (oauth_tokens) ON DELETE CASCADE. */
@Entity({name: 'push_subscriptions'})
export class PushSubscription {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
  @Column({name: 'token_id', type: 'bigint'}) tokenId!: string
  @Column({type: 'varchar'}) endpoint!: string
  @Column({name: 'key_p256dh', type: 'varchar', length: 255, select: false}) keyP256dh!: string
  @Column({name: 'key_auth', type: 'varchar', length: 255, select: false}) keyAuth!: string
  @Column({type: 'jsonb', default: {}}) data!: Record<string, unknown>
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}
