import {localNicknameArg} from '../../args'
import {BaseCommand, dryRunFlag, forceFlag} from '../../base-command'
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

Prints, as Pleroma does, "alice needs confirmation." or "alice doesn't need confirmation.". To set the status rather than flip it, use user:set --confirmed or --no-confirmed. A running Pleroma may show the old status until its user cache expires.`

  static hiddenAliases = ['user:toggle_confirmed']

  static examples = ['<%= config.bin %> <%= command.id %> alice', '<%= config.bin %> <%= command.id %> alice --dry-run --json']

  static args = {
    nickname: localNicknameArg,
  }

  static flags = {
    'dry-run': dryRunFlag,
    force: forceFlag,
  }

  async run(): Promise<UserToggleConfirmedResult> {
    const {toggleConfirmed} = runtime().userFlags
    const dryRun = this.flags['dry-run']
    const result = await this.inTransaction(({m, instanceHost}) =>
      toggleConfirmed(m, this.args.nickname, {
        instanceHost: instanceHost,
        dryRun,
        guard: {action: 'change the confirmation of', force: this.flags.force},
      }),
    )
    this.out(result.confirmed ? `${result.nickname} doesn't need confirmation.` : `${result.nickname} needs confirmation.`)
    if (dryRun) this.note('Dry run: nothing was written.')
    return {dryRun, nickname: result.nickname, confirmed: result.confirmed}
  }
}
