// Preloaded with --require: writes every module file loaded by the process
// to $PA_MODULE_TRACE when the process exits. Files compiled with vm.Script
// (the runtime bundle, src/runtime-loader.ts) are listed too, followed by
// " (code cache accepted)" or " (code cache rejected)" when cached data was given.
const fs = require('node:fs')
const Module = require('node:module')
const vm = require('node:vm')
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
const OriginalScript = vm.Script
vm.Script = class extends OriginalScript {
  constructor(code, options) {
    super(code, options)
    if (options && options.filename) {
      loaded.add(options.filename + (options.cachedData ? (this.cachedDataRejected ? ' (code cache rejected)' : ' (code cache accepted)') : ''))
    }
  }
}
process.on('exit', () => fs.writeFileSync(process.env.PA_MODULE_TRACE, [...loaded].join('\n')))
