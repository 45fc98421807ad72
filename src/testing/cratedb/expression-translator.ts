import { CrateTypeError, parseCrateType, skipParens } from './crate-types.ts'
import { argTypeMarker } from './arg-typed-sql.ts'
import { parseError } from './crate-error.ts'
import { identifierName, keyword, quoteIdent, quoteLiteral, stringValue, type SqlToken } from './sql-tokenizer.ts'

/**
 * System columns every user table carries
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/system-columns.html); hidden from `SELECT *` unless
 * named in the statement.
 */
export const SYSTEM_COLUMNS: ReadonlySet<string> = new Set(['_id', '_seq_no', '_primary_term', '_version'])

/**
 * State shared by every expression of one statement while it is translated.
 */
export interface ExpressionScope {
  /** Number of the last `?` rewritten to `$n`; `?` placeholders are numbered left to right across the statement. */
  questionMarks: number
  /** Highest parameter number seen (`?` or `$n`). */
  maxParam: number
  /** System column names the statement mentions (then they stay in its result). */
  readonly systemColumns: Set<string>
  /**
   * Column references to rewrite as `<prefix>."col"` (used for generated-column expressions evaluated in a
   * trigger, where columns are `NEW."col"`).
   */
  readonly columnRefs?: { readonly names: ReadonlySet<string>; readonly prefix: string }
}

/** A fresh {@link ExpressionScope}. */
export function newScope(columnRefs?: ExpressionScope['columnRefs']): ExpressionScope {
  return columnRefs === undefined
    ? { questionMarks: 0, maxParam: 0, systemColumns: new Set() }
    : { questionMarks: 0, maxParam: 0, systemColumns: new Set(), columnRefs }
}

/** Keywords after which `[` starts an array literal rather than a subscript, and that never end an operand. */
const NOT_OPERANDS = new Set(
  (
    'SELECT FROM WHERE AND OR NOT IN IS LIKE ILIKE BETWEEN AS ON JOIN LEFT RIGHT INNER OUTER FULL CROSS GROUP ORDER BY ' +
    'HAVING LIMIT OFFSET UNION INTERSECT EXCEPT ALL DISTINCT CASE WHEN THEN ELSE END VALUES SET INTO INSERT UPDATE ' +
    'DELETE RETURNING ANY SOME EXISTS WITH RETURN DEFAULT NULL TRUE FALSE ARRAY ASC DESC USING OVER PARTITION FILTER ' +
    'WITHIN DO CONFLICT NOTHING FETCH FIRST NEXT ROWS ROW ONLY FOR TO'
  ).split(' '),
)

/**
 * Aggregates CrateDB computes in DOUBLE over integers and floats (NUMERIC over NUMERIC), and `mean`, which
 * PostgreSQL lacks: called as `crate_fn.<name>` (aggregates over double precision and numeric in `bootstrap-sql.ts`)
 * because PostgreSQL's own `avg(integer)` would win over any overload on the search path. CrateDB:
 * `server/src/main/java/io/crate/execution/engine/aggregation/impl/` (`AverageAggregation`, `VarianceAggregation`,
 * `StandardDeviation*Aggregation`).
 */
const DOUBLE_AGGREGATES = new Set(['AVG', 'MEAN', 'STDDEV', 'STDDEV_SAMP', 'STDDEV_POP', 'VARIANCE'])

/** Session-user functions CrateDB answers with the authenticated user (PostgreSQL would say `crate`). */
const USER_FUNCTIONS = new Set(['CURRENT_USER', 'SESSION_USER', 'USER', 'CURRENT_ROLE'])

/**
 * A numeric literal as CrateDB types it: with a decimal point or an exponent and at most 18 significant digits
 * it is a DOUBLE (PostgreSQL: numeric), otherwise as written (`AstBuilder.visitDecimalLiteral` in crate/crate).
 */
function numberLiteral(text: string): string {
  if (!/[.eE]/.test(text)) return text
  const mantissa = text.split(/[eE]/)[0]!.replace('.', '').replace(/^0+/, '')
  return mantissa.length <= 18 ? `${text}::float8` : text
}

const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=', '~', '~*', '!~', '!~*'])
/** Comparisons whose operands CrateDB compares by the value's type (the regex operators always compare text). */
const VALUE_COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>='])
const ARITHMETIC = new Set(['+', '-', '*', '/', '%'])

/**
 * How a subscript chain is read: as jsonb, as text, cast to numeric/boolean, or typed by the values bound to the
 * parameters it is compared with (see `arg-typed-sql.ts`).
 */
type ChainMode = 'json' | 'text' | 'numeric' | 'boolean' | { readonly params: readonly number[] }

function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text
}

function isOperandEnd(token: SqlToken | undefined): boolean {
  if (token === undefined) return false
  if (token.type === 'qident') return true
  if (token.type === 'ident') return !NOT_OPERANDS.has(token.text.toUpperCase())
  return token.type === 'punct' && (token.text === ')' || token.text === ']')
}

/** Formats source tokens the way CrateDB prints an expression used as a column name (best effort). */
export function formatTokens(tokens: readonly SqlToken[]): string {
  let out = ''
  let prev: SqlToken | undefined
  for (const t of tokens) {
    const text = t.type === 'ident' ? t.text.toLowerCase() : t.type === 'qident' ? identifierName(t) : t.text
    const glue =
      prev === undefined ||
      (t.type === 'punct' && [',', ')', ']', '[', '.'].includes(t.text)) ||
      (prev.type === 'punct' && ['(', '[', '.'].includes(prev.text)) ||
      (t.type === 'punct' && t.text === '(' && (prev.type === 'ident' || prev.type === 'qident')) ||
      (t.type === 'op' && t.text === '::') ||
      (prev.type === 'op' && prev.text === '::')
    out += glue ? text : ` ${text}`
    prev = t
  }
  return out
}

/** Splits `tokens[from, to)` at depth-0 commas. */
export function splitTopLevel(tokens: readonly SqlToken[], from: number, to: number, separator = ','): Array<[number, number]> {
  const parts: Array<[number, number]> = []
  let depth = 0
  let start = from
  for (let i = from; i < to; i++) {
    const t = tokens[i]!
    if (t.type === 'punct') {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth--
    }
    if (depth === 0 && ((t.type === 'punct' && t.text === separator) || (separator !== ',' && keyword(t) === separator))) {
      parts.push([start, i])
      start = i + 1
    }
  }
  if (to > start || parts.length > 0) parts.push([start, to])
  return parts
}

/**
 * Translates the CrateDB expression syntax in `tokens[from, to)` (significant tokens) to PostgreSQL text:
 *
 * - `?` → `$1`, `$2` … (numbered across the statement); `$n` kept.
 * - `[a, b]` array literals → `ARRAY[a, b]` (`[]` → `'{}'`).
 * - `{a = 1, b = 'x'}` object literals → `jsonb_build_object('a', 1, 'b', 'x')`.
 * - `obj['a']['b']` → `(obj -> 'a' -> 'b')` (jsonb); numeric subscripts inside such a chain become 0-based
 *   `-> n`. When the chain is compared with a string (or tested with IS [NOT] NULL, or matched with LIKE or a
 *   regex) the last step is `->>` (text); against a number or in arithmetic it is `(… ->> 'b')::numeric`;
 *   against TRUE/FALSE `::boolean`. Compared with parameters (`=`, `<>`, `<`, `>`, `<=`, `>=`, `IN (?, …)`,
 *   `BETWEEN ? AND ?`) it is text followed by a marker that the runner replaces with the cast for the JSON type
 *   of the bound value (`bindArgTypes`; `translateStatement` strips the markers unless asked to keep them).
 *   Plain array subscripts `arr[1]` stay (both are 1-based).
 * - CrateDB type names after `::` and in `CAST`/`TRY_CAST(x AS type)` → PostgreSQL types (TRY_CAST becomes CAST).
 * - `information_schema.x` → `crate_info.x` (CrateDB-compatible views).
 *
 * @example
 * const tokens = tokenize("o['a'] = ?").filter(isSignificant)
 * translateExpression(tokens, 0, tokens.length, newScope()) // "(o ->> 'a') = $1"
 * @throws CrateError (SQLParseException) for an unknown type name or an unbalanced bracket.
 */
export function translateExpression(tokens: readonly SqlToken[], from: number, to: number, scope: ExpressionScope): string {
  const out: string[] = []
  // Output index where the most recent complete operand starts, and the source index where it starts.
  let operandOut = -1
  let operandSrc = -1
  const parens: Array<{ fnOut: number; fnSrc: number }> = []
  let i = from
  const push = (text: string, glue = false): number => {
    if (glue && out.length > 0) out[out.length - 1] += text
    else out.push(text)
    return out.length - 1
  }
  while (i < to) {
    const t = tokens[i]!
    const prev = i > from ? tokens[i - 1] : undefined
    if (t.type === 'param') {
      if (t.text === '?') {
        scope.questionMarks++
        scope.maxParam = Math.max(scope.maxParam, scope.questionMarks)
        operandOut = push(`$${scope.questionMarks}`)
      } else {
        scope.maxParam = Math.max(scope.maxParam, Number(t.text.slice(1)))
        operandOut = push(t.text)
      }
      operandSrc = i
      i++
      continue
    }
    if (t.type === 'ident' || t.type === 'qident') {
      const kw = keyword(t)
      const next = tokens[i + 1]
      if ((kw === 'CAST' || kw === 'TRY_CAST') && isPunct(next, '(') && i + 1 < to) {
        const close = skipParens(tokens, i + 1) - 1
        const parts = splitTopLevel(tokens, i + 2, close, 'AS')
        if (parts.length !== 2) throw parseError(`${t.text}(expression AS type) is malformed`)
        const expr = translateExpression(tokens, parts[0]![0], parts[0]![1], scope)
        operandOut = push(`CAST(${expr} AS ${pgTypeAt(tokens, parts[1]![0], parts[1]![1])})`)
        operandSrc = i
        i = close + 1
        continue
      }
      const name = identifierName(t)
      if (SYSTEM_COLUMNS.has(name)) scope.systemColumns.add(name)
      const dotted = isPunct(prev, '.') && i - 2 >= from && (tokens[i - 2]!.type === 'ident' || tokens[i - 2]!.type === 'qident')
      const refs = scope.columnRefs
      if (dotted) {
        push(t.text, true)
      } else if (name === 'information_schema' && isPunct(next, '.')) {
        operandOut = push('crate_info')
        operandSrc = i
      } else if (refs !== undefined && refs.names.has(name) && !isPunct(next, '(') && !isPunct(next, '.') && !NOT_OPERANDS.has(kw)) {
        operandOut = push(`${refs.prefix}.${quoteIdent(name)}`)
        operandSrc = i
      } else if (t.type === 'ident' && DOUBLE_AGGREGATES.has(kw) && isPunct(next, '(')) {
        operandOut = push(`crate_fn.${kw.toLowerCase()}`)
        operandSrc = i
      } else if (t.type === 'ident' && USER_FUNCTIONS.has(kw) && !isPunct(next, '(')) {
        operandOut = push('crate_sys.user_name()')
        operandSrc = i
      } else {
        const index = push(t.text)
        if (isOperandEnd(t)) {
          operandOut = index
          operandSrc = i
        }
      }
      i++
      continue
    }
    if (t.type === 'punct') {
      if (t.text === '.') {
        push('.', true)
        i++
        // glue the next identifier to this one
        continue
      }
      if (t.text === '(') {
        const fn = prev !== undefined && isOperandEnd(prev) && prev.type !== 'punct'
        const index = push('(', fn)
        parens.push({ fnOut: fn ? operandOut : index, fnSrc: fn ? operandSrc : i })
        i++
        continue
      }
      if (t.text === ')') {
        push(')', false)
        const open = parens.pop()
        if (open !== undefined) {
          operandOut = open.fnOut
          operandSrc = open.fnSrc
        }
        i++
        continue
      }
      if (t.text === '[') {
        const close = skipParens(tokens, i) - 1
        if (close >= to) throw parseError('unbalanced [ in expression')
        if (isOperandEnd(prev) && operandOut >= 0) {
          i = translateSubscripts(tokens, i, to, scope, out, operandOut, operandSrc)
          continue
        }
        const items = splitTopLevel(tokens, i + 1, close).map(([a, b]) => translateExpression(tokens, a, b, scope))
        if (keyword(prev) === 'ARRAY') operandOut = push(`[${items.join(', ')}]`, true)
        else operandOut = push(items.length === 0 ? `'{}'` : `ARRAY[${items.join(', ')}]`)
        operandSrc = i
        i = close + 1
        continue
      }
      if (t.text === '{') {
        const close = skipParens(tokens, i) - 1
        if (close >= to) throw parseError('unbalanced { in object literal')
        operandOut = push(objectLiteral(tokens, i + 1, close, scope))
        operandSrc = i
        i = close + 1
        continue
      }
    }
    if (t.type === 'op' && t.text === '::') {
      const end = typeEnd(tokens, i + 1, to)
      push(`::${pgTypeAt(tokens, i + 1, end)}`, true)
      i = end
      continue
    }
    const index = push(t.type === 'number' ? numberLiteral(t.text) : t.text)
    if (t.type === 'string' || t.type === 'number') {
      operandOut = index
      operandSrc = i
    }
    i++
  }
  return out.join(' ')
}

function typeEnd(tokens: readonly SqlToken[], from: number, to: number): number {
  try {
    return Math.min(parseCrateType(tokens, from).next, to)
  } catch (error) {
    if (error instanceof CrateTypeError) throw parseError(error.message)
    throw error
  }
}

function pgTypeAt(tokens: readonly SqlToken[], from: number, to: number): string {
  try {
    const parsed = parseCrateType(tokens, from)
    if (parsed.next !== to) throw parseError(`unexpected '${tokens[parsed.next]?.text}' after type`)
    return parsed.type.pg
  } catch (error) {
    if (error instanceof CrateTypeError) throw parseError(error.message)
    throw error
  }
}

function objectLiteral(tokens: readonly SqlToken[], from: number, to: number, scope: ExpressionScope): string {
  if (from === to) return `'{}'::jsonb`
  const args: string[] = []
  for (const [a, b] of splitTopLevel(tokens, from, to)) {
    const key = tokens[a]
    if (key === undefined || !(key.type === 'ident' || key.type === 'qident' || key.type === 'string') || !(tokens[a + 1]?.type === 'op' && tokens[a + 1]!.text === '=')) {
      throw parseError('object literal entries are written key = value, e.g. {a = 1, b = \'x\'}')
    }
    const name = key.type === 'string' ? stringValue(key) : identifierName(key)
    args.push(quoteLiteral(name), translateExpression(tokens, a + 2, b, scope))
  }
  return `jsonb_build_object(${args.join(', ')})`
}

/**
 * Handles a run of subscripts `x[...][...]` starting at the `[` at `open`; `operandOut` is where the subscripted
 * operand starts in `out`. Returns the index after the last `]`.
 */
function translateSubscripts(
  tokens: readonly SqlToken[],
  open: number,
  to: number,
  scope: ExpressionScope,
  out: string[],
  operandOut: number,
  operandSrc: number,
): number {
  let i = open
  let json = false
  const steps: string[] = []
  const marksBefore = scope.questionMarks
  while (i < to && isPunct(tokens[i], '[')) {
    const close = skipParens(tokens, i) - 1
    const inner = tokens.slice(i + 1, close)
    const only = inner.length === 1 ? inner[0]! : undefined
    if (only !== undefined && only.type === 'string') {
      json = true
      steps.push(`-> ${quoteLiteral(stringValue(only))}`)
    } else if (json && only !== undefined && only.type === 'number' && /^\d+$/.test(only.text)) {
      steps.push(`-> ${Number(only.text) - 1}`)
    } else if (json) {
      steps.push(`-> ((${translateExpression(tokens, i + 1, close, scope)}) - 1)`)
    } else {
      steps.push(`[${translateExpression(tokens, i + 1, close, scope)}]`)
    }
    i = close + 1
  }
  const base = out.splice(operandOut).join(' ')
  if (!json) {
    out.push(`${base}${steps.join('')}`)
    return i
  }
  const mode = chainMode(tokens, operandSrc, i, to, marksBefore, scope.questionMarks)
  if (mode !== 'json') {
    const last = steps.length - 1
    steps[last] = steps[last]!.replace(/^->/, '->>')
  }
  const chain = `(${base} ${steps.join(' ')})`
  const suffix = typeof mode === 'object' ? argTypeMarker(mode.params) : mode === 'numeric' ? '::numeric' : mode === 'boolean' ? '::boolean' : ''
  out.push(`${chain}${suffix}`)
  return i
}

/** The number of parameter token `token` when the last `?` before it was number `marks`. */
function paramNumber(token: SqlToken, marks: number): number {
  return token.text === '?' ? marks + 1 : Number(token.text.slice(1))
}

/**
 * The parameters a chain ending before source index `k` is compared with when `tokens[k]` starts the other
 * operand: `?`, `? AND ?` after BETWEEN, `(?, ?, …)` after IN (first item a parameter). `marks` is the number of
 * the last `?` before `tokens[k]`. Empty when the operand is not a parameter.
 */
function comparedParams(tokens: readonly SqlToken[], k: number, to: number, marks: number, how: 'value' | 'between' | 'in'): number[] {
  if (how === 'in') {
    const close = skipParens(tokens, k) - 1
    if (close >= to || tokens[k + 1]?.type !== 'param') return []
    const items = splitTopLevel(tokens, k + 1, close)
    const single = items.every(([a, b]) => b - a === 1)
    const params: number[] = []
    let m = marks
    for (const [a, b] of single ? items : items.slice(0, 1)) {
      const t = tokens[a]!
      if (b - a !== 1 || t.type !== 'param') continue
      params.push(paramNumber(t, m))
      if (t.text === '?') m++
    }
    return params
  }
  const first = tokens[k]
  if (k >= to || first?.type !== 'param') return []
  const params = [paramNumber(first, marks)]
  const second = tokens[k + 2]
  if (how === 'between' && keyword(tokens[k + 1]) === 'AND' && k + 2 < to && second?.type === 'param') {
    params.push(paramNumber(second, first.text === '?' ? marks + 1 : marks))
  }
  return params
}

function operandKind(token: SqlToken | undefined, after: SqlToken | undefined): ChainMode {
  if (token === undefined) return 'json'
  if (token.type === 'string' || token.type === 'param') return 'text'
  if (token.type === 'number') return 'numeric'
  if ((token.type === 'op' && (token.text === '-' || token.text === '+')) && after?.type === 'number') return 'numeric'
  const kw = keyword(token)
  if (kw === 'TRUE' || kw === 'FALSE') return 'boolean'
  return 'json'
}

/**
 * How a subscript chain spanning source tokens `[start, end)` is used by its neighbours. `marksBefore` and
 * `marksAfter` are the numbers of the last `?` before the chain and inside it (for parameters it is compared with).
 */
function chainMode(tokens: readonly SqlToken[], start: number, end: number, to: number, marksBefore: number, marksAfter: number): ChainMode {
  const next = end < to ? tokens[end] : undefined
  const prev = start > 0 ? tokens[start - 1] : undefined
  const nextKw = keyword(next)
  if (next !== undefined) {
    if (nextKw === 'IS') return 'text'
    let k = end + 1
    if (nextKw === 'NOT') k++
    const opKw = nextKw === 'NOT' ? keyword(tokens[end + 1]) : nextKw
    const byValue = (next.type === 'op' && VALUE_COMPARISONS.has(next.text)) || opKw === 'BETWEEN'
    if (byValue) {
      const params = comparedParams(tokens, k, to, marksAfter, opKw === 'BETWEEN' ? 'between' : 'value')
      if (params.length > 0) return { params }
    }
    if ((next.type === 'op' && COMPARISONS.has(next.text)) || opKw === 'LIKE' || opKw === 'ILIKE' || opKw === 'BETWEEN') {
      const kind = operandKind(tokens[k], tokens[k + 1])
      if (kind !== 'json') return kind
    }
    if (opKw === 'IN' && isPunct(tokens[k], '(')) {
      const params = comparedParams(tokens, k, to, marksAfter, 'in')
      if (params.length > 0) return { params }
      const kind = operandKind(tokens[k + 1], tokens[k + 2])
      if (kind !== 'json') return kind
    }
    if (next.type === 'op' && ARITHMETIC.has(next.text)) return 'numeric'
    if (next.type === 'op' && next.text === '||') return 'text'
  }
  if (prev !== undefined) {
    // 'a' = ANY(arr['k']): the text values of the objects (`->>` on jsonb[] gives text[]).
    const quantifier = keyword(tokens[start - 2])
    if (isPunct(prev, '(') && isPunct(next, ')') && (quantifier === 'ANY' || quantifier === 'SOME' || quantifier === 'ALL') && tokens[start - 4]?.type === 'string') return 'text'
    if (prev.type === 'op' && VALUE_COMPARISONS.has(prev.text) && start >= 2 && tokens[start - 2]!.type === 'param') {
      const param = tokens[start - 2]!
      return { params: [param.text === '?' ? marksBefore : Number(param.text.slice(1))] }
    }
    if (prev.type === 'op' && COMPARISONS.has(prev.text)) {
      const kind = operandKind(tokens[start - 2], undefined)
      if (kind !== 'json') return kind
    }
    if (prev.type === 'op' && ARITHMETIC.has(prev.text)) return 'numeric'
    if (prev.type === 'op' && prev.text === '||') return 'text'
  }
  return 'json'
}
