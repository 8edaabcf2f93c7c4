/**
 * What user:delete-activities and user:rm share: their --batch-size, the plan (the local user found and locked, its counts read
 * in one transaction), the summary line, and the batched deletion of the
 * user's activities with its progress bar and Ctrl-C between batches.
 */
import type {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import type {EntityManager} from 'typeorm'
import {BaseCommand} from './base-command'
import type {Database} from './db/connection'
import {AbortedError} from './errors'
import {runtime} from './runtime-loader'
import type {ModerationActor} from './services/moderation-log'
import type {ServiceActorGuard} from './services/service-actors'
import type {ActivityCounts, DeletionTarget, DeletionTotals} from './services/delete-activities'
import type {DeliveryPreview, Federation, FederationActor, Outgoing, PreviewParts} from './services/federation'

/** --batch-size of both commands; `what` says what a batch is made of. */
export function batchSizeFlag(what: string) {
  return Flags.integer({summary: `${what} (one transaction each).`, default: 500, min: 1, max: 100000})
}

export interface DeletionPlan<C extends ActivityCounts> {
  db: Database
  instanceUrl: string
  /** The user as read (and locked) while planning. */
  target: DeletionTarget
  counts: C
  /** Where deliveries are queued (null: not federating) and how many, counted while planning. */
  federation: Federation | null
  preview: DeliveryPreview
  /** The checked --actor (undefined without one, or on a command without the flag). */
  actor: ModerationActor | undefined
}

/** What the batches queued for other servers. */
export class DeliveryTally {
  jobs = 0
  readonly hosts = new Set<string>()
}

export interface BatchedDeletion {
  batchSize: number
  /** Runs in the transaction of the last batch, after it (user:rm finishes the account there). */
  finish?: (m: EntityManager, target: DeletionTarget, now: string) => Promise<void>
  /** The end of the message when Ctrl-C stopped the run: what state it leaves. */
  interrupted: string
  /** Queues each batch's activities (federator()). */
  federate?: (m: EntityManager, target: DeletionTarget, outgoing: Outgoing[], now: string) => Promise<void>
}

export function actorOf(target: DeletionTarget): FederationActor {
  return {id: target.id, apId: target.apId, followerAddress: target.followerAddress}
}

export abstract class UserDeletionCommand<T extends typeof Command> extends BaseCommand<T> {
  /**
   * Finds the local user (a deactivated one too), locks it and counts what
   * will go, in one transaction. A service actor is refused unless the
   * guard forces it.
   */
  protected async planDeletion<C extends ActivityCounts>(
    nickname: string,
    count: (m: EntityManager, target: DeletionTarget) => Promise<C>,
    guard: ServiceActorGuard,
    federate: {noFederate: boolean; parts: (counts: C) => PreviewParts},
  ): Promise<DeletionPlan<C>> {
    const db = await this.openDb()
    const {requireLocalUser} = runtime().users
    const {lockTarget, objectIdExpression} = runtime().deleteActivities
    const {detectJobFormat, previewDeliveries} = runtime().federation
    return db.transaction(async (m) => {
      const actor = await this.moderationActor(m, db)
      const instanceUrl = await this.instanceUrl(m, db)
      const host = () => Promise.resolve(new URL(instanceUrl).host)
      const user = await requireLocalUser(m, nickname, host, guard)
      const target = await lockTarget(m, user.id)
      const counts = await count(m, target)
      const format = federate.noFederate ? null : await detectJobFormat(m, db.schema)
      const federation = format ? {format, instanceUrl} : null
      const preview = federation
        ? await previewDeliveries(m, federation, actorOf(target), federate.parts(counts), await objectIdExpression(m))
        : {jobs: 0, servers: 0}
      return {db, instanceUrl, target, counts, federation, preview, actor}
    })
  }

  /** The summary's line about other servers (nothing with --no-federate or on the tool's own database). */
  protected printFederation(plan: DeletionPlan<ActivityCounts>): void {
    const {count} = runtime().deletionSummary
    if (plan.federation) {
      const {jobs, servers} = plan.preview
      this.out(
        `Federation: ${count(jobs, 'delivery', 'deliveries')} to ${count(servers, 'server', 'servers')} will be queued in the server's ${plan.federation.format === 'akkoma' ? 'Akkoma' : 'Pleroma'} job queue.`,
      )
    }
  }

  /** The hook that queues a batch's activities, counting them in `tally` (undefined when not federating). */
  protected federator(plan: DeletionPlan<ActivityCounts>, tally: DeliveryTally) {
    const fed = plan.federation
    if (!fed) return undefined
    const {queueDeliveries} = runtime().federation
    return async (m: EntityManager, target: DeletionTarget, outgoing: Outgoing[]) => {
      const r = await queueDeliveries(m, fed, actorOf(target), outgoing)
      tally.jobs += r.jobs
      for (const h of r.hosts) tally.hosts.add(h)
    }
  }

  /** `Queued N deliveries to M servers.` on stderr. */
  protected noteDeliveries(plan: DeletionPlan<ActivityCounts>, tally: DeliveryTally): void {
    if (!plan.federation) return
    const {count} = runtime().deletionSummary
    this.note(`Queued ${count(tally.jobs, 'delivery', 'deliveries')} to ${count(tally.hosts.size, 'server', 'servers')} for the server to send.`)
  }

  /** `alice (local, active): ITEMS will be deleted` + `rest`, on stdout. */
  protected printPlan(target: DeletionTarget, items: string, rest = ''): void {
    this.out(`${target.nickname} (${runtime().deleteActivities.describeState(target)}): ${items} will be deleted${rest}`)
  }

  /**
   * Deletes the user's posts and undoes its likes and announces in batches
   * of --batch-size, one transaction each, with a progress bar; Ctrl-C stops
   * after the current batch (AbortedError saying how far it got).
   */
  protected async deleteInBatches(plan: DeletionPlan<ActivityCounts>, options: BatchedDeletion): Promise<DeletionTotals> {
    const {db, counts} = plan
    const shouldStop = this.stopBetweenBatches()
    const bar = this.progress('Deleting posts', counts.posts + counts.likes + counts.announces)
    let reported = 0
    const totals = await runtime().deleteActivities.deleteUserActivities((fn) => db.transaction(fn), plan.target.id, {
      instanceUrl: plan.instanceUrl,
      batchSize: options.batchSize,
      tables: db.schema.tables,
      shouldStop,
      onBatch: (_batch, t) => {
        const done = t.posts + t.likes + t.announces
        bar.advance(done - reported)
        reported = done
      },
      finish: options.finish,
      federate: options.federate,
    })
    bar.done()
    if (totals.stopped) {
      throw new AbortedError(
        `Interrupted after ${totals.batches} whole ${totals.batches === 1 ? 'batch' : 'batches'}: ${totals.posts} posts, ${totals.likes + totals.announces} likes and announces deleted${options.interrupted}`,
        'Run the same command again to finish.',
      )
    }
    return totals
  }
}
