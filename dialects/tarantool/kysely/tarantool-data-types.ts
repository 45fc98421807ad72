import { TarantoolDataTypeNotSupportedError } from '../tarantool-dialect-errors.ts'

const SUPPORTED =
  "Use 'text'/'varchar(n)' (STRING), 'integer'/'bigint' (INTEGER), 'double precision'/'real' (DOUBLE), " +
  "'boolean', 'blob'/'varbinary' (VARBINARY), 'decimal'/'numeric' (NUMBER), or a raw sql`...` type such as " +
  'sql`unsigned` or sql`scalar`.'

/**
 * Kysely's data type names and the Tarantool SQL type each compiles to
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_user_guide/#sql-operand-data-types: REAL, FLOAT,
 * BLOB, CHAR, DATE, TIME, TIMESTAMP, BIGINT, SMALLINT and NUMERIC are not Tarantool types, so they are
 * translated). `uuid` becomes STRING because that is how the values reach JavaScript either way.
 */
const SIMPLE_TYPES: Readonly<Record<string, string>> = Object.freeze({
  text: 'STRING',
  varchar: 'STRING',
  uuid: 'STRING',
  integer: 'INTEGER',
  int2: 'INTEGER',
  int4: 'INTEGER',
  int8: 'INTEGER',
  smallint: 'INTEGER',
  bigint: 'INTEGER',
  real: 'DOUBLE',
  'double precision': 'DOUBLE',
  float4: 'DOUBLE',
  float8: 'DOUBLE',
  boolean: 'BOOLEAN',
  blob: 'VARBINARY',
  bytea: 'VARBINARY',
  binary: 'VARBINARY',
  varbinary: 'VARBINARY',
  decimal: 'NUMBER',
  numeric: 'NUMBER',
})

/** Why the remaining Kysely types are refused, and what to use instead. */
const REFUSED: Readonly<Record<string, string>> = Object.freeze({
  date: 'Tarantool 2.x SQL has no date/time types (DATETIME needs 2.10+ via sql`datetime`); store ISO strings in a \'text\' column or epoch milliseconds in an \'integer\' column.',
  char: "CHAR is not a Tarantool type and STRING does not pad; use 'text' or 'varchar(n)'.",
  json: "Tarantool 2.6 SQL has no JSON type (MAP/ARRAY/ANY need 2.10+ via sql`map` etc.); store serialised JSON in a 'text' column.",
  serial: "Tarantool has no serial types; declare 'integer' with .primaryKey().autoIncrement() (Tarantool's AUTOINCREMENT, allowed on the primary key only).",
  range: 'Tarantool has no range types.',
})

const DATE_TIME = /^(date|datetime|datetime2|time|timetz|timestamp|timestamptz)(\(\d+\))?$/

/**
 * Translates a Kysely data type (as stored in a `DataTypeNode`) to the Tarantool SQL type name to emit.
 *
 * - `varchar(n)` stays `VARCHAR(n)` (Tarantool accepts it; `n` is not enforced, the column is a STRING).
 * - `decimal(p, s)` / `numeric(p, s)` become NUMBER (an integer or double: precision and scale are lost).
 * - `binary(n)` / `varbinary(n)` become VARBINARY.
 *
 * @param dataType a Kysely `ColumnDataType`, e.g. `'varchar(255)'`, `'double precision'`.
 * @returns the upper-case Tarantool type, e.g. `'STRING'`, `'VARCHAR(255)'`.
 * @throws TarantoolDataTypeNotSupportedError for date/time, json, char, serial, range and unknown types.
 * @example
 * tarantoolDataType('text')         // 'STRING'
 * tarantoolDataType('varchar(255)') // 'VARCHAR(255)'
 * tarantoolDataType('timestamp')    // throws TarantoolDataTypeNotSupportedError
 */
export function tarantoolDataType(dataType: string): string {
  const simple = SIMPLE_TYPES[dataType]
  if (simple !== undefined) return simple
  const varchar = /^varchar\((\d+)\)$/.exec(dataType)
  if (varchar) return `VARCHAR(${varchar[1]})`
  if (/^(var)?binary\(\d+\)$/.test(dataType)) return 'VARBINARY'
  if (/^(decimal|numeric)\(\d+, ?\d+\)$/.test(dataType)) return 'NUMBER'
  if (DATE_TIME.test(dataType)) throw new TarantoolDataTypeNotSupportedError(dataType, REFUSED['date']!)
  if (/^char(\(\d+\))?$/.test(dataType)) throw new TarantoolDataTypeNotSupportedError(dataType, REFUSED['char']!)
  if (dataType === 'json' || dataType === 'jsonb') throw new TarantoolDataTypeNotSupportedError(dataType, REFUSED['json']!)
  if (dataType === 'serial' || dataType === 'bigserial') throw new TarantoolDataTypeNotSupportedError(dataType, REFUSED['serial']!)
  if (/range$/.test(dataType)) throw new TarantoolDataTypeNotSupportedError(dataType, `${REFUSED['range']!} ${SUPPORTED}`)
  throw new TarantoolDataTypeNotSupportedError(dataType, SUPPORTED)
}
