import {localNicknameArg} from '../../args'
import {BaseCommand, dryRunFlag, forceFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:reset-password --json`; url is null on a dry run (the token exists only once written). */
export interface UserResetPasswordResult {
  dryRun: boolean
  nickname: string
  url: string | null
}

export default class UserResetPassword extends BaseCommand<typeof UserResetPassword> {
  static summary = 'Generate a password reset link for a local user.'

  static description = `Inserts one row into password_reset_tokens (a new random token for the user, not used) and prints the link with which the user can set a new password, as Pleroma does. The password itself is not changed. Pleroma accepts the link for a day (password_reset_token_validity). Deactivated local users get a link too; remote users are refused.`

  static hiddenAliases = ['user:reset_password']

  static examples = ['<%= config.bin %> <%= command.id %> alice', '<%= config.bin %> <%= command.id %> alice --json | jq -r .url']

  static args = {
    nickname: localNicknameArg,
  }

  static flags = {
    'dry-run': dryRunFlag,
    force: forceFlag,
  }

  async run(): Promise<UserResetPasswordResult> {
    const {requireLocalUser} = runtime().users
    const {createPasswordResetToken, passwordResetUrl} = runtime().passwordReset
    const {nickname, url} = await this.inTransaction(async ({m, instanceUrl, instanceHost}) => {
      const user = await requireLocalUser(m, this.args.nickname, instanceHost, {action: 'make a password reset link for', force: this.flags.force})
      if (this.flags['dry-run']) return {nickname: user.nickname!, url: undefined}
      const token = await createPasswordResetToken(m, user.id)
      return {nickname: user.nickname!, url: passwordResetUrl(await instanceUrl(), token)}
    })
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
