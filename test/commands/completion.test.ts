/**
 * Shell completion from @oclif/plugin-autocomplete, exercised in a real bash:
 * with the two helpers of the bash-completion package it calls written as a
 * test fixture (so no system package is needed), and also with Debian's
 * bash-completion package itself where it is installed, as on admins' machines.
 */
import {execFileSync} from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const ROOT = path.join(__dirname, '..', '..')
const BIN = path.join(ROOT, 'bin', 'run.js')
const SYSTEM_BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'
const FIXTURE_HELPERS = path.join(ROOT, 'test', 'fixtures', 'completion', 'bash-helpers.bash')
/** The helper files to run the generated script with: the fixture always, the package where installed. */
const HELPERS = [FIXTURE_HELPERS, ...(fs.existsSync(SYSTEM_BASH_COMPLETION) ? [SYSTEM_BASH_COMPLETION] : [])]

interface ManifestCommand {
  id: string
  hidden?: boolean
  flags: Record<string, {hidden?: boolean; char?: string}>
}
const manifest: {commands: Record<string, ManifestCommand>} = JSON.parse(fs.readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8'))

describe('shell completion', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-ac-'))
  const env = {...process.env, XDG_CACHE_HOME: cache, XDG_DATA_HOME: cache, XDG_CONFIG_HOME: cache}
  beforeAll(() => {
    execFileSync(process.execPath, [BIN, 'autocomplete', '--refresh-cache'], {env, stdio: 'pipe'})
  })
  afterAll(() => fs.rmSync(cache, {recursive: true, force: true}))

  /** The completions bash offers for `line` (cursor at its end), one run per helper file; all must agree. */
  function bashComplete(line: string): string[] {
    const results = HELPERS.map((helpers) => completeWith(helpers, line))
    for (const r of results) expect(r).toEqual(results[0])
    return results[0]
  }

  function completeWith(helpers: string, line: string): string[] {
    const script = `
      source ${JSON.stringify(helpers)}
      eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} autocomplete:script bash)"
      COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}
      read -ra COMP_WORDS <<< "$(printf '%s' "$1" | sed 's/:/ : /g')"
      [[ "$1" == *" " ]] && COMP_WORDS+=("")
      COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
      _pleroma-admin_autocomplete
      printf '%s\\n' "\${COMPREPLY[@]}"`
    const out = execFileSync('bash', ['-c', script, 'complete', line], {env, encoding: 'utf8'})
    return out.split('\n').filter(Boolean).sort()
  }

  const userCommands = Object.values(manifest.commands)
    .filter((c) => c.id.startsWith('user:') && !c.hidden)
    .map((c) => c.id.slice('user:'.length))
    .sort()

  it('completes `user:` to the user commands', () => {
    expect(userCommands).toEqual(expect.arrayContaining(['list', 'new']))
    expect(bashComplete('pleroma-admin user:')).toEqual(userCommands)
    expect(bashComplete('pleroma-admin user:n')).toEqual(userCommands.filter((c) => c.startsWith('n')))
  })

  for (const id of ['user:new', 'user:list', 'user:set']) {
    it(`completes \`${id} --\` to its flags`, () => {
      const command = manifest.commands[id]
      expect(command).toBeDefined()
      const flags = Object.entries(command.flags)
        .filter(([, f]) => !f.hidden)
        .map(([name]) => `--${name}`)
        .sort()
      expect(flags).toEqual(expect.arrayContaining(['--json', '--database-url']))
      expect(bashComplete(`pleroma-admin ${id} --`)).toEqual(flags)
    })
  }

  it('generates the zsh and PowerShell completions too', () => {
    const zsh = execFileSync(process.execPath, [BIN, 'autocomplete:script', 'zsh'], {env, encoding: 'utf8'})
    expect(zsh).toContain('PLEROMA_ADMIN_AC_ZSH_SETUP_PATH')
    const zshFunction = fs.readFileSync(path.join(cache, 'pleroma-admin', 'autocomplete', 'functions', 'zsh', '_pleroma-admin'), 'utf8')
    expect(zshFunction).toContain(`"user\\:new:Create a local user."`)
    const ps = execFileSync(process.execPath, [BIN, 'autocomplete:script', 'powershell'], {env, encoding: 'utf8'})
    expect(ps).toContain('pleroma-admin')
  })
})
