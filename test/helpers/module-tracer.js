// Preloaded with --require: writes every module file loaded by the process
// to $PA_MODULE_TRACE when the process exits.
const fs = require('node:fs')
const Module = require('node:module')
const loaded = new Set()
const original = Module._load
Module._load = function (request, parent, isMain) {
  try {
    loaded.add(Module._resolveFilename(request, parent, isMain))
  } catch {
    loaded.add(request)
  }
  return original.apply(this, arguments)
}
process.on('exit', () => fs.writeFileSync(process.env.PA_MODULE_TRACE, [...loaded].join('\n')))
