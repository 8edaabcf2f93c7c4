import {localNicknameArg} from '../../args'
import {BaseCommand, dryRunFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:reset-mfa --json` (a dry run gives what would be done). */
export interface UserResetMfaResult {
  dryRun: boolean
  nickname: string
  /** Whether sign-in asked the user for a second factor before. */
  wasEnabled: boolean
  /** Whether the MFA settings were (would be) rewritten; false when they already read as disabled. */
  changed: boolean
  /** Pending MFA sign-in tokens of the user deleted (would be). */
  mfaTokensDeleted: number
}

export default class UserResetMfa extends BaseCommand<typeof UserResetMfa> {
  static summary = "Disable a local user's multi-factor authentication (TOTP and backup codes)."

  static description = `For a user who lost their second factor. Sets users.multi_factor_authentication_settings to the disabled state Pleroma's reset_mfa writes (enabled false, an empty TOTP setup) and, beyond Pleroma, also empties the backup codes and deletes the user's pending MFA sign-in tokens (mfa_tokens), so old codes do not come back when the user sets up TOTP again. updated_at is bumped when the settings change; settings that already read as disabled are left as they are.

The user signs in with the password alone afterwards and can set up TOTP again. Prints, as Pleroma does, "Multi-Factor Authentication disabled for NICK". On a Pleroma database with a job queue, the server's verify_fields_links job is queued (it re-reads and re-caches the user), so a running server stops asking for the second factor once its queue has run it; on Akkoma, after a restart. Nothing is written to the moderation log (Pleroma's admin API logs no MFA reset).`

  static hiddenAliases = ['user:reset_mfa']

  static examples = ['<%= config.bin %> <%= command.id %> alice', '<%= config.bin %> <%= command.id %> alice --dry-run --json']

  static args = {
    nickname: localNicknameArg,
  }

  static flags = {
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserResetMfaResult> {
    const {resetMfa} = runtime().mfa
    const dryRun = this.flags['dry-run']
    const result = await this.inTransaction(async ({m, db, instanceHost}) => {
      const r = await resetMfa(m, this.args.nickname, {instanceHost, dryRun})
      if (dryRun || !r.changed) return r
      // The server's re-read job, so a running server stops asking for the second factor (docs/live-instance.md#job-queue).
      const user = await runtime().users.requireLocalUser(m, this.args.nickname, instanceHost)
      await runtime().live.queueReread(m, db.schema, [{id: user.id, local: true}])
      return r
    })
    const n = result.mfaTokensDeleted
    const tokens = `${n} pending MFA sign-in ${n === 1 ? 'token' : 'tokens'}`
    if (dryRun) {
      this.out(
        result.changed
          ? `Multi-Factor Authentication would be disabled for ${result.nickname} (it is ${result.wasEnabled ? 'enabled' : 'not enabled, but a TOTP secret or backup codes are stored'}); ${tokens} would be deleted.`
          : `Multi-Factor Authentication is already disabled for ${result.nickname}; ${tokens} would be deleted.`,
      )
      this.note('Dry run: nothing was written.')
    } else {
      this.out(`Multi-Factor Authentication disabled for ${result.nickname}`)
      this.note(
        result.changed
          ? `${result.wasEnabled ? 'It was enabled' : 'It was not enabled; the stored TOTP secret or backup codes were removed'}; ${tokens} deleted. ${result.nickname} signs in with the password alone and can set up TOTP again.`
          : `It was already disabled (settings unchanged); ${tokens} deleted.`,
      )
    }
    return {dryRun, ...result}
  }
}
