import {localNicknamesArg} from '../../args'
import {dryRunFlag, forceFlag, noFederateFlag, yesFlag} from '../../base-command'
import {BULK_HELP, BULK_STAFF_HELP, includeStaffFlag, stdinFlag, type BulkResult} from '../../bulk-users'
import {runtime} from '../../runtime-loader'
import {batchSizeFlag, DeliveryTally, UserDeletionCommand} from '../../user-deletion-command'

/** `user:delete-activities --json`: one user's (a dry run gives the counts that would be deleted); several users: each one's outcome. */
export type UserDeleteActivitiesResult = UserDeleteActivitiesOne | BulkResult<UserDeleteActivitiesOne>

/** `user:delete-activities --json` of one user. */
export interface UserDeleteActivitiesOne {
  nickname: string
  posts: number
  likes: number
  announces: number
  likesAndAnnounces: number
  /** Transactions committed (0 on a dry run). */
  batches: number
  /** Deliveries were queued in the server's job queue (false: --no-federate, or not a server's database). */
  federated: boolean
  /** publish_one jobs queued (a dry run: that would be queued), one per activity and inbox. */
  deliveries: number
  /** Distinct servers (hosts) those deliveries go to. */
  deliveryServers: number
  dryRun: boolean
}

export default class UserDeleteActivities extends UserDeletionCommand<typeof UserDeleteActivities> {
  static summary = "Delete a local user's posts and undo its likes and announces."

  static hiddenAliases = ['user:delete_activities']

  static description = `What Pleroma's delete_activities task leaves in the database, done directly:

- every post (Create activity) of the user: the object row becomes a Tombstone {"id", "type": "Tombstone", "formerType", "deleted"} (a pruned, missing object row is inserted as one), every activity referring to it except Deletes is deleted (the Create, other users' likes, announces and reactions of it; their notifications and bookmarks go with them), it leaves the user's pinned posts, note_count drops for public and unlisted posts (as Pleroma decides it: the public collection or the instance's own <instance>/#Public in to, cc, bto or bcc, and not a direct message), a replied-to post's repliesCount and a quoted post's quotesCount drop (not below 0), and a Delete activity is recorded;
- every like and announce of the user: an Undo activity is recorded, the user is removed from the post's likes / announcements (like_count / announcement_count recomputed) and the Like / Announce activity is deleted with its notifications;
- follows, blocks, reports, reactions and everything else are left alone, as is the user row apart from note_count and pinned_objects.

Other servers are told, on a Pleroma or Akkoma database: each Delete and Undo is queued as the server's own delivery jobs (publish_one, queue federator_outgoing), one per activity and inbox (the user's remote followers' servers, the remote accounts it addressed, those that fetched the post), in the same batches; the running server sends them with its own signatures and retries. --no-federate leaves them out. Nothing is queued on the tool's own database.

Works in batches of the user's activities (--batch-size), each its own transaction; if it is interrupted, run it again to finish. Works on a deactivated user too (Pleroma's own task silently changes nothing for one). Shows the counts and asks before changing anything.

${BULK_HELP}${BULK_STAFF_HELP}`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice --dry-run',
    '<%= config.bin %> <%= command.id %> alice --yes',
    '<%= config.bin %> <%= command.id %> spammer --yes --json',
    '<%= config.bin %> user:list --tag spam --nicknames | <%= config.bin %> <%= command.id %> --stdin --dry-run',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    'batch-size': batchSizeFlag('Activities per batch'),
    'no-federate': noFederateFlag,
    stdin: stdinFlag,
    'include-staff': includeStaffFlag,
    yes: yesFlag,
    'dry-run': dryRunFlag,
    force: forceFlag,
  }

  async run(): Promise<UserDeleteActivitiesResult> {
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: true,
        verb: 'will lose their posts, likes and announces',
        // A user's posts take the others' likes and announces of them along: the rehearsal counts each once, as the real run meets it.
        rehearse: true,
        totals: (r) => [
          {key: 'posts', n: r.posts, one: 'post', many: 'posts'},
          {key: 'likesAndAnnounces', n: r.likesAndAnnounces, one: 'like or announce', many: 'likes and announces'},
          {key: 'deliveries', n: r.deliveries, one: 'delivery queued', many: 'deliveries queued'},
        ],
      },
      (nickname, dryRun) => this.deleteOne(nickname, dryRun),
    )
  }

  /** user:delete-activities of one user: the summary line, the confirmation, the batches. */
  private async deleteOne(nickname: string, dryRun: boolean): Promise<UserDeleteActivitiesOne> {
    const {flags} = this
    const plan = await this.planDeletion(
      nickname,
      (m, target) => runtime().deleteActivities.countUserActivities(m, target.apId),
      {action: 'delete the activities of', force: flags.force},
      {noFederate: flags['no-federate'], parts: () => ({activities: true, actorDelete: false, followUndos: false})},
    )
    const {counts, target} = plan
    const likesAndAnnounces = counts.likes + counts.announces
    const shape = (dryRun: boolean, c: {posts: number; likes: number; announces: number}, batches: number, deliveries: {jobs: number; servers: number}) => ({
      nickname: target.nickname,
      posts: c.posts,
      likes: c.likes,
      announces: c.announces,
      likesAndAnnounces: c.likes + c.announces,
      batches,
      federated: plan.federation !== null,
      deliveries: deliveries.jobs,
      deliveryServers: deliveries.servers,
      dryRun,
    })

    const nothing = counts.posts === 0 && likesAndAnnounces === 0
    if (!nothing || dryRun) {
      this.printPlan(target, runtime().deletionSummary.postsPhrase(counts.posts, likesAndAnnounces))
      this.printFederation(plan)
    }
    if (dryRun) {
      this.note('Dry run: nothing was written.')
      return shape(true, counts, 0, plan.preview)
    }
    if (!nothing) await this.confirmOrAbort('Continue?', flags.yes, 'Nothing was deleted.')

    const tally = new DeliveryTally()
    const totals = await this.deleteInBatches(plan, {
      batchSize: flags['batch-size'],
      interrupted: ' so far, nothing half-done.',
      federate: this.federator(plan, tally),
    })
    this.out(`User ${nickname} statuses deleted.`)
    if (!nothing) this.noteDeliveries(plan, tally)
    return shape(false, totals, totals.batches, {jobs: tally.jobs, servers: tally.hosts.size})
  }
}
