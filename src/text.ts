/** `1 user`, `2 users`; `many` for irregular plurals (`delivery`/`deliveries`). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/**
 * A string for a terminal: control characters (C0, DEL, C1: newlines,
 * escape sequences, carriage returns) and the invisible bidirectional
 * overrides are shown as `\uXXXX`, so that a name a remote server sent can
 * neither move the cursor, recolour the terminal, nor fake an output line.
 * Everything printed for humans goes through it (BaseCommand's out, note,
 * warning, error lines, user:list's lines); --json output is JSON-escaped.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point: they are escaped
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A sentence: ends with `.`, `!`, `?` or `)` as written, otherwise gets a full stop. */
export function sentence(s: string): string {
  const t = s.trimEnd()
  return t === '' || /[.!?]["')`]?$/.test(t) ? t : `${t.replace(/:$/, '')}.`
}

/**
 * An error as a human reads it: `Error: MESSAGE.` (a full stop added when
 * it has none) and, on its own line, `Hint: HINT` as written (it may end
 * with a command to copy); both printable (see printable()).
 */
export function errorLines(message: string, hint?: string, prefix = 'Error: '): string {
  return `${prefix}${printable(sentence(message))}\n${hint ? `Hint: ${printable(hint)}\n` : ''}`
}
