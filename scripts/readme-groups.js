#!/usr/bin/env node
// Groups the command reference that `oclif readme` writes into README.md
// (between <!-- commands --> and <!-- commandsstop -->) by what the commands
// do, and says for each which Pleroma task it corresponds to. Run after
// `oclif readme` (npm run readme; scripts/check-readme.js does the same on a
// copy). Fails when a command has no group: add it to GROUPS.
//
//   node scripts/readme-groups.js [README path]
const fs = require('node:fs')
const path = require('node:path')

/**
 * Every command's group, and what it corresponds to in Pleroma when its
 * hidden alias (Pleroma's spelling, read from the manifest) does not say
 * it all: `task` overrides the task named, `note` is added after it.
 */
const GROUPS = [
  {
    title: 'Accounts',
    about: 'One account at a time: create, look at, change, sign out, activate, confirm, approve, delete.',
    commands: {
      'user:new': {},
      'user:list': {},
      'user:show': {note: 'Akkoma'},
      'user:change-email': {note: 'Akkoma'},
      'user:reset-password': {},
      'user:reset-mfa': {},
      'user:sign-out': {},
      'user:activate': {},
      'user:deactivate': {},
      'user:toggle-activated': {note: '2020; today `activate` / `deactivate`'},
      'user:unsubscribe': {note: '2020; today `deactivate`'},
      'user:confirm': {},
      'user:toggle-confirmed': {note: '2020; today `confirm`'},
      'user:approve': {task: 'approve', note: 'admin API, no task'},
      'user:fix-follow-state': {},
      'user:rm': {},
      'user:delete-activities': {},
    },
  },
  {
    title: 'Roles and flags',
    about: 'Admin, moderator and account flags, and tags.',
    commands: {'user:set': {note: 'with the flags of the admin API: approve, suggest, credentials'}, 'user:tag': {}, 'user:untag': {}},
  },
  {
    title: 'Invites',
    about: 'Registration invites.',
    commands: {'user:invite': {}, 'user:invites': {}, 'user:revoke-invite': {}},
  },
  {
    title: 'Bulk',
    about: 'Many accounts at once: a whole instance, every local account, a selection.',
    commands: {
      'user:deactivate-all-from-instance': {},
      'user:unsubscribe-all-from-instance': {note: '2020; today `deactivate_all_from_instance`'},
      'user:confirm-all': {},
      'user:unconfirm-all': {},
      'user:prune': {},
      'user:restore': {},
    },
  },
  {
    title: 'Database',
    about: 'The database pleroma-admin works on.',
    commands: {'db:init': {}},
  },
  {
    title: 'Help and completion',
    about: 'The command line itself.',
    commands: {help: {}, autocomplete: {}},
  },
]

const START = '<!-- commands -->'
const STOP = '<!-- commandsstop -->'

/** The group of every command id (throws on a command listed twice). */
function groupOf() {
  const map = new Map()
  for (const g of GROUPS) {
    for (const [id, info] of Object.entries(g.commands)) {
      if (map.has(id)) throw new Error(`scripts/readme-groups.js: ${id} is in two groups`)
      map.set(id, {group: g, ...info})
    }
  }
  return map
}

/** The `user` tasks of Pleroma v2.9.1, of 2020 and of Akkoma (docs/pleroma/tasks.md). */
const PLEROMA_TASKS = new Set(
  (
    'new rm reset_password reset_mfa activate deactivate deactivate_all_from_instance set tag untag invite invites revoke_invite ' +
    'delete_activities confirm confirm_all unconfirm_all sign_out list fix_follow_state ' +
    'toggle_activated unsubscribe unsubscribe_all_from_instance toggle_confirmed ' +
    'change_email show send_confirmation blocking timeline_query refetch_public_keys convert_id'
  ).split(' '),
)

/** "`reset_mfa`", "`toggle_activated` (2020; ...)", or "none" for a command of ours only. */
function pleromaTask(id, info, manifest) {
  const cmd = manifest.commands[id]
  const alias = (cmd?.hiddenAliases ?? []).map((a) => a.slice(a.indexOf(':') + 1)).find((a) => PLEROMA_TASKS.has(a))
  const same = id.startsWith('user:') && PLEROMA_TASKS.has(id.slice('user:'.length)) ? id.slice('user:'.length) : undefined
  const task = info.task ?? alias ?? same
  if (!task) return info.note ?? 'none'
  return `\`${task}\`${info.note ? ` (${info.note})` : ''}`
}

/**
 * The README with its command reference grouped. `manifest` is
 * oclif.manifest.json (for the hidden aliases). Throws when a command in
 * the reference has no group.
 */
function groupReadme(readme, manifest) {
  const start = readme.indexOf(START)
  const stop = readme.indexOf(STOP)
  if (start < 0 || stop < start) throw new Error(`README.md has no ${START} ... ${STOP} block`)
  const block = readme.slice(start + START.length, stop)
  // oclif's index: "* [`pleroma-admin ID ARGS`](#anchor)"; its sections: "## `pleroma-admin ID ARGS`".
  const index = new Map()
  for (const m of block.matchAll(/^\* \[`(\S+) ([^\s`]+)([^`]*)`\]\((#[^)]+)\)$/gm)) index.set(m[2], {usage: `${m[2]}${m[3]}`, anchor: m[4]})
  const sections = new Map()
  const parts = block.split(/^(?=## `)/m).slice(1)
  for (const part of parts) {
    const id = /^## `\S+ ([^\s`]+)/.exec(part)[1]
    sections.set(id, part.replace(/^## /, '#### ').trimEnd())
  }
  const groups = groupOf()
  const missing = [...sections.keys()].filter((id) => !groups.has(id))
  if (missing.length > 0) {
    throw new Error(`scripts/readme-groups.js: no group for ${missing.join(', ')}; add each to GROUPS (Accounts, Roles and flags, Invites, Bulk, Database).`)
  }
  const out = [
    '',
    'By what they do. "Pleroma" names the `pleroma_ctl user` task (`mix pleroma.user ...`, Pleroma v2.9.1 unless said) that a command corresponds to; that spelling also works as a hidden alias (`user:reset_mfa`).',
    '',
  ]
  for (const g of GROUPS) {
    const ids = Object.keys(g.commands).filter((id) => sections.has(id))
    if (ids.length === 0) continue
    out.push(`### ${g.title}`, '', g.about, '', '| command | Pleroma |', '| --- | --- |')
    for (const id of ids) {
      const entry = index.get(id) ?? {usage: id, anchor: ''}
      const link = entry.anchor ? `[\`${entry.usage}\`](${entry.anchor})` : `\`${entry.usage}\``
      out.push(`| ${link} | ${pleromaTask(id, groups.get(id), manifest)} |`)
    }
    out.push('')
    for (const id of ids) out.push(sections.get(id), '')
  }
  return readme.slice(0, start + START.length) + out.join('\n') + readme.slice(stop)
}

module.exports = {GROUPS, groupReadme}

if (require.main === module) {
  const root = path.join(__dirname, '..')
  const file = process.argv[2] ?? path.join(root, 'README.md')
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
  try {
    fs.writeFileSync(file, groupReadme(fs.readFileSync(file, 'utf8'), manifest))
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
  console.log(`grouped the command reference of ${path.relative(process.cwd(), file) || file}`)
}
