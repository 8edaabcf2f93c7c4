import {localNicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag, yesFlag} from '../../base-command'
import {BULK_HELP, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'

/** `user:toggle-confirmed --json`: one user's; several users: each one's outcome. */
export type UserToggleConfirmedResult = UserToggleConfirmedOne | BulkResult<UserToggleConfirmedOne>

/** `user:toggle-confirmed --json` of one user. */
export interface UserToggleConfirmedOne {
  dryRun: boolean
  nickname: string
  /** The confirmation status afterwards (dry run: as it would be). */
  confirmed: boolean
}

export default class UserToggleConfirmed extends BaseCommand<typeof UserToggleConfirmed> {
  static summary = "Flip a local user's e-mail confirmation status."

  static description = `Flips users.is_confirmed of a local user in one UPDATE: a confirmed user becomes unconfirmed with a new confirmation_token (44 characters), an unconfirmed one becomes confirmed and its confirmation_token is cleared. updated_at is bumped.

Prints, as Pleroma does, "alice needs confirmation." or "alice doesn't need confirmation.". To set the status rather than flip it, use user:set --confirmed or --no-confirmed.

On a Pleroma database with a job queue, the server's verify_fields_links job is queued: it re-reads the user and re-caches it, so a running server sees the new status once its queue has run it. With --actor (or PLEROMA_ADMIN_ACTOR), a user that becomes confirmed gets a "confirm_email" entry in the moderation log (becoming unconfirmed has none in Pleroma's log).

${BULK_HELP} Each user is flipped from its own state; admins and moderators are not skipped, service actors are refused unless --force.`

  static hiddenAliases = ['user:toggle_confirmed']

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> alice --dry-run --json',
    '<%= config.bin %> user:list --unconfirmed --email-domain example.com --nicknames | <%= config.bin %> <%= command.id %> --stdin --dry-run',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    yes: {...yesFlag, summary: 'With several users: do not ask for confirmation (needed when stdin is not a terminal).'},
    'dry-run': dryRunFlag,
    force: forceFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserToggleConfirmedResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: 'will have their confirmation status flipped',
        rehearse: true,
        totals: (r) => [
          {key: 'confirmed', n: r.confirmed ? 1 : 0, one: 'confirmed', many: 'confirmed'},
          {key: 'unconfirmed', n: r.confirmed ? 0 : 1, one: 'unconfirmed', many: 'unconfirmed'},
        ],
      },
      (nickname, dryRun) => this.toggleOne(nickname, dryRun),
    )
  }

  private async toggleOne(nickname: string, dryRun: boolean): Promise<UserToggleConfirmedOne> {
    const {toggleConfirmed} = runtime().userFlags
    const live = runtime().live
    const {result, note} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const r = await toggleConfirmed(m, nickname, {
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
