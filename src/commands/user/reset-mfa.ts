import {localNicknamesArg} from '../../args'
import {BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {BULK_HELP, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'

/** `user:reset-mfa --json`: one user's (a dry run gives what would be done); several users: each one's outcome. */
export type UserResetMfaResult = UserResetMfaOne | BulkResult<UserResetMfaOne>

/** `user:reset-mfa --json` of one user. */
export interface UserResetMfaOne {
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

The user signs in with the password alone afterwards and can set up TOTP again. Prints, as Pleroma does, "Multi-Factor Authentication disabled for NICK". On a Pleroma database with a job queue, the server's verify_fields_links job is queued (it re-reads and re-caches the user), so a running server stops asking for the second factor once its queue has run it; on Akkoma, after a restart. Nothing is written to the moderation log (Pleroma's admin API logs no MFA reset).

${BULK_HELP} Admins and moderators are not skipped.`

  static hiddenAliases = ['user:reset_mfa']

  static examples = [
    '<%= config.bin %> <%= command.id %> alice',
    '<%= config.bin %> <%= command.id %> alice --dry-run --json',
    '<%= config.bin %> user:list --tag lost-2fa --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    yes: {...yesFlag, summary: 'With several users: do not ask for confirmation (needed when stdin is not a terminal).'},
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserResetMfaResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: 'will have their multi-factor authentication disabled',
        rehearse: true,
        totals: (r) => [
          {key: 'changed', n: r.changed ? 1 : 0, one: 'MFA setting rewritten', many: 'MFA settings rewritten'},
          {key: 'mfaTokensDeleted', n: r.mfaTokensDeleted, one: 'pending MFA sign-in token', many: 'pending MFA sign-in tokens'},
        ],
      },
      (nickname, dryRun) => this.resetOne(nickname, dryRun),
    )
  }

  private async resetOne(nickname: string, dryRun: boolean): Promise<UserResetMfaOne> {
    const {resetMfa} = runtime().mfa
    const result = await this.inTransaction(async ({m, db, instanceHost}) => {
      const r = await resetMfa(m, nickname, {instanceHost, dryRun})
      if (dryRun || !r.changed) return r
      // The server's re-read job, so a running server stops asking for the second factor (docs/live-instance.md#job-queue).
      const user = await runtime().users.requireLocalUser(m, nickname, instanceHost)
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
