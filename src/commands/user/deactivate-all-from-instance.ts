import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {actorFlag, dryRunFlag, yesFlag} from '../../base-command'
import {InstanceBatchCommand} from '../../instance-command'
import {runtime} from '../../runtime-loader'
import type {LiveEffects} from '../../services/live'
import {plural} from '../../text'

/** `user:deactivate-all-from-instance --json` (a dry run gives what would change). */
export interface UserDeactivateAllFromInstanceResult {
  instance: string
  /** Users of the instance (active or not). */
  users: number
  /** Users deactivated by this run (dry run: the active ones). */
  deactivated: number
  /** Accepted follows of local accounts removed (dry run: that would be removed). */
  followsRemoved: number
  batches: number
  /** OAuth tokens deleted: the deactivated users are signed out (dry run: that would be). */
  tokensDeleted: number
  /** Jobs queued for the running server (user_activation per deactivated user; dry run: that would be). */
  refreshJobsQueued: number
  /** Whether moderation_log entries were (dry run: would be) written (--actor: one "deactivate" per batch). */
  moderationLogged: boolean
  dryRun: boolean
}

export default class UserDeactivateAllFromInstance extends InstanceBatchCommand<typeof UserDeactivateAllFromInstance> {
  static summary = 'Deactivate every active user of a remote instance, as user:deactivate does for one.'

  static description = `Pleroma's deactivate_all_from_instance task: user:deactivate for every active user whose nickname is NAME@INSTANCE.

The host is compared exactly and case-insensitively. Pleroma selects the users with nickname ILIKE '%@INSTANCE%', a substring match: there "dead.example" also catches the users of dead.example.org and dead.example:8443, and % or _ in the argument act as wildcards. Here they do not: a port is part of the host (dead.example:8443 is another instance), and % and _ are ordinary characters.

For each active user of the instance, as Pleroma's set_activation does: users.is_active is set to false (updated_at bumped), the user's accepted follows of active local accounts (internal actors excepted) are deleted from following_relationships (no ActivityPub activity is sent), and its follows of remote accounts and the follows of it stay. follower_count and following_count of the local users concerned move by exactly what changed, in the transaction of the batch that changes it: an account they followed has one follower less per accepted follow of a user deactivated now, a local follower one followed account less per accepted follow of such a user. Counters that matched the rows before the run match them after it. Users that are already inactive are left as they are (and no counter moves for them).

The instance's users are read once, then processed in batches of --batch-size, ordered by id; each batch is one transaction. Ctrl-C stops after the current batch; an interrupted run leaves whole batches done, and running the command again finishes the job.

Shows a summary with counts from the database and asks before changing anything (-y skips the question). Prints Pleroma's line per user, "Successfully deactivated NICK and unsubscribed all local followers" or "User NICK already deactivated", and a final "Done: ..." line on stderr. To also remove every follow the users have (remote ones, pending requests), use user:unsubscribe-all-from-instance.

In each batch's transaction: the deactivated users are signed out (OAuth tokens and authorizations deleted), the server's own user_activation job is queued for each (on a Pleroma database with a job queue: a running server applies the change to its cached copies when its queue runs), and with --actor (or PLEROMA_ADMIN_ACTOR) one "deactivate" entry naming the batch's deactivated users is written to the moderation log.`

  static hiddenAliases = ['user:deactivate_all_from_instance']

  static examples = [
    '<%= config.bin %> <%= command.id %> spam.example --dry-run',
    '<%= config.bin %> <%= command.id %> spam.example --yes',
    '<%= config.bin %> <%= command.id %> spam.example:8443 --yes --batch-size 100 --json',
  ]

  static args = {
    instance: Args.string({
      description: 'Host name of the instance, as after the @ of its users (e.g. spam.example or spam.example:8443); no scheme, no path.',
      required: true,
      ignoreStdin: true,
    }),
  }

  static flags = {
    'batch-size': Flags.integer({summary: 'Users per transaction.', default: 500, min: 1}),
    yes: yesFlag,
    'dry-run': dryRunFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserDeactivateAllFromInstanceResult> {
    const {flags} = this
    const svc = runtime().activation
    const instance = svc.validateInstanceHost(this.args.instance, `${this.config.bin} user:deactivate-all-from-instance`)
    const batchSize = flags['batch-size']

    const live = runtime().live
    const {summary, actor, preview} = await this.inTransaction(async ({m, db, actor}) => {
      const a = await actor()
      const summary = await svc.summarizeInstanceDeactivation(m, instance)
      return {summary, actor: a, preview: await live.previewActivation(m, db.schema, a, summary.activeIds, false)}
    })
    const inactive = summary.users - summary.active
    const ended = await this.planInstanceRun({
      instance,
      users: summary.users,
      summary: () =>
        `${instance}: ${plural(summary.users, 'user')} (${summary.active} active${inactive > 0 ? `, ${inactive} already inactive` : ''}); ` +
        `${plural(summary.follows, 'follow')} of local accounts will be removed; ` +
        `the counters of ${plural(summary.localFollowers, 'local follower')} will be lowered` +
        (preview.tokensDeleted > 0 ? `; they will be signed out (${plural(preview.tokensDeleted, 'OAuth token')} deleted).` : '.'),
      dryRun: flags['dry-run'],
      yes: flags.yes,
      wouldDo: () => ({
        instance,
        users: summary.users,
        deactivated: summary.active,
        followsRemoved: summary.follows,
        batches: Math.ceil(summary.users / batchSize),
        ...preview,
        dryRun: true,
      }),
    })
    if (ended) return ended

    let deactivated = 0
    let followsRemoved = 0
    const effects: LiveEffects = {tokensDeleted: 0, refreshJobsQueued: 0, moderationLogged: false}
    const {users, batches} = await this.userBatches({
      label: `Deactivating users of ${instance}`,
      ids: summary.ids,
      batchSize,
      work: async (chunk) => {
        const batch = await this.inTransaction(async ({m, db}) => {
          const b = await svc.deactivateInstanceBatch(m, instance, chunk)
          const done = new Set(b.deactivated)
          const e = await live.activationChanged(
            m,
            db.schema,
            actor,
            b.users.filter((u) => done.has(u.id)),
            false,
          )
          return {...b, effects: e}
        })
        effects.tokensDeleted += batch.effects.tokensDeleted
        effects.refreshJobsQueued += batch.effects.refreshJobsQueued
        effects.moderationLogged ||= batch.effects.moderationLogged
        deactivated += batch.deactivated.length
        followsRemoved += batch.followsRemoved
        return batch
      },
      lines: (batch) => {
        const now = new Set(batch.deactivated)
        return batch.users.map((u) =>
          now.has(u.id) ? `Successfully deactivated ${u.nickname} and unsubscribed all local followers` : `User ${u.nickname} already deactivated`,
        )
      },
      interrupted: (users, batches) =>
        `Interrupted after ${plural(users, 'user')} of ${summary.users} (${batches} whole ${batches === 1 ? 'batch' : 'batches'}); ${plural(deactivated, 'user')} deactivated so far, nothing half-done.`,
    })

    const already = users - deactivated
    this.instanceRunDone(
      `Done: ${plural(deactivated, 'user')} of ${instance} deactivated${already > 0 ? ` (${already} already inactive)` : ''}, ` +
        `${plural(followsRemoved, 'follow')} of local accounts removed.`,
      effects.moderationLogged,
      actor,
    )
    return {instance, users, deactivated, followsRemoved, batches, ...effects, dryRun: false}
  }
}
