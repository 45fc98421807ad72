import { parseError, mismatchedInput, unsupportedFeature } from './crate-error.ts'
import { newScope, splitTopLevel } from './expression-translator.ts'
import { readQualifiedName } from './qualified-name.ts'
import { identifierName, keyword, quoteLiteral, stringValue, type SqlToken } from './sql-tokenizer.ts'
import type { CrateStatement, FetchDirection, SqlStatement } from './statement-types.ts'

/** The values of `SET name TO a, b` (string literals unquoted, identifiers folded). */
export function settingValues(tokens: readonly SqlToken[], from: number): string[] {
  return splitTopLevel(tokens, from, tokens.length).map(([a, b]) =>
    tokens
      .slice(a, b)
      .map((t) => (t.type === 'string' ? stringValue(t) : t.type === 'qident' || t.type === 'ident' ? identifierName(t) : t.text))
      .join(' '),
  )
}

/**
 * Parses `FETCH|MOVE [direction] [FROM|IN] cursor` (PostgreSQL's directions,
 * https://cratedb.com/docs/crate/reference/en/latest/sql/statements/fetch.html).
 */
export function parseFetch(tokens: readonly SqlToken[], move: boolean): CrateStatement {
  let i = 1
  let direction: FetchDirection = { type: 'forward', count: 1 }
  const count = (t: SqlToken | undefined): number | undefined => {
    if (t === undefined) return undefined
    if (keyword(t) === 'ALL') return Infinity
    if (t.type === 'number') return Number(t.text)
    return undefined
  }
  const signed = (k: number): { value: number; next: number } | undefined => {
    if (tokens[k]?.type === 'op' && tokens[k]!.text === '-' && tokens[k + 1]?.type === 'number') return { value: -Number(tokens[k + 1]!.text), next: k + 2 }
    if (tokens[k]?.type === 'number') return { value: Number(tokens[k]!.text), next: k + 1 }
    return undefined
  }
  const kw = keyword(tokens[i])
  if (kw === 'NEXT') {
    i++
  } else if (kw === 'PRIOR') {
    direction = { type: 'backward', count: 1 }
    i++
  } else if (kw === 'FIRST') {
    direction = { type: 'absolute', position: 1 }
    i++
  } else if (kw === 'LAST') {
    direction = { type: 'absolute', position: -1 }
    i++
  } else if (kw === 'ABSOLUTE' || kw === 'RELATIVE') {
    const n = signed(i + 1)
    if (n === undefined) throw parseError(`${kw} needs a count`)
    direction = kw === 'ABSOLUTE' ? { type: 'absolute', position: n.value } : { type: 'relative', offset: n.value }
    i = n.next
  } else if (kw === 'FORWARD' || kw === 'BACKWARD') {
    i++
    const n = count(tokens[i])
    if (n !== undefined) i++
    direction = { type: kw === 'FORWARD' ? 'forward' : 'backward', count: n ?? 1 }
  } else if (kw === 'ALL') {
    direction = { type: 'forward', count: Infinity }
    i++
  } else {
    const n = signed(i)
    if (n !== undefined) {
      direction = n.value < 0 ? { type: 'backward', count: -n.value } : { type: 'forward', count: n.value }
      i = n.next
    }
  }
  if (keyword(tokens[i]) === 'FROM' || keyword(tokens[i]) === 'IN') i++
  const name = tokens[i]
  if (name === undefined || (name.type !== 'ident' && name.type !== 'qident')) throw parseError('FETCH needs a cursor name')
  return { kind: 'fetch', name: identifierName(name), direction, move }
}

/** `SHOW TABLES|SCHEMAS|COLUMNS …` as queries on `information_schema`, `SHOW <setting>` as a command. */
export function showStatement(tokens: readonly SqlToken[], sql: string, defaultSchema: string): CrateStatement {
  const what = keyword(tokens[1])
  const scope = newScope()
  const synthetic = (text: string): SqlStatement => ({
    kind: 'sql',
    sql: text,
    paramCount: 0,
    systemColumns: scope.systemColumns,
    verb: 'SELECT',
    ddl: false,
    filter: undefined,
    ensureSchema: undefined,
  })
  if (what === 'TABLES') {
    let schema = defaultSchema
    let i = 2
    if (keyword(tokens[i]) === 'FROM' || keyword(tokens[i]) === 'IN') {
      schema = identifierName(tokens[i + 1]!)
      i += 2
    }
    let filter = ''
    if (keyword(tokens[i]) === 'LIKE' && tokens[i + 1]?.type === 'string') filter = ` AND table_name LIKE ${tokens[i + 1]!.text}`
    return synthetic(`SELECT table_name FROM crate_info.tables WHERE table_schema = ${quoteLiteral(schema)} AND table_type = 'BASE TABLE'${filter} ORDER BY 1`)
  }
  if (what === 'SCHEMAS') {
    const filter = keyword(tokens[2]) === 'LIKE' && tokens[3]?.type === 'string' ? ` WHERE schema_name LIKE ${tokens[3].text}` : ''
    return synthetic(`SELECT schema_name FROM crate_info.schemata${filter} ORDER BY 1`)
  }
  if (what === 'COLUMNS' && (keyword(tokens[2]) === 'FROM' || keyword(tokens[2]) === 'IN')) {
    let { name } = readQualifiedName(tokens, 3, defaultSchema)
    const after = readQualifiedName(tokens, 3, defaultSchema).next
    if (keyword(tokens[after]) === 'FROM' || keyword(tokens[after]) === 'IN') name = { schema: identifierName(tokens[after + 1]!), name: name.name }
    return synthetic(
      `SELECT column_name, data_type FROM crate_info.columns WHERE table_schema = ${quoteLiteral(name.schema)} AND table_name = ${quoteLiteral(name.name)} ORDER BY ordinal_position`,
    )
  }
  if (what === 'TRANSACTION' || what === 'TRANSACTION_ISOLATION') return synthetic(`SELECT 'read uncommitted' AS transaction_isolation`)
  if (what === 'CREATE') throw unsupportedFeature('SHOW CREATE TABLE is not supported by the local CrateDB server')
  const name = tokens[1]
  if (name === undefined || (name.type !== 'ident' && name.type !== 'qident')) throw mismatchedInput(sql, tokens[1]?.start ?? sql.length, tokens[1]?.text ?? '<EOF>', "{'TABLES', 'SCHEMAS', 'COLUMNS', <identifier>}")
  return { kind: 'show', name: identifierName(name) }
}
