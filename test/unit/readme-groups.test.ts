import * as fs from 'node:fs'
import * as path from 'node:path'

const {GROUPS, groupReadme} = require('../../scripts/readme-groups.js') as {
  GROUPS: Array<{title: string; commands: Record<string, unknown>}>
  groupReadme: (readme: string, manifest: unknown) => string
}

const ROOT = path.join(__dirname, '..', '..')
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {hidden?: boolean}>}
const grouped = new Set(GROUPS.flatMap((g) => Object.keys(g.commands)))

const SECTION = (id: string, usage = '') => `## \`pleroma-admin ${id}${usage}\`\n\nSomething.\n\n\`\`\`\nUSAGE\n  $ pleroma-admin ${id}${usage}\n\`\`\`\n\n`
const README = (ids: string[]) =>
  `# x\n\n<!-- commands -->\n${ids.map((id) => `* [\`pleroma-admin ${id}\`](#pleroma-admin-${id.replace(':', '')})`).join('\n')}\n\n${ids.map((id) => SECTION(id)).join('')}<!-- commandsstop -->\nend\n`

describe('the grouped command reference (scripts/readme-groups.js)', () => {
  it('has a group for every visible command', () => {
    const visible = Object.entries(manifest.commands)
      .filter(([, c]) => !c.hidden)
      .map(([id]) => id)
    expect(visible.filter((id) => !grouped.has(id))).toEqual([])
  })

  it('fails for a command without a group, naming it', () => {
    expect(() => groupReadme(README(['user:new', 'user:frobnicate']), manifest)).toThrow(/no group for user:frobnicate; add each to GROUPS/)
  })

  it('puts each command under its group, with the Pleroma task it corresponds to (from its hidden alias or its name)', () => {
    const out = groupReadme(README(['db:init', 'user:reset-mfa', 'user:new', 'user:toggle-activated', 'user:invite']), manifest)
    const order = [
      '### Accounts',
      '[`user:new`]',
      '[`user:reset-mfa`]',
      '#### `pleroma-admin user:new`',
      '#### `pleroma-admin user:reset-mfa`',
      '### Invites',
      '#### `pleroma-admin user:invite`',
      '### Database',
    ]
    const positions = order.map((s) => out.indexOf(s))
    expect(positions.every((p) => p >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(out).toContain('| [`user:reset-mfa`](#pleroma-admin-userreset-mfa) | `reset_mfa` |')
    expect(out).toContain('| [`user:toggle-activated`](#pleroma-admin-usertoggle-activated) | `toggle_activated` (2020; today `activate` / `deactivate`) |')
    expect(out).toContain('| [`db:init`](#pleroma-admin-dbinit) | none |')
    // Empty groups are left out; what is outside the block stays.
    expect(out).not.toContain('### Bulk')
    expect(out.startsWith('# x\n\n<!-- commands -->\n')).toBe(true)
    expect(out.endsWith('<!-- commandsstop -->\nend\n')).toBe(true)
    // Running it again on its own output (after oclif replaced the block) gives the same.
    expect(groupReadme(README(['db:init', 'user:reset-mfa', 'user:new', 'user:toggle-activated', 'user:invite']), manifest)).toBe(out)
  })
})
