// @oclif/test captures output by stubbing process.stdout/stderr; jest's own
// console would bypass that, so use Node's console in the test sandbox.
global.console = require('node:console')
