import { CrateError, mismatchedInput, parseError } from './crate-error.ts'
import { newScope, splitTopLevel, translateExpression, type ExpressionScope } from './expression-translator.ts'
import { readQualifiedName, type QualifiedName } from './qualified-name.ts'
import { refreshedFromLists, refreshedRowsOf } from './refreshed-reads.ts'
import { equalityColumns, equalityFilter } from './select-analysis.ts'
import { identifierName, keyword, quoteIdent, quoteLiteral, stringValue, type SqlToken } from './sql-tokenizer.ts'
import { findTopLevel, isPunct, sqlStatement } from './statement-helpers.ts'
import type { SqlStatement, TranslateOptions } from './statement-types.ts'
import { checkVersioning } from './versioning-check.ts'

/**
 * CrateDB's system columns (crate/crate `server/src/main/java/io/crate/metadata/doc/SysColumns.java`): never written by
 * INSERT, UPDATE or ON CONFLICT … DO UPDATE.
 * The local server stores `_id`, `_seq_no`, `_primary_term` and `_version`; the others do not exist here but are
 * rejected the same way.
 */
const WRITE_PROTECTED_COLUMNS: ReadonlySet<string> = new Set(['_id', '_version', '_score', '_uid', '_doc', '_raw', '_seq_no', '_primary_term', '_fetchid', '_docid'])

/** INSERT into a system column: ``InvalidColumnNameException["_seq_no" Cannot write to system column]`` (400/4008). */
function insertIntoSystemColumn(name: string): CrateError {
  return new CrateError('InvalidColumnNameException', `"${name}" Cannot write to system column`, 4008)
}

/**
 * UPDATE (or ON CONFLICT … DO UPDATE) of a system column, as CrateDB's `DocTableRelation` rejects it:
 * ``ColumnValidationException[Validation failed for _seq_no: Updating a system column is not supported]`` (400/4003).
 */
function updateOfSystemColumn(name: string): CrateError {
  return new CrateError('ColumnValidationException', `Validation failed for ${name}: Updating a system column is not supported`, 4003)
}

/** Rejects assignments `tokens[from, to)` (`col = e, obj['k'] = e, …`) whose target is a system column. */
function checkAssignmentTargets(tokens: readonly SqlToken[], from: number, to: number): void {
  for (const [a] of splitTopLevel(tokens, from, to)) {
    const target = tokens[a]
    if (target !== undefined && (target.type === 'ident' || target.type === 'qident') && WRITE_PROTECTED_COLUMNS.has(identifierName(target))) {
      throw updateOfSystemColumn(identifierName(target))
    }
  }
}

/** The table an UPDATE or DELETE names at `tokens[at]`, its alias (or own name) and the index after both. */
function targetTable(tokens: readonly SqlToken[], at: number, defaultSchema: string, clauseWords: ReadonlySet<string>): { table: QualifiedName; alias: string; next: number } {
  const { name, next } = readQualifiedName(tokens, at, defaultSchema)
  let k = next
  if (keyword(tokens[k]) === 'AS') k++
  const alias = tokens[k]
  if (alias !== undefined && (alias.type === 'qident' || (alias.type === 'ident' && !clauseWords.has(keyword(alias))))) return { table: name, alias: identifierName(alias), next: k + 1 }
  return { table: name, alias: name.name, next: k }
}

/** `true` when the condition `tokens[from, to)` compares every primary-key column (or `_id`) with values. */
function isPrimaryKeyFilter(tokens: readonly SqlToken[], from: number, to: number, alias: string, primaryKey: readonly string[] | undefined): boolean {
  if (from >= to) return false
  const columns = equalityColumns(tokens, from, to, alias)
  if (columns.includes('_id')) return true
  return primaryKey !== undefined && primaryKey.length > 0 && primaryKey.every((c) => columns.includes(c))
}

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

/** Rejects what CrateDB's `onConflict` rule has no room for: `ON CONFLICT ON CONSTRAINT …`, DO UPDATE without target. */
function checkConflictTarget(tokens: readonly SqlToken[], sql: string): void {
  for (let k = findTopLevel(tokens, 0, tokens.length, new Set(['ON'])); k >= 0; k = findTopLevel(tokens, k + 1, tokens.length, new Set(['ON']))) {
    if (keyword(tokens[k + 1]) !== 'CONFLICT') continue
    const target = tokens[k + 2]
    if (keyword(target) === 'DO' && keyword(tokens[k + 3]) === 'UPDATE') throw mismatchedInput(sql, tokens[k + 3]!.start, tokens[k + 3]!.text, "'NOTHING'")
    if (!isPunct(target, '(') && keyword(target) !== 'DO') throw mismatchedInput(sql, target?.start ?? sql.length, target?.text ?? '<EOF>', "{'(', 'DO'}")
    const set = findTopLevel(tokens, k + 2, tokens.length, new Set(['SET']))
    if (set >= 0) {
      const end = findTopLevel(tokens, set + 1, tokens.length, new Set(['RETURNING', 'WHERE']))
      checkAssignmentTargets(tokens, set + 1, end < 0 ? tokens.length : end)
    }
    return
  }
}

/**
 * INSERT, checked against CrateDB's grammar (`INSERT INTO table [(columns)] query [ON CONFLICT …] [RETURNING …]`:
 * no alias, no DEFAULT VALUES, no `ON CONFLICT ON CONSTRAINT` or `… WHERE`, 400/4000) and for system columns in the
 * column list (400/4008) or in `DO UPDATE SET` (400/4003), with an explicit column list added when the statement has
 * none (see `TranslateOptions.columnsOf`) and, under `TranslateOptions.refreshedReads`, its query reading
 * refreshed rows only (unless it is a primary-key lookup).
 */
export function insertStatement(tokens: readonly SqlToken[], options: TranslateOptions, defaultSchema: string, sql: string): SqlStatement {
  checkOnConflict(tokens, sql)
  checkConflictTarget(tokens, sql)
  if (keyword(tokens[1]) !== 'INTO') throw mismatchedInput(sql, tokens[1]?.start ?? sql.length, tokens[1]?.text ?? '<EOF>', "'INTO'")
  const { name: table, next: k } = readQualifiedName(tokens, 2, defaultSchema)
  const sourceWords = ['SELECT', 'VALUES', 'WITH']
  const hasColumnList = isPunct(tokens[k], '(') && !sourceWords.includes(keyword(tokens[k + 1])) && !isPunct(tokens[k + 1], '(')
  let source = k
  if (hasColumnList) {
    let close = k
    let depth = 0
    for (; close < tokens.length; close++) {
      if (isPunct(tokens[close], '(')) depth++
      else if (isPunct(tokens[close], ')') && --depth === 0) break
    }
    for (const [a, b] of splitTopLevel(tokens, k + 1, close)) {
      const column = tokens[a]
      if (b - a === 1 && column !== undefined && (column.type === 'ident' || column.type === 'qident') && WRITE_PROTECTED_COLUMNS.has(identifierName(column))) {
        throw insertIntoSystemColumn(identifierName(column))
      }
    }
    source = close + 1
  }
  const first = tokens[source]
  if (!isPunct(first, '(') && !sourceWords.includes(keyword(first))) {
    throw mismatchedInput(sql, first?.start ?? sql.length, first?.text ?? '<EOF>', hasColumnList ? "{'(', 'SELECT', 'VALUES', 'WITH'}" : "{'(', 'SELECT', 'VALUES', 'WITH', '.'}")
  }
  let body: readonly SqlToken[] = tokens
  let refreshedReads = false
  if (options.refreshedReads !== undefined && !sourceIsPrimaryKeyLookup(tokens, source, options, defaultSchema)) {
    const rewritten = refreshedFromLists(tokens, defaultSchema, options.refreshedReads)
    body = rewritten.tokens
    refreshedReads = rewritten.changed
  }
  const scope = newScope()
  const head = translateExpression(body, 0, k, scope)
  let columns = ''
  if (!hasColumnList) {
    const known = options.columnsOf?.(table)
    if (known !== undefined) columns = ` (${known.map(quoteIdent).join(', ')})`
  }
  const rest = translateExpression(body, k, body.length, scope)
  return {
    kind: 'sql',
    sql: `${head}${columns} ${rest}`,
    paramCount: scope.maxParam,
    systemColumns: scope.systemColumns,
    verb: 'INSERT',
    ddl: false,
    filter: undefined,
    ensureSchema: undefined,
    refreshedReads,
  }
}

/** `true` when the query of an INSERT (at `tokens[source]`) is a SELECT looking rows up by their whole primary key. */
function sourceIsPrimaryKeyLookup(tokens: readonly SqlToken[], source: number, options: TranslateOptions, defaultSchema: string): boolean {
  let query = tokens.slice(source)
  if (isPunct(query[0], '(') && isPunct(query[query.length - 1], ')')) query = query.slice(1, -1)
  if (keyword(query[0]) !== 'SELECT') return false
  const conflict = findTopLevel(query, 0, query.length, new Set(['ON', 'RETURNING']))
  const filter = equalityFilter(conflict < 0 ? query : query.slice(0, conflict), defaultSchema)
  if (filter === undefined) return false
  if (filter.columns.includes('_id')) return true
  const primaryKey = options.primaryKeyOf?.(filter.table)
  return primaryKey !== undefined && primaryKey.length > 0 && primaryKey.every((c) => filter.columns.includes(c))
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

const UPDATE_CLAUSES: ReadonlySet<string> = new Set(['SET'])
const DELETE_CLAUSES: ReadonlySet<string> = new Set(['WHERE', 'RETURNING', 'USING'])

/**
 * Under `TranslateOptions.refreshedReads`: the statement with its FROM lists reading refreshed rows, and whether
 * its own target must be searched too (no primary-key filter in `tokens[whereFrom, whereTo)`).
 */
function dmlReads(
  tokens: readonly SqlToken[],
  target: { table: QualifiedName; alias: string },
  whereFrom: number,
  whereTo: number,
  options: TranslateOptions,
  defaultSchema: string,
): { tokens: readonly SqlToken[]; searchTarget: boolean; changed: boolean } {
  const refreshed = options.refreshedReads
  if (refreshed === undefined) return { tokens, searchTarget: false, changed: false }
  let primaryKey: readonly string[] | undefined
  try {
    primaryKey = options.primaryKeyOf?.(target.table)
  } catch {
    primaryKey = undefined
  }
  const searchTarget = refreshed(target.table) && !isPrimaryKeyFilter(tokens, whereFrom, whereTo, target.alias, primaryKey)
  const rewritten = refreshedFromLists(tokens, defaultSchema, refreshed)
  return { tokens: rewritten.tokens, searchTarget, changed: rewritten.changed || searchTarget }
}

/**
 * `WHERE "_id" IN (SELECT "_id" FROM crate_sys.refreshed_rows(NULL::<table>) AS <alias> [WHERE <condition>])`: the
 * rows a search on the target finds (refreshed versions), changed in their newest version, as CrateDB's UPDATE and
 * DELETE by query do. `condition` is the translated WHERE condition, or `undefined`.
 */
function searchedTargetCondition(target: { table: QualifiedName; alias: string }, condition: string | undefined): string {
  const where = condition === undefined ? '' : ` WHERE ${condition}`
  return `WHERE "_id" IN (SELECT "_id" FROM ${refreshedRowsOf(target.table)} AS ${quoteIdent(target.alias)}${where})`
}

/**
 * UPDATE, with `SET obj['k'] = v` rewritten to `obj = jsonb_set(coalesce(obj, '{}'), '{k}', v)` (assignments to
 * one column merged), `UPDATE … FROM` rejected like CrateDB's grammar does, system columns rejected as targets
 * (400/4003), optimistic concurrency checked ({@link checkVersioning}) and, under `TranslateOptions.refreshedReads`,
 * the rows to change found by a search unless the WHERE clause is a primary-key filter.
 */
export function updateStatement(tokens: readonly SqlToken[], sql: string, options: TranslateOptions = {}, defaultSchema = 'doc'): SqlStatement {
  const target = targetTable(tokens, 1, defaultSchema, UPDATE_CLAUSES)
  if (keyword(tokens[target.next]) !== 'SET') throw mismatchedInput(sql, tokens[target.next]?.start ?? sql.length, tokens[target.next]?.text ?? '<EOF>', "'SET'")
  const from = findTopLevel(tokens, target.next + 1, tokens.length, new Set(['FROM']))
  if (from >= 0) throw mismatchedInput(sql, tokens[from]!.start, tokens[from]!.text, "{<EOF>, ';', 'WHERE', 'RETURNING', ','}")
  checkDmlVersioning(tokens, 1, options, defaultSchema)
  const clauseEnd = (list: readonly SqlToken[], at: number): number => {
    const end = findTopLevel(list, at, list.length, new Set(['WHERE', 'RETURNING']))
    return end < 0 ? list.length : end
  }
  checkAssignmentTargets(tokens, target.next + 1, clauseEnd(tokens, target.next + 1))
  const originalWhere = findTopLevel(tokens, target.next + 1, tokens.length, new Set(['WHERE']))
  const originalReturning = findTopLevel(tokens, target.next + 1, tokens.length, new Set(['RETURNING']))
  const reads = dmlReads(tokens, target, originalWhere < 0 ? 0 : originalWhere + 1, originalReturning < 0 ? tokens.length : originalReturning, options, defaultSchema)
  const body = reads.tokens
  const set = target.next // the target is never rewritten, so SET keeps its index
  const setEnd = clauseEnd(body, set + 1)
  const scope = newScope()
  const head = reads.searchTarget ? `UPDATE ONLY ${translateExpression(body, 1, set + 1, scope)}` : translateExpression(body, 0, set + 1, scope)
  const plain: string[] = []
  const objectSets = new Map<string, string>()
  for (const [a, b] of splitTopLevel(body, set + 1, setEnd)) {
    if (isPunct(body[a + 1], '[')) {
      const column = identifierName(body[a]!)
      const path: string[] = []
      let k = a + 1
      while (isPunct(body[k], '[') && body[k + 1]?.type === 'string' && isPunct(body[k + 2], ']')) {
        path.push(stringValue(body[k + 1]!))
        k += 3
      }
      if (!(body[k]?.type === 'op' && body[k]!.text === '=') || path.length === 0) throw parseError(`cannot parse the assignment to ${column}[…]`)
      const target = objectSets.get(column) ?? `coalesce(${quoteIdent(column)}, '{}'::jsonb)`
      const pathLiteral = quoteLiteral(`{${path.map((p) => `"${p.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`)
      objectSets.set(column, `jsonb_set(${target}, ${pathLiteral}, ${jsonValue(body, k + 1, b, scope)}, true)`)
    } else {
      plain.push(translateExpression(body, a, b, scope))
    }
  }
  for (const [column, value] of objectSets) plain.push(`${quoteIdent(column)} = ${value}`)
  const tail = dmlTail(body, setEnd, target, reads.searchTarget, scope)
  return {
    kind: 'sql',
    sql: `${head} ${plain.join(', ')}${tail}`,
    paramCount: scope.maxParam,
    systemColumns: scope.systemColumns,
    verb: 'UPDATE',
    ddl: false,
    filter: undefined,
    ensureSchema: undefined,
    refreshedReads: reads.changed,
  }
}

/** The translated `[WHERE …] [RETURNING …]` starting at `body[at]`, the WHERE clause searched when `searchTarget`. */
function dmlTail(body: readonly SqlToken[], at: number, target: { table: QualifiedName; alias: string }, searchTarget: boolean, scope: ExpressionScope): string {
  if (!searchTarget) return at < body.length ? ` ${translateExpression(body, at, body.length, scope)}` : ''
  const where = keyword(body[at]) === 'WHERE' ? at : -1
  const returning = findTopLevel(body, at, body.length, new Set(['RETURNING']))
  const condition = where < 0 ? undefined : translateExpression(body, where + 1, returning < 0 ? body.length : returning, scope)
  const returningSql = returning < 0 ? '' : ` ${translateExpression(body, returning, body.length, scope)}`
  return ` ${searchedTargetCondition(target, condition)}${returningSql}`
}

/**
 * DELETE, checked against CrateDB's grammar (`DELETE FROM table [[AS] alias] [WHERE …]`: no RETURNING, no USING,
 * 400/4000) and for optimistic concurrency ({@link checkVersioning}); under `TranslateOptions.refreshedReads` the
 * rows to delete are found by a search unless the WHERE clause is a primary-key filter.
 */
export function deleteStatement(tokens: readonly SqlToken[], sql: string, options: TranslateOptions = {}, defaultSchema = 'doc'): SqlStatement {
  const bad = findTopLevel(tokens, 1, tokens.length, new Set(['RETURNING', 'USING']))
  if (bad >= 0) throw mismatchedInput(sql, tokens[bad]!.start, tokens[bad]!.text, "{<EOF>, ';', 'WHERE'}")
  if (keyword(tokens[1]) !== 'FROM') throw mismatchedInput(sql, tokens[1]?.start ?? sql.length, tokens[1]?.text ?? '<EOF>', "'FROM'")
  checkDmlVersioning(tokens, 2, options, defaultSchema)
  const target = targetTable(tokens, 2, defaultSchema, DELETE_CLAUSES)
  if (target.next < tokens.length && keyword(tokens[target.next]) !== 'WHERE') {
    throw mismatchedInput(sql, tokens[target.next]!.start, tokens[target.next]!.text, "{<EOF>, ';', 'WHERE'}")
  }
  const where = target.next < tokens.length ? target.next : -1
  const reads = dmlReads(tokens, target, where < 0 ? 0 : where + 1, tokens.length, options, defaultSchema)
  if (!reads.searchTarget) return { ...sqlStatement(reads.tokens, 0, reads.tokens.length, newScope()), refreshedReads: reads.changed }
  const scope = newScope()
  const head = `DELETE FROM ONLY ${translateExpression(reads.tokens, 2, target.next, scope)}`
  const tail = dmlTail(reads.tokens, target.next, target, true, scope)
  return {
    kind: 'sql',
    sql: `${head}${tail}`,
    paramCount: scope.maxParam,
    systemColumns: scope.systemColumns,
    verb: 'DELETE',
    ddl: false,
    filter: undefined,
    ensureSchema: undefined,
    refreshedReads: true,
  }
}
