import {nicknameArg} from '../../args'
import {BaseCommand, dryRunFlag} from '../../base-command'
import {RefusedError} from '../../errors'
import {runtime} from '../../runtime-loader'

/** `user:activate --json` (a dry run gives what would change). */
export interface UserActivateResult {
  nickname: string
  local: boolean
  /** Always true: the user is (dry run: would be) active afterwards. */
  active: boolean
  /** Accepted follows of active local accounts removed (set_activation does this in both directions; normally 0 here). */
  followsRemoved: number
  dryRun: boolean
}

export default class UserActivate extends BaseCommand<typeof UserActivate> {
  static summary = 'Activate an inactive user (local or remote).'

  static description = `Pleroma's activate task (User.set_activation(user, true)): sets users.is_active to true (updated_at bumped). Works on any user, local or remote (remote users as nick@host).

As Pleroma's set_activation does in both directions, the user's accepted follows of other active local accounts (internal actors excepted) are deleted from following_relationships; a user deactivated by Pleroma or by user:deactivate has none left, so normally nothing is removed. follower_count and following_count are recomputed for the user, the accounts concerned and its local followers (who count it again). No ActivityPub activity is sent.

Prints a summary and Pleroma's "Successfully activated NICK". A user that is already active: "User NICK already activated", nothing written, exit code 4. Unknown: "No user NICK", exit 3. A running Pleroma may show the old state until its user cache expires.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> spammer@remote.example --json',
    '<%= config.bin %> <%= command.id %> alice --dry-run',
  ]

  static args = {
    nickname: nicknameArg,
  }

  static flags = {
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserActivateResult> {
    const {flags, args} = this
    const svc = runtime().activation
    const dryRun = flags['dry-run']

    const result = await this.inTransaction(async ({m, instanceHost}) => {
      const user = await svc.requireUserState(m, args.nickname, instanceHost)
      if (user.active) throw alreadyActive(user.nickname)
      const plan = await svc.planActivation(m, user, true)
      this.out(summaryLine(svc.describeUser(user), plan.localFollows, plan.localFollowers))
      if (dryRun) return {user, followsRemoved: plan.localFollows}
      const done = await svc.changeActivation(m, user, true)
      // Another admin activated it between the lookup and the row lock.
      if (!done.changed) throw alreadyActive(user.nickname)
      return {user: done.user, followsRemoved: done.followsRemoved}
    })

    if (dryRun) this.note('Dry run: nothing was written.')
    else this.out(`Successfully activated ${result.user.nickname}`)
    return {nickname: result.user.nickname, local: result.user.local, active: true, followsRemoved: result.followsRemoved, dryRun}
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

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
