import { E6dataReadOnlyError } from './e6data-dialect-errors.ts'

const READ_KINDS = new Set(['SELECT', 'WITH', 'VALUES', 'EXPLAIN', 'DESCRIBE', 'SHOW'])

/** First keyword of `sql` after whitespace, comments and opening parentheses, upper-case. */
export function firstKeyword(sql: string): string {
  const s = sql.replace(/^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/, '')
  return (/^[A-Za-z]+/.exec(s)?.[0] ?? '').toUpperCase()
}

/** `true` when a `;` outside literals (with backslash escapes), quoted identifiers and comments is followed by more text. */
function hasSecondStatement(sql: string): boolean {
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    if (c === "'" || c === '"') {
      let j = i + 1
      while (j < n && sql[j] !== c) j += sql[j] === '\\' && c === "'" ? 2 : 1
      i = j + 1
      continue
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? n : end + 1
      continue
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      continue
    }
    if (c === ';') return sql.slice(i + 1).trim() !== ''
    i++
  }
  return false
}

/**
 * Refuses anything but one read statement, before it is sent.
 * @throws E6dataReadOnlyError naming the refused statement kind.
 */
export function assertReadOnly(sql: string): void {
  const kind = firstKeyword(sql)
  if (!READ_KINDS.has(kind)) throw new E6dataReadOnlyError(kind)
  if (hasSecondStatement(sql)) throw new E6dataReadOnlyError('MULTIPLE')
  const dml = /\)\s*(INSERT|UPDATE|DELETE|MERGE)\b/i.exec(sql)
  if (kind === 'WITH' && dml !== null) throw new E6dataReadOnlyError(`WITH … ${dml[1]!.toUpperCase()}`)
}
