/**
 * CrateDB data type ids as the HTTP endpoint reports them in `col_types` when asked with `?types`
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types). An array column is
 * reported as `[100, <inner type>]`, nesting for arrays of arrays.
 *
 * @example
 * import { CrateDBType } from 'dialectry/cratedb'
 * if (result.colTypes[0] === CrateDBType.BIGINT) console.log('a bigint column')
 */
export const CrateDBType = {
  NULL: 0,
  NOT_SUPPORTED: 1,
  /** PostgreSQL `"char"`; the server class is ByteType. */
  BYTE: 2,
  BOOLEAN: 3,
  /** TEXT, also VARCHAR(n). */
  TEXT: 4,
  IP: 5,
  DOUBLE: 6,
  REAL: 7,
  SMALLINT: 8,
  INTEGER: 9,
  BIGINT: 10,
  /** Epoch milliseconds, UTC. */
  TIMESTAMPTZ: 11,
  OBJECT: 12,
  /** `[lon, lat]`. */
  GEO_POINT: 13,
  /** GeoJSON object. */
  GEO_SHAPE: 14,
  /** Epoch milliseconds of the wall-clock time read as UTC. */
  TIMESTAMP: 15,
  UNCHECKED_OBJECT: 16,
  /** Text such as `1 year 2 mons 5 days 01:02:03`. */
  INTERVAL: 17,
  /** Array of the record's field values. */
  ROW: 18,
  REGPROC: 19,
  /** `[microseconds since midnight, zone offset in seconds]`. */
  TIMETZ: 20,
  OIDVECTOR: 21,
  /** Arbitrary precision; decoded to an exact string. */
  NUMERIC: 22,
  REGCLASS: 23,
  /** Epoch milliseconds at midnight UTC. */
  DATE: 24,
  /** Text `B'0101'`. */
  BIT: 25,
  /** Text holding JSON. */
  JSON: 26,
  /** CHARACTER(n), blank padded. */
  CHARACTER: 27,
  /** Array of floats (not an array type id). */
  FLOAT_VECTOR: 28,
  UUID: 29,
  REGTYPE: 30,
  /** Array marker: a column of this kind is reported as `[100, inner]`. */
  ARRAY: 100,
} as const

/** A `col_types` entry: a type id, or `[100, inner]` for arrays (recursively). */
export type CrateDBType = number | readonly [100, CrateDBType]

const NAMES = new Map<number, string>(Object.entries(CrateDBType).map(([name, id]) => [id, name]))

/**
 * Human-readable name of a `col_types` entry: `BIGINT`, `ARRAY(TEXT)`, `ARRAY(ARRAY(INTEGER))`, or `TYPE_<id>`
 * for ids this driver does not know.
 */
export function crateTypeName(type: CrateDBType): string {
  if (typeof type === 'number') return NAMES.get(type) ?? `TYPE_${type}`
  return `ARRAY(${crateTypeName(type[1])})`
}
