import {Column, Entity, PrimaryColumn, PrimaryGeneratedColumn} from 'typeorm'

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

/** `bookmarks`: a user's bookmarked activities; user_id and activity_id ON DELETE CASCADE. */
@Entity({name: 'bookmarks'})
export class Bookmark {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
  @Column({name: 'activity_id', type: 'uuid'}) activityId!: string
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}

/** `thread_mutes`: conversations (contexts) a user muted; user_id ON DELETE CASCADE; no timestamps. */
@Entity({name: 'thread_mutes'})
export class ThreadMute {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
  @Column({type: 'varchar', length: 255}) context!: string
}

/** `deliveries`: which users an object was delivered to; user_id ON DELETE CASCADE (object_id has no ON DELETE action); no timestamps. */
@Entity({name: 'deliveries'})
export class Delivery {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'object_id', type: 'integer'}) objectId!: number
  @Column({name: 'user_id', type: 'uuid'}) userId!: string
}

/**
 * `report_notes`: moderators' notes on reports. user_id has no ON DELETE
 * action, so a user's notes must go before its row. content is text on
 * Pleroma (20220602052233), varchar(255) on Akkoma.
 */
@Entity({name: 'report_notes'})
export class ReportNote {
  @PrimaryGeneratedColumn({type: 'bigint'}) id!: string
  @Column({name: 'user_id', type: 'uuid', nullable: true}) userId!: string | null
  @Column({name: 'activity_id', type: 'uuid', nullable: true}) activityId!: string | null
  @Column({type: 'text', nullable: true}) content!: string | null
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}

/**
 * `chats` (Pleroma 2.1+; Akkoma dropped chats in 20240210000000, so the table
 * may be missing): user_id ON DELETE CASCADE, recipient an ap_id.
 */
@Entity({name: 'chats'})
export class Chat {
  @PrimaryColumn({type: 'uuid'}) id!: string
  @Column({name: 'user_id', type: 'uuid', nullable: true}) userId!: string | null
  @Column({type: 'varchar', length: 255, nullable: true}) recipient!: string | null
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}

/** `chat_message_references` (with chats; may be missing): a chat message's object in a chat. */
@Entity({name: 'chat_message_references'})
export class ChatMessageReference {
  @PrimaryColumn({type: 'uuid'}) id!: string
  @Column({name: 'chat_id', type: 'uuid'}) chatId!: string
  @Column({name: 'object_id', type: 'bigint'}) objectId!: string
  @Column({type: 'boolean', default: true}) unread!: boolean
  @Column({name: 'inserted_at', type: 'timestamp', precision: 0}) insertedAt!: Date
  @Column({name: 'updated_at', type: 'timestamp', precision: 0}) updatedAt!: Date
}

/**
 * `hashtags_objects` (Pleroma 20201221203824): the hashtags of an object;
 * object_id ON DELETE CASCADE since 20210420204354. Created by Pleroma's
 * migrations only (a database the tool laid out has none).
 */
@Entity({name: 'hashtags_objects'})
export class HashtagObject {
  @PrimaryColumn({name: 'hashtag_id', type: 'bigint'}) hashtagId!: string
  @PrimaryColumn({name: 'object_id', type: 'bigint'}) objectId!: string
}
