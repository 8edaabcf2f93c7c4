import {actorFlag} from '../../base-command'
import {BulkConfirmationCommand, bulkConfirmationFlags, type BulkConfirmationResult} from '../../bulk-confirmation-command'

/** `user:confirm-all --json` (a dry run gives what would change). */
export type UserConfirmAllResult = BulkConfirmationResult

export default class UserConfirmAll extends BulkConfirmationCommand<typeof UserConfirmAll> {
  static summary = 'Confirm the e-mail address of every local user that is not admin, moderator or invisible.'

  static description = `Pleroma's confirm_all task: User.set_confirmation(user, true) for every local user that is not an admin, a moderator, invisible or an internal actor. As in Pleroma, deactivated users are included (the task's "is_active: true" is a criterion Pleroma's query builder ignores).

For each such user whose row changes: users.is_confirmed is set to true and confirmation_token cleared (also for a confirmed user that still has a token), updated_at bumped; users already confirmed without a token are not touched. No e-mail is sent.

The users are read once, then changed in batches of --batch-size, ordered by id, one transaction each. Ctrl-C stops after the current batch; running the command again finishes the job. Pleroma prints nothing; this shows a summary with counts and asks before changing anything (-y skips the question), then "Done: N users confirmed." on stderr.

On a Pleroma database with a job queue, each batch queues the server's verify_fields_links job per user changed (it re-reads and re-caches the user), so a running server sees the change once its queue has run them. With --actor (or PLEROMA_ADMIN_ACTOR), each batch writes one "confirm_email" entry naming the users it confirmed to the moderation log.`

  static hiddenAliases = ['user:confirm_all']

  static examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %> --yes',
    '<%= config.bin %> <%= command.id %> --yes --json',
  ]

  static flags = {...bulkConfirmationFlags, actor: actorFlag}

  async run(): Promise<UserConfirmAllResult> {
    const {flags} = this
    return this.runBulk(true, {batchSize: flags['batch-size'], yes: flags.yes, dryRun: flags['dry-run']})
  }
}
