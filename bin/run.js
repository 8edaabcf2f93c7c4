#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/.
// Loads oclif's execute() alone: oclif's index loads every part of oclif and
// semver (for a Node version check our own "engines" makes moot); the
// commands import the parts they use (@oclif/core/command, /flags, ...).
try {
  process.cwd()
} catch (error) {
  // the one other check of oclif's index
  if (error.code === 'ENOENT') process.stderr.write('WARNING: current directory does not exist\n')
}
const {execute} = require('@oclif/core/execute')

// No user plugins: oclif would read them from its data directory, which
// PLEROMA_ADMIN_DATA_DIR (the embedded database's directory) also sets.
execute({loadOptions: {root: __dirname, userPlugins: false}}).catch(() => {
  // oclif has already printed the error and set the exit code.
})
