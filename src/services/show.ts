/**
 * One user, as Akkoma's `show` task means it (docs/pleroma/tasks.md#show),
 * without any secret: no password hash, keys, tokens, confirmation token or
 * MFA settings (only whether MFA is on). Plain functions over an
 * EntityManager: no printing, no oclif.
 */
import type {EntityManager} from 'typeorm'
import {User} from '../entities/user'
import {Activity} from '../entities/activity'
import {FollowingRelationship} from '../entities/relationships'
import {OAuthToken} from '../entities/oauth'
import {columnsOf} from '../entities/names'
import {flakeIdToString} from '../db/flake-id'
import type {SchemaInfo} from '../db/schema'
import {requireUser} from './users'

const U = columnsOf(User)

export interface ShownUser {
  /** The FlakeId, as Pleroma shows it in URLs and the API. */
  id: string
  uuid: string
  nickname: string
  local: boolean
  apId: string
  uri: string | null
  email: string | null
  name: string | null
  followerAddress: string | null
  followingAddress: string | null
  actorType: string
  admin: boolean
  moderator: boolean
  active: boolean
  confirmed: boolean
  approved: boolean
  locked: boolean
  invisible: boolean
  passwordResetPending: boolean
  mfaEnabled: boolean
  tags: string[]
  /** The cached counters of the users row. */
  noteCount: number
  followerCount: number
  followingCount: number
  /** Counted from the rows: Create activities by the user, accepted follows each way, pending follow requests each way, OAuth tokens. */
  posts: number
  followers: number
  following: number
  pendingFollowers: number
  pendingFollowing: number
  oauthTokens: number
  insertedAt: string
  updatedAt: string
  /** null also where the server has no such column. */
  lastActiveAt: string | null
  lastStatusAt: string | null
  /** The newest activity of the user in this database (any type). */
  lastActivityAt: string | null
}

function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null
}

/** The user (any, local or remote) with its counts; NotFoundError (exit 3) when there is none. */
export async function showUser(m: EntityManager, schema: SchemaInfo, nickname: string, instanceHost?: () => Promise<string>): Promise<ShownUser> {
  const found = await requireUser(m, nickname, instanceHost)
  const optional = (['lastActiveAt', 'lastStatusAt'] as const).filter((p) => schema.userColumns.has(U[p]))
  const qb = m
    .createQueryBuilder(User, 'u')
    .addSelect(optional.map((p) => `u.${p}`))
    .addSelect(`coalesce(u.${U.mfaSettings}->'enabled', 'false'::jsonb) = 'true'::jsonb`, 'mfa_enabled')
    .where('u.id = :id', {id: found.id})
  const {entities, raw} = await qb.getRawAndEntities<{mfa_enabled: boolean}>()
  const u = entities[0] ?? found
  const follows = await m
    .createQueryBuilder(FollowingRelationship, 'f')
    .select(`count(*) FILTER (WHERE f.followingId = :id AND f.state = 2)`, 'followers')
    .addSelect(`count(*) FILTER (WHERE f.followerId = :id AND f.state = 2)`, 'following')
    .addSelect(`count(*) FILTER (WHERE f.followingId = :id AND f.state = 1)`, 'pending_followers')
    .addSelect(`count(*) FILTER (WHERE f.followerId = :id AND f.state = 1)`, 'pending_following')
    .where('(f.followerId = :id OR f.followingId = :id) AND f.followerId <> f.followingId', {id: u.id})
    .getRawOne<{followers: string; following: string; pending_followers: string; pending_following: string}>()
  const activity = await m
    .createQueryBuilder(Activity, 'a')
    .select(`count(*) FILTER (WHERE a.data->>'type' = 'Create')`, 'posts')
    .addSelect(`to_char(max(a.insertedAt), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`, 'last')
    .where('a.actor = :ap', {ap: u.apId})
    .getRawOne<{posts: string; last: string | null}>()
  return {
    id: flakeIdToString(u.id),
    uuid: u.id,
    nickname: u.nickname!,
    local: u.local,
    apId: u.apId,
    uri: u.uri,
    email: u.email,
    name: u.name,
    followerAddress: u.followerAddress,
    followingAddress: u.followingAddress,
    actorType: u.actorType,
    admin: u.isAdmin,
    moderator: u.isModerator,
    active: u.isActive,
    confirmed: u.isConfirmed,
    approved: u.isApproved,
    locked: u.isLocked,
    invisible: u.invisible,
    passwordResetPending: u.passwordResetPending,
    mfaEnabled: raw[0]?.mfa_enabled ?? false,
    tags: u.tags ?? [],
    noteCount: u.noteCount,
    followerCount: u.followerCount,
    followingCount: u.followingCount,
    posts: Number(activity?.posts ?? 0),
    followers: Number(follows?.followers ?? 0),
    following: Number(follows?.following ?? 0),
    pendingFollowers: Number(follows?.pending_followers ?? 0),
    pendingFollowing: Number(follows?.pending_following ?? 0),
    oauthTokens: await m.countBy(OAuthToken, {userId: u.id}),
    insertedAt: iso(u.insertedAt)!,
    updatedAt: iso(u.updatedAt)!,
    lastActiveAt: iso(u.lastActiveAt),
    lastStatusAt: iso(u.lastStatusAt),
    lastActivityAt: activity?.last ?? null,
  }
}
