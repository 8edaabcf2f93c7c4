import type {BulkResult} from '../../bulk-users'
import {tagArgs, TagCommand, untagFlags, TAG_BULK_HELP} from '../../tag-command'

/** `user:untag --json`: the tags afterwards (dry run: as they would be); with --stdin each user's outcome. */
export type UserUntagResult = UserUntagOne | BulkResult<UserUntagOne>

/** `user:untag --json` of one user. */
export interface UserUntagOne {
  dryRun: boolean
  nickname: string
  tags: string[]
  changed: boolean
}

export default class UserUntag extends TagCommand<typeof UserUntag> {
  static summary = 'Remove tags from a user (local or remote).'

  static description = `Removes the given tags from users.tags of one user, local or remote, in one UPDATE: each tag is lower-cased and removes one occurrence of exactly that tag (give it twice to remove two). Tags the user does not have are ignored. updated_at is bumped only when the list changes.

Prints the resulting list as Pleroma does: Tags of alice: [] (or the tags that remain). On a Pleroma database with a job queue, a change to a local user's tags queues the server's verify_fields_links job, which re-reads and re-caches the user, so a running server sees the new tags once its queue has run it. With --actor (or PLEROMA_ADMIN_ACTOR), a "untag" entry naming the user and the tags is written to the moderation log when the list changes.

${TAG_BULK_HELP}`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice mrf_tag:media-force-nsfw',
    '<%= config.bin %> <%= command.id %> spammer@remote.example mrf_tag:sandbox mrf_tag:force-unlisted --json',
    '<%= config.bin %> user:list --tag mrf_tag:sandbox --nicknames | <%= config.bin %> <%= command.id %> --stdin mrf_tag:sandbox --yes',
  ]

  static args = tagArgs('remove')

  static flags = untagFlags

  async run(): Promise<UserUntagResult> {
    return this.changeTagsOf('untag', this.args, this.flags)
  }
}
