/**
 * Expected failures and their exit codes (docs/design.md#exit-codes):
 * 0 success; 1 unexpected error or aborted at a prompt; 2 usage error;
 * 3 not found; 4 refused (precondition, invalid value, conflict, old schema);
 * 5 database unreachable or misconfigured; 130 stopped by Ctrl-C (128 + SIGINT,
 * what a shell reports for a program that SIGINT ended).
 */
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  REFUSED: 4,
  DATABASE: 5,
  INTERRUPTED: 130,
} as const

export type ErrorKind = 'error' | 'aborted' | 'usage' | 'not_found' | 'refused' | 'database'

/** What a command prints on stdout under --json when it fails (its exit code is `exitCode`). */
export interface JsonErrorOutput {
  error: {
    code: ErrorKind
    exitCode: number
    /** One line: what was wrong. */
    message: string
    /** What to try. */
    hint?: string
  }
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly kind: ErrorKind,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, 'usage', hint)
  }
}

export class NotFoundError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.NOT_FOUND, 'not_found', hint)
  }
}

export class RefusedError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.REFUSED, 'refused', hint)
  }
}

export class DatabaseError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.DATABASE, 'database', hint)
  }
}

export class AbortedError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.ERROR, 'aborted', hint)
  }
}
