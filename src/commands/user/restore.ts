import {localNicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {BULK_HELP, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'

/** `user:restore --json`: one user's (a dry run gives what would change); several users: each one's outcome. */
export type UserRestoreResult = UserRestoreOne | BulkResult<UserRestoreOne>

/** `user:restore --json` of one user. */
export interface UserRestoreOne {
  nickname: string
  /** When the cancelled deletion was due (ISO 8601 UTC). */
  dueAt: string
  /** Whether the account is (dry run: will be) active afterwards: false when it was inactive before its grace period. */
  active: boolean
  /** Jobs queued for the running server (verify_fields_links: it re-reads the user; dry run: that would be). */
  refreshJobsQueued: number
  /** Whether a moderation_log entry was (dry run: would be) written (--actor, when it is reactivated). */
  moderationLogged: boolean
  dryRun: boolean
}

export default class UserRestore extends BaseCommand<typeof UserRestore> {
  static summary = 'Cancel a deletion with a grace period (user:rm --grace): the account back as it was.'

  static description = `Within its grace period (before user:rm --due deletes it), puts back an account that user:rm --grace put to sleep: the markers of the pending deletion are removed from its tags, and it is active again, unless it was inactive before its grace period (then it stays inactive). Its follows (both ways), posts, roles, tags and settings are as they were, since the grace period kept them; the follow counters are recomputed. Its sign-ins stay deleted: it logs in again.

An account that is not waiting for a deletion is refused (exit 4). On a Pleroma database with a job queue, the server's verify_fields_links job is queued so a running server re-reads the user. With --actor (or PLEROMA_ADMIN_ACTOR), an "activate" entry is written to the moderation log when the account is reactivated.

${BULK_HELP}`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> alice bob --yes --json',
    '<%= config.bin %> user:list --pending-deletion --nicknames | <%= config.bin %> <%= command.id %> --stdin --dry-run',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    actor: actorFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserRestoreResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: 'will be restored',
        rehearse: true,
        totals: (r) => [{key: 'reactivated', n: r.active ? 1 : 0, one: 'account reactivated', many: 'accounts reactivated'}],
      },
      (nickname, dryRun) => this.restoreOne(nickname, dryRun),
    )
  }

  private async restoreOne(nickname: string, dryRun: boolean): Promise<UserRestoreOne> {
    const {planRestore, restoreUser} = runtime().grace
    const {requireLocalUser} = runtime().users
    const {usersChanged, rereadJobCount} = runtime().live
    const {plan, user, actor, jobs} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const u = await requireLocalUser(m, nickname, instanceHost)
      return {plan: await planRestore(m, u.id), user: u, actor: a, jobs: rereadJobCount(db.schema, [{local: true}])}
    })
    this.out(
      `${plan.nickname}: its deletion due ${plan.dueAt} is cancelled; ${plan.reactivate ? 'it will be active again' : 'it stays inactive, as it was before'}; its follows, posts, roles and tags are as they were (its sign-ins stay deleted).`,
    )
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return {
        nickname: plan.nickname,
        dueAt: plan.dueAt,
        active: plan.reactivate,
        refreshJobsQueued: jobs,
        moderationLogged: actor !== undefined && plan.reactivate,
        dryRun,
      }
    }
    await this.confirmOrAbort('Continue?', this.flags.yes, `${plan.nickname} was not restored.`)
    const done = await this.inTransaction(async ({m, db}) => {
      const r = await restoreUser(m, user.id)
      const subject = [{id: user.id, nickname: r.nickname, local: true}]
      const effects = await usersChanged(m, db.schema, actor, subject, r.active ? [{action: 'activate', subject}] : [])
      return {...r, effects}
    })
    this.out(`${done.nickname} restored${done.active ? ' and active again' : ' (inactive, as before)'}.`)
    if (done.effects.moderationLogged) this.note(`Recorded in the moderation log as done by ${actor!.nickname}.`)
    return {
      nickname: done.nickname,
      dueAt: done.dueAt,
      active: done.active,
      refreshJobsQueued: done.effects.refreshJobsQueued,
      moderationLogged: done.effects.moderationLogged,
      dryRun,
    }
  }
}
