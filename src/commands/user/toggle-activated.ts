import {nicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'
import {plural} from '../../text'

/** `user:toggle-activated --json`: one user's; several users: each one's outcome. */
export type UserToggleActivatedResult = UserToggleActivatedOne | BulkResult<UserToggleActivatedOne>

/** `user:toggle-activated --json` of one user. */
export interface UserToggleActivatedOne {
  nickname: string
  /** The activation status afterwards (dry run: as it would be). */
  active: boolean
  followsRemoved: number
  /** OAuth tokens deleted (deactivation signs the account out). */
  tokensDeleted: number
  /** Jobs queued for the running server (its user_activation job re-caches the user). */
  refreshJobsQueued: number
  /** Whether a moderation_log entry was (dry run: would be) written (--actor). */
  moderationLogged: boolean
  dryRun: boolean
}

export default class UserToggleActivated extends BaseCommand<typeof UserToggleActivated> {
  static summary = 'Deactivate an active user, or activate an inactive one.'

  static description = `Works on any user, local or remote (remote users as nick@host). Flips users.is_active (updated_at bumped), as current Pleroma's set_activation does:

  - in both directions, the user's accepted follows of active local accounts are deleted from following_relationships (no ActivityPub activity is sent); its follows of remote accounts and its followers stay;
  - follower_count and following_count are recomputed for every local user whose numbers depend on the change: the user, the accounts it follows, and its local followers;
  - deactivating signs the account out: its OAuth tokens and authorizations are deleted, so nothing it holds opens the API any more;
  - on a Pleroma database with a job queue, the server's own user_activation job is queued: the running server applies the change to its cached copy of the user when its queue runs (seconds);
  - with --actor (or PLEROMA_ADMIN_ACTOR), an "activate"/"deactivate" entry is written to the moderation log.

Shows a summary with counts from the database and asks before changing anything (-y skips the question). Prints "Activation status of NICK: deactivated" or "...: activated".

${BULK_HELP}${BULK_STAFF_HELP}`

  static hiddenAliases = ['user:toggle_activated']

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> spammer@remote.example --yes --json',
    '<%= config.bin %> <%= command.id %> alice --dry-run',
    '<%= config.bin %> <%= command.id %> spammer --actor admin --yes',
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
    actor: actorFlag,
  }

  async run(): Promise<UserToggleActivatedResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: true,
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

    const live = runtime().live
    const {hasJobQueue} = runtime().oban
    const {logModeration} = runtime().moderationLog

    const {plan, actor, tokens} = await db.transaction(async (m) => {
      const ctx = this.taskContext(m, db)
      const actor = await ctx.actor()
      const user = await svc.requireUserState(m, nickname, ctx.instanceHost, {action: 'deactivate or activate', force: flags.force})
      const plan = await svc.planActivation(m, user, !user.active)
      const tokens = plan.active ? 0 : (await runtime().signOut.countSessions(m, user.id)).tokens
      return {plan, actor, tokens}
    })
    const verb = plan.active ? 'activated' : 'deactivated'
    this.out(
      `${svc.describeUser(plan.user)} will be ${verb}; ${plural(plan.localFollows, 'follow')} of local accounts will be removed; ` +
        `the counters of ${plural(plan.localFollowers, 'local follower')} will be recomputed` +
        (tokens > 0 ? `; it will be signed out (${plural(tokens, 'OAuth token')} deleted).` : '.'),
    )
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return {
        nickname: plan.user.nickname,
        active: plan.active,
        followsRemoved: plan.localFollows,
        tokensDeleted: tokens,
        refreshJobsQueued: hasJobQueue(db.schema) ? 1 : 0,
        moderationLogged: actor !== undefined,
        dryRun: true,
      }
    }

    await this.confirmOrAbort('Continue?', flags.yes, `The activation status of ${plan.user.nickname} will not be changed.`)

    const result = await db.transaction(async (m) => {
      const r = await svc.setActivation(m, plan.user.id, plan.active)
      const signedOut = plan.active ? {tokens: 0} : await live.signOutUsers(m, [r.user.id])
      const queued = await live.queueActivationRefresh(m, db.schema, [{id: r.user.id, active: plan.active}])
      const logged = await logModeration(m, actor, {action: plan.active ? 'activate' : 'deactivate', subject: [r.user]})
      return {...r, tokensDeleted: signedOut.tokens, queued, logged}
    })
    this.out(`Activation status of ${result.user.nickname}: ${verb}`)
    if (result.logged) this.note(`Recorded in the moderation log as done by ${actor!.nickname}.`)
    return {
      nickname: result.user.nickname,
      active: plan.active,
      followsRemoved: result.followsRemoved,
      tokensDeleted: result.tokensDeleted,
      refreshJobsQueued: result.queued,
      moderationLogged: result.logged,
      dryRun: false,
    }
  }
}
