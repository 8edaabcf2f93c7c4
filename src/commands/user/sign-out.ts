import {localNicknamesArg} from '../../args'
import {BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'
import {plural} from '../../text'

/** `user:sign-out --json`: one user's (a dry run gives what would be deleted); several users: each one's outcome. */
export type UserSignOutResult = UserSignOutOne | BulkResult<UserSignOutOne>

/** `user:sign-out --json` of one user. */
export interface UserSignOutOne {
  nickname: string
  tokensDeleted: number
  authorizationsDeleted: number
  dryRun: boolean
}

export default class UserSignOut extends BaseCommand<typeof UserSignOut> {
  static summary = 'Sign a local user out of all apps.'

  static description = `Deletes all of the user's OAuth authorizations and then all of its OAuth tokens, as Pleroma does; the push subscriptions of those tokens and the MFA tokens of those authorizations go with them (ON DELETE CASCADE). Every app and session of the user must log in again. The apps themselves, the user's external-login registrations and password reset tokens are not touched, nor is the password.

Shows how many tokens and authorizations will be deleted and asks for confirmation (-y skips it; without a terminal -y is needed). --dry-run shows the counts and deletes nothing.

${BULK_HELP}${BULK_STAFF_HELP}`

  static hiddenAliases = ['user:sign_out']

  static examples = [
    '<%= config.bin %> <%= command.id %> alice --dry-run',
    '<%= config.bin %> <%= command.id %> alice --yes',
    '<%= config.bin %> user:list --tag compromised --nicknames | <%= config.bin %> <%= command.id %> --stdin --yes',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    stdin: stdinFlag,
    'include-staff': includeStaffFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserSignOutResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: true,
        verb: 'will be signed out',
        totals: (r) => [
          {key: 'tokensDeleted', n: r.tokensDeleted, one: 'OAuth token', many: 'OAuth tokens'},
          {key: 'authorizationsDeleted', n: r.authorizationsDeleted, one: 'authorization', many: 'authorizations'},
        ],
      },
      (nickname, dryRun) => this.signOutOne(nickname, dryRun),
    )
  }

  private async signOutOne(nickname: string, dryRun: boolean): Promise<UserSignOutOne> {
    const {flags} = this
    const {requireLocalUser} = runtime().users
    const {countSessions, signOutUser} = runtime().signOut
    const {user, counts} = await this.inTransaction(async ({m, instanceHost}) => {
      const found = await requireLocalUser(m, nickname, instanceHost)
      return {user: found, counts: await countSessions(m, found.id)}
    })
    const stored = user.nickname!
    this.out(
      `${stored}: ${plural(counts.tokens, 'OAuth token', 'OAuth tokens')} and ${plural(counts.authorizations, 'authorization', 'authorizations')} will be deleted`,
    )
    if (counts.pushSubscriptions > 0 || counts.mfaTokens > 0) {
      this.out(
        `  (with them ${plural(counts.pushSubscriptions, 'push subscription', 'push subscriptions')} and ${plural(counts.mfaTokens, 'MFA token', 'MFA tokens')})`,
      )
    }

    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return {nickname: stored, tokensDeleted: counts.tokens, authorizationsDeleted: counts.authorizations, dryRun: true}
    }
    if (counts.tokens + counts.authorizations > 0) {
      await this.confirmOrAbort('Continue?', flags.yes, `${stored} was not signed out.`)
    }
    const deleted = await this.inTransaction(({m}) => signOutUser(m, user.id))
    this.out(`${stored} signed out from all apps.`)
    return {nickname: stored, tokensDeleted: deleted.tokens, authorizationsDeleted: deleted.authorizations, dryRun: false}
  }
}
