import * as Args from '@oclif/core/args'
import {BaseCommand, dryRunFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:revoke-invite --json`. */
export interface UserRevokeInviteResult {
  id: number
  token: string | null
  /** The invite is (dry run: would be) unusable afterwards. */
  revoked: boolean
  /** It was already used or revoked before: nothing changed. */
  alreadyUsed: boolean
  dryRun: boolean
}

export default class UserRevokeInvite extends BaseCommand<typeof UserRevokeInvite> {
  static summary = 'Revoke an invite.'

  static description = `Marks one invite as used (used = true, updated_at bumped) so that its link no longer works. The invite is given by its token (exact, case-sensitive) or by its ID as shown by user:invites; a token match wins over an ID match. An invite that is already used is left unchanged (and said so on stderr). A token that begins with "-" must come after "--" (or give the ID).

Under --json, "revoked" says whether the invite is revoked once the command is done, "alreadyUsed" whether it was before.`

  static hiddenAliases = ['user:revoke_invite']

  static examples = [
    '<%= config.bin %> <%= command.id %> 3',
    '<%= config.bin %> <%= command.id %> "gR8dwrMRrD3cQKQfDsBgLpWUBkw7JqBa5zfBAdu0YCE=" --dry-run',
    '<%= config.bin %> <%= command.id %> --json -- "-R8dwrMRrD3cQKQfDsBgLpWUBkw7JqBa5zfBAdu0YCE="',
  ]

  static args = {
    token_or_id: Args.string({description: 'The token of the invite (as in its link, with the final "=") or its ID.', required: true, ignoreStdin: true}),
  }

  static flags = {
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserRevokeInviteResult> {
    const dryRun = this.flags['dry-run']
    const {revokeInvite} = runtime().invites
    const r = await this.inTransaction(({m}) => revokeInvite(m, this.args.token_or_id, {dryRun}))
    const label = r.token ?? this.args.token_or_id
    if (dryRun && !r.alreadyUsed) {
      this.out(`Invite for token ${label} would be revoked.`)
      this.note('Dry run: nothing was written.')
    } else {
      this.out(`Invite for token ${label} was revoked.`)
      if (r.alreadyUsed) this.note(`The invite (ID ${r.id}) was already used or revoked; nothing was changed.`)
    }
    return {id: r.id, token: r.token, revoked: r.alreadyUsed || r.changed, alreadyUsed: r.alreadyUsed, dryRun}
  }
}
