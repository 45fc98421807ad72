import type { DatabaseIntrospector, DatabaseMetadataOptions, SchemaMetadata, TableMetadata } from 'kysely'
import type { Connection } from '../../../src/e6data/connection.ts'

/**
 * Introspection through the metadata RPCs (`getSchemaNamesV2`, `getTablesV2`, `getColumnsV2`), as the connector's
 * SQLAlchemy dialect does (e6data/e6data-python-connector `e6data_python_connector/dialect.py`), not SQL. Column
 * types are the engine's lower-case names (`int`, `decimal(7,2)`, ...); nullability is not reported (all `true`).
 */
export class E6dataIntrospector implements DatabaseIntrospector {
  readonly #connection: () => Promise<{ conn: Connection; release(): Promise<void> }>

  constructor(connection: () => Promise<{ conn: Connection; release(): Promise<void> }>) {
    this.#connection = connection
  }

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { conn, release } = await this.#connection()
    try {
      return (await conn.getSchemaNames()).map((name) => ({ name }))
    } finally {
      await release()
    }
  }

  async getTables(_options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const { conn, release } = await this.#connection()
    try {
      const catalog = conn.catalog ?? ''
      const database = conn.database
      const out: TableMetadata[] = []
      for (const name of await conn.getTables(catalog, database)) {
        const cols = await conn.getColumns(catalog, database, name)
        out.push({
          name,
          schema: database,
          isView: false,
          isForeign: false,
          columns: cols.map((c) => ({ name: c.fieldName, dataType: c.fieldType, isNullable: true, isAutoIncrementing: false, hasDefaultValue: false })),
        } as TableMetadata)
      }
      return out
    } finally {
      await release()
    }
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables(options) }
  }
}
