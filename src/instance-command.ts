import type {Command} from '@oclif/core'
import {BaseCommand} from './base-command'
import {AbortedError} from './errors'
import type {LiveEffects} from './services/live'

/** The --json of user:deactivate-all-from-instance and user:unsubscribe-all-from-instance (each command documents its keys). */
export interface InstanceRunCounts extends LiveEffects {
  instance: string
  users: number
  deactivated: number
  followsRemoved: number
  batches: number
  dryRun: boolean
}

/** One batch of an instance run: its users in id order (their state before the batch). */
export interface InstanceBatch {
  users: Array<{id: string; nickname: string}>
}

/**
 * What user:deactivate-all-from-instance and user:unsubscribe-all-from-instance
 * share: the summary, the dry run and the question before anything is
 * written, then the instance's users in batches (one transaction each,
 * Pleroma's lines printed after each batch commits, Ctrl-C stopping between
 * batches), and how an interruption ends (whole batches done; the same
 * command again finishes the job).
 */
export abstract class InstanceBatchCommand<T extends typeof Command> extends BaseCommand<T> {
  /**
   * Before the batches: no users ("No users of INSTANCE found.") or a dry run
   * end the run here, with the result to return; otherwise the summary line
   * has been printed and the admin has agreed (or gave -y), and the result
   * is undefined.
   */
  protected async planInstanceRun(o: {
    instance: string
    users: number
    summary: () => string
    dryRun: boolean
    yes: boolean
    /** The dry run's result. */
    wouldDo: () => InstanceRunCounts
  }): Promise<InstanceRunCounts | undefined> {
    if (o.users === 0) {
      this.note(`No users of ${o.instance} found.`)
      return {
        instance: o.instance,
        users: 0,
        deactivated: 0,
        followsRemoved: 0,
        batches: 0,
        tokensDeleted: 0,
        refreshJobsQueued: 0,
        moderationLogged: false,
        dryRun: o.dryRun,
      }
    }
    this.out(o.summary())
    if (o.dryRun) {
      this.note('Dry run: nothing was written.')
      return o.wouldDo()
    }
    await this.confirmOrAbort('Continue?', o.yes, `No user of ${o.instance} was changed.`)
    return undefined
  }

  /**
   * The users `ids` in batches of `batchSize`, in id order: `work` does one
   * batch in its own transaction, `lines` gives Pleroma's lines for it
   * (printed once it has committed). Ctrl-C stops after the current batch:
   * the run then ends with `interrupted(users, batches)` (users and batches
   * done by this loop) as the error.
   */
  protected async userBatches<B extends InstanceBatch>(o: {
    label: string
    ids: string[]
    batchSize: number
    work: (chunk: string[]) => Promise<B>
    lines: (batch: B) => string[]
    interrupted: (users: number, batches: number) => string
  }): Promise<{users: number; batches: number}> {
    const shouldStop = this.stopBetweenBatches()
    const bar = this.progress(o.label, o.ids.length)
    let users = 0
    let batches = 0
    let stopped = false
    for (let start = 0; start < o.ids.length; start += o.batchSize) {
      const chunk = o.ids.slice(start, start + o.batchSize)
      const batch = await o.work(chunk)
      batches++
      users += batch.users.length
      await this.outLines(o.lines(batch))
      bar.advance(chunk.length)
      if (start + o.batchSize < o.ids.length && shouldStop()) {
        stopped = true
        break
      }
    }
    bar.done()
    if (stopped) throw new AbortedError(o.interrupted(users, batches), 'Run the same command again to finish.')
    return {users, batches}
  }

  /** The closing lines on stderr: `done`, and who the moderation log names when entries were written. */
  protected instanceRunDone(done: string, moderationLogged: boolean, actor: {nickname: string} | undefined): void {
    this.note(done)
    if (moderationLogged && actor) this.note(`Recorded in the moderation log as done by ${actor.nickname}.`)
  }
}
