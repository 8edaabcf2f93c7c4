import * as Flags from '@oclif/core/flags'
import {localNicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {BULK_HELP, SkippedUser, stdinFlag, type BulkResult} from '../../bulk-users'
import {AbortedError, RefusedError, UsageError} from '../../errors'
import {runtime} from '../../runtime-loader'

/** `user:approve --json`: one user's or --all's (a dry run gives what would change); several users: each one's outcome. */
export type UserApproveResult = UserApproveOne | BulkResult<UserApproveOne>

/** `user:approve --json` of one user, or of --all. */
export interface UserApproveOne {
  /** The users approved (dry run: that would be), in registration order. */
  approved: string[]
  /** Of those, the ones that have not confirmed their e-mail address yet. */
  unconfirmed: string[]
  dryRun: boolean
}

export default class UserApprove extends BaseCommand<typeof UserApprove> {
  static summary = 'Approve a pending registration, or all of them (--all).'

  static description = `What Pleroma's admin API "approve" does (User.approve), which pleroma_ctl has no task for: sets users.is_approved to true (updated_at bumped) for a local user whose registration waits for approval (an instance with account_approval_required). The user can then log in, once its e-mail address is confirmed where the instance requires that (user:confirm).

With NICKNAME, that user: prints "Approved NICK."; a user that is approved already: exit code 4, nothing written; unknown: "No local user NICK", exit 3; a remote user, exit 4. With several nicknames or --stdin, each of them (see below); a user approved already is skipped then, not a failure.

With --all, every pending registration: every local user with is_approved false (deactivated ones included, as the admin API lists them; internal actors excepted). Lists them (nickname, e-mail, date of registration, whether confirmed, the applicant's reason where the server stores it) and asks before changing anything (-y skips the question); changes them in batches of --batch-size, one transaction each (a re-run after Ctrl-C finishes the job).

No e-mail is sent and no auto-follow made (Pleroma sends the welcome e-mail and makes the configured auto-follows on approval).

On a Pleroma database with a job queue, the server's verify_fields_links job is queued per user approved (it re-reads and re-caches the user), so a running server sees the approval once its queue has run it. With --actor (or PLEROMA_ADMIN_ACTOR), an "approve" entry is written to the moderation log (with --all, one per batch naming the users it approved).

${BULK_HELP} Admins and moderators are not skipped. --all takes no nickname and no --stdin.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> --all --dry-run',
    '<%= config.bin %> <%= command.id %> --all --yes --json',
    '<%= config.bin %> user:list --unapproved --email-domain university.example --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    all: Flags.boolean({summary: 'Approve every pending registration (instead of NICKNAMES or --stdin).', default: false, exclusive: ['stdin']}),
    stdin: stdinFlag,
    'batch-size': Flags.integer({summary: 'Users per transaction (with --all).', default: 500, min: 1, max: 100000}),
    yes: yesFlag,
    'dry-run': dryRunFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserApproveResult> {
    const {flags} = this
    const given = (this.args.nicknames ?? []).length > 0
    if (given && flags.all)
      throw new UsageError('Give a NICKNAME or --all, not both.', 'user:approve alice approves one user, user:approve --all every pending registration.')
    if (!given && !flags.all && !flags.stdin)
      throw new UsageError('Missing NICKNAME (or --all).', 'user:approve alice approves one user, user:approve --all every pending registration.')
    if (flags.all) return this.approveAll()
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: 'will be approved',
        rehearse: true,
        totals: (r) => [{key: 'unconfirmed', n: r.unconfirmed.length, one: 'of them not confirmed yet', many: 'of them not confirmed yet'}],
      },
      (nickname, dryRun) => this.approveOne(nickname, dryRun),
    )
  }

  private async approveOne(nickname: string, dryRun: boolean): Promise<UserApproveOne> {
    const {requireLocalUser} = runtime().users
    const svc = runtime().approval
    const live = runtime().live
    const result = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const user = await requireLocalUser(m, nickname, instanceHost)
      const nick = user.nickname ?? nickname
      if (dryRun) {
        if (await svc.isApproved(m, user)) throw alreadyApproved(nick)
        return {nick, confirmed: user.isConfirmed, note: undefined}
      }
      if (!(await svc.approveUser(m, user)).changed) throw alreadyApproved(nick)
      const subject = {id: user.id, nickname: nick}
      const effects = await live.usersChanged(m, db.schema, a, [{...subject, local: true}], [{action: 'approve', subject: [subject]}])
      return {nick, confirmed: user.isConfirmed, note: live.loggedNote(effects, a)}
    })
    this.out(`Approved ${result.nick}.`)
    if (result.note) this.note(result.note)
    if (!result.confirmed) this.note(`${result.nick} has not confirmed the e-mail address yet; \`pleroma-admin user:confirm ${result.nick}\` confirms it.`)
    if (dryRun) this.note('Dry run: nothing was written.')
    return {approved: [result.nick], unconfirmed: result.confirmed ? [] : [result.nick], dryRun}
  }

  private async approveAll(): Promise<UserApproveOne> {
    const {flags} = this
    const svc = runtime().approval
    const dryRun = flags['dry-run']
    const batchSize = flags['batch-size']
    const live = runtime().live
    const {pending, actor} = await this.inTransaction(async ({m, db, actor}) => ({
      actor: await actor(),
      pending: await svc.pendingRegistrations(m, db.schema.userColumns.has('registration_reason')),
    }))
    if (pending.length === 0) {
      this.note('No pending registrations.')
      return {approved: [], unconfirmed: [], dryRun}
    }
    const lines = [`${pending.length} pending registration${pending.length === 1 ? '' : 's'} will be approved:`]
    for (const p of pending) {
      const state = [p.confirmed ? 'confirmed' : 'unconfirmed', ...(p.active ? [] : ['deactivated'])].join(', ')
      const reason = p.reason ? `: ${JSON.stringify(p.reason)}` : ''
      lines.push(`  ${p.nickname}${p.email ? ` <${p.email}>` : ''}, registered ${p.registeredAt} UTC (${state})${reason}`)
    }
    await this.outLines(lines)
    const unconfirmedOf = (nicks: string[]) => {
      const set = new Set(pending.filter((p) => !p.confirmed).map((p) => p.nickname))
      return nicks.filter((n) => set.has(n))
    }
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      const all = pending.map((p) => p.nickname)
      return {approved: all, unconfirmed: unconfirmedOf(all), dryRun}
    }

    await this.confirmOrAbort('Continue?', flags.yes, 'No registration was approved.')

    const ids = pending.map((p) => p.id)
    const shouldStop = this.stopBetweenBatches()
    const bar = this.progress('Approving registrations', ids.length)
    const approved: string[] = []
    let logged = false
    let batches = 0
    for (let start = 0; start < ids.length; start += batchSize) {
      const chunk = ids.slice(start, start + batchSize)
      const done = await this.inTransaction(async ({m, db}) => {
        const users = await svc.approveBatch(m, chunk)
        // One "approve" entry per batch naming the users it approved.
        const e = await live.usersChanged(
          m,
          db.schema,
          actor,
          users.map((u) => ({...u, local: true})),
          [{action: 'approve', subject: users}],
        )
        logged ||= e.moderationLogged
        return users
      })
      approved.push(...done.map((u) => u.nickname))
      batches++
      bar.advance(chunk.length)
      if (start + batchSize < ids.length && shouldStop()) {
        bar.done()
        throw new AbortedError(
          `Interrupted after ${batches} whole ${batches === 1 ? 'batch' : 'batches'}; ${approved.length} of ${pending.length} registrations approved so far.`,
          'Run the same command again to finish.',
        )
      }
    }
    bar.done()
    if (logged) this.note(`Recorded in the moderation log as done by ${actor!.nickname}.`)
    const unconfirmed = unconfirmedOf(approved)
    this.note(
      `Done: ${approved.length} registration${approved.length === 1 ? '' : 's'} approved.` +
        (unconfirmed.length > 0
          ? ` ${unconfirmed.length} of them ${unconfirmed.length === 1 ? 'has' : 'have'} not confirmed the e-mail address yet (user:confirm NICK, or user:confirm-all).`
          : ''),
    )
    return {approved, unconfirmed, dryRun}
  }
}

/** Approved already: alone, the error it always was (exit 4); among several users, skipped. */
function alreadyApproved(nickname: string): SkippedUser {
  return new SkippedUser('already approved', alreadyApprovedError(nickname))
}

function alreadyApprovedError(nickname: string): RefusedError {
  return new RefusedError(`${nickname} is approved already.`, 'Nothing was changed.')
}
