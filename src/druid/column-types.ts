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

/** The digit at `i` of `s`, or -1 when it is not an ASCII digit. */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48
  return d >= 0 && d <= 9 ? d : -1
}

function timestampDecoder(mode: 'date' | 'string'): CellDecoder {
  if (mode === 'string') return (v) => (v === '' ? null : v)
  // Results are often ordered by time, so neighbouring rows repeat a timestamp or at least its day: the text of the
  // last timestamp and the epoch millis of the last day are kept, and Druid's UTC form `yyyy-MM-ddTHH:mm:ss.SSSZ`
  // is read digit by digit (other forms, such as offsets from sqlTimeZone, go through Date.parse).
  let lastText = ''
  let lastMs = 0
  let dayKey = -1
  let dayMs = 0
  const parse = (v: string): number => {
    if (v.length === 24 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45 && v.charCodeAt(10) === 84 && v.charCodeAt(13) === 58 && v.charCodeAt(16) === 58 && v.charCodeAt(19) === 46 && v.charCodeAt(23) === 90) {
      const y = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3)
      const mo = digit(v, 5) * 10 + digit(v, 6)
      const d = digit(v, 8) * 10 + digit(v, 9)
      const h = digit(v, 11) * 10 + digit(v, 12)
      const mi = digit(v, 14) * 10 + digit(v, 15)
      const se = digit(v, 17) * 10 + digit(v, 18)
      const ms = digit(v, 20) * 100 + digit(v, 21) * 10 + digit(v, 22)
      // A non-digit makes its field negative or out of range, and Date.UTC reads years 0-99 as 1900-1999: those go
      // to Date.parse.
      if (y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && se >= 0 && se <= 59 && ms >= 0 && digit(v, 1) >= 0 && digit(v, 2) >= 0 && digit(v, 3) >= 0 && digit(v, 6) >= 0 && digit(v, 9) >= 0 && digit(v, 12) >= 0 && digit(v, 15) >= 0 && digit(v, 18) >= 0 && digit(v, 21) >= 0 && digit(v, 22) >= 0) {
        const key = (y * 100 + mo) * 100 + d
        if (key !== dayKey) {
          const probe = Date.UTC(y, mo - 1, d)
          if (new Date(probe).getUTCDate() !== d) return Date.parse(v) // 2023-02-30 and the like: as Date.parse says
          dayKey = key
          dayMs = probe
        }
        return dayMs + ((h * 60 + mi) * 60 + se) * 1000 + ms
      }
    }
    return Date.parse(v.includes('T') || !v.includes(' ') ? v : `${v.replace(' ', 'T')}Z`)
  }
  return (v) => {
    if (v === null || v === undefined || v === '') return null
    if (typeof v === 'number') return new Date(v)
    if (typeof v === 'string') {
      if (v !== lastText) {
        lastMs = parse(v)
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
