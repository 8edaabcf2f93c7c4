import * as Flags from '@oclif/core/flags'
import {BaseCommand, writeOut} from '../../base-command'
import {RefusedError} from '../../errors'
import {runtime} from '../../runtime-loader'
import {printable} from '../../text'
import type {ListedUser} from '../../services/users'

const FILTERS = 'FILTERS'

/** `user:list --json`: the users (streamed), or with --count the number of them. */
export type UserListResult = ListedUser[] | {count: number}

export default class UserList extends BaseCommand<typeof UserList> {
  static summary = 'List users (local ones by default), with filters.'

  static description = `Prints one line per user, ordered by id (creation order), in Pleroma's format:

  alice moderator: false, admin: true, locked: false, deactivated: false

the line of the 2020 task list; --format pleroma-2.9 prints the line of today's pleroma_ctl (Pleroma 2.3 to 2.9) instead, for scripts written against it:

  alice moderator: false, admin: true, locked: false, is_active: true

By default only local users are listed, as Pleroma does; service actors (internal.fetch) and rows without a nickname are always left out. The filters combine (all must hold) and run in the database. Users are streamed from the database and written out as they come, so the list can be as long as the instance with flat memory; --json streams a JSON array, --ndjson one object per line, --nicknames only the nicknames (one per line: what --stdin of every per-user command reads, so that a selection made here is previewed and applied there). Changes nothing.`

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --admin --json',
    '<%= config.bin %> <%= command.id %> --format pleroma-2.9',
    '<%= config.bin %> <%= command.id %> --deactivated --created-before 2024-01-01 --count',
    '<%= config.bin %> <%= command.id %> --instance dead.example --ndjson',
    '<%= config.bin %> <%= command.id %> --search alice --email-domain example.com',
    '<%= config.bin %> <%= command.id %> --unconfirmed --created-before 2026-01-01 --nicknames | <%= config.bin %> user:rm --stdin --dry-run',
    '<%= config.bin %> <%= command.id %> --pending-deletion',
  ]

  /**
   * Written out: oclif's generated line cannot show exclusions that overlap
   * (it printed `[--instance <value> | ]`). FILTERS are the flags of
   * "FILTERS FLAGS" below; they combine with every output.
   */
  static usage = [
    '<%= command.id %> [FILTERS] [--limit <value>] [--format pleroma-2020|pleroma-2.9 | --nicknames | --json | --ndjson] [GLOBAL FLAGS]',
    '<%= command.id %> [FILTERS] --count [--json] [GLOBAL FLAGS]',
  ]

  static flags = {
    admin: Flags.boolean({summary: 'Only admins.', helpGroup: FILTERS}),
    moderator: Flags.boolean({summary: 'Only moderators.', helpGroup: FILTERS}),
    active: Flags.boolean({summary: 'Only active users.', exclusive: ['deactivated'], helpGroup: FILTERS}),
    deactivated: Flags.boolean({summary: 'Only deactivated users.', exclusive: ['active'], helpGroup: FILTERS}),
    unconfirmed: Flags.boolean({summary: 'Only users whose e-mail is not confirmed.', helpGroup: FILTERS}),
    unapproved: Flags.boolean({summary: 'Only users waiting for approval.', helpGroup: FILTERS}),
    locked: Flags.boolean({summary: 'Only locked accounts (follow requests need approval).', helpGroup: FILTERS}),
    tag: Flags.string({summary: 'Only users with this tag (repeat for several; all must be present).', multiple: true, helpGroup: FILTERS}),
    remote: Flags.boolean({summary: 'Remote users instead of local ones.', exclusive: ['all'], helpGroup: FILTERS}),
    all: Flags.boolean({summary: 'Local and remote users.', exclusive: ['remote'], helpGroup: FILTERS}),
    instance: Flags.string({summary: 'Only remote users of this host (exact match, e.g. dead.example).', exclusive: ['all'], helpGroup: FILTERS}),
    'email-domain': Flags.string({summary: 'Only users whose e-mail address is at this domain.', helpGroup: FILTERS}),
    'created-after': Flags.string({summary: 'Only users created on or after this date (YYYY-MM-DD or ISO-8601, UTC).', helpGroup: FILTERS}),
    'created-before': Flags.string({summary: 'Only users created before this date (YYYY-MM-DD or ISO-8601, UTC).', helpGroup: FILTERS}),
    search: Flags.string({summary: 'Only users whose nickname, name or e-mail contains this text (case-insensitive).', helpGroup: FILTERS}),
    'pending-deletion': Flags.boolean({
      summary: 'Only accounts waiting for a deletion with a grace period (user:rm --grace); each line ends with the due date.',
      helpGroup: FILTERS,
    }),
    limit: Flags.integer({summary: 'At most this many users.', min: 1}),
    count: Flags.boolean({summary: 'Print only the number of matching users.', exclusive: ['ndjson', 'limit']}),
    ndjson: Flags.boolean({summary: 'One JSON object per line (newline-delimited JSON).', exclusive: ['json', 'count', 'nicknames']}),
    nicknames: Flags.boolean({
      summary: 'Print only the nicknames, one per line (for --stdin of the per-user commands).',
      exclusive: ['json', 'count', 'ndjson'],
    }),
    format: Flags.string({
      summary:
        "The line format: pleroma-2020 (the default, '... locked: false, deactivated: false') or pleroma-2.9 (today's pleroma_ctl, '... locked: false, is_active: true').",
      options: ['pleroma-2020', 'pleroma-2.9'],
      exclusive: ['json', 'count', 'ndjson', 'nicknames'],
    }),
  }

  async run(): Promise<UserListResult> {
    const {flags} = this
    const filter = {
      scope: flags.all ? ('all' as const) : flags.remote ? ('remote' as const) : ('local' as const),
      admin: flags.admin || undefined,
      moderator: flags.moderator || undefined,
      active: flags.active ? true : flags.deactivated ? false : undefined,
      confirmed: flags.unconfirmed ? false : undefined,
      approved: flags.unapproved ? false : undefined,
      locked: flags.locked || undefined,
      tags: flags.tag?.map((t) => t.toLowerCase()),
      instance: flags.instance === undefined ? undefined : validHost(flags.instance),
      emailDomain: flags['email-domain'] === undefined ? undefined : validHost(flags['email-domain'], '--email-domain'),
      createdAfter: utcDate(flags['created-after'], '--created-after'),
      createdBefore: utcDate(flags['created-before'], '--created-before'),
      search: flags.search,
      pendingDeletion: flags['pending-deletion'] || undefined,
    }
    const db = await this.openDb()
    const {iterateUsers, userJsonChunks, countUsers, formatUserLine} = runtime().users

    if (flags.count) {
      const count = await db.transaction((m) => countUsers(m, filter))
      this.out(String(count))
      return {count}
    }

    const json = this.jsonEnabled()
    await db.transaction(async (m) => {
      if (json || flags.ndjson) {
        // A JSON array with an item per line, or a JSON text per line; written as it comes.
        const framing = json ? {first: '\n  ', between: ',\n  ', after: ''} : {first: '', between: '', after: '\n'}
        // Chunks end on whole elements; an error in between becomes the array's last element (catch()).
        const array = {items: false}
        if (json) this.openJsonArray = array
        if (json) await writeOut('[')
        for await (const chunk of userJsonChunks(m, filter, {limit: flags.limit, framing})) {
          await writeOut(chunk)
          array.items = true
        }
        if (json) await writeOut(array.items ? '\n]\n' : ']\n')
        this.openJsonArray = undefined
        return
      }
      // Pleroma's lines (or the nicknames alone), written out in chunks of about 64 kB.
      const format = flags.format === 'pleroma-2.9' ? 'pleroma-2.9' : 'pleroma-2020'
      const {dueOf} = runtime().grace
      const due = (u: ListedUser) => (flags['pending-deletion'] ? `, deletion due: ${dueOf(u.tags)}` : '')
      // Control characters a remote server put in a nickname are escaped (printable()), as in every human output.
      const line = flags.nicknames ? (u: ListedUser) => printable(u.nickname) : (u: ListedUser) => printable(formatUserLine(u, format) + due(u))
      let chunk = ''
      for await (const user of iterateUsers(m, filter, {limit: flags.limit})) {
        chunk += line(user) + '\n'
        if (chunk.length >= 65536) {
          await writeOut(chunk)
          chunk = ''
        }
      }
      if (chunk) await writeOut(chunk)
    })
    return this.streamed()
  }
}

function validHost(raw: string, flag = '--instance'): string {
  const host = raw.trim().toLowerCase()
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(host)) {
    throw new RefusedError(`${flag} takes a bare host name, not "${raw}".`, `For example: ${flag} ${flag === '--instance' ? 'dead.example' : 'example.com'}`)
  }
  return host
}

/** A date or date-time given on the command line, as a UTC timestamp for SQL. */
function utcDate(raw: string | undefined, flag: string): string | undefined {
  if (raw === undefined) return undefined
  const date = /^\d{4}-\d{2}-\d{2}$/.test(raw)
    ? new Date(raw + 'T00:00:00Z')
    : /^\d{4}-\d{2}-\d{2}T/.test(raw)
      ? new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : raw + 'Z')
      : new Date(Number.NaN)
  if (Number.isNaN(date.getTime()) || (raw.length === 10 && date.toISOString().slice(0, 10) !== raw)) {
    throw new RefusedError(`${flag} must be a date such as 2024-01-31 or 2024-01-31T12:00:00Z, not "${raw}".`)
  }
  return date.toISOString().slice(0, 19).replace('T', ' ')
}
