import { skipParens } from './crate-types.ts'
import { CrateError } from './crate-error.ts'
import { splitTopLevel } from './expression-translator.ts'
import { identifierName, keyword, type SqlToken } from './sql-tokenizer.ts'
import { isPunct } from './statement-helpers.ts'

const SEQ_NO_USAGE =
  '"_seq_no" and "_primary_term" columns can only be used together in the WHERE clause with equals comparisons and if there are also equals comparisons on primary key columns'
const VERSION_USAGE = '"_version" column can only be used in the WHERE clause with equals comparisons and if there are also equals comparisons on primary key columns'
const MIXED_USAGE = '"_version" column cannot be used in conjunction with the "_seq_no" and "_primary_term" columns. Use one of the two versioning mechanisms, but not both at the same time.'

function versioningError(message: string): CrateError {
  return new CrateError('VersioningValidationException', message, 4000)
}

function isColumnToken(t: SqlToken | undefined): boolean {
  return t !== undefined && (t.type === 'ident' || t.type === 'qident')
}

/** The column named by `tokens[a, b)` when it is `col` or `qualifier.….col`, else `undefined`. */
function columnAt(tokens: readonly SqlToken[], a: number, b: number): string | undefined {
  if (b <= a || (b - a) % 2 === 0) return undefined
  for (let k = a; k < b; k += 2) {
    if (!isColumnToken(tokens[k])) return undefined
    if (k + 1 < b && !isPunct(tokens[k + 1], '.')) return undefined
  }
  const t = tokens[b - 1]!
  if (t.type === 'ident' && ['TRUE', 'FALSE', 'NULL'].includes(keyword(t))) return undefined
  return identifierName(t)
}

/** `true` when `tokens[a, b)` is a parameter or a literal (`?`, `$1`, `'x'`, `1`, `-1`, TRUE, FALSE). */
function isValueAt(tokens: readonly SqlToken[], a: number, b: number): boolean {
  const t = tokens[a]
  if (b - a === 2) return t?.type === 'op' && (t.text === '-' || t.text === '+') && tokens[a + 1]?.type === 'number'
  if (b - a !== 1 || t === undefined) return false
  return t.type === 'param' || t.type === 'string' || t.type === 'number' || keyword(t) === 'TRUE' || keyword(t) === 'FALSE'
}

/**
 * The columns compared with `=` to a value in the AND chain `tokens[from, to)` (parentheses around the chain or
 * its parts allowed), or `undefined` when the chain holds anything else (OR, other operators, expressions).
 */
function equalityColumns(tokens: readonly SqlToken[], from: number, to: number): string[] | undefined {
  let a = from
  let b = to
  while (isPunct(tokens[a], '(') && skipParens(tokens, a) === b) {
    a++
    b--
  }
  const parts = splitTopLevel(tokens, a, b, 'AND')
  if (parts.length > 1) {
    const columns: string[] = []
    for (const [p, q] of parts) {
      const inner = equalityColumns(tokens, p, q)
      if (inner === undefined) return undefined
      columns.push(...inner)
    }
    return columns
  }
  let eq = -1
  for (let k = a; k < b; k++) {
    const t = tokens[k]!
    if (t.type === 'op' && t.text === '=') {
      if (eq >= 0) return undefined
      eq = k
    }
  }
  if (eq < 0) return undefined
  const left = columnAt(tokens, a, eq)
  if (left !== undefined && isValueAt(tokens, eq + 1, b)) return [left]
  const right = columnAt(tokens, eq + 1, b)
  if (right !== undefined && isValueAt(tokens, a, eq)) return [right]
  return undefined
}

/**
 * Rejects optimistic-concurrency misuse in the WHERE clause `tokens[from, to)` of an UPDATE or DELETE like CrateDB
 * does (https://cratedb.com/docs/crate/reference/en/latest/general/occ.html): `_seq_no` and `_primary_term` only
 * together, each compared with `=`, next to `=` on every
 * primary-key column (`_id` for a table without a key; `_id = ?` also stands for the key), combined with AND and
 * with no other condition; the same for `_version`, which cannot be mixed with the other two. Statements that name
 * none of these columns pass. `primaryKey` `undefined` (table unknown) checks only the shape.
 *
 * @throws CrateError `VersioningValidationException` (400/4000).
 */
export function checkVersioning(tokens: readonly SqlToken[], from: number, to: number, primaryKey: readonly string[] | undefined): void {
  const used = new Set<string>()
  for (let k = from; k < to; k++) {
    const t = tokens[k]!
    if (!isColumnToken(t) || isPunct(tokens[k + 1], '(')) continue
    const name = identifierName(t)
    if (name === '_seq_no' || name === '_primary_term' || name === '_version') used.add(name)
  }
  if (used.size === 0) return
  const sequence = used.has('_seq_no') || used.has('_primary_term')
  if (sequence && used.has('_version')) throw versioningError(MIXED_USAGE)
  const message = sequence ? SEQ_NO_USAGE : VERSION_USAGE
  const required = sequence ? ['_seq_no', '_primary_term'] : ['_version']
  const columns = equalityColumns(tokens, from, to)
  if (columns === undefined || required.some((c) => !columns.includes(c))) throw versioningError(message)
  if (primaryKey === undefined) return
  const key = primaryKey.length === 0 ? ['_id'] : primaryKey
  const byKey = key.every((c) => columns.includes(c))
  const byId = columns.includes('_id')
  if (!byKey && !byId) throw versioningError(message)
  const allowed = new Set([...required, ...key, '_id'])
  if (columns.some((c) => !allowed.has(c))) throw versioningError(message)
}
