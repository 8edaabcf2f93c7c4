import {Column, Entity, PrimaryGeneratedColumn} from 'typeorm'

export const FollowState = {PENDING: 1, ACCEPTED: 2, REJECTED: 3} as const

/** `following_relationships` (docs/pleroma/schema.md#following_relationships): state 1 pending, 2 accepted, 3 rejected. */
@Entity({name: 'following_relationships'})
export class FollowingRelationship {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'follower_id', type: 'uuid'}) followerId!: string
  @Column({name: 'following_id', type: 'uuid'}) followingId!: string
  @Column({type: 'integer'}) state!: number
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}

/** `user_relationships` (docs/pleroma/schema.md#user_relationships): blocks, mutes, ...; no updated_at. */
@Entity({name: 'user_relationships'})
export class UserRelationship {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'source_id', type: 'uuid', nullable: true}) sourceId!: string | null
  @Column({name: 'target_id', type: 'uuid', nullable: true}) targetId!: string | null
  @Column({name: 'relationship_type', type: 'integer'}) relationshipType!: number
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
}

/** `notifications` (docs/pleroma/schema.md#notifications). */
@Entity({name: 'notifications'})
export class Notification {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
  @Column({name: 'activity_id', type: 'uuid'}) activityId!: string
  @Column({type: 'boolean', default: false}) seen!: boolean
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
  @Column({type: 'varchar', nullable: true}) type!: string | null
}
