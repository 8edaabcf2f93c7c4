import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {actorFlag, dryRunFlag, yesFlag} from '../../base-command'
import {AbortedError} from '../../errors'
import {InstanceBatchCommand} from '../../instance-command'
import type {Database} from '../../db/connection'
import {runtime} from '../../runtime-loader'
import type {InstanceBatchResult, InstanceSummary} from '../../services/activation'
import type {LiveEffects} from '../../services/live'
import type {ModerationActor} from '../../services/moderation-log'
import {plural} from '../../text'

/** `user:unsubscribe-all-from-instance --json` (a dry run gives what would change). */
export interface UserUnsubscribeAllFromInstanceResult {
  instance: string
  users: number
  deactivated: number
  followsRemoved: number
  batches: number
  /** OAuth tokens deleted: the users are signed out (dry run: that would be). */
  tokensDeleted: number
  /** Jobs queued for the running server (user_activation per deactivated user; dry run: that would be). */
  refreshJobsQueued: number
  /** Whether moderation_log entries were (dry run: would be) written (--actor: one "deactivate" per batch of users). */
  moderationLogged: boolean
  dryRun: boolean
}

export default class UserUnsubscribeAllFromInstance extends InstanceBatchCommand<typeof UserUnsubscribeAllFromInstance> {
  static summary = 'Deactivate every user of a remote instance and remove every follow they have.'

  static description = `Does what user:unsubscribe does for every user whose nickname is NAME@INSTANCE. The host is compared exactly and case-insensitively: unlike Pleroma's substring match, "dead.example" does not match users of xdead.example or dead.example.org, and % and _ are ordinary characters. A port is part of the host (dead.example:8443 is another instance).

For each user: users.is_active is set to false (updated_at bumped only when it changes), every row of following_relationships where the user is the follower is deleted (local and remote accounts, any state; no ActivityPub activity is sent), and the counters of the local users concerned move by exactly what changed: follower_count of an account they followed goes down by one per accepted follow deleted (if the follower was active), following_count of a local follower by one per accepted follow of a user deactivated now. Counters that matched the rows before the run match them after it.

The instance's users and their follows are read once, then the work goes in two steps of batches of --batch-size, each batch one transaction: first the follows, grouped by followed account in id order, then the users in id order (deactivated; their local followers' following_count lowered). Each counter changes in the transaction that deletes or deactivates what it counts, so an interrupted run (Ctrl-C, or a killed process) leaves whole batches done and exact counters; running the command again finishes the job (follows already gone and users already deactivated are no-ops and change no counter).

Shows a summary with counts from the database and asks before changing anything (-y skips the question). Prints Pleroma's lines per user ("Deactivating NICK", "Unsubscribing FRIEND from NICK", "Successfully unsubscribed all followers from NICK") and a final "Done: ..." line on stderr.

In each batch of users' transaction, the users are also signed out (OAuth tokens and authorizations deleted), the server's own user_activation job is queued for each user deactivated (on a Pleroma database with a job queue: a running server applies the change to its cached copies when its queue runs), and with --actor (or PLEROMA_ADMIN_ACTOR) one "deactivate" entry naming the batch's deactivated users is written to the moderation log.`

  static hiddenAliases = ['user:unsubscribe_all_from_instance']

  static examples = [
    '<%= config.bin %> <%= command.id %> dead.example --dry-run',
    '<%= config.bin %> <%= command.id %> dead.example --yes',
    '<%= config.bin %> <%= command.id %> dead.example:8443 --yes --batch-size 100 --json',
  ]

  static args = {
    instance: Args.string({
      description: 'Host name of the instance, as after the @ of its users (e.g. dead.example or dead.example:8443); no scheme, no path.',
      required: true,
      ignoreStdin: true,
    }),
  }

  static flags = {
    'batch-size': Flags.integer({summary: 'Accounts per transaction (followed accounts, then users of the instance).', default: 500, min: 1}),
    yes: yesFlag,
    'dry-run': dryRunFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserUnsubscribeAllFromInstanceResult> {
    const {flags} = this
    const svc = runtime().activation
    const instance = svc.validateInstanceHost(this.args.instance, `${this.config.bin} user:unsubscribe-all-from-instance`)
    const batchSize = flags['batch-size']
    const db = await this.openDb()
    const live = runtime().live
    const {summary, actor, preview} = await db.transaction(async (m) => {
      const a = await this.taskContext(m, db).actor()
      const summary = await svc.summarizeInstance(m, instance)
      const p = await live.previewActivation(m, db.schema, a, summary.ids, false)
      const preview: LiveEffects = {
        tokensDeleted: p.tokensDeleted,
        refreshJobsQueued: p.refreshJobsQueued > 0 ? summary.active : 0,
        moderationLogged: a !== undefined && summary.active > 0,
      }
      return {summary, actor: a, preview}
    })
    try {
      return await this.unsubscribeAll(db, summary, batchSize, actor, preview)
    } finally {
      // The run's temporary tables; the session ends with the process anyway.
      await db.transaction((m) => svc.endInstanceRun(m)).catch(() => {})
    }
  }

  private async unsubscribeAll(
    db: Database,
    summary: InstanceSummary,
    batchSize: number,
    actor: ModerationActor | undefined,
    preview: LiveEffects,
  ): Promise<UserUnsubscribeAllFromInstanceResult> {
    const {flags} = this
    const svc = runtime().activation
    const live = runtime().live
    const {instance} = summary
    const ended = await this.planInstanceRun({
      instance,
      users: summary.users,
      summary: () =>
        `${instance}: ${plural(summary.users, 'user')} (${summary.active} active), ${plural(summary.follows, 'follow')} from them, ` +
        `${plural(summary.localFollowers, 'local user')} follow${summary.localFollowers === 1 ? 's' : ''} them`,
      dryRun: flags['dry-run'],
      yes: flags.yes,
      wouldDo: () => ({
        instance,
        users: summary.users,
        deactivated: summary.active,
        followsRemoved: summary.follows,
        batches: Math.ceil(summary.followed.length / batchSize) + Math.ceil(summary.users / batchSize),
        ...preview,
        dryRun: true,
      }),
    })
    if (ended) return ended

    const shouldStop = this.stopBetweenBatches()
    let followsRemoved = 0
    let firstBatches = 0
    // First step: the follows, by followed account.
    const {followed} = summary
    if (followed.length > 0) {
      const bar = this.progress(`Removing the follows of ${instance}'s users`, summary.follows)
      for (let start = 0; start < followed.length; start += batchSize) {
        const chunk = followed.slice(start, start + batchSize)
        const removed = await db.transaction((m) => svc.removeInstanceFollows(m, chunk))
        firstBatches++
        followsRemoved += removed
        bar.advance(removed)
        if (start + batchSize < followed.length && shouldStop()) {
          bar.done()
          throw new AbortedError(
            `Interrupted after ${firstBatches} whole ${firstBatches === 1 ? 'batch' : 'batches'}: ${plural(followsRemoved, 'follow')} of ${summary.follows} removed, no user deactivated yet; nothing half-done.`,
            'Run the same command again to finish.',
          )
        }
      }
      bar.done()
    }

    // Second step: the users, deactivated, with Pleroma's lines for each.
    let deactivated = 0
    const effects: LiveEffects = {tokensDeleted: 0, refreshJobsQueued: 0, moderationLogged: false}
    const {users, batches} = await this.userBatches({
      label: `Unsubscribing users of ${instance}`,
      ids: summary.ids,
      batchSize,
      work: async (chunk) => {
        const batch: InstanceBatchResult = await db.transaction(async (m) => {
          const b = await svc.unsubscribeInstanceBatch(m, instance, chunk)
          // Every user of the batch ends inactive: all are signed out; the ones deactivated now get the job and the entry.
          const signedOut = await live.signOutUsers(
            m,
            b.users.map((u) => u.id),
          )
          const done = new Set(b.deactivated)
          const e = await live.activationChanged(
            m,
            db.schema,
            actor,
            b.users.filter((u) => done.has(u.id)),
            false,
          )
          effects.tokensDeleted += signedOut.tokens + e.tokensDeleted
          effects.refreshJobsQueued += e.refreshJobsQueued
          effects.moderationLogged ||= e.moderationLogged
          return b
        })
        deactivated += batch.deactivated.length
        followsRemoved += batch.late
        return batch
      },
      lines: (batch) => {
        const friendsOf = new Map<string, string[]>()
        for (const f of batch.removed) {
          const list = friendsOf.get(f.followerId)
          if (list) list.push(f.friend)
          else friendsOf.set(f.followerId, [f.friend])
        }
        const lines: string[] = []
        for (const u of batch.users) {
          lines.push(`Deactivating ${u.nickname}`)
          for (const friend of friendsOf.get(u.id) ?? []) lines.push(`Unsubscribing ${friend} from ${u.nickname}`)
          lines.push(`Successfully unsubscribed all followers from ${u.nickname}`)
        }
        return lines
      },
      interrupted: (users, batches) =>
        `Interrupted after ${plural(users, 'user')} of ${summary.users} (${firstBatches + batches} whole ${firstBatches + batches === 1 ? 'batch' : 'batches'}); ${plural(followsRemoved, 'follow')} removed so far, nothing half-done.`,
    })

    const already = users - deactivated
    this.instanceRunDone(
      `Done: ${plural(users, 'user')} of ${instance} deactivated${already > 0 ? ` (${already} already inactive)` : ''}, ${plural(followsRemoved, 'follow')} removed.`,
      effects.moderationLogged,
      actor,
    )
    return {instance, users, deactivated, followsRemoved, batches: firstBatches + batches, ...effects, dryRun: false}
  }
}
