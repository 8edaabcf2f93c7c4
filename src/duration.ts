/**
 * Durations on the command line (user:prune's rules, user:rm --grace): a
 * whole number and a unit, `30d`, `2y`, `12h`, `90m`, `1s`, `0d`. Units:
 * s, m (minutes), h, d, w (7 days), y (365 days: a fixed length, so that a
 * rule means the same whatever the leap years in between). Pure: loaded by
 * the commands themselves, outside the runtime bundle.
 */
import {RefusedError} from './errors'

const UNITS: Record<string, number> = {s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400}

/** A parsed duration: its text as given and its length in seconds. */
export interface Duration {
  text: string
  seconds: number
}

/** `30d` → {text: '30d', seconds: 2592000}; anything else is refused (exit 4) naming the flag. */
export function parseDuration(raw: string, flag: string): Duration {
  const m = /^(\d{1,9})([smhdwy])$/.exec(raw.trim())
  if (!m) {
    throw new RefusedError(
      `${flag} takes a duration such as 30d, 12h or 2y, not "${raw}".`,
      'A whole number and one unit: s (seconds), m (minutes), h (hours), d (days), w (weeks), y (365 days).',
    )
  }
  return {text: `${m[1]}${m[2]}`, seconds: Number(m[1]) * UNITS[m[2]]}
}

/** The UTC timestamp (`YYYY-MM-DD HH:MM:SS`) that lies `d` before (negative: after) `now`. */
export function before(now: Date, d: Duration): string {
  return new Date(now.getTime() - d.seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')
}
