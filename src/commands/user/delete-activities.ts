import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {AbortedError} from '../../errors'
import {runtime} from '../../runtime-loader'

/** `user:delete-activities --json` (a dry run gives the counts that would be deleted). */
export interface UserDeleteActivitiesResult {
  nickname: string
  posts: number
  likes: number
  announces: number
  likesAndAnnounces: number
  /** Transactions committed (0 on a dry run). */
  batches: number
  dryRun: boolean
}

export default class UserDeleteActivities extends BaseCommand<typeof UserDeleteActivities> {
  static summary = "Delete a local user's posts and undo its likes and announces."

  static hiddenAliases = ['user:delete_activities']

  static description = `What Pleroma's delete_activities task leaves in the database, done directly:

- every post (Create activity) of the user: the object row becomes a Tombstone {"id", "type": "Tombstone", "formerType", "deleted"} (a pruned, missing object row is inserted as one), every activity referring to it except Deletes is deleted (the Create, other users' likes, announces and reactions of it; their notifications and bookmarks go with them), it leaves the user's pinned posts, note_count drops for public and unlisted posts, a replied-to post's repliesCount drops, and a Delete activity is recorded;
- every like and announce of the user: an Undo activity is recorded, the user is removed from the post's likes / announcements (like_count / announcement_count recomputed) and the Like / Announce activity is deleted with its notifications;
- follows, blocks, reports, reactions and everything else are left alone, as is the user row apart from note_count and pinned_objects.

Nothing is federated: no job is queued, so other servers are not told about the deletions.

Works in batches of the user's activities (--batch-size), each its own transaction; if it is interrupted, run it again to finish. Works on a deactivated user too (Pleroma's own task silently changes nothing for one). Shows the counts and asks before changing anything.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice --dry-run',
    '<%= config.bin %> <%= command.id %> alice --yes',
    '<%= config.bin %> <%= command.id %> spammer --yes --json',
  ]

  static args = {
    nickname: Args.string({description: 'Nickname of the local user (nick, or nick@this-instance).', required: true, ignoreStdin: true}),
  }

  static flags = {
    'batch-size': Flags.integer({summary: 'Activities per batch (one transaction each).', default: 500, min: 1, max: 100000}),
    yes: yesFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserDeleteActivitiesResult> {
    const {flags} = this
    const nickname = this.args.nickname
    const db = await this.openDb()
    const {requireLocalUser} = runtime().users
    const svc = runtime().deleteActivities
    const {postsPhrase} = runtime().deletionSummary

    const plan = await db.transaction(async (m) => {
      const instanceUrl = await this.instanceUrl(m, db)
      const host = async () => new URL(instanceUrl).host
      const user = await requireLocalUser(m, nickname, host)
      const target = await svc.lockTarget(m, user.id)
      return {instanceUrl, target, counts: await svc.countUserActivities(m, target.apId)}
    })
    const {counts, target} = plan
    const likesAndAnnounces = counts.likes + counts.announces
    const shape = (dryRun: boolean, c: {posts: number; likes: number; announces: number}, batches: number) => ({
      nickname: target.nickname,
      posts: c.posts,
      likes: c.likes,
      announces: c.announces,
      likesAndAnnounces: c.likes + c.announces,
      batches,
      dryRun,
    })

    const nothing = counts.posts === 0 && likesAndAnnounces === 0
    if (!nothing || flags['dry-run']) {
      this.out(`${target.nickname} (${svc.describeState(target)}): ${postsPhrase(counts.posts, likesAndAnnounces)} will be deleted`)
    }
    if (flags['dry-run']) {
      this.note('Dry run: nothing was written.')
      return shape(true, counts, 0)
    }
    if (!nothing) await this.confirmOrAbort('Continue?', flags.yes, 'Nothing was deleted.')

    const shouldStop = this.stopBetweenBatches()
    const bar = this.progress('Deleting posts', counts.posts + counts.likes + counts.announces)
    let reported = 0
    const totals = await svc.deleteUserActivities((fn) => db.transaction(fn), target.id, {
      instanceUrl: plan.instanceUrl,
      batchSize: flags['batch-size'],
      tables: db.schema.tables,
      shouldStop,
      onBatch: (_batch, t) => {
        const done = t.posts + t.likes + t.announces
        bar.advance(done - reported)
        reported = done
      },
    })
    bar.done()
    if (totals.stopped) {
      throw new AbortedError(
        `Interrupted after ${totals.batches} whole ${totals.batches === 1 ? 'batch' : 'batches'}: ${totals.posts} posts, ${totals.likes + totals.announces} likes and announces deleted so far, nothing half-done.`,
        'Run the same command again to finish.',
      )
    }
    this.out(`User ${nickname} statuses deleted.`)
    return shape(false, totals, totals.batches)
  }
}
