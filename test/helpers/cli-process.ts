/**
 * The CLI as a separate process (bin/run.js, as installed), for what an
 * in-process run cannot show: SIGKILL, concurrent processes, the embedded
 * database's lock between processes.
 */
import {spawn} from 'node:child_process'
import * as path from 'node:path'

export const BIN = path.join(__dirname, '..', '..', 'bin', 'run.js')

/** The environment variables the commands read, never inherited from the machine running the tests. */
const CONTROLLED_ENV = ['DATABASE_URL', 'PLEROMA_ADMIN_DATA_DIR', 'PLEROMA_CONFIG_PATH', 'PLEROMA_INSTANCE_URL', 'PLEROMA_ADMIN_PROGRESS_INTERVAL', 'DEBUG']

export interface ProcessResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Milliseconds from spawn to exit. */
  ms: number
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>
  stdin?: string
  /** Called with each complete line of stderr; `kill` sends a signal to the process. */
  onStderrLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void
  /** Called once the process is started, with a function that signals it (until it has exited). */
  onSpawn?: (kill: (signal: NodeJS.Signals) => void) => void
}

export function runProcess(args: string[], options: SpawnOptions = {}): Promise<ProcessResult> {
  return spawnProcess(process.execPath, [BIN, ...args], options)
}

/**
 * A bash script in which `pleroma-admin` is the CLI (bin/run.js, under this
 * Node): for pipelines as the README writes them, e.g.
 * `pleroma-admin user:list --nicknames | pleroma-admin user:rm --stdin --yes`
 * (each command a process of its own, all started at once). The result's
 * `code` is the script's: a pipeline's is its last command's.
 */
export function runShell(script: string, options: SpawnOptions = {}): Promise<ProcessResult> {
  const env = {PLEROMA_ADMIN_NODE: process.execPath, PLEROMA_ADMIN_BIN: BIN, ...options.env}
  return spawnProcess('bash', ['-c', `pleroma-admin() { "$PLEROMA_ADMIN_NODE" "$PLEROMA_ADMIN_BIN" "$@"; }\n${script}`], {...options, env})
}

function spawnProcess(file: string, args: string[], options: SpawnOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env}
    delete env.NODE_OPTIONS
    for (const k of CONTROLLED_ENV) delete env[k]
    env.PLEROMA_ADMIN_BCRYPT_COST = '4'
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k]
      else env[k] = v
    }
    const started = Date.now()
    const p = spawn(file, args, {env})
    let stdout = ''
    let stderr = ''
    let partial = ''
    const kill = (signal: NodeJS.Signals) => {
      if (p.exitCode === null && p.signalCode === null) p.kill(signal)
    }
    options.onSpawn?.(kill)
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    p.stderr.on('data', (d: Buffer) => {
      const text = d.toString()
      stderr += text
      if (!options.onStderrLine) return
      partial += text
      const lines = partial.split('\n')
      partial = lines.pop()!
      for (const line of lines) options.onStderrLine(line, kill)
    })
    p.on('error', reject)
    p.on('close', (code, signal) => resolve({code, signal, stdout, stderr, ms: Date.now() - started}))
    p.stdin.end(options.stdin ?? '')
  })
}

/** A progress line on stderr when it is not a terminal (src/progress.ts): `Label: 12/340 (3%), ...`. */
export const PROGRESS_LINE = /^[^:]+: [\d,]+\/[\d,]+ \(\d+%\)/
