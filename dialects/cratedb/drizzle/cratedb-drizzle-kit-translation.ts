import { CrateDBMigrationNotSupportedError } from '../cratedb-dialect-errors.ts'

/**
 * CrateDB type names that drizzle-kit writes in double quotes: its `parseType()` (drizzle-kit 0.31,
 * `src/sqlgenerator.ts`) leaves a type unquoted only when it starts with a PostgreSQL type name, so the column
 * helpers' `object…`, `array(…)`, `geo_point`, `geo_shape`, `ip` (and `float_vector(n)`) arrive as `"object"`,
 * `"array(text)"`, `"object(dynamic) as ("a" text)"` — the last one with the helper's own quotes inside.
 */
const CRATEDB_TYPE = /^(object|array\s*\(|geo_point$|geo_shape$|ip$|float_vector\s*\()/i

/** What may follow a column type in drizzle-kit's column definitions (or the end of the definition). */
const AFTER_TYPE = /^(\[\d*\])*(\s+(PRIMARY\s+KEY|DEFAULT|GENERATED|NOT\s+NULL|NULL|CONSTRAINT|UNIQUE|CHECK|REFERENCES)\b|\s*[,;)]|\s*$)/i

/**
 * Translates the statements of one drizzle-kit migration written for `dialect: 'postgresql'` (drizzle-kit 0.31,
 * `src/sqlgenerator.ts` in drizzle-team/drizzle-orm) into CrateDB SQL
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/index.html). The result depends on the
 * text only, and has one entry per statement (`null`: nothing to run on CrateDB), so a migration that stopped
 * part-way resumes at the same statement.
 *
 * What changes, and nothing else:
 * - Quoted column types of this package's helpers (`"array(text)"`, `"object"`, `"object(strict) as ("a"
 *   text)"`, `"geo_point"`, `"geo_shape"`, `"ip"`) are written unquoted, as CrateDB's grammar needs them.
 * - `json`/`jsonb` columns become `object(ignored)`: CrateDB's JSON document type, which stores any keys
 *   without typing them (pg-core sends JSON text, which CrateDB casts to an object on insert); their defaults'
 *   `'{…}'::jsonb` casts become `::object`.
 * - Statements with nothing to do on CrateDB are skipped (`null`): `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY`
 *   and `DROP CONSTRAINT "…_fk"` (CrateDB has no foreign keys; nothing enforces the reference), `CREATE INDEX`
 *   and `DROP INDEX` (CrateDB indexes every column already), `CREATE SCHEMA` (schemas exist implicitly).
 * - `DROP TABLE "t" CASCADE` loses `CASCADE`, which CrateDB's grammar lacks (nothing depends on a table there).
 * - A named composite key `CONSTRAINT "t_pk" PRIMARY KEY(…)` becomes `PRIMARY KEY (…)`.
 *
 * @param statements the migration's statements (the file split at `--> statement-breakpoint`, comment-only
 *   chunks removed).
 * @param migration the journal tag, for errors.
 * @returns per statement, the CrateDB statement to run, or `null` to skip it.
 * @throws CrateDBMigrationNotSupportedError for what CrateDB cannot do: `serial`/`bigserial`/`smallserial` and
 *   identity columns (no sequences), `UNIQUE` constraints and unique indexes, enum types and sequences; and for
 *   an object column whose sub-column type used `[]` (drizzle-kit moves the brackets out of the object type).
 * @example
 * translateDrizzleKitPostgres(['CREATE TABLE "t" (\n\t"id" text PRIMARY KEY NOT NULL,\n\t"tags" "array(text)"\n);'], '0000_init')
 * // ['CREATE TABLE "t" (\n\t"id" text PRIMARY KEY NOT NULL,\n\t"tags" array(text)\n);']
 */
export function translateDrizzleKitPostgres(statements: readonly string[], migration: string): (string | null)[] {
  return statements.map((statement, index) => {
    const refuse = (feature: string, hint: string): never => {
      throw new CrateDBMigrationNotSupportedError(migration, index + 1, statements.length, feature, hint)
    }
    const head = leadingWords(statement, 6)
    const starts = (...words: string[]) => words.every((w, i) => head[i] === w)
    if (starts('CREATE', 'UNIQUE', 'INDEX')) refuse('unique indexes', UNIQUE_HINT)
    if (starts('CREATE', 'INDEX') || starts('DROP', 'INDEX') || starts('CREATE', 'SCHEMA')) return null
    if (starts('CREATE', 'TYPE')) refuse('enum types (CREATE TYPE)', 'Use a text column and check the values in the application.')
    if (starts('CREATE', 'SEQUENCE')) refuse('sequences (CREATE SEQUENCE)', SERIAL_HINT)
    if (starts('DROP', 'TABLE')) return statement.replace(/\s+CASCADE(\s*;?\s*)$/i, '$1')
    if (starts('ALTER', 'TABLE')) {
      const rest = afterTableName(statement)
      if (/^ADD\s+CONSTRAINT\s+"(?:[^"]|"")*"\s+FOREIGN\s+KEY\b/i.test(rest)) return null
      if (/^ADD\s+CONSTRAINT\s+"(?:[^"]|"")*"\s+UNIQUE\b/i.test(rest)) refuse('UNIQUE constraints', UNIQUE_HINT)
      if (/^DROP\s+CONSTRAINT\s+"(?:[^"]|"")*_fk"/i.test(rest)) return null
      if (/^ADD\s+COLUMN\b/i.test(rest)) return translateColumns(statement, statement.length - rest.length, false, refuse)
      return statement
    }
    if (starts('CREATE', 'TABLE')) {
      const open = statement.indexOf('(')
      return open === -1 ? statement : translateColumns(statement, open + 1, true, refuse)
    }
    return statement
  })
}

const UNIQUE_HINT =
  'CrateDB enforces uniqueness only for the primary key: drop .unique()/uniqueIndex() from the schema (or make the column the primary key) and generate again.'
const SERIAL_HINT =
  "CrateDB has no sequences: use text('id').primaryKey().default(sql`gen_random_text_uuid()`) (returned by .returning()), or assign ids in the application."

type Refuse = (feature: string, hint: string) => never

/** The first `count` words of the statement, upper-cased (comments skipped). */
function leadingWords(statement: string, count: number): string[] {
  const text = statement.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
  return (text.match(/"(?:[^"]|"")*"|[A-Za-z_]+/g) ?? []).slice(0, count).map((w) => w.toUpperCase())
}

/** The text after `ALTER TABLE [IF EXISTS] <name>` (name quoted, optionally schema-qualified), trimmed at the start. */
function afterTableName(statement: string): string {
  const m = /^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*))?\s*/i.exec(statement)
  return m === null ? '' : statement.slice(m[0].length)
}

/**
 * Rewrites the column definitions that start at `from`: every element of a CREATE TABLE body (`list`), or the one
 * column of `ADD COLUMN`. Strings, comments and parentheses are skipped as CrateDB's lexer reads them.
 */
function translateColumns(statement: string, from: number, list: boolean, refuse: Refuse): string {
  let out = statement.slice(0, from)
  let i = from
  let elementStart = true
  let depth = 0
  while (i < statement.length) {
    const c = statement[i]!
    if (elementStart && !/\s/.test(c)) {
      elementStart = false
      const rewritten = list || depth === 0 ? rewriteElement(statement, i, refuse) : undefined
      if (rewritten !== undefined) {
        out += rewritten.text
        i = rewritten.end
        continue
      }
    }
    if (c === "'" || c === '"') {
      const end = skipQuoted(statement, i)
      out += statement.slice(i, end)
      i = end
      continue
    }
    if (c === '-' && statement[i + 1] === '-') {
      const end = statement.indexOf('\n', i)
      const stop = end === -1 ? statement.length : end
      out += statement.slice(i, stop)
      i = stop
      continue
    }
    if (c === '(') depth++
    if (c === ')') depth--
    if (c === ',' && depth === 0 && list) elementStart = true
    if (c === 'C' || c === 'c') {
      // ADD COLUMN "x" …: the element starts after the keyword.
      if (!list && /^COLUMN\s/i.test(statement.slice(i, i + 7))) {
        out += statement.slice(i, i + 6)
        i += 6
        elementStart = true
        continue
      }
    }
    out += c
    i++
  }
  return out
}

/** One element starting at `at`: a column `"name" <type> …` gets its type translated; anything else is checked. */
function rewriteElement(statement: string, at: number, refuse: Refuse): { text: string; end: number } | undefined {
  const rest = statement.slice(at)
  if (/^CONSTRAINT\s+"(?:[^"]|"")*"\s+UNIQUE\b/i.test(rest)) refuse('UNIQUE constraints', UNIQUE_HINT)
  const pk = /^CONSTRAINT\s+"(?:[^"]|"")*"\s+PRIMARY\s+KEY\s*\(/i.exec(rest)
  if (pk !== null) return { text: 'PRIMARY KEY (', end: at + pk[0].length }
  if (statement[at] !== '"') return undefined
  const nameEnd = skipQuoted(statement, at)
  const gap = /^\s+/.exec(statement.slice(nameEnd))
  if (gap === null) return undefined
  const typeStart = nameEnd + gap[0].length
  const head = statement.slice(at, typeStart)
  const definition = statement.slice(typeStart)
  if (/^(small|big)?serial\b/i.test(definition)) refuse('serial columns', SERIAL_HINT)
  const constraints = columnConstraints(definition)
  if (/\bGENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b/i.test(constraints)) refuse('identity columns', SERIAL_HINT)
  if (/\bCONSTRAINT\s+"(?:[^"]|"")*"\s+UNIQUE\b/i.test(constraints)) refuse('UNIQUE constraints', UNIQUE_HINT)
  const json = /^jsonb?\b/i.exec(definition)
  if (json !== null) {
    // A default is written as `'{"a":1}'::jsonb`: the cast follows the type.
    const after = constraints.slice(json[0].length).replace(/('(?:[^']|'')*')::jsonb?\b/gi, '$1::object')
    return { text: `${head}object(ignored)${after}`, end: typeStart + constraints.length }
  }
  if (statement[typeStart] !== '"') return undefined
  const quoted = quotedType(statement, typeStart)
  if (quoted === undefined || !CRATEDB_TYPE.test(quoted.type)) return undefined
  if (statement[quoted.end] === '[' && /\bas\s*\(/i.test(quoted.type)) {
    // drizzle-kit's parseType() moves every `[]` of a type to its end, also those of object sub-columns:
    // `object as ("a" text[])` arrives as `"object as ("a" text)"[]`, which would declare an array of objects.
    refuse(
      '`[]` inside object sub-column types as drizzle-kit writes them',
      "drizzle-kit moves the [] of a sub-column type out of the object: declare array sub-columns as 'array(text)', not 'text[]'.",
    )
  }
  return { text: head + quoted.type, end: quoted.end }
}

/** The text of a column definition after its type, up to the end of the element (for the constraint checks). */
function columnConstraints(definition: string): string {
  const end = definition.search(/,\s*\n|\n\s*\)/)
  return end === -1 ? definition : definition.slice(0, end)
}

/**
 * The type drizzle-kit wrote as `"<type>"` at `open`: the first closing `"` after which a column definition may
 * go on ({@link AFTER_TYPE}) and before which the parentheses balance. The type itself may hold `"` (object
 * sub-columns), which drizzle-kit does not escape.
 */
function quotedType(statement: string, open: number): { type: string; end: number } | undefined {
  for (let close = statement.indexOf('"', open + 1); close !== -1; close = statement.indexOf('"', close + 1)) {
    const type = statement.slice(open + 1, close)
    if (!AFTER_TYPE.test(statement.slice(close + 1))) continue
    let depth = 0
    for (const ch of type) {
      if (ch === '(') depth++
      else if (ch === ')' && --depth < 0) break
    }
    if (depth === 0) return { type, end: close + 1 }
  }
  return undefined
}

/** Index just after the `'…'` or `"…"` that opens at `open` (doubled quotes escape). */
function skipQuoted(text: string, open: number): number {
  const quote = text[open]!
  let i = open + 1
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] !== quote) return i + 1
      i += 2
    } else {
      i++
    }
  }
  return text.length
}
