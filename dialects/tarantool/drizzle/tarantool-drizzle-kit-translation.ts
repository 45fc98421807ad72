import { TarantoolMigrationNotSupportedError } from '../tarantool-dialect-errors.ts'

/**
 * One step of a translated migration: a statement to run as is, or `DROP INDEX` by name, which Tarantool only
 * runs with its table (`DROP INDEX "i" ON "t"`); `migrate()` looks the table up in `_vindex` when it gets there.
 * `source` is the 1-based index of the drizzle-kit statement the step comes from.
 */
export type TarantoolMigrationStep =
  | { readonly sql: string; readonly source: number }
  | { readonly dropIndex: string; readonly ifExists: boolean; readonly source: number }

/** Options of {@link translateDrizzleKitSqlite}. */
export interface TarantoolTranslationOptions {
  /** Whether the server runs `ALTER TABLE … ADD COLUMN` (Tarantool 2.7+); default `false` (2.6). */
  readonly addColumn?: boolean
}

/**
 * Translates the statements of one drizzle-kit migration written for `dialect: 'sqlite'` (drizzle-kit 0.31,
 * `src/sqlgenerator.ts` in drizzle-team/drizzle-orm: `SQLiteCreateTableConvertor`, `CreateSqliteIndexConvertor`,
 * `SqliteDropIndexConvertor`, `SQLiteRecreateTableConvertor`, `SQLiteAlterTableAddColumnConvertor`, …) into
 * Tarantool SQL (https://www.tarantool.io/en/doc/2.6/reference/reference_sql/sql_statements_and_clauses/).
 * The result depends on the text only, so a migration that stopped part-way resumes at the same step.
 *
 * What changes, and nothing else:
 * - `` `name` `` identifiers become `"name"` (Tarantool's lexer has no backticks).
 * - Column types: `integer` → INTEGER, `text` → STRING, `text(n)` → VARCHAR(n), `real` → DOUBLE,
 *   `blob` → VARBINARY, `numeric` → STRING; any other type (a `customType` such as `boolean`) is kept.
 *   sqlite-core's `numeric()` sends every value as text (all three modes), which a Tarantool NUMBER column
 *   refuses and 2.6 has no DECIMAL: the values round-trip exactly, but SQL compares and sorts them as text.
 * - `PRIMARY KEY AUTOINCREMENT` moves to the end of its column (Tarantool accepts nothing after AUTOINCREMENT).
 * - `DEFAULT true`/`false` on an INTEGER column (sqlite-core `integer({ mode: 'boolean' })`) becomes 1/0.
 * - `PRAGMA foreign_keys=OFF`/`ON` (around drizzle-kit's table re-creation) are dropped: Tarantool has no such
 *   pragma and always checks foreign keys.
 * - A `CREATE TABLE` whose foreign key names a table created later in the same migration (drizzle-kit writes
 *   tables in name order) moves right after that table: Tarantool resolves references when the table is created.
 * - `DROP INDEX "i"` becomes a {@link TarantoolMigrationStep} resolved to `DROP INDEX "i" ON "<its table>"`.
 * - `ALTER TABLE "t" ADD "c" …` becomes `ALTER TABLE "t" ADD COLUMN "c" …` when `options.addColumn` is set.
 *
 * @param statements the migration's statements (the file split at `--> statement-breakpoint`, comment-only
 *   chunks removed).
 * @param migration the journal tag, for errors.
 * @returns the steps to run, in order.
 * @throws TarantoolMigrationNotSupportedError for what Tarantool SQL cannot run: `ALTER TABLE … ADD` without
 *   `options.addColumn`, `RENAME COLUMN`, `DROP COLUMN`, generated columns, partial indexes, defaults calling
 *   SQLite's date/time functions (`unixepoch()`, `strftime()`, …: Tarantool would create the table, then fail
 *   every INSERT that needs the default), foreign keys that form a cycle between tables created in one migration.
 * @example
 * translateDrizzleKitSqlite(['CREATE TABLE `t` (\n\t`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n\t`x` real\n);'], '0000_init')
 * // [{ sql: 'CREATE TABLE "t" (\n\t"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n\t"x" DOUBLE\n);', source: 1 }]
 */
export function translateDrizzleKitSqlite(statements: readonly string[], migration: string, options: TarantoolTranslationOptions = {}): TarantoolMigrationStep[] {
  const steps: (TarantoolMigrationStep & { created?: string; references?: string[] })[] = []
  for (const [index, statement] of statements.entries()) {
    const refuse = (feature: string, hint: string): never => {
      throw new TarantoolMigrationNotSupportedError(migration, index + 1, statements.length, feature, hint)
    }
    const tokens = tokenize(statement)
    const words = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment')
    const head = words.slice(0, 4).map((t) => t.text.toUpperCase())
    if (head[0] === 'PRAGMA' && head[1] === 'FOREIGN_KEYS') continue
    if (head[0] === 'CREATE' && head[1] === 'TABLE') {
      steps.push({ ...translateCreateTable(tokens, refuse), source: index + 1 })
    } else if (head[0] === 'ALTER' && head[1] === 'TABLE') {
      steps.push({ sql: translateAlterTable(tokens, words, options, refuse), source: index + 1 })
    } else if (head[0] === 'DROP' && head[1] === 'INDEX') {
      const ifExists = head[2] === 'IF' && head[3] === 'EXISTS'
      const name = words[ifExists ? 4 : 2]
      if (name?.kind !== 'ident' || words.length > (ifExists ? 5 : 3) + (words.at(-1)?.text === ';' ? 1 : 0)) {
        steps.push({ sql: render(tokens), source: index + 1 })
      } else {
        steps.push({ dropIndex: name.value, ifExists, source: index + 1 })
      }
    } else if (head[0] === 'CREATE' && (head[1] === 'INDEX' || (head[1] === 'UNIQUE' && head[2] === 'INDEX'))) {
      if (words.some((t) => t.kind === 'word' && t.text.toUpperCase() === 'WHERE')) {
        refuse('partial indexes (CREATE INDEX … WHERE)', 'Tarantool indexes cover every row: drop .where() from the index.')
      }
      steps.push({ sql: render(tokens), source: index + 1 })
    } else {
      steps.push({ sql: render(tokens), source: index + 1 })
    }
  }
  return orderByReferences(steps, migration, statements.length)
}

type Refuse = (feature: string, hint: string) => never

interface Token {
  readonly kind: 'ident' | 'string' | 'word' | 'punct' | 'space' | 'comment'
  /** The text to send (identifiers re-quoted with `"`). */
  text: string
  /** Identifier name without quotes. */
  readonly value: string
}

/** SQLite's lexer as far as drizzle-kit output needs it: `'…'`, `"…"`, `` `…` ``, `[…]`, comments, words, punctuation. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < sql.length) {
    const c = sql[i]!
    let end = i + 1
    let kind: Token['kind'] = 'punct'
    if (/\s/.test(c)) {
      while (end < sql.length && /\s/.test(sql[end]!)) end++
      kind = 'space'
    } else if (c === '-' && sql[i + 1] === '-') {
      end = sql.indexOf('\n', i)
      end = end === -1 ? sql.length : end
      kind = 'comment'
    } else if (c === '/' && sql[i + 1] === '*') {
      end = sql.indexOf('*/', i + 2)
      end = end === -1 ? sql.length : end + 2
      kind = 'comment'
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c
      while (end < sql.length && !(sql[end] === close && sql[end + 1] !== close)) end += sql[end] === close ? 2 : 1
      end = Math.min(end + 1, sql.length)
      if (c === "'") {
        kind = 'string'
      } else {
        const value = sql.slice(i + 1, end - 1).replaceAll(close + close, close)
        tokens.push({ kind: 'ident', text: `"${value.replaceAll('"', '""')}"`, value })
        i = end
        continue
      }
    } else if (/[A-Za-z0-9_$.]/.test(c)) {
      while (end < sql.length && /[A-Za-z0-9_$.]/.test(sql[end]!)) end++
      kind = 'word'
    }
    const text = sql.slice(i, end)
    tokens.push({ kind, text, value: text })
    i = end
  }
  return tokens
}

function render(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join('')
}

/** SQLite's date/time functions (https://sqlite.org/lang_datefunc.html), which Tarantool SQL lacks. */
const CLOCK_FUNCTIONS = new Set(['unixepoch', 'strftime', 'datetime', 'julianday', 'date', 'time', 'timediff'])
const CONSTRAINT_WORDS = new Set(['PRIMARY', 'NOT', 'NULL', 'DEFAULT', 'UNIQUE', 'CHECK', 'REFERENCES', 'COLLATE', 'GENERATED', 'AS', 'AUTOINCREMENT', 'CONSTRAINT'])
const TABLE_CONSTRAINTS = new Set(['PRIMARY', 'FOREIGN', 'UNIQUE', 'CHECK', 'CONSTRAINT'])

/** sqlite column types as drizzle-kit writes them → Tarantool 2.6 types (`text(n)` is handled apart). */
const TYPES: Readonly<Record<string, string>> = { INTEGER: 'INTEGER', TEXT: 'STRING', REAL: 'DOUBLE', BLOB: 'VARBINARY', NUMERIC: 'STRING' }

function translateCreateTable(tokens: Token[], refuse: Refuse): { sql: string; created: string; references: string[] } {
  const open = tokens.findIndex((t) => t.text === '(')
  const close = matching(tokens, open)
  const name = tokens.slice(0, open).filter((t) => t.kind === 'ident').at(-1)?.value ?? ''
  const elements = splitTopLevel(tokens.slice(open + 1, close))
  const references: string[] = []
  const out = elements.map((element) => {
    const words = element.filter((t) => t.kind !== 'space' && t.kind !== 'comment')
    words.forEach((t, i) => {
      if (t.kind === 'word' && t.text.toUpperCase() === 'REFERENCES' && words[i + 1]?.kind === 'ident') references.push(words[i + 1]!.value)
    })
    if (words[0] === undefined || (words[0].kind === 'word' && TABLE_CONSTRAINTS.has(words[0].text.toUpperCase()))) return render(element)
    return translateColumn(element, refuse)
  })
  return { sql: render(tokens.slice(0, open + 1)) + out.join(',') + render(tokens.slice(close)), created: name, references: references.filter((r) => r !== name) }
}

/** One column definition: `"name" type constraints…`. */
function translateColumn(element: Token[], refuse: Refuse): string {
  const first = element.findIndex((t) => t.kind !== 'space' && t.kind !== 'comment')
  let typeEnd = first + 1
  while (typeEnd < element.length) {
    const t = element[typeEnd]!
    if (t.kind === 'word' && CONSTRAINT_WORDS.has(t.text.toUpperCase())) break
    if (t.text === '(') typeEnd = matching(element, typeEnd)
    typeEnd++
  }
  while (typeEnd > first + 1 && element[typeEnd - 1]!.kind === 'space') typeEnd--
  const typeText = render(element.slice(first + 1, typeEnd)).trim()
  const type = columnType(typeText)
  const rest = element.slice(typeEnd).filter((t) => t.kind !== 'comment')
  if (rest.some((t) => t.kind === 'word' && t.text.toUpperCase() === 'GENERATED')) {
    refuse('generated columns (GENERATED ALWAYS AS)', 'Tarantool 2.6 SQL has none: compute the value in the application.')
  }
  let constraints = render(rest)
  const significant = rest.filter((t) => t.kind !== 'space')
  const clock = significant.find((t, i) => t.kind === 'word' && CLOCK_FUNCTIONS.has(t.text.toLowerCase()) && significant[i + 1]?.text === '(')
  if (clock !== undefined) {
    // Tarantool creates the table but every INSERT that needs the value fails ("Function 'UNIXEPOCH' does not exist").
    refuse(
      `SQLite's date/time functions in a column definition (${clock.text.toLowerCase()}())`,
      'Tarantool 2.6 SQL has no date/time functions: set the value in the application instead, e.g. .$defaultFn(() => new Date()).',
    )
  }
  const autoincrement = /\s*\bPRIMARY\s+KEY\s+AUTOINCREMENT\b/i
  const moved = autoincrement.test(constraints)
  constraints = constraints.replace(autoincrement, '')
  if (type === 'INTEGER') constraints = constraints.replace(/\bDEFAULT\s+(true|false)\b/i, (_m, v: string) => `DEFAULT ${v.toLowerCase() === 'true' ? 1 : 0}`)
  const trailing = /\s*$/.exec(constraints)![0]
  constraints = constraints.slice(0, constraints.length - trailing.length) + (moved ? ' PRIMARY KEY AUTOINCREMENT' : '') + trailing
  return render(element.slice(0, first + 1)) + (typeText === '' ? '' : ` ${type}`) + (constraints.length > 0 && !/^\s/.test(constraints) ? ' ' : '') + constraints
}

function columnType(text: string): string {
  const sized = /^text\s*\(\s*(\d+)\s*\)$/i.exec(text)
  if (sized) return `VARCHAR(${sized[1]})`
  return TYPES[text.toUpperCase()] ?? text
}

function translateAlterTable(tokens: Token[], words: Token[], options: TarantoolTranslationOptions, refuse: Refuse): string {
  const action = words.slice(3, 5).map((t) => t.text.toUpperCase())
  if (action[0] === 'RENAME' && action[1] === 'COLUMN') {
    refuse('ALTER TABLE … RENAME COLUMN', 'Rename the field in Lua instead (box.space.<name>:format(...)), or keep the old column name in the schema.')
  }
  if (action[0] === 'DROP') {
    refuse('ALTER TABLE … DROP COLUMN', 'Tarantool SQL cannot drop a column: keep it in the schema, or drop the field in Lua (box.space.<name>:format(...)).')
  }
  if (action[0] === 'ADD' && words[4]?.kind === 'ident') {
    if (options.addColumn !== true) {
      refuse(
        'ALTER TABLE … ADD (a new column) before version 2.7',
        'Tarantool 2.7+ runs ALTER TABLE ADD COLUMN. On 2.6 add the column in a new table (and copy the rows with INSERT … SELECT), or add a nullable field to the space format in Lua (box.space.<name>:format(...)).',
      )
    }
    const addAt = tokens.indexOf(words[3]!)
    const column = tokens.slice(addAt + 1)
    const semicolon = column.findLastIndex((t) => t.text === ';')
    const body = semicolon === -1 ? column : column.slice(0, semicolon)
    return `${render(tokens.slice(0, addAt))}ADD COLUMN${translateColumn(body, refuse).replace(/^\S/, ' $&')}${semicolon === -1 ? '' : render(column.slice(semicolon))}`
  }
  return render(tokens)
}

/** Index of the `)` that closes the `(` at `open`. */
function matching(tokens: readonly Token[], open: number): number {
  let depth = 0
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++
    else if (tokens[i]!.text === ')' && --depth === 0) return i
  }
  return tokens.length
}

/** Splits at the commas outside parentheses. */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]]
  let depth = 0
  for (const t of tokens) {
    if (t.text === '(') depth++
    if (t.text === ')') depth--
    if (t.text === ',' && depth === 0) parts.push([])
    else parts.at(-1)!.push(t)
  }
  return parts
}

/** Moves each CREATE TABLE after the CREATE TABLE of every table it references that this migration creates later. */
function orderByReferences(
  steps: (TarantoolMigrationStep & { created?: string; references?: string[] })[],
  migration: string,
  total: number,
): TarantoolMigrationStep[] {
  const ordered = [...steps]
  for (let pass = 0; pass <= steps.length; pass++) {
    let moved = false
    for (let i = 0; i < ordered.length; i++) {
      const step = ordered[i]!
      const last = ordered.findLastIndex((s, j) => j > i && s.created !== undefined && step.references?.includes(s.created))
      if (last !== -1) {
        ordered.splice(i, 1)
        ordered.splice(last, 0, step)
        moved = true
        break
      }
    }
    if (!moved) return ordered.map((s) => ('sql' in s ? { sql: s.sql, source: s.source } : s))
  }
  const cycle = steps.filter((s) => s.created !== undefined).map((s) => s.created)
  throw new TarantoolMigrationNotSupportedError(
    migration,
    1,
    total,
    `foreign keys that form a cycle between tables created in one migration (${cycle.join(', ')})`,
    'Tarantool resolves a reference when its table is created: create one of the tables without the reference first.',
  )
}
