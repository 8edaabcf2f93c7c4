import {localNicknameArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:toggle-confirmed --json`. */
export interface UserToggleConfirmedResult {
  dryRun: boolean
  nickname: string
  /** The confirmation status afterwards (dry run: as it would be). */
  confirmed: boolean
}

export default class UserToggleConfirmed extends BaseCommand<typeof UserToggleConfirmed> {
  static summary = "Flip a local user's e-mail confirmation status."

  static description = `Flips users.is_confirmed of a local user in one UPDATE: a confirmed user becomes unconfirmed with a new confirmation_token (44 characters), an unconfirmed one becomes confirmed and its confirmation_token is cleared. updated_at is bumped.

Prints, as Pleroma does, "alice needs confirmation." or "alice doesn't need confirmation.". To set the status rather than flip it, use user:set --confirmed or --no-confirmed.

On a Pleroma database with a job queue, the server's verify_fields_links job is queued: it re-reads the user and re-caches it, so a running server sees the new status once its queue has run it. With --actor (or PLEROMA_ADMIN_ACTOR), a user that becomes confirmed gets a "confirm_email" entry in the moderation log (becoming unconfirmed has none in Pleroma's log).`

  static hiddenAliases = ['user:toggle_confirmed']

  static examples = ['<%= config.bin %> <%= command.id %> alice', '<%= config.bin %> <%= command.id %> alice --dry-run --json']

  static args = {
    nickname: localNicknameArg,
  }

  static flags = {
    'dry-run': dryRunFlag,
    force: forceFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserToggleConfirmedResult> {
    const {toggleConfirmed} = runtime().userFlags
    const dryRun = this.flags['dry-run']
    const live = runtime().live
    const {result, note} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const r = await toggleConfirmed(m, this.args.nickname, {
        instanceHost: instanceHost,
        dryRun,
        guard: {action: 'change the confirmation of', force: this.flags.force},
      })
      if (dryRun) return {result: r, note: undefined}
      const entries = r.confirmed ? [{action: 'confirm_email' as const, subject: [r]}] : []
      const effects = await live.usersChanged(m, db.schema, a, [{...r, local: true}], entries)
      return {result: r, note: live.loggedNote(effects, a)}
    })
    this.out(result.confirmed ? `${result.nickname} doesn't need confirmation.` : `${result.nickname} needs confirmation.`)
    if (note) this.note(note)
    if (dryRun) this.note('Dry run: nothing was written.')
    return {dryRun, nickname: result.nickname, confirmed: result.confirmed}
  }
}
