import { sql, type ColumnMetadata, type DatabaseIntrospector, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, type TableMetadata } from 'kysely'
import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE } from 'kysely/migration'
import { ServerError } from '../../../src/tarantool/errors.ts'

/** First space id of user spaces; 0..511 are system spaces (tarantool/tarantool `src/box/schema_def.h`). */
const FIRST_USER_SPACE_ID = 512
/**
 * `_space_sequence`: which space field an AUTOINCREMENT sequence feeds (tarantool/tarantool `src/box/schema_def.h`,
 * `BOX_SPACE_SEQUENCE_ID`).
 */
const SPACE_SEQUENCE = '_space_sequence'

interface SpaceRow {
  id: number
  name: string
  flags: unknown
  format: unknown
}

interface SpaceSequenceRow {
  id: number
  field: number
}

/**
 * Reads tables, views and columns from Tarantool's system spaces over SQL
 * (https://www.tarantool.io/en/doc/latest/reference/reference_lua/box_space/system_views/;
 * kysely-org/kysely `src/dialect/database-introspector.ts`): `_vspace` (spaces the session user may see, id ≥ 512) and
 * `_space_sequence`
 * (AUTOINCREMENT links).
 *
 * - `getSchemas()` returns `[]`: Tarantool has no schemas (so the Migrator's `migrationTableSchema` cannot be
 *   used).
 * - `getTables()` lists SQL tables and views (`isView` from `flags.view`), sorted by name, `isForeign` false,
 *   no `schema`. Columns come from the space format: `dataType` is the upper-case Tarantool type
 *   (`INTEGER`, `STRING`, `DOUBLE`, `NUMBER`, `BOOLEAN`, `VARBINARY`, `UNSIGNED`, `SCALAR`, ...; a
 *   `VARCHAR(n)` column reports `STRING`), `isNullable` from `is_nullable`, `hasDefaultValue` when the format
 *   has a SQL `default`, `isAutoIncrementing` for the field a sequence is attached to in `_space_sequence`.
 * - Spaces created from Lua **without a format** are skipped: SQL cannot address their fields, so Kysely
 *   could not query them either. Spaces created from Lua with a format are listed like SQL tables.
 * - The Migrator's tables (`kysely_migration`, `kysely_migration_lock`) are skipped unless
 *   `withInternalKyselyTables` is true.
 * - When the user may not read `_space_sequence` (it has no `_v` view), every column reports
 *   `isAutoIncrementing: false` instead of failing.
 *
 * @example
 * const tables = await db.introspection.getTables()
 * tables.find((t) => t.name === 'users')?.columns.map((c) => `${c.name} ${c.dataType}`)
 * // ['id INTEGER', 'name STRING']
 */
export class TarantoolIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<any>

  /** @param db the plugin-free Kysely that `Dialect.createIntrospector` receives. */
  constructor(db: Kysely<any>) {
    this.#db = db
  }

  /** Always `[]`: Tarantool has no schemas. */
  async getSchemas(): Promise<SchemaMetadata[]> {
    return []
  }

  /**
   * Tables and views with their columns; see the class description for what each field means.
   * @throws the driver's errors (e.g. `ConnectionError`) when `_vspace` cannot be read.
   */
  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const spaces = await sql<SpaceRow>`select "id", "name", "flags", "format" from "_vspace" where "id" >= ${sql.lit(FIRST_USER_SPACE_ID)}`.execute(this.#db)
    const sequences = await this.#autoIncrementFields()
    const tables: TableMetadata[] = []
    for (const space of spaces.rows) {
      const format = Array.isArray(space.format) ? space.format : []
      if (format.length === 0) continue
      if (!options.withInternalKyselyTables && (space.name === DEFAULT_MIGRATION_TABLE || space.name === DEFAULT_MIGRATION_LOCK_TABLE)) continue
      const autoIncrementField = sequences.get(Number(space.id))
      const columns = format.map((field: unknown, index: number): ColumnMetadata => {
        const type = String(prop(field, 'type') ?? 'any')
        return Object.freeze({
          name: String(prop(field, 'name') ?? ''),
          dataType: type.toUpperCase(),
          isNullable: prop(field, 'is_nullable') === true,
          isAutoIncrementing: autoIncrementField === index,
          hasDefaultValue: typeof prop(field, 'default') === 'string',
        })
      })
      tables.push(Object.freeze({ name: space.name, isView: prop(space.flags, 'view') === true, isForeign: false, columns }))
    }
    return tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Space id → field number fed by its sequence; empty when `_space_sequence` is not readable. */
  async #autoIncrementFields(): Promise<Map<number, number>> {
    try {
      const result = await sql<SpaceSequenceRow>`select "id", "field" from ${sql.table(SPACE_SEQUENCE)} where "id" >= ${sql.lit(FIRST_USER_SPACE_ID)}`.execute(this.#db)
      return new Map(result.rows.map((r) => [Number(r.id), Number(r.field)]))
    } catch (error) {
      if (error instanceof ServerError && error.codeName === 'ER_ACCESS_DENIED') return new Map()
      throw error
    }
  }
}

/** Reads a key of a decoded MsgPack map, whether the codec produced a plain object or a Map. */
function prop(value: unknown, key: string): unknown {
  if (value instanceof Map) return value.get(key)
  if (typeof value === 'object' && value !== null) return (value as Record<string, unknown>)[key]
  return undefined
}
