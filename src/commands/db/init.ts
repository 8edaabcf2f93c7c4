import {BaseCommand} from '../../base-command'
import {runtime} from '../../runtime-loader'

/** `db:init --json`. */
export interface DbInitResult {
  /** The tables were created by this run (false: the database was already initialised). */
  initialized: boolean
  /** The database, without its password. */
  database: string
  /** The instance URL stored, when one was given. */
  instanceUrl?: string
}

export default class DbInit extends BaseCommand<typeof DbInit> {
  static summary = "Create Pleroma's user tables in an empty database."

  static description = `For a database that pleroma-admin owns: creates, with the tool's own migrations, the tables the user tasks work on, with exactly Pleroma's names, types, defaults, indexes and foreign keys, and Ecto's schema_migrations table. The embedded database is initialised automatically; use this for an empty PostgreSQL database.

It refuses a database that already belongs to Pleroma (it never migrates one) and any other non-empty database. --instance-url is stored in the database and used for ap_id and links from then on.`

  static examples = ['<%= config.bin %> <%= command.id %> --database-url postgres://postgres@localhost/pleroma_admin --instance-url https://pleroma.example']

  async run(): Promise<DbInitResult> {
    const db = await this.openDb({init: true})
    const {normalizeInstanceUrl, storeInstanceUrl} = runtime().instance
    const {describeSource} = runtime().connection
    const flagUrl = this.flags['instance-url'] ?? process.env.PLEROMA_INSTANCE_URL
    const instanceUrl = flagUrl ? normalizeInstanceUrl(flagUrl, this.flags['instance-url'] ? '--instance-url' : 'PLEROMA_INSTANCE_URL') : undefined
    if (instanceUrl) await db.transaction((m) => storeInstanceUrl(m, instanceUrl))
    const where = describeSource(db.source)
    this.out(db.initialized ? `Created Pleroma's tables in ${where}.` : `${where} is already initialised; nothing to create.`)
    if (instanceUrl) this.out(`Instance URL: ${instanceUrl}`)
    return {initialized: db.initialized, database: where, ...(instanceUrl ? {instanceUrl} : {})}
  }
}
