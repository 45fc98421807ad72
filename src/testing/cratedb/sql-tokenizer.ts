/**
 * A lexer for CrateDB SQL (which follows the PostgreSQL lexical structure): enough to rewrite statements token by
 * token without ever touching the inside of string literals, quoted identifiers or comments.
 */

/** Kind of a {@link SqlToken}. */
export type SqlTokenType =
  | 'space' // whitespace, including newlines
  | 'comment' // `-- …` up to the end of the line, or `/* … *\/`
  | 'ident' // unquoted identifier or keyword
  | 'qident' // `"quoted identifier"` (text keeps the quotes)
  | 'string' // `'literal'`, `E'escaped'`, `B'0101'` or `X'ff'` (text keeps the quotes and prefix)
  | 'number' // `42`, `1.5`, `.5`, `1e-3`
  | 'param' // `?` or `$1`
  | 'op' // operator characters: `=`, `<>`, `::`, `->>`, `||`, `~*` …
  | 'punct' // one of `( ) [ ] { } , ; .`

/** One lexical token: its kind, its exact source text and where it starts in the source (UTF-16 index). */
export interface SqlToken {
  readonly type: SqlTokenType
  readonly text: string
  readonly start: number
}

const OPERATOR_CHARS = new Set('+-*/<>=~!@#%^&|:')
const PUNCT_CHARS = new Set('()[]{},;.')

function isIdentStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code >= 128
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || (code >= 48 && code <= 57) || code === 36
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/** Thrown by {@link tokenize} for an unterminated string, quoted identifier or block comment. */
export class SqlLexError extends Error {
  /** Zero-based index in the source where the bad token starts. */
  readonly position: number

  constructor(message: string, position: number) {
    super(message)
    this.position = position
  }
}

/**
 * Splits SQL text into tokens, keeping whitespace and comments so that joining every `text` gives the source back.
 *
 * @example
 * tokenize("select o['a'] from t where x = ?").filter((t) => t.type !== 'space').map((t) => t.text)
 * // ['select', 'o', '[', "'a'", ']', 'from', 't', 'where', 'x', '=', '?']
 * @throws SqlLexError on an unterminated string literal, quoted identifier or block comment.
 */
export function tokenize(sql: string): SqlToken[] {
  const tokens: SqlToken[] = []
  const n = sql.length
  let i = 0
  while (i < n) {
    const start = i
    const c = sql.charCodeAt(i)
    const ch = sql[i]!
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      while (i < n && /\s/.test(sql[i]!)) i++
      tokens.push({ type: 'space', text: sql.slice(start, i), start })
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++
      tokens.push({ type: 'comment', text: sql.slice(start, i), start })
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      if (end < 0) throw new SqlLexError('unterminated block comment', start)
      i = end + 2
      tokens.push({ type: 'comment', text: sql.slice(start, i), start })
    } else if (ch === "'" || ('EeBbXx'.includes(ch) && sql[i + 1] === "'" && (i === 0 || !isIdentPart(sql.charCodeAt(i - 1))))) {
      const escapes = ch === 'E' || ch === 'e'
      i += ch === "'" ? 1 : 2
      for (;;) {
        if (i >= n) throw new SqlLexError('unterminated string literal', start)
        const s = sql[i]!
        if (escapes && s === '\\') {
          i += 2
        } else if (s === "'") {
          if (sql[i + 1] === "'") i += 2
          else {
            i++
            break
          }
        } else i++
      }
      tokens.push({ type: 'string', text: sql.slice(start, i), start })
    } else if (ch === '"') {
      i++
      for (;;) {
        if (i >= n) throw new SqlLexError('unterminated quoted identifier', start)
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') i += 2
          else {
            i++
            break
          }
        } else i++
      }
      tokens.push({ type: 'qident', text: sql.slice(start, i), start })
    } else if (isDigit(c) || (ch === '.' && isDigit(sql.charCodeAt(i + 1)))) {
      while (i < n && isDigit(sql.charCodeAt(i))) i++
      if (sql[i] === '.' && sql[i + 1] !== '.') {
        i++
        while (i < n && isDigit(sql.charCodeAt(i))) i++
      }
      if ((sql[i] === 'e' || sql[i] === 'E') && (isDigit(sql.charCodeAt(i + 1)) || ((sql[i + 1] === '+' || sql[i + 1] === '-') && isDigit(sql.charCodeAt(i + 2))))) {
        i += 2
        while (i < n && isDigit(sql.charCodeAt(i))) i++
      }
      tokens.push({ type: 'number', text: sql.slice(start, i), start })
    } else if (isIdentStart(c)) {
      while (i < n && isIdentPart(sql.charCodeAt(i))) i++
      tokens.push({ type: 'ident', text: sql.slice(start, i), start })
    } else if (ch === '?') {
      i++
      tokens.push({ type: 'param', text: '?', start })
    } else if (ch === '$' && isDigit(sql.charCodeAt(i + 1))) {
      i++
      while (i < n && isDigit(sql.charCodeAt(i))) i++
      tokens.push({ type: 'param', text: sql.slice(start, i), start })
    } else if (PUNCT_CHARS.has(ch)) {
      i++
      tokens.push({ type: 'punct', text: ch, start })
    } else if (OPERATOR_CHARS.has(ch)) {
      while (i < n && OPERATOR_CHARS.has(sql[i]!)) {
        // `--` and `/*` start comments even inside an operator run (as in PostgreSQL).
        if (i > start && ((sql[i] === '-' && sql[i + 1] === '-') || (sql[i] === '/' && sql[i + 1] === '*'))) break
        i++
      }
      let text = sql.slice(start, i)
      // `x=-1` and `x<-1`: a trailing `-`/`+` of a longer run belongs to the next operand (PostgreSQL's rule).
      while (text.length > 1 && (text.endsWith('-') || text.endsWith('+')) && !/[~!@#%^&|`?]/.test(text.slice(0, -1))) {
        text = text.slice(0, -1)
        i--
      }
      tokens.push({ type: 'op', text, start })
    } else {
      i++
      tokens.push({ type: 'op', text: ch, start })
    }
  }
  return tokens
}

/** `true` for tokens that carry meaning (not whitespace, not comments). */
export function isSignificant(token: SqlToken): boolean {
  return token.type !== 'space' && token.type !== 'comment'
}

/** Upper-cased text of an unquoted identifier/keyword token, `''` for every other token (and for `undefined`). */
export function keyword(token: SqlToken | undefined): string {
  return token !== undefined && token.type === 'ident' ? token.text.toUpperCase() : ''
}

/**
 * The name an identifier token denotes: unquoted identifiers fold to lower case, quoted ones keep their case
 * with `""` unescaped
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/general/lexical-structure.html#sql-lexical-keywords-identifiers).
 */
export function identifierName(token: SqlToken): string {
  if (token.type === 'qident') return token.text.slice(1, -1).replaceAll('""', '"')
  return token.text.toLowerCase()
}

/** Quotes a name as a PostgreSQL identifier: `my "x"` → `"my ""x"""`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** Quotes text as a standard SQL string literal: `it's` → `'it''s'`. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/** The value of a string literal token (`'it''s'` → `it's`; `E'a\nb'` with its backslash escapes resolved). */
export function stringValue(token: SqlToken): string {
  const text = token.text
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'")
  if (!/^[Ee]/.test(text)) return text.slice(2, -1).replaceAll("''", "'")
  const body = text.slice(2, -1)
  return body.replace(/\\(.)|''/g, (match, escaped: string | undefined) => {
    if (escaped === undefined) return "'"
    switch (escaped) {
      case 'n':
        return '\n'
      case 't':
        return '\t'
      case 'r':
        return '\r'
      case 'b':
        return '\b'
      case 'f':
        return '\f'
      default:
        return escaped
    }
  })
}
