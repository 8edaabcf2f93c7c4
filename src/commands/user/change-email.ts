import * as Args from '@oclif/core/args'
import {localNicknameArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag} from '../../base-command'
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

Prints, as Akkoma's change_email does, "NICK's email updated" (Akkoma's own task does not actually store the address; this one does).

On a Pleroma database with a job queue, the server's verify_fields_links job is queued (it re-reads and re-caches the user). With --actor (or PLEROMA_ADMIN_ACTOR), an "updated_users" entry is written to the moderation log, as Pleroma's admin API logs an e-mail change.`

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
    actor: actorFlag,
  }

  async run(): Promise<UserChangeEmailResult> {
    const {changeEmail, emailSubject} = runtime().email
    const live = runtime().live
    const dryRun = this.flags['dry-run']
    const {nickname, email} = this.args
    const {result, note} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const r = await changeEmail(m, nickname, email, {instanceHost, dryRun})
      if (dryRun || !r.changed) return {result: r, note: undefined}
      // The admin API's update_user_credentials logs an e-mail change as "updated_users" (docs/live-instance.md#moderation-log).
      const subject = await emailSubject(m, nickname, instanceHost)
      const effects = await live.usersChanged(m, db.schema, a, [subject], [{action: 'updated_users', subject: [subject]}])
      return {result: r, note: live.loggedNote(effects, a)}
    })
    const from = result.previousEmail ?? '(none)'
    if (!result.changed) {
      this.out(`${nickname}'s email is already ${result.email}; nothing changed.`)
    } else if (dryRun) {
      this.out(`${nickname}'s email would be updated: ${from} -> ${result.email}`)
    } else {
      this.out(`${nickname}'s email updated`)
      this.note(`${result.nickname}: ${from} -> ${result.email} (${result.confirmed ? 'confirmed' : 'still unconfirmed'}; no e-mail was sent).`)
    }
    if (note) this.note(note)
    if (dryRun) this.note('Dry run: nothing was written.')
    return {dryRun, ...result}
  }
}
