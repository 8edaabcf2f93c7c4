import * as Args from '@oclif/core/args'
import {nicknameArg} from '../../args'
import {BaseCommand, dryRunFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:untag --json`: the tags afterwards (dry run: as they would be). */
export interface UserUntagResult {
  dryRun: boolean
  nickname: string
  tags: string[]
  changed: boolean
}

export default class UserUntag extends BaseCommand<typeof UserUntag> {
  static summary = 'Remove tags from a user (local or remote).'

  static description = `Removes the given tags from users.tags of one user, local or remote, in one UPDATE: each tag is lower-cased and removes one occurrence of exactly that tag (give it twice to remove two). Tags the user does not have are ignored. updated_at is bumped only when the list changes.

Prints the resulting list as Pleroma does: Tags of alice: [] (or the tags that remain). A running Pleroma may show the old tags until its user cache expires.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice mrf_tag:media-force-nsfw',
    '<%= config.bin %> <%= command.id %> spammer@remote.example mrf_tag:sandbox mrf_tag:force-unlisted --json',
  ]

  static args = {
    nickname: nicknameArg,
    tags: Args.string({
      description: 'One or more tags to remove (lower-cased). Put -- before tags that start with -.',
      required: true,
      multiple: true,
      ignoreStdin: true,
    }),
  }

  static flags = {
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserUntagResult> {
    const {changeTags, inspectList} = runtime().userTags
    const dryRun = this.flags['dry-run']
    const result = await this.inTransaction(({m, instanceHost}) =>
      changeTags(m, this.args.nickname, 'untag', this.args.tags, {instanceHost: instanceHost, dryRun}),
    )
    this.out(`Tags of ${result.nickname}: ${inspectList(result.tags)}`)
    if (dryRun) this.note('Dry run: nothing was written.')
    return {dryRun, nickname: result.nickname, tags: result.tags, changed: result.changed}
  }
}
