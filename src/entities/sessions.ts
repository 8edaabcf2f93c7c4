import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

/**
 * `push_subscriptions`: Web Push subscriptions of an OAuth token; deleted
 * with the token (token_id ON DELETE CASCADE).
 */
@Entity({name: 'push_subscriptions'})
export class PushSubscription {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
  @Column({name: 'token_id', type: 'bigint'}) tokenId!: string
  @Column({type: 'varchar'}) endpoint!: string
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}

/**
 * `mfa_tokens`: the second-factor step of a sign-in; deleted with its OAuth
 * authorization (authorization_id ON DELETE CASCADE).
 */
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
