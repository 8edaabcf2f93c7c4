#!/usr/bin/env node
/**
 * The command-line contract: every command's id, aliases, args and flags
 * (from oclif.manifest.json) plus its documented --json shape (kept by hand
 * in test/contract/cli-contract.json). `--update` rewrites the generated part
 * keeping the JSON shapes; without it the script only prints the contract.
 * The README's "JSON output" table is written from the same file by
 * `--readme` (run by `npm run readme`).
 */
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const contractFile = path.join(root, 'test', 'contract', 'cli-contract.json')
const readmeFile = path.join(root, 'README.md')

function fromManifest() {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'))
  const out = {}
  for (const id of Object.keys(manifest.commands).sort()) {
    const c = manifest.commands[id]
    if (c.pluginName !== 'pleroma-admin' || c.hidden) continue
    out[id] = {
      aliases: [...(c.aliases ?? [])].sort(),
      hiddenAliases: [...(c.hiddenAliases ?? [])].sort(),
      args: Object.entries(c.args ?? {}).map(([name, a]) => ({name, required: Boolean(a.required), multiple: Boolean(c.strict === false || a.multiple)})),
      flags: Object.entries(c.flags ?? {})
        .filter(([, f]) => !f.hidden)
        .map(([name, f]) => ({name, ...(f.char ? {char: f.char} : {}), type: f.type, ...(f.allowNo ? {allowNo: true} : {}), ...(f.multiple ? {multiple: true} : {}), ...(f.required ? {required: true} : {})}))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }
  }
  return out
}

function load() {
  return fs.existsSync(contractFile) ? JSON.parse(fs.readFileSync(contractFile, 'utf8')) : {commands: {}}
}

function merged() {
  const current = load()
  const generated = fromManifest()
  const commands = {}
  for (const [id, c] of Object.entries(generated)) {
    const old = current.commands[id] ?? {}
    commands[id] = {...c, json: old.json ?? {shape: 'TODO', example: []}}
  }
  return {...current, commands}
}

function readmeTable(contract) {
  const rows = Object.entries(contract.commands).map(([id, c]) => `| \`${id}\` | \`${c.json.shape}\` |`)
  return ['<!-- json -->', '| command | `--json` output (success) |', '|---|---|', ...rows, '<!-- jsonstop -->'].join('\n')
}

function withReadmeTable(text, contract) {
  const start = text.indexOf('<!-- json -->')
  const stop = text.indexOf('<!-- jsonstop -->')
  if (start < 0 || stop < 0) throw new Error('README.md lacks the <!-- json --> ... <!-- jsonstop --> markers')
  return text.slice(0, start) + readmeTable(contract) + text.slice(stop + '<!-- jsonstop -->'.length)
}

module.exports = {fromManifest, load, merged, withReadmeTable, contractFile, readmeFile}

if (require.main === module) {
  const arg = process.argv[2]
  if (arg === '--update') {
    fs.mkdirSync(path.dirname(contractFile), {recursive: true})
    fs.writeFileSync(contractFile, JSON.stringify(merged(), null, 2) + '\n')
    console.log(`wrote ${path.relative(root, contractFile)}`)
  } else if (arg === '--readme') {
    fs.writeFileSync(readmeFile, withReadmeTable(fs.readFileSync(readmeFile, 'utf8'), load()))
    console.log('wrote the JSON table of README.md')
  } else {
    process.stdout.write(JSON.stringify(merged(), null, 2) + '\n')
  }
}
