#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/.
const {execute} = require('@oclif/core')

execute({dir: __dirname}).catch(() => {
  // oclif has already printed the error and set the exit code.
})
