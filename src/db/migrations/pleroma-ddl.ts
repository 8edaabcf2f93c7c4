/**
 * Pleroma's own tables, exactly as Pleroma v2.9.1's migrations leave them
 * (the "current generation", docs/pleroma/schema.md#current-generation), for the databases pleroma-admin creates itself (the embedded PGlite
 * one, or an empty database prepared with `db:init`). Never run against a
 * Pleroma-owned database.
 *
 * Where each part comes from:
 *
 * - Extensions: citext and uuid-ossp as Pleroma's migrations create them
 *   (schema.md intro). pg_trgm is NOT created here: Pleroma creates it
 *   (20180516144508) but its only index, users_trigram_index, was dropped
 *   again upstream, so no object of these tables needs it.
 * - Column lists, types, NULL/NOT NULL and defaults: users = §7.2 (all 74
 *   columns, physical order); user_invite_tokens, password_reset_tokens,
 *   oauth_tokens, oauth_authorizations, activities, objects,
 *   following_relationships, notifications = §4.2-§4.10 (unchanged since the
 *   2021 snapshot, §7.1 "Net result"); apps = §4.4 + user_id (§7.1
 *   20210818023112, §7.4); user_relationships = §4.11 + expires_at (§7.1
 *   20220616163503); the other HEAD tables = §4.12/§4.13, with the §7.1
 *   changes applied (report_notes.content text 20220602052233,
 *   backups.tempdir 20240622175346, bookmarks.folder_id 20240223165000);
 *   tables new in this generation = §7.4 (user_notes,
 *   announcement_read_relationships, user_follows_hashtag, bookmark_folders,
 *   announcements, hashtags); oban_jobs = §4.13 + §7.5 (Oban migration level
 *   12, table comment '12'); schema_migrations = §4.13 / §6.
 * - Foreign keys (names and ON DELETE): §5 and §7.3 for every reference to
 *   users (30 constraints in 26 tables); §4.4-§4.8, §4.12 and §7.3 for the
 *   others (oauth_*.app_id NO ACTION, push_subscriptions.token_id CASCADE,
 *   mfa_tokens.authorization_id CASCADE, notifications/bookmarks.activity_id
 *   CASCADE, report_notes.activity_id NO ACTION, deliveries.object_id
 *   NO ACTION on an integer column, bookmarks.folder_id SET NULL, ...).
 * - Indexes: the names listed in §4.x/§7.x; their definitions are the ones of
 *   Pleroma's migrations (upstream priv/repo/migrations, e.g.
 *   20190115085500_create_user_fts_index for users_fts_index,
 *   20220711182322/20220711192750 for associated_object_id() and
 *   activities_create_objects_index, 20190204200237 for
 *   activities_visibility_index, 20240530011739 for the indexes on FK columns),
 *   with the drops of 20230422154018 applied. Index names longer than 63
 *   characters are written already truncated, as PostgreSQL stores them.
 * - Functions needed by an index: associated_object_id(jsonb) (plpgsql
 *   IMMUTABLE, 20220711182322; it also handles an array `object` by taking its
 *   first element, otherwise it equals COALESCE(data->'object'->>'id',
 *   data->>'object') as documented in §4.7/§7.1) and
 *   activity_visibility(varchar, varchar[], jsonb) (20190124131141).
 *   thread_visibility() and the counter_cache trigger of §4.7 are not needed by
 *   these tables and are only in test/fixtures/pleroma-schema.sql.
 * - The legacy sequences users_id_seq, activities_id_seq and chats_id_seq
 *   (§2.1), still present in v2.9.1, owned by the uuid id columns and unused.
 *
 * One statement per array element, no trailing semicolons. Everything is
 * accepted by PostgreSQL 13 through 18 (and PGlite with the citext and
 * uuid_ossp contrib extensions).
 */

/** Tables created by {@link PLEROMA_TABLES_DDL}, in creation order. */
export const PLEROMA_TABLE_NAMES: string[] = [
  'users',
  'user_invite_tokens',
  'password_reset_tokens',
  'apps',
  'oauth_tokens',
  'oauth_authorizations',
  'activities',
  'objects',
  'following_relationships',
  'notifications',
  'user_relationships',
  'mfa_tokens',
  'push_subscriptions',
  'registrations',
  'bookmark_folders',
  'bookmarks',
  'thread_mutes',
  'lists',
  'filters',
  'markers',
  'scheduled_activities',
  'conversations',
  'conversation_participations',
  'conversation_participation_recipient_ships',
  'deliveries',
  'chats',
  'chat_message_references',
  'backups',
  'report_notes',
  'user_notes',
  'announcements',
  'announcement_read_relationships',
  'hashtags',
  'user_follows_hashtag',
  'oban_jobs',
  'schema_migrations',
]

/** Enum types created by {@link PLEROMA_TABLES_DDL}. */
export const PLEROMA_TYPE_NAMES: string[] = ['notification_type', 'oban_job_state']

/** Functions created by {@link PLEROMA_TABLES_DDL} (signatures, for DROP FUNCTION). */
export const PLEROMA_FUNCTION_SIGNATURES: string[] = ['activity_visibility(character varying, character varying[], jsonb)', 'associated_object_id(jsonb)']

export const PLEROMA_TABLES_DDL: string[] = [
  // ---------------------------------------------------------------- extensions
  `CREATE EXTENSION IF NOT EXISTS citext`,
  `CREATE EXTENSION IF NOT EXISTS "uuid-ossp"`,

  // ---------------------------------------------------------------- enum types
  // §4.10 + §7.1 (20210717000000 poll, 20220319000000 status, 20220605185734 update),
  // in the order the ALTER TYPE ... ADD VALUE migrations leave them.
  `CREATE TYPE notification_type AS ENUM (
    'follow',
    'follow_request',
    'mention',
    'move',
    'pleroma:emoji_reaction',
    'pleroma:chat_mention',
    'reblog',
    'favourite',
    'pleroma:report',
    'poll',
    'status',
    'update'
  )`,
  // Oban V1 + V9 ('cancelled').
  `CREATE TYPE oban_job_state AS ENUM (
    'available',
    'scheduled',
    'executing',
    'retryable',
    'completed',
    'discarded',
    'cancelled'
  )`,

  // ---------------------------------------------------------------- users (§7.2)
  `CREATE TABLE users (
    id uuid NOT NULL,
    email citext,
    password_hash character varying(255),
    name character varying(255),
    nickname citext,
    bio text NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    ap_id character varying(255) NOT NULL,
    avatar jsonb,
    local boolean NOT NULL DEFAULT true,
    follower_address character varying(255),
    last_refreshed_at timestamp without time zone,
    tags character varying(255)[] DEFAULT ARRAY[]::character varying[],
    last_digest_emailed_at timestamp(0) without time zone DEFAULT now(),
    multi_factor_authentication_settings jsonb DEFAULT '{}'::jsonb,
    following_address character varying(255),
    keys text,
    banner jsonb DEFAULT '{}'::jsonb,
    background jsonb DEFAULT '{}'::jsonb,
    note_count integer NOT NULL DEFAULT 0,
    follower_count integer NOT NULL DEFAULT 0,
    following_count integer NOT NULL DEFAULT 0,
    is_locked boolean NOT NULL DEFAULT false,
    is_confirmed boolean NOT NULL DEFAULT true,
    password_reset_pending boolean NOT NULL DEFAULT false,
    confirmation_token text,
    default_scope character varying(255) DEFAULT 'public'::character varying,
    blocks text[] NOT NULL DEFAULT ARRAY[]::text[],
    domain_blocks text[] NOT NULL DEFAULT ARRAY[]::text[],
    mutes text[] NOT NULL DEFAULT ARRAY[]::text[],
    muted_reblogs text[] NOT NULL DEFAULT ARRAY[]::text[],
    muted_notifications text[] NOT NULL DEFAULT ARRAY[]::text[],
    subscribers text[] NOT NULL DEFAULT ARRAY[]::text[],
    is_active boolean NOT NULL DEFAULT true,
    no_rich_text boolean NOT NULL DEFAULT false,
    is_moderator boolean NOT NULL DEFAULT false,
    is_admin boolean NOT NULL DEFAULT false,
    show_role boolean NOT NULL DEFAULT true,
    uri text,
    hide_followers_count boolean NOT NULL DEFAULT false,
    hide_follows_count boolean NOT NULL DEFAULT false,
    hide_followers boolean NOT NULL DEFAULT false,
    hide_follows boolean NOT NULL DEFAULT false,
    hide_favorites boolean NOT NULL DEFAULT true,
    email_notifications jsonb DEFAULT '{"digest": false}'::jsonb,
    mascot jsonb,
    emoji jsonb NOT NULL DEFAULT '{}'::jsonb,
    pleroma_settings_store jsonb DEFAULT '{}'::jsonb,
    fields jsonb NOT NULL DEFAULT '[]'::jsonb,
    raw_fields jsonb NOT NULL DEFAULT '[]'::jsonb,
    is_discoverable boolean NOT NULL DEFAULT false,
    invisible boolean NOT NULL DEFAULT false,
    notification_settings jsonb NOT NULL DEFAULT '{"follows": true, "followers": true, "non_follows": true, "non_followers": true}'::jsonb,
    skip_thread_containment boolean NOT NULL DEFAULT false,
    also_known_as character varying(255)[] NOT NULL DEFAULT ARRAY[]::character varying[],
    allow_following_move boolean NOT NULL DEFAULT true,
    actor_type character varying(255) NOT NULL DEFAULT 'Person'::character varying,
    raw_bio text,
    public_key text,
    inbox text,
    shared_inbox text,
    accepts_chat_messages boolean,
    is_approved boolean NOT NULL DEFAULT true,
    registration_reason text,
    last_active_at timestamp(0) without time zone,
    pinned_objects jsonb NOT NULL DEFAULT '{}'::jsonb,
    featured_address character varying(255),
    disclose_client boolean DEFAULT true,
    is_suggested boolean NOT NULL DEFAULT false,
    last_status_at timestamp(0) without time zone,
    birthday date,
    show_birthday boolean NOT NULL DEFAULT false,
    language character varying(255),
    CONSTRAINT users_pkey PRIMARY KEY (id)
  )`,
  // Legacy sequence (§2.1): left over from the integer ids, owned by users.id, unused.
  `CREATE SEQUENCE users_id_seq`,
  `ALTER SEQUENCE users_id_seq OWNED BY users.id`,
  `CREATE UNIQUE INDEX users_ap_id_index ON users (ap_id)`,
  `CREATE UNIQUE INDEX users_email_index ON users (email)`,
  `CREATE UNIQUE INDEX users_nickname_index ON users (nickname)`,
  `CREATE INDEX users_is_active_index ON users (is_active)`,
  `CREATE INDEX users_is_admin_index ON users (is_admin)`,
  `CREATE INDEX users_is_moderator_index ON users (is_moderator)`,
  `CREATE INDEX users_invisible_index ON users (invisible)`,
  `CREATE INDEX users_local_index ON users (local)`,
  `CREATE INDEX users_uri_index ON users (uri)`,
  `CREATE INDEX users_follower_address_index ON users (follower_address)`,
  `CREATE INDEX users_following_address_index ON users (following_address)`,
  `CREATE INDEX users_featured_address_index ON users (featured_address)`,
  `CREATE INDEX users_is_discoverable_index ON users (is_discoverable)`,
  `CREATE INDEX users_is_suggested_index ON users (is_suggested)`,
  `CREATE INDEX users_last_active_at_index ON users (last_active_at)`,
  `CREATE INDEX users_last_status_at_index ON users (last_status_at)`,
  `CREATE INDEX users_show_birthday_index ON users (show_birthday)`,
  `CREATE INDEX users_birthday_month_day_index ON users (date_part('month', birthday), date_part('day', birthday))`,
  `CREATE INDEX "users_ap_id_COALESCE_follower_address_index" ON users (ap_id, COALESCE(follower_address, ''))`,
  `CREATE INDEX users_tags_index ON users USING gin (tags)`,
  // users_fts_index: the exact expression of Pleroma's migration
  // 20190115085500_create_user_fts_index (and of the query in User.Search,
  // which must match it): nickname weighted A, name weighted B, 'simple'
  // configuration, non-word characters replaced by spaces. nickname is citext,
  // so citext's regexp_replace(citext, citext, text, text) is the one used.
  `CREATE INDEX users_fts_index ON users USING gin ((setweight(to_tsvector('simple', regexp_replace(nickname, '\\W', ' ', 'g')), 'A') || setweight(to_tsvector('simple', regexp_replace(coalesce(name, ''), '\\W', ' ', 'g')), 'B')))`,

  // ---------------------------------------------------------------- user_invite_tokens (§4.2)
  `CREATE TABLE user_invite_tokens (
    id bigserial NOT NULL,
    token character varying(255),
    used boolean NOT NULL DEFAULT false,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    expires_at date,
    uses integer NOT NULL DEFAULT 0,
    max_use integer,
    invite_type character varying(255) NOT NULL DEFAULT 'one_time'::character varying,
    CONSTRAINT user_invite_tokens_pkey PRIMARY KEY (id)
  )`,

  // ---------------------------------------------------------------- password_reset_tokens (§4.3)
  `CREATE TABLE password_reset_tokens (
    id bigserial NOT NULL,
    token character varying(255) NOT NULL,
    user_id uuid NOT NULL,
    used boolean NOT NULL DEFAULT false,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT password_reset_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT password_reset_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX password_reset_tokens_user_id_index ON password_reset_tokens (user_id)`,

  // ---------------------------------------------------------------- apps (§4.4 + §7.4 user_id)
  `CREATE TABLE apps (
    id bigserial NOT NULL,
    client_name character varying(255) NOT NULL,
    redirect_uris character varying(255) NOT NULL,
    scopes character varying(255)[] NOT NULL DEFAULT ARRAY[]::character varying[],
    website character varying(255),
    client_id character varying(255),
    client_secret character varying(255),
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    trusted boolean DEFAULT false,
    user_id uuid,
    CONSTRAINT apps_pkey PRIMARY KEY (id),
    CONSTRAINT apps_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX apps_client_id_index ON apps (client_id)`,
  `CREATE INDEX apps_client_id_client_secret_index ON apps (client_id, client_secret)`,
  `CREATE INDEX apps_user_id_index ON apps (user_id)`,

  // ---------------------------------------------------------------- oauth_tokens (§4.5)
  `CREATE TABLE oauth_tokens (
    id bigserial NOT NULL,
    app_id bigint NOT NULL,
    user_id uuid,
    token character varying(255),
    refresh_token character varying(255),
    valid_until timestamp without time zone,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    scopes character varying(255)[] NOT NULL DEFAULT ARRAY[]::character varying[],
    CONSTRAINT oauth_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT oauth_tokens_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id),
    CONSTRAINT oauth_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX oauth_tokens_token_index ON oauth_tokens (token)`,
  `CREATE UNIQUE INDEX oauth_tokens_refresh_token_index ON oauth_tokens (refresh_token)`,
  `CREATE INDEX oauth_tokens_app_id_index ON oauth_tokens (app_id)`,
  `CREATE INDEX oauth_tokens_user_id_index ON oauth_tokens (user_id)`,

  // ---------------------------------------------------------------- oauth_authorizations (§4.6)
  `CREATE TABLE oauth_authorizations (
    id bigserial NOT NULL,
    app_id bigint NOT NULL,
    user_id uuid,
    token character varying(255) NOT NULL,
    valid_until timestamp without time zone,
    used boolean NOT NULL DEFAULT false,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    scopes character varying(255)[] NOT NULL DEFAULT ARRAY[]::character varying[],
    CONSTRAINT oauth_authorizations_pkey PRIMARY KEY (id),
    CONSTRAINT oauth_authorizations_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id),
    CONSTRAINT oauth_authorizations_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX oauth_authorizations_app_id_index ON oauth_authorizations (app_id)`,
  `CREATE INDEX oauth_authorizations_user_id_index ON oauth_authorizations (user_id)`,

  // ---------------------------------------------------------------- activities (§4.7)
  `CREATE TABLE activities (
    id uuid NOT NULL,
    data jsonb NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    local boolean NOT NULL DEFAULT true,
    actor character varying(255),
    recipients character varying(255)[] DEFAULT ARRAY[]::character varying[],
    CONSTRAINT activities_pkey PRIMARY KEY (id)
  )`,
  `CREATE SEQUENCE activities_id_seq`,
  `ALTER SEQUENCE activities_id_seq OWNED BY activities.id`,
  // 20220711182322_add_associated_object_id_function
  `CREATE OR REPLACE FUNCTION associated_object_id(data jsonb) RETURNS varchar AS $$
    DECLARE
      object_data jsonb;
    BEGIN
      IF jsonb_typeof(data->'object') = 'array' THEN
        object_data := data->'object'->0;
      ELSE
        object_data := data->'object';
      END IF;

      IF jsonb_typeof(object_data->'id') = 'string' THEN
        RETURN object_data->>'id';
      ELSIF jsonb_typeof(object_data) = 'string' THEN
        RETURN object_data#>>'{}';
      ELSE
        RETURN NULL;
      END IF;
    END;
    $$ LANGUAGE plpgsql IMMUTABLE`,
  // 20190124131141_update_activity_visibility_again (last definition upstream)
  `CREATE OR REPLACE FUNCTION activity_visibility(actor varchar, recipients varchar[], data jsonb) RETURNS varchar AS $$
    DECLARE
      fa varchar;
      public varchar := 'https://www.w3.org/ns/activitystreams#Public';
    BEGIN
      SELECT COALESCE(users.follower_address, '') into fa from public.users where users.ap_id = actor;

      IF data->'to' ? public THEN
        RETURN 'public';
      ELSIF data->'cc' ? public THEN
        RETURN 'unlisted';
      ELSIF ARRAY[fa] && recipients THEN
        RETURN 'private';
      ELSIF not(ARRAY[fa, public] && recipients) THEN
        RETURN 'direct';
      ELSE
        RETURN 'unknown';
      END IF;
    END;
    $$ LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SECURITY DEFINER`,
  `CREATE UNIQUE INDEX activities_unique_apid_index ON activities ((data->>'id'))`,
  `CREATE INDEX "activities_actor_id_DESC_NULLS_LAST_index" ON activities (actor, id DESC NULLS LAST)`,
  `CREATE INDEX activities_create_objects_index ON activities (associated_object_id(data))`,
  `CREATE INDEX activities_context_index ON activities ((data->>'type'), (data->>'context'))`,
  `CREATE INDEX activities_id_desc_nulls_last_local_index ON activities (id DESC NULLS LAST, local)`,
  `CREATE INDEX activities_local_index ON activities (local)`,
  `CREATE INDEX activities_recipients_index ON activities USING gin (recipients)`,
  `CREATE INDEX activities_visibility_index ON activities (activity_visibility(actor, recipients, data), id DESC NULLS LAST) WHERE (data->>'type') = 'Create'`,

  // ---------------------------------------------------------------- objects (§4.8)
  `CREATE TABLE objects (
    id bigserial NOT NULL,
    data jsonb NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT objects_pkey PRIMARY KEY (id)
  )`,
  `CREATE UNIQUE INDEX objects_unique_apid_index ON objects ((data->>'id'))`,
  `CREATE INDEX objects_actor_type ON objects ((data->>'actor'), (data->>'type'))`,
  `CREATE INDEX objects_in_reply_to_index ON objects ((data->>'inReplyTo'))`,
  `CREATE INDEX objects_quote_url ON objects ((data->'quoteUrl'))`,
  `CREATE INDEX objects_fts ON objects USING gin (to_tsvector('english', data->>'content'))`,
  `CREATE INDEX objects_likes ON objects USING gin ((data->'likes'))`,
  `CREATE INDEX objects_tags ON objects USING gin ((data->'tag'))`,

  // ---------------------------------------------------------------- following_relationships (§4.9)
  `CREATE TABLE following_relationships (
    id bigserial NOT NULL,
    follower_id uuid NOT NULL,
    following_id uuid NOT NULL,
    state integer NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT following_relationships_pkey PRIMARY KEY (id),
    CONSTRAINT following_relationships_follower_id_fkey FOREIGN KEY (follower_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT following_relationships_following_id_fkey FOREIGN KEY (following_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX following_relationships_follower_id_following_id_index ON following_relationships (follower_id, following_id)`,
  `CREATE INDEX following_relationships_following_id_index ON following_relationships (following_id)`,
  `CREATE INDEX following_relationships_follower_id_state_index ON following_relationships (follower_id, state)`,

  // ---------------------------------------------------------------- notifications (§4.10)
  `CREATE TABLE notifications (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    activity_id uuid NOT NULL,
    seen boolean NOT NULL DEFAULT false,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    type notification_type,
    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT notifications_activity_id_fkey FOREIGN KEY (activity_id) REFERENCES activities (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX notifications_id_desc_nulls_last_index ON notifications (id DESC NULLS LAST)`,
  `CREATE INDEX notifications_user_id_id_desc_nulls_last_index ON notifications (user_id, id DESC NULLS LAST)`,
  `CREATE INDEX notifications_user_id_seen_index ON notifications (user_id, seen)`,
  `CREATE INDEX notifications_activity_id_index ON notifications (activity_id)`,

  // ---------------------------------------------------------------- user_relationships (§4.11 + §7.4 expires_at)
  `CREATE TABLE user_relationships (
    id bigserial NOT NULL,
    source_id uuid,
    target_id uuid,
    relationship_type integer NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    expires_at timestamp(0) without time zone,
    CONSTRAINT user_relationships_pkey PRIMARY KEY (id),
    CONSTRAINT user_relationships_source_id_fkey FOREIGN KEY (source_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_relationships_target_id_fkey FOREIGN KEY (target_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX user_relationships_source_id_relationship_type_target_id_index ON user_relationships (source_id, relationship_type, target_id)`,
  `CREATE INDEX user_relationships_target_id_relationship_type_index ON user_relationships (target_id, relationship_type)`,

  // ---------------------------------------------------------------- mfa_tokens (§4.12)
  `CREATE TABLE mfa_tokens (
    id bigserial NOT NULL,
    user_id uuid,
    authorization_id bigint,
    token character varying(255),
    valid_until timestamp without time zone,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT mfa_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT mfa_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT mfa_tokens_authorization_id_fkey FOREIGN KEY (authorization_id) REFERENCES oauth_authorizations (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX mfa_tokens_token_index ON mfa_tokens (token)`,
  `CREATE INDEX mfa_tokens_authorization_id_index ON mfa_tokens (authorization_id)`,
  `CREATE INDEX mfa_tokens_user_id_index ON mfa_tokens (user_id)`,

  // ---------------------------------------------------------------- push_subscriptions (§4.12)
  `CREATE TABLE push_subscriptions (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    token_id bigint NOT NULL,
    endpoint character varying NOT NULL,
    key_p256dh character varying(255) NOT NULL,
    key_auth character varying(255) NOT NULL,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT push_subscriptions_pkey PRIMARY KEY (id),
    CONSTRAINT push_subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT push_subscriptions_token_id_fkey FOREIGN KEY (token_id) REFERENCES oauth_tokens (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX push_subscriptions_user_id_token_id_index ON push_subscriptions (user_id, token_id)`,
  `CREATE INDEX push_subscriptions_token_id_index ON push_subscriptions (token_id)`,

  // ---------------------------------------------------------------- registrations (§4.12)
  `CREATE TABLE registrations (
    id uuid NOT NULL,
    user_id uuid,
    provider character varying(255) NOT NULL,
    uid character varying(255) NOT NULL,
    info jsonb NOT NULL DEFAULT '{}'::jsonb,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT registrations_pkey PRIMARY KEY (id),
    CONSTRAINT registrations_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX registrations_provider_uid_index ON registrations (provider, uid)`,
  `CREATE UNIQUE INDEX registrations_user_id_provider_uid_index ON registrations (user_id, provider, uid)`,

  // ---------------------------------------------------------------- bookmark_folders (§7.4)
  `CREATE TABLE bookmark_folders (
    id uuid NOT NULL,
    name character varying(255) NOT NULL,
    emoji character varying(255),
    user_id uuid,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT bookmark_folders_pkey PRIMARY KEY (id),
    CONSTRAINT bookmark_folders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX bookmark_folders_user_id_name_index ON bookmark_folders (user_id, name)`,

  // ---------------------------------------------------------------- bookmarks (§4.12 + folder_id, §7.1 20240223165000)
  `CREATE TABLE bookmarks (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    activity_id uuid NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    folder_id uuid,
    CONSTRAINT bookmarks_pkey PRIMARY KEY (id),
    CONSTRAINT bookmarks_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT bookmarks_activity_id_fkey FOREIGN KEY (activity_id) REFERENCES activities (id) ON DELETE CASCADE,
    CONSTRAINT bookmarks_folder_id_fkey FOREIGN KEY (folder_id) REFERENCES bookmark_folders (id) ON DELETE SET NULL
  )`,
  `CREATE UNIQUE INDEX bookmarks_user_id_activity_id_index ON bookmarks (user_id, activity_id)`,
  `CREATE INDEX bookmarks_activity_id_index ON bookmarks (activity_id)`,
  `CREATE INDEX bookmarks_folder_id_index ON bookmarks (folder_id)`,

  // ---------------------------------------------------------------- thread_mutes (§4.12)
  `CREATE TABLE thread_mutes (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    context character varying(255) NOT NULL,
    CONSTRAINT thread_mutes_pkey PRIMARY KEY (id),
    CONSTRAINT thread_mutes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  // Pleroma really names this index "unique_index" (20190205114625).
  `CREATE UNIQUE INDEX unique_index ON thread_mutes (user_id, context)`,

  // ---------------------------------------------------------------- lists (§4.12)
  `CREATE TABLE lists (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    title character varying(255),
    following character varying(255)[],
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    ap_id character varying(255),
    CONSTRAINT lists_pkey PRIMARY KEY (id),
    CONSTRAINT lists_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX lists_user_id_index ON lists (user_id)`,
  `CREATE INDEX lists_following_index ON lists (following)`,
  `CREATE UNIQUE INDEX lists_ap_id_index ON lists (ap_id)`,

  // ---------------------------------------------------------------- filters (§4.12)
  `CREATE TABLE filters (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    filter_id integer NOT NULL,
    hide boolean DEFAULT false,
    phrase character varying(255),
    context character varying(255)[],
    expires_at timestamp(0) without time zone,
    whole_word boolean NOT NULL DEFAULT true,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT filters_pkey PRIMARY KEY (id),
    CONSTRAINT filters_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX filters_user_id_index ON filters (user_id)`,
  `CREATE INDEX hided_phrases_index ON filters (phrase) WHERE hide = true`,

  // ---------------------------------------------------------------- markers (§4.12)
  `CREATE TABLE markers (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    timeline character varying(255) NOT NULL DEFAULT ''::character varying,
    last_read_id character varying(255) NOT NULL DEFAULT ''::character varying,
    lock_version integer NOT NULL DEFAULT 0,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT markers_pkey PRIMARY KEY (id),
    CONSTRAINT markers_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX markers_user_id_timeline_index ON markers (user_id, timeline)`,

  // ---------------------------------------------------------------- scheduled_activities (§4.12)
  `CREATE TABLE scheduled_activities (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    scheduled_at timestamp(0) without time zone NOT NULL,
    params jsonb NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT scheduled_activities_pkey PRIMARY KEY (id),
    CONSTRAINT scheduled_activities_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX scheduled_activities_scheduled_at_index ON scheduled_activities (scheduled_at)`,
  `CREATE INDEX scheduled_activities_user_id_index ON scheduled_activities (user_id)`,

  // ---------------------------------------------------------------- conversations (§4.13)
  `CREATE TABLE conversations (
    id bigserial NOT NULL,
    ap_id character varying(255) NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT conversations_pkey PRIMARY KEY (id)
  )`,
  `CREATE UNIQUE INDEX conversations_ap_id_index ON conversations (ap_id)`,

  // ---------------------------------------------------------------- conversation_participations (§4.12)
  `CREATE TABLE conversation_participations (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    conversation_id bigint NOT NULL,
    read boolean NOT NULL DEFAULT false,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT conversation_participations_pkey PRIMARY KEY (id),
    CONSTRAINT conversation_participations_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT conversation_participations_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX conversation_participations_conversation_id_index ON conversation_participations (conversation_id)`,
  `CREATE UNIQUE INDEX conversation_participations_user_id_conversation_id_index ON conversation_participations (user_id, conversation_id)`,
  `CREATE INDEX conversation_participations_updated_at_desc_index ON conversation_participations (updated_at DESC)`,
  `CREATE INDEX unread_conversation_participation_count_index ON conversation_participations (user_id) WHERE read = false`,

  // ---------------------------------------------------------------- conversation_participation_recipient_ships (§4.12)
  // Ecto's names for the participation_id FK and index are 64 and 65
  // characters long; PostgreSQL truncates them to 63, as written here.
  `CREATE TABLE conversation_participation_recipient_ships (
    id bigserial NOT NULL,
    user_id uuid NOT NULL,
    participation_id bigint NOT NULL,
    CONSTRAINT conversation_participation_recipient_ships_pkey PRIMARY KEY (id),
    CONSTRAINT conversation_participation_recipient_ships_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT conversation_participation_recipient_ships_participation_id_fke FOREIGN KEY (participation_id) REFERENCES conversation_participations (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX conversation_participation_recipient_ships_user_id_index ON conversation_participation_recipient_ships (user_id)`,
  `CREATE INDEX conversation_participation_recipient_ships_participation_id_ind ON conversation_participation_recipient_ships (participation_id)`,

  // ---------------------------------------------------------------- deliveries (§4.12)
  `CREATE TABLE deliveries (
    id bigserial NOT NULL,
    object_id integer NOT NULL,
    user_id uuid NOT NULL,
    CONSTRAINT deliveries_pkey PRIMARY KEY (id),
    CONSTRAINT deliveries_object_id_fkey FOREIGN KEY (object_id) REFERENCES objects (id),
    CONSTRAINT deliveries_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX deliveries_object_id ON deliveries (object_id)`,
  `CREATE UNIQUE INDEX deliveries_user_id_object_id_index ON deliveries (user_id, object_id)`,

  // ---------------------------------------------------------------- chats (§4.12)
  `CREATE TABLE chats (
    id uuid NOT NULL,
    user_id uuid,
    recipient character varying(255),
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT chats_pkey PRIMARY KEY (id),
    CONSTRAINT chats_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT chats_recipient_fkey FOREIGN KEY (recipient) REFERENCES users (ap_id) ON DELETE CASCADE
  )`,
  `CREATE SEQUENCE chats_id_seq`,
  `ALTER SEQUENCE chats_id_seq OWNED BY chats.id`,
  `CREATE UNIQUE INDEX chats_user_id_recipient_index ON chats (user_id, recipient)`,
  `CREATE INDEX chats_recipient_index ON chats (recipient)`,

  // ---------------------------------------------------------------- chat_message_references (§4.13)
  `CREATE TABLE chat_message_references (
    id uuid NOT NULL,
    chat_id uuid NOT NULL,
    object_id bigint NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    unread boolean NOT NULL DEFAULT true,
    CONSTRAINT chat_message_references_pkey PRIMARY KEY (id),
    CONSTRAINT chat_message_references_chat_id_fkey FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE,
    CONSTRAINT chat_message_references_object_id_fkey FOREIGN KEY (object_id) REFERENCES objects (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX chat_message_references_chat_id_id_desc_index ON chat_message_references (chat_id, id DESC)`,
  `CREATE UNIQUE INDEX chat_message_references_object_id_chat_id_index ON chat_message_references (object_id, chat_id)`,
  `CREATE INDEX unread_messages_count_index ON chat_message_references (chat_id) WHERE unread = true`,

  // ---------------------------------------------------------------- backups (§4.12 + tempdir, §7.1 20240622175346)
  `CREATE TABLE backups (
    id bigserial NOT NULL,
    user_id uuid,
    file_name character varying(255) NOT NULL,
    content_type character varying(255) NOT NULL,
    processed boolean NOT NULL DEFAULT false,
    file_size bigint,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    tempdir character varying(255),
    CONSTRAINT backups_pkey PRIMARY KEY (id),
    CONSTRAINT backups_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE INDEX backups_user_id_index ON backups (user_id)`,

  // ---------------------------------------------------------------- report_notes (§4.12, content text since 20220602052233)
  `CREATE TABLE report_notes (
    id bigserial NOT NULL,
    user_id uuid,
    activity_id uuid,
    content text,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT report_notes_pkey PRIMARY KEY (id),
    CONSTRAINT report_notes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT report_notes_activity_id_fkey FOREIGN KEY (activity_id) REFERENCES activities (id)
  )`,
  `CREATE INDEX report_notes_activity_id_index ON report_notes (activity_id)`,
  `CREATE INDEX report_notes_user_id_index ON report_notes (user_id)`,

  // ---------------------------------------------------------------- user_notes (§7.4)
  `CREATE TABLE user_notes (
    id bigserial NOT NULL,
    source_id uuid,
    target_id uuid,
    comment character varying(255),
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT user_notes_pkey PRIMARY KEY (id),
    CONSTRAINT user_notes_source_id_fkey FOREIGN KEY (source_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_notes_target_id_fkey FOREIGN KEY (target_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX user_notes_source_id_target_id_index ON user_notes (source_id, target_id)`,
  `CREATE INDEX user_notes_target_id_index ON user_notes (target_id)`,

  // ---------------------------------------------------------------- announcements (§7.4)
  `CREATE TABLE announcements (
    id uuid NOT NULL,
    data jsonb,
    starts_at timestamp(0) without time zone,
    ends_at timestamp(0) without time zone,
    rendered jsonb,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT announcements_pkey PRIMARY KEY (id)
  )`,

  // ---------------------------------------------------------------- announcement_read_relationships (§7.4)
  `CREATE TABLE announcement_read_relationships (
    id bigserial NOT NULL,
    user_id uuid,
    announcement_id uuid,
    inserted_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT announcement_read_relationships_pkey PRIMARY KEY (id),
    CONSTRAINT announcement_read_relationships_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT announcement_read_relationships_announcement_id_fkey FOREIGN KEY (announcement_id) REFERENCES announcements (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX announcement_read_relationships_user_id_announcement_id_index ON announcement_read_relationships (user_id, announcement_id)`,
  `CREATE INDEX announcement_read_relationships_announcement_id_index ON announcement_read_relationships (announcement_id)`,

  // ---------------------------------------------------------------- hashtags (§7.4; name text since 20210222184616)
  `CREATE TABLE hashtags (
    id bigserial NOT NULL,
    name text NOT NULL,
    inserted_at timestamp(0) without time zone NOT NULL,
    updated_at timestamp(0) without time zone NOT NULL,
    CONSTRAINT hashtags_pkey PRIMARY KEY (id)
  )`,
  `CREATE UNIQUE INDEX hashtags_name_index ON hashtags (name)`,

  // ---------------------------------------------------------------- user_follows_hashtag (§7.4)
  `CREATE TABLE user_follows_hashtag (
    id bigserial NOT NULL,
    hashtag_id bigint,
    user_id uuid,
    CONSTRAINT user_follows_hashtag_pkey PRIMARY KEY (id),
    CONSTRAINT user_follows_hashtag_hashtag_id_fkey FOREIGN KEY (hashtag_id) REFERENCES hashtags (id),
    CONSTRAINT user_follows_hashtag_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
  )`,
  `CREATE UNIQUE INDEX user_follows_hashtag_user_id_hashtag_id_index ON user_follows_hashtag (user_id, hashtag_id)`,

  // ---------------------------------------------------------------- oban_jobs (§4.13 + §7.5, Oban level 12)
  // tags is varchar(255)[] as on every instance that ran Oban's V8 before Oban
  // 2.6 (the replayed v2.9.1 database of §7); a database created from scratch
  // by 2.9.1 would have text[] DEFAULT ARRAY[]::text[] instead (§7.1).
  `CREATE TABLE oban_jobs (
    id bigserial NOT NULL,
    state oban_job_state NOT NULL DEFAULT 'available'::oban_job_state,
    queue text NOT NULL DEFAULT 'default'::text,
    worker text NOT NULL,
    args jsonb NOT NULL DEFAULT '{}'::jsonb,
    errors jsonb[] NOT NULL DEFAULT ARRAY[]::jsonb[],
    attempt integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 20,
    inserted_at timestamp without time zone NOT NULL DEFAULT timezone('UTC'::text, now()),
    scheduled_at timestamp without time zone NOT NULL DEFAULT timezone('UTC'::text, now()),
    attempted_at timestamp without time zone,
    completed_at timestamp without time zone,
    attempted_by text[],
    discarded_at timestamp without time zone,
    priority integer NOT NULL DEFAULT 0,
    tags character varying(255)[] DEFAULT ARRAY[]::character varying[],
    meta jsonb DEFAULT '{}'::jsonb,
    cancelled_at timestamp without time zone,
    CONSTRAINT oban_jobs_pkey PRIMARY KEY (id),
    CONSTRAINT worker_length CHECK (char_length(worker) > 0 AND char_length(worker) < 128),
    CONSTRAINT queue_length CHECK (char_length(queue) > 0 AND char_length(queue) < 128),
    CONSTRAINT positive_max_attempts CHECK (max_attempts > 0),
    CONSTRAINT attempt_range CHECK (attempt BETWEEN 0 AND max_attempts)
  )`,
  `ALTER TABLE oban_jobs ADD CONSTRAINT non_negative_priority CHECK (priority >= 0) NOT VALID`,
  `CREATE INDEX oban_jobs_state_queue_priority_scheduled_at_id_index ON oban_jobs (state, queue, priority, scheduled_at, id)`,
  `CREATE INDEX oban_jobs_args_index ON oban_jobs USING gin (args)`,
  `CREATE INDEX oban_jobs_meta_index ON oban_jobs USING gin (meta)`,
  // Oban records its migration level as the table comment.
  `COMMENT ON TABLE oban_jobs IS '12'`,

  // ---------------------------------------------------------------- schema_migrations (Ecto, §6), created empty
  `CREATE TABLE schema_migrations (
    version bigint NOT NULL,
    inserted_at timestamp(0) without time zone,
    CONSTRAINT schema_migrations_pkey PRIMARY KEY (version)
  )`,
]
