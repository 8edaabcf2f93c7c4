/**
 * PostgreSQL's text formats as `COPY ... TO STDOUT` writes them: what
 * user:list needs to stream rows without node-postgres' per-row parsing.
 */

const COPY_ESCAPES: Record<string, string> = {b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v'}

/**
 * A field of COPY's text format as its value: `\N` is NULL; COPY TO writes
 * backslash, newline, carriage return, tab, backspace, form feed and
 * vertical tab as backslash sequences (and octal/hex ones are read too).
 */
export function copyField(raw: string): string | null {
  if (raw === '\\N') return null
  if (!raw.includes('\\')) return raw
  return raw.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/gs, (_, oct: string | undefined, hex: string | undefined, c: string) =>
    oct !== undefined
      ? String.fromCharCode(Number.parseInt(oct, 8))
      : hex !== undefined
        ? String.fromCharCode(Number.parseInt(hex, 16))
        : (COPY_ESCAPES[c] ?? c),
  )
}

/**
 * A one-dimensional array's text form (`{a,"b c",NULL}`) as its elements:
 * quoted elements with their backslash escapes, unquoted NULL as null.
 */
export function parseArrayLiteral(text: string): Array<string | null> {
  if (text.length < 2 || text[0] !== '{' || text[text.length - 1] !== '}') throw new Error(`not an array literal: ${text}`)
  const items: Array<string | null> = []
  let i = 1
  const end = text.length - 1
  while (i < end) {
    if (text[i] === '"') {
      let value = ''
      i++
      while (i < end && text[i] !== '"') {
        if (text[i] === '\\') i++
        value += text[i++]
      }
      i++ // the closing quote
      items.push(value)
    } else {
      let j = i
      while (j < end && text[j] !== ',') j++
      const raw = text.slice(i, j)
      items.push(raw === 'NULL' ? null : raw)
      i = j
    }
    if (text[i] === ',') i++
  }
  return items
}
