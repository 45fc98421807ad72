import { mismatchedInput, parseError } from './crate-error.ts'
import { newScope, splitTopLevel, translateExpression, type ExpressionScope } from './expression-translator.ts'
import { readQualifiedName } from './qualified-name.ts'
import { identifierName, keyword, quoteIdent, quoteLiteral, stringValue, type SqlToken } from './sql-tokenizer.ts'
import { findTopLevel, isPunct, sqlStatement } from './statement-helpers.ts'
import type { SqlStatement, TranslateOptions } from './statement-types.ts'
import { checkVersioning } from './versioning-check.ts'

/**
 * Rejects a WHERE clause in `ON CONFLICT`, which CrateDB's grammar does not have (`ON CONFLICT [(cols)] DO NOTHING`
 * and `ON CONFLICT (cols) DO UPDATE SET c = e, …` only): 400/4000 like any syntax error.
 */
function checkOnConflict(tokens: readonly SqlToken[], sql: string): void {
  let on = -1
  for (let k = findTopLevel(tokens, 0, tokens.length, new Set(['ON'])); k >= 0; k = findTopLevel(tokens, k + 1, tokens.length, new Set(['ON']))) {
    if (keyword(tokens[k + 1]) === 'CONFLICT') {
      on = k
      break
    }
  }
  if (on < 0) return
  const where = findTopLevel(tokens, on + 2, tokens.length, new Set(['WHERE']))
  if (where < 0) return
  const doAt = findTopLevel(tokens, on + 2, tokens.length, new Set(['DO']))
  const expecting = doAt < 0 || where < doAt ? "'DO'" : "{<EOF>, ';'}"
  throw mismatchedInput(sql, tokens[where]!.start, tokens[where]!.text, expecting)
}

/** INSERT, with an explicit column list added when the statement has none (see `TranslateOptions.columnsOf`). */
export function insertStatement(tokens: readonly SqlToken[], options: TranslateOptions, defaultSchema: string, sql: string): SqlStatement {
  checkOnConflict(tokens, sql)
  if (keyword(tokens[1]) !== 'INTO') return sqlStatement(tokens, 0, tokens.length, newScope())
  const { name: table, next } = readQualifiedName(tokens, 2, defaultSchema)
  let k = next
  if (keyword(tokens[k]) === 'AS' || (tokens[k]?.type === 'ident' && !['VALUES', 'SELECT', 'WITH', 'DEFAULT'].includes(keyword(tokens[k])))) {
    k += keyword(tokens[k]) === 'AS' ? 2 : 1
  }
  const scope = newScope()
  const head = translateExpression(tokens, 0, k, scope)
  let columns = ''
  if (!isPunct(tokens[k], '(') || ['SELECT', 'WITH', 'VALUES'].includes(keyword(tokens[k + 1]))) {
    const known = options.columnsOf?.(table)
    if (known !== undefined && keyword(tokens[k]) !== 'DEFAULT') columns = ` (${known.map(quoteIdent).join(', ')})`
  }
  const rest = translateExpression(tokens, k, tokens.length, scope)
  return {
    kind: 'sql',
    sql: `${head}${columns} ${rest}`,
    paramCount: scope.maxParam,
    systemColumns: scope.systemColumns,
    verb: 'INSERT',
    ddl: false,
    filter: undefined,
    ensureSchema: undefined,
  }
}

function jsonValue(tokens: readonly SqlToken[], a: number, b: number, scope: ExpressionScope): string {
  if (b - a === 1) {
    const t = tokens[a]!
    if (t.type === 'param') return `(${translateExpression(tokens, a, b, scope)})::jsonb`
    if (t.type === 'string') return `to_jsonb(${t.text}::text)`
    if (keyword(t) === 'NULL') return `'null'::jsonb`
  }
  return `to_jsonb(${translateExpression(tokens, a, b, scope)})`
}

/**
 * Checks optimistic concurrency control in the WHERE clause of an UPDATE or DELETE on the table named at
 * `tokens[at]` (see {@link checkVersioning}).
 */
export function checkDmlVersioning(tokens: readonly SqlToken[], at: number, options: TranslateOptions, defaultSchema: string): void {
  const where = findTopLevel(tokens, at, tokens.length, new Set(['WHERE']))
  if (where < 0) return
  const end = findTopLevel(tokens, where + 1, tokens.length, new Set(['RETURNING']))
  let primaryKey: readonly string[] | undefined
  try {
    primaryKey = options.primaryKeyOf?.(readQualifiedName(tokens, at, defaultSchema).name)
  } catch {
    primaryKey = undefined
  }
  checkVersioning(tokens, where + 1, end < 0 ? tokens.length : end, primaryKey)
}

/**
 * UPDATE, with `SET obj['k'] = v` rewritten to `obj = jsonb_set(coalesce(obj, '{}'), '{k}', v)` (assignments to
 * one column merged), `UPDATE … FROM` rejected like CrateDB's grammar does, and optimistic concurrency checked
 * ({@link checkVersioning}).
 */
export function updateStatement(tokens: readonly SqlToken[], sql: string, options: TranslateOptions = {}, defaultSchema = 'doc'): SqlStatement {
  const set = findTopLevel(tokens, 1, tokens.length, new Set(['SET']))
  if (set < 0) return sqlStatement(tokens, 0, tokens.length, newScope())
  const from = findTopLevel(tokens, set + 1, tokens.length, new Set(['FROM']))
  if (from >= 0) throw mismatchedInput(sql, tokens[from]!.start, tokens[from]!.text, "{<EOF>, ';', 'WHERE', 'RETURNING', ','}")
  checkDmlVersioning(tokens, 1, options, defaultSchema)
  const end = findTopLevel(tokens, set + 1, tokens.length, new Set(['WHERE', 'RETURNING']))
  const setEnd = end < 0 ? tokens.length : end
  const scope = newScope()
  const head = translateExpression(tokens, 0, set + 1, scope)
  const plain: string[] = []
  const objectSets = new Map<string, string>()
  for (const [a, b] of splitTopLevel(tokens, set + 1, setEnd)) {
    if (isPunct(tokens[a + 1], '[')) {
      const column = identifierName(tokens[a]!)
      const path: string[] = []
      let k = a + 1
      while (isPunct(tokens[k], '[') && tokens[k + 1]?.type === 'string' && isPunct(tokens[k + 2], ']')) {
        path.push(stringValue(tokens[k + 1]!))
        k += 3
      }
      if (!(tokens[k]?.type === 'op' && tokens[k]!.text === '=') || path.length === 0) throw parseError(`cannot parse the assignment to ${column}[…]`)
      const target = objectSets.get(column) ?? `coalesce(${quoteIdent(column)}, '{}'::jsonb)`
      const pathLiteral = quoteLiteral(`{${path.map((p) => `"${p.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`)
      objectSets.set(column, `jsonb_set(${target}, ${pathLiteral}, ${jsonValue(tokens, k + 1, b, scope)}, true)`)
    } else {
      plain.push(translateExpression(tokens, a, b, scope))
    }
  }
  for (const [column, value] of objectSets) plain.push(`${quoteIdent(column)} = ${value}`)
  const tail = end < 0 ? '' : ` ${translateExpression(tokens, end, tokens.length, scope)}`
  return {
    kind: 'sql',
    sql: `${head} ${plain.join(', ')}${tail}`,
    paramCount: scope.maxParam,
    systemColumns: scope.systemColumns,
    verb: 'UPDATE',
    ddl: false,
    filter: undefined,
    ensureSchema: undefined,
  }
}
