/**
 * Deleting a local user's posts and undoing its likes and announces
 * (docs/pleroma/tasks.md "delete_activities"; also a step of "rm"), as the end state of
 * Pleroma's ActivityPub pipeline, written directly and set-based:
 *
 * - every Create by the user: the object becomes a Tombstone (a missing,
 *   pruned object row is first inserted as one), every activity referring to
 *   the object except Deletes is deleted (the Create, other users' Likes,
 *   Announces, EmojiReacts of it; their notifications and bookmarks go by
 *   FK cascade), the object leaves the author's pinned_objects, note_count
 *   drops for public/unlisted posts (visibility.ts), the parent's
 *   repliesCount drops for replies and the quoted post's quotesCount for
 *   quotes, and a Delete activity is recorded;
 * - every Like / Announce by the user: an Undo activity is recorded, the user
 *   leaves the target object's likes / announcements (count recomputed), and
 *   the Like / Announce row is deleted (its notifications by FK cascade);
 * - everything else (Follow, Accept, Undo, Block, Flag, EmojiReact, Delete)
 *   is left alone.
 *
 * Work goes in batches of the user's activities, by id (keyset): per batch a
 * handful of set-based statements in the caller's transaction. A processed
 * activity is gone afterwards, so an interrupted run is finished by running
 * again. The stored Deletes and Undos are handed to RunOptions.federate in
 * each batch's transaction (the commands queue their delivery: federation.ts).
 */
import {randomUUID} from 'node:crypto'
import type {EntityManager} from 'typeorm'
import {NotFoundError} from '../errors'
import {flakeIdToString, newFlakeId} from '../db/flake-id'
import {utcNow} from '../db/time'
import {Activity, ChatMessageReference, HashtagObject, PleromaObject, User} from '../entities'
import {columnsOf, tableOf} from '../entities/names'
import type {Outgoing} from './federation'
import {lockWithFollowPartners} from './counters'
import {isPublic} from './visibility'

const U = columnsOf(User)
const A = columnsOf(Activity)
const O = columnsOf(PleromaObject)
const USERS = tableOf(User)
const ACTIVITIES = tableOf(Activity)
const OBJECTS = tableOf(PleromaObject)
const PINNED = U.pinnedObjects

export {AS_PUBLIC} from './visibility'
export const DEFAULT_BATCH_SIZE = 500

/** The user whose activities are processed, as read (and locked) in the current transaction. */
export interface DeletionTarget {
  id: string
  nickname: string
  apId: string
  followerAddress: string | null
  local: boolean
  isActive: boolean
  isApproved: boolean
  isConfirmed: boolean
}

/** Runs a function in a new transaction (the command passes `db.transaction`). */
export type TransactionRunner = <T>(fn: (m: EntityManager) => Promise<T>) => Promise<T>

/** Reads the user by id and locks its row until the transaction ends (one deletion at a time). */
export async function lockTarget(m: EntityManager, userId: string): Promise<DeletionTarget> {
  const r = await m.findOne(User, {
    select: {id: true, nickname: true, apId: true, followerAddress: true, local: true, isActive: true, isApproved: true, isConfirmed: true},
    where: {id: userId},
    lock: {mode: 'pessimistic_write'},
  })
  if (!r) throw new NotFoundError('The user was deleted while this command ran.', 'Nothing more to do; check with `pleroma-admin user:list`.')
  return {
    id: r.id,
    nickname: r.nickname ?? '',
    apId: r.apId,
    followerAddress: r.followerAddress,
    local: r.local,
    isActive: r.isActive,
    isApproved: r.isApproved,
    isConfirmed: r.isConfirmed,
  }
}

/** `local, active` / `local, deactivated, pending approval` ... for summaries. */
export function describeState(t: Pick<DeletionTarget, 'local' | 'isActive' | 'isApproved' | 'isConfirmed'>): string {
  const parts = [t.local ? 'local' : 'remote', t.isActive ? 'active' : 'deactivated']
  if (!t.isApproved) parts.push('pending approval')
  if (!t.isConfirmed) parts.push('pending confirmation')
  return parts.join(', ')
}

/**
 * The SQL expression for "the object an activity refers to". Pleroma 2.5+
 * indexes `associated_object_id(data)` (the function exists since
 * 20220711182322); older databases index the COALESCE it replaced.
 */
export async function objectIdExpression(m: EntityManager): Promise<(data: string) => string> {
  const rows = await m.query<Array<{found: boolean}>>(
    `SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE p.proname = 'associated_object_id' AND n.nspname = current_schema()) AS found`,
  )
  return rows[0]?.found ? (data) => `associated_object_id(${data})` : (data) => `COALESCE(${data}->'object'->>'id', ${data}->>'object')`
}

// ------------------------------------------------------------------ counts

export interface ActivityCounts {
  /** Distinct objects of the user's Create activities. */
  posts: number
  likes: number
  announces: number
}

/** What a deletion of the user's activities would remove, counted in the database. */
export async function countUserActivities(m: EntityManager, apId: string): Promise<ActivityCounts> {
  const objectId = await objectIdExpression(m)
  const [counts] = await m.query<ActivityCounts[]>(
    `SELECT count(DISTINCT ${objectId(A.data)}) FILTER (WHERE ${A.data}->>'type' = 'Create')::int AS posts,
            count(*) FILTER (WHERE ${A.data}->>'type' = 'Like')::int AS likes,
            count(*) FILTER (WHERE ${A.data}->>'type' = 'Announce')::int AS announces
       FROM ${ACTIVITIES}
      WHERE ${A.actor} = $1 AND ${A.data}->>'type' IN ('Create', 'Like', 'Announce')`,
    [apId],
  )
  return counts
}

// ------------------------------------------------------------------ one batch

export interface BatchOptions {
  /** The instance base URL, for the ids of the Delete and Undo activities. */
  instanceUrl: string
  /** Keyset: process activities with id greater than this (null: from the start). */
  after: string | null
  limit: number
  /** Tables of the database (hashtags_objects exists only on Pleroma's own databases). */
  tables: Set<string>
  now?: string
}

export interface BatchResult {
  /** Activities (Create, Like, Announce) read in this batch. */
  selected: number
  /** The id of the last one (the keyset for the next batch). */
  lastId: string | null
  /** Posts deleted (Delete activities recorded). */
  posts: number
  /** The user's Likes and Announces removed (undone, or deleted with the user's own post). */
  likes: number
  announces: number
  /** Object rows that were missing (pruned) and were inserted as Tombstones. */
  missingObjects: number
  /** true when this batch was the last one (fewer activities than the limit). */
  done: boolean
  /** The Delete and Undo activities stored, for federation (federation.ts). */
  outgoing: Outgoing[]
}

/** The addressing of an activity or object as read: what visibility.ts's isPublic reads, besides `to`/`cc`. */
interface AddressingRow {
  to: unknown
  cc: unknown
  bto: unknown
  bcc: unknown
  direct_message: unknown
}

interface BatchRow extends AddressingRow {
  id: string
  type: 'Create' | 'Like' | 'Announce'
  ap_id: string
  object_id: string | null
}

interface ObjectRow extends AddressingRow {
  id: string
  ap_id: string
  type: string | null
  in_reply_to: string | null
  /** Pleroma's quoteUrl: the post this one quotes (Akkoma's quoteUri keeps no count). */
  quote_url: string | null
}

/** The select list of an AddressingRow from a `data` column. */
function addressingColumns(data: string): string {
  return `${data}->'to' AS "to", ${data}->'cc' AS cc, ${data}->'bto' AS bto, ${data}->'bcc' AS bcc, ${data}->'directMessage' AS direct_message`
}

/** Pleroma's Visibility.public? of the row (visibility.ts). */
function publicRow(r: AddressingRow & {type?: string | null}, instanceUrl: string): boolean {
  return isPublic({type: r.type, to: r.to, cc: r.cc, bto: r.bto, bcc: r.bcc, directMessage: r.direct_message}, instanceUrl)
}

/** A JSON value as an array of addresses (`to`/`cc` may be missing or a single string). */
function addressList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string')
  if (typeof v === 'string') return [v]
  return []
}

/** The tables linking objects to other rows that a deleted object leaves (Pleroma's own databases have them). */
const HASHTAG_LINKS = {table: tableOf(HashtagObject), objectId: columnsOf(HashtagObject).objectId}
const CHAT_MESSAGE_LINKS = {table: tableOf(ChatMessageReference), objectId: columnsOf(ChatMessageReference).objectId}

function activityApId(instanceUrl: string): string {
  return `${instanceUrl}/activities/${randomUUID()}`
}

interface NewActivity {
  id: string
  data: Record<string, unknown>
  recipients: string[]
}

async function insertActivities(m: EntityManager, actor: string, rows: NewActivity[], now: string): Promise<void> {
  if (rows.length === 0) return
  await m.query(
    `INSERT INTO ${ACTIVITIES} (${A.id}, ${A.data}, ${A.insertedAt}, ${A.updatedAt}, ${A.local}, ${A.actor}, ${A.recipients})
     SELECT (r->>'id')::uuid, r->'data', $2::timestamp, $2::timestamp, true, $3::text,
            ARRAY(SELECT jsonb_array_elements_text(r->'recipients'))::varchar[]
       FROM jsonb_array_elements($1::jsonb) AS r`,
    [JSON.stringify(rows), now, actor],
  )
}

/**
 * Takes one off `key` (repliesCount, quotesCount) of the objects named, once
 * per mention (an object named twice loses two), not below 0; a missing or
 * non-numeric count counts as 0, as Pleroma's `greatest(0, count - 1)` leaves
 * it. Tombstones are left alone. One statement for the whole batch.
 */
async function decrementCounts(m: EntityManager, key: 'repliesCount' | 'quotesCount', apIds: Array<string | null>, now: string): Promise<void> {
  const times = new Map<string, number>()
  for (const id of apIds) if (id) times.set(id, (times.get(id) ?? 0) + 1)
  if (times.size === 0) return
  await m.query(
    `UPDATE ${OBJECTS} o
        SET ${O.data} = jsonb_set(o.${O.data}, '{${key}}', to_jsonb(c.n)), ${O.updatedAt} = $3
       FROM (SELECT x.${O.id} AS id,
                    greatest(0, CASE WHEN jsonb_typeof(x.${O.data}->'${key}') = 'number'
                                     THEN floor((x.${O.data}->>'${key}')::numeric)::int ELSE 0 END - p.n) AS n
               FROM unnest($1::text[], $2::int[]) AS p(ap_id, n)
               JOIN ${OBJECTS} x ON x.${O.data}->>'id' = p.ap_id
              WHERE x.${O.data}->>'type' IS DISTINCT FROM 'Tombstone') AS c
      WHERE o.${O.id} = c.id AND o.${O.data}->'${key}' IS DISTINCT FROM to_jsonb(c.n)`,
    [[...times.keys()], [...times.values()], now],
  )
}

/**
 * Processes one batch of the user's Create, Like and Announce activities
 * (ordered by id, after `options.after`) in the caller's transaction.
 */
export async function deleteActivitiesBatch(m: EntityManager, target: DeletionTarget, options: BatchOptions): Promise<BatchResult> {
  const now = options.now ?? utcNow()
  const objectId = await objectIdExpression(m)
  const params: unknown[] = [target.apId, options.limit]
  if (options.after) params.push(options.after)
  // NULLS FIRST (ids are never null) is the order of a backward scan of Pleroma's
  // index on (actor, id DESC NULLS LAST): with plain ORDER BY id the planner walks
  // the primary key through every activity of the instance instead (seconds per batch).

  const batch = await m.query<BatchRow[]>(
    `SELECT ${A.id} AS id, ${A.data}->>'type' AS type, ${A.data}->>'id' AS ap_id, ${objectId(A.data)} AS object_id,
            ${addressingColumns(A.data)}
       FROM ${ACTIVITIES}
      WHERE ${A.actor} = $1 AND ${A.data}->>'type' IN ('Create', 'Like', 'Announce')
            ${options.after ? `AND ${A.id} > $3` : ''}
      ORDER BY ${A.id} NULLS FIRST
      LIMIT $2
        FOR UPDATE`,
    params,
  )
  const result: BatchResult = {
    selected: batch.length,
    lastId: batch.length > 0 ? batch[batch.length - 1].id : null,
    posts: 0,
    likes: 0,
    announces: 0,
    missingObjects: 0,
    done: batch.length < options.limit,
    outgoing: [],
  }
  if (batch.length === 0) return result

  // ---------------------------------------------------------------- posts
  // One Delete per object; the first Create of an object is the deleted activity.
  const createOf = new Map<string, string>()
  for (const a of batch) {
    if (a.type === 'Create' && a.object_id && !createOf.has(a.object_id)) createOf.set(a.object_id, a.id)
  }
  const postIds = [...createOf.keys()]
  if (postIds.length > 0) {
    // A pruned object: insert it as a Tombstone first, as Pleroma does.
    const inserted = await m.query<Array<{ap_id: string}>>(
      `INSERT INTO ${OBJECTS} (${O.data}, ${O.insertedAt}, ${O.updatedAt})
       SELECT jsonb_build_object('id', o, 'actor', $2::text, 'type', 'Tombstone'), $3::timestamp, $3::timestamp
         FROM unnest($1::text[]) AS o
        WHERE NOT EXISTS (SELECT 1 FROM ${OBJECTS} x WHERE x.${O.data}->>'id' = o)
       ON CONFLICT DO NOTHING
       RETURNING ${O.data}->>'id' AS ap_id`,
      [postIds, target.apId, now],
    )
    const pruned = new Set(inserted.map((r) => r.ap_id))
    result.missingObjects = pruned.size

    const objects = await m.query<ObjectRow[]>(
      `SELECT ${O.id} AS id, ${O.data}->>'id' AS ap_id, ${O.data}->>'type' AS type, ${addressingColumns(O.data)},
              CASE jsonb_typeof(${O.data}->'inReplyTo')
                WHEN 'string' THEN ${O.data}->>'inReplyTo'
                WHEN 'object' THEN ${O.data}->'inReplyTo'->>'id'
              END AS in_reply_to,
              CASE jsonb_typeof(${O.data}->'quoteUrl') WHEN 'string' THEN ${O.data}->>'quoteUrl' END AS quote_url
         FROM ${OBJECTS}
        WHERE ${O.data}->>'id' = ANY($1::text[])
          FOR UPDATE`,
      [postIds],
    )

    // The object row becomes a Tombstone ("deleted": ISO 8601 UTC with µs, as Elixir prints it).
    const rowIds = objects.map((o) => o.id)
    await m.query(
      `UPDATE ${OBJECTS}
          SET ${O.data} = jsonb_build_object('id', ${O.data}->'id', 'type', 'Tombstone', 'formerType', ${O.data}->'type',
                       'deleted', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
              ${O.updatedAt} = $2
        WHERE ${O.id} = ANY($1::bigint[])`,
      [rowIds, now],
    )
    // Pleroma unlinks the hashtags of a deleted object and its chat message references (tables some servers lack).
    for (const links of [HASHTAG_LINKS, CHAT_MESSAGE_LINKS]) {
      if (options.tables.has(links.table)) await m.query(`DELETE FROM ${links.table} WHERE ${links.objectId} = ANY($1::bigint[])`, [rowIds])
    }

    // Every activity referring to the objects except Deletes: the Creates, others' Likes, Announces, EmojiReacts ...
    const [gone] = await m.query<Array<{likes: number; announces: number}>>(
      `WITH d AS (
         DELETE FROM ${ACTIVITIES}
          WHERE ${objectId(A.data)} = ANY($1::text[]) AND ${A.data}->>'type' IS DISTINCT FROM 'Delete'
         RETURNING ${A.actor} AS actor, ${A.data}->>'type' AS type)
       SELECT count(*) FILTER (WHERE actor = $2 AND type = 'Like')::int AS likes,
              count(*) FILTER (WHERE actor = $2 AND type = 'Announce')::int AS announces
         FROM d`,
      [postIds, target.apId],
    )
    result.likes += gone.likes
    result.announces += gone.announces

    // note_count (public and unlisted posts, as Pleroma's Visibility.public? decides: visibility.ts)
    // and pinned_objects, in one statement. A pruned object cannot tell its addressing; its
    // Create can (Pleroma would not decrement for it, leaving note_count one too high).
    const createRow = new Map(batch.filter((a) => a.type === 'Create').map((a) => [a.id, a]))
    const publicPosts = objects.filter((o) => {
      const from = pruned.has(o.ap_id) ? createRow.get(createOf.get(o.ap_id)!) : o
      return from !== undefined && publicRow(from, options.instanceUrl)
    }).length
    await m.query(
      `UPDATE ${USERS}
          SET ${PINNED} = COALESCE(${PINNED}, '{}'::jsonb) - $2::text[],
              ${U.noteCount} = greatest(0, ${U.noteCount} - $3::int),
              ${U.updatedAt} = $4
        WHERE ${U.id} = $1
          AND (COALESCE(${PINNED}, '{}'::jsonb) ?| $2::text[] OR (${U.noteCount} > 0 AND $3::int > 0))`,
      [target.id, postIds, publicPosts, now],
    )

    // The parents of replies: repliesCount - 1 per deleted reply; the quoted posts of quotes: quotesCount - 1
    // per deleted quote (v2.9.1 side_effects.ex:323-329, object.ex:294-315 and 340-361). Not below 0; a
    // deleted parent or quoted post is left a Tombstone.
    const live = objects.filter((o) => !pruned.has(o.ap_id))
    await decrementCounts(
      m,
      'repliesCount',
      live.map((o) => o.in_reply_to),
      now,
    )
    await decrementCounts(
      m,
      'quotesCount',
      live.map((o) => o.quote_url),
      now,
    )

    // The Delete activities, addressed to the post's to ++ cc.
    const byApId = new Map(objects.map((o) => [o.ap_id, o]))
    const deletes: NewActivity[] = postIds.map((o) => {
      const object = byApId.get(o)
      const to = object ? [...addressList(object.to), ...addressList(object.cc)] : []
      return {
        id: newFlakeId(),
        recipients: to,
        data: {
          id: activityApId(options.instanceUrl),
          type: 'Delete',
          actor: target.apId,
          object: o,
          to,
          cc: [],
          bto: [],
          bcc: [],
          deleted_activity_id: flakeIdToString(createOf.get(o)!),
        },
      }
    })
    await insertActivities(m, target.apId, deletes, now)
    result.posts = deletes.length
    for (const d of deletes) result.outgoing.push({id: d.id, data: d.data, objectRow: byApId.get(d.data.object as string)?.id ?? null})
  }

  // ---------------------------------------------------------------- likes and announces
  // Those of the user's own posts of this batch went with the posts above.
  const undone = batch.filter((a) => (a.type === 'Like' || a.type === 'Announce') && !(a.object_id && createOf.has(a.object_id)))
  if (undone.length > 0) {
    const undos: NewActivity[] = undone.map((a) => {
      const to = addressList(a.to)
      const cc = addressList(a.cc)
      return {
        id: newFlakeId(),
        recipients: [...new Set([...to, ...cc])],
        data: {id: activityApId(options.instanceUrl), type: 'Undo', actor: target.apId, object: a.ap_id, to, cc, bto: [], bcc: []},
      }
    })
    await insertActivities(m, target.apId, undos, now)
    for (const u of undos) result.outgoing.push({id: u.id, data: u.data})

    for (const [type, list, count] of [
      ['Like', 'likes', 'like_count'],
      ['Announce', 'announcements', 'announcement_count'],
    ] as const) {
      const targets = [...new Set(undone.filter((a) => a.type === type && a.object_id).map((a) => a.object_id!))]
      if (targets.length === 0) continue
      await m.query(
        `UPDATE ${OBJECTS} o
            SET ${O.data} = o.${O.data} || jsonb_build_object('${list}', c.arr, '${count}', jsonb_array_length(c.arr)), ${O.updatedAt} = $3
           FROM (SELECT x.${O.id} AS id, (x.${O.data}->'${list}') - $2::text AS arr
                   FROM ${OBJECTS} x
                  WHERE x.${O.data}->>'id' = ANY($1::text[]) AND jsonb_typeof(x.${O.data}->'${list}') = 'array'
                    AND (x.${O.data}->'${list}') ? $2::text) AS c
          WHERE o.${O.id} = c.id`,
        [targets, target.apId, now],
      )
    }

    await m.query(`DELETE FROM ${ACTIVITIES} WHERE ${A.id} = ANY($1::uuid[])`, [undone.map((a) => a.id)])
    result.likes += undone.filter((a) => a.type === 'Like').length
    result.announces += undone.filter((a) => a.type === 'Announce').length
  }
  return result
}

// ------------------------------------------------------------------ the whole run

export interface DeletionTotals {
  posts: number
  likes: number
  announces: number
  missingObjects: number
  /** Batches that had work in them. */
  batches: number
  /** Set when shouldStop() ended the run early (whole batches done, the rest left). */
  stopped?: boolean
}

export interface RunOptions {
  instanceUrl: string
  batchSize: number
  tables: Set<string>
  /** Called after each committed batch (progress). */
  onBatch?: (batch: BatchResult, totals: DeletionTotals) => void
  /** Checked between batches: true stops after the batch just committed (totals.stopped is then set). */
  shouldStop?: () => boolean
  /**
   * Runs in the transaction of the last batch, after it (user:rm finishes
   * the account there, so a small account is one transaction).
   */
  finish?: (m: EntityManager, target: DeletionTarget, now: string) => Promise<void>
  /** Runs in each batch's transaction with the activities it stored (queues their delivery: federation.ts). */
  federate?: (m: EntityManager, target: DeletionTarget, outgoing: Outgoing[], now: string) => Promise<void>
}

/**
 * Deletes all the user's posts and undoes its likes and announces, one
 * transaction per batch (the user row locked in each), then runs `finish`
 * in the last one.
 */
export async function deleteUserActivities(tx: TransactionRunner, userId: string, options: RunOptions): Promise<DeletionTotals> {
  const totals: DeletionTotals = {posts: 0, likes: 0, announces: 0, missingObjects: 0, batches: 0}
  let after: string | null = null
  // With `finish` (user:rm), the batch that finds nothing left runs again as the last transaction, which
  // first locks the rows of the user's local follow partners (whose counters `finish` recomputes) with
  // the user's, in one order (lockWithFollowPartners: no deadlock with a user:rm of one of them). Only
  // there: locking them in every batch cost a lock of every partner per batch (quadratic for a big account).
  let last = false
  for (;;) {
    const batch: BatchResult = await tx(async (m) => {
      const now = utcNow()
      if (last) await lockWithFollowPartners(m, [userId])
      const target = await lockTarget(m, userId)
      const r = await deleteActivitiesBatch(m, target, {instanceUrl: options.instanceUrl, after, limit: options.batchSize, tables: options.tables, now})
      if (options.federate && r.outgoing.length > 0) await options.federate(m, target, r.outgoing, now)
      if (r.done && last && options.finish) await options.finish(m, target, now)
      return r
    })
    if (batch.selected > 0) totals.batches += 1
    totals.posts += batch.posts
    totals.likes += batch.likes
    totals.announces += batch.announces
    totals.missingObjects += batch.missingObjects
    options.onBatch?.(batch, totals)
    if (batch.done && (last || !options.finish)) return totals
    if (options.shouldStop?.()) return {...totals, stopped: true}
    if (batch.done) last = true
    if (batch.lastId) after = batch.lastId
  }
}
