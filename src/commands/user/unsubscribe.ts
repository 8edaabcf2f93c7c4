import {nicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag, noFederateFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'
import {plural} from '../../text'

/** `user:unsubscribe --json`: one user's (a dry run gives what would change); several users: each one's outcome. */
export type UserUnsubscribeResult = UserUnsubscribeOne | BulkResult<UserUnsubscribeOne>

/** `user:unsubscribe --json` of one user. */
export interface UserUnsubscribeOne {
  nickname: string
  deactivated: boolean
  /** The accounts it no longer follows, by nickname (ap_id when it has none). */
  unsubscribed: string[]
  /** Deliveries were queued in the server's job queue (a local user on a server's database, without --no-federate). */
  federated: boolean
  /** publish_one jobs queued (a dry run: that would be queued): the Undos of its follows of remote accounts. */
  deliveries: number
  /** Distinct servers (hosts) those deliveries go to. */
  deliveryServers: number
  dryRun: boolean
}

export default class UserUnsubscribe extends BaseCommand<typeof UserUnsubscribe> {
  static summary = 'Deactivate a user and remove every follow it has.'

  static description = `Works on any user, local or remote (remote users as nick@host), as Pleroma's unsubscribe task did:

  - users.is_active is set to false (a user that is already inactive stays so; updated_at is bumped only when it changes);
  - every row of following_relationships where the user is the follower is deleted: follows of local and remote accounts, accepted, pending or rejected. Follows of the user by others stay;
  - for a local user on a Pleroma or Akkoma database, each accepted or pending follow of a remote account that has a Follow activity is undone as Pleroma's unfollow does it: the Follow is marked "cancelled", an Undo activity is stored, and its delivery to that account's inbox is queued in the server's job queue (publish_one, queue federator_outgoing) for the running server to send. --no-federate leaves this out (no activity is written then). A remote user's follows are removed here only: nobody on this server can sign an Undo for it;
  - follower_count and following_count are recomputed for every local user whose numbers depend on the change: the user, the accounts it followed, and its local followers.

A user deactivated here is also signed out (its OAuth tokens and authorizations deleted), the server's own user_activation job is queued for it (on a Pleroma database with a job queue), and with --actor (or PLEROMA_ADMIN_ACTOR) a "deactivate" entry is written to the moderation log; the removed follows are not logged one by one.

Shows a summary with counts from the database and asks before changing anything (-y skips the question). Prints "Deactivating NICK", one "Unsubscribing FRIEND from NICK" per removed follow, in the order the follows were made (relationship id), and "Successfully unsubscribed all followers from NICK" (Pleroma's wording). A followed account without a nickname is shown by its ap_id.

${BULK_HELP}${BULK_STAFF_HELP}`

  static examples = [
    '<%= config.bin %> <%= command.id %> spammer',
    '<%= config.bin %> <%= command.id %> spammer@remote.example --yes --json',
    '<%= config.bin %> <%= command.id %> spammer --dry-run --json',
    '<%= config.bin %> user:list --instance spam.example --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
  ]

  static args = {
    nicknames: nicknamesArg,
  }

  static flags = {
    'no-federate': noFederateFlag,
    stdin: stdinFlag,
    'include-staff': includeStaffFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
    force: forceFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserUnsubscribeResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: true,
        verb: 'will be deactivated and unsubscribed',
        // Users of the selection who follow one another: the rehearsal sees each follow removed once, as the real run does.
        rehearse: true,
        totals: (r) => [
          {key: 'unsubscribed', n: r.unsubscribed.length, one: 'follow removed', many: 'follows removed'},
          {key: 'deliveries', n: r.deliveries, one: 'delivery queued', many: 'deliveries queued'},
        ],
      },
      (nickname, dryRun) => this.unsubscribeOne(nickname, dryRun),
    )
  }

  /** user:unsubscribe of one user: the summary, the confirmation, the change. */
  private async unsubscribeOne(nickname: string, dryRun: boolean): Promise<UserUnsubscribeOne> {
    const {flags} = this
    const db = await this.openDb()
    const svc = runtime().activation
    const fedSvc = runtime().federation
    const {objectIdExpression} = runtime().deleteActivities

    const live = runtime().live
    const {plan, federation, actor, preview, moderator} = await db.transaction(async (m) => {
      const moderator = await this.moderationActor(m, db)
      const user = await svc.requireUserState(m, nickname, () => this.instanceHost(m, db), {action: 'deactivate and unsubscribe', force: flags.force})
      const plan = await svc.planUnsubscribe(m, user)
      // Only a local user's follows can be undone: the server signs with its key.
      const format = user.local && !flags['no-federate'] ? await fedSvc.detectJobFormat(m, db.schema) : null
      if (!format) return {plan, federation: null, actor: null, preview: {jobs: 0, servers: 0}, moderator}
      const federation = {format, instanceUrl: await this.instanceUrl(m, db)}
      const actor = await fedSvc.federationActor(m, user.id)
      const preview = await fedSvc.previewDeliveries(
        m,
        federation,
        actor,
        {activities: false, actorDelete: false, followUndos: true},
        await objectIdExpression(m),
      )
      return {plan, federation, actor, preview, moderator}
    })
    const local = plan.follows.filter((f) => f.local).length
    this.out(
      `${svc.describeUser(plan.user)} will be deactivated; ${plural(plan.follows.length, 'follow')} will be removed ` +
        `(${local} of local accounts, ${plan.follows.length - local} of remote ones); ` +
        `the counters of ${plural(plan.localFollowers, 'local follower')} will be recomputed.`,
    )
    if (federation) {
      this.out(
        `Federation: ${plural(preview.jobs, 'delivery', 'deliveries')} to ${plural(preview.servers, 'server')} will be queued in the server's job queue.`,
      )
    }
    const counts = (d: {jobs: number; servers: number}) => ({federated: federation !== null, deliveries: d.jobs, deliveryServers: d.servers})
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return {nickname: plan.user.nickname, deactivated: true, unsubscribed: plan.follows.map((f) => f.friend), ...counts(preview), dryRun: true}
    }

    await this.confirmOrAbort('Continue?', flags.yes, `${plan.user.nickname} will not be deactivated or unsubscribed.`)

    const queued = {jobs: 0, servers: 0}
    const result = await db.transaction(async (m) => {
      const undo =
        federation && actor
          ? async (mm: typeof m, _user: unknown, now: string) => {
              const undos = await fedSvc.undoRemoteFollows(mm, actor, federation.instanceUrl, now, await objectIdExpression(mm), runtime().flakeId.newFlakeId)
              const r = await fedSvc.queueDeliveries(mm, federation, actor, undos)
              queued.jobs = r.jobs
              queued.servers = r.hosts.length
            }
          : undefined
      const r = await svc.unsubscribeUser(m, plan.user.id, undefined, undo)
      // Deactivated here: signed out, the server's user_activation job, the actor's "deactivate" entry.
      const deactivated = r.deactivated.length > 0 ? [{id: r.user.id, nickname: r.user.nickname}] : []
      return {...r, effects: await live.activationChanged(m, db.schema, moderator, deactivated, false)}
    })
    const nick = result.user.nickname
    this.out(`Deactivating ${nick}`)
    for (const f of result.removed) this.out(`Unsubscribing ${f.friend} from ${nick}`)
    this.out(`Successfully unsubscribed all followers from ${nick}`)
    const logged = live.loggedNote(result.effects, moderator)
    if (logged) this.note(logged)
    if (federation) this.note(`Queued ${plural(queued.jobs, 'delivery', 'deliveries')} to ${plural(queued.servers, 'server')} for the server to send.`)
    return {nickname: nick, deactivated: true, unsubscribed: result.removed.map((f) => f.friend), ...counts(queued), dryRun: false}
  }
}
