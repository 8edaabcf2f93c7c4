import {BaseCommand} from '../../base-command'

export default class UserList extends BaseCommand<typeof UserList> {
  static summary = 'List local users.'

  static description = `Prints one line per local user, ordered by id (creation order), in Pleroma's format:

  alice moderator: false, admin: true, locked: false, deactivated: false

Service actors (internal.fetch) and rows without a nickname are left out, as Pleroma does. Users are read in pages, so the list can be as long as the instance. Changes nothing.`

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json | jq -r \'.[] | select(.admin) | .nickname\'']

  async run(): Promise<void> {
    const db = await this.openDb()
    const {iterateLocalUsers, formatUserLine} = await import('../../services/users')
    const json = this.jsonEnabled()
    await db.transaction(async (m) => {
      let first = true
      if (json) process.stdout.write('[')
      for await (const user of iterateLocalUsers(m)) {
        if (json) {
          process.stdout.write((first ? '\n  ' : ',\n  ') + JSON.stringify(user))
        } else {
          process.stdout.write(formatUserLine(user) + '\n')
        }
        first = false
      }
      if (json) process.stdout.write(first ? ']\n' : '\n]\n')
    })
  }
}
