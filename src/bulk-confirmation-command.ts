/**
 * What user:confirm-all and user:unconfirm-all share (Pleroma's confirm_all
 * and unconfirm_all, docs/pleroma/tasks.md#confirm_all-and-unconfirm_all):
 * the summary with counts, the confirmation, and the batches of users with
 * their progress and Ctrl-C.
 */
import type {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import {BaseCommand, dryRunFlag, yesFlag} from './base-command'
import {AbortedError} from './errors'
import {runtime} from './runtime-loader'
import {plural} from './text'

export const bulkConfirmationFlags = {
  'batch-size': Flags.integer({summary: 'Users per transaction.', default: 500, min: 1, max: 100000}),
  yes: yesFlag,
  'dry-run': dryRunFlag,
}

/** The --json result of both commands. */
export interface BulkConfirmationResult {
  /** Users selected: local, not admin, moderator, invisible or internal; deactivated ones included. */
  users: number
  /** Of those, deactivated. */
  inactive: number
  /** Users whose row was (dry run: would be) changed. */
  changed: number
  batches: number
  dryRun: boolean
}

export abstract class BulkConfirmationCommand<T extends typeof Command> extends BaseCommand<T> {
  /** confirm (true) or unconfirm (false) every selected user. */
  protected async runBulk(confirm: boolean, options: {batchSize: number; yes: boolean; dryRun: boolean}): Promise<BulkConfirmationResult> {
    const svc = runtime().confirmation
    const {batchSize, dryRun} = options
    const live = runtime().live
    const {s, actor} = await this.inTransaction(async ({m, actor}) => ({actor: await actor(), s: await svc.summarizeBulkConfirmation(m, confirm)}))
    const selected = `${plural(s.users, 'local user')} that ${s.users === 1 ? 'is' : 'are'} not admin, moderator or invisible (${s.inactive} of them deactivated)`
    if (s.users === 0) {
      this.note('No local user that is not admin, moderator or invisible: nothing to do.')
      return {users: 0, inactive: 0, changed: 0, batches: 0, dryRun}
    }
    const confirmed = s.users - s.unconfirmed
    this.out(
      confirm
        ? `${selected}: ${plural(s.toChange, 'user')} will be confirmed (${s.unconfirmed} unconfirmed, ${s.toChange - s.unconfirmed} confirmed with a token left), ` +
            `${s.users - s.toChange} ${s.users - s.toChange === 1 ? 'is' : 'are'} confirmed already.`
        : `${selected}: all ${s.users} will need confirmation, each with a new confirmation token ` +
            `(${confirmed} confirmed now; the ${plural(s.unconfirmed, 'unconfirmed one')} get${s.unconfirmed === 1 ? 's' : ''} a new token too, the old link stops working).`,
    )
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return {users: s.users, inactive: s.inactive, changed: s.toChange, batches: Math.ceil(s.users / batchSize), dryRun}
    }
    if (s.toChange === 0) {
      this.note('Nothing to do.')
      return {users: s.users, inactive: s.inactive, changed: 0, batches: 0, dryRun}
    }

    await this.confirmOrAbort('Continue?', options.yes, 'No user was changed.')

    const {ids} = s
    const shouldStop = this.stopBetweenBatches()
    const bar = this.progress(confirm ? 'Confirming users' : 'Unconfirming users', ids.length)
    let changed = 0
    let logged = false
    let batches = 0
    let done = 0
    for (let start = 0; start < ids.length; start += batchSize) {
      const chunk = ids.slice(start, start + batchSize)
      const users = await this.inTransaction(async ({m, db}) => {
        const done = confirm ? await svc.confirmBatch(m, chunk) : await svc.unconfirmBatch(m, chunk)
        // The server re-reads them; confirming is logged as "confirm_email" (one entry per batch), unconfirming has no entry.
        const e = await live.usersChanged(
          m,
          db.schema,
          actor,
          done.map((u) => ({...u, local: true})),
          confirm ? [{action: 'confirm_email', subject: done}] : [],
        )
        logged ||= e.moderationLogged
        return done
      })
      batches++
      done += chunk.length
      changed += users.length
      bar.advance(chunk.length)
      if (start + batchSize < ids.length && shouldStop()) {
        bar.done()
        throw new AbortedError(
          `Interrupted after ${done} of ${s.users} users (${batches} whole ${batches === 1 ? 'batch' : 'batches'}); ${plural(changed, 'user')} ${confirm ? 'confirmed' : 'unconfirmed'} so far.`,
          confirm
            ? 'Run the same command again to finish (users done are skipped).'
            : 'Run the same command again to finish (it gives every user a fresh token again).',
        )
      }
    }
    bar.done()
    if (logged) this.note(`Recorded in the moderation log as done by ${actor!.nickname}.`)
    this.note(
      confirm
        ? `Done: ${plural(changed, 'user')} confirmed. user:unconfirm-all undoes it for all, user:set NICK --no-confirmed for one.`
        : `Done: ${plural(changed, 'user')} need${changed === 1 ? 's' : ''} confirmation. user:confirm NICK confirms one again, user:confirm-all all of them.`,
    )
    return {users: s.users, inactive: s.inactive, changed, batches, dryRun}
  }
}
