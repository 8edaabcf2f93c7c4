-- The floor for `user:prune --unconfirmed-for :days d --never-active-for :days d --dry-run --json`:
-- the same one query (the rules, the accounts never chosen, whether each has posts through the
-- activities (actor, id) index), its rows formatted as the command lists them. Writes nothing.
SELECT u.id, u.nickname, u.is_active, to_char(u.inserted_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS registered,
       to_char(u.last_active_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_active,
       (NOT u.is_confirmed AND u.inserted_at < timezone('UTC', now()) - make_interval(days => :days)) AS unconfirmed,
       (u.last_active_at IS NULL AND u.inserted_at < timezone('UTC', now()) - make_interval(days => :days)) AS never_active,
       EXISTS (SELECT 1 FROM activities a WHERE a.actor = u.ap_id AND a.data->>'type' = 'Create') AS posts
  FROM users u
 WHERE u.local AND u.nickname IS NOT NULL AND NOT u.is_admin AND NOT u.is_moderator
   AND NOT (u.nickname IS NOT NULL AND (lower(u.nickname::text) IN ('relay') OR lower(u.nickname::text) LIKE 'internal.%' OR u.invisible))
   AND NOT (NOT u.is_active AND u.password_hash IS NULL)
   AND NOT EXISTS (SELECT 1 FROM unnest(u.tags) AS t(tag) WHERE t.tag LIKE 'pleroma-admin:delete-after:%')
   AND ((NOT u.is_confirmed AND u.inserted_at < timezone('UTC', now()) - make_interval(days => :days))
     OR (u.last_active_at IS NULL AND u.inserted_at < timezone('UTC', now()) - make_interval(days => :days)))
 ORDER BY u.id;
