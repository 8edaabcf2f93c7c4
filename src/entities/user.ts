import {Column, Entity, PrimaryColumn} from 'typeorm'

/**
 * `users`, as Pleroma's migrations (priv/repo/migrations, v2.9.1) leave it.
 * Timestamps are UTC.
 *
 * Supported servers differ in their columns (Pleroma 2.3 to 2.9, Akkoma),
 * so the entity is split by what TypeORM may do with a column:
 *
 * - Read by default: only columns every supported server has, so that a
 *   `find` or a query builder's select never names a column a server lacks.
 * - `select: false`: secrets (password_hash, confirmation_token, keys), and
 *   the columns the tool only writes: registration's (the defaults of
 *   Pleroma's User schema, lib/pleroma/user.ex) and the purge's of user:rm
 *   (purge_user_changeset there). Some of them exist only on some servers
 *   (noted with the migration that adds or drops them); whoever writes them
 *   names its columns (`insert().into(User, properties)`) and leaves out
 *   those the server lacks (`SchemaInfo.userColumns`).
 *
 * Columns that newer or other servers add (Akkoma's status_ttl_days,
 * Pleroma's is_cat, ...) are not mapped: they keep their database defaults.
 */
/** users.multi_factor_authentication_settings: Pleroma's MFA.Settings embed as Ecto dumps it (v2.9.1:lib/pleroma/mfa/settings.ex:11-21). */
export interface MfaSettings {
  enabled?: boolean
  backup_codes?: string[]
  totp?: {secret: string | null; delivery_type: string; confirmed: boolean} | null
}

/** A jsonb object as the tool writes it (only ever written, never read). */
type JsonObject = Record<string, string | number | boolean | null>

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

  // ---------------------------------------------------------------- written only (by registration, or user:rm's purge)

  /**
   * MFA settings (a dump of Pleroma's MFA.Settings embed: enabled, backup_codes, totp; docs/pleroma/tasks.md#reset_mfa).
   * Secret (TOTP secret, backup code hashes): never read by default; left to its database default at registration.
   */
  @Column({name: 'multi_factor_authentication_settings', type: 'jsonb', nullable: true, select: false}) mfaSettings!: MfaSettings | null
  /** The RSA private key (PEM). Dropped by Akkoma (20250112000002_users_drop_legacy_key_fields: keys moved to signing_keys). */
  @Column({type: 'text', nullable: true, select: false}) keys!: string | null
  @Column({type: 'jsonb', nullable: true, select: false}) avatar!: JsonObject | null
  @Column({type: 'jsonb', nullable: true, select: false}) mascot!: JsonObject | null
  @Column({name: 'raw_bio', type: 'text', nullable: true, select: false}) rawBio!: string | null
  @Column({name: 'registration_reason', type: 'text', nullable: true, select: false}) registrationReason!: string | null
  @Column({name: 'last_refreshed_at', type: 'timestamp', nullable: true, select: false}) lastRefreshedAt!: Date | null
  @Column({name: 'last_digest_emailed_at', type: 'timestamp', precision: 0, nullable: true, select: false}) lastDigestEmailedAt!: Date | null
  @Column({type: 'jsonb', nullable: true, select: false}) banner!: JsonObject | null
  @Column({type: 'jsonb', nullable: true, select: false}) background!: JsonObject | null
  @Column({name: 'default_scope', type: 'varchar', length: 255, nullable: true, select: false}) defaultScope!: string | null
  @Column({type: 'text', array: true, select: false}) blocks!: string[]
  @Column({name: 'domain_blocks', type: 'text', array: true, select: false}) domainBlocks!: string[]
  @Column({type: 'text', array: true, select: false}) mutes!: string[]
  @Column({name: 'muted_reblogs', type: 'text', array: true, select: false}) mutedReblogs!: string[]
  @Column({name: 'muted_notifications', type: 'text', array: true, select: false}) mutedNotifications!: string[]
  @Column({type: 'text', array: true, select: false}) subscribers!: string[]
  @Column({name: 'no_rich_text', type: 'boolean', select: false}) noRichText!: boolean
  @Column({name: 'show_role', type: 'boolean', select: false}) showRole!: boolean
  @Column({name: 'hide_followers_count', type: 'boolean', select: false}) hideFollowersCount!: boolean
  @Column({name: 'hide_follows_count', type: 'boolean', select: false}) hideFollowsCount!: boolean
  @Column({name: 'hide_followers', type: 'boolean', select: false}) hideFollowers!: boolean
  @Column({name: 'hide_follows', type: 'boolean', select: false}) hideFollows!: boolean
  @Column({name: 'hide_favorites', type: 'boolean', select: false}) hideFavorites!: boolean
  @Column({name: 'email_notifications', type: 'jsonb', nullable: true, select: false}) emailNotifications!: JsonObject | null
  @Column({type: 'jsonb', select: false}) emoji!: JsonObject
  @Column({name: 'pleroma_settings_store', type: 'jsonb', nullable: true, select: false}) pleromaSettingsStore!: JsonObject | null
  @Column({type: 'jsonb', select: false}) fields!: JsonObject[]
  @Column({name: 'raw_fields', type: 'jsonb', select: false}) rawFields!: JsonObject[]
  @Column({name: 'is_discoverable', type: 'boolean', select: false}) isDiscoverable!: boolean
  @Column({name: 'skip_thread_containment', type: 'boolean', select: false}) skipThreadContainment!: boolean
  @Column({name: 'also_known_as', type: 'varchar', length: 255, array: true, select: false}) alsoKnownAs!: string[]
  @Column({name: 'allow_following_move', type: 'boolean', select: false}) allowFollowingMove!: boolean
  /** Dropped by Akkoma (20250621000000_drop_accepts_chat_messages). */
  @Column({name: 'accepts_chat_messages', type: 'boolean', nullable: true, select: false}) acceptsChatMessages!: boolean | null
  /** Pleroma 2.4+ and Akkoma (20210202110641; NOT NULL DEFAULT '{}' only from 20211125110126, Pleroma 2.5). */
  @Column({name: 'pinned_objects', type: 'jsonb', select: false}) pinnedObjects!: JsonObject
  /** Pleroma 2.4+ and Akkoma (20210203141144). */
  @Column({name: 'featured_address', type: 'varchar', length: 255, nullable: true, select: false}) featuredAddress!: string | null
  @Column({name: 'disclose_client', type: 'boolean', nullable: true, select: false}) discloseClient!: boolean | null
  /** Pleroma 2.5+ and Akkoma (20211126191138). */
  @Column({name: 'is_suggested', type: 'boolean', select: false}) isSuggested!: boolean
  /** Last authenticated request (Pleroma, Akkoma; read by user:show where the server has it). */
  @Column({name: 'last_active_at', type: 'timestamp', precision: 0, nullable: true, select: false}) lastActiveAt!: Date | null
  /** Last post (Pleroma 2.5+; read by user:show where the server has it). */
  @Column({name: 'last_status_at', type: 'timestamp', precision: 0, nullable: true, select: false}) lastStatusAt!: Date | null
  /** Pleroma 2.5+, not Akkoma (20220116183110). */
  @Column({name: 'show_birthday', type: 'boolean', select: false}) showBirthday!: boolean
}
