/**
 * Users: lookup as Pleroma does it (user-tasks.md §0.2), registration
 * (§1, §13, schema.md §7.6) and the local user list (§18).
 * Plain functions over a EntityManager (one transaction's raw SQL): no printing, no oclif.
 */
import {generateKeyPairSync} from 'node:crypto'
import type {EntityManager} from 'typeorm'
import type {User} from '../entities/user'
import {NotFoundError, RefusedError} from '../errors'
import {newFlakeId, flakeIdToString} from '../db/flake-id'
import {canCopyOut, copyOut} from '../db/connection'
import {utcNow} from '../db/time'
import type {SchemaInfo} from '../db/schema'
import {createPasswordResetToken} from './password-reset'
import {COPY_COLUMNS, CopyUserJsonEncoder, type JsonFraming} from './user-json-copy'

// ------------------------------------------------------------------ lookup

/**
 * Finds a user by nickname, case-insensitively (the column is citext). A
 * `nick@<this instance's host>` argument also finds the local `nick`.
 */
export async function findUser(m: EntityManager, nickname: string, instanceHost?: () => Promise<string>): Promise<User | null> {
  const user = await userByNickname(m, nickname)
  if (user || !nickname.includes('@') || !instanceHost) return user
  const host = (await instanceHost()).toLowerCase()
  const at = nickname.indexOf('@')
  if (nickname.slice(at + 1).toLowerCase() !== host) return null
  return userByNickname(m, nickname.slice(0, at))
}

/**
 * The columns of the User entity (src/entities/user.ts) that are read by
 * default (not passwordHash, keys, confirmationToken), property <- column.
 */
const USER_COLUMNS: Array<[keyof User, string]> = [
  ['id', 'id'], ['email', 'email'], ['name', 'name'], ['nickname', 'nickname'], ['bio', 'bio'],
  ['insertedAt', 'inserted_at'], ['updatedAt', 'updated_at'], ['apId', 'ap_id'], ['local', 'local'],
  ['followerAddress', 'follower_address'], ['followingAddress', 'following_address'], ['tags', 'tags'],
  ['noteCount', 'note_count'], ['followerCount', 'follower_count'], ['followingCount', 'following_count'],
  ['isLocked', 'is_locked'], ['isConfirmed', 'is_confirmed'], ['passwordResetPending', 'password_reset_pending'],
  ['isActive', 'is_active'], ['isModerator', 'is_moderator'], ['isAdmin', 'is_admin'], ['invisible', 'invisible'],
  ['actorType', 'actor_type'], ['uri', 'uri'], ['isApproved', 'is_approved'],
]
const USER_SELECT = USER_COLUMNS.map(([, column]) => `u.${column}`).join(', ')

/** The user with this nickname (compared as citext), as the entity's plain fields. */
async function userByNickname(m: EntityManager, nickname: string): Promise<User | null> {
  const rows: Array<Record<string, unknown>> = await m.query(`SELECT ${USER_SELECT} FROM users u WHERE u.nickname = $1 LIMIT 1`, [nickname])
  if (!rows[0]) return null
  const user: Record<string, unknown> = {}
  for (const [property, column] of USER_COLUMNS) user[property] = rows[0][column]
  return user as unknown as User
}

/** A user of any kind, or NotFoundError `No user NICK` (exit 3). */
export async function requireUser(m: EntityManager, nickname: string, instanceHost?: () => Promise<string>): Promise<User> {
  const user = await findUser(m, nickname, instanceHost)
  if (!user) throw new NotFoundError(`No user ${nickname}`, 'Check the nickname (remote users are nick@host); `pleroma-admin user:list --search` finds local ones.')
  return user
}

/**
 * A local user, or `No local user NICK`: exit 3 when nobody has that
 * nickname, exit 4 when it is a remote user.
 */
export async function requireLocalUser(m: EntityManager, nickname: string, instanceHost?: () => Promise<string>): Promise<User> {
  const user = await findUser(m, nickname, instanceHost)
  if (!user) throw new NotFoundError(`No local user ${nickname}`, 'Check the nickname; `pleroma-admin user:list --search TEXT` finds local users.')
  if (!user.local) throw new RefusedError(`No local user ${nickname}`, `${user.nickname} is a remote user; this command works on local users only.`)
  return user
}

// ------------------------------------------------------------------ validation

/** Pleroma's reserved nicknames (user-tasks.md §13), compared case-insensitively as later Pleroma does. */
export const RESERVED_NICKNAMES = [
  '.well-known', '~', 'about', 'activities', 'api', 'auth', 'check_password', 'dev', 'friend-requests', 'inbox',
  'internal', 'main', 'media', 'nodeinfo', 'notice', 'oauth', 'objects', 'ostatus_subscribe', 'pleroma', 'proxy',
  'push', 'registration', 'relay', 'settings', 'status', 'tag', 'user-search', 'user_exists', 'users', 'web',
  'verify_credentials', 'update_credentials', 'relationships', 'search', 'confirmation_resend', 'mfa',
]

const NICKNAME_RE = /^[a-zA-Z0-9_-]+$/
const EMAIL_RE = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
export const NAME_MAX = 100
export const BIO_MAX = 5000
const FEATURED_SUFFIX = '/collections/featured'

export function graphemeLength(s: string): number {
  let n = 0
  for (const _ of new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(s)) n++
  return n
}

/** The longest nickname whose addresses fit Pleroma's varchar(255) columns on this instance. */
export function maxNicknameLength(instanceUrl: string): number {
  return 255 - `${instanceUrl}/users/`.length - FEATURED_SUFFIX.length
}

export function validateNickname(nickname: string, instanceUrl: string): void {
  if (nickname === '') throw new RefusedError('The nickname is empty.', 'Give a nickname of letters, digits, _ and -.')
  if (!NICKNAME_RE.test(nickname)) {
    throw new RefusedError(`Invalid nickname "${nickname}": only ASCII letters, digits, _ and - are allowed.`, 'Choose another nickname.')
  }
  if (RESERVED_NICKNAMES.includes(nickname.toLowerCase())) {
    throw new RefusedError(`The nickname "${nickname}" is reserved by Pleroma.`, 'Choose another nickname.')
  }
  const max = maxNicknameLength(instanceUrl)
  if (nickname.length > max) {
    throw new RefusedError(`The nickname is ${nickname.length} characters long; at most ${max} fit Pleroma's 255-character address columns on ${instanceUrl}.`, 'Choose a shorter nickname.')
  }
}

export function validateEmail(email: string): void {
  if (!EMAIL_RE.test(email)) throw new RefusedError(`Invalid e-mail address "${email}".`, 'Give an address such as alice@example.com.')
}

/** Proposes a nickname from the local part of an e-mail address. */
export function nicknameFromEmail(email: string): string {
  const local = email.slice(0, Math.max(0, email.indexOf('@')))
  return local.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '')
}

// ------------------------------------------------------------------ registration

export interface NewUserInput {
  nickname: string
  email: string
  name?: string
  bio?: string
  /** The password hash to store (bcrypt). */
  passwordHash: string
  moderator: boolean
  admin: boolean
  /** true: the password was generated; create a password reset token. */
  generatedPassword: boolean
}

export interface NewUserResult {
  id: string
  flakeId: string
  nickname: string
  email: string
  name: string
  apId: string
  moderator: boolean
  admin: boolean
  resetToken?: string
}

/** Checks everything that can be checked before writing: exit 4 with a one-line reason. */
export async function validateNewUser(m: EntityManager, input: Omit<NewUserInput, 'passwordHash'>, instanceUrl: string): Promise<void> {
  validateNickname(input.nickname, instanceUrl)
  validateEmail(input.email)
  if (input.name !== undefined) {
    const n = graphemeLength(input.name)
    if (n === 0) throw new RefusedError('The name is empty.', 'Leave out --name to use the nickname.')
    if (n > NAME_MAX) throw new RefusedError(`The name is ${n} characters long; Pleroma allows at most ${NAME_MAX}.`, 'Give a shorter --name.')
  }
  if (input.bio !== undefined && graphemeLength(input.bio) > BIO_MAX) {
    throw new RefusedError(`The bio is ${graphemeLength(input.bio)} characters long; Pleroma allows at most ${BIO_MAX}.`, 'Give a shorter --bio.')
  }
  const taken: Array<{nickname: string | null; email: string | null; ap_id: string; which: string}> = await m.query(
    `SELECT nickname, email, ap_id,
            CASE WHEN nickname = $1::citext THEN 'nickname' WHEN email = $2::citext THEN 'email' ELSE 'ap_id' END AS which
       FROM users WHERE nickname = $1::citext OR email = $2::citext OR ap_id = $3 LIMIT 1`,
    [input.nickname, input.email, `${instanceUrl}/users/${input.nickname}`],
  )
  if (taken[0]) {
    const t = taken[0]
    if (t.which === 'nickname') throw new RefusedError(`The nickname ${input.nickname} is already taken (by ${t.nickname}).`, 'Choose another nickname.')
    if (t.which === 'email') throw new RefusedError(`The e-mail address ${input.email} is already used by ${t.nickname ?? t.ap_id}.`, 'Use another address.')
    throw new RefusedError(`The address ${t.ap_id} is already used.`, 'Choose another nickname.')
  }
}

/** A new RSA-2048 private key in PKCS#1 PEM without a trailing newline, as Pleroma stores it. */
export function generateUserKeys(): string {
  const {privateKey} = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
    privateKeyEncoding: {type: 'pkcs1', format: 'pem'},
    publicKeyEncoding: {type: 'spki', format: 'pem'},
  })
  return privateKey.trimEnd()
}

/**
 * Inserts the row that Pleroma's registration writes (schema.md §7.6).
 * Columns a given server lacks are left out; unknown newer columns take
 * their database defaults.
 */
export async function createUser(m: EntityManager, schema: SchemaInfo, input: NewUserInput, instanceUrl: string, now = utcNow()): Promise<NewUserResult> {
  await validateNewUser(m, input, instanceUrl)
  const id = newFlakeId()
  const apId = `${instanceUrl}/users/${input.nickname}`
  const name = input.name ?? input.nickname
  const values: Record<string, unknown> = {
    id,
    email: input.email,
    password_hash: input.passwordHash,
    name,
    nickname: input.nickname,
    bio: input.bio ?? '',
    inserted_at: now,
    updated_at: now,
    ap_id: apId,
    avatar: '{}',
    local: true,
    follower_address: `${apId}/followers`,
    following_address: `${apId}/following`,
    featured_address: `${apId}${FEATURED_SUFFIX}`,
    tags: '{}',
    keys: generateUserKeys(),
    banner: '{}',
    background: '{}',
    note_count: 0,
    follower_count: 0,
    following_count: 0,
    is_locked: false,
    is_confirmed: true,
    password_reset_pending: false,
    default_scope: 'public',
    blocks: '{}',
    domain_blocks: '{}',
    mutes: '{}',
    muted_reblogs: '{}',
    muted_notifications: '{}',
    subscribers: '{}',
    is_active: true,
    no_rich_text: false,
    is_moderator: input.moderator,
    is_admin: input.admin,
    show_role: true,
    hide_followers_count: false,
    hide_follows_count: false,
    hide_followers: false,
    hide_follows: false,
    hide_favorites: true,
    email_notifications: '{"digest": false}',
    emoji: '{}',
    pleroma_settings_store: '{}',
    fields: '[]',
    raw_fields: '[]',
    is_discoverable: false,
    invisible: false,
    skip_thread_containment: false,
    also_known_as: '{}',
    allow_following_move: true,
    actor_type: 'Person',
    accepts_chat_messages: true,
    is_approved: true,
    pinned_objects: '{}',
    disclose_client: true,
    is_suggested: false,
    show_birthday: false,
  }
  const columns = Object.keys(values).filter((c) => schema.userColumns.has(c))
  await m.query(
    `INSERT INTO users (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
    columns.map((c) => values[c]),
  )
  const resetToken = input.generatedPassword ? await createPasswordResetToken(m, id, now) : undefined
  return {
    id,
    flakeId: flakeIdToString(id),
    nickname: input.nickname,
    email: input.email,
    name,
    apId,
    moderator: input.moderator,
    admin: input.admin,
    resetToken,
  }
}

// ------------------------------------------------------------------ listing

export interface ListedUser {
  id: string
  uuid: string
  nickname: string
  local: boolean
  email: string | null
  name: string | null
  moderator: boolean
  admin: boolean
  locked: boolean
  active: boolean
  confirmed: boolean
  approved: boolean
  tags: string[]
  insertedAt: string
}

interface ListedRow {
  id: string
  nickname: string
  local: boolean
  email: string | null
  name: string | null
  is_moderator: boolean
  is_admin: boolean
  is_locked: boolean
  is_active: boolean
  is_confirmed: boolean
  is_approved: boolean
  tags: string[] | null
  /** ISO 8601 UTC, formatted by the database. */
  inserted_at: string
}

/** Which users `user:list` shows; every condition is combined with AND and done in SQL. */
export interface UserFilter {
  /** 'local' (default, as Pleroma), 'remote', or 'all'. */
  scope?: 'local' | 'remote' | 'all'
  admin?: boolean
  moderator?: boolean
  active?: boolean
  confirmed?: boolean
  approved?: boolean
  locked?: boolean
  tags?: string[]
  /** Remote users of this host (exact, case-insensitive). */
  instance?: string
  emailDomain?: string
  createdAfter?: string
  createdBefore?: string
  search?: string
}

/** Escapes LIKE wildcards so that the text matches literally. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c)
}

/**
 * The filter as an SQL condition with its parameters (`$firstParam`...), or
 * with the values written in by `literal` (for COPY, which takes no
 * parameters; every value is a string).
 */
export function userFilterSql(f: UserFilter, firstParam = 1, literal?: (value: string) => string): {where: string; params: unknown[]} {
  const where = [`nickname IS NOT NULL`, `nickname NOT LIKE 'internal.%'`]
  const params: unknown[] = []
  const p = (v: string) => {
    if (literal) return literal(v)
    params.push(v)
    return `$${firstParam + params.length - 1}`
  }
  const scope = f.instance ? 'remote' : (f.scope ?? 'local')
  if (scope === 'local') where.push('local')
  if (scope === 'remote') where.push('NOT local')
  const flag = (column: string, value: boolean | undefined) => {
    if (value !== undefined) where.push(value ? column : `NOT ${column}`)
  }
  flag('is_admin', f.admin)
  flag('is_moderator', f.moderator)
  flag('is_active', f.active)
  flag('is_confirmed', f.confirmed)
  flag('is_approved', f.approved)
  flag('is_locked', f.locked)
  for (const tag of f.tags ?? []) where.push(`${p(tag)} = ANY(tags)`)
  if (f.instance) where.push(`nickname LIKE ${p('%@' + likeLiteral(f.instance.toLowerCase()))}`)
  if (f.emailDomain) where.push(`email LIKE ${p('%@' + likeLiteral(f.emailDomain.toLowerCase()))}`)
  if (f.createdAfter) where.push(`inserted_at >= ${p(f.createdAfter)}`)
  if (f.createdBefore) where.push(`inserted_at < ${p(f.createdBefore)}`)
  if (f.search) {
    const pattern = p('%' + likeLiteral(f.search) + '%')
    where.push(`(nickname ILIKE ${pattern} OR name ILIKE ${pattern} OR email ILIKE ${pattern})`)
  }
  return {where: where.join(' AND '), params}
}

/** What user:list reads of a user, in ListedRow's order; the date as ISO 8601 UTC by the database (whatever its DateStyle). */
const LISTED_COLUMNS = `id, nickname, local, email, name, is_moderator, is_admin, is_locked, is_active, is_confirmed, is_approved, tags,
  to_char(inserted_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS inserted_at`

/**
 * Users as Pleroma lists them (nickname set, not `internal.*`; local ones
 * unless the filter says otherwise), ordered by id, as pages of rows read by
 * keyset so that memory stays flat whatever the size of the instance. The
 * keyset starts from the nil uuid (below every id): a plain `id > $2` lets
 * each page start on the primary key where the last one ended (an
 * `$2 IS NULL OR ...` would scan from the start every time). The next page is
 * asked for as soon as a page arrives, so the database reads it while this
 * one is formatted and written out.
 */
async function* userRowPages(m: EntityManager, filter: UserFilter, options: {pageSize?: number; limit?: number}): AsyncGenerator<ListedRow[]> {
  const pageSize = options.pageSize ?? 1000
  let remaining = options.limit ?? Number.POSITIVE_INFINITY
  const {where, params} = userFilterSql(filter, 3)
  const fetch = (after: string, size: number): Promise<ListedRow[]> =>
    m.query(
      `SELECT ${LISTED_COLUMNS}
         FROM users
        WHERE ${where} AND id > $2::uuid
        ORDER BY id
        LIMIT $1`,
      [size, after, ...params],
    )
  let size = Math.min(pageSize, remaining)
  let next = fetch('00000000-0000-0000-0000-000000000000', size)
  while (remaining > 0) {
    const rows = await next
    remaining -= rows.length
    const more = rows.length === size && remaining > 0
    if (more) {
      size = Math.min(pageSize, remaining)
      next = fetch(rows[rows.length - 1].id, size)
    }
    yield rows
    if (!more) return
  }
}

/** The users of the filter, one at a time (see userRowPages). */
export async function* iterateUsers(m: EntityManager, filter: UserFilter = {}, options: {pageSize?: number; limit?: number} = {}): AsyncGenerator<ListedUser> {
  for await (const rows of userRowPages(m, filter, options)) for (const r of rows) yield listedUser(r)
}

/**
 * The same users as JSON (a ListedUser each, keys in the same order), framed
 * as asked (a JSON array's items, or one per line), in chunks to write out as
 * they come: memory stays flat whatever the size of the instance.
 *
 * On a PostgreSQL server the rows come from one `COPY (SELECT ...) TO STDOUT`
 * read as it streams and encoded byte by byte (user-json-copy.ts): keyset
 * pages through node-postgres made the JSON listing of a large instance
 * three times slower than psql's COPY of the same columns. The stream is
 * read only as fast as the consumer takes the chunks. The embedded database
 * has no streaming COPY and reads keyset pages, each written by userJson.
 */
export async function* userJsonChunks(m: EntityManager, filter: UserFilter, options: {limit?: number; framing: JsonFraming}): AsyncGenerator<Buffer | string> {
  if (await canCopyOut(m)) {
    // node-postgres' own quoting (E'...' when the value has backslashes); its utils are loaded with its client already.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const {escapeLiteral} = require('pg/lib/utils') as {escapeLiteral(value: string): string}
    const {where} = userFilterSql(filter, 1, escapeLiteral)
    const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`
    const encoder = new CopyUserJsonEncoder(options.framing)
    // The encoder reads timestamps as DateStyle ISO writes them (whatever the server's default).
    await m.query(`SET LOCAL DateStyle = 'ISO, MDY'`)
    for await (const data of copyOut(m, `COPY (SELECT ${COPY_COLUMNS} FROM users WHERE ${where} ORDER BY id${limit}) TO STDOUT`)) {
      const json = encoder.push(data)
      if (json.length > 0) yield json
    }
    encoder.end()
    return
  }
  const {first, between, after} = options.framing
  let any = false
  for await (const rows of userRowPages(m, filter, options)) {
    if (rows.length === 0) continue
    yield (any ? between : first) + rows.map(userJson).join(after + between) + after
    any = true
  }
}

const jsonString = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v))

/** JSON.stringify(listedUser(row)), without building the object. */
function userJson(r: ListedRow): string {
  return (
    `{"id":"${flakeIdToString(r.id)}","uuid":"${r.id}","nickname":${jsonString(r.nickname)},"local":${r.local},` +
    `"email":${jsonString(r.email)},"name":${jsonString(r.name)},"moderator":${r.is_moderator},"admin":${r.is_admin},` +
    `"locked":${r.is_locked},"active":${r.is_active},"confirmed":${r.is_confirmed},"approved":${r.is_approved},` +
    `"tags":${JSON.stringify(r.tags ?? [])},"insertedAt":"${r.inserted_at}"}`
  )
}

export async function countUsers(m: EntityManager, filter: UserFilter = {}): Promise<number> {
  const {where, params} = userFilterSql(filter)
  const rows: Array<{n: string}> = await m.query(`SELECT count(*) AS n FROM users WHERE ${where}`, params)
  return Number(rows[0].n)
}

function listedUser(r: ListedRow): ListedUser {
  return {
    id: flakeIdToString(r.id),
    uuid: r.id,
    nickname: r.nickname,
    local: r.local,
    email: r.email,
    name: r.name,
    moderator: r.is_moderator,
    admin: r.is_admin,
    locked: r.is_locked,
    active: r.is_active,
    confirmed: r.is_confirmed,
    approved: r.is_approved,
    tags: r.tags ?? [],
    insertedAt: r.inserted_at,
  }
}

/** Pleroma's line: `alice moderator: false, admin: true, locked: false, deactivated: false`. */
export function formatUserLine(u: ListedUser): string {
  return `${u.nickname} moderator: ${u.moderator}, admin: ${u.admin}, locked: ${u.locked}, deactivated: ${!u.active}`
}
