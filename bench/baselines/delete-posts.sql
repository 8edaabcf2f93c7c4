-- The user's posts deleted and its likes and announces undone (the end state
-- of delete-activities.ts), for every activity at once: the user's activities
-- read once (actor index), each object and each activity about them reached
-- through its index (objects by ap id, activities by associated_object_id),
-- each temp table ANALYZEd so that the planner knows its size. (NOT IN over a
-- subquery too big for work_mem is a nested scan: an anti-join instead.) Needs :'actor'
-- (ap_id), :'base' (instance URL), :has_hashtags and :has_chat (0/1).
CREATE TEMP TABLE acts AS
  SELECT id, data->>'type' AS type, data->>'id' AS ap_id, associated_object_id(data) AS object_id, data->'to' AS "to", data->'cc' AS cc
    FROM activities WHERE actor = :'actor' AND data->>'type' IN ('Create', 'Like', 'Announce');
ANALYZE acts;
-- One Delete per object; the first Create of an object is the deleted activity.
CREATE TEMP TABLE posts AS
  SELECT DISTINCT ON (object_id) object_id AS ap_id, id AS create_id
    FROM acts WHERE type = 'Create' AND object_id IS NOT NULL ORDER BY object_id, id;
ANALYZE posts;
CREATE TEMP TABLE objs AS
  SELECT o.id, p.ap_id, p.create_id,
         pg_temp.addresses(o.data->'to') || pg_temp.addresses(o.data->'cc') AS addressed,
         CASE jsonb_typeof(o.data->'inReplyTo') WHEN 'string' THEN o.data->>'inReplyTo' WHEN 'object' THEN o.data->'inReplyTo'->>'id' END AS in_reply_to
    FROM posts p JOIN objects o ON o.data->>'id' = p.ap_id;
ANALYZE objs;
UPDATE objects o
   SET data = jsonb_build_object('id', o.data->'id', 'type', 'Tombstone', 'formerType', o.data->'type',
                'deleted', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
       updated_at = now()
  FROM objs WHERE o.id = objs.id;
\if :has_hashtags
DELETE FROM hashtags_objects WHERE object_id IN (SELECT id FROM objs);
\endif
\if :has_chat
DELETE FROM chat_message_references WHERE object_id IN (SELECT id FROM objs);
\endif
-- Every activity about the posts but Deletes (the Creates, others' likes, announces, reactions; notifications cascade).
DELETE FROM activities WHERE associated_object_id(data) IN (SELECT ap_id FROM posts) AND data->>'type' IS DISTINCT FROM 'Delete';
UPDATE users
   SET pinned_objects = COALESCE(pinned_objects, '{}'::jsonb) - ARRAY(SELECT ap_id FROM posts),
       note_count = greatest(0, note_count - (SELECT count(*) FROM objs WHERE addressed ? 'https://www.w3.org/ns/activitystreams#Public')::int),
       updated_at = now()
 WHERE ap_id = :'actor';
UPDATE objects o
   SET data = jsonb_set(o.data, '{repliesCount}', to_jsonb(greatest(0, CASE WHEN jsonb_typeof(o.data->'repliesCount') = 'number'
                THEN floor((o.data->>'repliesCount')::numeric)::int ELSE 0 END - c.n))),
       updated_at = now()
  FROM (SELECT in_reply_to, count(*)::int AS n FROM objs WHERE in_reply_to IS NOT NULL GROUP BY 1) c
 WHERE o.data->>'id' = c.in_reply_to AND o.data->>'type' IS DISTINCT FROM 'Tombstone';
INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
SELECT pg_temp.flake_now(row_number() OVER ()),
       jsonb_build_object('id', :'base' || '/activities/' || gen_random_uuid(), 'type', 'Delete', 'actor', :'actor', 'object', p.ap_id,
                          'to', COALESCE(o.addressed, '[]'::jsonb), 'cc', '[]'::jsonb, 'bto', '[]'::jsonb, 'bcc', '[]'::jsonb,
                          'deleted_activity_id', pg_temp.b62(p.create_id)),
       now(), now(), true, :'actor', ARRAY(SELECT jsonb_array_elements_text(COALESCE(o.addressed, '[]'::jsonb)))::varchar[]
  FROM posts p LEFT JOIN objs o ON o.ap_id = p.ap_id;
-- The user's likes and announces of others' posts: an Undo each, the object's list and count, the activity gone.
CREATE TEMP TABLE undone AS
  SELECT a.*, pg_temp.addresses(a."to") AS to_list, pg_temp.addresses(a.cc) AS cc_list
    FROM acts a WHERE type IN ('Like', 'Announce') AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.ap_id = a.object_id);
ANALYZE undone;
INSERT INTO activities (id, data, inserted_at, updated_at, local, actor, recipients)
SELECT pg_temp.flake_now(row_number() OVER ()),
       jsonb_build_object('id', :'base' || '/activities/' || gen_random_uuid(), 'type', 'Undo', 'actor', :'actor', 'object', u.ap_id,
                          'to', u.to_list, 'cc', u.cc_list, 'bto', '[]'::jsonb, 'bcc', '[]'::jsonb),
       now(), now(), true, :'actor',
       ARRAY(SELECT e FROM (SELECT e, min(i) AS i FROM jsonb_array_elements_text(u.to_list || u.cc_list) WITH ORDINALITY AS x(e, i) GROUP BY e) d ORDER BY i)::varchar[]
  FROM undone u;
UPDATE objects o SET data = o.data || jsonb_build_object('likes', (o.data->'likes') - :'actor', 'like_count', jsonb_array_length((o.data->'likes') - :'actor')), updated_at = now()
 WHERE o.data->>'id' IN (SELECT object_id FROM undone WHERE type = 'Like')
   AND jsonb_typeof(o.data->'likes') = 'array' AND (o.data->'likes') ? :'actor';
UPDATE objects o SET data = o.data || jsonb_build_object('announcements', (o.data->'announcements') - :'actor', 'announcement_count', jsonb_array_length((o.data->'announcements') - :'actor')), updated_at = now()
 WHERE o.data->>'id' IN (SELECT object_id FROM undone WHERE type = 'Announce')
   AND jsonb_typeof(o.data->'announcements') = 'array' AND (o.data->'announcements') ? :'actor';
DELETE FROM activities WHERE id IN (SELECT id FROM undone);
