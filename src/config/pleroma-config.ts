/**
 * Reads the database and instance settings out of a Pleroma/Akkoma Elixir
 * config file (`/etc/pleroma/config.exs`, `config/prod.secret.exs`, ...)
 * without running Elixir.
 *
 * The file is tokenized and parsed as the subset of Elixir that config files
 * use: literals, atoms, aliases, keyword lists, lists/tuples/maps/binaries,
 * sigils, heredocs, calls with and without parentheses, do/end blocks and
 * binary operators. Only literal values are understood; anything that would
 * have to be evaluated (`System.get_env/1`, variables, string interpolation,
 * operators, ...) is reported in `unsupported` instead of being guessed.
 *
 * Top-level `config` calls are merged the way `Config.config/2,3` does
 * (keyword lists are deep-merged, later values win). `config` calls nested in
 * blocks (`if ... do`) and `import_config` are not followed but reported.
 */
import * as fs from 'node:fs'

export interface PleromaRepoConfig {
  username?: string
  password?: string
  database?: string
  hostname?: string
  port?: number
  socketDir?: string
  url?: string
}

export interface PleromaConfig {
  repo: PleromaRepoConfig
  instanceUrl?: string
  /** Human-readable notes about settings that were found but could not be used. */
  unsupported: string[]
}

export class PleromaConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PleromaConfigError'
  }
}

const REPO_HINT = 'not supported; set DATABASE_URL or pass --database-url instead'
const ENDPOINT_HINT = 'not supported; the instance URL is left undefined'

// ---------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------

class Locator {
  private readonly lineStarts: number[] = [0]

  constructor(
    src: string,
    readonly fileName: string,
  ) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1)
  }

  line(offset: number): number {
    let lo = 0
    let hi = this.lineStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.lineStarts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }

  column(offset: number): number {
    return offset - this.lineStarts[this.line(offset) - 1] + 1
  }

  where(offset: number): string {
    return `${this.fileName}:${this.line(offset)}:${this.column(offset)}`
  }
}

/** Internal: a syntax error at a position; turned into PleromaConfigError or skipped. */
class SyntaxProblem extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason)
  }
}

// ---------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------

type TokenType =
  | 'nl' // newline or ';'
  | 'str' // "..." or """...""" (text = decoded value)
  | 'charlist' // '...' or '''...'''
  | 'sigil'
  | 'int'
  | 'float'
  | 'atom' // text = atom name
  | 'kw' // keyword key `name:` / `"name":` (text = key)
  | 'ident'
  | 'alias' // Foo.Bar.Baz (text = dotted name)
  | 'op'
  | 'punc' // ( ) [ ] { } << >> ,
  | 'eof'

interface Token {
  type: TokenType
  text: string
  /** string/atom/key contains #{...} interpolation */
  interp: boolean
  start: number
  end: number
  spaceBefore: boolean
}

// Longest first.
const OPERATORS = [
  '..//',
  '===',
  '!==',
  '<<<',
  '>>>',
  '|||',
  '&&&',
  '^^^',
  '~~~',
  '<~>',
  '<|>',
  '+++',
  '---',
  '<<~',
  '~>>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '//',
  '|>',
  '<>',
  '++',
  '--',
  '..',
  '->',
  '=>',
  '<-',
  '::',
  '\\\\',
  '=~',
  '~>',
  '<~',
  '**',
  '+',
  '-',
  '*',
  '/',
  '=',
  '<',
  '>',
  '|',
  '!',
  '^',
  '&',
  '@',
  '.',
  '%',
]

const SIGIL_CLOSERS: Record<string, string> = {
  '/': '/',
  '|': '|',
  '"': '"',
  "'": "'",
  '(': ')',
  '[': ']',
  '{': '}',
  '<': '>',
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isUpper = (c: string | undefined): boolean => c !== undefined && c >= 'A' && c <= 'Z'
const isIdentStart = (c: string | undefined): boolean => c !== undefined && !isUpper(c) && /[_\p{L}]/u.test(c)
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[_\p{L}\p{N}]/u.test(c)
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0'

/** Decodes the escapes of a double-quoted Elixir string body. */
function unescape(raw: string): string {
  let out = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c
      continue
    }
    const n = raw[++i]
    switch (n) {
      case 'n':
        out += '\n'
        break
      case 't':
        out += '\t'
        break
      case 'r':
        out += '\r'
        break
      case 's':
        out += ' '
        break
      case 'e':
        out += '\x1b'
        break
      case '0':
        out += '\0'
        break
      case 'a':
        out += '\x07'
        break
      case 'b':
        out += '\b'
        break
      case 'd':
        out += '\x7f'
        break
      case 'f':
        out += '\f'
        break
      case 'v':
        out += '\v'
        break
      case '\n':
        break // line continuation
      case '\r':
        if (raw[i + 1] === '\n') i++
        break
      case 'x':
      case 'u': {
        let hex: string
        if (raw[i + 1] === '{') {
          const close = raw.indexOf('}', i + 2)
          hex = close < 0 ? '' : raw.slice(i + 2, close)
          i = close < 0 ? i : close
        } else {
          const m = (n === 'x' ? /^[0-9a-fA-F]{1,2}/ : /^[0-9a-fA-F]{4}/).exec(raw.slice(i + 1))
          hex = m ? m[0] : ''
          i += hex.length
        }
        const code = parseInt(hex, 16)
        out += Number.isNaN(code) || code > 0x10ffff ? n : String.fromCodePoint(code)
        break
      }
      default:
        out += n // \" \\ \# \' and unknown escapes stand for the character itself
    }
  }
  return out
}

class Lexer {
  private pos = 0

  constructor(
    private readonly src: string,
    private readonly loc: Locator,
  ) {}

  tokenize(): Token[] {
    const out: Token[] = []
    for (;;) {
      const t = this.next()
      if (t.type === 'nl' && (out.length === 0 || out[out.length - 1].type === 'nl')) continue
      out.push(t)
      if (t.type === 'eof') return out
    }
  }

  private fail(reason: string, offset: number): never {
    throw new PleromaConfigError(`${this.loc.where(offset)}: ${reason}`)
  }

  private tok(type: TokenType, start: number, spaceBefore: boolean, text?: string, interp = false): Token {
    return {type, text: text ?? this.src.slice(start, this.pos), interp, start, end: this.pos, spaceBefore}
  }

  next(): Token {
    const src = this.src
    let space = false
    for (;;) {
      const c = src[this.pos]
      if (isSpace(c)) {
        this.pos++
        space = true
      } else if (c === '\\' && (src[this.pos + 1] === '\n' || src.startsWith('\r\n', this.pos + 1))) {
        this.pos += src[this.pos + 1] === '\n' ? 2 : 3
        space = true
      } else if (c === '#') {
        while (this.pos < src.length && src[this.pos] !== '\n') this.pos++
        space = true
      } else break
    }
    const start = this.pos
    if (start >= src.length) return this.tok('eof', start, space, '')
    const c = src[start]
    const c1 = src[start + 1]

    if (c === '\n' || c === ';') {
      this.pos++
      return this.tok('nl', start, space)
    }

    if (c === '"' || c === "'") {
      const triple = src.startsWith(c + c + c, start)
      const r = triple ? this.scanHeredoc(start, c, true, true) : this.scanQuoted(start, c, c, true, true)
      this.pos = r.end
      if (!triple && src[this.pos] === ':' && src[this.pos + 1] !== ':' && (this.pos + 1 >= src.length || /\s/.test(src[this.pos + 1]))) {
        this.pos++
        return this.tok('kw', start, space, r.value, r.interp)
      }
      return this.tok(c === '"' ? 'str' : 'charlist', start, space, r.value, r.interp)
    }

    if (c === '~' && c1 !== undefined && /[a-zA-Z]/.test(c1)) {
      this.scanSigil(start)
      return this.tok('sigil', start, space)
    }

    if (c === ':') {
      if (c1 === ':') {
        this.pos += 2
        return this.tok('op', start, space)
      }
      if (c1 === '"' || c1 === "'") {
        const r = this.scanQuoted(start + 1, c1, c1, true, true)
        this.pos = r.end
        return this.tok('atom', start, space, r.value, r.interp)
      }
      if (isIdentStart(c1) || isUpper(c1)) {
        let i = start + 2
        while (isIdentChar(src[i]) || src[i] === '@') i++
        if ((src[i] === '?' || src[i] === '!') && src[i + 1] !== '=') i++
        this.pos = i
        return this.tok('atom', start, space, src.slice(start + 1, i))
      }
      for (const special of ['%{}', '{}', '<<>>', '[]', '...']) {
        if (src.startsWith(special, start + 1)) {
          this.pos = start + 1 + special.length
          return this.tok('atom', start, space, special)
        }
      }
      const op = OPERATORS.find((o) => src.startsWith(o, start + 1))
      if (op) {
        this.pos = start + 1 + op.length
        return this.tok('atom', start, space, op)
      }
      this.pos++
      return this.tok('op', start, space)
    }

    if (isDigit(c)) return this.scanNumber(start, space)

    if (c === '?' && c1 !== undefined) {
      // character literal ?a, ?\n
      this.pos = start + 1
      if (c1 === '\\') this.pos += 2
      else this.pos += String.fromCodePoint(src.codePointAt(start + 1) ?? 0).length
      return this.tok('int', start, space)
    }

    if (isIdentStart(c) || isUpper(c)) {
      let i = start + 1
      while (isIdentChar(src[i])) i++
      const upper = isUpper(c)
      if (!upper && (src[i] === '?' || src[i] === '!') && src[i + 1] !== '=') i++
      if (src[i] === ':' && src[i + 1] !== ':' && (i + 1 >= src.length || /\s/.test(src[i + 1]))) {
        this.pos = i + 1
        return this.tok('kw', start, space, src.slice(start, i))
      }
      if (upper) {
        // Foo.Bar.Baz is one alias token
        while (src[i] === '.' && isUpper(src[i + 1])) {
          i += 2
          while (isIdentChar(src[i])) i++
        }
      }
      this.pos = i
      return this.tok(upper ? 'alias' : 'ident', start, space)
    }

    if ('()[]{},'.includes(c)) {
      this.pos++
      return this.tok('punc', start, space)
    }
    if ((c === '<' && c1 === '<' && src[start + 2] !== '<' && src[start + 2] !== '~') || (c === '>' && c1 === '>' && src[start + 2] !== '>')) {
      this.pos += 2
      return this.tok('punc', start, space)
    }
    const op = OPERATORS.find((o) => src.startsWith(o, start))
    if (op) {
      this.pos += op.length
      return this.tok('op', start, space)
    }
    return this.fail(`unexpected character ${JSON.stringify(c)}`, start)
  }

  private scanNumber(start: number, space: boolean): Token {
    const src = this.src
    const rest = src.slice(start, start + 200)
    const based = /^0(?:x[0-9a-fA-F_]+|b[01_]+|o[0-7_]+)/.exec(rest)
    if (based) {
      this.pos = start + based[0].length
      const digits = based[0].slice(2).replace(/_/g, '')
      const radix = based[0][1] === 'x' ? 16 : based[0][1] === 'b' ? 2 : 8
      return this.tok('int', start, space, String(parseInt(digits, radix)))
    }
    const m = /^[0-9][0-9_]*(\.[0-9][0-9_]*([eE][+-]?[0-9]+)?)?/.exec(rest)!
    this.pos = start + m[0].length
    return this.tok(m[1] ? 'float' : 'int', start, space, m[0].replace(/_/g, ''))
  }

  /** Skips the Elixir code of an interpolation, from just after `#{` to just after the matching `}`. */
  private skipInterpolation(from: number, stringStart: number): number {
    const saved = this.pos
    this.pos = from
    let depth = 0
    for (;;) {
      const t = this.next()
      if (t.type === 'eof') this.fail('unterminated interpolation #{...}', stringStart)
      if (t.type === 'punc' && t.text === '{') depth++
      if (t.type === 'punc' && t.text === '}') {
        if (depth === 0) break
        depth--
      }
    }
    const end = this.pos
    this.pos = saved
    return end
  }

  /** A single-line-delimited string, charlist, quoted atom or sigil body starting at `start` (the opening delimiter). */
  private scanQuoted(start: number, open: string, close: string, escapes: boolean, interpolation: boolean): {value: string; interp: boolean; end: number} {
    const src = this.src
    let i = start + 1
    let interp = false
    for (;;) {
      if (i >= src.length) {
        const what = open === '"' ? 'string' : open === "'" ? 'charlist' : 'sigil'
        return this.fail(`unterminated ${what} (missing closing ${close})`, start)
      }
      const ch = src[i]
      if (ch === close) break
      if (ch === '\\') {
        if (escapes || src[i + 1] === close) {
          i += 2
          continue
        }
      } else if (interpolation && ch === '#' && src[i + 1] === '{') {
        interp = true
        i = this.skipInterpolation(i + 2, start)
        continue
      }
      i++
    }
    const raw = src.slice(start + 1, i)
    return {value: escapes ? unescape(raw) : raw, interp, end: i + 1}
  }

  /** """ / ''' heredoc starting at `start`; the closing delimiter must begin its own line. */
  private scanHeredoc(start: number, q: string, escapes: boolean, interpolation: boolean): {value: string; interp: boolean; end: number} {
    const src = this.src
    const delim = q + q + q
    let i = start + 3
    while (src[i] === ' ' || src[i] === '\t') i++
    if (src[i] === '\r') i++
    if (src[i] !== '\n') this.fail(`heredoc opening ${delim} must be followed by a new line`, start)
    i++
    const bodyStart = i
    let interp = false
    for (;;) {
      let j = i
      while (src[j] === ' ' || src[j] === '\t') j++
      if (src.startsWith(delim, j)) {
        const indent = j - i
        const raw = src
          .slice(bodyStart, i)
          .split('\n')
          .map((line) => line.replace(new RegExp(`^[ \\t]{0,${indent}}`), ''))
          .join('\n')
        return {value: escapes ? unescape(raw) : raw, interp, end: j + 3}
      }
      while (i < src.length && src[i] !== '\n') {
        if (escapes && src[i] === '\\') i += 2
        else if (interpolation && src[i] === '#' && src[i + 1] === '{') {
          interp = true
          i = this.skipInterpolation(i + 2, start)
        } else i++
      }
      if (i >= src.length) return this.fail(`unterminated heredoc (missing closing ${delim})`, start)
      i++
    }
  }

  private scanSigil(start: number): void {
    const src = this.src
    let i = start + 1
    const lower = !isUpper(src[i])
    if (lower) i++
    else while (isUpper(src[i]) || isDigit(src[i])) i++
    const open = src[i]
    if ((open === '"' || open === "'") && src.startsWith(open + open + open, i)) {
      i = this.scanHeredoc(i, open, lower, lower).end
    } else {
      const close = open === undefined ? undefined : SIGIL_CLOSERS[open]
      if (close === undefined) this.fail(`unsupported sigil delimiter ${JSON.stringify(open ?? '')}`, start)
      i = this.scanQuoted(i, open, close, lower, lower).end
    }
    while (i < src.length && /[a-zA-Z0-9]/.test(src[i])) i++ // modifiers
    this.pos = i
  }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

interface Span {
  s: number
  e: number
}
type Node = Span &
  (
    | {k: 'str'; v: string}
    | {k: 'int'; v: number}
    | {k: 'atom'; v: string}
    | {k: 'bool'; v: boolean}
    | {k: 'nil'}
    | {k: 'alias'; v: string}
    | {k: 'ident'; v: string}
    | {k: 'list'; items: Node[]}
    | {k: 'pair'; key: string; value: Node}
    | {k: 'kwlist'; pairs: Node[]} // bare `a: 1, b: 2` (only while parsing)
    | {k: 'call'; name: string; args: Node[]; depth: number; root: boolean}
    | {k: 'other'}
  )
type PairNode = Extract<Node, {k: 'pair'}>
type CallNode = Extract<Node, {k: 'call'}>
type KeywordNode = Span & {k: 'list'; items: PairNode[]}

interface Ctx {
  /** newlines end the expression (top level and do-blocks) */
  nl: boolean
  /** a do-block belongs to an enclosing paren-less call */
  noDo: boolean
}
const STMT: Ctx = {nl: true, noDo: false}
const INNER: Ctx = {nl: false, noDo: false}

const RESERVED = new Set(['do', 'end', 'else', 'after', 'catch', 'rescue', 'when', 'and', 'or', 'in', 'fn', 'true', 'false', 'nil', 'not'])
const BLOCK_SEPARATORS = new Set(['else', 'after', 'catch', 'rescue'])
const UNARY_OPS = new Set(['-', '+', '!', '^', '@', '&', '~~~'])
const BINARY_WORDS = new Set(['and', 'or', 'when', 'in'])
const NOT_BINARY_OPS = new Set(['!', '^', '@', '&', '~~~', '%', '.', ':'])
/** Operators that may start a line and continue the expression of the previous line. */
const CONTINUATION_OPS = new Set([
  '|>',
  '<>',
  '++',
  '--',
  '||',
  '&&',
  '|||',
  '&&&',
  '==',
  '!=',
  '===',
  '!==',
  '=~',
  '<=',
  '>=',
  '<',
  '>',
  '*',
  '/',
  '//',
  '**',
  '..',
  '\\\\',
  '::',
  '=',
  '|',
  '=>',
  '<-',
  '+++',
  '---',
  '~>',
  '<~',
  '~>>',
  '<<~',
  '<~>',
  '<|>',
  '<<<',
  '>>>',
  '^^^',
])

class Parser {
  private i = 0
  private depth = 0
  readonly calls: CallNode[] = []

  constructor(
    private readonly toks: Token[],
    private readonly loc: Locator,
  ) {}

  private peek(): Token {
    return this.toks[this.i]
  }

  private next(): Token {
    const t = this.toks[this.i]
    if (t.type !== 'eof') this.i++
    return t
  }

  private skipNl(): void {
    while (this.toks[this.i].type === 'nl') this.i++
  }

  private prevEnd(): number {
    let j = this.i - 1
    while (j > 0 && this.toks[j].type === 'nl') j--
    return this.toks[Math.max(j, 0)].end
  }

  private is(t: Token, type: TokenType, text?: string): boolean {
    return t.type === type && (text === undefined || t.text === text)
  }

  private describe(t: Token): string {
    switch (t.type) {
      case 'eof':
        return 'end of file'
      case 'nl':
        return 'end of line'
      case 'str':
        return 'string'
      case 'charlist':
        return 'charlist'
      case 'sigil':
        return 'sigil'
      case 'kw':
        return `keyword ${t.text}:`
      default:
        return `'${t.text}'`
    }
  }

  private fail(reason: string, t: Token = this.peek()): never {
    throw new SyntaxProblem(reason, t.start)
  }

  // --- statements -----------------------------------------------------------

  /**
   * Parses the program. A statement the parser cannot follow is skipped up to
   * the next `config` at the start of a line, unless it touches a section we
   * need (then PleromaConfigError).
   */
  parseProgram(onSkip: (problem: SyntaxProblem) => void): Node[] {
    const statements: Node[] = []
    for (;;) {
      this.skipNl()
      if (this.peek().type === 'eof') return statements
      const first = this.i
      const callCount = this.calls.length
      try {
        const n = this.parseExpr(STMT)
        const t = this.peek()
        if (t.type !== 'nl' && t.type !== 'eof') this.fail(`unexpected ${this.describe(t)}`)
        if (n.k === 'call') n.root = true
        statements.push(n)
      } catch (err) {
        if (!(err instanceof SyntaxProblem)) throw err
        this.depth = 0
        this.calls.length = callCount
        const failedAt = Math.max(this.i, first + 1)
        let resume = failedAt
        while (!this.isStatementStart(resume)) resume++
        for (let j = first; j < resume; j++) if (this.relevantConfigAt(j)) throw err
        onSkip(err)
        this.i = resume
      }
    }
  }

  /** A `config` identifier at column 1, or end of file: where to resume after a syntax problem. */
  private isStatementStart(j: number): boolean {
    const t = this.toks[j]
    if (t.type === 'eof') return true
    return this.is(t, 'ident', 'config') && this.loc.column(t.start) === 1 && this.toks[j - 1]?.type === 'nl'
  }

  /** `config :pleroma, Pleroma.Repo` / `Pleroma.Web.Endpoint` starts at token j. */
  private relevantConfigAt(j: number): boolean {
    const t = this.toks
    if (!this.is(t[j], 'ident', 'config')) return false
    let k = j + 1
    if (this.is(t[k], 'punc', '(')) k++
    return this.is(t[k], 'atom', 'pleroma') && this.is(t[k + 1], 'punc', ',') && t[k + 2]?.type === 'alias' && RELEVANT_KEYS.has(canonicalAlias(t[k + 2].text))
  }

  // --- expressions ----------------------------------------------------------

  private parseExpr(ctx: Ctx): Node {
    let left = this.parseUnary(ctx)
    for (;;) {
      if (!ctx.nl) this.skipNl()
      let t = this.peek()
      if (t.type === 'nl') {
        let j = this.i
        while (this.toks[j].type === 'nl') j++
        const u = this.toks[j]
        if (u.type === 'op' && CONTINUATION_OPS.has(u.text)) {
          this.i = j
          t = u
        } else break
      }
      if (t.type === 'op' && !NOT_BINARY_OPS.has(t.text)) {
        this.i++
      } else if (t.type === 'ident' && BINARY_WORDS.has(t.text)) {
        this.i++
      } else if (this.is(t, 'ident', 'not') && this.is(this.toks[this.i + 1], 'ident', 'in')) {
        this.i += 2
      } else break
      this.skipNl()
      const right = this.parseUnary(ctx)
      left = {k: 'other', s: left.s, e: right.e}
    }
    return left
  }

  private parseUnary(ctx: Ctx): Node {
    const t = this.peek()
    if ((t.type === 'op' && UNARY_OPS.has(t.text)) || this.is(t, 'ident', 'not')) {
      this.i++
      const operand = this.parseUnary(ctx)
      return {k: 'other', s: t.start, e: operand.e}
    }
    return this.parsePostfix(this.parsePrimary(ctx), ctx)
  }

  private parsePrimary(ctx: Ctx): Node {
    const t = this.next()
    const span = {s: t.start, e: t.end}
    switch (t.type) {
      case 'str':
        return t.interp ? {k: 'other', ...span} : {k: 'str', v: t.text, ...span}
      case 'int':
        return /^[0-9]+$/.test(t.text) ? {k: 'int', v: Number(t.text), ...span} : {k: 'other', ...span}
      case 'atom':
        return t.interp ? {k: 'other', ...span} : {k: 'atom', v: t.text, ...span}
      case 'alias':
        return {k: 'alias', v: t.text, ...span}
      case 'float':
      case 'charlist':
      case 'sigil':
        return {k: 'other', ...span}
      case 'kw':
        this.i--
        return this.parseBareKeywords(ctx)
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return {k: 'bool', v: t.text === 'true', ...span}
        if (t.text === 'nil') return {k: 'nil', ...span}
        if (t.text === 'fn') return this.skipFn(t)
        if (RESERVED.has(t.text)) return this.fail(`unexpected ${this.describe(t)}`, t)
        return {k: 'ident', v: t.text, ...span}
      case 'punc':
        if (t.text === '[') return {k: 'list', items: this.parseSeq(']'), s: t.start, e: this.prevEnd()}
        if (t.text === '{') {
          this.parseSeq('}')
          return {k: 'other', s: t.start, e: this.prevEnd()}
        }
        if (t.text === '<<') {
          this.parseSeq('>>')
          return {k: 'other', s: t.start, e: this.prevEnd()}
        }
        if (t.text === '(') {
          this.parseBlock(')')
          return {k: 'other', s: t.start, e: this.prevEnd()}
        }
        break
      case 'op':
        if (t.text === '%') {
          // %{...} or %Struct{...}
          if (!this.is(this.peek(), 'punc', '{')) {
            if (this.is(this.peek(), 'op', '@')) this.i++
            const name = this.next()
            if (name.type !== 'alias' && name.type !== 'ident') this.fail(`unexpected ${this.describe(name)} after %`, name)
          }
          if (!this.is(this.next(), 'punc', '{')) this.fail("expected '{' after %", this.toks[this.i - 1])
          this.parseSeq('}')
          return {k: 'other', s: t.start, e: this.prevEnd()}
        }
        break
    }
    return this.fail(`unexpected ${this.describe(t)}`, t)
  }

  /** `a: 1, b: 2` without brackets (keyword list at the end of a list or of call arguments). */
  private parseBareKeywords(ctx: Ctx): Node {
    const pairs: Node[] = []
    const s = this.peek().start
    for (;;) {
      const key = this.next()
      this.skipNl()
      const value = this.parseExpr(ctx)
      pairs.push({k: 'pair', key: key.interp ? '' : key.text, value, s: key.start, e: value.e})
      const saved = this.i
      if (!ctx.nl) this.skipNl()
      if (this.is(this.peek(), 'punc', ',')) {
        this.i++
        this.skipNl()
        if (this.peek().type === 'kw') continue
      }
      this.i = saved
      break
    }
    return {k: 'kwlist', pairs, s, e: pairs[pairs.length - 1].e}
  }

  /** Comma-separated items up to `closer` (the opener is consumed); keyword pairs are spliced in. */
  private parseSeq(closer: string): Node[] {
    const items: Node[] = []
    for (;;) {
      this.skipNl()
      if (this.is(this.peek(), 'punc', closer)) {
        this.i++
        return items
      }
      const item = this.parseExpr(INNER)
      if (item.k === 'kwlist') items.push(...item.pairs)
      else items.push(item)
      this.skipNl()
      const t = this.next()
      if (this.is(t, 'punc', closer)) return items
      if (!this.is(t, 'punc', ',')) this.fail(`expected ',' or '${closer}' but found ${this.describe(t)}`, t)
    }
  }

  /** Statements up to `closer` (a parenthesized block). */
  private parseBlock(closer: string): void {
    for (;;) {
      this.skipNl()
      if (this.is(this.peek(), 'punc', closer)) {
        this.i++
        return
      }
      this.parseExpr(STMT)
      const t = this.peek()
      if (t.type !== 'nl' && !this.is(t, 'punc', closer)) this.fail(`unexpected ${this.describe(t)}`)
    }
  }

  /** `do ... end`, with else/after/rescue/catch sections. */
  private parseDoBlock(): void {
    const open = this.next() // do
    this.depth++
    for (;;) {
      this.skipNl()
      const t = this.peek()
      if (this.is(t, 'ident', 'end')) {
        this.i++
        break
      }
      if (t.type === 'ident' && BLOCK_SEPARATORS.has(t.text)) {
        this.i++
        continue
      }
      if (t.type === 'eof') this.fail(`missing 'end' for the 'do' at line ${this.loc.line(open.start)}`, open)
      this.parseExpr(STMT)
      const u = this.peek()
      if (u.type !== 'nl' && !this.is(u, 'ident', 'end') && !(u.type === 'ident' && BLOCK_SEPARATORS.has(u.text))) {
        this.fail(`unexpected ${this.describe(u)}`)
      }
    }
    this.depth--
  }

  /** `fn ... end`: skipped by balancing fn/do with end. */
  private skipFn(open: Token): Node {
    let depth = 1
    for (;;) {
      const t = this.next()
      if (t.type === 'eof') this.fail(`missing 'end' for the 'fn' at line ${this.loc.line(open.start)}`, open)
      if (t.type === 'ident' && (t.text === 'fn' || t.text === 'do')) depth++
      else if (this.is(t, 'ident', 'end') && --depth === 0) return {k: 'other', s: open.start, e: t.end}
    }
  }

  /** Can token t begin the first argument of a call without parentheses (`foo arg`)? */
  private startsArgument(t: Token): boolean {
    if (!t.spaceBefore) return false
    switch (t.type) {
      case 'str':
      case 'charlist':
      case 'sigil':
      case 'int':
      case 'float':
      case 'atom':
      case 'kw':
      case 'alias':
        return true
      case 'ident':
        return !RESERVED.has(t.text) || ['fn', 'true', 'false', 'nil', 'not'].includes(t.text)
      case 'punc':
        return ['[', '{', '<<', '('].includes(t.text)
      case 'op':
        if (t.text === '-' || t.text === '+') return !this.toks[this.i + 1].spaceBefore
        return ['%', '@', '&', '!', '^'].includes(t.text)
      default:
        return false
    }
  }

  /**
   * After a local name (`name`) or a remote `Mod.fun` (`name` undefined): the
   * arguments in parentheses or without them, and a trailing do-block. Without
   * any of these the name is a variable (or a field access).
   */
  private parseCallRest(name: string | undefined, s: number, ctx: Ctx): Node {
    let args: Node[] = []
    const t = this.peek()
    const takesBlock = (): boolean => !ctx.noDo && this.is(this.peek(), 'ident', 'do')
    if (this.is(t, 'punc', '(') && !t.spaceBefore) {
      this.i++
      args = groupTrailingPairs(this.parseSeq(')'))
    } else if (this.startsArgument(t)) {
      for (;;) {
        const a = this.parseExpr({nl: ctx.nl, noDo: true})
        args.push(a.k === 'kwlist' ? {k: 'list', items: a.pairs, s: a.s, e: a.e} : a)
        if (!this.is(this.peek(), 'punc', ',')) break
        this.i++
        this.skipNl()
      }
    } else if (!takesBlock()) {
      return name === undefined ? {k: 'other', s, e: this.prevEnd()} : {k: 'ident', v: name, s, e: this.prevEnd()}
    }
    if (takesBlock()) this.parseDoBlock()
    if (name === undefined) return {k: 'other', s, e: this.prevEnd()}
    const call: CallNode = {k: 'call', name, args, depth: this.depth, root: false, s, e: this.prevEnd()}
    if (name === 'config' || name === 'import_config') this.calls.push(call)
    return call
  }

  private parsePostfix(node: Node, ctx: Ctx): Node {
    if (node.k === 'ident') node = this.parseCallRest(node.v, node.s, ctx)
    for (;;) {
      const t = this.peek()
      if (this.is(t, 'op', '.')) {
        this.i++
        this.skipNl()
        const u = this.next()
        if (u.type === 'ident' || u.type === 'str') {
          node = this.parseCallRest(undefined, node.s, ctx) // remote call Mod.fun(...) / Mod.fun arg / map.field
        } else if (u.type === 'alias' || u.type === 'atom') {
          node = {k: 'other', s: node.s, e: u.end}
        } else if (this.is(u, 'punc', '(')) {
          this.parseSeq(')')
          node = {k: 'other', s: node.s, e: this.prevEnd()}
        } else if (this.is(u, 'punc', '{')) {
          this.parseSeq('}')
          node = {k: 'other', s: node.s, e: this.prevEnd()}
        } else return this.fail(`unexpected ${this.describe(u)} after '.'`, u)
      } else if (this.is(t, 'punc', '(') && !t.spaceBefore && node.k !== 'str' && node.k !== 'int') {
        this.i++
        this.parseSeq(')')
        node = {k: 'other', s: node.s, e: this.prevEnd()}
      } else if (this.is(t, 'punc', '[') && !t.spaceBefore) {
        this.i++
        this.parseSeq(']') // access: foo[:bar]
        node = {k: 'other', s: node.s, e: this.prevEnd()}
      } else return node
    }
  }
}

/** Call arguments in parentheses: trailing `k: v` pairs form one keyword list argument. */
function groupTrailingPairs(args: Node[]): Node[] {
  const firstPair = args.findIndex((a) => a.k === 'pair')
  if (firstPair < 0) return args
  const pairs = args.slice(firstPair)
  return [...args.slice(0, firstPair), {k: 'list', items: pairs, s: pairs[0].s, e: pairs[pairs.length - 1].e}]
}

// ---------------------------------------------------------------------------
// Config evaluation (Config.config/2,3 merge semantics, literals only)
// ---------------------------------------------------------------------------

const REPO_KEY = 'Elixir.Pleroma.Repo'
const ENDPOINT_KEY = 'Elixir.Pleroma.Web.Endpoint'
const RELEVANT_KEYS = new Set([REPO_KEY, ENDPOINT_KEY])

function canonicalAlias(name: string): string {
  return name.startsWith('Elixir.') ? name : `Elixir.${name}`
}

function displayKey(key: string): string {
  return key.startsWith('Elixir.') ? key.slice('Elixir.'.length) : `:${key}`
}

/** Atom name of a config key (`:instance` → "instance", `Pleroma.Repo` → "Elixir.Pleroma.Repo"). */
function keyOf(n: Node): string | undefined {
  if (n.k === 'atom') return n.v
  if (n.k === 'alias') return canonicalAlias(n.v)
  if (n.k === 'bool') return String(n.v)
  if (n.k === 'nil') return 'nil'
  return undefined
}

function isKeyword(n: Node): n is KeywordNode {
  return n.k === 'list' && n.items.every((item) => item.k === 'pair')
}

function lookup(kw: Node, key: string): Node | undefined {
  if (!isKeyword(kw)) return undefined
  return kw.items.find((p) => p.key === key)?.value
}

/** Config's deep merge: keyword lists are merged key by key (recursively), anything else is replaced. */
function deepMerge(a: Node | undefined, b: Node): Node {
  if (a === undefined || !isKeyword(a) || !isKeyword(b)) return b
  const newKeys = new Set(b.items.map((p) => p.key))
  const items: PairNode[] = a.items.filter((p) => !newKeys.has(p.key))
  for (const p of b.items) {
    const old = a.items.find((q) => q.key === p.key)
    items.push(old === undefined ? p : {...p, value: deepMerge(old.value, p.value)})
  }
  return {k: 'list', items, s: b.s, e: b.e}
}

function applyConfig(store: Map<string, Map<string, Node>>, call: CallNode, note: (msg: string) => void, where: string): void {
  const [appNode, second, third] = call.args
  const app = appNode === undefined ? undefined : keyOf(appNode)
  if (app === undefined || call.args.length < 2 || call.args.length > 3) return
  let entries: Array<[string, Node]>
  if (call.args.length === 3) {
    const key = keyOf(second)
    if (key === undefined) return
    entries = [[key, third]]
  } else {
    if (!isKeyword(second)) return
    entries = second.items.map((p) => [p.key, p.value])
  }
  let root = store.get(app)
  if (root === undefined) store.set(app, (root = new Map<string, Node>()))
  for (const [key, value] of entries) {
    if (app === 'pleroma' && RELEVANT_KEYS.has(key) && !isKeyword(value) && value.k !== 'nil') {
      const hint = key === REPO_KEY ? REPO_HINT : ENDPOINT_HINT
      note(`config :pleroma, ${displayKey(key)} at ${where} is not a literal keyword list: ${hint}`)
      root.delete(key)
      continue
    }
    root.set(key, deepMerge(root.get(key), value))
  }
}

class Extractor {
  constructor(
    private readonly src: string,
    private readonly notes: string[],
  ) {}

  text(n: Node): string {
    const t = this.src.slice(n.s, n.e).replace(/\s+/g, ' ').trim()
    return t.length > 120 ? `${t.slice(0, 117)}...` : t
  }

  /** A string setting; nil or absent → undefined; anything else → note. */
  string(kw: Node, key: string, label: string, hint: string): string | undefined {
    const n = lookup(kw, key)
    if (n === undefined || n.k === 'nil') return undefined
    if (n.k === 'str') return n.v
    this.notes.push(`${label} ${key} is ${this.text(n)}: ${hint}`)
    return undefined
  }

  port(kw: Node, key: string, label: string, hint: string): number | undefined {
    const n = lookup(kw, key)
    if (n === undefined || n.k === 'nil') return undefined
    const value = n.k === 'int' ? n.v : n.k === 'str' && /^\s*[0-9]+\s*$/.test(n.v) ? Number(n.v) : undefined
    if (value !== undefined && value >= 1 && value <= 65535) return value
    this.notes.push(`${label} ${key} is ${this.text(n)}: ${hint}`)
    return undefined
  }

  repo(kw: Node | undefined): PleromaRepoConfig {
    const repo: PleromaRepoConfig = {}
    if (kw === undefined || !isKeyword(kw)) return repo
    const label = 'Pleroma.Repo'
    const set = <K extends keyof PleromaRepoConfig>(key: K, value: PleromaRepoConfig[K] | undefined): void => {
      if (value !== undefined) repo[key] = value
    }
    set('username', this.string(kw, 'username', label, REPO_HINT))
    set('password', this.string(kw, 'password', label, REPO_HINT))
    set('database', this.string(kw, 'database', label, REPO_HINT))
    set('hostname', this.string(kw, 'hostname', label, REPO_HINT))
    set('port', this.port(kw, 'port', label, REPO_HINT))
    set('socketDir', this.string(kw, 'socket_dir', label, REPO_HINT))
    // Postgrex: `socket` is the socket file itself and wins over socket_dir/hostname/port.
    const socket = this.string(kw, 'socket', label, REPO_HINT)
    if (socket !== undefined) {
      const m = /^(.*)\/\.s\.PGSQL\.([0-9]+)$/.exec(socket)
      if (m) {
        repo.socketDir = m[1] === '' ? '/' : m[1]
        repo.port = Number(m[2])
      } else {
        this.notes.push(`${label} socket is ${JSON.stringify(socket)}, which is not named .s.PGSQL.<port>: ${REPO_HINT}`)
      }
    }
    set('url', this.string(kw, 'url', label, REPO_HINT))
    const ssl = lookup(kw, 'ssl')
    if (ssl !== undefined && ssl.k !== 'nil' && !(ssl.k === 'bool' && !ssl.v)) {
      this.notes.push(
        `${label} ssl is ${this.text(ssl)}: SSL settings are not carried over; add sslmode=... to DATABASE_URL or --database-url if the server needs it`,
      )
    }
    return repo
  }

  instanceUrl(endpoint: Node | undefined): string | undefined {
    if (endpoint === undefined || !isKeyword(endpoint)) return undefined
    const url = lookup(endpoint, 'url')
    if (url === undefined || url.k === 'nil') return undefined
    const label = 'Pleroma.Web.Endpoint url'
    if (!isKeyword(url)) {
      this.notes.push(`Pleroma.Web.Endpoint url is ${this.text(url)}: ${ENDPOINT_HINT}`)
      return undefined
    }
    const before = this.notes.length
    const host = this.string(url, 'host', label, ENDPOINT_HINT)
    const schemeValue = this.string(url, 'scheme', label, ENDPOINT_HINT)
    const port = this.port(url, 'port', label, ENDPOINT_HINT)
    if (this.notes.length > before || host === undefined) return undefined
    const scheme = (schemeValue ?? 'https').toLowerCase()
    if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) {
      this.notes.push(`${label} scheme is ${JSON.stringify(schemeValue)}: ${ENDPOINT_HINT}`)
      return undefined
    }
    if (host === '' || /[\s/?#@]/.test(host)) {
      this.notes.push(`${label} host is ${JSON.stringify(host)}: ${ENDPOINT_HINT}`)
      return undefined
    }
    const defaultPort = scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
    const portPart = port === undefined || port === defaultPort ? '' : `:${port}`
    return `${scheme}://${hostPart}${portPart}`
  }
}

/** Parses the text of a Pleroma/Akkoma Elixir config file. */
export function parsePleromaConfig(source: string, fileName = 'config'): PleromaConfig {
  const src = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source
  const loc = new Locator(src, fileName)
  const tokens = new Lexer(src, loc).tokenize()
  const parser = new Parser(tokens, loc)
  const unsupported: string[] = []
  try {
    parser.parseProgram((problem) => {
      unsupported.push(`${loc.where(problem.offset)}: skipped a statement the parser cannot follow (${problem.reason})`)
    })
  } catch (err) {
    if (err instanceof SyntaxProblem) {
      throw new PleromaConfigError(`${loc.where(err.offset)}: ${err.reason} (in a config :pleroma, Pleroma.Repo or Pleroma.Web.Endpoint section)`)
    }
    throw err
  }

  const extractor = new Extractor(src, unsupported)
  const store = new Map<string, Map<string, Node>>()
  for (const call of parser.calls) {
    const line = `line ${loc.line(call.s)}`
    if (call.name === 'import_config') {
      const arg = call.args[0]
      const what = arg === undefined ? '' : ` ${extractor.text(arg)}`
      unsupported.push(`import_config${what} at ${line} is not followed: settings in that file are ignored`)
    } else if (!call.root || call.depth > 0) {
      const app = call.args[0] === undefined ? undefined : keyOf(call.args[0])
      const key = call.args[1] === undefined ? undefined : keyOf(call.args[1])
      if (app === 'pleroma' && key !== undefined && RELEVANT_KEYS.has(key)) {
        unsupported.push(
          `config :pleroma, ${displayKey(key)} at ${line} is not a top-level statement (it is inside if/case/... or an expression): conditional configuration is not supported, so it is ignored`,
        )
      }
    } else {
      applyConfig(store, call, (msg) => unsupported.push(msg), line)
    }
  }

  const pleroma = store.get('pleroma')
  const repo = extractor.repo(pleroma?.get(REPO_KEY))
  const instanceUrl = extractor.instanceUrl(pleroma?.get(ENDPOINT_KEY))
  return instanceUrl === undefined ? {repo, unsupported} : {repo, instanceUrl, unsupported}
}

/** Reads and parses a config file; PleromaConfigError with a one-line message if it cannot be read. */
export function readPleromaConfig(path: string): PleromaConfig {
  let source: string
  try {
    source = fs.readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : String(err instanceof Error ? err.message : err).split('\n')[0]
    throw new PleromaConfigError(`Cannot read Pleroma config ${path}: ${reason}`)
  }
  return parsePleromaConfig(source, path)
}

// ---------------------------------------------------------------------------
// Database URL
// ---------------------------------------------------------------------------

/** Settings from an Ecto `url` (ecto://user:pass@host:port/db); like Ecto, they win over the other options. */
function fromEctoUrl(url: string): PleromaRepoConfig {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)
  if (!m || !['ecto', 'postgres', 'postgresql'].includes(m[1].toLowerCase())) {
    throw new PleromaConfigError('Pleroma.Repo url is not an ecto:// or postgres:// URL; pass --database-url instead')
  }
  let parsed: URL
  try {
    parsed = new URL(`postgres://${url.slice(m[0].length)}`)
  } catch {
    throw new PleromaConfigError('Pleroma.Repo url is not a valid URL; pass --database-url instead')
  }
  const out: PleromaRepoConfig = {}
  if (parsed.username) out.username = decodeURIComponent(parsed.username)
  if (parsed.password) out.password = decodeURIComponent(parsed.password)
  if (parsed.hostname) out.hostname = decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1')
  if (parsed.port) out.port = Number(parsed.port)
  const db = parsed.pathname.replace(/^\//, '')
  if (db) out.database = decodeURIComponent(db)
  return out
}

/**
 * postgres://user:pass@host:port/db for node-postgres; with a socket directory
 * postgres://user:pass@/db?host=/run/postgresql (node-postgres takes the
 * socket directory from the host query parameter).
 */
export function repoConfigToDatabaseUrl(repo: PleromaRepoConfig): string {
  let cfg: PleromaRepoConfig = repo
  if (repo.url !== undefined) {
    const fromUrl = fromEctoUrl(repo.url)
    cfg = {...repo, ...fromUrl}
    if (fromUrl.hostname !== undefined) delete cfg.socketDir
  }
  if (cfg.database === undefined || cfg.database === '') {
    throw new PleromaConfigError('Pleroma.Repo has no database setting in the Pleroma config; set DATABASE_URL or pass --database-url instead')
  }
  let auth = ''
  if (cfg.username !== undefined && cfg.username !== '') auth = encodeURIComponent(cfg.username)
  if (cfg.password !== undefined && cfg.password !== '') auth += `:${encodeURIComponent(cfg.password)}`
  if (auth !== '') auth += '@'
  const db = encodeURIComponent(cfg.database)
  if (cfg.socketDir !== undefined && cfg.socketDir !== '') {
    const params = [`host=${encodeURIComponent(cfg.socketDir).replace(/%2F/gi, '/')}`]
    if (cfg.port !== undefined) params.push(`port=${cfg.port}`)
    return `postgres://${auth}/${db}?${params.join('&')}`
  }
  const hostname = cfg.hostname === undefined || cfg.hostname === '' ? 'localhost' : cfg.hostname
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : encodeURIComponent(hostname).replace(/%3A/gi, ':')
  const port = cfg.port === undefined ? '' : `:${cfg.port}`
  return `postgres://${auth}${host}${port}/${db}`
}
