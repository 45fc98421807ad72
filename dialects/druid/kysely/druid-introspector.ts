import { sql, type DatabaseIntrospector, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely'

interface ColumnRow {
  TABLE_SCHEMA: string
  TABLE_NAME: string
  COLUMN_NAME: string
  DATA_TYPE: string
  IS_NULLABLE: string
  TABLE_TYPE: string
}

/**
 * Introspection over Druid's `INFORMATION_SCHEMA` (https://druid.apache.org/docs/latest/querying/sql-metadata-tables):
 * schemas from `SCHEMATA`, datasources (schema `druid`) and their columns from `TABLES`/`COLUMNS` in ordinal order.
 * `dataType` is Druid's `DATA_TYPE` (`TIMESTAMP`, `VARCHAR`, `BIGINT`, `DOUBLE`, `COMPLEX<...>`).
 */
export class DruidIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>

  constructor(db: Kysely<unknown>) {
    this.#db = db
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ SCHEMA_NAME: string }>`SELECT "SCHEMA_NAME" FROM "INFORMATION_SCHEMA"."SCHEMATA"`.execute(this.#db)
    return rows.map((r) => ({ name: r.SCHEMA_NAME }))
  }

  /** Datasources of schema `druid` (with `withInternalKyselyTables` ignored: Druid has none). */
  async getTables(_options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const { rows } = await sql<ColumnRow>`SELECT c."TABLE_SCHEMA", c."TABLE_NAME", c."COLUMN_NAME", c."DATA_TYPE", c."IS_NULLABLE", t."TABLE_TYPE"
      FROM "INFORMATION_SCHEMA"."COLUMNS" c JOIN "INFORMATION_SCHEMA"."TABLES" t ON c."TABLE_SCHEMA" = t."TABLE_SCHEMA" AND c."TABLE_NAME" = t."TABLE_NAME"
      WHERE c."TABLE_SCHEMA" = 'druid' ORDER BY c."TABLE_NAME", c."ORDINAL_POSITION"`.execute(this.#db)
    const tables = new Map<string, TableMetadata>()
    for (const r of rows) {
      let table = tables.get(r.TABLE_NAME)
      if (table === undefined) {
        table = { name: r.TABLE_NAME, schema: r.TABLE_SCHEMA, isView: r.TABLE_TYPE === 'VIEW', isForeign: false, columns: [] }
        tables.set(r.TABLE_NAME, table)
      }
      ;(table.columns as unknown[]).push({
        name: r.COLUMN_NAME,
        dataType: r.DATA_TYPE,
        isNullable: r.IS_NULLABLE === 'YES',
        isAutoIncrementing: false,
        hasDefaultValue: false,
      })
    }
    return [...tables.values()]
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables(options) }
  }
}
