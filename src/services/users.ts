/**
 * Users: lookup as Pleroma's tasks do it (nickname, or nick@our host), the
 * registration of `mix pleroma.user new` (lib/mix/tasks/pleroma/user.ex and
 * User.register_changeset in lib/pleroma/user.ex, Pleroma v2.9.1) and the
 * user list. Plain functions over the EntityManager of one transaction: no
 * printing, no oclif.
 */
import {generateKeyPairSync} from 'node:crypto'
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {SigningKey} from '../entities/signing-key'
import {columnsOf, tableOf} from '../entities/names'
import {NotFoundError, RefusedError} from '../errors'
import {newFlakeId, flakeIdToString} from '../db/flake-id'
import {canCopyOut, copyOut} from '../db/connection'
import {utcNowDate} from '../db/time'
import type {SchemaInfo} from '../db/schema'
import {createPasswordResetToken} from './password-reset'
import {CopyUserJsonEncoder, type JsonFraming} from './user-json-copy'
import {refuseServiceActor, type ServiceActorGuard} from './service-actors'
import {PENDING_DELETION_PREFIX} from './grace-tags'

const U = columnsOf(User)

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

/** The user with this nickname (compared as citext: the parameter takes the column's type), its default columns. */
function userByNickname(m: EntityManager, nickname: string): Promise<User | null> {
  return m.findOne(User, {where: {nickname}})
}

/**
 * A user of any kind, or NotFoundError `No user NICK` (exit 3). With a
 * `guard`, a service actor is refused (exit 4) unless forced.
 */
export async function requireUser(m: EntityManager, nickname: string, instanceHost?: () => Promise<string>, guard?: ServiceActorGuard): Promise<User> {
  const user = await findUser(m, nickname, instanceHost)
  if (!user)
    throw new NotFoundError(`No user ${nickname}`, 'Check the nickname (remote users are nick@host); `pleroma-admin user:list --search` finds local ones.')
  refuseServiceActor(user, guard)
  return user
}

/**
 * A local user, or `No local user NICK`: exit 3 when nobody has that
 * nickname, exit 4 when it is a remote user. With a `guard`, a service
 * actor is refused (exit 4) unless forced.
 */
export async function requireLocalUser(m: EntityManager, nickname: string, instanceHost?: () => Promise<string>, guard?: ServiceActorGuard): Promise<User> {
  const user = await findUser(m, nickname, instanceHost)
  if (!user) throw new NotFoundError(`No local user ${nickname}`, 'Check the nickname; `pleroma-admin user:list --search TEXT` finds local users.')
  if (!user.local) throw new RefusedError(`No local user ${nickname}`, `${user.nickname} is a remote user; this command works on local users only.`)
  refuseServiceActor(user, guard)
  return user
}

// ------------------------------------------------------------------ validation

/** Pleroma's restricted nicknames (config/config.exs:548, v2.9.1), compared case-insensitively (User.validate_not_restricted_nickname, lib/pleroma/user.ex:886). */
export const RESERVED_NICKNAMES = [
  '.well-known',
  '~',
  'about',
  'activities',
  'api',
  'auth',
  'check_password',
  'dev',
  'friend-requests',
  'inbox',
  'internal',
  'main',
  'media',
  'nodeinfo',
  'notice',
  'oauth',
  'objects',
  'ostatus_subscribe',
  'pleroma',
  'proxy',
  'push',
  'registration',
  'relay',
  'settings',
  'status',
  'tag',
  'user-search',
  'user_exists',
  'users',
  'web',
  'verify_credentials',
  'update_credentials',
  'relationships',
  'search',
  'confirmation_resend',
  'mfa',
]

const NICKNAME_RE = /^[a-zA-Z0-9_-]+$/
const EMAIL_RE = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
export const NAME_MAX = 100
export const BIO_MAX = 5000
const FEATURED_SUFFIX = '/collections/featured'

export function graphemeLength(s: string): number {
  return [...new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(s)].length
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
    throw new RefusedError(
      `The nickname is ${nickname.length} characters long; at most ${max} fit Pleroma's 255-character address columns on ${instanceUrl}.`,
      'Choose a shorter nickname.',
    )
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
  // One row that has the nickname, the e-mail address or the ap_id, and which of them (each compared with the column's type: citext is case-insensitive).
  const {entities, raw} = await m
    .createQueryBuilder(User, 'u')
    .select(['u.id', 'u.nickname', 'u.email', 'u.apId'])
    .addSelect(`CASE WHEN u.nickname = :nickname THEN 'nickname' WHEN u.email = :email THEN 'email' ELSE 'apId' END`, 'which')
    .where('u.nickname = :nickname OR u.email = :email OR u.apId = :apId', {
      nickname: input.nickname,
      email: input.email,
      apId: `${instanceUrl}/users/${input.nickname}`,
    })
    .limit(1)
    .getRawAndEntities<{which: 'nickname' | 'email' | 'apId'}>()
  const taken = entities[0]
  if (taken) {
    const which = raw[0].which
    if (which === 'nickname') throw new RefusedError(`The nickname ${input.nickname} is already taken (by ${taken.nickname}).`, 'Choose another nickname.')
    if (which === 'email')
      throw new RefusedError(`The e-mail address ${input.email} is already used by ${taken.nickname ?? taken.apId}.`, 'Use another address.')
    throw new RefusedError(`The address ${taken.apId} is already used.`, 'Choose another nickname.')
  }
}

/**
 * A new RSA-2048 key pair as Pleroma and Akkoma store it: the private key in
 * PKCS#1 PEM without a trailing newline (users.keys; Akkoma's
 * signing_keys.private_key), the public key in SubjectPublicKeyInfo PEM
 * ending in a blank line, as Erlang's :public_key.pem_encode writes it
 * (Akkoma's signing_keys.public_key, lib/pleroma/user/signing_key.ex).
 */
export function generateUserKeys(): {privateKey: string; publicKey: string} {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
    privateKeyEncoding: {type: 'pkcs1', format: 'pem'},
    publicKeyEncoding: {type: 'spki', format: 'pem'},
  })
  return {privateKey: privateKey.trimEnd(), publicKey: publicKey.trimEnd() + '\n\n'}
}

/** Columns registration leaves to their database defaults (NULL; last_digest_emailed_at now()), as Pleroma's insert does. */
type NotWrittenAtRegistration =
  | 'mascot'
  | 'rawBio'
  | 'registrationReason'
  | 'lastRefreshedAt'
  | 'lastDigestEmailedAt'
  | 'mfaSettings'
  | 'lastActiveAt'
  | 'lastStatusAt'
  | 'inbox'
  | 'sharedInbox'

/**
 * Inserts the row that Pleroma's registration writes (User.register_changeset,
 * lib/pleroma/user.ex:828, v2.9.1: the User schema's defaults, the addresses
 * of put_following_and_follower_and_featured_address (:950), a key pair
 * (put_private_key, :962), accepts_chat_messages true (:832)). Columns this
 * server lacks are left out (users differ between Pleroma 2.3, 2.9 and
 * Akkoma, see src/entities/user.ts); columns the entity does not map take
 * their database defaults.
 */
export async function createUser(m: EntityManager, schema: SchemaInfo, input: NewUserInput, instanceUrl: string, now = utcNowDate()): Promise<NewUserResult> {
  await validateNewUser(m, input, instanceUrl)
  const id = newFlakeId()
  const apId = `${instanceUrl}/users/${input.nickname}`
  const name = input.name ?? input.nickname
  const keys = generateUserKeys()
  const row: {[P in Exclude<keyof User, NotWrittenAtRegistration>]-?: User[P]} = {
    id,
    email: input.email,
    passwordHash: input.passwordHash,
    name,
    nickname: input.nickname,
    bio: input.bio ?? '',
    insertedAt: now,
    updatedAt: now,
    apId,
    avatar: {},
    local: true,
    followerAddress: `${apId}/followers`,
    followingAddress: `${apId}/following`,
    featuredAddress: `${apId}${FEATURED_SUFFIX}`,
    tags: [],
    keys: keys.privateKey,
    banner: {},
    background: {},
    noteCount: 0,
    followerCount: 0,
    followingCount: 0,
    isLocked: false,
    isConfirmed: true,
    passwordResetPending: false,
    confirmationToken: null,
    defaultScope: 'public',
    blocks: [],
    domainBlocks: [],
    mutes: [],
    mutedReblogs: [],
    mutedNotifications: [],
    subscribers: [],
    isActive: true,
    noRichText: false,
    isModerator: input.moderator,
    isAdmin: input.admin,
    showRole: true,
    uri: null,
    hideFollowersCount: false,
    hideFollowsCount: false,
    hideFollowers: false,
    hideFollows: false,
    hideFavorites: true,
    emailNotifications: {digest: false},
    emoji: {},
    pleromaSettingsStore: {},
    fields: [],
    rawFields: [],
    isDiscoverable: false,
    invisible: false,
    skipThreadContainment: false,
    alsoKnownAs: [],
    allowFollowingMove: true,
    actorType: 'Person',
    acceptsChatMessages: true,
    isApproved: true,
    pinnedObjects: {},
    discloseClient: true,
    isSuggested: false,
    showBirthday: false,
  }
  const properties = (Object.keys(row) as Array<keyof User>).filter((p) => schema.userColumns.has(U[p]))
  await m.createQueryBuilder().insert().into(User, properties).values(row).updateEntity(false).execute()
  if (schema.tables.has(tableOf(SigningKey))) {
    // Akkoma: the key pair the user signs with, in its own table (registration writes it there).
    await m.insert(SigningKey, {keyId: `${apId}#main-key`, userId: id, publicKey: keys.publicKey, privateKey: keys.privateKey, insertedAt: now, updatedAt: now})
  }
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

/**
 * What user:list shows of a user, in the order of its JSON (after `id`, the
 * FlakeId made from the uuid): each key with the User property it comes
 * from. The COPY path (user-json-copy.ts) reads the columns in this order.
 */
const LISTED_FIELDS: {readonly [K in Exclude<keyof ListedUser, 'id'>]: keyof User} = {
  uuid: 'id',
  nickname: 'nickname',
  local: 'local',
  email: 'email',
  name: 'name',
  moderator: 'isModerator',
  admin: 'isAdmin',
  locked: 'isLocked',
  active: 'isActive',
  confirmed: 'isConfirmed',
  approved: 'isApproved',
  tags: 'tags',
  insertedAt: 'insertedAt',
}

/** A listed user as the keyset pages read it: keys as in ListedUser, tags as stored, the date formatted by the database. */
type ListedRow = Omit<ListedUser, 'id' | 'tags'> & {tags: string[] | null}

/** The keyset pages' select list: each column as its ListedUser key; the date as ISO 8601 UTC by the database (whatever its DateStyle). */
const LISTED_SELECT = Object.entries(LISTED_FIELDS)
  .map(([key, property]) => (property === 'insertedAt' ? `to_char(${U[property]}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "${key}"` : `${U[property]} AS "${key}"`))
  .join(', ')

/** The COPY path's select list: the columns as stored (user-json-copy.ts formats them). */
const COPY_SELECT = Object.values(LISTED_FIELDS)
  .map((property) => U[property])
  .join(', ')

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
  /** Only accounts waiting for a deletion with a grace period (user:rm --grace). */
  pendingDeletion?: boolean
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
  const where = [`${U.nickname} IS NOT NULL`, `${U.nickname} NOT LIKE 'internal.%'`]
  const params: unknown[] = []
  const p = (v: string) => {
    if (literal) return literal(v)
    params.push(v)
    return `$${firstParam + params.length - 1}`
  }
  const scope = f.instance ? 'remote' : (f.scope ?? 'local')
  if (scope === 'local') where.push(U.local)
  if (scope === 'remote') where.push(`NOT ${U.local}`)
  const flag = (column: string, value: boolean | undefined) => {
    if (value !== undefined) where.push(value ? column : `NOT ${column}`)
  }
  flag(U.isAdmin, f.admin)
  flag(U.isModerator, f.moderator)
  flag(U.isActive, f.active)
  flag(U.isConfirmed, f.confirmed)
  flag(U.isApproved, f.approved)
  flag(U.isLocked, f.locked)
  for (const tag of f.tags ?? []) where.push(`${p(tag)} = ANY(${U.tags})`)
  if (f.instance) where.push(`${U.nickname} LIKE ${p('%@' + likeLiteral(f.instance.toLowerCase()))}`)
  if (f.emailDomain) where.push(`${U.email} LIKE ${p('%@' + likeLiteral(f.emailDomain.toLowerCase()))}`)
  if (f.createdAfter) where.push(`${U.insertedAt} >= ${p(f.createdAfter)}`)
  if (f.createdBefore) where.push(`${U.insertedAt} < ${p(f.createdBefore)}`)
  if (f.search) {
    const pattern = p('%' + likeLiteral(f.search) + '%')
    where.push(`(${U.nickname} ILIKE ${pattern} OR ${U.name} ILIKE ${pattern} OR ${U.email} ILIKE ${pattern})`)
  }
  if (f.pendingDeletion) where.push(`EXISTS (SELECT 1 FROM unnest(${U.tags}) AS t(tag) WHERE t.tag LIKE '${PENDING_DELETION_PREFIX}%')`)
  return {where: where.join(' AND '), params}
}

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
  const sql = `SELECT ${LISTED_SELECT} FROM ${tableOf(User)} WHERE ${where} AND ${U.id} > $2::uuid ORDER BY ${U.id} LIMIT $1`
  const fetch = (after: string, size: number) => m.query<ListedRow[]>(sql, [size, after, ...params])
  let size = Math.min(pageSize, remaining)
  let next = fetch('00000000-0000-0000-0000-000000000000', size)
  while (remaining > 0) {
    const rows = await next
    remaining -= rows.length
    const more = rows.length === size && remaining > 0
    if (more) {
      size = Math.min(pageSize, remaining)
      next = fetch(rows[rows.length - 1].uuid, size)
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
 * has no streaming COPY and reads keyset pages.
 */
export async function* userJsonChunks(m: EntityManager, filter: UserFilter, options: {limit?: number; framing: JsonFraming}): AsyncGenerator<Buffer | string> {
  if (await canCopyOut(m)) {
    // node-postgres' own quoting (E'...' when the value has backslashes); its utils are loaded with its client already.
    const {escapeLiteral} = require('pg/lib/utils') as {escapeLiteral: (value: string) => string}
    const {where} = userFilterSql(filter, 1, escapeLiteral)
    const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`
    const encoder = new CopyUserJsonEncoder(options.framing)
    // The encoder reads timestamps as DateStyle ISO writes them (whatever the server's default).
    await m.query(`SET LOCAL DateStyle = 'ISO, MDY'`)
    for await (const data of copyOut(m, `COPY (SELECT ${COPY_SELECT} FROM ${tableOf(User)} WHERE ${where} ORDER BY ${U.id}${limit}) TO STDOUT`)) {
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
    yield (any ? between : first) + rows.map((r) => JSON.stringify(listedUser(r))).join(after + between) + after
    any = true
  }
}

export async function countUsers(m: EntityManager, filter: UserFilter = {}): Promise<number> {
  const {where, params} = userFilterSql(filter)
  const rows = await m.query<Array<{n: string}>>(`SELECT count(*) AS n FROM ${tableOf(User)} WHERE ${where}`, params)
  return Number(rows[0].n)
}

/** The row with its FlakeId first (keys in ListedUser's order), tags never NULL. */
function listedUser(r: ListedRow): ListedUser {
  return {id: flakeIdToString(r.uuid), ...r, tags: r.tags ?? []}
}

/**
 * Pleroma's line. 2020 (the default): `alice moderator: false, admin: true, locked: false, deactivated: false`;
 * v2.9.1 (`v2.9.1:lib/mix/tasks/pleroma/user.ex:417-419`, docs/pleroma/tasks.md#list): `... locked: false, is_active: true`.
 */
export function formatUserLine(u: ListedUser, format: 'pleroma-2020' | 'pleroma-2.9' = 'pleroma-2020'): string {
  const head = `${u.nickname} moderator: ${u.moderator}, admin: ${u.admin}, locked: ${u.locked}`
  return format === 'pleroma-2.9' ? `${head}, is_active: ${u.active}` : `${head}, deactivated: ${!u.active}`
}
