-- The floor for `user:rm :nick` on a Pleroma database with its job queue
-- (#11, docs/federation.md): rm.sql's end state, and one publish_one job per
-- Delete and follower inbox in oban_jobs, inserted by one INSERT ... SELECT.
-- The inboxes are read first, while the follows exist: the active remote
-- followers with accepted follows, shared inbox else inbox, once each, hosts
-- that instances.unreachable_since has given up on (7 days) left out. Every
-- Delete rm.sql stores that is addressed to the followers (the posts' and the
-- account's) goes to each of them, priority 1, as Pleroma's PublisherWorker
-- job args (v2.9.1:lib/pleroma/web/activity_pub/publisher.ex:33-39).
SELECT id AS fed_uid, ap_id AS fed_actor, follower_address AS fed_followers FROM users WHERE nickname = :'nick' AND local \gset
CREATE TEMP TABLE fed_inboxes AS
  SELECT i.inbox, n.unreachable_since
    FROM (SELECT DISTINCT COALESCE(u.shared_inbox, u.inbox) AS inbox
            FROM following_relationships r JOIN users u ON u.id = r.follower_id
           WHERE r.following_id = :'fed_uid' AND r.state = 2 AND NOT u.local AND u.is_active AND u.id <> :'fed_uid') i
    LEFT JOIN instances n ON n.host = substring(i.inbox from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^:/?#]*)')
   WHERE i.inbox <> '' AND (n.unreachable_since IS NULL OR n.unreachable_since > timezone('UTC', now()) - interval '7 days');
ANALYZE fed_inboxes;
\ir rm.sql
INSERT INTO oban_jobs (state, queue, worker, args, max_attempts, priority)
WITH d AS MATERIALIZED (
  SELECT pg_temp.b62(id) AS sid FROM activities
   WHERE actor = :'fed_actor' AND data->>'type' = 'Delete' AND recipients @> ARRAY[:'fed_followers']::varchar[])
SELECT 'available', 'federator_outgoing', 'Pleroma.Workers.PublisherWorker',
       jsonb_build_object('op', 'publish_one', 'params', jsonb_build_object('inbox', i.inbox, 'activity_id', d.sid,
         'unreachable_since', CASE WHEN i.unreachable_since IS NULL THEN 'null'::jsonb
                                   ELSE to_jsonb(to_char(i.unreachable_since, 'YYYY-MM-DD"T"HH24:MI:SS.US')) END)),
       5, 1
  FROM d CROSS JOIN fed_inboxes i;
