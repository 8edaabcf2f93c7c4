import * as Args from '@oclif/core/args'
import {localNicknameArg} from '../../args'
import {BaseCommand, dryRunFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:change-email --json` (a dry run gives what would be set). */
export interface UserChangeEmailResult {
  dryRun: boolean
  nickname: string
  previousEmail: string | null
  email: string
  /** false when the address already was exactly this one (nothing written). */
  changed: boolean
  /** is_confirmed, which the change leaves as it is. */
  confirmed: boolean
}

export default class UserChangeEmail extends BaseCommand<typeof UserChangeEmail> {
  static summary = "Change a local user's e-mail address."

  static description = `Sets users.email of a local user (updated_at bumped), as Pleroma's User.change_email does: the address must match Pleroma's e-mail pattern and must not belong to another user (compared case-insensitively); is_confirmed and the confirmation token stay as they are and no e-mail is sent. An address that is already exactly the user's changes nothing (exit 0); one that differs only in case is stored as given.

Prints, as Akkoma's change_email does, "NICK's email updated" (Akkoma's own task does not actually store the address; this one does).`

  static hiddenAliases = ['user:change_email']

  static examples = [
    '<%= config.bin %> <%= command.id %> alice alice@new.example',
    '<%= config.bin %> <%= command.id %> alice alice@new.example --dry-run --json',
  ]

  static args = {
    nickname: localNicknameArg,
    email: Args.string({description: 'The new e-mail address.', required: true, ignoreStdin: true}),
  }

  static flags = {
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserChangeEmailResult> {
    const {changeEmail} = runtime().email
    const dryRun = this.flags['dry-run']
    const {nickname, email} = this.args
    const result = await this.inTransaction(({m, instanceHost}) => changeEmail(m, nickname, email, {instanceHost, dryRun}))
    const from = result.previousEmail ?? '(none)'
    if (!result.changed) {
      this.out(`${nickname}'s email is already ${result.email}; nothing changed.`)
    } else if (dryRun) {
      this.out(`${nickname}'s email would be updated: ${from} -> ${result.email}`)
    } else {
      this.out(`${nickname}'s email updated`)
      this.note(`${result.nickname}: ${from} -> ${result.email} (${result.confirmed ? 'confirmed' : 'still unconfirmed'}; no e-mail was sent).`)
    }
    if (dryRun) this.note('Dry run: nothing was written.')
    return {dryRun, ...result}
  }
}
