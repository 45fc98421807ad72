import { sql, type ColumnMetadata, type DatabaseIntrospector, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely'
import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE } from 'kysely/migration'

/**
 * Schemas CrateDB always has that hold no user tables
 * (https://cratedb.com/docs/crate/reference/en/latest/general/information-schema.html).
 */
export const CRATEDB_SYSTEM_SCHEMAS: readonly string[] = Object.freeze(['blob', 'information_schema', 'pg_catalog', 'sys'])

interface TableRow {
  table_schema: string
  table_name: string
  table_type: string
}

interface ColumnRow {
  table_schema: string
  table_name: string
  column_name: string
  ordinal_position: number
  data_type: string
  is_nullable: string | boolean
  column_default: string | null
  is_generated: string | null
}

/**
 * Reads schemas, tables, views and columns from CrateDB's `information_schema`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/information-schema.html;
 * kysely-org/kysely `src/dialect/database-introspector.ts`). `information_schema` reflects the cluster state, so a
 * table appears as soon as its
 * CREATE TABLE returned — no refresh needed.
 *
 * - `getSchemas()`: `information_schema.schemata` without the system schemas (`blob`, `information_schema`,
 *   `pg_catalog`, `sys`), sorted by name.
 * - `getTables()`: `information_schema.tables` (`BASE TABLE` and `VIEW`) and `information_schema.columns`
 *   outside the system schemas, sorted by schema then name; `isView` for views, `isForeign` for foreign
 *   tables (CrateDB 5.7+ `FOREIGN`), columns in ordinal order with
 *   - `dataType`: CrateDB's type name as `information_schema` spells it (`text`, `integer`, `bigint`,
 *     `double precision`, `timestamp with time zone`, `object`, `geo_point`, `text_array`, …);
 *   - `isNullable`: from `is_nullable` (`NO` for primary-key and NOT NULL columns);
 *   - `hasDefaultValue`: a `column_default` or a generated column (`is_generated = 'ALWAYS'`);
 *   - `isAutoIncrementing`: always false (CrateDB has no sequences).
 *   Sub-columns of OBJECT columns (listed by CrateDB as `obj['key']`) are skipped: they are paths inside
 *   their object column, not columns of the table.
 * - The Migrator's tables (`kysely_migration`, `kysely_migration_lock`) are skipped unless
 *   `withInternalKyselyTables` is true.
 *
 * @example
 * const tables = await db.introspection.getTables()
 * tables.find((t) => t.name === 'quakes')?.columns.map((c) => `${c.name} ${c.dataType}`)
 * // ['id text', 'location geo_point', 'props object']
 */
export class CrateDBIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<any>

  /** @param db the plugin-free Kysely that `Dialect.createIntrospector` receives. */
  constructor(db: Kysely<any>) {
    this.#db = db
  }

  /**
   * User schemas, sorted by name.
   * @throws the driver's errors when `information_schema.schemata` cannot be read.
   */
  async getSchemas(): Promise<SchemaMetadata[]> {
    const result = await sql<{ schema_name: string }>`select "schema_name" from "information_schema"."schemata" where "schema_name" not in (${systemSchemas()}) order by "schema_name"`.execute(this.#db)
    return result.rows.map((r) => Object.freeze({ name: r.schema_name }))
  }

  /**
   * Tables and views with their columns; see the class description for what each field means.
   * @throws the driver's errors when `information_schema` cannot be read.
   */
  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const tables = await sql<TableRow>`select "table_schema", "table_name", "table_type" from "information_schema"."tables" where "table_schema" not in (${systemSchemas()})`.execute(this.#db)
    const columns = await sql<ColumnRow>`select "table_schema", "table_name", "column_name", "ordinal_position", "data_type", "is_nullable", "column_default", "is_generated" from "information_schema"."columns" where "table_schema" not in (${systemSchemas()})`.execute(this.#db)

    const byTable = new Map<string, ColumnRow[]>()
    for (const column of columns.rows) {
      if (column.column_name.includes('[')) continue
      const key = tableKey(column.table_schema, column.table_name)
      const list = byTable.get(key)
      if (list === undefined) byTable.set(key, [column])
      else list.push(column)
    }

    const result: TableMetadata[] = []
    for (const table of tables.rows) {
      if (!options.withInternalKyselyTables && (table.table_name === DEFAULT_MIGRATION_TABLE || table.table_name === DEFAULT_MIGRATION_LOCK_TABLE)) continue
      const cols = (byTable.get(tableKey(table.table_schema, table.table_name)) ?? []).sort((a, b) => Number(a.ordinal_position) - Number(b.ordinal_position))
      result.push(
        Object.freeze({
          name: table.table_name,
          schema: table.table_schema,
          isView: table.table_type === 'VIEW',
          isForeign: table.table_type === 'FOREIGN',
          columns: cols.map(
            (c): ColumnMetadata =>
              Object.freeze({
                name: c.column_name,
                dataType: c.data_type,
                isNullable: c.is_nullable === true || c.is_nullable === 'YES',
                isAutoIncrementing: false,
                hasDefaultValue: c.column_default !== null || c.is_generated === 'ALWAYS',
              }),
          ),
        }),
      )
    }
    return result.sort((a, b) => compare(a.schema ?? '', b.schema ?? '') || compare(a.name, b.name))
  }
}

function systemSchemas() {
  return sql.join(CRATEDB_SYSTEM_SCHEMAS.map((s) => sql.lit(s)))
}

function tableKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
