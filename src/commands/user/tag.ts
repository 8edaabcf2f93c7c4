import type {BulkResult} from '../../bulk-users'
import {tagArgs, TagCommand, tagFlags, TAG_BULK_HELP} from '../../tag-command'

/** `user:tag --json`: the tags afterwards (dry run: as they would be); with --stdin each user's outcome. */
export type UserTagResult = UserTagOne | BulkResult<UserTagOne>

/** `user:tag --json` of one user. */
export interface UserTagOne {
  dryRun: boolean
  nickname: string
  tags: string[]
  changed: boolean
}

export default class UserTag extends TagCommand<typeof UserTag> {
  static summary = 'Add tags to a user (local or remote).'

  static description = `Appends the given tags to users.tags of one user, local or remote, in one UPDATE: each tag is lower-cased, and the list keeps its order with duplicates removed (the first occurrence stays). updated_at is bumped only when the list changes.

Prints the resulting list as Pleroma does: Tags of alice: ["mrf_tag:media-force-nsfw"]. Tags are what Pleroma's TagPolicy reads (mrf_tag:media-force-nsfw, mrf_tag:media-strip, mrf_tag:force-unlisted, mrf_tag:sandbox, mrf_tag:disable-remote-subscription, mrf_tag:disable-any-subscription). On a Pleroma database with a job queue, a change to a local user's tags queues the server's verify_fields_links job, which re-reads and re-caches the user, so a running server sees the new tags once its queue has run it. With --actor (or PLEROMA_ADMIN_ACTOR), a "tag" entry naming the user and the tags is written to the moderation log when the list changes.

${TAG_BULK_HELP}`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice mrf_tag:media-force-nsfw',
    '<%= config.bin %> <%= command.id %> spammer@remote.example mrf_tag:sandbox mrf_tag:force-unlisted --json',
    '<%= config.bin %> <%= command.id %> bob -- -odd-tag-starting-with-a-dash',
    '<%= config.bin %> user:list --remote --instance spam.example --nicknames | <%= config.bin %> <%= command.id %> --stdin mrf_tag:sandbox --yes',
  ]

  static args = tagArgs('add')

  static flags = tagFlags

  async run(): Promise<UserTagResult> {
    return this.changeTagsOf('tag', this.args, this.flags)
  }
}
