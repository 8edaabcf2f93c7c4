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
import type {ServiceActorGuard} from './services/service-actors'
import type {ActivityCounts, DeletionTarget, DeletionTotals} from './services/delete-activities'

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
}

export interface BatchedDeletion {
  batchSize: number
  /** Runs in the transaction of the last batch, after it (user:rm finishes the account there). */
  finish?: (m: EntityManager, target: DeletionTarget, now: string) => Promise<void>
  /** The end of the message when Ctrl-C stopped the run: what state it leaves. */
  interrupted: string
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
  ): Promise<DeletionPlan<C>> {
    const db = await this.openDb()
    const {requireLocalUser} = runtime().users
    const {lockTarget} = runtime().deleteActivities
    return db.transaction(async (m) => {
      const instanceUrl = await this.instanceUrl(m, db)
      const host = () => Promise.resolve(new URL(instanceUrl).host)
      const user = await requireLocalUser(m, nickname, host, guard)
      const target = await lockTarget(m, user.id)
      return {db, instanceUrl, target, counts: await count(m, target)}
    })
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
