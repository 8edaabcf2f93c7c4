/**
 * Progress of long work on stderr: a bar with done/total, rate and ETA when
 * stderr is a terminal, a plain line every few seconds otherwise, nothing
 * under --json.
 */
export interface Progress {
  /** Adds `n` finished units. */
  advance(n: number): void
  /** Ends the display (prints a last line when not on a terminal). */
  done(): void
}

export const NO_PROGRESS: Progress = {advance() {}, done() {}}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?'
  if (s < 60) return `${Math.round(s)} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream
  /** Seconds between lines when not on a terminal (PLEROMA_ADMIN_PROGRESS_INTERVAL, default 5). */
  intervalSeconds?: number
  now?: () => number
}

export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr
  const now = options.now ?? Date.now
  const started = now()
  let value = 0
  if (stream.isTTY) {
    const {SingleBar, Presets} = require('cli-progress') as typeof import('cli-progress')
    const bar = new SingleBar(
      {
        stream,
        format: `${label} [{bar}] {value}/{total} {percentage}% | {rate}/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        formatValue: (v: number, _o: unknown, type: string) => (type === 'value' || type === 'total' ? formatCount(v) : String(v)),
      },
      Presets.shades_classic,
    )
    bar.start(total, 0, {rate: '0'})
    return {
      advance(n) {
        value += n
        const secs = (now() - started) / 1000
        bar.update(value, {rate: secs > 0 ? formatCount(Math.round(value / secs)) : '0'})
      },
      done() {
        bar.stop()
      },
    }
  }
  const envInterval = Number(process.env.PLEROMA_ADMIN_PROGRESS_INTERVAL)
  const interval = (options.intervalSeconds ?? (Number.isFinite(envInterval) && envInterval > 0 ? envInterval : 5)) * 1000
  let lastLine = started
  let printed = 0
  const line = () => {
    printed = value
    const secs = Math.max((now() - started) / 1000, 0.001)
    const rate = value / secs
    const pct = total > 0 ? Math.floor((value / total) * 100) : 100
    const eta = rate > 0 ? (total - value) / rate : Number.POSITIVE_INFINITY
    stream.write(`${label}: ${formatCount(value)}/${formatCount(total)} (${pct}%), ${formatCount(Math.round(rate))}/s, ETA ${formatSeconds(eta)}\n`)
  }
  return {
    advance(n) {
      value += n
      if (value !== printed && now() - lastLine >= interval) {
        lastLine = now()
        line()
      }
    },
    done() {
      if (value !== printed && now() - started >= interval) line()
    },
  }
}
