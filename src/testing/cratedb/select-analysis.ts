import { parseCrateType, skipParens } from './crate-types.ts'
import { splitTopLevel } from './expression-translator.ts'
import { outputName } from './output-name.ts'
import { readQualifiedName, type QualifiedName } from './qualified-name.ts'
import { identifierName, keyword, type SqlToken } from './sql-tokenizer.ts'
import { findTopLevel, isPunct } from './statement-helpers.ts'
import type { EqualityFilter } from './statement-types.ts'

/** `true` for a literal or parameter token (what a primary-key lookup compares a key column with). */
function isValue(t: SqlToken | undefined): boolean {
  return t !== undefined && (t.type === 'param' || t.type === 'string' || t.type === 'number')
}

/**
 * Columns compared with `=` to a literal or parameter (`col = ?`, `? = col`, `alias.col = 'x'`) or listed against
 * literals/parameters (`col IN (1, 2)`) in the top-level AND chain of the condition `tokens[from, to)`; empty when
 * the condition has a top-level OR. `alias` is the name the table's columns may be qualified with.
 */
export function equalityColumns(tokens: readonly SqlToken[], from: number, to: number, alias: string): string[] {
  if (findTopLevel(tokens, from, to, new Set(['OR'])) >= 0) return []
  const columns: string[] = []
  for (const [a, b] of splitTopLevel(tokens, from, to, 'AND')) {
    let lhs = a
    let n = b - a
    // strip (…) around a single comparison
    while (isPunct(tokens[lhs], '(') && skipParens(tokens, lhs) === lhs + n) {
      lhs++
      n -= 2
    }
    const name = (k: number, len: number): string | undefined => {
      const t = tokens[k]
      if (len === 1 && (t?.type === 'ident' || t?.type === 'qident')) return identifierName(t)
      if (len === 3 && isPunct(tokens[k + 1], '.') && (tokens[k]?.type === 'ident' || tokens[k]?.type === 'qident') && identifierName(tokens[k]!) === alias) {
        const c = tokens[k + 2]
        return c !== undefined && (c.type === 'ident' || c.type === 'qident') ? identifierName(c) : undefined
      }
      return undefined
    }
    for (const len of [1, 3]) {
      const op = tokens[lhs + len]
      if (op?.type === 'op' && op.text === '=' && n === len + 2) {
        const left = name(lhs, len)
        if (left !== undefined && isValue(tokens[lhs + len + 1])) columns.push(left)
      }
      const op2 = tokens[lhs + 1]
      if (op2?.type === 'op' && op2.text === '=' && n === len + 2 && isValue(tokens[lhs])) {
        const right = name(lhs + 2, len)
        if (right !== undefined) columns.push(right)
      }
      if (keyword(op) === 'IN' && isPunct(tokens[lhs + len + 1], '(') && skipParens(tokens, lhs + len + 1) === lhs + n) {
        const left = name(lhs, len)
        const items = splitTopLevel(tokens, lhs + len + 2, lhs + n - 1)
        if (left !== undefined && items.length > 0 && items.every(([x, y]) => y - x === 1 && isValue(tokens[x]))) columns.push(left)
      }
    }
  }
  return columns
}

/**
 * The single table and top-level equality columns of a `SELECT … FROM t [alias] WHERE a = ? AND …` (see
 * {@link equalityColumns}).
 */
export function equalityFilter(tokens: readonly SqlToken[], defaultSchema: string): EqualityFilter | undefined {
  const from = findTopLevel(tokens, 1, tokens.length, new Set(['FROM']))
  if (from < 0) return undefined
  let table: QualifiedName
  let i: number
  try {
    const read = readQualifiedName(tokens, from + 1, defaultSchema)
    table = read.name
    i = read.next
  } catch {
    return undefined
  }
  let alias = table.name
  if (keyword(tokens[i]) === 'AS') i++
  if ((tokens[i]?.type === 'ident' && keyword(tokens[i]) !== 'WHERE') || tokens[i]?.type === 'qident') {
    alias = identifierName(tokens[i]!)
    i++
  }
  if (keyword(tokens[i]) !== 'WHERE') return undefined
  const end = findTopLevel(tokens, i + 1, tokens.length, new Set(['GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'UNION', 'EXCEPT', 'INTERSECT', 'FOR', 'HAVING', 'WINDOW']))
  const columns = equalityColumns(tokens, i + 1, end < 0 ? tokens.length : end, alias)
  return columns.length > 0 ? { table, columns } : undefined
}

/**
 * CrateDB's output names of a SELECT list's un-aliased items (`o['a']`, `count(*)`, `(1 + 2)`, see
 * {@link outputName}); `undefined` entries for items with an alias (their name is the alias), and `undefined` as a
 * whole when the list contains `*`.
 */
export function selectOutputNames(tokens: readonly SqlToken[]): (string | undefined)[] | undefined {
  return selectItems(tokens)?.map(([a, b, aliased]) =>
    aliased ? undefined : outputName(tokens.slice(a, b), tokens.slice(0, a).filter((t) => t.type === 'param' && t.text === '?').length + 1),
  )
}

/** Token kinds that end an operand, so that an identifier after them is an alias (`count(*) n`, `x y`). */
function endsOperand(t: SqlToken | undefined): boolean {
  if (t === undefined) return false
  if (t.type === 'qident' || t.type === 'string' || t.type === 'number' || t.type === 'param') return true
  if (t.type === 'ident') return !/^(AS|SELECT|DISTINCT|ALL|NOT|AND|OR|IS|IN|LIKE|ILIKE|BETWEEN|CASE|WHEN|THEN|ELSE)$/i.test(t.text)
  return t.type === 'punct' && (t.text === ')' || t.text === ']')
}

/**
 * The SELECT list items of a SELECT statement's tokens as `[from, to, aliased]` (`to` before the alias, with or
 * without AS); `undefined` when the list has `*` items.
 */
function selectItems(tokens: readonly SqlToken[]): [number, number, boolean][] | undefined {
  let start = 1
  if (keyword(tokens[start]) === 'DISTINCT' || keyword(tokens[start]) === 'ALL') start++
  const end = findTopLevel(tokens, start, tokens.length, new Set(['FROM', 'WHERE', 'GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'INTERSECT', 'HAVING', 'INTO', 'FETCH', 'WINDOW']))
  const items: [number, number, boolean][] = []
  for (const [a, b] of splitTopLevel(tokens, start, end < 0 ? tokens.length : end)) {
    if (tokens.slice(a, b).some((t, k) => t.type === 'op' && t.text === '*' && k === b - a - 1 && (k === 0 || isPunct(tokens[a + k - 1], '.')))) return undefined
    const last = tokens[b - 1]
    const cast = tokens.slice(a, b).some((t) => t.type === 'op' && t.text === '::')
    if (keyword(tokens[b - 2]) === 'AS') items.push([a, b - 2, true])
    else if (b - a >= 2 && !cast && (last?.type === 'qident' || (last?.type === 'ident' && !/^(END|NULL|TRUE|FALSE)$/i.test(last.text))) && endsOperand(tokens[b - 2])) items.push([a, b - 1, true])
    else items.push([a, b, false])
  }
  return items
}

/** CrateDB types whose PostgreSQL stand-in loses them (BYTE is smallint, FLOAT_VECTOR is real[]). */
const TYPES_LOST_IN_POSTGRES = new Set(['byte', 'float_vector'])

/**
 * CrateDB types of SELECT list items that PostgreSQL would report differently: a bare `NULL` (CrateDB's undefined
 * type, `col_types` 0) and top-level casts (`CAST(x AS "char")`, `x::float_vector(2)`) to a type whose PostgreSQL
 * stand-in loses it. `undefined` entries: take PostgreSQL's type; `undefined` as a whole when the list has `*`.
 */
export function selectOutputTypes(tokens: readonly SqlToken[]): (string | undefined)[] | undefined {
  return selectItems(tokens)?.map(([a, b]) => itemType(tokens, a, b))
}

function itemType(tokens: readonly SqlToken[], a: number, b: number): string | undefined {
  if (b - a === 1 && keyword(tokens[a]) === 'NULL') return 'undefined'
  let typeAt = -1
  if (keyword(tokens[a]) === 'CAST' && isPunct(tokens[a + 1], '(') && skipParens(tokens, a + 1) === b) {
    const as = findTopLevel(tokens, a + 2, b - 1, new Set(['AS']))
    if (as > 0) typeAt = as + 1
  } else {
    // The last `::` outside brackets: `x::int::float_vector(2)` is typed by its last cast.
    let depth = 0
    for (let k = a; k < b; k++) {
      const t = tokens[k]!
      if (t.type === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++
      else if (t.type === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--
      else if (depth === 0 && t.type === 'op' && t.text === '::') typeAt = k + 1
    }
  }
  if (typeAt < 0) return undefined
  try {
    const parsed = parseCrateType(tokens, typeAt)
    const crate = parsed.type.crate
    return TYPES_LOST_IN_POSTGRES.has(crate) ? crate : undefined
  } catch {
    return undefined
  }
}
