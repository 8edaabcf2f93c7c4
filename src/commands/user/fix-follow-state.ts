import * as Args from '@oclif/core/args'
import {BaseCommand, dryRunFlag} from '../../base-command'
import {NotFoundError, RefusedError} from '../../errors'
import {runtime} from '../../runtime-loader'
import {plural} from '../../text'

/** `user:fix-follow-state --json` (a dry run gives what would change). */
export interface UserFixFollowStateResult {
  /** The follower (local) and the followed (remote) account, stored nicknames. */
  local: string
  remote: string
  /** The latest Follow's state ("accept"). */
  requestState: string
  /** Whether an accepted relationship existed (false: that is the discrepancy). */
  following: boolean
  /** Follow activities marked "reject" (dry run: that would be). */
  followsRejected: number
  /** Whether a pending or rejected relationship row was (would be) deleted. */
  relationshipRemoved: boolean
  /** Notifications of the Follow deleted. */
  notificationsDismissed: number
  /** The stored Reject activity's ActivityPub id (null on a dry run). */
  rejectActivity: string | null
  dryRun: boolean
}

export default class UserFixFollowState extends BaseCommand<typeof UserFixFollowState> {
  static summary = "Repair a local user's follow of a remote account that says accepted but is not there."

  static description = `Pleroma's fix_follow_state task: reads the latest Follow activity of LOCAL for REMOTE and whether LOCAL follows REMOTE (an accepted following_relationships row), and prints "Request state is STATE, vs calculated state of following=BOOL". When the Follow says "accept" but there is no accepted relationship, the follow is rejected as Pleroma's reject_follow_request does it ("Discrepancy found, fixing", "Relationship fixed"), in one transaction:

  - a Reject activity is stored (actor REMOTE, object the Follow, addressed to LOCAL);
  - every Follow of LOCAL for REMOTE in state pending or accept gets state "reject";
  - a pending or rejected relationship row of LOCAL for REMOTE, if any, is deleted, and LOCAL's counters recomputed;
  - the Follow's notifications are deleted.

Nothing is sent to REMOTE's server: the Reject is addressed to LOCAL only (Pleroma queues nothing that reaches another server either). Afterwards LOCAL can follow REMOTE again.

Exit codes: an unknown LOCAL or REMOTE: 3 ("No local user NICK", "No remote user NICK"); LOCAL remote or REMOTE local: 4; no Follow of LOCAL for REMOTE, or one without a state: 4 ("No follow data for LOCAL and REMOTE"); no discrepancy: 4 ("No discrepancy found", nothing written).`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice bob@remote.example',
    '<%= config.bin %> <%= command.id %> alice bob@remote.example --dry-run --json',
  ]

  static hiddenAliases = ['user:fix_follow_state']

  static args = {
    local: Args.string({description: 'Nickname of the local follower (case-insensitive; nick@this-instance works too).', required: true, ignoreStdin: true}),
    remote: Args.string({description: 'Nickname of the remote account it follows (nick@host).', required: true, ignoreStdin: true}),
  }

  static flags = {
    'dry-run': dryRunFlag,
  }

  async run(): Promise<UserFixFollowStateResult> {
    const {args, flags} = this
    const dryRun = flags['dry-run']
    const svc = runtime().followState
    const {requireLocalUser, findUser} = runtime().users
    const result = await this.inTransaction(async ({m, instanceHost, instanceUrl}) => {
      const local = await requireLocalUser(m, args.local, instanceHost)
      const remote = await findUser(m, args.remote, instanceHost)
      if (!remote) throw new NotFoundError(`No remote user ${args.remote}`, 'Give the remote account as nick@host, as `pleroma-admin user:show` shows it.')
      if (remote.local)
        throw new RefusedError(
          `No remote user ${args.remote}`,
          `${remote.nickname} is a local user; follows between local users have no remote side to get out of step with.`,
        )
      const follower = {id: local.id, apId: local.apId}
      const followed = {id: remote.id, apId: remote.apId}
      const plan = await svc.planFollowStateFix(m, follower, followed)
      if (plan.requestState === null)
        throw new RefusedError(
          `No follow data for ${args.local} and ${args.remote}`,
          `${local.nickname} has no Follow activity (with a state) for ${remote.nickname}: nothing to fix.`,
        )
      const head = `Request state is ${plan.requestState}, vs calculated state of following=${plan.following}`
      if (!svc.needsFix(plan)) return {head, local, remote, plan, fix: null}
      const fix = dryRun ? null : await svc.fixFollowState(m, follower, followed, plan, await instanceUrl())
      return {head, local, remote, plan, fix}
    })
    const {plan, fix} = result
    const local = result.local.nickname!
    const remote = result.remote.nickname!
    this.out(result.head)
    if (!svc.needsFix(plan)) {
      throw new RefusedError(
        'No discrepancy found',
        plan.following
          ? `${local} follows ${remote} and the latest Follow says ${plan.requestState}: nothing to fix.`
          : `The latest Follow says ${plan.requestState}, not accept: ${local} does not follow ${remote}, as the Follow says. Nothing to fix.`,
      )
    }
    this.out('Discrepancy found, fixing')
    const followsRejected = fix ? fix.followsRejected : plan.followsToReject
    const relationshipRemoved = fix ? fix.relationshipRemoved : plan.relationshipState !== null
    const notificationsDismissed = fix ? fix.notificationsDismissed : plan.notifications
    const what =
      `${plural(followsRejected, 'Follow activity', 'Follow activities')} marked rejected, a Reject activity stored` +
      (relationshipRemoved ? `, the ${plan.relationshipState === 1 ? 'pending' : 'rejected'} relationship removed` : '') +
      (notificationsDismissed > 0 ? `, ${plural(notificationsDismissed, 'notification')} deleted` : '')
    if (fix) {
      this.out('Relationship fixed')
      this.note(`${what}. ${local} can follow ${remote} again.`)
    } else {
      this.note(`Would be: ${what}.`)
      this.note('Dry run: nothing was written.')
    }
    return {
      local,
      remote,
      requestState: plan.requestState!,
      following: plan.following,
      followsRejected,
      relationshipRemoved,
      notificationsDismissed,
      rejectActivity: fix?.rejectApId ?? null,
      dryRun,
    }
  }
}
