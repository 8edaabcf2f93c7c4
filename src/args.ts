/**
 * Arguments shared by several commands, declared once so that they read and
 * behave the same everywhere (every `Args.*` has `ignoreStdin: true`:
 * otherwise oclif reads a missing argument from piped stdin).
 */
import * as Args from '@oclif/core/args'

/** The NICKNAME of an existing user, looked up case-insensitively (services/users.ts findUser). */
function nickname(description: string) {
  return Args.string({description, required: true, ignoreStdin: true})
}

/** NICKNAME of a command that works on any user, local or remote. */
export const nicknameArg = nickname('Nickname of the user (case-insensitive; remote users: nick@host).')

/** NICKNAME of a command that works on local users only. */
export const localNicknameArg = nickname('Nickname of the local user (case-insensitive; nick@this-instance works too).')

/** NICKNAMES... of a per-user command (BaseCommand.forUsers): one or more, more with --stdin. */
function nicknames(description: string) {
  return Args.string({description, required: false, multiple: true, ignoreStdin: true})
}

/** NICKNAMES... of a per-user command that works on any user, local or remote. */
export const nicknamesArg = nicknames('Nicknames of the users (case-insensitive; remote users: nick@host); more with --stdin.')

/** NICKNAMES... of a per-user command that works on local users only. */
export const localNicknamesArg = nicknames('Nicknames of the local users (case-insensitive; nick@this-instance works too); more with --stdin.')
