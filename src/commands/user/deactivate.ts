import {nicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, SkippedUser, stdinFlag, type BulkResult} from '../../bulk-users'
import {RefusedError} from '../../errors'
import {runtime} from '../../runtime-loader'
import {plural} from '../../text'

/** `user:deactivate --json`: one user's (a dry run gives what would change); several users: each one's outcome. */
export type UserDeactivateResult = UserDeactivateOne | BulkResult<UserDeactivateOne>

/** `user:deactivate --json` of one user. */
export interface UserDeactivateOne {
  nickname: string
  local: boolean
  /** Always false: the user is (dry run: would be) inactive afterwards. */
  active: boolean
  /** Accepted follows of active local accounts removed (dry run: that would be removed). */
  followsRemoved: number
  /** OAuth tokens deleted: deactivation signs the account out (dry run: that would be). */
  tokensDeleted: number
  /** Jobs queued for the running server (user_activation: it re-caches the user; dry run: that would be). */
  refreshJobsQueued: number
  /** Whether a moderation_log entry was (dry run: would be) written (--actor). */
  moderationLogged: boolean
  dryRun: boolean
}

export default class UserDeactivate extends BaseCommand<typeof UserDeactivate> {
  static summary = 'Deactivate an active user (local or remote) and unfollow the local accounts it follows.'

  static description = `Pleroma's deactivate task (User.set_activation(user, false)). Works on any user, local or remote (remote users as nick@host):

  - users.is_active is set to false (updated_at bumped);
  - the user's accepted follows of other active local accounts (internal actors excepted) are deleted from following_relationships. Its follows of remote accounts, its pending and rejected requests, its follows of inactive accounts and the follows of it by others stay. No ActivityPub activity is sent;
  - follower_count and following_count are recomputed for every local user whose numbers depend on the change: the user, the local accounts it followed, and its local followers (an inactive user is not counted).

Shows a summary with counts from the database and asks before changing anything (-y skips the question), then prints Pleroma's "Successfully deactivated NICK and unsubscribed all local followers". A user that is already inactive: "User NICK already deactivated", nothing written, exit code 4. Unknown: "No user NICK", exit 3. user:activate undoes the flag, not the removed follows. The account is signed out (its OAuth tokens and authorizations deleted). On a Pleroma database with a job queue, the server's own user_activation job is queued, so a running server applies the change to its cached copy of the user when its queue runs. With --actor (or PLEROMA_ADMIN_ACTOR), a "deactivate" entry is written to the moderation log.

${BULK_HELP}${BULK_STAFF_HELP} A user that is already inactive is skipped.`

  static examples = [
    '<%= config.bin %> <%= command.id %> spammer',
    '<%= config.bin %> <%= command.id %> spammer@remote.example --yes --json',
    '<%= config.bin %> <%= command.id %> spammer --dry-run',
    '<%= config.bin %> user:list --tag spam --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
  ]

  static args = {
    nicknames: nicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    'include-staff': includeStaffFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
    force: forceFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserDeactivateResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: true,
        verb: 'will be deactivated',
        rehearse: true,
        totals: (r) => [
          {key: 'followsRemoved', n: r.followsRemoved, one: 'follow of local accounts removed', many: 'follows of local accounts removed'},
          {key: 'tokensDeleted', n: r.tokensDeleted, one: 'OAuth token', many: 'OAuth tokens'},
        ],
      },
      (nickname, dryRun) => this.deactivateOne(nickname, dryRun),
    )
  }

  private async deactivateOne(nickname: string, dryRun: boolean): Promise<UserDeactivateOne> {
    const {flags} = this
    const svc = runtime().activation

    const live = runtime().live

    const {plan, actor, preview} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const user = await svc.requireUserState(m, nickname, instanceHost, {action: 'deactivate', force: flags.force})
      if (!user.active) throw new SkippedUser('already inactive', alreadyInactive(user.nickname))
      return {plan: await svc.planActivation(m, user, false), actor: a, preview: await live.previewActivation(m, db.schema, a, [user.id], false)}
    })
    this.out(
      `${svc.describeUser(plan.user)} will be deactivated; ${plural(plan.localFollows, 'follow')} of local accounts will be removed; ` +
        `the counters of ${plural(plan.localFollowers, 'local follower')} will be recomputed` +
        (preview.tokensDeleted > 0 ? `; it will be signed out (${plural(preview.tokensDeleted, 'OAuth token')} deleted).` : '.'),
    )
    const {local} = plan.user
    nickname = plan.user.nickname
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return {nickname, local, active: false, followsRemoved: plan.localFollows, ...preview, dryRun}
    }

    await this.confirmOrAbort('Continue?', flags.yes, `${nickname} was not deactivated.`)

    const done = await this.inTransaction(async ({m, db}) => {
      const r = await svc.changeActivation(m, plan.user, false)
      // Deactivated by someone else between the summary and the row lock.
      if (!r.changed) throw new SkippedUser('already inactive', alreadyInactive(nickname))
      return {...r, effects: await live.activationChanged(m, db.schema, actor, [r.user], false)}
    })
    this.out(`Successfully deactivated ${nickname} and unsubscribed all local followers`)
    if (done.effects.moderationLogged) this.note(`Recorded in the moderation log as done by ${actor!.nickname}.`)
    return {nickname, local, active: false, followsRemoved: done.followsRemoved, ...done.effects, dryRun}
  }
}

function alreadyInactive(nickname: string): RefusedError {
  return new RefusedError(`User ${nickname} already deactivated`, `Nothing was changed; \`pleroma-admin user:activate ${nickname}\` activates it.`)
}
