/**
 * Outgoing federation through the server's own job queue (docs/federation.md):
 * the activities a command stores for other servers (Deletes of posts and of
 * the account, Undos of likes, announces and follows) are delivered by the
 * running Pleroma or Akkoma from `publish_one` jobs in its `oban_jobs` table,
 * one job per activity and inbox, with the server's own signatures, retries
 * and reachability tracking.
 *
 * The inboxes are worked out here, set-based, when the command runs (while the
 * follows still exist), as Pleroma's Publisher.publish would
 * (v2.9.1:lib/pleroma/web/activity_pub/publisher.ex:216-240, 264-285, 329-368):
 * the actor's active remote followers with accepted follows when its follower
 * collection is addressed, the remote users named in to/cc, and for a Delete
 * of a post the remote users that fetched it (deliveries); shared inbox or
 * inbox as determine_inbox chooses; de-duplicated; hosts that
 * Instances.filter_reachable skips left out. One INSERT … SELECT per batch.
 */
import {randomUUID} from 'node:crypto'
import type {EntityManager} from 'typeorm'
import {serverFamily, type SchemaInfo} from '../db/schema'
import {flakeIdToString} from '../db/flake-id'
import {RefusedError} from '../errors'
import {Activity, Delivery, FollowingRelationship, FollowState, Instance, ObanJob, PleromaObject, SchemaMigration, User} from '../entities'
import {columnsOf, tableOf} from '../entities/names'
import {AS_PUBLIC} from './delete-activities'

const U = columnsOf(User)
const A = columnsOf(Activity)
const O = columnsOf(PleromaObject)
const R = columnsOf(FollowingRelationship)
const D = columnsOf(Delivery)
const I = columnsOf(Instance)
const J = columnsOf(ObanJob)
const SM = columnsOf(SchemaMigration)
const USERS = tableOf(User)
const ACTIVITIES = tableOf(Activity)
const OBJECTS = tableOf(PleromaObject)
const FOLLOWS = tableOf(FollowingRelationship)
const DELIVERIES = tableOf(Delivery)
const INSTANCES = tableOf(Instance)
const JOBS = tableOf(ObanJob)
const MIGRATIONS = tableOf(SchemaMigration)

/**
 * The publish_one job's form (docs/federation.md#job-format):
 * - `pleroma`: Pleroma 2.7.0 and later,
 *   `{"op": "publish_one", "params": {"inbox", "activity_id", "unreachable_since"}}`;
 * - `akkoma`: `{"op": "publish_one", "module": "Elixir.Pleroma.Web.ActivityPub.Publisher",
 *   "params": {"inbox", "json", "actor_id", "id", "unreachable_since"}}`, the JSON rendered.
 */
export type JobFormat = 'pleroma' | 'akkoma'

/** Pleroma's 20240729163838_publisher_job_change, the migration that came with the activity_id form (2.7.0). */
export const PLEROMA_JOB_MARKER = '20240729163838'
/** Migrations only Akkoma has: add_per_user_post_expiry, create_signing_key_table, upgrade_oban_to_v12. */
export const AKKOMA_MARKERS = ['20221128103145', '20240625213637', '20250302113138']

/** Pleroma's PublisherWorker (v2.9.1:lib/pleroma/workers/publisher_worker.ex:9) and its queue. */
export const PUBLISHER_WORKER = 'Pleroma.Workers.PublisherWorker'
export const PUBLISHER_QUEUE = 'federator_outgoing'
const AKKOMA_MODULE = 'Elixir.Pleroma.Web.ActivityPub.Publisher'
/** max_attempts: v2.9.1 publisher_worker.ex:9; Akkoma config/config.exs:601-604 (workers retries federator_outgoing). */
const MAX_ATTEMPTS: Record<JobFormat, number> = {pleroma: 5, akkoma: 6}
/** Pleroma's default federation_reachability_timeout_days (v2.9.1:config/config.exs:197; Akkoma's too). */
export const REACHABILITY_TIMEOUT_DAYS = 7

const NO_FEDERATE_HINT = 'Run it with --no-federate to make the change without telling other servers.'

/**
 * The job format of the server whose database this is, or null when there is
 * no server to deliver (the tool's own database). Akkoma's signs are its own
 * migrations in schema_migrations or the tables and columns only its
 * migrations create (serverFamily, docs/live-instance.md#job-queue);
 * Pleroma's is its 2.7 publisher_job_change migration. Refuses (exit 4) on a
 * server database with the signs of both or of neither.
 */
export async function detectJobFormat(m: EntityManager, schema: Pick<SchemaInfo, 'owner' | 'tables' | 'userColumns'>): Promise<JobFormat | null> {
  if (schema.owner !== 'pleroma') return null
  if (!schema.tables.has(JOBS)) {
    throw new RefusedError('This server database has no oban_jobs table, so deliveries to other servers cannot be queued.', NO_FEDERATE_HINT)
  }
  const rows = await m.query<Array<{version: string}>>(`SELECT ${SM.version}::text AS version FROM ${MIGRATIONS} WHERE ${SM.version} = ANY($1::bigint[])`, [
    [PLEROMA_JOB_MARKER, ...AKKOMA_MARKERS],
  ])
  const found = new Set(rows.map((r) => r.version))
  const pleroma = found.has(PLEROMA_JOB_MARKER)
  const akkomaMigrations = AKKOMA_MARKERS.some((v) => found.has(v))
  const akkoma = akkomaMigrations || serverFamily(schema) === 'akkoma'
  if (pleroma && !akkoma) return 'pleroma'
  if (akkoma && !pleroma) return 'akkoma'
  throw new RefusedError(
    pleroma
      ? akkomaMigrations
        ? "Cannot tell which job format this server's queue expects: schema_migrations has both Pleroma 2.7's publisher_job_change and Akkoma's own migrations."
        : "Cannot tell which job format this server's queue expects: schema_migrations has Pleroma 2.7's publisher_job_change, but the database has tables or columns only Akkoma's migrations create (user_frontend_setting_profiles, users.status_ttl_days)."
      : "Cannot tell which job format this server's queue expects: schema_migrations has neither Pleroma 2.7's publisher_job_change (20240729163838) nor Akkoma's own migrations (a Pleroma older than 2.7, or another fork).",
    NO_FEDERATE_HINT,
  )
}

/** The local user the activities are signed by. */
export interface FederationActor {
  id: string
  apId: string
  followerAddress: string | null
}

/** The user as the signer of its activities. */
export async function federationActor(m: EntityManager, userId: string): Promise<FederationActor> {
  const u = await m.findOneOrFail(User, {select: {id: true, apId: true, followerAddress: true}, where: {id: userId}})
  return {id: u.id, apId: u.apId, followerAddress: u.followerAddress}
}

export interface Federation {
  format: JobFormat
  /** The instance base URL (Akkoma's rendered JSON names its litepub context). */
  instanceUrl: string
}

/** An activity just stored, to be delivered. */
export interface Outgoing {
  /** activities.id (uuid form). */
  id: string
  data: Record<string, unknown>
  /** objects.id of a deleted post: the remote users that fetched it (deliveries) are told too. */
  objectRow?: string | null
}

export interface Deliveries {
  jobs: number
  /** Distinct hosts of the inboxes. */
  hosts: string[]
}

/** A JSON value as a list of addresses (`to`/`cc` may be missing or a single string). */
function addresses(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string')
  if (typeof v === 'string') return [v]
  return []
}

/**
 * Pleroma's determine_inbox (v2.9.1 publisher.ex:264-285): the shared inbox for
 * a Delete, a public activity, or one with more than one recipient; else the
 * actor's own inbox. Akkoma always prefers the shared inbox (Akkoma
 * publisher.ex:160-161, 215-218).
 */
function usesSharedInbox(format: JobFormat, data: Record<string, unknown>): boolean {
  if (format === 'akkoma' || data.type === 'Delete') return true
  const to = addresses(data.to)
  const cc = addresses(data.cc)
  return to.includes(AS_PUBLIC) || cc.includes(AS_PUBLIC) || to.length + cc.length > 1
}

/** Akkoma's Pleroma.Constants.object_internal_fields, dropped by Transmogrifier.prepare_outgoing. */
const INTERNAL_FIELDS = [
  'reactions',
  'reaction_count',
  'likes',
  'like_count',
  'announcements',
  'announcement_count',
  'emoji',
  'context_id',
  'deleted_activity_id',
  'pleroma_internal',
  'generator',
]

/** JSON with object keys in Erlang's order for small maps (byte order), as Jason.encode! writes a map. */
function erlangJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(erlangJson).join(',')}]`
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    return `{${keys.map((k) => `${JSON.stringify(k)}:${erlangJson((v as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}

/**
 * The body Akkoma's Publisher sends for a Delete or Undo (Akkoma
 * transmogrifier.ex:968-976: internal fields dropped, its JSON-LD context
 * added, utils.ex:99-110).
 */
export function akkomaJson(data: Record<string, unknown>, instanceUrl: string): string {
  const out: Record<string, unknown> = {...data}
  for (const k of INTERNAL_FIELDS) delete out[k]
  out['@context'] = [
    'https://www.w3.org/ns/activitystreams',
    `${instanceUrl}/schemas/litepub-0.1.jsonld`,
    {'@language': 'und', htmlMfm: 'https://w3id.org/fep/c16b#htmlMfm'},
  ]
  return erlangJson(out)
}

/** The host of an inbox URL, as URI.parse gives it (no port, no user info). */
const hostOf = (url: string) => `substring(${url} from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^:/?#]*)')`

const REACHABLE = `(i.${I.unreachableSince} IS NULL
    OR i.${I.unreachableSince} > timezone('UTC', now()) - make_interval(days => ${REACHABILITY_TIMEOUT_DAYS}))`

/**
 * The recipients of the activities `acts` (columns sid, shared, followers,
 * object_row, addressed jsonb), as CTEs (v2.9.1 publisher.ex:216-240):
 * - `fol(inbox, own)`: the actor's active remote followers with an accepted
 *   follow (User.get_external_followers, user.ex:1395-1421), shared inbox
 *   (else inbox) and own inbox;
 * - `direct(sid, inbox, prio)`: the remote users named in to/cc (prio 0:
 *   remote_users, publisher.ex:44-65) and, for a deleted post, those in its
 *   deliveries rows (prio 1: the fetchers, user.ex:2569-2575).
 */
function recipientsSql(actor: string): string {
  const inbox = (u: string) => `CASE WHEN a.shared THEN COALESCE(${u}.${U.sharedInbox}, ${u}.${U.inbox}) ELSE ${u}.${U.inbox} END`
  return `
  fol AS (
    SELECT DISTINCT COALESCE(u.${U.sharedInbox}, u.${U.inbox}) AS inbox, u.${U.inbox} AS own
      FROM ${FOLLOWS} r JOIN ${USERS} u ON u.${U.id} = r.${R.followerId}
     WHERE r.${R.followingId} = ${actor} AND r.${R.state} = ${FollowState.ACCEPTED}
       AND NOT u.${U.local} AND u.${U.isActive} AND u.${U.id} <> ${actor}
       AND EXISTS (SELECT 1 FROM acts WHERE followers)),
  direct AS (
    SELECT a.sid, ${inbox('u')} AS inbox, 0 AS prio
      FROM acts a CROSS JOIN LATERAL jsonb_array_elements_text(a.addressed) AS t(ap_id)
      JOIN ${USERS} u ON u.${U.apId} = t.ap_id AND NOT u.${U.local}
    UNION ALL
    SELECT a.sid, ${inbox('u')}, 1
      FROM acts a JOIN ${DELIVERIES} d ON d.${D.objectId} = a.object_row JOIN ${USERS} u ON u.${U.id} = d.${D.userId} AND NOT u.${U.local})`
}

/**
 * For the INSERT: `best(sid, inbox, prio)`, every (activity, inbox) once with
 * its best priority (a follower inbox that is also addressed is priority 0:
 * publisher.ex:349), and `reach(inbox, host, unreachable_since)`, the inboxes
 * whose host Instances.filter_reachable keeps (instance.ex:54-84).
 */
const BEST_SQL = `
  cand AS (
    SELECT a.sid, CASE WHEN a.shared THEN f.inbox ELSE f.own END AS inbox, 1 AS prio FROM acts a CROSS JOIN fol f WHERE a.followers
    UNION ALL
    SELECT sid, inbox, prio FROM direct),
  best AS (SELECT sid, inbox, min(prio) AS prio FROM cand WHERE inbox IS NOT NULL AND inbox <> '' GROUP BY sid, inbox),
  reach AS (
    SELECT h.inbox, h.host, i.${I.unreachableSince} AS unreachable_since
      FROM (SELECT DISTINCT inbox, ${hostOf('inbox')} AS host FROM best) h
      LEFT JOIN ${INSTANCES} i ON i.${I.host} = h.host
     WHERE ${REACHABLE})`

/**
 * Queues one publish_one job per activity and inbox, in one INSERT … SELECT,
 * in the caller's transaction (the batch that stored the activities);
 * inserted_at and scheduled_at are the columns' UTC defaults, as Oban leaves
 * them (src/services/oban.ts). The
 * deliveries rows of deleted posts go, as Publisher.publish deletes them
 * (v2.9.1 publisher.ex:229).
 */
export async function queueDeliveries(m: EntityManager, fed: Federation, actor: FederationActor, activities: Outgoing[]): Promise<Deliveries> {
  if (activities.length === 0) return {jobs: 0, hosts: []}
  const acts = activities.map((a) => {
    const to = addresses(a.data.to)
    const cc = addresses(a.data.cc)
    const addressed = [...to, ...cc]
    return {
      sid: flakeIdToString(a.id),
      apid: typeof a.data.id === 'string' ? a.data.id : null,
      shared: usesSharedInbox(fed.format, a.data),
      followers: actor.followerAddress !== null && addressed.includes(actor.followerAddress),
      object_row: a.objectRow ?? null,
      addressed,
      json: fed.format === 'akkoma' ? akkomaJson(a.data, fed.instanceUrl) : null,
    }
  })
  const unreachable = `CASE WHEN r.unreachable_since IS NULL THEN 'null'::jsonb
                            ELSE to_jsonb(to_char(r.unreachable_since, 'YYYY-MM-DD"T"HH24:MI:SS.US')) END`
  const args =
    fed.format === 'pleroma'
      ? `jsonb_build_object('op', 'publish_one', 'params',
           jsonb_build_object('inbox', b.inbox, 'activity_id', a.sid, 'unreachable_since', ${unreachable}))`
      : `jsonb_build_object('op', 'publish_one', 'module', '${AKKOMA_MODULE}', 'params',
           jsonb_build_object('inbox', b.inbox, 'json', a.json, 'actor_id', $3::text, 'id', a.apid, 'unreachable_since', ${unreachable}))`
  // Akkoma enqueues without a priority (Oban's default 0: Akkoma publisher.ex:222-233).
  const priority = fed.format === 'pleroma' ? 'b.prio' : '0'
  const [r] = await m.query<Array<{jobs: number; hosts: string[]}>>(
    `WITH acts AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS x(sid text, apid text, shared boolean, followers boolean, object_row bigint, addressed jsonb, json text)),
     ${recipientsSql('$2::uuid')},${BEST_SQL},
     ins AS (
       INSERT INTO ${JOBS} (${J.state}, ${J.queue}, ${J.worker}, ${J.args}, ${J.maxAttempts}, ${J.priority})
       SELECT 'available', '${PUBLISHER_QUEUE}', '${PUBLISHER_WORKER}', ${args}, $4::int, ${priority}
         FROM best b JOIN reach r ON r.inbox = b.inbox JOIN acts a ON a.sid = b.sid
        ORDER BY a.sid, b.prio, b.inbox
       RETURNING 1),
     gone AS (
       DELETE FROM ${DELIVERIES} WHERE ${D.objectId} IN (SELECT object_row FROM acts WHERE object_row IS NOT NULL) RETURNING 1)
     SELECT (SELECT count(*) FROM ins)::int AS jobs, ARRAY(SELECT DISTINCT host FROM reach WHERE host IS NOT NULL ORDER BY host) AS hosts,
            (SELECT count(*) FROM gone)::int AS gone, $3::text AS actor_sid`,
    [JSON.stringify(acts), actor.id, flakeIdToString(actor.id), MAX_ATTEMPTS[fed.format]],
  )
  return {jobs: r.jobs, hosts: r.hosts}
}

// ------------------------------------------------------------------ previews (summary, --dry-run)

export interface DeliveryPreview {
  jobs: number
  servers: number
}

/**
 * Counts the jobs and hosts that queueing `acts` (an SQL query with the
 * columns sid, shared, followers, object_row, addressed) would give, without
 * writing and without the activities × followers product: the followers'
 * inboxes once per activity that addresses them, plus each activity's other
 * inboxes not among those.
 */
async function previewSql(m: EntityManager, actsSql: string, params: unknown[], actorParam: string): Promise<DeliveryPreview> {
  const [r] = await m.query<Array<{jobs: string; servers: number}>>(
    `WITH acts AS (SELECT * FROM (${actsSql}) AS x(sid, shared, followers, object_row, addressed)),
     ${recipientsSql(actorParam)},
     forms AS (SELECT DISTINCT shared FROM acts WHERE followers),
     fol_ok AS (
       SELECT DISTINCT x.inbox, x.shared, x.host
         FROM (SELECT CASE WHEN s.shared THEN f.inbox ELSE f.own END AS inbox, s.shared,
                      ${hostOf('CASE WHEN s.shared THEN f.inbox ELSE f.own END')} AS host
                 FROM fol f CROSS JOIN forms s) x
         LEFT JOIN ${INSTANCES} i ON i.${I.host} = x.host
        WHERE x.inbox IS NOT NULL AND x.inbox <> '' AND ${REACHABLE}),
     direct_ok AS (
       SELECT DISTINCT x.sid, x.inbox, x.host
         FROM (SELECT sid, inbox, ${hostOf('inbox')} AS host FROM direct) x
         LEFT JOIN ${INSTANCES} i ON i.${I.host} = x.host
        WHERE x.inbox IS NOT NULL AND x.inbox <> '' AND ${REACHABLE}),
     extra AS (
       SELECT d.* FROM direct_ok d JOIN acts a ON a.sid = d.sid
        WHERE NOT (a.followers AND EXISTS (SELECT 1 FROM fol_ok f WHERE f.inbox = d.inbox AND f.shared = a.shared)))
     SELECT ((SELECT count(*) FROM acts a JOIN fol_ok f ON f.shared = a.shared WHERE a.followers)
             + (SELECT count(*) FROM extra))::text AS jobs,
            (SELECT count(DISTINCT host) FROM (SELECT host FROM fol_ok UNION SELECT host FROM extra) h)::int AS servers,
            $2::text AS follower_address, $3::text AS actor_ap_id`,
    params,
  )
  return {jobs: Number(r.jobs), servers: r.servers}
}

/** A to/cc value as a jsonb array. */
const asArray = (v: string) => `CASE jsonb_typeof(${v}) WHEN 'array' THEN ${v} WHEN 'string' THEN jsonb_build_array(${v}) ELSE '[]'::jsonb END`

export interface PreviewParts {
  /** The user's posts, likes and announces (user:delete-activities, user:rm). */
  activities: boolean
  /** The Delete of the account (user:rm). */
  actorDelete: boolean
  /** Undos of the user's follows of remote accounts (user:rm, user:unsubscribe). */
  followUndos: boolean
}

/**
 * What queueing would give for a user's deletion or unsubscribe, counted in
 * the database before anything is written.
 */
export async function previewDeliveries(
  m: EntityManager,
  fed: Federation,
  actor: FederationActor,
  parts: PreviewParts,
  objectId: (data: string) => string,
): Promise<DeliveryPreview> {
  const akkoma = fed.format === 'akkoma'
  const sharedOf = (addr: string) => (akkoma ? 'true' : `(${addr} ? '${AS_PUBLIC}' OR jsonb_array_length(${addr}) > 1)`)
  const selects: string[] = []
  if (parts.activities) {
    // One Delete per post, addressed to its object's to ++ cc (v2.9.1 builder.ex:159-173).
    selects.push(`
      SELECT 'p' || p.obj AS sid, true AS shared, (p.addr ? $2::text) AS followers, p.object_row, p.addr AS addressed
        FROM (SELECT c.obj, o.${O.id} AS object_row,
                     COALESCE(${asArray(`o.${O.data}->'to'`)} || ${asArray(`o.${O.data}->'cc'`)}, '[]'::jsonb) AS addr
                FROM (SELECT DISTINCT ${objectId(A.data)} AS obj FROM ${ACTIVITIES}
                       WHERE ${A.actor} = $3 AND ${A.data}->>'type' = 'Create') c
                LEFT JOIN ${OBJECTS} o ON o.${O.data}->>'id' = c.obj) p`)
    // One Undo per like or announce of someone else's post, addressed as the undone activity (builder.ex:146-156).
    selects.push(`
      SELECT 'l' || l.${A.id}::text, ${sharedOf('l.addr')}, (l.addr ? $2::text), NULL::bigint, l.addr
        FROM (SELECT ${A.id}, ${asArray(`${A.data}->'to'`)} || ${asArray(`${A.data}->'cc'`)} AS addr, ${objectId(A.data)} AS obj
                FROM ${ACTIVITIES} WHERE ${A.actor} = $3 AND ${A.data}->>'type' IN ('Like', 'Announce')) l
       WHERE NOT EXISTS (SELECT 1 FROM ${ACTIVITIES} c WHERE c.${A.actor} = $3 AND c.${A.data}->>'type' = 'Create'
                                                    AND ${objectId('c.' + A.data)} = l.obj)`)
  }
  if (parts.actorDelete && actor.followerAddress !== null) {
    selects.push(`SELECT 'actor', true, true, NULL::bigint, jsonb_build_array($2::text)`)
  }
  if (parts.followUndos) {
    selects.push(`
      SELECT 'f' || t.${U.id}::text, ${akkoma ? 'true' : 'false'}, false, NULL::bigint, jsonb_build_array(t.${U.apId})
        FROM ${FOLLOWS} r JOIN ${USERS} t ON t.${U.id} = r.${R.followingId} AND NOT t.${U.local}
       WHERE r.${R.followerId} = $1 AND r.${R.state} IN (${FollowState.PENDING}, ${FollowState.ACCEPTED})
         AND EXISTS (SELECT 1 FROM ${ACTIVITIES} f WHERE f.${A.actor} = $3 AND f.${A.data}->>'type' = 'Follow'
                                                   AND ${objectId('f.' + A.data)} = t.${U.apId})`)
  }
  if (selects.length === 0) return {jobs: 0, servers: 0}
  return previewSql(m, selects.join('\n UNION ALL '), [actor.id, actor.followerAddress ?? '', actor.apId], '$1::uuid')
}

// ------------------------------------------------------------------ Undo of follows

/**
 * Stores, for each follow the user has of a remote account (accepted or
 * pending) with a Follow activity, the Undo that Pleroma's unfollow stores
 * (v2.9.1:lib/pleroma/web/activity_pub/activity_pub.ex:365-384,
 * utils.ex:665-673 and 201-235): `{type: "Undo", actor, to: [followed],
 * object: the Follow's data with state "cancelled", id, published, context}`,
 * recipients = to; the Follow activity's state becomes "cancelled". Call it
 * before the follows are deleted. Returns the stored Undos.
 */
export async function undoRemoteFollows(
  m: EntityManager,
  actor: FederationActor,
  instanceUrl: string,
  now: string,
  objectId: (data: string) => string,
  newId: () => string,
): Promise<Outgoing[]> {
  const follows = await m.query<Array<{follow_id: string; followed: string; data: Record<string, unknown>}>>(
    `SELECT DISTINCT ON (t.${U.id}) f.${A.id} AS follow_id, t.${U.apId} AS followed, f.${A.data} AS data
       FROM ${FOLLOWS} r JOIN ${USERS} t ON t.${U.id} = r.${R.followingId} AND NOT t.${U.local}
       JOIN ${ACTIVITIES} f ON f.${A.actor} = $2 AND f.${A.data}->>'type' = 'Follow' AND ${objectId('f.' + A.data)} = t.${U.apId}
      WHERE r.${R.followerId} = $1 AND r.${R.state} IN (${FollowState.PENDING}, ${FollowState.ACCEPTED})
      ORDER BY t.${U.id}, f.${A.id} DESC NULLS LAST`,
    [actor.id, actor.apId],
  )
  if (follows.length === 0) return []
  const published = `${now.replace(' ', 'T')}.000000Z`
  const undos: Outgoing[] = follows.map((f) => {
    const context = `${instanceUrl}/contexts/${randomUUID()}`
    return {
      id: newId(),
      data: {
        type: 'Undo',
        actor: actor.apId,
        to: [f.followed],
        object: {published, context, ...f.data, state: 'cancelled'},
        id: `${instanceUrl}/activities/${randomUUID()}`,
        published,
        context,
      },
    }
  })
  await m.query(
    `INSERT INTO ${ACTIVITIES} (${A.id}, ${A.data}, ${A.insertedAt}, ${A.updatedAt}, ${A.local}, ${A.actor}, ${A.recipients})
     SELECT (r->>'id')::uuid, r->'data', $2::timestamp, $2::timestamp, true, $3::text,
            ARRAY(SELECT jsonb_array_elements_text(r->'data'->'to'))::varchar[]
       FROM jsonb_array_elements($1::jsonb) AS r`,
    [JSON.stringify(undos), now, actor.apId],
  )
  await m.query(
    `UPDATE ${ACTIVITIES} SET ${A.data} = jsonb_set(${A.data}, '{state}', '"cancelled"'), ${A.updatedAt} = $2
      WHERE ${A.id} = ANY($1::uuid[]) AND ${A.data}->>'state' IS DISTINCT FROM 'cancelled'`,
    [follows.map((f) => f.follow_id), now],
  )
  return undos
}
