/**
 * Column descriptions from Druid's header rows and the decoding of each SQL type into a JS value
 * (https://druid.apache.org/docs/latest/querying/sql-data-types and
 * https://druid.apache.org/docs/latest/api-reference/sql-api#request-body for `header`, `typesHeader`,
 * `sqlTypesHeader`).
 */

/** One result column: its name and, when the server sent type header rows, its Druid and SQL types. */
export interface DruidColumn {
  /** Output name, e.g. `__time`, `EXPR$0`. Names may repeat (`SELECT 1 AS c, 2 AS c`). */
  name: string
  /** Druid runtime type (`LONG`, `DOUBLE`, `FLOAT`, `STRING`, `ARRAY<LONG>`, `COMPLEX<json>`, ...), when known. */
  nativeType?: string
  /** SQL type (`VARCHAR`, `BIGINT`, `TIMESTAMP`, `DOUBLE`, `BOOLEAN`, `ARRAY`, `OTHER`, ...), when known. */
  sqlType?: string
}

/** How values are turned into JS values. */
export interface DecodeOptions {
  /**
   * BIGINT/INTEGER/SMALLINT/TINYINT values: `'auto'` (default) a number within ±(2^53-1), else an exact
   * bigint; `'bigint'` always bigint; `'number'` always number (may round).
   */
  bigint?: 'auto' | 'bigint' | 'number'
  /** TIMESTAMP and DATE values: `'date'` (default) a `Date`; `'string'` the ISO-8601 text Druid sent. */
  timestamp?: 'date' | 'string'
}

/** A cell decoder: raw JSON value (or CSV text, `null` for an empty field) → JS value. */
export type CellDecoder = (raw: unknown) => unknown

/** The decoder that returns the value as sent (strings, COMPLEX values). */
export const passthrough: CellDecoder = (v) => v

/**
 * JSON.parse reviver that keeps integers beyond ±(2^53-1) exact as bigint (it reads the number's source text;
 * Node 22+, https://github.com/tc39/proposal-json-parse-with-source).
 */
export function exactReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
    return BigInt(context.source)
  }
  return value
}

/** `true` for SQL types whose values are integers. */
export function isIntegerType(sqlType: string | undefined): boolean {
  return sqlType === 'BIGINT' || sqlType === 'INTEGER' || sqlType === 'SMALLINT' || sqlType === 'TINYINT'
}

function integerDecoder(mode: 'auto' | 'bigint' | 'number'): CellDecoder {
  return (v) => {
    if (v === null || v === undefined) return null
    if (typeof v === 'string') {
      if (v === '') return null
      if (!/^-?\d+$/.test(v)) return Number(v)
      v = BigInt(v)
    }
    if (typeof v === 'bigint') return mode === 'number' ? Number(v) : mode === 'bigint' ? v : Number.isSafeInteger(Number(v)) ? Number(v) : v
    if (typeof v === 'number') return mode === 'bigint' && Number.isInteger(v) ? BigInt(v) : v
    return v
  }
}

function timestampDecoder(mode: 'date' | 'string'): CellDecoder {
  if (mode === 'string') return (v) => (v === '' ? null : v)
  // Results are often ordered by time, so neighbouring rows repeat a timestamp: parse each distinct text once.
  let lastText = ''
  let lastMs = 0
  return (v) => {
    if (v === null || v === undefined || v === '') return null
    if (typeof v === 'number') return new Date(v)
    if (typeof v === 'string') {
      if (v !== lastText) {
        lastMs = Date.parse(v.includes('T') || !v.includes(' ') ? v : `${v.replace(' ', 'T')}Z`)
        lastText = v
      }
      return new Date(lastMs)
    }
    return v
  }
}

const doubleDecoder: CellDecoder = (v) => (typeof v === 'string' ? (v === '' ? null : Number(v)) : v)

const booleanDecoder: CellDecoder = (v) => {
  if (v === null || v === undefined || v === '') return null
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0
  if (typeof v === 'string') return v === 'true' || v === '1'
  return v
}

function arrayDecoder(element: CellDecoder): CellDecoder {
  return (v) => {
    if (v === null || v === undefined || v === '') return null
    // Arrays are JSON text unless the context sets sqlStringifyArrays: false.
    const arr = typeof v === 'string' ? (JSON.parse(v, exactReviver as never) as unknown) : v
    return Array.isArray(arr) ? arr.map(element) : arr
  }
}

const stringDecoder: CellDecoder = passthrough

/**
 * The decoder of one column, chosen by its SQL type (the native type decides `ARRAY<...>` element types):
 *
 * | SQL type | JS value |
 * | --- | --- |
 * | VARCHAR, CHAR | string |
 * | BIGINT, INTEGER, SMALLINT, TINYINT | number, or bigint per {@link DecodeOptions.bigint} |
 * | DOUBLE, FLOAT, REAL, DECIMAL | number (DECIMAL is a double in Druid) |
 * | BOOLEAN | boolean |
 * | TIMESTAMP, DATE | Date (or the ISO text) |
 * | ARRAY | array (parsed from Druid's stringified form), elements decoded by the native element type |
 * | OTHER (COMPLEX) and unknown | passed through as sent (sketches are base64 strings, COMPLEX<json> objects) |
 */
export function columnDecoder(column: DruidColumn, options: DecodeOptions = {}): CellDecoder {
  const sql = column.sqlType?.toUpperCase()
  const bigintMode = options.bigint ?? 'auto'
  switch (sql) {
    case 'VARCHAR':
    case 'CHAR':
      return stringDecoder
    case 'BIGINT':
    case 'INTEGER':
    case 'SMALLINT':
    case 'TINYINT':
      return integerDecoder(bigintMode)
    case 'DOUBLE':
    case 'FLOAT':
    case 'REAL':
    case 'DECIMAL':
      return doubleDecoder
    case 'BOOLEAN':
      return booleanDecoder
    case 'TIMESTAMP':
    case 'DATE':
      return timestampDecoder(options.timestamp ?? 'date')
    case 'ARRAY': {
      const native = column.nativeType?.toUpperCase() ?? ''
      const inner = /^ARRAY<(.*)>$/.exec(native)?.[1]
      const element =
        inner === 'LONG' ? integerDecoder(bigintMode) : inner === 'DOUBLE' || inner === 'FLOAT' ? doubleDecoder : passthrough
      return arrayDecoder(element)
    }
    default:
      if (sql === undefined && column.nativeType === 'LONG') return integerDecoder(bigintMode)
      return passthrough
  }
}
