import * as Flags from '@oclif/core/flags'
import {BaseCommand, dryRunFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'
import type {InviteType} from '../../services/invites'

/** `user:invite --json`; id, token and url are null on a dry run (they exist only once written). */
export interface UserInviteResult {
  dryRun: boolean
  id: number | null
  token: string | null
  inviteType: InviteType
  /** Last valid day (UTC), YYYY-MM-DD. */
  expiresAt: string | null
  maxUse: number | null
  url: string | null
}

export default class UserInvite extends BaseCommand<typeof UserInvite> {
  static summary = 'Generate an invite link.'

  static description = `Inserts one row into user_invite_tokens (a new random token, uses 0, not used) and prints its registration link, as Pleroma does. The invite type follows from the options:

  no option                   one_time               (one registration)
  --expires-at DATE           date_limited           (any number of registrations until the end of DATE, UTC)
  --max-use N                 reusable               (N registrations)
  --expires-at and --max-use  reusable_date_limited  (N registrations until the end of DATE)

Invalid values (a date that is not a real YYYY-MM-DD day or is before today UTC, a --max-use that is not a whole number of at least 1) are refused and nothing is written. The link works only when the instance allows registration by invite.`

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --expires-at 2030-12-31 --max-use 10',
    '<%= config.bin %> <%= command.id %> --max-use 5 --json | jq -r .url',
  ]

  static flags = {
    'expires-at': Flags.string({summary: 'Last day (YYYY-MM-DD, UTC) on which the invite works; today or later.', helpValue: 'DATE'}),
    'max-use': Flags.string({summary: 'How many registrations the invite allows (a whole number, at least 1).', helpValue: 'N'}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserInviteResult> {
    const {flags} = this
    const invites = runtime().invites
    const expiresAt = flags['expires-at'] === undefined ? null : invites.parseExpiresAt(flags['expires-at'])
    const maxUse = flags['max-use'] === undefined ? null : invites.parseMaxUse(flags['max-use'])
    if (flags['dry-run']) {
      const inviteType = invites.inviteTypeOf(expiresAt, maxUse)
      this.out(`A user invite token ${inviteType.replace(/_/g, ' ')} would be generated`)
      this.note('Dry run: nothing was written.')
      return {dryRun: true, id: null, token: null, inviteType, expiresAt, maxUse, url: null}
    }
    const {invite, url} = await this.inTransaction(async ({m, instanceUrl}) => {
      const base = await instanceUrl()
      const created = await invites.createInvite(m, {expiresAt, maxUse})
      return {invite: created, url: invites.inviteUrl(base, created.token)}
    })
    this.out(`Generated user invite token ${invite.inviteType.replace(/_/g, ' ')}`)
    this.out(url)
    return {dryRun: false, ...invite, url}
  }
}
