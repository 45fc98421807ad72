import { CrateTypeError, skipParens } from './crate-types.ts'
import { CrateError, mismatchedInput, parseError, unsupportedFeature } from './crate-error.ts'
import { parseCreateTable, type ColumnDefinition } from './create-table-translator.ts'
import { deleteStatement, insertStatement, updateStatement } from './dml-translator.ts'
import { stripArgTypeMarkers } from './arg-typed-sql.ts'
import { newScope, splitTopLevel } from './expression-translator.ts'
import { readQualifiedName } from './qualified-name.ts'
import { refreshedFromLists } from './refreshed-reads.ts'
import { equalityFilter, selectOutputNames, selectOutputTypes } from './select-analysis.ts'
import { parseFetch, settingValues, showStatement } from './session-statements.ts'
import { expandStars } from './star-expansion.ts'
import { identifierName, isSignificant, keyword, SqlLexError, stringValue, tokenize, type SqlToken } from './sql-tokenizer.ts'
import { checkCrateGrammar } from './grammar-check.ts'
import { findTopLevel, isPunct, sqlStatement } from './statement-helpers.ts'
import type { CrateStatement, TranslateOptions } from './statement-types.ts'

export type { CrateStatement, EqualityFilter, FetchDirection, SqlStatement, TranslateOptions } from './statement-types.ts'

function alterTable(tokens: readonly SqlToken[], defaultSchema: string, sql: string): CrateStatement {
  let i = 2
  if (keyword(tokens[i]) === 'IF' && keyword(tokens[i + 1]) === 'EXISTS') i += 2
  if (keyword(tokens[i]) === 'ONLY') i++
  const { name: table, next } = readQualifiedName(tokens, i, defaultSchema)
  if (keyword(tokens[next]) === 'PARTITION' && isPunct(tokens[next + 1], '(')) return { kind: 'noop', rowcount: -1 }
  const action = keyword(tokens[next])
  if (action === 'SET' || action === 'RESET' || action === 'OPEN' || action === 'CLOSE') return { kind: 'noop', rowcount: -1 }
  if (action === 'ADD') {
    const columns: ColumnDefinition[] = []
    for (const [a, b] of splitTopLevel(tokens, next, tokens.length)) {
      let k = a
      if (keyword(tokens[k]) === 'ADD') k++
      if (keyword(tokens[k]) === 'COLUMN') k++
      if (keyword(tokens[k]) === 'IF' && keyword(tokens[k + 1]) === 'NOT' && keyword(tokens[k + 2]) === 'EXISTS') k += 3
      const mini = tokenize(`create table x (${tokens.slice(k, b).map((t) => t.text).join(' ')})`).filter(isSignificant)
      columns.push(...parseCreateTable(mini, defaultSchema).columns)
    }
    return { kind: 'add-columns', table, columns }
  }
  if (action === 'DROP' || action === 'RENAME') {
    return sqlStatement(tokens, 0, tokens.length, newScope())
  }
  throw mismatchedInput(sql, tokens[next]?.start ?? sql.length, tokens[next]?.text ?? '<EOF>', "{'ADD', 'DROP', 'RENAME', 'SET', 'RESET', 'OPEN', 'CLOSE'}")
}

/**
 * Translates one CrateDB statement to what the local server runs: PostgreSQL text for everything PGlite executes
 * (see {@link translateExpression} for the expression rewrites), or a structured command for statements the
 * server implements itself (transactions, KILL, REFRESH, cursors, SET/SHOW, blob tables, CREATE TABLE).
 *
 * Rejected like CrateDB does: more than one statement (`ParsingException … expecting <EOF>`), ROLLBACK (not in
 * CrateDB's grammar,
 * https://cratedb.com/docs/crate/reference/en/latest/appendices/compatibility.html#appendix-compat-transactions),
 * `DELETE … RETURNING`, `DELETE … USING`, `UPDATE … FROM`, `INSERT … ON CONFLICT …
 * WHERE`, `INSERT INTO t AS alias`, `INSERT … DEFAULT VALUES`, `ON CONFLICT ON CONSTRAINT`, a bracketed statement
 * (`(SELECT …)`), PostgreSQL's `TABLE t` and the PostgreSQL-only query syntax {@link checkCrateGrammar} lists (row
 * locks, DISTINCT ON, LATERAL, WITH RECURSIVE, bracketed set-operation operands, INTERSECT/EXCEPT ALL …) — all
 * 400/4000; writes to system columns (INSERT 400/4008, UPDATE 400/4003); column types CrateDB cannot store
 * (400/4004); and optimistic-concurrency misuse in UPDATE/DELETE (`VersioningValidationException`, 400/4000,
 * https://cratedb.com/docs/crate/reference/en/latest/general/occ.html: `_seq_no`/`_primary_term` only together, with
 * `=`, next to `=` on the whole primary key as
 * `TranslateOptions.primaryKeyOf` gives it, AND only, nothing else).
 *
 * @example
 * translateStatement('select * from t where id = ?') // { kind: 'sql', sql: 'select * from t where id = $1', … }
 * translateStatement('refresh table t, s.u') // { kind: 'refresh', tables: [{ schema: 'doc', name: 't' }, { schema: 's', name: 'u' }] }
 * @throws CrateError for syntax CrateDB rejects, unknown type names and unsupported statements (400/4004).
 */
export function translateStatement(sql: string, options: TranslateOptions = {}): CrateStatement {
  const defaultSchema = options.defaultSchema ?? 'doc'
  let all: SqlToken[]
  try {
    all = tokenize(sql).filter(isSignificant)
  } catch (error) {
    if (error instanceof SqlLexError) throw new CrateError('ParsingException', `line 1:${error.position + 1}: ${error.message}`, 4000)
    throw error
  }
  let tokens = all
  const semicolon = all.findIndex((t) => isPunct(t, ';'))
  if (semicolon >= 0) {
    const extra = all.slice(semicolon + 1).find((t) => !isPunct(t, ';'))
    if (extra !== undefined) throw mismatchedInput(sql, extra.start, extra.text, '<EOF>')
    tokens = all.slice(0, semicolon)
  }
  if (tokens.length === 0) throw mismatchedInput(sql, sql.length, '<EOF>', "{'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', …}")
  checkCrateGrammar(tokens, sql)
  if (options.columnsOf !== undefined) tokens = expandStars(tokens, defaultSchema, options.columnsOf)
  try {
    const statement = translateTokens(tokens, sql, options, defaultSchema)
    return options.argTypedSubscripts === true ? statement : withoutArgTypeMarkers(statement)
  } catch (error) {
    if (error instanceof CrateTypeError) throw parseError(error.message)
    throw error
  }
}

/** `statement` with the argument-type markers of its SQL removed (see `arg-typed-sql.ts`). */
function withoutArgTypeMarkers(statement: CrateStatement): CrateStatement {
  switch (statement.kind) {
    case 'sql':
      return statement.sql.includes('\u0000') ? { ...statement, sql: stripArgTypeMarkers(statement.sql) } : statement
    case 'declare':
    case 'create-table-as':
      return statement.query.sql.includes('\u0000') ? { ...statement, query: { ...statement.query, sql: stripArgTypeMarkers(statement.query.sql) } } : statement
    default:
      return statement
  }
}

function translateTokens(tokens: SqlToken[], sql: string, options: TranslateOptions, defaultSchema: string): CrateStatement {
  const first = keyword(tokens[0])
  const second = keyword(tokens[1])
  switch (first) {
    case 'BEGIN':
    case 'START':
      return { kind: 'begin' }
    case 'COMMIT':
    case 'END':
      return { kind: 'commit' }
    case 'ROLLBACK':
    case 'ABORT':
      throw mismatchedInput(sql, tokens[0]!.start, tokens[0]!.text, "{'ALTER', 'ANALYZE', 'BEGIN', 'COMMIT', 'CREATE', 'DELETE', 'DROP', 'END', 'INSERT', 'SELECT', 'START', 'UPDATE', …}")
    case 'KILL': {
      if (second === 'ALL') return { kind: 'kill', jobId: undefined }
      const id = tokens[1]
      if (id?.type === 'string' || id?.type === 'param') return { kind: 'kill', jobId: id.type === 'string' ? stringValue(id) : id.text }
      throw mismatchedInput(sql, id?.start ?? sql.length, id?.text ?? '<EOF>', "{'ALL', <string>}")
    }
    case 'REFRESH':
    case 'OPTIMIZE': {
      if (second !== 'TABLE') throw mismatchedInput(sql, tokens[1]?.start ?? sql.length, tokens[1]?.text ?? '<EOF>', "'TABLE'")
      const end = findTopLevel(tokens, 2, tokens.length, new Set(['WITH']))
      const list = end < 0 ? tokens : tokens.slice(0, end)
      const tables = splitTopLevel(list, 2, list.length).map(([a]) => readQualifiedName(list, a, defaultSchema).name)
      return { kind: first === 'REFRESH' ? 'refresh' : 'optimize', tables }
    }
    case 'DECLARE': {
      const name = identifierName(tokens[1]!)
      const cursor = findTopLevel(tokens, 2, tokens.length, new Set(['CURSOR']))
      const forIndex = findTopLevel(tokens, 2, tokens.length, new Set(['FOR']))
      if (cursor < 0 || forIndex < 0) throw parseError('expected DECLARE <name> [NO] SCROLL CURSOR [WITH | WITHOUT HOLD] FOR <query>')
      const modifiers = tokens.slice(2, forIndex).map((t) => keyword(t))
      const scroll = modifiers.includes('SCROLL') && modifiers[modifiers.indexOf('SCROLL') - 1] !== 'NO'
      const hold = modifiers.includes('HOLD') && modifiers[modifiers.indexOf('HOLD') - 1] === 'WITH'
      const query = tokens.slice(forIndex + 1)
      const select = keyword(query[0]) === 'SELECT'
      const statement = sqlStatement(query, 0, query.length, newScope(), {
        filter: select ? equalityFilter(query, defaultSchema) : undefined,
        outputNames: select ? selectOutputNames(query) : undefined,
        outputTypes: select ? selectOutputTypes(query) : undefined,
      })
      return { kind: 'declare', name, hold, scroll, query: statement }
    }
    case 'FETCH':
    case 'MOVE':
      return parseFetch(tokens, first === 'MOVE')
    case 'CLOSE': {
      if (second === 'ALL') return { kind: 'close', name: undefined }
      return { kind: 'close', name: identifierName(tokens[1]!) }
    }
    case 'SET': {
      let i = 1
      if (second === 'GLOBAL' || second === 'LICENSE') return { kind: 'noop', rowcount: 1 }
      if (second === 'SESSION' && keyword(tokens[2]) === 'CHARACTERISTICS') return { kind: 'noop', rowcount: 0 }
      if (second === 'TRANSACTION') return { kind: 'noop', rowcount: 0 }
      if (second === 'SESSION' || second === 'LOCAL') i++
      if (keyword(tokens[i]) === 'TIME' && keyword(tokens[i + 1]) === 'ZONE') return { kind: 'set', name: 'timezone', values: settingValues(tokens, i + 2) }
      if (keyword(tokens[i]) === 'SCHEMA') return { kind: 'set', name: 'search_path', values: settingValues(tokens, i + 1) }
      const name = tokens[i]
      if (name === undefined || (name.type !== 'ident' && name.type !== 'qident')) throw mismatchedInput(sql, name?.start ?? sql.length, name?.text ?? '<EOF>', '<identifier>')
      let valueAt = i + 1
      if (keyword(tokens[valueAt]) === 'TO' || (tokens[valueAt]?.type === 'op' && tokens[valueAt]!.text === '=')) valueAt++
      return { kind: 'set', name: identifierName(name), values: settingValues(tokens, valueAt) }
    }
    case 'RESET':
      return { kind: 'reset', name: second === 'ALL' ? undefined : identifierName(tokens[1]!) }
    case 'SHOW':
      return showStatement(tokens, sql, defaultSchema)
    case 'DISCARD':
    case 'ANALYZE':
    case 'CHECKPOINT':
      return { kind: 'noop', rowcount: first === 'DISCARD' ? 0 : 1 }
    case 'COPY':
    case 'GRANT':
    case 'REVOKE':
    case 'DENY':
    case 'SNAPSHOT':
    case 'RESTORE':
    case 'SWAP':
    case 'DEALLOCATE':
      throw unsupportedFeature(`${first} is not supported by the local CrateDB server`)
    case 'CREATE': {
      if (second === 'BLOB' && keyword(tokens[2]) === 'TABLE') {
        const ifNotExists = keyword(tokens[3]) === 'IF'
        return { kind: 'create-blob-table', name: identifierName(tokens[ifNotExists ? 6 : 3]!), ifNotExists }
      }
      if (second === 'TABLE') {
        const asIndex = findTopLevel(tokens, 2, tokens.length, new Set(['AS']))
        const body = tokens.findIndex((t) => isPunct(t, '('))
        if (asIndex >= 0 && (body < 0 || body > asIndex)) {
          const ifNotExists = keyword(tokens[2]) === 'IF'
          const { name } = readQualifiedName(tokens, ifNotExists ? 5 : 2, defaultSchema)
          // The query is a search: under the refresh knob it reads refreshed rows (the table is created as superuser).
          const reads = options.refreshedReads === undefined ? { tokens, changed: false } : refreshedFromLists(tokens, defaultSchema, options.refreshedReads)
          const all = reads.tokens
          let q = asIndex + 1
          if (isPunct(all[q], '(') && skipParens(all, q) === all.length) q++
          const query = sqlStatement(all, q, isPunct(all[all.length - 1], ')') && q > asIndex + 1 ? all.length - 1 : all.length, newScope(), { refreshedReads: reads.changed })
          return { kind: 'create-table-as', table: name, ifNotExists, query }
        }
        return { kind: 'create-table', definition: parseCreateTable(tokens, defaultSchema) }
      }
      if (second === 'USER' || second === 'ROLE' || second === 'FUNCTION' || second === 'ANALYZER' || second === 'REPOSITORY' || second === 'SNAPSHOT' || second === 'PUBLICATION' || second === 'SUBSCRIPTION' || second === 'SERVER' || second === 'FOREIGN') {
        throw unsupportedFeature(`CREATE ${second} is not supported by the local CrateDB server`)
      }
      if (second === 'INDEX' || second === 'UNIQUE') throw mismatchedInput(sql, tokens[1]!.start, tokens[1]!.text, "{'TABLE', 'BLOB', 'VIEW', 'SCHEMA', …}")
      let ensureSchema: string | undefined
      const viewAt = second === 'VIEW' ? 2 : second === 'OR' && keyword(tokens[3]) === 'VIEW' ? 4 : -1
      if (viewAt > 0) {
        const { name } = readQualifiedName(tokens, viewAt, defaultSchema)
        ensureSchema = name.schema
      }
      return sqlStatement(tokens, 0, tokens.length, newScope(), { ensureSchema })
    }
    case 'DROP': {
      if (second === 'BLOB' && keyword(tokens[2]) === 'TABLE') {
        const ifExists = keyword(tokens[3]) === 'IF'
        return { kind: 'drop-blob-table', name: identifierName(tokens[ifExists ? 5 : 3]!), ifExists }
      }
      if (second === 'USER' || second === 'ROLE' || second === 'FUNCTION' || second === 'ANALYZER' || second === 'REPOSITORY' || second === 'SNAPSHOT') {
        throw unsupportedFeature(`DROP ${second} is not supported by the local CrateDB server`)
      }
      return sqlStatement(tokens, 0, tokens.length, newScope())
    }
    case 'ALTER':
      if (second === 'TABLE') return alterTable(tokens, defaultSchema, sql)
      if (second === 'BLOB' || second === 'CLUSTER') return { kind: 'noop', rowcount: second === 'BLOB' ? -1 : 1 }
      throw unsupportedFeature(`ALTER ${second} is not supported by the local CrateDB server`)
    case 'INSERT':
      return insertStatement(tokens, options, defaultSchema, sql)
    case 'UPDATE':
      return updateStatement(tokens, sql, options, defaultSchema)
    case 'DELETE':
      return deleteStatement(tokens, sql, options, defaultSchema)
    case 'SELECT':
      return sqlStatement(tokens, 0, tokens.length, newScope(), {
        filter: equalityFilter(tokens, defaultSchema),
        outputNames: selectOutputNames(tokens),
        outputTypes: selectOutputTypes(tokens),
      })
    case 'WITH':
    case 'VALUES':
    case 'EXPLAIN':
      return sqlStatement(tokens, 0, tokens.length, newScope())
    default:
      // Also `(SELECT …)` and PostgreSQL's `TABLE t`: a statement is never a bracketed query in CrateDB's grammar.
      throw mismatchedInput(sql, tokens[0]!.start, tokens[0]!.text, "{'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', …}")
  }
}

