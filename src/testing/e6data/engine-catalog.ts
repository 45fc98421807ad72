import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { engineTypeName } from './duckdb-vectors.ts'

/** A table to register: a CSV or Parquet file (read in place), or a DuckDB query. */
export type TableSource = { csv: string } | { parquet: string } | { query: string }

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * The local engine's catalogs: each e6data catalog is a DuckDB in-memory database attached under its name, each
 * e6data database a schema in it. Tables are views over files or queries, or real tables the caller creates.
 */
export class EngineCatalog {
  readonly instance: DuckDBInstance
  readonly #admin: DuckDBConnection
  readonly #catalogs = new Set<string>()

  private constructor(instance: DuckDBInstance, admin: DuckDBConnection) {
    this.instance = instance
    this.#admin = admin
  }

  static async create(threads?: number): Promise<EngineCatalog> {
    const instance = await DuckDBInstance.create(':memory:', threads === undefined ? {} : { threads: String(threads) })
    const admin = await instance.connect()
    return new EngineCatalog(instance, admin)
  }

  /** Creates `catalog.database` when missing. */
  async ensureDatabase(catalog: string, database: string): Promise<void> {
    if (!this.#catalogs.has(catalog)) {
      await this.#admin.run(`ATTACH IF NOT EXISTS ':memory:' AS ${ident(catalog)}`)
      this.#catalogs.add(catalog)
    }
    await this.#admin.run(`CREATE SCHEMA IF NOT EXISTS ${ident(catalog)}.${ident(database)}`)
  }

  /** Registers a table (a view over a file or query) as `catalog.database.table`. */
  async registerTable(catalog: string, database: string, table: string, source: TableSource): Promise<void> {
    await this.ensureDatabase(catalog, database)
    const body =
      'csv' in source ? `SELECT * FROM read_csv_auto('${source.csv.replaceAll("'", "''")}')`
      : 'parquet' in source ? `SELECT * FROM read_parquet('${source.parquet.replaceAll("'", "''")}')`
      : source.query
    await this.#admin.run(`CREATE OR REPLACE VIEW ${ident(catalog)}.${ident(database)}.${ident(table)} AS ${body}`)
  }

  /** Runs DuckDB SQL as is (create tables, insert test data). */
  async exec(sql: string): Promise<void> {
    await this.#admin.run(sql)
  }

  /**
   * A connection whose default catalog/schema is `catalog.database` (when a catalog is given).
   * @throws Error (DuckDB's `Catalog Error`) for a catalog or database that does not exist, as the engine refuses them.
   */
  async connect(catalog: string | undefined, database: string): Promise<DuckDBConnection> {
    const conn = await this.instance.connect()
    if (catalog !== undefined && catalog !== '') {
      try {
        await conn.run(database !== '' ? `USE ${ident(catalog)}.${ident(database)}` : `USE ${ident(catalog)}`)
      } catch (err) {
        conn.closeSync()
        throw err
      }
    }
    return conn
  }

  async #strings(sql: string, params: string[]): Promise<string[]> {
    const r = await this.#admin.run(sql, params)
    return (await r.getRows()).map((row) => String(row[0]))
  }

  /** Databases of a catalog, sorted. */
  schemaNames(catalog: string): Promise<string[]> {
    return this.#strings(
      `SELECT schema_name FROM information_schema.schemata s WHERE catalog_name = $1 AND schema_name NOT IN ('information_schema', 'pg_catalog') ` +
        `AND (schema_name <> 'main' OR EXISTS (SELECT 1 FROM information_schema.tables t WHERE t.table_catalog = s.catalog_name AND t.table_schema = 'main')) ORDER BY 1`,
      [catalog],
    )
  }

  /** Tables and views of a database, sorted. */
  tables(catalog: string, database: string): Promise<string[]> {
    return this.#strings(`SELECT table_name FROM information_schema.tables WHERE table_catalog = $1 AND table_schema = $2 ORDER BY 1`, [catalog, database])
  }

  /** Columns of a table with the engine's lower-case type names. */
  async columns(catalog: string, database: string, table: string): Promise<{ fieldName: string; fieldType: string }[]> {
    const r = await this.#admin.run(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = $1 AND table_schema = $2 AND table_name = $3 ORDER BY ordinal_position`,
      [catalog, database, table],
    )
    return (await r.getRows()).map((row) => ({ fieldName: String(row[0]), fieldType: engineTypeName(String(row[1])) }))
  }

  /** Registered catalog names. */
  get catalogs(): string[] {
    return [...this.#catalogs]
  }

  close(): void {
    this.#admin.closeSync()
    this.instance.closeSync()
  }
}
