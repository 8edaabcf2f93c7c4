import {BaseCommand} from '../../base-command'
import {runtime} from '../../runtime-loader'
import type {ListedInvite} from '../../services/invites'

/** `user:invites --json`: every invite, oldest first (streamed). */
export type UserInvitesResult = ListedInvite[]

export default class UserInvites extends BaseCommand<typeof UserInvites> {
  static summary = 'List the invites.'

  static description = `Prints every invite (user_invite_tokens), ordered by id, in Pleroma's format, used and expired ones included:

  Invites list:
  ID: 1 | Token: … | Token type: one_time | Used: false
  ID: 2 | Token: … | Token type: reusable_date_limited | Used: false | Expires at: 2030-12-31 | Max use: 10    Left use: 7

Under --json each invite also says whether it has expired (expires_at before today, UTC) and whether registration would accept it now (valid). Invites are read in pages, so the list can be long. Changes nothing.`

  static examples = ['<%= config.bin %> <%= command.id %>', "<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.valid) | .token'"]

  async run(): Promise<UserInvitesResult> {
    const db = await this.openDb()
    const {iterateInvites, formatInviteLine} = runtime().invites
    const json = this.jsonEnabled()
    await db.transaction(async (m) => {
      let first = true
      if (json) process.stdout.write('[')
      else this.out('Invites list:')
      for await (const invite of iterateInvites(m)) {
        if (json) process.stdout.write((first ? '\n  ' : ',\n  ') + JSON.stringify(invite))
        else this.out(formatInviteLine(invite))
        first = false
      }
      if (json) process.stdout.write(first ? ']\n' : '\n]\n')
    })
    return this.streamed()
  }
}
