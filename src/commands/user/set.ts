import * as Flags from '@oclif/core/flags'
import {localNicknameArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag} from '../../base-command'
import {UsageError} from '../../errors'
import {runtime} from '../../runtime-loader'

/** The flags in the order today's Pleroma processes and prints them. */
const FLAG_NAMES = ['admin', 'confirmed', 'locked', 'moderator'] as const

/** `user:set --json`: the flags afterwards (dry run: as they would be). */
export interface UserSetResult {
  dryRun: boolean
  nickname: string
  changed: boolean
  admin: boolean
  moderator: boolean
  locked: boolean
  confirmed: boolean
}

export default class UserSet extends BaseCommand<typeof UserSet> {
  static summary = "Set a local user's admin, moderator, locked and confirmed flags."

  static description = `Changes the users row of a local user in one UPDATE: --admin sets is_admin, --moderator is_moderator, --locked is_locked (follow requests need approval), --confirmed sets is_confirmed = true and clears confirmation_token, --no-confirmed sets is_confirmed = false with a new confirmation_token (an already unconfirmed user keeps its token). Flags not given are left alone; the --no- forms unset.

updated_at is bumped only when a value changes. One line per flag given is printed, as Pleroma prints it, even when nothing changed.

On a Pleroma database with a job queue, a change queues the server's verify_fields_links job, which re-reads the user and re-caches it, so a running server sees the new values once its queue has run it (Akkoma has no such job: there, after a restart). With --actor (or PLEROMA_ADMIN_ACTOR), a "grant" or "revoke" entry per role changed and a "confirm_email" entry when the user became confirmed are written to the moderation log (locking and unconfirming have no entry in Pleroma's log).`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice --admin --moderator',
    '<%= config.bin %> <%= command.id %> bob --no-admin --locked --dry-run',
    '<%= config.bin %> <%= command.id %> carol --no-confirmed --json',
  ]

  static args = {
    nickname: localNicknameArg,
  }

  static flags = {
    admin: Flags.boolean({summary: 'Make the user an admin (--no-admin: take it away).', allowNo: true}),
    confirmed: Flags.boolean({summary: "Mark the user's e-mail as confirmed (--no-confirmed: needs confirmation, with a new token).", allowNo: true}),
    locked: Flags.boolean({summary: 'Lock the account: follow requests need approval (--no-locked: unlock).', allowNo: true}),
    moderator: Flags.boolean({summary: 'Make the user a moderator (--no-moderator: take it away).', allowNo: true}),
    'dry-run': dryRunFlag,
    force: forceFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserSetResult> {
    const {flags} = this
    const given = FLAG_NAMES.filter((f) => flags[f] !== undefined)
    if (given.length === 0) {
      throw new UsageError(
        'No flag given: nothing to set.',
        `Give at least one of --admin, --confirmed, --locked, --moderator (or their --no- forms), e.g. ${this.config.bin} user:set ${this.args.nickname} --admin.`,
      )
    }
    const {setUserFlags} = runtime().userFlags
    const dryRun = flags['dry-run']
    const live = runtime().live
    const {result, note} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const r = await setUserFlags(
        m,
        this.args.nickname,
        {admin: flags.admin, confirmed: flags.confirmed, locked: flags.locked, moderator: flags.moderator},
        {
          instanceHost: instanceHost,
          dryRun,
          guard: {action: 'change the flags of', force: flags.force},
        },
      )
      if (dryRun || !r.changed) return {result: r, note: undefined}
      const effects = await live.usersChanged(m, db.schema, a, [{id: r.id, nickname: r.nickname, local: true}], live.flagEntries(r, r.before, r))
      return {result: r, note: live.loggedNote(effects, a)}
    })
    const nick = result.nickname
    for (const f of given) {
      if (f === 'admin') this.out(`Admin status of ${nick}: ${result.admin}`)
      if (f === 'confirmed') this.out(`Confirmation status of ${nick}: ${result.confirmed}`)
      if (f === 'locked') this.out(`Locked status of ${nick}: ${result.locked}`)
      if (f === 'moderator') this.out(`Moderator status of ${nick}: ${result.moderator}`)
    }
    if (note) this.note(note)
    if (dryRun) this.note(result.changed ? 'Dry run: nothing was written.' : 'Dry run: nothing would change; nothing was written.')
    return {
      dryRun,
      nickname: nick,
      changed: result.changed,
      admin: result.admin,
      moderator: result.moderator,
      locked: result.locked,
      confirmed: result.confirmed,
    }
  }
}
