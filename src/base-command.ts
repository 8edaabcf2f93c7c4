/**
 * The one base class of every command: shared flags, the database lifecycle,
 * --json, prompts, and the mapping of errors to one line and an exit code.
 * Heavy modules (TypeORM, pg, PGlite) are loaded only when a command opens
 * the database, so that --help and command discovery stay fast.
 */
// The parts of @oclif/core, not its index (which loads all of it, and semver).
import {Command} from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'
import * as OclifFlags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'
import {AbortedError, CliError, DatabaseError, ExitCode, RefusedError, UsageError, type ErrorKind, type JsonErrorOutput} from './errors'
import {errorLines, plural, printable} from './text'
import {firstNames, nicknameOfLine, readAllStdin, SkippedUser, sumTotals, type BulkOptions, type BulkOutcome, type BulkResult} from './bulk-users'
import type {ConnectionSource, Database} from './db/connection'
import type {EntityManager} from 'typeorm'
import {runtime} from './runtime-loader'
import type {PleromaConfig} from './config/pleroma-config'
import type {ModerationActor} from './services/moderation-log'

export type Flags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type Args<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** What a command's `run()` gets to work with inside its one transaction. */
export interface TaskContext {
  /** The EntityManager of the transaction. */
  m: EntityManager
  db: Database
  /** The instance base URL (scheme://host[:port], no trailing slash). */
  instanceUrl: () => Promise<string>
  /** Its host[:port], for `nick@host` lookups. */
  instanceHost: () => Promise<string>
  /**
   * The admin or moderator of `--actor` / PLEROMA_ADMIN_ACTOR, checked
   * (exit 3 unknown, exit 4 not a local active admin or moderator);
   * undefined when neither is given. Call it before writing anything.
   */
  actor: () => Promise<ModerationActor | undefined>
}

/** run()'s result when the command has written its --json output itself (see streamed()). */
const STREAMED: unknown = Object.freeze({})

export const yesFlag = OclifFlags.boolean({
  char: 'y',
  aliases: ['assume-yes'],
  summary: 'Do not ask for confirmation (needed when stdin is not a terminal).',
  default: false,
})

export const dryRunFlag = OclifFlags.boolean({
  summary: 'Show what would change, and change nothing.',
  default: false,
})

/** Commands that store activities for other servers queue their delivery on a server's database unless told not to (docs/federation.md). */
export const noFederateFlag = OclifFlags.boolean({
  summary: "Do not queue deliveries to other servers in the server's job queue (the change stays local).",
  default: false,
})

/**
 * `--actor NICKNAME`, declared by every command that writes: the change is
 * recorded in Pleroma's moderation log as done by that local admin or
 * moderator (docs/live-instance.md#moderation-log). Read it through the
 * task context's `actor()`.
 */
export const actorFlag = OclifFlags.string({
  summary: "Record the change in Pleroma's moderation log (admin-fe) as done by this local admin or moderator. Default: $PLEROMA_ADMIN_ACTOR.",
  helpValue: 'NICKNAME',
})

/**
 * --force of the commands that refuse to change a service actor (relay,
 * internal.fetch: src/services/service-actors.ts) without it.
 */
export const forceFlag = OclifFlags.boolean({
  summary: 'Also act on a service actor of the instance (relay, internal.fetch), which is refused otherwise: changing one breaks federation.',
  default: false,
})

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static enableJsonFlag = true

  static baseFlags = {
    'database-url': OclifFlags.string({
      summary:
        'PostgreSQL URL of the Pleroma database (without a password: it would show in the process list; PGPASSWORD or ~/.pgpass give it). Default: $DATABASE_URL, then the Repo of --pleroma-config, then the embedded database.',
      helpGroup: 'GLOBAL',
    }),
    'pleroma-config': OclifFlags.string({
      summary: "Read the database and instance URL from Pleroma's config file (e.g. /etc/pleroma/config.exs). Default: $PLEROMA_CONFIG_PATH.",
      helpGroup: 'GLOBAL',
    }),
    'instance-url': OclifFlags.string({
      summary: 'Base URL of the instance, for ap_id and links. Default: $PLEROMA_INSTANCE_URL, the config file, the ap_id of existing local users.',
      helpGroup: 'GLOBAL',
    }),
    'connect-timeout': OclifFlags.integer({
      summary: 'Seconds to wait for the PostgreSQL server when connecting before giving up (exit 5).',
      default: 10,
      min: 1,
      max: 3600,
      helpGroup: 'GLOBAL',
    }),
  }

  protected flags!: Flags<T>
  protected args!: Args<T>
  private database?: Database
  private pleromaConfigCache?: PleromaConfig | null
  private instanceUrlCache?: string
  private actorCache?: ModerationActor

  public async init(): Promise<void> {
    await super.init()
    const {args, flags} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as Flags<T>
    this.args = args as Args<T>
    process.on('SIGINT', this.onSigint)
  }

  // ---------------------------------------------------------------- output

  /** true while forUsers previews the users (the per-user body runs as a dry run, silently). */
  private quiet = false

  /** A data line on stdout (nothing under --json), control characters escaped (printable()). */
  protected out(line: string): void {
    if (!this.jsonEnabled() && !this.quiet) process.stdout.write(printable(line) + '\n')
  }

  /**
   * Many data lines on stdout in one write (nothing under --json), waiting
   * for the pipe to drain when it is full, so that memory stays flat.
   */
  protected async outLines(lines: string[]): Promise<void> {
    if (this.jsonEnabled() || this.quiet || lines.length === 0) return
    await writeOut(lines.map(printable).join('\n') + '\n')
  }

  /** A progress or info line on stderr (nothing under --json), control characters escaped. */
  protected note(line: string): void {
    if (!this.jsonEnabled() && !this.quiet) process.stderr.write(printable(line) + '\n')
  }

  /** A warning on stderr, also under --json (stdout stays pure JSON), control characters escaped. */
  protected warning(line: string): void {
    process.stderr.write(`Warning: ${printable(line)}\n`)
  }

  /**
   * What run() returns when it has written its --json output itself, as it
   * streamed (user:list, user:invites): nothing more is printed. Typed as
   * the command's result, which is what was written.
   */
  protected streamed<R>(): R {
    return STREAMED as R
  }

  /**
   * A --json array this command has opened on stdout and not yet closed
   * (user:list streams one): an error in the middle becomes the array's last
   * element, `{"error": {...}}`, and the array is closed, so stdout stays one
   * JSON document. `items` says whether an element was written before it.
   */
  protected openJsonArray?: {items: boolean}

  /**
   * The result as JSON on stdout. oclif's own logJson passes the text through
   * its colouriser, a tokenizer of regular expressions over the whole text,
   * even when no theme gives a colour (node_modules/@oclif/core/lib/ux/colorize-json.js):
   * seconds for a large result (user:prune --dry-run --json listing 200,000
   * accounts spent most of its time there). The same text, written directly;
   * oclif's path only where a JSON theme colours a terminal.
   */
  public logJson(json: unknown): void {
    if (json === STREAMED) return
    if (process.stdout.isTTY && this.config.theme?.json) super.logJson(json)
    else process.stdout.write(JSON.stringify(json, null, 2) + '\n')
  }

  // ---------------------------------------------------------------- long work

  /** true once the admin pressed Ctrl-C during work that stops between batches. */
  protected stopRequested = false
  private interruptHandler?: () => void

  /**
   * Ctrl-C: during batched work (stopBetweenBatches) its handler; otherwise
   * exit at once with 130 (128 + SIGINT, what shells expect), the embedded
   * database's lock released by its exit handler and an open transaction
   * rolled back by the server when the connection closes.
   */
  private readonly onSigint = (): void => {
    if (this.interruptHandler) return this.interruptHandler()
    process.stderr.write('Interrupted (Ctrl-C); an unfinished transaction is rolled back.\n')
    process.exit(ExitCode.INTERRUPTED)
  }

  /**
   * The batched work under way (the last progress()), counted also under
   * --json: a database error that ends it says how far it got.
   */
  private work?: {label: string; done: number; total: number; finished: boolean}

  /** Progress on stderr for `total` units (nothing under --json). */
  protected progress(label: string, total: number): import('./progress').Progress {
    const {createProgress, NO_PROGRESS} = require('./progress') as typeof import('./progress')
    const shown = this.jsonEnabled() || this.quiet ? NO_PROGRESS : createProgress(label, total)
    const work = {label, done: 0, total, finished: false}
    if (!this.quiet) this.work = work
    return {
      advance(n: number) {
        work.done += n
        shown.advance(n)
      },
      done() {
        work.finished = true
        shown.done()
      },
    }
  }

  /**
   * Lets Ctrl-C stop batched work after the current batch: the first
   * Ctrl-C sets `stopRequested` (the loop checks it between batches), a
   * second one exits at once (the open transaction is rolled back by the
   * server). Removed again in finally().
   */
  protected stopBetweenBatches(): () => boolean {
    if (!this.interruptHandler) {
      this.interruptHandler = () => {
        if (this.stopRequested) {
          process.stderr.write('Interrupted; the current batch is rolled back.\n')
          process.exit(ExitCode.INTERRUPTED)
        }
        this.stopRequested = true
        process.stderr.write(`Stopping after the current ${this.betweenUsers ? 'user' : 'batch'} (Ctrl-C again to stop at once) ...\n`)
      }
    }
    // While forUsers works through several users, Ctrl-C stops between users, not inside one.
    return () => this.stopRequested && !this.betweenUsers
  }

  /**
   * While forUsers rehearses: the database as the per-user bodies see it,
   * every transaction of theirs run inside one outer transaction that is
   * rolled back at the end.
   */
  private rehearsal?: Database

  /**
   * Runs `fn` with every transaction it opens (through openDb/inTransaction)
   * inside one transaction that is then rolled back: the real work, written
   * and undone, so that what it reports is exactly what it would do, users
   * that affect one another included. The bodies' transactions become plain
   * parts of the outer one (no savepoints: thousands of subtransactions
   * would slow the whole server down), so a failure that the database
   * raises ends the rehearsal; the per-user failures (not found, refused)
   * are raised before anything is written.
   */
  private async rehearse<T>(fn: () => Promise<T>): Promise<T> {
    const db = await this.openDb()
    const runner = db.dataSource.createQueryRunner()
    await runner.connect()
    await runner.startTransaction()
    this.rehearsal = {...db, transaction: (body) => body(runner.manager)}
    try {
      return await fn()
    } finally {
      this.rehearsal = undefined
      try {
        await runner.rollbackTransaction()
      } finally {
        await runner.release()
      }
    }
  }

  /** forUsers is applying to several users: Ctrl-C finishes the current one. */
  private betweenUsers = false
  /** forUsers has asked once for all users: the per-user body does not ask again. */
  private confirmedForAll = false

  // ---------------------------------------------------------------- several users

  /**
   * The options of forUsers that every per-user command reads from its
   * command line the same way: the NICKNAMES argument (`nicknames`), --stdin,
   * --dry-run, -y/--yes and --include-staff (false where the command has no
   * such flag). A call site adds only what differs:
   * `this.forUsers({...this.commandLineUsers(), destructive: true, verb, totals}, body)`.
   */
  protected commandLineUsers(): Pick<BulkOptions<unknown>, 'nicknames' | 'stdin' | 'dryRun' | 'yes' | 'includeStaff'> {
    const flags = this.flags as {stdin?: boolean; 'dry-run'?: boolean; yes?: boolean; 'include-staff'?: boolean}
    return {
      nicknames: (this.args as {nicknames?: string[]}).nicknames ?? [],
      stdin: flags.stdin ?? false,
      dryRun: flags['dry-run'] ?? false,
      yes: flags.yes ?? false,
      includeStaff: flags['include-staff'] ?? false,
    }
  }

  /**
   * A per-user command on one or several users (src/bulk-users.ts). One
   * nickname and no --stdin: `body(nickname, dryRun)`, the command as it
   * always was. Otherwise: the selection, a silent preview (the body as a
   * dry run for every user), one summary and one confirmation, the body for
   * each user in turn (a failure reported, the rest go on; Ctrl-C stops
   * after the current user), a final line, and `--json` with every user's
   * outcome; the exit code is 0 or the first failure's.
   */
  protected async forUsers<R>(options: BulkOptions<R>, body: (nickname: string, dryRun: boolean) => Promise<R>): Promise<R | BulkResult<R>> {
    const names = [...options.nicknames]
    if (!options.stdin && !options.bulk && names.length === 1) {
      try {
        return await body(names[0], options.dryRun)
      } catch (error) {
        if (error instanceof SkippedUser) throw error.single ?? new RefusedError(error.reason)
        throw error
      }
    }
    if (options.stdin) {
      const lines = (await readAllStdin()).split(/\r?\n/)
      for (const [i, line] of lines.entries()) {
        const name = nicknameOfLine(line)
        if (name === null) continue
        if (/\s/.test(name)) {
          throw new UsageError(
            `Line ${i + 1} of stdin is not a nickname: "${name}".`,
            'Give one nickname per line, e.g. from `pleroma-admin user:list --nicknames`.',
          )
        }
        names.push(name)
      }
    }
    // An empty nickname ('' among the arguments) is a mistake in the command line, refused before anything is looked up or written.
    const empty = names.findIndex((n) => n.trim() === '')
    if (empty >= 0) {
      throw new UsageError(
        `Nickname ${empty + 1} of ${names.length} is empty.`,
        'Give each nickname as a non-empty argument (a variable that expanded to nothing?); nothing was changed.',
      )
    }
    if (names.length === 0) {
      throw new UsageError(
        options.stdin ? 'No nickname given: stdin had none.' : 'No nickname given.',
        'Give one or more nicknames, or --stdin with one per line (e.g. from `pleroma-admin user:list --nicknames`).',
      )
    }

    const db = await this.openDb()
    const {lookupUsers, protectedReason} = runtime().bulkUsers
    const found = await db.transaction((m) => lookupUsers(m, names, () => this.instanceHost(m, db)))
    const outcomes: Array<BulkOutcome<R>> = names.map((nickname) => ({nickname, status: 'notRun'}))
    const seen = new Set<string>()
    const candidates: number[] = []
    for (const [i, name] of names.entries()) {
      const user = found.get(name)
      if (user) {
        const reason = seen.has(user.id) ? 'listed twice' : options.destructive && !options.includeStaff ? protectedReason(user) : null
        seen.add(user.id)
        if (reason) {
          outcomes[i] = {nickname: name, status: 'skipped', reason}
          continue
        }
      }
      candidates.push(i)
    }

    // The preview: what the body would do for each user (a not-found or refused user fails here).
    const failed = (name: string, error: unknown): BulkOutcome<R> => {
      if (error instanceof SkippedUser) return {nickname: name, status: 'skipped', reason: error.reason}
      if (!(error instanceof CliError) || error.kind === 'database' || error.kind === 'aborted') throw error
      return {
        nickname: name,
        status: 'failed',
        error: {code: error.kind, exitCode: error.exitCode, message: error.message, ...(error.hint ? {hint: error.hint} : {})},
      }
    }
    const preview = async () => {
      for (const i of candidates) {
        try {
          const result = options.rehearse ? asDryRun(await body(names[i], false)) : await body(names[i], true)
          outcomes[i] = {nickname: names[i], status: 'ok', result}
        } catch (error) {
          outcomes[i] = failed(names[i], error)
        }
      }
    }
    this.quiet = true
    this.confirmedForAll = true
    try {
      await (options.rehearse ? this.rehearse(preview) : preview())
    } finally {
      this.quiet = false
      this.confirmedForAll = false
    }

    const planned = candidates.filter((i) => outcomes[i].status === 'ok')
    const summary = (indices: number[]) => sumTotals(indices.map((i) => options.totals(outcomes[i].result!)))
    const skipped = outcomes.filter((o) => o.status === 'skipped')
    this.out(`${plural(planned.length, 'user', 'users')} ${options.verb}${planned.length > 0 ? `: ${firstNames(planned.map((i) => names[i]))}` : ''}`)
    const totals = summary(planned).filter((t) => t.n > 0)
    if (totals.length > 0) this.out(`  in all: ${totals.map((t) => plural(t.n, t.one, t.many)).join(', ')}`)
    if (skipped.length > 0) this.out(`  skipped: ${firstNames(skipped.map((o) => `${o.nickname} (${o.reason})`))}`)
    const failures = outcomes.filter((o) => o.status === 'failed')
    if (failures.length > 0) this.out(`  failed: ${firstNames(failures.map((o) => `${o.nickname} (${o.error!.message})`))}`)

    const finish = (dryRun: boolean, interrupted: boolean): BulkResult<R> => {
      const ok = outcomes.flatMap((o, i) => (o.status === 'ok' ? [i] : []))
      const result: BulkResult<R> = {
        dryRun,
        users: names.length,
        succeeded: ok.length,
        failed: outcomes.filter((o) => o.status === 'failed').length,
        skipped: outcomes.filter((o) => o.status === 'skipped').length,
        interrupted,
        totals: Object.fromEntries(summary(ok).map((t) => [t.key, t.n])),
        outcomes,
      }
      const notRun = outcomes.filter((o) => o.status === 'notRun').length
      this.out(
        `${dryRun ? 'Dry run: ' : ''}${result.succeeded} ${dryRun ? 'would succeed' : 'succeeded'}, ${result.failed} failed, ${result.skipped} skipped` +
          (notRun > 0 ? `, ${notRun} not run (interrupted)` : '') +
          '.',
      )
      const first = outcomes.find((o) => o.status === 'failed')
      const code = interrupted ? ExitCode.INTERRUPTED : first ? first.error!.exitCode : ExitCode.OK
      if (code !== ExitCode.OK) {
        if (interrupted) process.stderr.write('Interrupted. Run the same command again to continue.\n')
        if (this.jsonEnabled()) this.logJson(result)
        this.exit(code)
      }
      return result
    }

    if (options.dryRun) {
      this.note('Dry run: nothing was written.')
      return finish(true, false)
    }
    if (planned.length > 0) {
      await this.confirmOrAbort(`Continue with ${plural(planned.length, 'user', 'users')}?`, options.yes, 'Nothing was changed.')
    }

    this.stopBetweenBatches()
    this.betweenUsers = true
    this.confirmedForAll = true
    let interrupted = false
    try {
      for (const i of planned) {
        if (this.stopRequested) {
          interrupted = true
          outcomes[i] = {nickname: names[i], status: 'notRun'}
          continue
        }
        try {
          outcomes[i] = {nickname: names[i], status: 'ok', result: await body(names[i], false)}
        } catch (error) {
          outcomes[i] = failed(names[i], error)
          const e = outcomes[i].error
          if (e && !this.jsonEnabled()) process.stderr.write(errorLines(e.message, e.hint, `${names[i]}: `))
          else if (!e) this.note(`${names[i]}: skipped (${outcomes[i].reason})`)
        }
      }
    } finally {
      this.betweenUsers = false
      this.confirmedForAll = false
    }
    return finish(false, interrupted)
  }

  // ---------------------------------------------------------------- prompts

  /**
   * Asks before a change. `-y` skips the question; without a terminal and
   * without `-y` the command refuses instead of hanging.
   */
  protected async confirmOrAbort(question: string, yes: boolean, abortMessage: string): Promise<void> {
    if (yes || this.confirmedForAll) return
    if (!process.stdin.isTTY) {
      throw new AbortedError(`${abortMessage} Not confirmed: stdin is not a terminal.`, 'Pass -y (--yes) to proceed without the prompt.')
    }
    const {confirm} = await import('@inquirer/prompts')
    const ok = await confirm({message: question, default: false}, {output: process.stderr})
    if (!ok) throw new AbortedError(abortMessage)
  }

  // ---------------------------------------------------------------- database

  protected pleromaConfig(): PleromaConfig | null {
    if (this.pleromaConfigCache !== undefined) return this.pleromaConfigCache
    const file = (this.flags as {'pleroma-config'?: string})['pleroma-config'] ?? process.env.PLEROMA_CONFIG_PATH
    if (!file) return (this.pleromaConfigCache = null)
    const {readPleromaConfig, PleromaConfigError} = require('./config/pleroma-config') as typeof import('./config/pleroma-config')
    try {
      this.pleromaConfigCache = readPleromaConfig(file)
    } catch (error) {
      if (error instanceof PleromaConfigError) throw new DatabaseError(error.message, 'Check --pleroma-config / PLEROMA_CONFIG_PATH.')
      throw error
    }
    return this.pleromaConfigCache
  }

  protected connectionSource(): ConnectionSource {
    const flag = (this.flags as {'database-url'?: string})['database-url']
    if (flag) {
      if (urlHasPassword(flag)) {
        this.warning(
          'The password in --database-url is visible to other users of this machine (process list, shell history); put it in PGPASSWORD or ~/.pgpass, or the whole URL in DATABASE_URL.',
        )
      }
      return {kind: 'url', url: flag, from: 'flag'}
    }
    if (process.env.DATABASE_URL) return {kind: 'url', url: process.env.DATABASE_URL, from: 'env'}
    const config = this.pleromaConfig()
    if (config) {
      const repoNotes = config.unsupported.filter((n: string) => /Pleroma\.Repo (username|password|database|hostname|port|socket_dir|socket|url) is /.test(n))
      for (const n of config.unsupported.filter((x: string) => x.includes('Repo') && !repoNotes.includes(x))) this.warning(n)
      if (repoNotes.length > 0) throw new DatabaseError(`Cannot use the config file's database settings: ${repoNotes[0]}`)
      const {repoConfigToDatabaseUrl, PleromaConfigError} = require('./config/pleroma-config') as typeof import('./config/pleroma-config')
      try {
        return {kind: 'url', url: repoConfigToDatabaseUrl(config.repo), from: 'config'}
      } catch (error) {
        if (error instanceof PleromaConfigError) throw new DatabaseError(error.message, 'Pass --database-url instead.')
        throw error
      }
    }
    return {kind: 'embedded', dataDir: runtime().connection.embeddedDataDir(this.config.dataDir)}
  }

  /** Opens the database (once per command run); closed in finally(). */
  protected async openDb(options: {init?: boolean} = {}): Promise<Database> {
    if (this.rehearsal) return this.rehearsal
    if (this.database) return this.database
    const {openDatabase} = runtime().connection
    this.database = await openDatabase(this.connectionSource(), {
      init: options.init,
      connectTimeoutSeconds: (this.flags as {'connect-timeout'?: number})['connect-timeout'],
      onWait: (message) => process.stderr.write(message + '\n'),
    })
    return this.database
  }

  /** Runs `fn` in one transaction with a task context. */
  protected async inTransaction<R>(fn: (ctx: TaskContext) => Promise<R>): Promise<R> {
    const db = await this.openDb()
    return db.transaction((m) => fn(this.taskContext(m, db)))
  }

  /** The task context of a transaction opened with `db.transaction` (inTransaction gives it already). */
  protected taskContext(m: EntityManager, db: Database): TaskContext {
    return {m, db, instanceUrl: () => this.instanceUrl(m, db), instanceHost: () => this.instanceHost(m, db), actor: () => this.moderationActor(m, db)}
  }

  /**
   * The checked admin or moderator of `--actor` (or PLEROMA_ADMIN_ACTOR) on a
   * command that declares `actor: actorFlag`; undefined without one. Read
   * once per command run.
   */
  protected async moderationActor(m: EntityManager, db: Database): Promise<ModerationActor | undefined> {
    if (this.actorCache) return this.actorCache
    if (!('actor' in this.ctor.flags)) return undefined
    const flag = (this.flags as {actor?: string}).actor
    if (flag !== undefined && flag.trim() === '')
      throw new UsageError('--actor is empty.', 'Give the nickname of a local admin or moderator, or leave --actor out.')
    const nickname = flag ?? process.env.PLEROMA_ADMIN_ACTOR
    if (!nickname) return undefined
    const {resolveActor} = runtime().moderationLog
    this.actorCache = await resolveActor(m, db.schema, nickname, flag ? '--actor' : 'PLEROMA_ADMIN_ACTOR', () => this.instanceHost(m, db))
    return this.actorCache
  }

  protected async instanceUrl(m: EntityManager, db: Database): Promise<string> {
    if (this.instanceUrlCache) return this.instanceUrlCache
    const {resolveInstanceUrl} = runtime().instance
    const config = this.pleromaConfig()
    if (config && config.unsupported.some((n: string) => n.includes('Endpoint'))) {
      this.warning(config.unsupported.find((n: string) => n.includes('Endpoint'))!)
    }
    this.instanceUrlCache = await resolveInstanceUrl(m, db.schema, {
      flag: (this.flags as {'instance-url'?: string})['instance-url'],
      env: process.env.PLEROMA_INSTANCE_URL,
      config: config?.instanceUrl,
    })
    return this.instanceUrlCache
  }

  /** The host[:port] of the instance URL (for `nick@host` lookups). */
  protected async instanceHost(m: EntityManager, db: Database): Promise<string> {
    return new URL(await this.instanceUrl(m, db)).host
  }

  protected async finally(err: Error | undefined): Promise<void> {
    process.removeListener('SIGINT', this.onSigint)
    this.interruptHandler = undefined
    const db = this.database
    this.database = undefined
    try {
      await db?.close()
    } finally {
      await super.finally(err)
    }
  }

  // ---------------------------------------------------------------- errors

  /**
   * Every error ends here: one line on stderr (or a JSON object on stdout
   * under --json) and the exit code of docs/design.md#exit-codes. oclif's own usage errors
   * keep oclif's wording and exit 2.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- oclif awaits catch(); every path throws
  protected async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (err instanceof Errors.ExitError) throw err
    // A connection the server ended while no query ran: the query after it only says "not queryable" — or, when
    // TypeORM's query runner saw the connection's 'error' event first and released itself, "Query runner already
    // released" (node_modules/typeorm/driver/postgres/PostgresQueryRunner.js, connect()). Either way, say why.
    const lostWith = this.database?.lostWith()
    let mapped = mapError(err)
    const followsTheLoss = mapped.kind === 'database' || (mapped.kind === 'error' && !(err instanceof CliError))
    if (followsTheLoss && lostWith && mapError(lostWith).kind === 'database') mapped = mapError(lostWith)
    const work = this.work
    if (mapped.kind === 'database' && work && !work.finished && !(err instanceof CliError)) {
      // Batched work ended by the database: how far it got (whole batches, each its own transaction), and that a re-run finishes.
      const {formatCount} = require('./progress') as typeof import('./progress')
      mapped.message = `${mapped.message.replace(/\.$/, '')}; ${work.label.replace(/^\w/, (c) => c.toLowerCase())}: stopped after ${formatCount(work.done)} of ${formatCount(work.total)}, in whole batches, nothing half-done.`
      mapped.hint = 'Run the same command again to finish the job.'
    }
    // Stopped by Ctrl-C (between batches or users, or at a prompt): 128 + SIGINT, as shells expect.
    if (mapped.kind === 'aborted' && (this.stopRequested || isPromptInterrupt(err))) mapped.exitCode = ExitCode.INTERRUPTED
    if (this.jsonEnabled()) {
      const output: JsonErrorOutput = {
        error: {code: mapped.kind, exitCode: mapped.exitCode, message: mapped.message, ...(mapped.hint ? {hint: mapped.hint} : {})},
      }
      const array = this.openJsonArray
      // Inside a streamed array: the error is its last element (one JSON document on stdout, README "JSON output").
      if (array) process.stdout.write(`${array.items ? ',' : ''}\n  ${JSON.stringify(output)}\n]\n`)
      else process.stdout.write(JSON.stringify(output, null, 2) + '\n')
      this.exit(mapped.exitCode)
    }
    if (mapped.kind === 'usage' && !(err instanceof CliError)) {
      // oclif's parser error: let oclif print it with its usage hint (exit 2).
      throw err
    }
    const debug = /pleroma-admin/.test(process.env.DEBUG ?? '')
    process.stderr.write(errorLines(mapped.message, mapped.hint))
    if (mapped.kind === 'error' && !(err instanceof CliError)) {
      process.stderr.write(debug ? `${err.stack}\n` : 'This is unexpected; run again with DEBUG=pleroma-admin* to see the stack trace.\n')
    } else if (debug && err.stack) {
      process.stderr.write(`${err.stack}\n`)
    }
    this.exit(mapped.exitCode)
  }
}

/** Whether a postgres:// URL carries a password (`postgres://user:secret@host/db`). */
function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== ''
  } catch {
    return false
  }
}

/** A result of the rehearsal (a real run, rolled back) as the dry run gives it. */
function asDryRun<R>(result: R): R {
  return result !== null && typeof result === 'object' && 'dryRun' in result ? {...result, dryRun: true} : result
}

interface MappedError {
  kind: ErrorKind
  exitCode: number
  message: string
  hint?: string
}

const TRY_AGAIN = 'Nothing of the unfinished transaction was written; try again.'

/**
 * A database fault that ended the work: the connection (lost, reset, ended
 * by the server), the server's resources, its timeouts. One line naming
 * it; exit 5 (docs/design.md#exit-codes).
 */
function databaseFault(code: string | undefined, message: string): {message: string; hint: string} | undefined {
  const said = message.replace(/\.$/, '')
  if (code === '57014') {
    return {
      message: `The database cancelled a statement (${said})`,
      hint: `${TRY_AGAIN} A statement_timeout of the role or database shorter than the work needs ends it every time: raise it, or use a smaller --batch-size where the command has one.`,
    }
  }
  // A deadlock or serialization failure: the database undid the transaction that lost; batches committed before it
  // stay, so batched work says how far it got (catch()).
  if (code === '40P01' || code === '40001') return {message: `Another change to the same rows got in the way (${said})`, hint: TRY_AGAIN}
  if (code === '55P03') return {message: `Rows stayed locked by another session longer than lock_timeout allows (${said})`, hint: TRY_AGAIN}
  if (code === '25P03') return {message: `The database server ended the connection (${said})`, hint: TRY_AGAIN}
  if (code === '57P01' || code === '57P02' || code === '57P05') return {message: `The database server ended the connection (${said})`, hint: TRY_AGAIN}
  if (code && /^(08|57P)/.test(code)) return {message: `The database connection failed (${said})`, hint: TRY_AGAIN}
  if (code && /^53/.test(code)) return {message: `The database server is out of resources (${said})`, hint: TRY_AGAIN}
  // node-postgres' own errors for a connection gone under it: no SQLSTATE, a socket code or its wording.
  if (
    (code && /^(ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNABORTED)$/.test(code)) ||
    /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|read ECONNRESET|write EPIPE)/.test(message)
  ) {
    return {message: `The connection to the database was lost (${said})`, hint: TRY_AGAIN}
  }
  return undefined
}

/** Ctrl-C at an @inquirer/prompts question (it rejects with an ExitPromptError). */
function isPromptInterrupt(err: Error): boolean {
  return err.name === 'ExitPromptError'
}

function mapError(err: Error & {oclif?: {exit?: number}; code?: string}): MappedError {
  if (err instanceof CliError) return {kind: err.kind, exitCode: err.exitCode, message: err.message, hint: err.hint}
  if (isPromptInterrupt(err)) return {kind: 'aborted', exitCode: ExitCode.INTERRUPTED, message: 'Not confirmed (Ctrl-C); nothing was changed.'}
  // oclif's parse errors carry exit 2.
  if (err.oclif?.exit === 2 || (err as {parse?: unknown}).parse) {
    // oclif puts the reason on its own indented line ("Parsing --limit \n\tExpected an integer ...",
    // "Missing 1 required arg:\nnickname  Nickname of ..."): one line with both, one colon between.
    const message = err.message
      .split('\n')
      .map((line) => line.trim().replace(/\s{2,}/g, ': '))
      .filter((line) => line && !line.startsWith('See more help'))
      .reduce((all, line) => (all === '' ? line : `${all.replace(/:$/, '')}: ${line}`), '')
    return {kind: 'usage', exitCode: ExitCode.USAGE, message, hint: 'See --help.'}
  }
  type DriverErrorLike = {code?: string; message?: string; constraint?: string; detail?: string}
  const driver: DriverErrorLike = (err as {driverError?: DriverErrorLike}).driverError ?? err
  const code = driver?.code
  if (code === '23505') {
    return {
      kind: 'refused',
      exitCode: ExitCode.REFUSED,
      message: `Conflict: ${driver.detail ?? driver.message} (another change got there first).`,
      hint: 'Check the current state and try again.',
    }
  }
  const lost = databaseFault(code, driver.message ?? '')
  if (lost) return {kind: 'database', exitCode: ExitCode.DATABASE, ...lost}
  if (code === '42501') {
    const e = new DatabaseError(`Permission denied: ${driver.message}.`, 'Connect as the user that owns the Pleroma database (the one in Pleroma.Repo).')
    return {kind: e.kind, exitCode: e.exitCode, message: e.message, hint: e.hint}
  }
  return {kind: 'error', exitCode: ExitCode.ERROR, message: err.message || String(err)}
}

/** Writes to stdout; resolves when the data is handed over (at once, or after 'drain' on a full pipe). */
export function writeOut(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) return resolve()
    const done = () => {
      process.stdout.off('drain', done)
      process.stdout.off('error', done)
      resolve()
    }
    process.stdout.on('drain', done)
    process.stdout.on('error', done)
  })
}
