import * as Flags from '@oclif/core/flags'
import {actorFlag, BaseCommand, dryRunFlag, noFederateFlag, yesFlag} from '../../base-command'
import {firstNames} from '../../bulk-users'
import {before, parseDuration, type Duration} from '../../duration'
import {AbortedError, RefusedError, UsageError} from '../../errors'
import {runtime} from '../../runtime-loader'
import {plural} from '../../text'
import {actorOf} from '../../user-deletion-command'
import type {PruneCutoffs, PruneRule, StaleAccount} from '../../services/prune'
import type {DeletionTarget} from '../../services/delete-activities'
import type {Outgoing} from '../../services/federation'
import type {EntityManager} from 'typeorm'

/** `user:prune --json`. */
export interface UserPruneResult {
  dryRun: boolean
  /** delete: removed as user:rm removes a user; deactivate: deactivated as user:deactivate does. */
  action: 'delete' | 'deactivate'
  /** The rules given, e.g. `unconfirmed-for 30d`. */
  rules: string[]
  /** Accounts the rules chose (a dry run: that they would act on). */
  selected: number
  /** Accounts the rules match that have posts, left alone (no --with-posts). */
  leftOutWithPosts: number
  /** Rows deleted outright (pending confirmation or approval, as user:rm does); 0 in a dry run. */
  deleted: number
  /** Rows purged and kept, the nickname reserved (as user:rm does); 0 in a dry run. */
  purged: number
  /** Accounts deactivated (--deactivate); 0 in a dry run. */
  deactivated: number
  /** Chosen accounts that no longer matched when their batch came (changed meanwhile) and were left alone. */
  changedMeanwhile: number
  /** Every chosen account and why. */
  accounts: PrunedAccount[]
}

export interface PrunedAccount {
  nickname: string
  /** The rules it matched, e.g. `never-active-for 90d`. */
  rules: string[]
  /** inserted_at, ISO 8601 UTC. */
  registeredAt: string
  /** last_active_at, ISO 8601 UTC; null: never. */
  lastActiveAt: string | null
  posts: boolean
  /** What was done to it; null in a dry run, or when it no longer matched. */
  outcome: 'deleted' | 'purged' | 'deactivated' | null
}

const RULES = 'RULES'

export default class UserPrune extends BaseCommand<typeof UserPrune> {
  static summary = 'Remove (or deactivate) local accounts that never became real: unconfirmed, unapproved, never or long not active.'

  static description = `Chooses local accounts by rules and removes them as user:rm does (or, with --deactivate, deactivates them as user:deactivate does). Each rule takes a duration (30d, 12h, 2y = 730 days; s, m, h, d, w, y):

  --unconfirmed-for D    registered more than D ago and never confirmed its e-mail address
  --unapproved-for D     registered more than D ago and still waiting for approval
  --never-active-for D   registered more than D ago and never active (users.last_active_at empty)
  --inactive-for D       last active more than D ago (Pleroma notes activity at most once a day)

Several rules combine: an account is chosen when any of them matches. Never chosen: remote users, admins, moderators, invisible accounts and service actors, accounts deleted already, and accounts waiting for a deletion with a grace period (user:rm --grace). An account with posts is left alone unless --with-posts; the summary says how many.

The accounts are chosen by one query. --dry-run lists each with the rules it matched, when it registered and when it was last active, and writes nothing. Otherwise the summary shows how many and asks once (-y skips the question). The accounts then go in batches (--batch-size accounts a transaction, with progress), each batch re-reading its accounts under a row lock with the same rules, so an account that changed since the summary (confirmed, signed in, given a role) is left alone. Removal is user:rm's: posts, likes, follows, notifications and sign-ins go, and the row is purged and kept so the nickname stays reserved, or deleted outright for an account pending confirmation or approval; on a Pleroma or Akkoma database the deliveries to other servers are queued as user:rm queues them (--no-federate leaves them out). The accounts of a batch without posts are removed together, a few statements for the whole batch, in its transaction; an account with posts (--with-posts) is deactivated and signed out first, then has its posts deleted in user:rm's batches, in transactions of its own. Ctrl-C stops after the current batch; running the same command again finishes the job. With --actor, each removed account is one "delete" entry of the moderation log (with --deactivate, each batch one "deactivate" entry naming its accounts).`

  static examples = [
    '<%= config.bin %> <%= command.id %> --unconfirmed-for 30d --dry-run',
    '<%= config.bin %> <%= command.id %> --unconfirmed-for 30d --unapproved-for 30d --never-active-for 90d --yes',
    '<%= config.bin %> <%= command.id %> --inactive-for 2y --deactivate --yes --json',
  ]

  static flags = {
    'unconfirmed-for': Flags.string({
      summary: 'Accounts registered longer ago than this that never confirmed their e-mail.',
      helpValue: 'DURATION',
      helpGroup: RULES,
    }),
    'unapproved-for': Flags.string({summary: 'Accounts registered longer ago than this still waiting for approval.', helpValue: 'DURATION', helpGroup: RULES}),
    'never-active-for': Flags.string({
      summary: 'Accounts registered longer ago than this never active (last_active_at empty).',
      helpValue: 'DURATION',
      helpGroup: RULES,
    }),
    'inactive-for': Flags.string({summary: 'Accounts last active longer ago than this.', helpValue: 'DURATION', helpGroup: RULES}),
    'with-posts': Flags.boolean({summary: 'Also accounts that have posts (their posts are deleted with them).', default: false}),
    deactivate: Flags.boolean({summary: 'Deactivate the accounts (as user:deactivate) instead of removing them.', default: false}),
    'batch-size': Flags.integer({summary: 'Accounts per batch (one transaction each).', default: 100, min: 1, max: 10000}),
    'no-federate': noFederateFlag,
    actor: actorFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserPruneResult> {
    const {flags} = this
    const durations: Partial<Record<PruneRule, Duration>> = {}
    const {PRUNE_RULES} = runtime().prune
    for (const rule of PRUNE_RULES) {
      const raw = flags[rule]
      if (raw !== undefined) durations[rule] = parseDuration(raw, `--${rule}`)
    }
    if (Object.keys(durations).length === 0) {
      throw new UsageError(
        'No rule given.',
        'Give at least one of --unconfirmed-for, --unapproved-for, --never-active-for, --inactive-for (e.g. --unconfirmed-for 30d).',
      )
    }
    const now = new Date()
    const cutoffs: PruneCutoffs = {}
    for (const rule of PRUNE_RULES) if (durations[rule]) cutoffs[rule] = before(now, durations[rule])
    const ruleText = (r: PruneRule) => `${r} ${durations[r]!.text}`
    const action = flags.deactivate ? ('deactivate' as const) : ('delete' as const)
    const {selectStale} = runtime().prune

    const db = await this.openDb()
    if ((cutoffs['never-active-for'] || cutoffs['inactive-for']) && !db.schema.userColumns.has('last_active_at')) {
      throw new RefusedError(
        'This database has no users.last_active_at (Pleroma before 2.3): --never-active-for and --inactive-for cannot be decided.',
        'Use --unconfirmed-for or --unapproved-for.',
      )
    }
    const {chosen, actor, federation} = await db.transaction(async (m) => {
      const a = await this.taskContext(m, db).actor()
      const format = flags['no-federate'] || flags.deactivate ? null : await runtime().federation.detectJobFormat(m, db.schema)
      const found = await selectStale(m, cutoffs, {onlyActive: flags.deactivate})
      return {chosen: found, actor: a, federation: format ? {format, instanceUrl: await this.instanceUrl(m, db)} : null}
    })
    const selected = chosen.filter((a) => flags['with-posts'] || !a.posts)
    const leftOut = chosen.filter((a) => !flags['with-posts'] && a.posts)
    const accounts = new Map<string, PrunedAccount>(
      selected.map((a) => [
        a.id,
        {nickname: a.nickname, rules: a.rules.map(ruleText), registeredAt: a.registeredAt, lastActiveAt: a.lastActiveAt, posts: a.posts, outcome: null},
      ]),
    )
    const result: UserPruneResult = {
      dryRun: flags['dry-run'],
      action,
      rules: PRUNE_RULES.filter((r) => durations[r]).map(ruleText),
      selected: selected.length,
      leftOutWithPosts: leftOut.length,
      deleted: 0,
      purged: 0,
      deactivated: 0,
      changedMeanwhile: 0,
      accounts: [...accounts.values()],
    }

    const verb = action === 'delete' ? 'will be deleted' : 'will be deactivated'
    this.out(`${plural(selected.length, 'account', 'accounts')} ${verb} (${result.rules.join(' or ')})${selected.length > 0 ? ':' : '.'}`)
    if (flags['dry-run']) {
      await this.outLines(
        selected.map(
          (a) =>
            `  ${a.nickname}: ${a.rules.map(ruleText).join(', ')}; registered ${a.registeredAt}; last active ${a.lastActiveAt ?? 'never'}${a.posts ? '; has posts' : ''}`,
        ),
      )
    } else if (selected.length > 0) {
      this.out(`  ${firstNames(selected.map((a) => a.nickname))}`)
    }
    if (leftOut.length > 0) {
      this.out(
        `${plural(leftOut.length, 'more account matches', 'more accounts match')} but ${leftOut.length === 1 ? 'has' : 'have'} posts (left alone; --with-posts includes them): ${firstNames(leftOut.map((a) => a.nickname))}`,
      )
    }
    if (flags['dry-run']) {
      this.note('Dry run: nothing was written.')
      return result
    }
    if (selected.length === 0) return result
    await this.confirmOrAbort(
      `${action === 'delete' ? 'Delete' : 'Deactivate'} ${plural(selected.length, 'account', 'accounts')}?`,
      flags.yes,
      'Nothing was changed.',
    )

    const {deleteUserActivities, DEFAULT_BATCH_SIZE} = runtime().deleteActivities
    const {finishUserRemoval, deletesRow, removeUsersAtOnce, startUserRemoval} = runtime().deleteUser
    const {queueDeliveries} = runtime().federation
    const {changeActivation} = runtime().activation
    const {lockWithFollowPartners} = runtime().counters
    const {activationChanged} = runtime().live
    const {logModeration} = runtime().moderationLog
    const instanceUrl = federation?.instanceUrl ?? (await db.transaction((m) => this.instanceUrl(m, db)))
    const federate =
      federation &&
      (async (m: EntityManager, target: DeletionTarget, outgoing: Outgoing[]) => {
        // An account whose row goes cannot sign anything: nothing is queued for it (as user:rm).
        if (!deletesRow(target) && outgoing.length > 0) await queueDeliveries(m, federation, actorOf(target), outgoing)
      })
    /** user:rm's removal of one account with posts: deactivated and signed out first, then its posts in batches, each its own transaction. */
    const remove = async (tx: <T>(fn: (m: EntityManager) => Promise<T>) => Promise<T>, account: StaleAccount) => {
      await tx(async (m) => {
        await lockWithFollowPartners(m, [account.id])
        return startUserRemoval(m, [account.id])
      })
      await deleteUserActivities(tx, account.id, {
        instanceUrl,
        batchSize: DEFAULT_BATCH_SIZE,
        tables: db.schema.tables,
        federate: federate || undefined,
        finish: async (m, target, at) => {
          const r = await finishUserRemoval(m, target, {
            instanceUrl,
            userColumns: db.schema.userColumns,
            now: at,
            federate: federate ? (mm, outgoing) => federate(mm, target, outgoing) : undefined,
          })
          accounts.get(account.id)!.outcome = r.deleted ? 'deleted' : 'purged'
          if (r.deleted) result.deleted += 1
          else result.purged += 1
          await logModeration(m, actor, {action: 'delete', subject: [{id: target.id, nickname: target.nickname}]})
        },
      })
    }

    const shouldStop = this.stopBetweenBatches()
    const bar = this.progress(action === 'delete' ? 'Deleting accounts' : 'Deactivating accounts', selected.length)
    const size = flags['batch-size']
    let reached = 0
    for (let i = 0; i < selected.length; i += size) {
      if (i > 0 && shouldStop()) {
        bar.done()
        throw new AbortedError(
          `Interrupted after ${reached} of ${plural(selected.length, 'account', 'accounts')}: ${result.deleted + result.purged + result.deactivated} done.`,
          'Run the same command again to continue.',
        )
      }
      const ids = selected.slice(i, i + size).map((a) => a.id)
      const own: StaleAccount[] = []
      await db.transaction(async (m) => {
        // Their rows and their local follow partners' first, in one order (the counters recomputed at the end lock those): no deadlock with a user:rm at the same time.
        await lockWithFollowPartners(m, ids)
        const still = await selectStale(m, cutoffs, {onlyActive: flags.deactivate, ids})
        const stillIds = new Set(still.filter((a) => flags['with-posts'] || !a.posts).map((a) => a.id))
        result.changedMeanwhile += ids.filter((id) => !stillIds.has(id)).length
        if (flags.deactivate) {
          const changed = []
          for (const a of still.filter((x) => stillIds.has(x.id))) {
            const r = await changeActivation(m, {id: a.id, nickname: a.nickname, local: true, active: a.active}, false)
            if (!r.changed) continue
            changed.push({id: a.id, nickname: a.nickname})
            accounts.get(a.id)!.outcome = 'deactivated'
            result.deactivated += 1
          }
          await activationChanged(m, db.schema, actor, changed, false)
          return
        }
        // An account with posts goes in user:rm's batches of posts, each its own transaction (after this one);
        // the others all at once, in this one (set-based: removeUsersAtOnce).
        const atOnce: StaleAccount[] = []
        for (const a of still.filter((x) => stillIds.has(x.id))) (a.posts ? own : atOnce).push(a)
        const done = await removeUsersAtOnce(
          m,
          atOnce.map((a) => a.id),
          {
            instanceUrl,
            userColumns: db.schema.userColumns,
            tables: db.schema.tables,
            batchSize: DEFAULT_BATCH_SIZE,
            federate: federate ? (mm, target, outgoing) => federate(mm, target, outgoing) : undefined,
          },
        )
        for (const a of atOnce) {
          const r = done.get(a.id)!
          accounts.get(a.id)!.outcome = r.deleted ? 'deleted' : 'purged'
          if (r.deleted) result.deleted += 1
          else result.purged += 1
          await logModeration(m, actor, {action: 'delete', subject: [{id: a.id, nickname: a.nickname}]})
        }
      })
      for (const a of own) await remove((fn) => db.transaction(fn), a)
      reached = Math.min(i + size, selected.length)
      bar.advance(reached - i)
    }
    bar.done()
    if (action === 'delete')
      this.out(
        `Deleted ${plural(result.deleted + result.purged, 'account', 'accounts')} (${result.purged} purged and kept reserved, ${result.deleted} deleted outright).`,
      )
    else this.out(`Deactivated ${plural(result.deactivated, 'account', 'accounts')}.`)
    if (result.changedMeanwhile > 0)
      this.note(
        `${plural(result.changedMeanwhile, 'account')} no longer matched when its turn came and ${result.changedMeanwhile === 1 ? 'was' : 'were'} left alone.`,
      )
    return {...result, accounts: [...accounts.values()]}
  }
}
