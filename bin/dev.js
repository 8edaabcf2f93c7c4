#!/usr/bin/env node
// Development entry point: runs the TypeScript sources through ts-node.
require('ts-node').register({transpileOnly: true, project: require('node:path').join(__dirname, '..', 'tsconfig.json')})
const {execute} = require('@oclif/core')

execute({development: true, dir: __dirname}).catch(() => {})
