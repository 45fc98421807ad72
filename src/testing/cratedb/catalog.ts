import type { QualifiedName } from './qualified-name.ts'
import { SYSTEM_COLUMNS } from './expression-translator.ts'
import type { PgliteWire } from './pglite-wire.ts'

/** A column of a relation in the {@link Catalog}. */
export interface ColumnInfo {
  readonly name: string
  /** PostgreSQL attribute number. */
  readonly attnum: number
  /** PostgreSQL type OID. */
  readonly typeOid: number
  /** CrateDB `data_type` recorded when the table was created (`'geo_point'`, `'object'` …), if any. */
  readonly crateType: string | undefined
}

/** A relation (table or view) in the {@link Catalog}. */
export interface TableInfo {
  readonly oid: number
  readonly schema: string
  readonly name: string
  /** `pg_class.relkind`: `'r'` table, `'v'` view … */
  readonly kind: string
  readonly columns: readonly ColumnInfo[]
  /** User columns (system columns excluded) in table order. */
  readonly userColumns: readonly string[]
  /** Primary key columns in key order; empty without a primary key. */
  readonly primaryKey: readonly string[]
  /** `true` for tables created through CREATE TABLE (they carry the system columns). */
  readonly userTable: boolean
}

const CATALOG_SQL = `
SELECT c.oid::integer AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
  a.attnum AS attnum, a.attname AS col, a.atttypid::integer AS type,
  crate_sys.meta(c.oid, a.attnum) ->> 'type' AS crate_type,
  (SELECT json_agg(att.attname ORDER BY k.ord) FROM pg_constraint con
     CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.attnum
   WHERE con.conrelid = c.oid AND con.contype = 'p')::text AS pk
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'crate_sys', 'crate_fn')
ORDER BY c.oid, a.attnum`

/**
 * A snapshot of the relations PGlite holds (user tables, views, blob tables, sys and information_schema views),
 * reloaded by the server after every DDL statement. Gives the CrateDB type of a result column from its source
 * table and attribute number, user column lists, primary keys, and which schemas exist.
 */
export class Catalog {
  readonly #byOid = new Map<number, TableInfo>()
  readonly #byName = new Map<string, TableInfo>()
  readonly #schemas: ReadonlySet<string>

  private constructor(tables: readonly TableInfo[], schemas: ReadonlySet<string>) {
    for (const t of tables) {
      this.#byOid.set(t.oid, t)
      this.#byName.set(`${t.schema}\u0000${t.name}`, t)
    }
    this.#schemas = schemas
  }

  /**
   * Reads the catalog through `wire` (call inside the store's lane).
   * @throws PgError when the catalog query fails.
   */
  static async load(wire: PgliteWire): Promise<Catalog> {
    const rows = await wire.rows(CATALOG_SQL)
    const schemaRows = await wire.rows('SELECT nspname FROM pg_namespace')
    const tables = new Map<number, { info: Omit<TableInfo, 'columns' | 'userColumns' | 'userTable'>; columns: ColumnInfo[] }>()
    for (const row of rows) {
      const oid = Number(row['oid'])
      let entry = tables.get(oid)
      if (entry === undefined) {
        entry = {
          info: { oid, schema: row['schema']!, name: row['name']!, kind: row['kind']!, primaryKey: row['pk'] === null ? [] : (JSON.parse(row['pk']!) as string[]) },
          columns: [],
        }
        tables.set(oid, entry)
      }
      if (row['attnum'] !== null) {
        entry.columns.push({ name: row['col']!, attnum: Number(row['attnum']), typeOid: Number(row['type']), crateType: row['crate_type'] ?? undefined })
      }
    }
    const infos: TableInfo[] = [...tables.values()].map(({ info, columns }) => ({
      ...info,
      columns,
      userColumns: columns.filter((c) => !SYSTEM_COLUMNS.has(c.name)).map((c) => c.name),
      userTable: columns.some((c) => c.name === '_seq_no'),
    }))
    return new Catalog(infos, new Set(schemaRows.map((r) => r['nspname']!)))
  }

  /** The relation `schema.name`, or `undefined`. */
  table(name: QualifiedName): TableInfo | undefined {
    return this.#byName.get(`${name.schema}\u0000${name.name}`)
  }

  /** The relation with this OID, or `undefined`. */
  tableByOid(oid: number): TableInfo | undefined {
    return this.#byOid.get(oid)
  }

  /** CrateDB `data_type` recorded for column `attnum` of relation `oid`, if any. */
  crateType(oid: number, attnum: number): string | undefined {
    return this.#byOid.get(oid)?.columns.find((c) => c.attnum === attnum)?.crateType
  }

  /** `true` when the schema exists in PGlite. */
  hasSchema(schema: string): boolean {
    return this.#schemas.has(schema)
  }

  /** Every user table (created through CREATE TABLE). */
  userTables(): TableInfo[] {
    return [...this.#byOid.values()].filter((t) => t.userTable)
  }
}
