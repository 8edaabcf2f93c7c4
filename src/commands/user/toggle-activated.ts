import {nicknamesArg} from '../../args'
import {BaseCommand, dryRunFlag, forceFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'

/** `user:toggle-activated --json`: one user's; several users: each one's outcome. */
export type UserToggleActivatedResult = UserToggleActivatedOne | BulkResult<UserToggleActivatedOne>

/** `user:toggle-activated --json` of one user. */
export interface UserToggleActivatedOne {
  nickname: string
  /** The activation status afterwards (dry run: as it would be). */
  active: boolean
  followsRemoved: number
  dryRun: boolean
}

export default class UserToggleActivated extends BaseCommand<typeof UserToggleActivated> {
  static summary = 'Deactivate an active user, or activate an inactive one.'

  static description = `Works on any user, local or remote (remote users as nick@host). Flips users.is_active (updated_at bumped), as current Pleroma's set_activation does:

  - in both directions, the user's accepted follows of active local accounts are deleted from following_relationships (no ActivityPub activity is sent); its follows of remote accounts and its followers stay;
  - follower_count and following_count are recomputed for every local user whose numbers depend on the change: the user, the accounts it follows, and its local followers.

Shows a summary with counts from the database and asks before changing anything (-y skips the question). Prints "Activation status of NICK: deactivated" or "...: activated".

${BULK_HELP}${BULK_STAFF_HELP}`

  static hiddenAliases = ['user:toggle_activated']

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> spammer@remote.example --yes --json',
    '<%= config.bin %> <%= command.id %> alice --dry-run',
    '<%= config.bin %> user:list --active --tag spam --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
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
  }

  async run(): Promise<UserToggleActivatedResult> {
    const {flags} = this
    return this.forUsers(
      {
        nicknames: this.args.nicknames ?? [],
        stdin: flags.stdin,
        dryRun: flags['dry-run'],
        yes: flags.yes,
        destructive: true,
        includeStaff: flags['include-staff'],
        verb: 'will be activated or deactivated',
        rehearse: true,
        totals: (r) => [
          {key: 'activated', n: r.active ? 1 : 0, one: 'activated', many: 'activated'},
          {key: 'deactivated', n: r.active ? 0 : 1, one: 'deactivated', many: 'deactivated'},
          {key: 'followsRemoved', n: r.followsRemoved, one: 'follow of local accounts removed', many: 'follows of local accounts removed'},
        ],
      },
      (nickname, dryRun) => this.toggleOne(nickname, dryRun),
    )
  }

  private async toggleOne(nickname: string, dryRun: boolean): Promise<UserToggleActivatedOne> {
    const {flags} = this
    const db = await this.openDb()
    const svc = runtime().activation

    const plan = await db.transaction(async (m) => {
      const user = await svc.requireUserState(m, nickname, () => this.instanceHost(m, db), {action: 'deactivate or activate', force: flags.force})
      return svc.planActivation(m, user, !user.active)
    })
    const verb = plan.active ? 'activated' : 'deactivated'
    this.out(
      `${svc.describeUser(plan.user)} will be ${verb}; ${plural(plan.localFollows, 'follow')} of local accounts will be removed; ` +
        `the counters of ${plural(plan.localFollowers, 'local follower')} will be recomputed.`,
    )
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return {nickname: plan.user.nickname, active: plan.active, followsRemoved: plan.localFollows, dryRun: true}
    }

    await this.confirmOrAbort('Continue?', flags.yes, `The activation status of ${plan.user.nickname} will not be changed.`)

    const result = await db.transaction((m) => svc.setActivation(m, plan.user.id, plan.active))
    this.out(`Activation status of ${result.user.nickname}: ${verb}`)
    return {nickname: result.user.nickname, active: plan.active, followsRemoved: result.followsRemoved, dryRun: false}
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
