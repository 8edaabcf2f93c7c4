/**
 * Loads the runtime (runtime.ts): the bundle dist/runtime.bundle.js that
 * scripts/bundle.js builds (TypeORM, pg, the entities and the services in one
 * file), compiled with the V8 code cache made at build time next to it, so
 * that a command does not pay for resolving and compiling TypeORM's few
 * hundred modules at every start. Without a bundle (running the TypeScript
 * sources with bin/dev.js), the modules themselves.
 */
import * as fs from 'node:fs'
import Module from 'node:module'
import * as path from 'node:path'
import * as vm from 'node:vm'

export type Runtime = typeof import('./runtime')

export const BUNDLE_FILE = 'runtime.bundle.js'
export const CODE_CACHE_FILE = 'runtime.bundle.cache'

let loaded: Runtime | undefined

export function runtime(): Runtime {
  if (loaded) return loaded
  const bundle = path.join(__dirname, BUNDLE_FILE)
  if (!fs.existsSync(bundle)) {
    loaded = require('./runtime') as Runtime
  } else if (!(module instanceof Module)) {
    // Loaded by jest's module registry (not Node's): the bundle must be loaded by it too, in the test's globals.
    loaded = require(bundle) as Runtime
  } else {
    loaded = requireWithCodeCache(bundle, path.join(__dirname, CODE_CACHE_FILE)) as Runtime
  }
  return loaded
}

type CompiledModule = (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void

/** Compiles `file` as a CommonJS module (with V8's `cachedData` when given) and runs it; returns the script and the module's exports. */
function runModule(file: string, cachedData?: Buffer): {script: vm.Script; exports: unknown} {
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {filename: file, cachedData})
  const m = new Module(file, module)
  m.filename = file
  m.paths = (Module as unknown as {_nodeModulePaths(dir: string): string[]})._nodeModulePaths(path.dirname(file))
  const compiled = script.runInThisContext() as CompiledModule
  compiled.call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file))
  m.loaded = true
  return {script, exports: m.exports}
}

/**
 * `require(file)`, compiled with V8's cached data from `cacheFile` when V8
 * accepts it (same Node version and flags as at build time); otherwise
 * compiled from source as usual.
 */
export function requireWithCodeCache(file: string, cacheFile: string): unknown {
  let cachedData: Buffer | undefined
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {
    cachedData = undefined
  }
  return runModule(file, cachedData).exports
}

/**
 * Build step (scripts/bundle.js): compiles and runs the bundle once, then
 * writes V8's code cache for it (the functions compiled by then included).
 */
export function writeCodeCache(): void {
  const {script} = runModule(path.join(__dirname, BUNDLE_FILE))
  fs.writeFileSync(path.join(__dirname, CODE_CACHE_FILE), script.createCachedData())
}
