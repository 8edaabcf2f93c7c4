import {nicknameArg} from '../../args'
import {BaseCommand, dryRunFlag, forceFlag, yesFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:unsubscribe --json` (a dry run gives what would change). */
export interface UserUnsubscribeResult {
  nickname: string
  deactivated: boolean
  /** The accounts it no longer follows, by nickname (ap_id when it has none). */
  unsubscribed: string[]
  dryRun: boolean
}

export default class UserUnsubscribe extends BaseCommand<typeof UserUnsubscribe> {
  static summary = 'Deactivate a user and remove every follow it has.'

  static description = `Works on any user, local or remote (remote users as nick@host), as Pleroma's unsubscribe task did:

  - users.is_active is set to false (a user that is already inactive stays so; updated_at is bumped only when it changes);
  - every row of following_relationships where the user is the follower is deleted: follows of local and remote accounts, accepted, pending or rejected. No ActivityPub activity is sent. Follows of the user by others stay;
  - follower_count and following_count are recomputed for every local user whose numbers depend on the change: the user, the accounts it followed, and its local followers.

Shows a summary with counts from the database and asks before changing anything (-y skips the question). Prints "Deactivating NICK", one "Unsubscribing FRIEND from NICK" per removed follow, in the order the follows were made (relationship id), and "Successfully unsubscribed all followers from NICK" (Pleroma's wording). A followed account without a nickname is shown by its ap_id.`

  static examples = [
    '<%= config.bin %> <%= command.id %> spammer',
    '<%= config.bin %> <%= command.id %> spammer@remote.example --yes --json',
    '<%= config.bin %> <%= command.id %> spammer --dry-run --json',
  ]

  static args = {
    nickname: nicknameArg,
  }

  static flags = {
    yes: yesFlag,
    'dry-run': dryRunFlag,
    force: forceFlag,
  }

  async run(): Promise<UserUnsubscribeResult> {
    const {flags, args} = this
    const db = await this.openDb()
    const svc = runtime().activation

    const plan = await db.transaction(async (m) => {
      const user = await svc.requireUserState(m, args.nickname, () => this.instanceHost(m, db), {action: 'deactivate and unsubscribe', force: flags.force})
      return svc.planUnsubscribe(m, user)
    })
    const local = plan.follows.filter((f) => f.local).length
    this.out(
      `${svc.describeUser(plan.user)} will be deactivated; ${plural(plan.follows.length, 'follow')} will be removed ` +
        `(${local} of local accounts, ${plan.follows.length - local} of remote ones); ` +
        `the counters of ${plural(plan.localFollowers, 'local follower')} will be recomputed.`,
    )
    if (flags['dry-run']) {
      this.note('Dry run: nothing was written.')
      return {nickname: plan.user.nickname, deactivated: true, unsubscribed: plan.follows.map((f) => f.friend), dryRun: true}
    }

    await this.confirmOrAbort('Continue?', flags.yes, `${plan.user.nickname} will not be deactivated or unsubscribed.`)

    const result = await db.transaction((m) => svc.unsubscribeUser(m, plan.user.id))
    const nick = result.user.nickname
    this.out(`Deactivating ${nick}`)
    for (const f of result.removed) this.out(`Unsubscribing ${f.friend} from ${nick}`)
    this.out(`Successfully unsubscribed all followers from ${nick}`)
    return {nickname: nick, deactivated: true, unsubscribed: result.removed.map((f) => f.friend), dryRun: false}
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
