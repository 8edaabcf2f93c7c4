-- The floor for `user:rm :nick` (an approved, confirmed local user: purged and
-- kept): follows both ways gone with their Follow activities cancelled, the
-- notifications its activities caused, its posts and likes as
-- delete-activities, the Delete of the actor, its OAuth tokens and
-- authorizations, the purge, and the counters of the local users it followed
-- or was followed by. One transaction (psql --single-transaction).
-- The relationships and notifications go first: read through the actor index
-- before the posts are deleted, the index is not full of this transaction's
-- dead rows (the end state is the same in any order).
\ir common.sql
SELECT id AS uid, ap_id AS actor, follower_address FROM users WHERE nickname = :'nick' AND local \gset
CREATE TEMP TABLE rels AS
  WITH d AS (DELETE FROM following_relationships WHERE follower_id = :'uid' OR following_id = :'uid' RETURNING follower_id, following_id)
  SELECT u.id, u.ap_id, d.follower_id = :'uid' AS outgoing, u.local
    FROM d JOIN users u ON u.id = CASE WHEN d.follower_id = :'uid' THEN d.following_id ELSE d.follower_id END
   WHERE u.id <> :'uid';
ANALYZE rels;
-- Its Follows of the accounts it followed (actor index), others' Follows of it (associated_object_id index).
UPDATE activities SET data = jsonb_set(data, '{state}', '"cancelled"'), updated_at = now()
 WHERE actor = :'actor' AND data->>'type' = 'Follow' AND data->>'state' IN ('accept', 'pending')
   AND associated_object_id(data) IN (SELECT ap_id FROM rels WHERE outgoing);
UPDATE activities SET data = jsonb_set(data, '{state}', '"cancelled"'), updated_at = now()
 WHERE associated_object_id(data) = :'actor' AND data->>'type' = 'Follow' AND data->>'state' IN ('accept', 'pending')
   AND actor IN (SELECT ap_id FROM rels WHERE NOT outgoing);
DELETE FROM notifications n USING activities a WHERE n.activity_id = a.id AND a.actor = :'actor';
\ir delete-posts.sql
INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
SELECT pg_temp.flake_now(0),
       jsonb_build_object('id', :'base' || '/activities/' || gen_random_uuid(), 'type', 'Delete', 'actor', :'actor', 'object', :'actor',
                          'to', jsonb_build_array(:'follower_address'), 'cc', '[]'::jsonb, 'bto', '[]'::jsonb, 'bcc', '[]'::jsonb),
       now(), now(), true, :'actor', ARRAY[:'follower_address']::varchar[];
DELETE FROM oauth_authorizations WHERE user_id = :'uid';
DELETE FROM oauth_tokens WHERE user_id = :'uid';
UPDATE users SET bio = '', raw_bio = NULL, email = NULL, name = NULL, password_hash = NULL, last_refreshed_at = NULL,
       last_digest_emailed_at = NULL, registration_reason = NULL, confirmation_token = NULL, mascot = NULL,
       avatar = '{}', banner = '{}', background = '{}', emoji = '{}', pleroma_settings_store = '{}', tags = '{}',
       domain_blocks = '{}', also_known_as = '{}', fields = '[]', raw_fields = '[]', note_count = 0, follower_count = 0,
       following_count = 0, is_locked = false, password_reset_pending = false, is_moderator = false, is_admin = false,
       is_discoverable = false, is_active = false, pinned_objects = '{}', updated_at = now()
 WHERE id = :'uid';
INSERT INTO affected SELECT DISTINCT id FROM rels WHERE local;
\ir recount.sql
