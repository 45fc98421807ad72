import type { CreateTableDefinition } from './create-table-translator.ts'
import type { CrateType } from './crate-types.ts'
import { qualified, type QualifiedName } from './qualified-name.ts'
import { quoteIdent, quoteLiteral } from './sql-tokenizer.ts'

/** Options of {@link createTableScript}. */
export interface CreateTableScriptOptions {
  /**
   * Enable row-level security so that searches only see rows up to the table's refreshed `_seq_no` (the
   * `refreshInterval` knob of the local server).
   */
  readonly visibility: boolean
}

/**
 * The PostgreSQL script (one implicit transaction) that creates a {@link CreateTableDefinition}: the schema if
 * needed, the table with its hidden system columns last — `_id text` (generated from a single-column primary key,
 * set by the `crate_sys.stamp_id` trigger for other keys, random without a key), `_seq_no bigint` (default
 * `nextval('crate_sys.seq_no')`), `_primary_term bigint` (1), `_version bigint` (1) — column comments holding the
 * CrateDB types (JSON `{"type":…, "generated":…}`), a table comment holding the CrateDB options, the
 * `crate_sys.bump` trigger that gives updated rows a new `_seq_no` and `_version`, a trigger for generated
 * columns, and (with `visibility`) the row-level security policy that hides un-refreshed rows from searches and the
 * trigger that keeps the refreshed images of updated and deleted rows for them.
 *
 * @example
 * createTableScript(parseCreateTable(tokens, 'doc'), { visibility: false }) // 'CREATE SCHEMA IF NOT EXISTS "doc"; CREATE TABLE …'
 */
export function createTableScript(definition: CreateTableDefinition, options: CreateTableScriptOptions): string {
  const table = qualified(definition.table)
  const lines: string[] = []
  const columnSql = definition.columns.map((c) => {
    let sql = `${quoteIdent(c.name)} ${c.type.pg}`
    if (c.notNull) sql += ' NOT NULL'
    if (c.defaultExpression !== undefined) sql += ` DEFAULT ${c.defaultExpression}`
    for (const check of c.checks) sql += ` ${check}`
    return sql
  })
  if (definition.primaryKey.length > 0) columnSql.push(`PRIMARY KEY (${definition.primaryKey.map(quoteIdent).join(', ')})`)
  columnSql.push(...definition.checks)
  const idFromKey = idExpression(definition)
  const idColumn =
    definition.primaryKey.length === 0
      ? '"_id" text DEFAULT crate_fn.gen_random_text_uuid()'
      : idFromKey === undefined
        ? '"_id" text'
        : `"_id" text GENERATED ALWAYS AS (${idFromKey}) STORED`
  columnSql.push(idColumn, ...SYSTEM_COLUMN_DEFINITIONS)
  lines.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(definition.table.schema)}`)
  lines.push(`CREATE TABLE ${table} (${columnSql.join(', ')})`)
  for (const c of definition.columns) {
    const meta: Record<string, string> = { type: c.type.crate }
    if (c.generatedSource !== undefined) meta['generated'] = c.generatedSource
    lines.push(`COMMENT ON COLUMN ${table}.${quoteIdent(c.name)} IS ${quoteLiteral(JSON.stringify(meta))}`)
  }
  const o = definition.options
  const tableMeta = {
    clustered_by: o.clusteredBy ?? definition.primaryKey[0] ?? '_id',
    number_of_shards: o.numberOfShards ?? 4,
    partitioned_by: o.partitionedBy.length > 0 ? o.partitionedBy : null,
    column_policy: o.settings['column_policy'] ?? 'strict',
    settings: o.settings,
  }
  lines.push(`COMMENT ON TABLE ${table} IS ${quoteLiteral(JSON.stringify(tableMeta))}`)
  lines.push(...millisecondScript(definition.table, definition.columns))
  const generated = definition.columns.filter((c) => c.generatedExpression !== undefined)
  if (generated.length > 0) {
    const fn = `crate_sys.${quoteIdent(`generated_${definition.table.schema}_${definition.table.name}`)}`
    const body = generated.map((c) => `NEW.${quoteIdent(c.name)} := ${c.generatedExpression};`).join(' ')
    lines.push(`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ${body} RETURN NEW; END $fn$`)
    lines.push(`CREATE TRIGGER crate_10_generated BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`)
  }
  if (definition.primaryKey.length > 0 && idFromKey === undefined) {
    const keyArgs = definition.primaryKey.map(quoteLiteral).join(', ')
    lines.push(`CREATE TRIGGER crate_20_id BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION crate_sys.stamp_id(${keyArgs})`)
  }
  lines.push(systemTriggerScript(table))
  if (options.visibility) lines.push(visibilityScript(table))
  return lines.join(';\n')
}

/**
 * CrateDB stores timestamps in milliseconds (a string with microseconds loses them): a BEFORE INSERT OR UPDATE
 * trigger (`crate_05_ms[_<column>]`, before the generated columns) truncates the TIMESTAMP columns among `columns`
 * to milliseconds. `suffix` names the trigger of columns added later. Empty when no column is a timestamp.
 */
export function millisecondScript(name: QualifiedName, columns: readonly { readonly name: string; readonly type: CrateType }[], suffix = ''): string[] {
  const timestamps = columns.filter((c) => /^timestamp with(out)? time zone$/.test(c.type.crate)).map((c) => quoteIdent(c.name))
  if (timestamps.length === 0) return []
  const table = qualified(name)
  const fn = `crate_sys.${quoteIdent(`ms_${name.schema}_${name.name}${suffix}`)}`
  const body = timestamps.map((c) => `NEW.${c} := date_trunc('milliseconds', NEW.${c});`).join(' ')
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ${body} RETURN NEW; END $fn$`,
    `CREATE TRIGGER ${quoteIdent(`crate_05_ms${suffix}`)} BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
  ]
}

/** Definitions of `_seq_no`, `_primary_term` and `_version` (after `_id`), filled by defaults on INSERT. */
export const SYSTEM_COLUMN_DEFINITIONS: readonly string[] = [
  `"_seq_no" bigint NOT NULL DEFAULT nextval('crate_sys.seq_no')`,
  '"_primary_term" bigint NOT NULL DEFAULT 1',
  '"_version" bigint NOT NULL DEFAULT 1',
]

/**
 * The trigger that gives an updated row a new `_seq_no` and the next `_version`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/system-columns.html).
 */
export function systemTriggerScript(table: string): string {
  return `CREATE TRIGGER crate_30_bump BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION crate_sys.bump()`
}

const NOT_IMMUTABLE_TEXT = /time|date|interval|\[\]|json/

/**
 * `_id` as a stored generated column for a single-column primary key whose text form is immutable
 * (`"id"::text`); `undefined` when a trigger must compute it (composite keys, date/time keys).
 */
function idExpression(definition: CreateTableDefinition): string | undefined {
  if (definition.primaryKey.length !== 1) return undefined
  const key = definition.primaryKey[0]!
  const column = definition.columns.find((c) => c.name === key)
  if (column === undefined || NOT_IMMUTABLE_TEXT.test(column.type.pg)) return undefined
  return `${quoteIdent(key)}::text`
}

/**
 * The refresh knob on one table: row-level security that hides rows written after the last refresh from
 * searches, and the `crate_sys.keep_ghost` trigger that keeps the image of a row updated or deleted since then (if
 * searches see it) for searches (`CrateStore.attachGhosts`).
 */
export function visibilityScript(table: string): string {
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    // A scalar subquery: PostgreSQL evaluates it once per statement instead of once per row (16x faster scans).
    `CREATE POLICY crate_refreshed ON ${table} FOR SELECT USING ("_seq_no" <= (SELECT crate_sys.visible_seq(${quoteLiteral(table)}::regclass)))`,
    `CREATE TRIGGER crate_40_ghost AFTER UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION crate_sys.keep_ghost()`,
    `INSERT INTO crate_sys.visibility (relid, seq) VALUES (${quoteLiteral(table)}::regclass, crate_sys.current_seq()) ON CONFLICT (relid) DO UPDATE SET seq = excluded.seq`,
  ].join(';\n')
}
