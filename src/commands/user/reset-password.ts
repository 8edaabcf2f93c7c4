import {localNicknamesArg} from '../../args'
import {BaseCommand, dryRunFlag, forceFlag, yesFlag} from '../../base-command'
import {BULK_HELP, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'

/** `user:reset-password --json`: one user's; several users: each one's outcome (with its link). */
export type UserResetPasswordResult = UserResetPasswordOne | BulkResult<UserResetPasswordOne>

/** `user:reset-password --json` of one user; url is null on a dry run (the token exists only once written). */
export interface UserResetPasswordOne {
  dryRun: boolean
  nickname: string
  url: string | null
}

export default class UserResetPassword extends BaseCommand<typeof UserResetPassword> {
  static summary = 'Generate a password reset link for a local user.'

  static description = `Inserts one row into password_reset_tokens (a new random token for the user, not used) and prints the link with which the user can set a new password, as Pleroma does. The password itself is not changed. Pleroma accepts the link for a day (password_reset_token_validity). Deactivated local users get a link too; remote users are refused.

${BULK_HELP} With several users the one confirmation is asked (-y skips it); each user's link is printed, and is in its outcome under --json.`

  static hiddenAliases = ['user:reset_password']

  static examples = ['<%= config.bin %> <%= command.id %> alice', '<%= config.bin %> <%= command.id %> alice --json | jq -r .url']

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
    force: forceFlag,
  }

  async run(): Promise<UserResetPasswordResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: 'will get a password reset link',
        // The link exists only once written: the preview is the body's own dry run.
        totals: () => [],
      },
      (nickname, dryRun) => this.resetOne(nickname, dryRun),
    )
  }

  private async resetOne(nickname: string, dryRun: boolean): Promise<UserResetPasswordOne> {
    const {requireLocalUser} = runtime().users
    const {createPasswordResetToken, passwordResetUrl} = runtime().passwordReset
    const found = await this.inTransaction(async ({m, instanceUrl, instanceHost}) => {
      const user = await requireLocalUser(m, nickname, instanceHost, {action: 'make a password reset link for', force: this.flags.force})
      if (dryRun) return {nickname: user.nickname!, url: undefined}
      const token = await createPasswordResetToken(m, user.id)
      return {nickname: user.nickname!, url: passwordResetUrl(await instanceUrl(), token)}
    })
    const {url} = found
    nickname = found.nickname
    if (url === undefined) {
      this.out(`A password reset token would be generated for ${nickname}`)
      this.note('Dry run: nothing was written.')
      return {dryRun: true, nickname, url: null}
    }
    this.out(`Generated password reset token for ${nickname}`)
    this.out(`URL: ${url}`)
    return {dryRun: false, nickname, url}
  }
}
