/**
 * Timestamps as Pleroma writes them: UTC, whole seconds, in
 * `timestamp(0) without time zone` columns. We pass them to the database as
 * text ('YYYY-MM-DD HH:MM:SS') so that neither the client's nor the server's
 * time zone can shift them.
 */
export function utcNow(clock: () => number = Date.now): string {
  return toUtcTimestamp(new Date(clock()))
}

export function toUtcTimestamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ')
}

/** Parses a `timestamp without time zone` value as UTC. */
export function parseUtcTimestamp(s: string): Date {
  return new Date(s.replace(' ', 'T') + (s.endsWith('Z') ? '' : 'Z'))
}

/**
 * Now as a Date of whole seconds, for the timestamp columns of entities
 * (TypeORM writes Dates): node-postgres is set to send Dates as UTC
 * (connection.ts), as PGlite does.
 */
export function utcNowDate(clock: () => number = Date.now): Date {
  return new Date(Math.floor(clock() / 1000) * 1000)
}
