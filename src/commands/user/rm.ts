import {localNicknamesArg} from '../../args'
import * as Flags from '@oclif/core/flags'
import {actorFlag, dryRunFlag, forceFlag, noFederateFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, SkippedUser, stdinFlag, type BulkResult, type BulkTotal} from '../../bulk-users'
import {parseDuration, type Duration} from '../../duration'
import {NotFoundError, UsageError} from '../../errors'
import {plural} from '../../text'
import {runtime} from '../../runtime-loader'
import {batchSizeFlag, DeliveryTally, UserDeletionCommand} from '../../user-deletion-command'
import type {EntityManager} from 'typeorm'

/** `user:rm --json`: one user's (a dry run gives what would be deleted; --grace: what was put to sleep); several users or --due: each one's outcome. */
export type UserRmResult = UserRmOne | UserRmGraceOne | BulkResult<UserRmOne> | BulkResult<UserRmGraceOne>

/** `user:rm --grace --json` of one user. */
export interface UserRmGraceOne {
  nickname: string
  /** When the deletion falls due (ISO 8601 UTC): user:rm --due deletes it from then on. */
  dueAt: string
  /** The account was active before (user:restore reactivates it). */
  wasActive: boolean
  /** OAuth tokens deleted: the account is signed out now (dry run: that would be). */
  tokensDeleted: number
  /** Follow relationships of the account, both ways: kept until the deletion. */
  followsKept: number
  /** Jobs queued for the running server (verify_fields_links: it re-reads the user; dry run: that would be). */
  refreshJobsQueued: number
  /** Whether a moderation_log entry was (dry run: would be) written (--actor). */
  moderationLogged: boolean
  dryRun: boolean
}

/** The per-user counts user:rm sums over several users. */
const RM_TOTALS = (r: UserRmOne): BulkTotal[] => [
  {key: 'posts', n: r.posts, one: 'post', many: 'posts'},
  {key: 'likesAndAnnounces', n: r.likesAndAnnounces, one: 'like or announce', many: 'likes and announces'},
  {key: 'followers', n: r.followers, one: 'follower', many: 'followers'},
  {key: 'follows', n: r.follows, one: 'follow', many: 'follows'},
  {key: 'tokens', n: r.tokens, one: 'OAuth token', many: 'OAuth tokens'},
  {key: 'purged', n: r.purged ? 1 : 0, one: 'account purged', many: 'accounts purged'},
  {key: 'deleted', n: r.deleted ? 1 : 0, one: 'account deleted outright', many: 'accounts deleted outright'},
]

/** `user:rm --json` of one user. */
export interface UserRmOne {
  nickname: string
  posts: number
  likesAndAnnounces: number
  followers: number
  follows: number
  tokens: number
  /** The row is kept, purged and deactivated (Pleroma's end state). */
  purged: boolean
  /** The row is deleted (an account still pending approval or confirmation). */
  deleted: boolean
  batches: number
  /** Deliveries were queued in the server's job queue (false: --no-federate, or not a server's database). */
  federated: boolean
  /** publish_one jobs queued (a dry run: that would be queued), one per activity and inbox. */
  deliveries: number
  /** Distinct servers (hosts) those deliveries go to. */
  deliveryServers: number
  dryRun: boolean
}

export default class UserRm extends UserDeletionCommand<typeof UserRm> {
  static summary = 'Delete a local user: posts, likes, follows, sign-ins; the account is purged and stays reserved.'

  static description = `Does at once what Pleroma's user deletion leaves in the database once its background job has run:

- first, in a transaction of its own, the account is deactivated and signed out (its OAuth tokens and authorizations deleted; beyond Pleroma: a deleted account keeps no live sign-ins), so it can post nothing while the rest goes; the follower and following counts of the local users it follows or is followed by are recomputed;
- the user's posts are deleted and its likes and announces undone, exactly as user:delete-activities does;
- a Delete activity of the account is recorded;
- every follow relationship of the user is removed, both ways and in any state (the Follow activities are marked "cancelled"), and the follower and following counts of the other local users recomputed;
- notifications caused by the user's activities are deleted, for every recipient;
- the users row is purged (bio, name, e-mail, password, avatar, fields, roles, counters ... emptied) and deactivated; it is kept so that the nickname stays reserved. An account still pending approval or confirmation is deleted outright instead; report notes it wrote are deleted with it, and apps it owns that others' tokens still use are kept without an owner.

Other servers are told, on a Pleroma or Akkoma database: the Delete of the account (to its remote followers' servers), the Deletes of its posts, the Undos of its likes, announces and follows of remote accounts are queued as the server's own delivery jobs (publish_one, queue federator_outgoing), worked out before the follows go, one per activity and inbox; the running server sends them with its own signatures and retries. --no-federate leaves them out. Nothing is queued for an account whose row is deleted, nor on the tool's own database.

With --actor (or PLEROMA_ADMIN_ACTOR), a "delete" entry naming the user is written to the moderation log in the transaction that finishes the account.

Posts go in batches (--batch-size), each its own transaction; the account is purged only in the last one, so if the command is interrupted, it is left deactivated and signed out with its remaining posts: run it again to finish. Works on a deactivated user too (Pleroma says "No local user" for one). Shows the counts and asks before changing anything.

With --grace DURATION (30d, 12h, 1s, 0d; s, m, h, d, w, y) nothing is deleted yet: the account is deactivated and signed out now, and the date its deletion falls due is recorded in its tags (pleroma-admin:delete-after:<ISO date>, visible in admin-fe; pleroma-admin:was-inactive too when it was inactive already). Its follows, both ways, its posts, roles and tags are kept meanwhile (Pleroma's own deactivation would delete its follows of local accounts, which cannot be put back), so user:restore puts it back exactly; only its sign-ins are gone. user:rm --due (for cron) then deletes, as above, every account whose deletion has fallen due, with one summary, progress and --json; each account is claimed under a row lock (FOR UPDATE SKIP LOCKED) and deleted in one transaction, so two runs at once delete it once, and an account restored meanwhile (its tag gone) is left alone. user:list --pending-deletion lists the accounts waiting, with their due dates. With --actor, the grace period is a "deactivate" entry of the moderation log and the deletion a "delete" entry.

${BULK_HELP}${BULK_STAFF_HELP}`

  static examples = [
    '<%= config.bin %> <%= command.id %> spammer --dry-run',
    '<%= config.bin %> <%= command.id %> spammer --yes',
    '<%= config.bin %> <%= command.id %> spammer --yes --json',
    '<%= config.bin %> <%= command.id %> spam1 spam2 spam3 --dry-run',
    '<%= config.bin %> user:list --unconfirmed --created-before 2026-01-01 --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
    '<%= config.bin %> <%= command.id %> spammer --grace 7d --yes',
    '<%= config.bin %> <%= command.id %> --due --yes --json',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    'batch-size': batchSizeFlag("Activities per batch of the user's posts, likes and announces"),
    'no-federate': noFederateFlag,
    stdin: stdinFlag,
    'include-staff': includeStaffFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
    force: forceFlag,
    actor: actorFlag,
    grace: Flags.string({
      summary: 'Do not delete yet: deactivate and sign out now, delete once this long has passed (user:rm --due; user:restore undoes it).',
      helpValue: 'DURATION',
      exclusive: ['due'],
    }),
    due: Flags.boolean({
      summary: 'Delete every account whose deletion with a grace period has fallen due (for cron); takes no nickname.',
      default: false,
      exclusive: ['grace', 'stdin', 'include-staff'],
    }),
  }

  async run(): Promise<UserRmResult> {
    const {flags} = this
    if (flags.due) return this.removeDue()
    if (flags.grace !== undefined) {
      const grace = parseDuration(flags.grace, '--grace')
      return this.forUsers<UserRmGraceOne>(
        {
          ...this.commandLineUsers(),
          destructive: true,
          verb: `will be deactivated and signed out, and deleted in ${grace.text}`,
          rehearse: true,
          totals: (r) => [
            {key: 'tokensDeleted', n: r.tokensDeleted, one: 'OAuth token deleted', many: 'OAuth tokens deleted'},
            {key: 'followsKept', n: r.followsKept, one: 'follow relationship kept', many: 'follow relationships kept'},
          ],
        },
        (nickname, dryRun) => this.graceOne(nickname, dryRun, grace),
      )
    }
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: true,
        verb: 'will be deleted',
        rehearse: true,
        totals: RM_TOTALS,
      },
      (nickname, dryRun) => this.removeOne(nickname, dryRun),
    )
  }

  /** user:rm --due: every account whose deletion has fallen due, as a run on several users. */
  private async removeDue(): Promise<UserRmResult> {
    const {flags} = this
    if ((this.args.nicknames ?? []).length > 0) {
      throw new UsageError('--due takes no nickname: it deletes every account whose deletion has fallen due.', 'Leave out the nicknames, or leave out --due.')
    }
    const db = await this.openDb()
    const due = await db.transaction((m) => runtime().grace.dueUsers(m))
    if (due.length === 0) {
      this.out('No deletion is due.')
      return {dryRun: flags['dry-run'], users: 0, succeeded: 0, failed: 0, skipped: 0, interrupted: false, totals: {}, outcomes: []}
    }
    return this.forUsers<UserRmOne>(
      {
        nicknames: due.map((d) => d.nickname),
        stdin: false,
        dryRun: flags['dry-run'],
        yes: flags.yes,
        // Chosen when they were given their grace period: no account is skipped for its role now.
        destructive: false,
        bulk: true,
        verb: 'are due and will be deleted',
        rehearse: true,
        totals: RM_TOTALS,
      },
      (nickname, dryRun) => this.removeOne(nickname, dryRun, true),
    )
  }

  /** user:rm --grace of one user: deactivated and signed out now, the due date in its tags. */
  private async graceOne(nickname: string, dryRun: boolean, grace: Duration): Promise<UserRmGraceOne> {
    const {planGrace, startGrace, alreadyPending, isoSeconds} = runtime().grace
    const {requireLocalUser} = runtime().users
    const {usersChanged, rereadJobCount} = runtime().live
    const dueAt = isoSeconds(new Date(Math.floor(Date.now() / 1000) * 1000 + grace.seconds * 1000))
    const {plan, id, actor, jobs} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const u = await requireLocalUser(m, nickname, instanceHost, {action: 'delete', force: this.flags.force})
      const p = await planGrace(m, u.id)
      if (p.pendingDue) throw alreadyPending(p.nickname, p.pendingDue)
      return {plan: p, id: u.id, actor: a, jobs: rereadJobCount(db.schema, [{local: true}])}
    })
    this.out(
      `${plan.nickname} (local, ${plan.active ? 'active' : 'deactivated'}): will be deactivated and signed out now (${plural(plan.tokens, 'OAuth token')} deleted) ` +
        `and deleted once due, at ${dueAt} (user:rm --due); until then its ${plural(plan.followsKept, 'follow relationship')}, posts, roles and tags are kept ` +
        `(user:restore ${plan.nickname} puts it back).`,
    )
    const shape = (r: {tokensDeleted: number; refreshJobsQueued: number; moderationLogged: boolean}): UserRmGraceOne => ({
      nickname: plan.nickname,
      dueAt,
      wasActive: plan.active,
      tokensDeleted: r.tokensDeleted,
      followsKept: plan.followsKept,
      refreshJobsQueued: r.refreshJobsQueued,
      moderationLogged: r.moderationLogged,
      dryRun,
    })
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return shape({tokensDeleted: plan.tokens, refreshJobsQueued: jobs, moderationLogged: actor !== undefined})
    }
    await this.confirmOrAbort('Continue?', this.flags.yes, `${plan.nickname} was not changed.`)
    const done = await this.inTransaction(async ({m, db}) => {
      const r = await startGrace(m, id, dueAt)
      const subject = [{id, nickname: r.nickname, local: true}]
      // No user_activation job: the server's set_activation would delete the follows the grace period keeps (src/services/grace.ts).
      const effects = await usersChanged(m, db.schema, actor, subject, [{action: 'deactivate', subject}])
      return {...effects, tokensDeleted: r.tokensDeleted}
    })
    this.out(`${plan.nickname} deactivated and signed out; its deletion is due at ${dueAt}.`)
    if (done.moderationLogged) this.note(`Recorded in the moderation log as done by ${actor!.nickname}.`)
    return shape(done)
  }

  /** user:rm of one user: the summary line, the confirmation, the batches. */
  private async removeOne(nickname: string, dryRun: boolean, due = false): Promise<UserRmOne> {
    const {flags} = this
    const removal = runtime().deleteUser
    const {count, postsPhrase} = runtime().deletionSummary
    const plan = await this.planDeletion(
      nickname,
      (m, target) => removal.countUserRemoval(m, target),
      {action: 'delete', force: flags.force},
      {
        noFederate: flags['no-federate'],
        // An account whose row goes cannot sign anything: nothing is queued for it.
        parts: (c) => ({activities: !c.deleteRow, actorDelete: !c.deleteRow, followUndos: !c.deleteRow}),
      },
    ).catch((error: unknown) => {
      // --due: an account pending approval or confirmation whose row another run deleted meanwhile.
      if (due && error instanceof NotFoundError) throw new SkippedUser('deleted meanwhile (by another run)')
      throw error
    })
    const {counts, target} = plan
    const federation = counts.deleteRow ? null : plan.federation

    const items = [
      postsPhrase(counts.posts, counts.likes + counts.announces),
      count(counts.followers, 'follower', 'followers'),
      count(counts.follows, 'follow', 'follows'),
      count(counts.tokens, 'OAuth token', 'OAuth tokens'),
    ]
    let outcome = 'the account stays reserved, purged and deactivated'
    if (counts.deleteRow) {
      if (counts.reportNotes > 0) items.push(count(counts.reportNotes, 'report note', 'report notes'))
      const why = [!target.isApproved && 'pending approval', !target.isConfirmed && 'pending confirmation'].filter(Boolean).join(' and ')
      outcome = `the account will be deleted (it was ${why})`
    }
    this.printPlan(target, items.join(', '), `; ${outcome}`)
    this.printFederation(plan)

    const shape = (
      dryRun: boolean,
      c: {posts: number; likes: number; announces: number; followers: number; follows: number; tokens: number},
      batches: number,
      deliveries: {jobs: number; servers: number},
    ) => ({
      nickname: target.nickname,
      posts: c.posts,
      likesAndAnnounces: c.likes + c.announces,
      followers: c.followers,
      follows: c.follows,
      tokens: c.tokens,
      purged: !counts.deleteRow,
      deleted: counts.deleteRow,
      batches,
      federated: federation !== null,
      deliveries: deliveries.jobs,
      deliveryServers: deliveries.servers,
      dryRun,
    })
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return shape(true, counts, 0, plan.preview)
    }
    await this.confirmOrAbort('Continue?', flags.yes, `User ${target.nickname} was not deleted.`)

    let finished: Awaited<ReturnType<typeof removal.finishUserRemoval>> | undefined
    let logged = false
    const tally = new DeliveryTally()
    const federate = federation ? this.federator(plan, tally) : undefined
    const {claimDue} = runtime().grace
    // --due: each transaction claims the account first (its row lock, SKIP LOCKED, and its deletion still due): another run at the same time, or a restore, leaves it to them.
    const transaction: (<R>(fn: (m: EntityManager) => Promise<R>) => Promise<R>) | undefined = due
      ? (fn) =>
          plan.db.transaction(async (m) => {
            if (!(await claimDue(m, target.id))) throw new SkippedUser('no longer due: restored, or deleted by another run')
            return fn(m)
          })
      : undefined
    // First, on its own: deactivated and signed out, so the account can post nothing while its posts go (docs/pleroma/tasks.md#rm).
    const started = await (transaction ?? ((fn) => plan.db.transaction(fn)))(async (m) => {
      await runtime().counters.lockWithFollowPartners(m, [target.id])
      const locked = await runtime().deleteActivities.lockTarget(m, target.id)
      return removal.startUserRemoval(m, [locked.id])
    })
    const totals = await this.deleteInBatches(plan, {
      transaction,
      batchSize: flags['batch-size'],
      interrupted: '; the account is deactivated and signed out, not removed yet.',
      federate,
      finish: async (m, locked, now) => {
        finished = await removal.finishUserRemoval(m, locked, {
          instanceUrl: plan.instanceUrl,
          userColumns: plan.db.schema.userColumns,
          now,
          federate: federate && ((mm, outgoing) => federate(mm, locked, outgoing)),
        })
        // The admin API's "delete" entry (docs/live-instance.md#moderation-log), with the deletion.
        logged = await runtime().live.logEntries(m, plan.actor, [{action: 'delete', subject: [{id: locked.id, nickname: locked.nickname}]}])
      },
    })
    this.out(`User ${nickname} deleted.`)
    if (logged) this.note(`Recorded in the moderation log as done by ${plan.actor!.nickname}.`)
    if (federation) this.noteDeliveries(plan, tally)
    return {
      ...shape(false, {...totals, followers: finished!.followers, follows: finished!.follows, tokens: started.tokens + finished!.tokens}, totals.batches, {
        jobs: tally.jobs,
        servers: tally.hosts.size,
      }),
      purged: finished!.purged,
      deleted: finished!.deleted,
    }
  }
}
