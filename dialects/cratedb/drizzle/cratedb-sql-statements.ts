/**
 * Splits SQL text into statements at the `;` that end them, for migration files written without
 * `--> statement-breakpoint` markers (a drizzle-kit journal entry with `breakpoints: false`): CrateDB runs one
 * statement per request (crate/crate `server/src/main/java/io/crate/session/parser/SQLRequestParser.java`: "Multiple
 * statements" → 400/4000).
 *
 * A `;` ends a statement only at the top level: not inside `'…'` string literals (`''` escapes a quote),
 * `E'…'` escape strings (also `\'`), `"…"` quoted identifiers (`""` escapes), `-- …` line comments or
 * `/* … *\/` block comments (CrateDB's lexer has no dollar quoting). Each piece is returned trimmed, without
 * its `;`; pieces that hold nothing but whitespace and comments are dropped.
 *
 * @param text the SQL of one migration chunk.
 * @returns the statements in order.
 * @example
 * splitStatements("create table t (a text default 'x;y'); -- done;\ninsert into t (a) values ('z');")
 * // ["create table t (a text default 'x;y')", "-- done;\ninsert into t (a) values ('z')"]
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = []
  let start = 0
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    const next = text[i + 1]
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i + 2)
      i = end === -1 ? text.length : end + 1
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end === -1 ? text.length : end + 2
    } else if (c === "'" || c === '"') {
      i = skipQuoted(text, i, c === "'" && isEscapeStringPrefix(text, i))
    } else if (c === ';') {
      statements.push(text.slice(start, i))
      start = ++i
    } else {
      i++
    }
  }
  statements.push(text.slice(start))
  return statements.filter((s) => !isCommentOnly(s)).map((s) => s.trim())
}

/** Whether the chunk holds nothing but whitespace and comments (`-- …`, `/* … *\/`). */
export function isCommentOnly(chunk: string): boolean {
  return chunk.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--[^\n]*/g, '').trim().length === 0
}

/** Index just after the literal or identifier that opens at `open` (or the end of the text when unterminated). */
function skipQuoted(text: string, open: number, backslashEscapes: boolean): number {
  const quote = text[open]!
  let i = open + 1
  while (i < text.length) {
    const c = text[i]!
    if (backslashEscapes && c === '\\') {
      i += 2
    } else if (c === quote) {
      if (text[i + 1] !== quote) return i + 1
      i += 2
    } else {
      i++
    }
  }
  return text.length
}

/** `E'…'` / `e'…'`: the quote follows a lone E that does not end an identifier. */
function isEscapeStringPrefix(text: string, quote: number): boolean {
  const prefix = text[quote - 1]
  if (prefix !== 'E' && prefix !== 'e') return false
  const before = text[quote - 2]
  return before === undefined || !/[A-Za-z0-9_]/.test(before)
}
