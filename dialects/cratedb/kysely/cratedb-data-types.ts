import { RawNode, type ColumnDataType, type Expression, type OperationNode } from 'kysely'
import { CrateDBDataTypeNotSupportedError, CrateDBSequencesNotSupportedError } from '../cratedb-dialect-errors.ts'

/**
 * Kysely type names that CrateDB spells differently
 * (CrateDB's type aliases:
 * https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-postgres-aliases).
 */
const RENAMED: Readonly<Record<string, string>> = Object.freeze({
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  // CrateDB's bare `char` is its one-byte BYTE type; Kysely's `char` means a one-character string.
  char: 'character(1)',
  // CrateDB < 6.2 has no UUID type; gen_random_text_uuid() produces text, and JS sees strings either way.
  uuid: 'text',
})

/** Names CrateDB knows as they are. */
const SAME = new Set(['text', 'varchar', 'integer', 'smallint', 'bigint', 'boolean', 'real', 'double precision', 'date'])

const BINARY_HINT =
  'CrateDB has no binary column type: store base64/hex text in a text column, or large files in a BLOB table through the driver.'
const JSON_HINT = "Use an OBJECT column: cratedbType.object() (dynamic) or cratedbType.object('strict', { key: 'text' })."

/**
 * Types CrateDB knows in expressions and CAST but cannot store: CREATE TABLE / ADD COLUMN with them fails
 * (CrateDB's TIME WITH TIME ZONE, INTERVAL and JSON types exist for casts and PostgreSQL compatibility only).
 */
const CAST_ONLY: Readonly<Record<string, { readonly sql: string; readonly hint: string }>> = Object.freeze({
  timetz: { sql: 'time with time zone', hint: "CrateDB cannot store TIME WITH TIME ZONE: use 'timestamptz' for points in time, or store a time of day as text or as milliseconds in an integer." },
  interval: { sql: 'interval', hint: "CrateDB cannot store INTERVAL: store the length as milliseconds in a 'bigint' column (or as text)." },
  json: { sql: 'json', hint: `CrateDB cannot store JSON columns. ${JSON_HINT}` },
})

/**
 * Translates a Kysely data type (as stored in a `DataTypeNode`) to the CrateDB type to emit.
 *
 * | Kysely | CrateDB |
 * |---|---|
 * | `text`, `varchar`, `varchar(n)`, `integer`, `smallint`, `bigint`, `boolean`, `real`, `double precision`, `date` | same |
 * | `int2` / `int4` / `int8` / `float4` / `float8` | `smallint` / `integer` / `bigint` / `real` / `double precision` |
 * | `timestamp` / `timestamptz` | `timestamp without time zone` / `timestamp with time zone` (millisecond precision) |
 * | `char`, `char(n)` | `character(1)`, `character(n)` (CrateDB's bare `char` is a byte) |
 * | `decimal(p, s)`, `numeric(p, s)` | `numeric(p, s)` |
 * | `decimal`, `numeric` | `numeric` in CAST; refused in a column definition (CrateDB stores NUMERIC only with precision and scale) |
 * | `uuid` | `text` (values are strings either way) |
 * | `timetz`, `interval`, `json` | `time with time zone`, `interval`, `json` in CAST; refused in a column definition (CrateDB cannot store them) |
 *
 * @param dataType a Kysely `ColumnDataType`, e.g. `'varchar(255)'`.
 * @param inColumnDefinition `true` inside CREATE TABLE / ADD COLUMN, `false` in CAST.
 * @returns the CrateDB type, e.g. `'timestamp with time zone'`.
 * @throws CrateDBSequencesNotSupportedError for `serial` / `bigserial`.
 * @throws CrateDBDataTypeNotSupportedError for binary, jsonb, `time`, precision-qualified timestamps, MySQL/MSSQL
 *   date types, ranges; in a column definition also for bare `numeric`, `timetz`, `interval` and `json`.
 * @example
 * cratedbDataType('timestamptz', true) // 'timestamp with time zone'
 * cratedbDataType('serial', true)      // throws CrateDBSequencesNotSupportedError
 */
export function cratedbDataType(dataType: string, inColumnDefinition: boolean): string {
  if (SAME.has(dataType)) return dataType
  const renamed = RENAMED[dataType]
  if (renamed !== undefined) return renamed
  const castOnly = CAST_ONLY[dataType]
  if (castOnly !== undefined) {
    if (!inColumnDefinition) return castOnly.sql
    throw new CrateDBDataTypeNotSupportedError(dataType, castOnly.hint)
  }
  if (/^varchar\(\d+\)$/.test(dataType)) return dataType
  const char = /^char\((\d+)\)$/.exec(dataType)
  if (char) return `character(${char[1]})`
  const numeric = /^(?:decimal|numeric)\((\d+), ?(\d+)\)$/.exec(dataType)
  if (numeric) return `numeric(${numeric[1]}, ${numeric[2]})`
  if (dataType === 'decimal' || dataType === 'numeric') {
    if (!inColumnDefinition) return 'numeric'
    throw new CrateDBDataTypeNotSupportedError(dataType, "CrateDB stores NUMERIC only with precision and scale: write 'numeric(p, s)' (e.g. 'numeric(12, 2)'), or use 'double precision'.")
  }
  if (dataType === 'serial' || dataType === 'bigserial') throw new CrateDBSequencesNotSupportedError(`a ${dataType} column`)
  if (/^(bytea|blob|binary|varbinary)(\(\d+\))?$/.test(dataType)) throw new CrateDBDataTypeNotSupportedError(dataType, BINARY_HINT)
  if (dataType === 'jsonb') throw new CrateDBDataTypeNotSupportedError(dataType, JSON_HINT)
  if (/^(timestamp|timestamptz)\(\d+\)$/.test(dataType)) {
    throw new CrateDBDataTypeNotSupportedError(dataType, "CrateDB timestamps always have millisecond precision: write 'timestamptz' or 'timestamp' without (n).")
  }
  if (/^(time|timetz|datetime|datetime2)(\(\d+\))?$/.test(dataType)) {
    throw new CrateDBDataTypeNotSupportedError(dataType, "Use 'timestamptz' for points in time; store a time of day as text or as milliseconds in an integer.")
  }
  if (/range$/.test(dataType)) throw new CrateDBDataTypeNotSupportedError(dataType, 'CrateDB has no range types; store the bounds in two columns.')
  throw new CrateDBDataTypeNotSupportedError(dataType, 'Use one of the types listed in the README, or a cratedbType helper.')
}

/**
 * OBJECT column policy (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/column-policy.html): `strict`
 * rejects unknown keys, `dynamic` adds them as columns, `ignored` stores them unindexed.
 */
export type CrateDBObjectPolicy = 'strict' | 'dynamic' | 'ignored'

/** A type accepted where {@link cratedbType} takes an inner type: a Kysely type name or another `cratedbType`. */
export type CrateDBTypeSpec = ColumnDataType | CrateDBDataType

/**
 * A CrateDB-specific column type usable wherever Kysely takes a data type (`addColumn`, `cast`); built by
 * {@link cratedbType}. It compiles to raw SQL; `sql` holds the text.
 */
export class CrateDBDataType implements Expression<unknown> {
  /** The type as CrateDB SQL, e.g. `array(text)`. */
  readonly sql: string

  /** @param sql the type text; use the {@link cratedbType} factories rather than this constructor. */
  constructor(sql: string) {
    this.sql = sql
  }

  /** Type-level only (Kysely's `Expression` contract). */
  get expressionType(): unknown {
    return undefined
  }

  /** The type as a raw node. */
  toOperationNode(): OperationNode {
    return RawNode.createWithSql(this.sql)
  }
}

function specSql(spec: CrateDBTypeSpec): string {
  return spec instanceof CrateDBDataType ? spec.sql : cratedbDataType(spec, true)
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/**
 * CrateDB column types that Kysely's type names cannot express
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html). Each returns a
 * {@link CrateDBDataType} for `addColumn(name, type)`; inner types may be Kysely names (translated as by
 * {@link cratedbDataType}) or other `cratedbType`s.
 *
 * @example
 * await db.schema
 *   .createTable('quakes')
 *   .addColumn('id', 'text', (c) => c.primaryKey())
 *   .addColumn('location', cratedbType.geoPoint())
 *   .addColumn('tags', cratedbType.array('text'))
 *   .addColumn('props', cratedbType.object('dynamic', { mag: 'double precision', place: 'text' }))
 *   .execute()
 * // create table "quakes" ("id" text primary key, "location" geo_point, "tags" array(text),
 * //   "props" object(dynamic) as ("mag" double precision, "place" text))
 */
export const cratedbType = Object.freeze({
  /**
   * `object[(policy)] [as (col type, …)]`. Without arguments: `object` (CrateDB's default policy, dynamic).
   * @param policy column policy; omitted → CrateDB's default.
   * @param columns declared sub-columns and their types.
   */
  object(policy?: CrateDBObjectPolicy, columns?: Readonly<Record<string, CrateDBTypeSpec>>): CrateDBDataType {
    let text = policy === undefined ? 'object' : `object(${policy})`
    const entries = columns === undefined ? [] : Object.entries(columns)
    if (entries.length > 0) text += ` as (${entries.map(([name, type]) => `${quote(name)} ${specSql(type)}`).join(', ')})`
    return new CrateDBDataType(text)
  },
  /** `array(inner)`, e.g. `array(text)`, `array(object(strict) as (…))`. */
  array(inner: CrateDBTypeSpec): CrateDBDataType {
    return new CrateDBDataType(`array(${specSql(inner)})`)
  },
  /** `geo_point`: values are `[lon, lat]` (also accepted: WKT `'POINT (lon lat)'`). */
  geoPoint(): CrateDBDataType {
    return new CrateDBDataType('geo_point')
  },
  /** `geo_shape`: values are GeoJSON objects or WKT strings. */
  geoShape(): CrateDBDataType {
    return new CrateDBDataType('geo_shape')
  },
  /** `ip`: IPv4/IPv6 addresses as strings. */
  ip(): CrateDBDataType {
    return new CrateDBDataType('ip')
  },
  /** `float_vector(dimensions)` (CrateDB 5.5+), for `knn_match`. */
  floatVector(dimensions: number): CrateDBDataType {
    if (!Number.isInteger(dimensions) || dimensions <= 0) {
      throw new CrateDBDataTypeNotSupportedError(`float_vector(${dimensions})`, 'The dimension must be a positive integer.')
    }
    return new CrateDBDataType(`float_vector(${dimensions})`)
  },
})
