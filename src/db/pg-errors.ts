/** One-line, actionable messages for the database errors an admin meets. */
import {CliError, DatabaseError} from '../errors'
import type {ConnectionSource} from './connection'

interface PgLikeError {
  code?: string
  message?: string
  driverError?: PgLikeError
  address?: string
  port?: number
  hostname?: string
  table?: string
}

export function describePgError(error: unknown, source: ConnectionSource): CliError {
  if (error instanceof CliError) return error
  const e = ((error as PgLikeError)?.driverError ?? error) as PgLikeError
  const where = source.kind === 'embedded' ? `the embedded database ${source.dataDir}` : hostOf(source.url)
  const hint =
    source.kind === 'url' && source.from === 'config'
      ? 'Check the Pleroma.Repo settings of the config file, or pass --database-url.'
      : 'Check --database-url / DATABASE_URL.'
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new DatabaseError(`Cannot connect to PostgreSQL at ${where}: connection refused.`, `Is the server running? ${hint}`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseError(`Cannot connect to PostgreSQL: host ${e.hostname ?? where} not found.`, hint)
    case 'ETIMEDOUT':
      return new DatabaseError(`Cannot connect to PostgreSQL at ${where}: timed out.`, hint)
    case 'CONNECT_TIMEOUT':
      return new DatabaseError(
        `Cannot connect to PostgreSQL at ${where}: ${e.message} (--connect-timeout).`,
        `Is the host and port right, and the server up and reachable? A slow network needs a longer --connect-timeout. ${hint}`,
      )
    case 'ECONNRESET':
      return new DatabaseError(`Cannot connect to PostgreSQL at ${where}: the connection was reset.`, `Is it a PostgreSQL server? ${hint}`)
    case 'ENOENT':
      return new DatabaseError(`Cannot connect to PostgreSQL at ${where}: no socket there.`, hint)
    case '28P01':
    case '28000':
      return new DatabaseError(
        `PostgreSQL at ${where} refused the login: ${e.message}.`,
        `Check the user name and password (PGPASSWORD, ~/.pgpass, or the URL in DATABASE_URL). ${hint}`,
      )
    case '3D000':
      return new DatabaseError(`PostgreSQL at ${where}: ${e.message}.`, `Check the database name. ${hint}`)
    case '42501':
      return new DatabaseError(`PostgreSQL at ${where}: ${e.message}.`, 'Connect as the user that owns the Pleroma database (the one in Pleroma.Repo).')
    case '57P03':
      return new DatabaseError(`PostgreSQL at ${where} is starting up or shutting down.`, 'Try again in a moment.')
    default:
      break
  }
  if (/^Connection terminated/.test(e?.message ?? '')) {
    return new DatabaseError(`Cannot connect to PostgreSQL at ${where}: the server closed the connection (${e.message}).`, `Is it a PostgreSQL server? ${hint}`)
  }
  if (/password authentication|SASL/.test(e?.message ?? '')) {
    return new DatabaseError(`PostgreSQL at ${where} refused the login: ${e.message}.`, hint)
  }
  return error as CliError
}

function hostOf(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname || 'localhost'}:${u.port || 5432}${u.pathname}`
  } catch {
    return 'the configured server'
  }
}
