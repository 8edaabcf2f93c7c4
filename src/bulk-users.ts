/**
 * Many users at once: the mechanism every per-user command shares
 * (BaseCommand.forUsers). A command supplies its per-user body, run as
 * `body(nickname, dryRun)` (exactly what the command does for one user,
 * its own transactions and output); this file does the rest:
 *
 * 1. the nicknames: the command's arguments and, with --stdin, one per line
 *    (blank lines and `#` comments skipped);
 * 2. the selection: every name looked up at once; duplicates, and for a
 *    destructive command staff, invisible and service actors (unless
 *    --include-staff), skipped with the reason;
 * 3. the preview: the body run as a dry run for every user, silently, so the
 *    summary's totals are what the same code would do (a not-found or
 *    refused user is reported here);
 * 4. one summary (how many, the first ten names, the summed totals) and one
 *    confirmation;
 * 5. the body for one user after the other, each in its own transaction(s);
 *    a failure is reported and the rest go on; Ctrl-C stops after the
 *    current user;
 * 6. the final line (succeeded, failed, skipped), `--json` with every
 *    user's outcome, and the exit code: 0, or the first failure's.
 *
 * One nickname and no --stdin is the command as it always was: its own
 * output, its own JSON, its own errors.
 */
import * as Flags from '@oclif/core/flags'
import type {ErrorKind} from './errors'

export const stdinFlag = Flags.boolean({
  summary: 'Also read nicknames from stdin, one per line (blank lines and # comments skipped; remote users as nick@host).',
  default: false,
})

export const includeStaffFlag = Flags.boolean({
  summary: 'With several users: also act on admins, moderators, invisible accounts and service actors (skipped otherwise).',
  default: false,
})

/** One user's outcome in a run on several users. */
export interface BulkOutcome<R> {
  /** The nickname as given. */
  nickname: string
  /** ok: done (a dry run: would be done); failed; skipped (not touched); notRun (Ctrl-C stopped the run before it). */
  status: 'ok' | 'failed' | 'skipped' | 'notRun'
  /** What the command's --json gives for this user alone (ok only). */
  result?: R
  /** Why it failed (failed only): the command's error for this user alone. */
  error?: {code: ErrorKind; exitCode: number; message: string; hint?: string}
  /** Why it was skipped (skipped only): admin, moderator, invisible, service actor, listed twice. */
  reason?: string
}

/** `--json` of a per-user command given several nicknames or --stdin. */
export interface BulkResult<R> {
  dryRun: boolean
  /** Nicknames given. */
  users: number
  succeeded: number
  failed: number
  skipped: number
  /** Ctrl-C stopped the run (the users not reached are notRun). */
  interrupted: boolean
  /** The per-user counts summed over the users that succeeded (a dry run: would). */
  totals: Record<string, number>
  outcomes: Array<BulkOutcome<R>>
}

/** A count the summary sums over the users: its JSON key, the number, and how to say it. */
export interface BulkTotal {
  key: string
  n: number
  one: string
  many: string
}

export interface BulkOptions<R> {
  /** From the arguments (may be empty with --stdin). */
  nicknames: string[]
  stdin: boolean
  dryRun: boolean
  yes: boolean
  /** Destructive: staff, invisible and service actors are skipped unless includeStaff. */
  destructive: boolean
  includeStaff?: boolean
  /** The counts of one user's result, summed in the summary and in `totals`. */
  totals: (r: R) => BulkTotal[]
  /** What happens to them, for the summary: "will be deleted". */
  verb: string
  /**
   * The preview runs the real body for every user in one transaction that is
   * rolled back (the exact effect, where users of the selection affect one
   * another: follows between them, posts of one liked by another) instead
   * of the body's own dry run. Only for bodies whose result holds nothing
   * that exists only once committed (a token, a link).
   */
  rehearse?: boolean
  /** Always the run on several users, even for one nickname (user:rm --due: its own summary and outcomes). */
  bulk?: boolean
}

/**
 * Thrown by a per-user body when the user is to be left alone after all
 * (user:rm --due: another run is deleting it, or it was restored; a
 * user already in the state the command sets): that user's outcome is
 * `skipped` with this reason, not a failure. On one user alone the command
 * throws `single` instead, as it always did.
 */
export class SkippedUser extends Error {
  /**
   * @param reason why, in the outcome (`already inactive`)
   * @param single the error of the command on this one user alone (`User NICK already deactivated`, exit 4), if it has one
   */
  constructor(
    readonly reason: string,
    readonly single?: Error,
  ) {
    super(reason)
  }
}

/** A whole line of stdin that is a nickname, or null for blank lines and comments. */
export function nicknameOfLine(line: string): string | null {
  const text = line.replace(/#.*$/, '').trim()
  return text === '' ? null : text
}

/** Reads every line of stdin (the nicknames of --stdin). */
export async function readAllStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let data = ''
  for await (const chunk of stream) data += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
  return data
}

/** `alice, bob, carol` or `alice, ..., j and 5 more`: at most ten names. */
export function firstNames(names: string[], max = 10): string {
  const shown = names.slice(0, max).join(', ')
  return names.length > max ? `${shown} and ${names.length - max} more` : shown
}

/** The counts of several users added up, in the order they first appear. */
export function sumTotals(lists: BulkTotal[][]): BulkTotal[] {
  const sums = new Map<string, BulkTotal>()
  for (const list of lists) {
    for (const t of list) {
      const s = sums.get(t.key)
      if (s) s.n += t.n
      else sums.set(t.key, {...t})
    }
  }
  return [...sums.values()]
}

/** The help paragraph of every per-user command (appended to its description). */
export const BULK_HELP = `Several users: give several nicknames, or --stdin with one per line (e.g. from user:list --nicknames). All are looked up first; one summary (how many, the first ten names, the totals summed) and one confirmation; then one user after the other, each in its own transaction(s). A user that fails (not found, remote where a local one is needed, refused) is reported and the rest go on; Ctrl-C stops after the current user, and running the same line again finishes the job. A final line says how many succeeded, failed and were skipped; --json gives every user's outcome ({dryRun, users, succeeded, failed, skipped, interrupted, totals, outcomes: [{nickname, status, result | error | reason}]}); the exit code is 0, or that of the first failure.`

/** BULK_HELP's addition for destructive commands. */
export const BULK_STAFF_HELP = ` With several users, admins, moderators, invisible accounts and service actors (relay, internal.*) are skipped unless --include-staff.`
