import {nicknameArg} from '../../args'
import {BaseCommand} from '../../base-command'
import {runtime} from '../../runtime-loader'
import {printable} from '../../text'
import type {ShownUser} from '../../services/show'

/** `user:show --json`: one user, no secret. */
export interface UserShowResult {
  user: ShownUser
}

export default class UserShow extends BaseCommand<typeof UserShow> {
  static summary = 'Show one user, local or remote: ids, addresses, roles, flags, counters, tags, dates, counts.'

  static description = `Reads one users row and counts its rows elsewhere: posts (Create activities), accepted follows and pending follow requests each way, OAuth tokens; also the newest activity of the user in this database. The counters of the row (note_count, follower_count, following_count) are Pleroma's caches and shown next to the counts. Never shows a secret: no password hash, keys, tokens, confirmation token or MFA secret (only whether MFA is on). Strings a remote server sent (name, nickname, addresses) are printed with control characters escaped. Changes nothing.

Akkoma's show prints the inspected user struct, secrets included; this is the safe table.`

  static examples = ['<%= config.bin %> <%= command.id %> alice', '<%= config.bin %> <%= command.id %> bob@remote.example --json']

  static args = {
    nickname: nicknameArg,
  }

  async run(): Promise<UserShowResult> {
    const {showUser} = runtime().show
    const user = await this.inTransaction(({m, db, instanceHost}) => showUser(m, db.schema, this.args.nickname, instanceHost))
    const yes = (b: boolean) => (b ? 'yes' : 'no')
    const text = (s: string | null) => (s === null ? '-' : printable(s))
    const roles = [user.admin && 'admin', user.moderator && 'moderator'].filter(Boolean).join(', ') || '-'
    const rows: Array<[string, string]> = [
      ['nickname', text(user.nickname)],
      ['id', `${user.id} (uuid ${user.uuid})`],
      ['kind', `${user.local ? 'local' : 'remote'} ${text(user.actorType)}${user.invisible ? ', invisible' : ''}`],
      ['name', text(user.name)],
      ['email', text(user.email)],
      ['ap_id', text(user.apId)],
      ...(user.uri !== null && user.uri !== user.apId ? [['uri', text(user.uri)] as [string, string]] : []),
      ['followers address', text(user.followerAddress)],
      ['following address', text(user.followingAddress)],
      ['roles', roles],
      ['active', yes(user.active)],
      ['confirmed', yes(user.confirmed)],
      ['approved', yes(user.approved)],
      ['locked', yes(user.locked)],
      ['password reset pending', yes(user.passwordResetPending)],
      ['MFA', user.mfaEnabled ? 'enabled' : 'off'],
      ['tags', user.tags.length > 0 ? user.tags.map(printable).join(', ') : '-'],
      ['posts', `${user.posts} (note_count ${user.noteCount})`],
      ['followers', `${user.followers} (follower_count ${user.followerCount}), ${user.pendingFollowers} pending`],
      ['following', `${user.following} (following_count ${user.followingCount}), ${user.pendingFollowing} pending`],
      ['OAuth tokens', String(user.oauthTokens)],
      ['created', user.insertedAt],
      ['updated', user.updatedAt],
      ['last active', user.lastActiveAt ?? '-'],
      ['last post', user.lastStatusAt ?? '-'],
      ['last activity', user.lastActivityAt ?? '-'],
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    await this.outLines(rows.map(([k, v]) => `${(k + ':').padEnd(width + 1)} ${v}`))
    return {user}
  }
}
