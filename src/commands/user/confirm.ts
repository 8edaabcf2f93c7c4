import {localNicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {BULK_HELP, SkippedUser, stdinFlag, type BulkResult} from '../../bulk-users'
import {RefusedError} from '../../errors'
import {runtime} from '../../runtime-loader'

/** `user:confirm --json`: one user's (a dry run gives what would change); several users: each one's outcome. */
export type UserConfirmResult = UserConfirmOne | BulkResult<UserConfirmOne>

/** `user:confirm --json` of one user. */
export interface UserConfirmOne {
  nickname: string
  /** Always true: the user is (dry run: would be) confirmed afterwards. */
  confirmed: boolean
  dryRun: boolean
}

export default class UserConfirm extends BaseCommand<typeof UserConfirm> {
  static summary = "Confirm a local user's e-mail address."

  static description = `Pleroma's confirm task (User.confirm): for a local user whose users.is_confirmed is false, sets is_confirmed to true and clears confirmation_token (the link of the confirmation e-mail stops working), updated_at bumped. The user can then log in on an instance that requires confirmation.

Prints Pleroma's "NICK doesn't need confirmation.". A user that is confirmed already: the same words as an error, nothing written, exit code 4. Unknown: "No local user NICK", exit 3; a remote user, exit 4 (its server confirms it, not this one). Unlike Pleroma, no welcome e-mail or auto-follow follows (nothing but the database is touched); user:confirm-all confirms every ordinary local user, user:set --no-confirmed undoes it.

On a Pleroma database with a job queue, the server's verify_fields_links job is queued: it re-reads the user and re-caches it, so a running server sees the confirmation once its queue has run it. With --actor (or PLEROMA_ADMIN_ACTOR), a "confirm_email" entry is written to the moderation log.

${BULK_HELP} A user that is confirmed already is skipped (not a failure); admins and moderators are not skipped.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> alice --dry-run --json',
    '<%= config.bin %> user:list --unconfirmed --email-domain example.com --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    yes: {...yesFlag, summary: 'With several users: do not ask for confirmation (needed when stdin is not a terminal).'},
    'dry-run': dryRunFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserConfirmResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: 'will be confirmed',
        rehearse: true,
        totals: () => [],
      },
      (nickname, dryRun) => this.confirmOne(nickname, dryRun),
    )
  }

  private async confirmOne(nickname: string, dryRun: boolean): Promise<UserConfirmOne> {
    const {requireLocalUser} = runtime().users
    const svc = runtime().confirmation
    const live = runtime().live
    const {nickname: stored, note} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const user = await requireLocalUser(m, nickname, instanceHost)
      const nick = user.nickname ?? nickname
      if (dryRun) {
        if (await svc.isConfirmed(m, user)) throw alreadyConfirmed(nick)
        return {nickname: nick, note: undefined}
      }
      const done = await svc.confirmUser(m, user)
      if (!done.changed) throw alreadyConfirmed(nick)
      const subject = {id: user.id, nickname: done.nickname}
      const effects = await live.usersChanged(m, db.schema, a, [{...subject, local: true}], [{action: 'confirm_email', subject: [subject]}])
      return {nickname: done.nickname, note: live.loggedNote(effects, a)}
    })
    this.out(`${stored} doesn't need confirmation.`)
    if (note) this.note(note)
    if (dryRun) this.note('Dry run: nothing was written.')
    return {nickname: stored, confirmed: true, dryRun}
  }
}

/** Confirmed already: alone, the error it always was (exit 4); among several users, skipped. */
function alreadyConfirmed(nickname: string): SkippedUser {
  return new SkippedUser('already confirmed', alreadyConfirmedError(nickname))
}

function alreadyConfirmedError(nickname: string): RefusedError {
  return new RefusedError(`${nickname} doesn't need confirmation.`, 'It is confirmed already; nothing was changed.')
}
