#!/usr/bin/env node
// Fails when the command reference in README.md differs from what
// `oclif readme` generates from the current commands, grouped by
// scripts/readme-groups.js, or when a command has no group there.
const {execFileSync} = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..')
const readme = path.join(root, 'README.md')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pa-readme-'))
const copy = path.join(tmp, 'README.md')
fs.copyFileSync(readme, copy)
execFileSync(process.execPath, [require.resolve('oclif/bin/run.js'), 'readme', '--no-aliases', '--no-source-links', '--readme-path', copy], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
})
// Grouped as `npm run readme` groups it (fails when a command has no group).
const {groupReadme} = require('./readme-groups')
let want
try {
  want = groupReadme(fs.readFileSync(copy, 'utf8'), JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')))
} catch (error) {
  console.error(`README.md: ${error.message}`)
  process.exit(1)
}
const have = fs.readFileSync(readme, 'utf8')
fs.rmSync(tmp, {recursive: true, force: true})
if (want !== have) {
  console.error('README.md: the command reference is stale. Run `npm run readme` and commit README.md.')
  process.exit(1)
}
console.log('README.md command reference is current.')
