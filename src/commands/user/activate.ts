import {nicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {BULK_HELP, SkippedUser, stdinFlag, type BulkResult} from '../../bulk-users'
import {RefusedError} from '../../errors'
import {runtime} from '../../runtime-loader'
import {plural} from '../../text'

/** `user:activate --json`: one user's (a dry run gives what would change); several users: each one's outcome. */
export type UserActivateResult = UserActivateOne | BulkResult<UserActivateOne>

/** `user:activate --json` of one user. */
export interface UserActivateOne {
  nickname: string
  local: boolean
  /** Always true: the user is (dry run: would be) active afterwards. */
  active: boolean
  /** Accepted follows of active local accounts removed (set_activation does this in both directions; normally 0 here). */
  followsRemoved: number
  /** Jobs queued for the running server (user_activation: it re-caches the user; dry run: that would be). */
  refreshJobsQueued: number
  /** Whether a moderation_log entry was (dry run: would be) written (--actor). */
  moderationLogged: boolean
  dryRun: boolean
}

export default class UserActivate extends BaseCommand<typeof UserActivate> {
  static summary = 'Activate an inactive user (local or remote).'

  static description = `Pleroma's activate task (User.set_activation(user, true)): sets users.is_active to true (updated_at bumped). Works on any user, local or remote (remote users as nick@host).

As Pleroma's set_activation does in both directions, the user's accepted follows of other active local accounts (internal actors excepted) are deleted from following_relationships; a user deactivated by Pleroma or by user:deactivate has none left, so normally nothing is removed. follower_count and following_count are recomputed for the user, the accounts concerned and its local followers (who count it again). No ActivityPub activity is sent.

Prints a summary and Pleroma's "Successfully activated NICK". A user that is already active: "User NICK already activated", nothing written, exit code 4. Unknown: "No user NICK", exit 3. On a Pleroma database with a job queue, the server's own user_activation job is queued, so a running server applies the change to its cached copy of the user when its queue runs. With --actor (or PLEROMA_ADMIN_ACTOR), an "activate" entry is written to the moderation log.

${BULK_HELP} A user that is already active is skipped; with several users the one confirmation is asked (-y skips it).`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> spammer@remote.example --json',
    '<%= config.bin %> <%= command.id %> alice --dry-run',
  ]

  static args = {
    nicknames: nicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserActivateResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: 'will be activated',
        rehearse: true,
        totals: (r) => [{key: 'followsRemoved', n: r.followsRemoved, one: 'follow of local accounts removed', many: 'follows of local accounts removed'}],
      },
      (nickname, dryRun) => this.activateOne(nickname, dryRun),
    )
  }

  private async activateOne(nickname: string, dryRun: boolean): Promise<UserActivateOne> {
    const svc = runtime().activation

    const live = runtime().live
    const result = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const user = await svc.requireUserState(m, nickname, instanceHost)
      if (user.active) throw new SkippedUser('already active', alreadyActive(user.nickname))
      const plan = await svc.planActivation(m, user, true)
      this.out(summaryLine(svc.describeUser(user), plan.localFollows, plan.localFollowers))
      if (dryRun) return {user, followsRemoved: plan.localFollows, effects: await live.previewActivation(m, db.schema, a, [user.id], true), actor: a}
      const done = await svc.changeActivation(m, user, true)
      // Another admin activated it between the lookup and the row lock.
      if (!done.changed) throw new SkippedUser('already active', alreadyActive(user.nickname))
      return {user: done.user, followsRemoved: done.followsRemoved, effects: await live.activationChanged(m, db.schema, a, [done.user], true), actor: a}
    })

    if (dryRun) this.note('Dry run: nothing was written.')
    else this.out(`Successfully activated ${result.user.nickname}`)
    if (!dryRun && result.effects.moderationLogged) this.note(`Recorded in the moderation log as done by ${result.actor!.nickname}.`)
    const {refreshJobsQueued, moderationLogged} = result.effects
    return {
      nickname: result.user.nickname,
      local: result.user.local,
      active: true,
      followsRemoved: result.followsRemoved,
      refreshJobsQueued,
      moderationLogged,
      dryRun,
    }
  }
}

function alreadyActive(nickname: string): RefusedError {
  return new RefusedError(`User ${nickname} already activated`, `Nothing was changed; \`pleroma-admin user:deactivate ${nickname}\` deactivates it.`)
}

function summaryLine(user: string, follows: number, followers: number): string {
  return (
    `${user} will be activated; ${plural(follows, 'follow')} of local accounts will be removed; ` +
    `the counters of ${plural(followers, 'local follower')} will be recomputed.`
  )
}
