import { CrateDBType } from './col-types.ts'
import { RawNumber } from './json-decode.ts'

/**
 * How result values are turned into JavaScript values, per `col_types` id (spec §1.8).
 *
 * | type | value |
 * |---|---|
 * | BIGINT (10) | `bigint: 'auto'` (default): number when within ±(2^53-1), else bigint; `'bigint'`: always bigint; `'number'`: always number (may round) |
 * | NUMERIC (22) | exact decimal string, e.g. `'12345678901234567890.120'` |
 * | TIMESTAMPTZ (11), TIMESTAMP (15), DATE (24) | `timestamps: 'date'` (default): `Date`; `'number'`: epoch ms |
 * | GEO_POINT (13) | `[lon, lat]` |
 * | OBJECT (12/16), GEO_SHAPE (14), ROW (18) | plain objects/arrays; integers beyond 2^53 inside become bigint unless `bigint: 'number'` |
 * | TIMETZ (20) | `[microseconds since midnight, zone offset in seconds]` |
 * | ARRAY `[100, inner]` | array whose elements are decoded as `inner`, at any depth |
 * | everything else | as JSON gives it (strings, numbers, booleans, null) |
 */
export interface DecodeOptions {
  /** BIGINT decoding. Default `'auto'`. */
  bigint?: 'auto' | 'bigint' | 'number'
  /** TIMESTAMP/TIMESTAMPTZ/DATE decoding. Default `'date'`. */
  timestamps?: 'date' | 'number'
}

/** Converts one column's value in place of the JSON value; `undefined` means "leave the value as it is". */
export type ValueConverter = (value: unknown) => unknown

type BigintMode = 'auto' | 'bigint' | 'number'

function rawToNumber(raw: RawNumber, mode: BigintMode): number | bigint {
  if (mode !== 'number' && raw.isInteger) {
    const n = Number(raw.source)
    return Number.isSafeInteger(n) ? n : BigInt(raw.source)
  }
  return Number(raw.source)
}

/** Replaces every {@link RawNumber} inside a JSON value (objects and arrays are updated in place). */
function deepRaw(value: unknown, mode: BigintMode): unknown {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof RawNumber) return rawToNumber(value, mode)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i]
      if (v !== null && typeof v === 'object') value[i] = deepRaw(v, mode)
    }
    return value
  }
  const obj = value as Record<string, unknown>
  for (const k in obj) {
    const v = obj[k]
    if (v !== null && typeof v === 'object') obj[k] = deepRaw(v, mode)
  }
  return value
}

const toDate: ValueConverter = (v) => (typeof v === 'number' ? new Date(v) : v instanceof RawNumber ? new Date(Number(v.source)) : v)
const rawToPlainNumber: ValueConverter = (v) => (v instanceof RawNumber ? Number(v.source) : v)
const numericToString: ValueConverter = (v) => (v instanceof RawNumber ? v.source : typeof v === 'number' ? String(v) : v)
const bigintAuto: ValueConverter = (v) => (v instanceof RawNumber ? rawToNumber(v, 'auto') : v)
const bigintAlways: ValueConverter = (v) => (typeof v === 'number' ? BigInt(v) : v instanceof RawNumber ? BigInt(v.source) : v)

/**
 * The converter for one `col_types` entry. `exact` says the body was parsed with source access (it may contain
 * {@link RawNumber}s); without it, only conversions that change the JS type (Date, bigint, arrays of those)
 * are needed.
 */
export function converterFor(type: unknown, exact: boolean, options: DecodeOptions): ValueConverter | undefined {
  const bigint = options.bigint ?? 'auto'
  if (Array.isArray(type)) {
    if (type[0] !== CrateDBType.ARRAY) return exact ? (v) => deepRaw(v, bigint) : undefined
    const inner = converterFor(type[1], exact, options)
    if (inner === undefined) return undefined
    return (v) => {
      if (!Array.isArray(v)) return v === null || v === undefined ? v : inner(v)
      for (let i = 0; i < v.length; i++) {
        const e = v[i]
        if (e !== null) v[i] = inner(e)
      }
      return v
    }
  }
  switch (type) {
    case CrateDBType.BIGINT:
      if (bigint === 'bigint') return bigintAlways
      if (!exact) return undefined
      return bigint === 'number' ? rawToPlainNumber : bigintAuto
    case CrateDBType.NUMERIC:
      return numericToString
    case CrateDBType.TIMESTAMPTZ:
    case CrateDBType.TIMESTAMP:
    case CrateDBType.DATE:
      if (options.timestamps !== 'number') return toDate
      return exact ? rawToPlainNumber : undefined
    case CrateDBType.BYTE:
    case CrateDBType.DOUBLE:
    case CrateDBType.REAL:
    case CrateDBType.SMALLINT:
    case CrateDBType.INTEGER:
    case CrateDBType.REGCLASS:
      return exact ? rawToPlainNumber : undefined
    case CrateDBType.BOOLEAN:
    case CrateDBType.TEXT:
    case CrateDBType.IP:
    case CrateDBType.INTERVAL:
    case CrateDBType.REGPROC:
    case CrateDBType.BIT:
    case CrateDBType.JSON:
    case CrateDBType.CHARACTER:
    case CrateDBType.UUID:
    case CrateDBType.REGTYPE:
      return undefined
    default:
      // OBJECT, UNCHECKED_OBJECT, GEO_POINT, GEO_SHAPE, ROW, TIMETZ, OIDVECTOR, FLOAT_VECTOR, NULL, unknown ids.
      return exact ? (v) => deepRaw(v, bigint) : undefined
  }
}

/** Converters for every column; entries are `undefined` for columns left as parsed. `null` when none is needed. */
export function columnConverters(colTypes: readonly unknown[], exact: boolean, options: DecodeOptions): (ValueConverter | undefined)[] | null {
  let any = false
  const out = new Array<ValueConverter | undefined>(colTypes.length)
  for (let i = 0; i < colTypes.length; i++) {
    const c = converterFor(colTypes[i], exact, options)
    out[i] = c
    if (c !== undefined) any = true
  }
  return any ? out : null
}

/**
 * Decodes rows in place with the column converters. Rows come from `JSON.parse`, so they are owned here.
 * Without col_types (old servers), exact-parsed bodies still have their {@link RawNumber}s resolved.
 */
export function decodeRows(rows: unknown[][], colTypes: readonly unknown[] | undefined, exact: boolean, options: DecodeOptions): void {
  if (colTypes === undefined || colTypes.length === 0) {
    if (exact) for (const row of rows) deepRaw(row, options.bigint ?? 'auto')
    return
  }
  const converters = columnConverters(colTypes, exact, options)
  if (converters === null) return
  const n = converters.length
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    for (let c = 0; c < n; c++) {
      const conv = converters[c]
      if (conv !== undefined) {
        const v = row[c]
        if (v !== null && v !== undefined) row[c] = conv(v)
      }
    }
  }
}

/** Turns array rows into objects keyed by column name (a later duplicate name overwrites an earlier one). */
export function rowsToObjects(rows: readonly unknown[][], cols: readonly string[]): Record<string, unknown>[] {
  const out = new Array<Record<string, unknown>>(rows.length)
  const n = cols.length
  if (cols.includes('__proto__')) {
    // A column named __proto__ must become an own property, not the object's prototype.
    for (let r = 0; r < rows.length; r++) {
      const obj: Record<string, unknown> = {}
      for (let c = 0; c < n; c++) Object.defineProperty(obj, cols[c]!, { value: rows[r]![c], enumerable: true, writable: true, configurable: true })
      out[r] = obj
    }
    return out
  }
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    const obj: Record<string, unknown> = {}
    for (let c = 0; c < n; c++) obj[cols[c]!] = row[c]
    out[r] = obj
  }
  return out
}
