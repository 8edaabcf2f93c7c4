import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {actorFlag, BaseCommand, dryRunFlag, yesFlag} from '../../base-command'
import {RefusedError, UsageError} from '../../errors'
import {runtime} from '../../runtime-loader'

/** `user:new --json`; id and uuid are null on a dry run (they exist only once written). */
export interface UserNewResult {
  dryRun: boolean
  created: boolean
  /** The FlakeId as Pleroma's API shows it (base 62). */
  id: string | null
  uuid: string | null
  nickname: string
  email: string
  name: string
  apId: string
  moderator: boolean
  admin: boolean
  active: boolean
  confirmed: boolean
  approved: boolean
  /** The password reset link, when the password was generated (null on a dry run). */
  passwordResetUrl?: string | null
}

export default class UserNew extends BaseCommand<typeof UserNew> {
  static summary = 'Create a local user.'

  static description = `Inserts one row into users, exactly as Pleroma's registration writes it (a new FlakeId, ap_id and the follower, following and featured addresses under the instance URL, a new RSA key, active, confirmed and approved). --moderator and --admin set the roles in the same row.

The password is stored as a bcrypt hash and never shown. Give it at the masked prompt (on a terminal), on stdin with --password-stdin, or with --password (visible to other users of the machine). Without any, a random password is set and a password reset link is created and printed, as Pleroma does.

With a lone EMAIL the nickname is proposed from its local part and shown in the summary before you confirm.

The instance URL of the ap_id comes from --instance-url, PLEROMA_INSTANCE_URL, --pleroma-config, the existing local users or the service actors (relay, internal.fetch). On a Pleroma database where none of them gives it, the command refuses (exit 4) rather than invent one; http://localhost:4000 is the default only on the tool's own database. A URL given that differs from the one the existing local users (or service actors) have is refused (exit 4) unless --force.

With --actor (or PLEROMA_ADMIN_ACTOR), a "create" entry naming the new user is written to the moderation log in the transaction that creates it, and a "grant" entry for each of --admin and --moderator.`

  static examples = [
    '<%= config.bin %> <%= command.id %> alice alice@example.com --name "Alice" --admin',
    'printf \'%s\\n\' "$PASSWORD" | <%= config.bin %> <%= command.id %> bob bob@example.com --password-stdin --yes',
    '<%= config.bin %> <%= command.id %> carol@example.com --yes --json',
  ]

  static args = {
    nickname: Args.string({
      description: 'Nickname of the new user (letters, digits, _ and -), or an e-mail address to propose the nickname from.',
      required: true,
      ignoreStdin: true,
    }),
    // ignoreStdin: oclif would otherwise take a missing argument from piped stdin (the password!).
    email: Args.string({description: 'E-mail address of the new user.', required: false, ignoreStdin: true}),
  }

  static flags = {
    name: Flags.string({summary: "The user's display name (default: the nickname)."}),
    bio: Flags.string({summary: "The user's bio (default: empty)."}),
    password: Flags.string({summary: 'The password (visible in the process list; prefer --password-stdin).', exclusive: ['password-stdin']}),
    'password-stdin': Flags.boolean({summary: 'Read the password from the first line of stdin.', default: false}),
    moderator: Flags.boolean({summary: 'Make the user a moderator.', allowNo: true, default: false}),
    admin: Flags.boolean({summary: 'Make the user an admin.', allowNo: true, default: false}),
    yes: yesFlag,
    'dry-run': dryRunFlag,
    actor: actorFlag,
    force: Flags.boolean({
      summary:
        'Create the user even though its instance URL (from --instance-url, PLEROMA_INSTANCE_URL or the config) differs from the one the existing local users have.',
      default: false,
    }),
  }

  async run(): Promise<UserNewResult> {
    const {flags} = this
    let nickname = this.args.nickname
    let email = this.args.email
    let proposed = false
    if (email === undefined) {
      if (!nickname.includes('@')) {
        throw new UsageError(`Missing the e-mail address of ${nickname}.`, `Usage: ${this.config.bin} user:new NICKNAME EMAIL (or a lone EMAIL).`)
      }
      const {nicknameFromEmail} = runtime().users
      email = nickname
      nickname = nicknameFromEmail(email)
      proposed = true
    }

    const db = await this.openDb()
    const users = runtime().users
    const {instanceUrl, actor} = await db.transaction(async (m) => {
      const actor = await this.moderationActor(m, db)
      const instanceUrl = await this.instanceUrl(m, db)
      const sources = {flag: flags['instance-url'], env: process.env.PLEROMA_INSTANCE_URL, config: this.pleromaConfig()?.instanceUrl}
      await runtime().instance.checkNewUserInstanceUrl(m, db.schema, instanceUrl, sources, flags.force)
      return {instanceUrl, actor}
    })
    const input = {nickname, email, name: flags.name, bio: flags.bio, moderator: flags.moderator, admin: flags.admin}
    try {
      await db.transaction((m) => users.validateNewUser(m, {...input, generatedPassword: false}, instanceUrl))
    } catch (error) {
      if (proposed && error instanceof RefusedError) {
        throw new RefusedError(
          `${error.message} (nickname proposed from ${email})`,
          `Give the nickname yourself: ${this.config.bin} user:new NICKNAME ${email}`,
        )
      }
      throw error
    }

    const password = await this.obtainPassword()

    const summary = [
      'A user will be created with the following information:',
      `  - nickname: ${nickname}${proposed ? ' (proposed from the e-mail address)' : ''}`,
      `  - email: ${email}`,
      `  - password: ${password === undefined ? '[generated; a reset link will be created]' : '[given; not shown]'}`,
      `  - name: ${flags.name ?? nickname}`,
      `  - bio: ${flags.bio ?? ''}`,
      `  - moderator: ${flags.moderator}`,
      `  - admin: ${flags.admin}`,
    ]
    for (const line of summary) this.out(line)

    if (flags['dry-run']) {
      this.note('Dry run: nothing was written.')
      return {
        dryRun: true,
        created: false,
        id: null,
        uuid: null,
        nickname,
        email,
        name: flags.name ?? nickname,
        apId: `${instanceUrl}/users/${nickname}`,
        moderator: flags.moderator,
        admin: flags.admin,
        active: true,
        confirmed: true,
        approved: true,
        ...(password === undefined ? {passwordResetUrl: null} : {}),
      }
    }

    await this.confirmOrAbort('Continue?', flags.yes, 'User will not be created.')

    const {hashPassword} = runtime().passwords
    const {randomPassword} = runtime().tokens
    const passwordHash = await hashPassword(password ?? randomPassword())
    const live = runtime().live
    const {created, logged} = await db.transaction(async (m) => {
      const c = await users.createUser(m, db.schema, {...input, passwordHash, generatedPassword: password === undefined}, instanceUrl)
      // The admin API's "create" entry, and a "grant" per role the new user got (docs/live-instance.md#moderation-log).
      const subject = {id: c.id, nickname: c.nickname}
      const entries = live.flagEntries(subject, {admin: false, moderator: false, confirmed: true}, {admin: c.admin, moderator: c.moderator, confirmed: true})
      return {created: c, logged: await live.logEntries(m, actor, [{action: 'create', subjects: [subject]}, ...entries])}
    })

    this.out(`User ${nickname} created`)
    if (flags.moderator) this.out(`Moderator status of ${nickname}: true`)
    if (flags.admin) this.out(`Admin status of ${nickname}: true`)
    if (logged) this.note(`Recorded in the moderation log as done by ${actor!.nickname}.`)
    let passwordResetUrl: string | undefined
    if (created.resetToken) {
      const {passwordResetUrl: urlOf} = runtime().passwordReset
      passwordResetUrl = urlOf(instanceUrl, created.resetToken)
      this.out(`Generated password reset token for ${nickname}`)
      this.out(`URL: ${passwordResetUrl}`)
    }
    return {
      dryRun: false,
      created: true,
      id: created.flakeId,
      uuid: created.id,
      nickname: created.nickname,
      email: created.email,
      name: created.name,
      apId: created.apId,
      moderator: created.moderator,
      admin: created.admin,
      active: true,
      confirmed: true,
      approved: true,
      ...(passwordResetUrl ? {passwordResetUrl} : {}),
    }
  }

  /** The password from stdin, the flag or the masked prompt (at most 72 bytes: checkedPassword); undefined = generate one. */
  private async obtainPassword(): Promise<string | undefined> {
    const password = await this.readPassword()
    return password === undefined ? undefined : checkedPassword(password)
  }

  private async readPassword(): Promise<string | undefined> {
    const {flags} = this
    if (flags['password-stdin']) {
      const {readStdinLine} = runtime().stdin
      const line = await readStdinLine()
      if (!line)
        throw new RefusedError('No password on stdin (--password-stdin read an empty line).', 'Pipe the password in, e.g. printf "%s\\n" "$PASSWORD" | ...')
      return line
    }
    if (flags.password !== undefined) {
      this.warning('--password is visible to other users of this machine (process list, shell history); prefer --password-stdin or the prompt.')
      if (flags.password === '')
        throw new RefusedError('The password given with --password is empty.', 'Leave out --password to generate one and get a reset link.')
      return flags.password
    }
    if (!process.stdin.isTTY || flags.yes || flags['dry-run']) return undefined
    const {password: ask} = await import('@inquirer/prompts')
    const first = await ask({message: 'Password (empty: generate one and print a reset link)', mask: '*'}, {output: process.stderr})
    if (first === '') return undefined
    const second = await ask({message: 'Repeat the password', mask: '*'}, {output: process.stderr})
    if (first !== second) throw new RefusedError('The two passwords differ.', 'Run the command again.')
    return first
  }
}

/**
 * bcrypt uses only the first 72 bytes of a password and ignores the rest
 * without a word (a 100-character password and its first 72 characters plus
 * anything match the same hash): a longer password is refused rather than
 * silently cut. Empty ones are refused where they are read.
 */
const MAX_PASSWORD_BYTES = 72

function checkedPassword(password: string): string {
  const bytes = Buffer.byteLength(password, 'utf8')
  if (bytes > MAX_PASSWORD_BYTES) {
    throw new RefusedError(
      `The password is ${bytes} bytes long; bcrypt uses only the first ${MAX_PASSWORD_BYTES} and would silently ignore the rest.`,
      `Choose a password of at most ${MAX_PASSWORD_BYTES} bytes (${MAX_PASSWORD_BYTES} ASCII characters, fewer with accented letters or emoji), or leave it out to get a reset link.`,
    )
  }
  return password
}
