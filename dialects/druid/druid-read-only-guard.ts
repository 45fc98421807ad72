import { DruidReadOnlyError } from './druid-dialect-errors.ts'

/** The statement kinds Druid's SQL endpoint runs as queries (https://druid.apache.org/docs/latest/querying/sql). */
const READ_KINDS = new Set(['SELECT', 'WITH', 'EXPLAIN'])

/** First keyword of `sql` after whitespace, comments and opening parentheses, upper-case. */
export function firstKeyword(sql: string): string {
  const s = sql.replace(/^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/, '')
  return (/^[A-Za-z]+/.exec(s)?.[0] ?? '').toUpperCase()
}

/** `true` when `sql` holds a `;` outside literals, quoted identifiers and comments followed by more text. */
function hasSecondStatement(sql: string): boolean {
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1)
      if (end < 0) return false
      i = end + 1
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
 * Refuses anything but one SELECT, WITH or EXPLAIN statement, before it is sent.
 *
 * @throws DruidReadOnlyError naming the refused statement kind (`INSERT`, `DELETE`, `CREATE`, `SET`, ...; `MULTIPLE`
 *   for several statements).
 */
export function assertReadOnly(sql: string): void {
  const kind = firstKeyword(sql)
  if (!READ_KINDS.has(kind)) throw new DruidReadOnlyError(kind)
  if (hasSecondStatement(sql)) throw new DruidReadOnlyError('MULTIPLE')
  if (kind === 'WITH' && /\)\s*(INSERT|REPLACE|UPDATE|DELETE|MERGE)\b/i.test(sql)) throw new DruidReadOnlyError('WITH … ' + /\)\s*(INSERT|REPLACE|UPDATE|DELETE|MERGE)\b/i.exec(sql)![1]!.toUpperCase())
}
