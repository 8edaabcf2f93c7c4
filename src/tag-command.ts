/**
 * What user:tag and user:untag share: NICKNAME TAG..., or with --stdin the
 * nicknames from stdin and every argument a tag; the per-user body
 * (services/user-tags.ts changeTags) and its output.
 */
import * as Args from '@oclif/core/args'
import type {Command} from '@oclif/core/command'
import {actorFlag, BaseCommand, dryRunFlag, forceFlag, yesFlag} from './base-command'
import {BULK_HELP, stdinFlag} from './bulk-users'
import {UsageError} from './errors'
import {runtime} from './runtime-loader'
import type {TagMode} from './services/user-tags'

/** One user's tags afterwards (dry run: as they would be). */
export interface TagsOfUser {
  dryRun: boolean
  nickname: string
  tags: string[]
  changed: boolean
}

/** NICKNAME TAG...; with --stdin every argument is a tag. */
export function tagArgs(what: string) {
  return {
    nickname: Args.string({
      description:
        'Nickname of the user (case-insensitive; remote users: nick@host). With --stdin there is none: the nicknames come from stdin and this is a tag too.',
      required: true,
      ignoreStdin: true,
    }),
    tags: Args.string({
      description: `One or more tags to ${what} (lower-cased). Put -- before tags that start with -.`,
      required: false,
      multiple: true,
      ignoreStdin: true,
    }),
  }
}

/** user:untag's flags (removing a tag never breaks a service actor). */
export const untagFlags = {
  stdin: {...stdinFlag, summary: 'Read the nicknames from stdin, one per line (blank lines and # comments skipped); every argument is then a tag.'},
  yes: {...yesFlag, summary: 'With --stdin: do not ask for confirmation (needed when stdin is not a terminal).'},
  'dry-run': dryRunFlag,
  actor: actorFlag,
}

/** user:tag's flags: --force to tag a service actor. */
export const tagFlags = {...untagFlags, force: forceFlag}

export const TAG_BULK_HELP = `Several users: --stdin reads the nicknames, one per line, and every argument is a tag. ${BULK_HELP}`

export abstract class TagCommand<T extends typeof Command> extends BaseCommand<T> {
  protected async changeTagsOf(
    mode: TagMode,
    args: {nickname: string; tags?: string[]},
    flags: {stdin: boolean; yes: boolean; 'dry-run': boolean; force?: boolean},
  ) {
    const given = [args.nickname, ...(args.tags ?? [])]
    const nicknames = flags.stdin ? [] : given.slice(0, 1)
    const tags = flags.stdin ? given : given.slice(1)
    if (tags.length === 0) {
      throw new UsageError(
        `No tag given: nothing to ${mode}.`,
        flags.stdin
          ? `With --stdin every argument is a tag: ... | pleroma-admin user:${mode} --stdin TAG...`
          : `Give the nickname and one or more tags: pleroma-admin user:${mode} NICKNAME TAG...`,
      )
    }
    const {changeTags, inspectList, normalizeTags} = runtime().userTags
    return this.forUsers<TagsOfUser>(
      {
        nicknames,
        stdin: flags.stdin,
        dryRun: flags['dry-run'],
        yes: flags.yes,
        destructive: false,
        verb: `will be ${mode}ged ${inspectList(normalizeTags(tags))}`,
        totals: (r) => [{key: 'changed', n: r.changed ? 1 : 0, one: 'tag list changed', many: 'tag lists changed'}],
      },
      async (nickname, dryRun) => {
        const live = runtime().live
        const {result, note} = await this.inTransaction(async ({m, db, instanceHost, actor}) => {
          const a = await actor()
          const r = await changeTags(m, nickname, mode, tags, {
            instanceHost,
            dryRun,
            guard: mode === 'tag' ? {action: 'tag', force: flags.force ?? false} : undefined,
          })
          if (dryRun || !r.changed) return {result: r, note: undefined}
          // Pleroma's tag_users/untag_users entry: the nicknames and the tags (admin_api_controller.ex:124-146).
          const effects = await live.usersChanged(m, db.schema, a, [r], [{action: mode, nicknames: [r.nickname], tags: normalizeTags(tags)}])
          return {result: r, note: live.loggedNote(effects, a)}
        })
        this.out(`Tags of ${result.nickname}: ${inspectList(result.tags)}`)
        if (note) this.note(note)
        if (dryRun) this.note('Dry run: nothing was written.')
        return {dryRun, nickname: result.nickname, tags: result.tags, changed: result.changed}
      },
    )
  }
}
