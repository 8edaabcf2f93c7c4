import {localNicknamesArg} from '../../args'
import {actorFlag, dryRunFlag, forceFlag, noFederateFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'
import {batchSizeFlag, DeliveryTally, UserDeletionCommand} from '../../user-deletion-command'

/** `user:rm --json`: one user's (a dry run gives what would be deleted); several users: each one's outcome. */
export type UserRmResult = UserRmOne | BulkResult<UserRmOne>

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

- the user's posts are deleted and its likes and announces undone, exactly as user:delete-activities does;
- a Delete activity of the account is recorded;
- every follow relationship of the user is removed, both ways and in any state (the Follow activities are marked "cancelled"), and the follower and following counts of the other local users recomputed;
- notifications caused by the user's activities are deleted, for every recipient;
- the user's OAuth tokens and authorizations are deleted (beyond Pleroma: a deleted account keeps no live sign-ins);
- the users row is purged (bio, name, e-mail, password, avatar, fields, roles, counters ... emptied) and deactivated; it is kept so that the nickname stays reserved. An account still pending approval or confirmation is deleted outright instead; report notes it wrote are deleted with it, and apps it owns that others' tokens still use are kept without an owner.

Other servers are told, on a Pleroma or Akkoma database: the Delete of the account (to its remote followers' servers), the Deletes of its posts, the Undos of its likes, announces and follows of remote accounts are queued as the server's own delivery jobs (publish_one, queue federator_outgoing), worked out before the follows go, one per activity and inbox; the running server sends them with its own signatures and retries. --no-federate leaves them out. Nothing is queued for an account whose row is deleted, nor on the tool's own database.

With --actor (or PLEROMA_ADMIN_ACTOR), a "delete" entry naming the user is written to the moderation log in the transaction that finishes the account.

Posts go in batches (--batch-size), each its own transaction; the account itself is changed only in the last one, so if the command is interrupted, run it again to finish. Works on a deactivated user too (Pleroma says "No local user" for one). Shows the counts and asks before changing anything.

${BULK_HELP}${BULK_STAFF_HELP}`

  static examples = [
    '<%= config.bin %> <%= command.id %> spammer --dry-run',
    '<%= config.bin %> <%= command.id %> spammer --yes',
    '<%= config.bin %> <%= command.id %> spammer --yes --json',
    '<%= config.bin %> <%= command.id %> spam1 spam2 spam3 --dry-run',
    '<%= config.bin %> user:list --unconfirmed --created-before 2026-01-01 --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
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
  }

  async run(): Promise<UserRmResult> {
    const {flags} = this
    return this.forUsers(
      {
        nicknames: this.args.nicknames ?? [],
        stdin: flags.stdin,
        dryRun: flags['dry-run'],
        yes: flags.yes,
        destructive: true,
        includeStaff: flags['include-staff'],
        verb: 'will be deleted',
        rehearse: true,
        totals: (r) => [
          {key: 'posts', n: r.posts, one: 'post', many: 'posts'},
          {key: 'likesAndAnnounces', n: r.likesAndAnnounces, one: 'like or announce', many: 'likes and announces'},
          {key: 'followers', n: r.followers, one: 'follower', many: 'followers'},
          {key: 'follows', n: r.follows, one: 'follow', many: 'follows'},
          {key: 'tokens', n: r.tokens, one: 'OAuth token', many: 'OAuth tokens'},
          {key: 'purged', n: r.purged ? 1 : 0, one: 'account purged', many: 'accounts purged'},
          {key: 'deleted', n: r.deleted ? 1 : 0, one: 'account deleted outright', many: 'accounts deleted outright'},
        ],
      },
      (nickname, dryRun) => this.removeOne(nickname, dryRun),
    )
  }

  /** user:rm of one user: the summary line, the confirmation, the batches. */
  private async removeOne(nickname: string, dryRun: boolean): Promise<UserRmOne> {
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
    )
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
    const totals = await this.deleteInBatches(plan, {
      batchSize: flags['batch-size'],
      interrupted: '; the account is not removed yet.',
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
      ...shape(false, {...totals, followers: finished!.followers, follows: finished!.follows, tokens: finished!.tokens}, totals.batches, {
        jobs: tally.jobs,
        servers: tally.hosts.size,
      }),
      purged: finished!.purged,
      deleted: finished!.deleted,
    }
  }
}
