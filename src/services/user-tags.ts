/**
 * `user tag` / `user untag` (lib/mix/tasks/pleroma/user.ex and User.tag /
 * User.untag in lib/pleroma/user.ex, Pleroma v2.9.1): a user's `tags` array
 * (varchar(255)[]), for local and remote users alike. Plain functions over
 * an EntityManager: no printing, no oclif.
 *
 * The new array is computed by the UPDATE itself from the row's current
 * `tags` (PostgreSQL re-reads a row changed by a concurrent transaction
 * before it applies the SET), so concurrent tag/untag commands on the same
 * user never lose each other's change.
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {columnsOf} from '../entities/names'
import {updateReturning} from '../entities/returning'
import {NotFoundError, RefusedError} from '../errors'
import {utcNowDate} from '../db/time'
import {findUser} from './users'
import {refuseServiceActor, type ServiceActorGuard} from './service-actors'

const U = columnsOf(User)

export type TagMode = 'tag' | 'untag'

export interface TagsResult {
  /** The user's id (uuid). */
  id: string
  /** A local user (the server re-reads only those). */
  local: boolean
  nickname: string
  tags: string[]
  changed: boolean
}

/** The longest tag the column (varchar(255)) holds, in characters. */
export const TAG_MAX = 255

/**
 * Pleroma's normalisation: lower-cased (Unicode-aware), nothing else. Empty
 * tags and tags too long for the column are refused (exit 4).
 */
export function normalizeTags(tags: string[]): string[] {
  if (tags.length === 0) throw new RefusedError('No tag given.', 'Give at least one TAG.')
  return tags.map((raw) => {
    const tag = raw.toLowerCase()
    if (tag === '') throw new RefusedError('A tag is empty.', 'Give non-empty tags, e.g. mrf_tag:media-force-nsfw.')
    const length = [...tag].length
    if (length > TAG_MAX) throw new RefusedError(`A tag is ${length} characters long; the tags column holds at most ${TAG_MAX}.`, 'Give a shorter tag.')
    return tag
  })
}

/*
 * The new tags as an expression over `tags`, the row's current ones, and
 * :given, the given tags (already normalised).
 *
 * tag: the current tags followed by the given ones, duplicates removed
 * keeping the first occurrence (Enum.uniq(tags ++ new)).
 */
const tagExpr = (tags: string) => `(
  SELECT COALESCE(array_agg(d.t ORDER BY d.first), '{}')::varchar(255)[]
    FROM (SELECT x.t, min(x.ord) AS first
            FROM unnest(COALESCE(${tags}, '{}') || CAST(:given AS varchar(255)[])) WITH ORDINALITY AS x(t, ord)
           GROUP BY x.t) d)`

/*
 * untag: list subtraction (tags -- given): each given tag removes one
 * occurrence, the first one; a tag given twice removes two. Exact match.
 */
const untagExpr = (tags: string) => `(
  SELECT COALESCE(array_agg(e.t ORDER BY e.ord), '{}')::varchar(255)[]
    FROM (SELECT x.t, x.ord, row_number() OVER (PARTITION BY x.t ORDER BY x.ord) AS occurrence
            FROM unnest(COALESCE(${tags}, '{}')) WITH ORDINALITY AS x(t, ord)) e
   WHERE e.occurrence > (SELECT count(*) FROM unnest(CAST(:given AS varchar(255)[])) AS g(t) WHERE g.t = e.t))`

/**
 * Adds (`tag`) or removes (`untag`) tags of any user in one UPDATE, only if
 * the array changes (then `updated_at` = now). Returns the resulting list.
 * With `dryRun`, computes the same result and writes nothing.
 * Not found: `Could not change user tags for NICK` (exit 3).
 */
export async function changeTags(
  m: EntityManager,
  nickname: string,
  mode: TagMode,
  tags: string[],
  options: {instanceHost?: () => Promise<string>; dryRun?: boolean; now?: Date; guard?: ServiceActorGuard} = {},
): Promise<TagsResult> {
  const given = normalizeTags(tags)
  const user = await findUser(m, nickname, options.instanceHost)
  if (!user) throw notFound(nickname)
  refuseServiceActor(user, options.guard)
  const expr = (mode === 'tag' ? tagExpr : untagExpr)(U.tags)
  const changes = `COALESCE(${U.tags}, '{}') IS DISTINCT FROM ${expr}`
  if (options.dryRun) {
    const {entities, raw} = await m
      .createQueryBuilder(User, 'u')
      .select(['u.id', 'u.nickname'])
      .addSelect(expr, 'tags')
      .addSelect(changes, 'changed')
      .where('u.id = :id', {id: user.id, given})
      .getRawAndEntities<{tags: string[]; changed: boolean}>()
    if (!entities[0]) throw notFound(nickname)
    return {id: user.id, local: user.local, nickname: entities[0].nickname!, tags: raw[0].tags, changed: raw[0].changed}
  }
  const [updated] = await updateReturning(
    m
      .createQueryBuilder()
      .update(User)
      .set({tags: () => expr, updatedAt: options.now ?? utcNowDate()})
      .where(`${U.id} = :id AND ${changes}`, {id: user.id, given}),
    ['nickname', 'tags'],
  )
  if (updated) return {id: user.id, local: user.local, nickname: updated.nickname!, tags: updated.tags ?? [], changed: true}
  const current = await m.findOne(User, {where: {id: user.id}})
  if (!current) throw notFound(nickname)
  return {id: user.id, local: user.local, nickname: current.nickname!, tags: current.tags ?? [], changed: false}
}

function notFound(nickname: string): NotFoundError {
  return new NotFoundError(
    `Could not change user tags for ${nickname}`,
    'Check the nickname (remote users are nick@host); `pleroma-admin user:list` lists the local ones.',
  )
}

// ------------------------------------------------------------------ output

/**
 * A list of strings as Elixir's `inspect/1` prints it: `["a", "b"]`, `[]`.
 * Printable strings are double-quoted with `"`, `\`, `#{` and control
 * characters escaped; others are shown as bytes (`<<97, 0>>`), as Elixir does.
 */
export function inspectList(items: string[]): string {
  return `[${items.map(inspectString).join(', ')}]`
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\b': '\\b',
  '\f': '\\f',
  '\x1b': '\\e',
  '\x7f': '\\d',
  '\x07': '\\a',
}

function printable(cp: number): boolean {
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
}

export function inspectString(s: string): string {
  let out = ''
  for (let i = 0; i < s.length;) {
    const cp = s.codePointAt(i)!
    const ch = String.fromCodePoint(cp)
    i += ch.length
    if (ESCAPES[ch]) out += ESCAPES[ch]
    else if (ch === '#' && s[i] === '{') out += '\\#'
    else if (printable(cp)) out += ch
    else return `<<${[...Buffer.from(s, 'utf8')].join(', ')}>>`
  }
  return `"${out}"`
}
