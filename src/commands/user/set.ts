import * as Flags from '@oclif/core/flags'
import {localNicknamesArg} from '../../args'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag, yesFlag} from '../../base-command'
import {BULK_HELP, stdinFlag, type BulkResult} from '../../bulk-users'
import {UsageError} from '../../errors'
import {runtime} from '../../runtime-loader'
import type {FlagKey} from '../../services/user-flags'

/**
 * The flags user:set changes, in the order their lines are printed
 * (alphabetical by flag name, as today's Pleroma orders its four): the
 * flag, the start of its line ("Admin status of NICK: true" as Pleroma
 * prints it; the same form for the flags Pleroma's task lacks), its help.
 * Columns and sources: docs/pleroma/tasks.md#set.
 */
const FLAGS = {
  admin: {flag: 'admin', line: 'Admin status', summary: 'Make the user an admin (--no-admin: take it away).'},
  allowFollowingMove: {
    flag: 'allow-following-move',
    line: 'Allow following move status',
    summary: "Let followers follow the user's moved account automatically (allow_following_move).",
  },
  approved: {flag: 'approved', line: 'Approval status', summary: 'Approve the registration (is_approved; --no-approved: pending again).'},
  confirmed: {
    flag: 'confirmed',
    line: 'Confirmation status',
    summary: "Mark the user's e-mail as confirmed (--no-confirmed: needs confirmation, with a new token).",
  },
  discoverable: {flag: 'discoverable', line: 'Discoverable status', summary: 'List the user in the directory and search suggestions (is_discoverable).'},
  hideFavorites: {flag: 'hide-favorites', line: 'Hide favorites status', summary: "Hide the user's favourites from others (hide_favorites)."},
  hideFollowers: {flag: 'hide-followers', line: 'Hide followers status', summary: "Hide the user's followers list (hide_followers)."},
  hideFollowersCount: {
    flag: 'hide-followers-count',
    line: 'Hide followers count status',
    summary: "Hide the user's number of followers (hide_followers_count).",
  },
  hideFollows: {flag: 'hide-follows', line: 'Hide follows status', summary: 'Hide the list of accounts the user follows (hide_follows).'},
  hideFollowsCount: {
    flag: 'hide-follows-count',
    line: 'Hide follows count status',
    summary: 'Hide the number of accounts the user follows (hide_follows_count).',
  },
  locked: {flag: 'locked', line: 'Locked status', summary: 'Lock the account: follow requests need approval (--no-locked: unlock).'},
  moderator: {flag: 'moderator', line: 'Moderator status', summary: 'Make the user a moderator (--no-moderator: take it away).'},
  richText: {flag: 'rich-text', line: 'Rich text status', summary: "Format the user's posts as rich text (--no-rich-text sets no_rich_text)."},
  showRole: {flag: 'show-role', line: 'Show role status', summary: "Show the user's admin/moderator role on the profile (show_role)."},
  skipThreadContainment: {
    flag: 'skip-thread-containment',
    line: 'Skip thread containment status',
    summary: 'Show the user replies in threads it cannot see whole (skip_thread_containment).',
  },
  suggested: {flag: 'suggested', line: 'Suggestion status', summary: 'Suggest the user to others (is_suggested; Pleroma 2.5+ and Akkoma).'},
} as const satisfies Record<FlagKey, {flag: string; line: string; summary: string}>

const FLAG_KEYS = Object.keys(FLAGS) as FlagKey[]

/** `user:set --json`: one user's; several users: each one's outcome. */
export type UserSetResult = UserSetOne | BulkResult<UserSetOne>

/** `user:set --json` of one user: every flag afterwards (dry run: as it would be). */
export interface UserSetOne {
  dryRun: boolean
  nickname: string
  changed: boolean
  admin: boolean
  moderator: boolean
  locked: boolean
  confirmed: boolean
  approved: boolean
  /** null: the server has no users.is_suggested (Pleroma before 2.5). */
  suggested: boolean | null
  discoverable: boolean
  showRole: boolean
  hideFollowers: boolean
  hideFollows: boolean
  hideFollowersCount: boolean
  hideFollowsCount: boolean
  hideFavorites: boolean
  allowFollowingMove: boolean
  skipThreadContainment: boolean
  richText: boolean
}

export default class UserSet extends BaseCommand<typeof UserSet> {
  static summary = "Set a local user's roles and account flags (admin, moderator, locked, confirmed, approved, suggested, ...)."

  static description = `Changes the users row of a local user in one UPDATE. Pleroma's task sets four flags: --admin (is_admin), --moderator (is_moderator), --locked (is_locked: follow requests need approval), --confirmed (is_confirmed = true, confirmation_token cleared; --no-confirmed: is_confirmed = false with a new confirmation_token, an already unconfirmed user keeps its token). The others are those today's admin API sets on the row: --approved (is_approved, as its "approve"; --no-approved makes the registration pending again, which Pleroma cannot), --suggested (is_suggested, as "suggest"/"unsuggest"; only Pleroma 2.5+ and Akkoma have it: exit code 4 elsewhere), and what its credentials update takes: --discoverable, --show-role, --hide-followers, --hide-follows, --hide-followers-count, --hide-follows-count, --hide-favorites, --allow-following-move, --skip-thread-containment, --rich-text (the column no_rich_text is its negation). Flags not given are left alone; the --no- forms unset.

updated_at is bumped only when a value changes. One line per flag given is printed, as Pleroma prints it ("Admin status of NICK: true"), even when nothing changed; --json gives every flag. Unlike user:approve, --approved on an approved user is not an error, and no e-mail is sent.

On a Pleroma database with a job queue, a change queues the server's verify_fields_links job, which re-reads the user and re-caches it, so a running server sees the new values once its queue has run it (Akkoma has no such job: there, after a restart). With --actor (or PLEROMA_ADMIN_ACTOR), the moderation log gets what Pleroma's admin API writes for the same change: "grant"/"revoke" per role, "confirm_email" when the user became confirmed, "approve" when it became approved, "add_suggestion"/"remove_suggestion", and one "updated_users" for the flags of the credentials update (locked, discoverable, show-role, hide-*, allow-following-move, skip-thread-containment, rich-text); unconfirming and --no-approved have no entry.

${BULK_HELP} The same flags are set on every user; admins and moderators are not skipped (user:set is how their roles change), service actors are refused unless --force.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice --admin --moderator',
    '<%= config.bin %> <%= command.id %> bob --no-admin --locked --dry-run',
    '<%= config.bin %> <%= command.id %> carol --no-confirmed --json',
    '<%= config.bin %> <%= command.id %> dave --approved --suggested --discoverable',
    '<%= config.bin %> user:list --tag trusted --nicknames | <%= config.bin %> <%= command.id %> --stdin --suggested --yes',
  ]

  static args = {
    nicknames: localNicknamesArg,
  }

  static flags = {
    ...(Object.fromEntries(FLAG_KEYS.map((k) => [FLAGS[k].flag, Flags.boolean({summary: FLAGS[k].summary, allowNo: true})])) as Record<
      (typeof FLAGS)[FlagKey]['flag'],
      ReturnType<typeof Flags.boolean>
    >),
    stdin: stdinFlag,
    yes: {...yesFlag, summary: 'With several users: do not ask for confirmation (needed when stdin is not a terminal).'},
    'dry-run': dryRunFlag,
    force: forceFlag,
    actor: actorFlag,
  }

  async run(): Promise<UserSetResult> {
    const {flags} = this
    const changes: Partial<Record<FlagKey, boolean>> = {}
    for (const k of FLAG_KEYS) {
      const v = (flags as unknown as Record<string, boolean | undefined>)[FLAGS[k].flag]
      if (v !== undefined) changes[k] = v
    }
    const given = FLAG_KEYS.filter((k) => changes[k] !== undefined)
    if (given.length === 0) {
      throw new UsageError(
        'No flag given: nothing to set.',
        `Give at least one of ${FLAG_KEYS.map((k) => `--${FLAGS[k].flag}`).join(', ')} (or their --no- forms), e.g. ${this.config.bin} user:set ${this.args.nicknames?.[0] ?? 'NICKNAME'} --admin.`,
      )
    }
    return this.forUsers(
      {
        ...this.commandLineUsers(),
        destructive: false,
        verb: `will get ${given.map((k) => `--${changes[k] ? '' : 'no-'}${FLAGS[k].flag}`).join(' ')}`,
        rehearse: true,
        totals: (r) => [{key: 'changed', n: r.changed ? 1 : 0, one: 'user changed', many: 'users changed'}],
      },
      (nickname, dryRun) => this.setOne(nickname, dryRun, changes, given),
    )
  }

  /** user:set of one user: one UPDATE, one line per flag given. */
  private async setOne(nickname: string, dryRun: boolean, changes: Partial<Record<FlagKey, boolean>>, given: FlagKey[]): Promise<UserSetOne> {
    const {flags} = this
    const {setUserFlags} = runtime().userFlags
    const live = runtime().live
    const {result, note} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
      const a = await actor()
      const r = await setUserFlags(m, nickname, changes, {
        userColumns: db.schema.userColumns,
        instanceHost,
        dryRun,
        guard: {action: 'change the flags of', force: flags.force},
      })
      if (dryRun || !r.changed) return {result: r, note: undefined}
      const effects = await live.usersChanged(m, db.schema, a, [{id: r.id, nickname: r.nickname, local: true}], live.flagEntries(r, r.before, r.flags))
      return {result: r, note: live.loggedNote(effects, a)}
    })
    const nick = result.nickname
    for (const k of given) this.out(`${FLAGS[k].line} of ${nick}: ${result.flags[k]}`)
    if (note) this.note(note)
    if (dryRun) this.note(result.changed ? 'Dry run: nothing was written.' : 'Dry run: nothing would change; nothing was written.')
    const f = result.flags
    // Every column but is_suggested exists on every supported server (src/entities/user.ts).
    const has = (k: Exclude<FlagKey, 'suggested'>): boolean => f[k] as boolean
    return {
      dryRun,
      nickname: nick,
      changed: result.changed,
      admin: has('admin'),
      moderator: has('moderator'),
      locked: has('locked'),
      confirmed: has('confirmed'),
      approved: has('approved'),
      suggested: f.suggested,
      discoverable: has('discoverable'),
      showRole: has('showRole'),
      hideFollowers: has('hideFollowers'),
      hideFollows: has('hideFollows'),
      hideFollowersCount: has('hideFollowersCount'),
      hideFollowsCount: has('hideFollowsCount'),
      hideFavorites: has('hideFavorites'),
      allowFollowingMove: has('allowFollowingMove'),
      skipThreadContainment: has('skipThreadContainment'),
      richText: has('richText'),
    }
  }
}
