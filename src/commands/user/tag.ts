import * as Args from '@oclif/core/args'
import {nicknameArg} from '../../args'
import {BaseCommand, dryRunFlag, forceFlag} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `user:tag --json`: the tags afterwards (dry run: as they would be). */
export interface UserTagResult {
  dryRun: boolean
  nickname: string
  tags: string[]
  changed: boolean
}

export default class UserTag extends BaseCommand<typeof UserTag> {
  static summary = 'Add tags to a user (local or remote).'

  static description = `Appends the given tags to users.tags of one user, local or remote, in one UPDATE: each tag is lower-cased, and the list keeps its order with duplicates removed (the first occurrence stays). updated_at is bumped only when the list changes.

Prints the resulting list as Pleroma does: Tags of alice: ["mrf_tag:media-force-nsfw"]. Tags are what Pleroma's TagPolicy reads (mrf_tag:media-force-nsfw, mrf_tag:media-strip, mrf_tag:force-unlisted, mrf_tag:sandbox, mrf_tag:disable-remote-subscription, mrf_tag:disable-any-subscription). A running Pleroma may show the old tags until its user cache expires.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice mrf_tag:media-force-nsfw',
    '<%= config.bin %> <%= command.id %> spammer@remote.example mrf_tag:sandbox mrf_tag:force-unlisted --json',
    '<%= config.bin %> <%= command.id %> bob -- -odd-tag-starting-with-a-dash',
  ]

  static args = {
    nickname: nicknameArg,
    tags: Args.string({
      description: 'One or more tags to add (lower-cased). Put -- before tags that start with -.',
      required: true,
      multiple: true,
      ignoreStdin: true,
    }),
  }

  static flags = {
    'dry-run': dryRunFlag,
    force: forceFlag,
  }

  async run(): Promise<UserTagResult> {
    const {changeTags, inspectList} = runtime().userTags
    const dryRun = this.flags['dry-run']
    const result = await this.inTransaction(({m, instanceHost}) =>
      changeTags(m, this.args.nickname, 'tag', this.args.tags, {
        instanceHost: instanceHost,
        dryRun,
        guard: {action: 'tag', force: this.flags.force},
      }),
    )
    this.out(`Tags of ${result.nickname}: ${inspectList(result.tags)}`)
    if (dryRun) this.note('Dry run: nothing was written.')
    return {dryRun, nickname: result.nickname, tags: result.tags, changed: result.changed}
  }
}
