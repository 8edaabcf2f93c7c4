-- The floor for `user:prune --unconfirmed-for :days d --never-active-for :days d --yes` on the
-- stale registrations (no posts, likes or announces: what prune chooses without --with-posts):
-- user:rm's end state for each, set-based in one transaction. Every chosen account: its follows
-- both ways gone (Follow activities cancelled), the notifications its activities caused, a Delete
-- of the actor recorded, its OAuth tokens and authorizations deleted; then the row deleted when
-- it was pending confirmation or approval (its report notes first), purged otherwise; the
-- counters of the local users it followed or was followed by recomputed.
\ir common.sql
CREATE TEMP TABLE stale AS
SELECT u.id, u.ap_id, u.follower_address, (NOT u.is_confirmed OR NOT u.is_approved) AS drop_row
  FROM users u
 WHERE u.local AND u.nickname IS NOT NULL AND NOT u.is_admin AND NOT u.is_moderator
   AND NOT (u.nickname IS NOT NULL AND (lower(u.nickname::text) IN ('relay') OR lower(u.nickname::text) LIKE 'internal.%' OR u.invisible))
   AND NOT (NOT u.is_active AND u.password_hash IS NULL)
   AND NOT EXISTS (SELECT 1 FROM unnest(u.tags) AS t(tag) WHERE t.tag LIKE 'pleroma-admin:delete-after:%')
   AND ((NOT u.is_confirmed AND u.inserted_at < timezone('UTC', now()) - make_interval(days => :days))
     OR (u.last_active_at IS NULL AND u.inserted_at < timezone('UTC', now()) - make_interval(days => :days)))
   AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.actor = u.ap_id AND a.data->>'type' = 'Create');
CREATE UNIQUE INDEX ON stale (id);
CREATE INDEX ON stale (ap_id);
ANALYZE stale;
-- (d2 leaves the follows between two chosen accounts to d1: an anti-join, as NOT IN over a subquery larger
-- than work_mem is re-scanned for every row: quadratic, over 14 minutes at the default scale's 210,000 accounts.)
CREATE TEMP TABLE rels AS
  WITH d1 AS (DELETE FROM following_relationships r USING stale s WHERE r.follower_id = s.id RETURNING r.follower_id, r.following_id),
       d2 AS (DELETE FROM following_relationships r USING stale s WHERE r.following_id = s.id
                AND NOT EXISTS (SELECT 1 FROM stale o WHERE o.id = r.follower_id)
              RETURNING r.follower_id, r.following_id)
  SELECT follower_id, following_id, true AS outgoing FROM d1 UNION ALL SELECT follower_id, following_id, false FROM d2;
ANALYZE rels;
UPDATE activities a SET data = jsonb_set(a.data, '{state}', '"cancelled"'), updated_at = now()
  FROM stale s WHERE a.actor = s.ap_id AND a.data->>'type' = 'Follow' AND a.data->>'state' IN ('accept', 'pending');
UPDATE activities a SET data = jsonb_set(a.data, '{state}', '"cancelled"'), updated_at = now()
  FROM stale s WHERE associated_object_id(a.data) = s.ap_id AND a.data->>'type' = 'Follow' AND a.data->>'state' IN ('accept', 'pending');
DELETE FROM notifications n USING activities a, stale s WHERE n.activity_id = a.id AND a.actor = s.ap_id;
INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
SELECT pg_temp.flake_now(row_number() OVER ()),
       jsonb_build_object('id', :'base' || '/activities/' || gen_random_uuid(), 'type', 'Delete', 'actor', s.ap_id, 'object', s.ap_id,
                          'to', jsonb_build_array(s.follower_address), 'cc', '[]'::jsonb, 'bto', '[]'::jsonb, 'bcc', '[]'::jsonb),
       now(), now(), true, s.ap_id, ARRAY[s.follower_address]::varchar[]
  FROM stale s;
DELETE FROM oauth_authorizations o USING stale s WHERE o.user_id = s.id;
DELETE FROM oauth_tokens o USING stale s WHERE o.user_id = s.id;
DELETE FROM report_notes n USING stale s WHERE n.user_id = s.id AND s.drop_row;
DELETE FROM users u USING stale s WHERE u.id = s.id AND s.drop_row;
UPDATE users u SET bio = '', raw_bio = NULL, email = NULL, name = NULL, password_hash = NULL, last_refreshed_at = NULL,
       last_digest_emailed_at = NULL, registration_reason = NULL, confirmation_token = NULL, mascot = NULL,
       avatar = '{}', banner = '{}', background = '{}', emoji = '{}', pleroma_settings_store = '{}', tags = '{}',
       domain_blocks = '{}', also_known_as = '{}', fields = '[]', raw_fields = '[]', note_count = 0, follower_count = 0,
       following_count = 0, is_locked = false, password_reset_pending = false, is_moderator = false, is_admin = false,
       is_discoverable = false, is_active = false, pinned_objects = '{}', updated_at = now()
  FROM stale s WHERE u.id = s.id AND NOT s.drop_row;
INSERT INTO affected SELECT DISTINCT CASE WHEN outgoing THEN following_id ELSE follower_id END FROM rels
  ON CONFLICT DO NOTHING;
DELETE FROM affected x USING stale s WHERE x.id = s.id;
\ir recount.sql
