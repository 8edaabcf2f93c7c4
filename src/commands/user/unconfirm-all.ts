import {BulkConfirmationCommand, bulkConfirmationFlags, type BulkConfirmationResult} from '../../bulk-confirmation-command'

/** `user:unconfirm-all --json` (a dry run gives what would change). */
export type UserUnconfirmAllResult = BulkConfirmationResult

export default class UserUnconfirmAll extends BulkConfirmationCommand<typeof UserUnconfirmAll> {
  static summary = 'Mark every local user that is not admin, moderator or invisible as needing e-mail confirmation.'

  static description = `Pleroma's unconfirm_all task: User.set_confirmation(user, false) for every local user that is not an admin, a moderator, invisible or an internal actor. As in Pleroma, deactivated users are included (the task's "is_active: true" is a criterion Pleroma's query builder ignores).

For each such user: users.is_confirmed is set to false and confirmation_token to a new token (32 random bytes, URL-safe Base64, as Pleroma makes them), updated_at bumped. As in Pleroma, a user that was unconfirmed already gets a new token too, so a confirmation link sent earlier stops working. No confirmation e-mail is sent: on an instance that requires confirmation, those users cannot log in until an admin confirms them (user:confirm, user:confirm-all) or they have a new link sent from Pleroma.

The users are read once, then changed in batches of --batch-size, ordered by id, one transaction each. Ctrl-C stops after the current batch; running the command again finishes the job (every user gets a fresh token again). Pleroma prints nothing; this shows a summary with counts and asks before changing anything (-y skips the question), then "Done: ..." on stderr.

On a Pleroma database with a job queue, each batch queues the server's verify_fields_links job per user changed (it re-reads and re-caches the user), so a running server sees the change once its queue has run them. Nothing is written to the moderation log: Pleroma's log has no entry for unconfirming.`

  static hiddenAliases = ['user:unconfirm_all']

  static examples = ['<%= config.bin %> <%= command.id %> --dry-run', '<%= config.bin %> <%= command.id %> --yes --batch-size 1000']

  static flags = bulkConfirmationFlags

  async run(): Promise<UserUnconfirmAllResult> {
    const {flags} = this
    return this.runBulk(false, {batchSize: flags['batch-size'], yes: flags.yes, dryRun: flags['dry-run']})
  }
}
