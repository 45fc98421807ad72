import { CrateTypeError, isStorable, parseCrateType, skipParens, type CrateType } from './crate-types.ts'
import { CrateError, parseError, unsupportedFeature } from './crate-error.ts'
import { formatTokens, newScope, splitTopLevel, SYSTEM_COLUMNS, translateExpression } from './expression-translator.ts'
import { identifierName, keyword, quoteIdent, type SqlToken } from './sql-tokenizer.ts'
import { expectName, readQualifiedName, type QualifiedName } from './qualified-name.ts'
import { strictObjectCheck } from './strict-object-check.ts'

/** One column of a {@link CreateTableDefinition}. */
export interface ColumnDefinition {
  readonly name: string
  readonly type: CrateType
  readonly notNull: boolean
  /** PostgreSQL DEFAULT expression, already translated. */
  readonly defaultExpression: string | undefined
  /** PostgreSQL expression over `NEW."col"` evaluated by a BEFORE trigger (CrateDB generated column). */
  readonly generatedExpression: string | undefined
  /** The generated expression as the user wrote it (for `information_schema.columns.generation_expression`). */
  readonly generatedSource: string | undefined
  /** `CHECK (…)` constraints written on the column, translated. */
  readonly checks: readonly string[]
}

/**
 * A parsed, translated `CREATE TABLE`
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/create-table.html).
 */
export interface CreateTableDefinition {
  readonly table: QualifiedName
  readonly ifNotExists: boolean
  readonly columns: readonly ColumnDefinition[]
  readonly primaryKey: readonly string[]
  /** Table-level `[CONSTRAINT n] CHECK (…)` clauses, translated to PostgreSQL. */
  readonly checks: readonly string[]
  /** CrateDB-only table options, kept for `information_schema.tables` (they change nothing in storage). */
  readonly options: {
    readonly clusteredBy: string | undefined
    readonly numberOfShards: number | undefined
    readonly partitionedBy: readonly string[]
    readonly settings: Readonly<Record<string, string>>
  }
}

function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token !== undefined && token.type === 'punct' && token.text === text
}

function pgType(tokens: readonly SqlToken[], index: number): { type: CrateType; next: number } {
  try {
    return parseCrateType(tokens, index)
  } catch (error) {
    if (error instanceof CrateTypeError) throw parseError(error.message)
    throw error
  }
}

/**
 * Rejects a column type CrateDB cannot store (TIME WITH TIME ZONE, INTERVAL, JSON, REG* and OIDVECTOR, arrays of
 * them, also as `OBJECT AS (…)` sub-columns) like CrateDB's analyzer:
 * ``UnsupportedFeatureException[Type `interval` does not support storage]`` (400/4004); likewise NUMERIC without a
 * precision or with a precision above 38.
 */
function requireStorable(tokens: readonly SqlToken[], index: number): void {
  const { type, next } = pgType(tokens, index)
  if (!isStorable(type)) throw unsupportedFeature(`Type \`${type.crate}\` does not support storage`)
  const numeric = /^numeric(?:\((\d+)(?:,\s*\d+)?\))?(?:\[\])*$/.exec(type.pg)
  if (numeric !== null) {
    // CrateDB's NumericStorage: a NUMERIC column needs a precision (the scale defaults to 0), at most 38.
    if (numeric[1] === undefined) throw unsupportedFeature('NUMERIC storage is only supported if precision and scale are specified')
    if (Number(numeric[1]) > 38) throw unsupportedFeature(`Precision for NUMERIC(${numeric[1]}) is too large. Only up to 38 can be stored`)
  }
  for (let k = index; k < next; k++) {
    if (keyword(tokens[k]) !== 'AS' || !isPunct(tokens[k + 1], '(')) continue
    const end = skipParens(tokens, k + 1)
    for (const [a, b] of splitTopLevel(tokens, k + 2, end - 1)) {
      if (a + 1 < b && !COLUMN_CLAUSE_START.has(keyword(tokens[a + 1]))) requireStorable(tokens, a + 1)
    }
    k = end - 1
  }
}

const COLUMN_CLAUSE_START = new Set(['PRIMARY', 'NOT', 'NULL', 'DEFAULT', 'GENERATED', 'AS', 'INDEX', 'STORAGE', 'CHECK', 'CONSTRAINT'])

/** End of an expression that runs until the next column clause keyword (depth 0) or `to`. */
function clauseEnd(tokens: readonly SqlToken[], from: number, to: number): number {
  let depth = 0
  for (let i = from; i < to; i++) {
    const t = tokens[i]!
    if (t.type === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++
    else if (t.type === 'punct' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--
    else if (depth === 0 && i > from && COLUMN_CLAUSE_START.has(keyword(t))) {
      if (keyword(t) === 'NOT' && keyword(tokens[i + 1]) !== 'NULL') continue
      return i
    }
  }
  return to
}

function sourceText(tokens: readonly SqlToken[], from: number, to: number): string {
  return formatTokens(tokens.slice(from, to))
}

interface RawColumn {
  name: string
  type: CrateType
  notNull: boolean
  primaryKey: boolean
  defaultRange: [number, number] | undefined
  generatedRange: [number, number] | undefined
  checks: Array<[number, number, string | undefined]>
  /** The CHECK refusing undeclared keys of an `OBJECT(STRICT)` column (see {@link strictObjectCheck}). */
  strictCheck: string | undefined
}

function parseColumn(tokens: readonly SqlToken[], from: number, to: number): RawColumn {
  const name = expectName(tokens[from], 'a column name')
  if (name.startsWith('_')) {
    throw new CrateError(
      'InvalidColumnNameException',
      SYSTEM_COLUMNS.has(name) ? `"${name}" conflicts with system column` : `"${name}" conflicts with system column pattern`,
      4008,
    )
  }
  let i = from + 1
  let type: CrateType | undefined
  let strictCheck: string | undefined
  if (i < to && !COLUMN_CLAUSE_START.has(keyword(tokens[i]))) {
    requireStorable(tokens, i)
    const parsed = pgType(tokens, i)
    type = parsed.type
    strictCheck = strictObjectCheck(name, tokens, i)
    i = parsed.next
  }
  const column: RawColumn = { name, type: type ?? { crate: 'text', pg: 'text' }, notNull: false, primaryKey: false, defaultRange: undefined, generatedRange: undefined, checks: [], strictCheck }
  while (i < to) {
    const kw = keyword(tokens[i])
    if (kw === 'PRIMARY' && keyword(tokens[i + 1]) === 'KEY') {
      column.primaryKey = true
      i += 2
    } else if (kw === 'NOT' && keyword(tokens[i + 1]) === 'NULL') {
      column.notNull = true
      i += 2
    } else if (kw === 'NULL') {
      i++
    } else if (kw === 'DEFAULT') {
      const end = clauseEnd(tokens, i + 1, to)
      column.defaultRange = [i + 1, end]
      i = end
    } else if (kw === 'GENERATED' || kw === 'AS') {
      let j = i
      if (kw === 'GENERATED') {
        if (keyword(tokens[i + 1]) !== 'ALWAYS' || keyword(tokens[i + 2]) !== 'AS') throw parseError('expected GENERATED ALWAYS AS <expression>')
        j = i + 2
      }
      const end = clauseEnd(tokens, j + 1, to)
      column.generatedRange = [j + 1, end]
      i = end
    } else if (kw === 'INDEX') {
      // INDEX OFF | INDEX USING <method> [WITH (…)]: full-text indexes do not exist here; dropped.
      if (keyword(tokens[i + 1]) === 'OFF') i += 2
      else if (keyword(tokens[i + 1]) === 'USING') {
        i += 3
        if (keyword(tokens[i]) === 'WITH' && isPunct(tokens[i + 1], '(')) i = skipParens(tokens, i + 1)
      } else throw parseError(`unexpected ${tokens[i + 1]?.text ?? 'end'} after INDEX`)
    } else if (kw === 'STORAGE' && keyword(tokens[i + 1]) === 'WITH' && isPunct(tokens[i + 2], '(')) {
      i = skipParens(tokens, i + 2)
    } else if (kw === 'CHECK' && isPunct(tokens[i + 1], '(')) {
      const end = skipParens(tokens, i + 1)
      column.checks.push([i + 2, end - 1, undefined])
      i = end
    } else if (kw === 'CONSTRAINT' && keyword(tokens[i + 2]) === 'CHECK' && isPunct(tokens[i + 3], '(')) {
      const end = skipParens(tokens, i + 3)
      column.checks.push([i + 4, end - 1, identifierName(tokens[i + 1]!)])
      i = end
    } else {
      throw parseError(`line 1:${(tokens[i]?.start ?? 0) + 1}: mismatched input '${tokens[i]?.text}' in the definition of column ${name}`)
    }
  }
  if (type === undefined && column.generatedRange === undefined) throw parseError(`column ${name} needs a type`)
  return column
}

function identifierList(tokens: readonly SqlToken[], open: number): { names: string[]; next: number } {
  const next = skipParens(tokens, open)
  const names = splitTopLevel(tokens, open + 1, next - 1).map(([a]) => expectName(tokens[a], 'a column name'))
  return { names, next }
}

/**
 * Parses and translates `CREATE TABLE [IF NOT EXISTS] [schema.]name (…) [CLUSTERED …] [PARTITIONED BY (…)]
 * [WITH (…)]` (significant tokens, starting at `CREATE`). Column types map as in {@link parseCrateType};
 * `INDEX OFF`, `INDEX USING fulltext …`, `STORAGE WITH (…)`, table-level `INDEX name USING fulltext (…)`,
 * `CLUSTERED`, `PARTITIONED BY` and `WITH (…)` are accepted and only recorded for `information_schema`.
 * Generated columns (`GENERATED ALWAYS AS expr` / `AS expr`) become trigger-computed columns.
 *
 * @example
 * const tokens = tokenize('create table t (id int primary key, o object as (a int)) clustered into 4 shards').filter(isSignificant)
 * parseCreateTable(tokens, 'doc').columns.map((c) => c.type.pg) // ['integer', 'jsonb']
 * @throws CrateError 400/4000 for malformed DDL or an unknown type; 400/4004 for a type CrateDB cannot store
 *   (TIME WITH TIME ZONE, INTERVAL, JSON …); 400/4008 for a column name starting with `_`.
 */
export function parseCreateTable(tokens: readonly SqlToken[], defaultSchema: string): CreateTableDefinition {
  let i = 2 // CREATE TABLE
  let ifNotExists = false
  if (keyword(tokens[i]) === 'IF' && keyword(tokens[i + 1]) === 'NOT' && keyword(tokens[i + 2]) === 'EXISTS') {
    ifNotExists = true
    i += 3
  }
  const { name: table, next } = readQualifiedName(tokens, i, defaultSchema)
  i = next
  if (!isPunct(tokens[i], '(')) throw parseError(`expected ( after CREATE TABLE ${table.name}`)
  const bodyEnd = skipParens(tokens, i)
  const rawColumns: RawColumn[] = []
  const primaryKey: string[] = []
  const tableChecks: string[] = []
  const scope = newScope()
  for (const [a, b] of splitTopLevel(tokens, i + 1, bodyEnd - 1)) {
    const kw = keyword(tokens[a])
    if (kw === 'PRIMARY' && keyword(tokens[a + 1]) === 'KEY') {
      primaryKey.push(...identifierList(tokens, a + 2).names)
    } else if (kw === 'CONSTRAINT' && keyword(tokens[a + 2]) === 'PRIMARY') {
      primaryKey.push(...identifierList(tokens, a + 4).names)
    } else if (kw === 'CONSTRAINT' && keyword(tokens[a + 2]) === 'CHECK') {
      tableChecks.push(`CONSTRAINT ${quoteIdent(identifierName(tokens[a + 1]!))} CHECK (${translateExpression(tokens, a + 4, skipParens(tokens, a + 3) - 1, scope)})`)
    } else if (kw === 'CHECK') {
      tableChecks.push(`CHECK (${translateExpression(tokens, a + 2, skipParens(tokens, a + 1) - 1, scope)})`)
    } else if (kw === 'INDEX' && tokens[a + 1]?.type !== 'punct' && keyword(tokens[a + 2]) === 'USING') {
      // table-level full-text index definition: dropped
    } else {
      const column = parseColumn(tokens, a, b)
      if (column.primaryKey) primaryKey.push(column.name)
      rawColumns.push(column)
    }
  }
  const names = new Set(rawColumns.map((c) => c.name))
  for (const pk of primaryKey) {
    if (!names.has(pk)) throw new CrateError('ColumnUnknownException', `Column ${pk} unknown`, 4043)
  }
  const columns: ColumnDefinition[] = rawColumns.map((c) => {
    const generated = c.generatedRange === undefined ? undefined : translateExpression(tokens, c.generatedRange[0], c.generatedRange[1], newScope({ names, prefix: 'NEW' }))
    return {
      name: c.name,
      type: c.type,
      notNull: c.notNull || primaryKey.includes(c.name),
      defaultExpression: c.defaultRange === undefined ? undefined : translateExpression(tokens, c.defaultRange[0], c.defaultRange[1], scope),
      generatedExpression: generated,
      generatedSource: c.generatedRange === undefined ? undefined : sourceText(tokens, c.generatedRange[0], c.generatedRange[1]),
      checks: [
        ...c.checks.map(([a, b, name]) => `${name === undefined ? '' : `CONSTRAINT ${quoteIdent(name)} `}CHECK (${translateExpression(tokens, a, b, scope)})`),
        ...(c.strictCheck === undefined ? [] : [c.strictCheck]),
      ],
    }
  })
  let clusteredBy: string | undefined
  let numberOfShards: number | undefined
  let partitionedBy: string[] = []
  const settings: Record<string, string> = {}
  i = bodyEnd
  while (i < tokens.length) {
    const kw = keyword(tokens[i])
    if (kw === 'CLUSTERED') {
      i++
      if (keyword(tokens[i]) === 'BY' && isPunct(tokens[i + 1], '(')) {
        clusteredBy = expectName(tokens[i + 2], 'a routing column')
        i = skipParens(tokens, i + 1)
      }
      if (keyword(tokens[i]) === 'INTO') {
        numberOfShards = Number(tokens[i + 1]?.text)
        if (keyword(tokens[i + 2]) !== 'SHARDS') throw parseError('expected CLUSTERED INTO <n> SHARDS')
        i += 3
      }
    } else if (kw === 'PARTITIONED' && keyword(tokens[i + 1]) === 'BY' && isPunct(tokens[i + 2], '(')) {
      const list = identifierList(tokens, i + 2)
      partitionedBy = list.names
      i = list.next
    } else if (kw === 'WITH' && isPunct(tokens[i + 1], '(')) {
      const end = skipParens(tokens, i + 1)
      for (const [a, b] of splitTopLevel(tokens, i + 2, end - 1)) {
        const key = tokens[a]!
        const value = tokens
          .slice(a + 2, b)
          .map((t) => (t.type === 'string' ? t.text.slice(1, -1) : t.text))
          .join('')
        settings[key.type === 'qident' ? identifierName(key) : key.text.toLowerCase()] = value
      }
      i = end
    } else {
      throw parseError(`line 1:${(tokens[i]?.start ?? 0) + 1}: mismatched input '${tokens[i]?.text}' expecting <EOF>`)
    }
  }
  return {
    table,
    ifNotExists,
    columns,
    primaryKey,
    checks: tableChecks,
    options: { clusteredBy, numberOfShards, partitionedBy, settings },
  }
}
