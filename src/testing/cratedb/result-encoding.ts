import { ARRAY_ELEMENT, OID } from './pg-oids.ts'
import { parsePgArray, type PgArrayItem } from './pg-array-text.ts'

/**
 * A `col_types` entry (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types): a
 * type id, or `[100, inner]` for arrays (nesting recurses).
 */
export type ColType = number | readonly [100, ColType]

const CRATE_TYPE_IDS: Readonly<Record<string, number>> = {
  undefined: 0,
  byte: 2,
  boolean: 3,
  text: 4,
  ip: 5,
  'double precision': 6,
  real: 7,
  smallint: 8,
  integer: 9,
  bigint: 10,
  'timestamp with time zone': 11,
  object: 12,
  geo_point: 13,
  geo_shape: 14,
  'timestamp without time zone': 15,
  interval: 17,
  record: 18,
  regproc: 19,
  'time with time zone': 20,
  oidvector: 21,
  numeric: 22,
  regclass: 23,
  date: 24,
  bit: 25,
  json: 26,
  character: 27,
  float_vector: 28,
  uuid: 29,
  regtype: 30,
}

/**
 * `col_types` id of a CrateDB `data_type` name (`'geo_point'` → 13, `'text_array'` → `[100, 4]`), or
 * `undefined` for a name without an id.
 */
export function colTypeOfCrateType(name: string): ColType | undefined {
  if (name.endsWith('_array')) {
    const inner = colTypeOfCrateType(name.slice(0, -'_array'.length))
    return inner === undefined ? undefined : [100, inner]
  }
  return CRATE_TYPE_IDS[name]
}

const OID_TYPE_IDS: ReadonlyMap<number, number> = new Map([
  [OID.bool, 3],
  [OID.char, 2],
  [OID.int2, 8],
  [OID.int4, 9],
  [OID.oid, 9],
  [OID.int8, 10],
  [OID.text, 4],
  [OID.varchar, 4],
  [OID.name, 4],
  [OID.unknown, 4],
  [OID.bytea, 4],
  [OID.bpchar, 27],
  [OID.float4, 7],
  [OID.float8, 6],
  [OID.numeric, 22],
  [OID.timestamptz, 11],
  [OID.timestamp, 15],
  [OID.date, 24],
  [OID.jsonb, 12],
  [OID.json, 26],
  [OID.inet, 5],
  [OID.cidr, 5],
  [OID.interval, 17],
  [OID.uuid, 29],
  [OID.timetz, 20],
  [OID.time, 20],
  [OID.bit, 25],
  [OID.varbit, 25],
  [OID.regproc, 19],
  [OID.regclass, 23],
  [OID.regtype, 30],
  [OID.oidvector, 21],
  [OID.record, 18],
  [OID.void, 0],
])

/** `col_types` id for a PostgreSQL result type OID (arrays → `[100, inner]`; unknown types → 4, text). */
export function colTypeOfOid(oid: number): ColType {
  const element = ARRAY_ELEMENT.get(oid)
  if (element !== undefined) return [100, colTypeOfOid(element)]
  return OID_TYPE_IDS.get(oid) ?? 4
}

/**
 * `col_types` entry of an array result column without a declared type: PostgreSQL arrays are n-dimensional under one
 * type OID, so the nesting (`[100, [100, 9]]` for `[[1, 2], [3, 4]]`) comes from the first non-null value.
 */
export function colTypeOfArrayValues(oid: number, values: Iterable<string | null>): ColType {
  const element = ARRAY_ELEMENT.get(oid)
  if (element === undefined) return colTypeOfOid(oid)
  let depth = 1
  for (const text of values) {
    if (text === null) continue
    const body = text.startsWith('[') ? text.slice(text.indexOf('=') + 1) : text
    depth = Math.max(1, /^\{*/.exec(body)![0].length)
    break
  }
  let type: ColType = colTypeOfOid(element)
  for (let i = 0; i < depth; i++) type = [100, type]
  return type
}

/** Writes a `col_types` entry as JSON (`9`, `[100,9]`, `[100,[100,4]]`). */
export function colTypeJson(type: ColType): string {
  return typeof type === 'number' ? String(type) : `[100,${colTypeJson(type[1])}]`
}

const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(\.\d+)?)?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/

/**
 * Epoch milliseconds of PostgreSQL's ISO output of a timestamp/timestamptz/date (`2024-01-31 10:00:00.123+00`,
 * `2024-01-31`); fractions beyond milliseconds are truncated. `infinity`/`-infinity` give ±`Number.MAX_VALUE`.
 *
 * @example
 * epochMillis('1970-01-01 00:00:01.5+00') // 1500
 * @throws SyntaxError for text that is not an ISO timestamp.
 */
export function epochMillis(text: string): number {
  if (text === 'infinity') return Number.MAX_VALUE
  if (text === '-infinity') return -Number.MAX_VALUE
  const m = TIMESTAMP.exec(text)
  if (m === null) throw new SyntaxError(`not an ISO timestamp: ${text}`)
  let year = Number(m[1])
  if (m[12] !== undefined) year = 1 - year
  const date = new Date(0)
  date.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]))
  date.setUTCHours(Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000 + 1e-7))
  let ms = date.getTime()
  if (m[8] !== undefined) {
    const offset = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000
    ms -= m[8] === '-' ? -offset : offset
  }
  return ms
}

function jsonNumberText(text: string): string {
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return JSON.stringify(text)
  return text
}

function timeTz(text: string, withZone: boolean): string {
  const m = /^(\d\d):(\d\d):(\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?(?::?\d\d)?)?$/.exec(text)
  if (m === null) return JSON.stringify(text)
  const micros = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + Math.round(Number(`0${m[4] ?? ''}`) * 1_000_000)
  let offset = 0
  if (withZone && m[5] !== undefined) {
    const sign = m[5].startsWith('-') ? -1 : 1
    const parts = m[5].slice(1).split(':').map(Number)
    const digits = m[5].slice(1).replaceAll(':', '')
    const h = parts.length > 1 ? parts[0]! : Number(digits.slice(0, 2))
    const min = parts.length > 1 ? (parts[1] ?? 0) : Number(digits.slice(2, 4) || 0)
    offset = sign * (h * 3600 + min * 60)
  }
  return `[${micros},${offset}]`
}

function encodeRecord(text: string): string {
  // (a,"b c",) → ["a","b c",null]
  const body = text.slice(1, -1)
  const values: Array<string | null> = []
  let i = 0
  let current = ''
  let quoted = false
  let sawQuote = false
  while (i <= body.length) {
    const c = body[i]
    if (c === undefined || (c === ',' && !quoted)) {
      values.push(current === '' && !sawQuote ? null : current)
      current = ''
      sawQuote = false
    } else if (c === '"') {
      if (quoted && body[i + 1] === '"') {
        current += '"'
        i++
      } else {
        quoted = !quoted
        sawQuote = true
      }
    } else if (c === '\\' && quoted) {
      current += body[i + 1] ?? ''
      i++
    } else current += c
    i++
  }
  return `[${values.map((v) => (v === null ? 'null' : JSON.stringify(v))).join(',')}]`
}

function encodeArrayItems(items: PgArrayItem[], elementOid: number, declared: string | undefined): string {
  const inner = declared?.endsWith('_array') ? declared.slice(0, -'_array'.length) : declared
  return `[${items.map((item) => (Array.isArray(item) ? encodeArrayItems(item, elementOid, declared) : encodePgValue(item, elementOid, inner))).join(',')}]`
}

/**
 * Writes one PostgreSQL text-format value as the JSON CrateDB sends for it
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types): numbers with all their
 * digits (bigint, numeric), timestamps/dates as epoch milliseconds, booleans, JSON objects verbatim, arrays as
 * JSON arrays (geo_point `{lon,lat}` → `[lon, lat]`), IP/interval/uuid/text as strings, bit as `"B'0101'"`,
 * TIME WITH TIME ZONE as `[micros, offset_seconds]`, JSON (PG `json`) as a string holding the JSON text.
 *
 * @param text the value in PostgreSQL's text output, `null` for SQL NULL.
 * @param oid the PostgreSQL type OID of the value.
 * @param declared the CrateDB `data_type` of the column when known (e.g. `'geo_point'`).
 * @example
 * encodePgValue('9223372036854775807', 20) // '9223372036854775807'
 * encodePgValue('{1.5,2.5}', 1022, 'geo_point') // '[1.5,2.5]'
 */
export function encodePgValue(text: string | null, oid: number, declared?: string): string {
  if (text === null) return 'null'
  switch (oid) {
    case OID.bool:
      return text === 't' || text === 'true' ? 'true' : 'false'
    case OID.int2:
    case OID.int4:
    case OID.int8:
    case OID.oid:
      return text
    case OID.float4:
    case OID.float8:
    case OID.numeric:
      return jsonNumberText(text)
    case OID.timestamptz:
    case OID.timestamp:
    case OID.date: {
      const ms = epochMillis(text)
      return Math.abs(ms) === Number.MAX_VALUE ? JSON.stringify(text) : String(ms)
    }
    case OID.jsonb:
      return text
    case OID.timetz:
      return timeTz(text, true)
    case OID.time:
      return timeTz(text, false)
    case OID.bit:
    case OID.varbit:
      return JSON.stringify(`B'${text}'`)
    case OID.record:
      return encodeRecord(text)
    default: {
      const element = ARRAY_ELEMENT.get(oid)
      if (element !== undefined) return encodeArrayItems(parsePgArray(text), element, declared)
      return JSON.stringify(text)
    }
  }
}

/**
 * `col_types` entry of a jsonb expression column (no declared type): derived from the first non-null value —
 * object → 12, array → `[100, …]`, string → 4, integer → 10, other number → 6, boolean → 3; 0 (undefined) when
 * every value is null.
 */
export function inferJsonColType(values: Iterable<string | null>): ColType {
  for (const text of values) {
    if (text === null) continue
    const t = typeOfJsonText(text.trimStart())
    if (t !== undefined) return t
  }
  return 0
}

function typeOfJsonText(text: string): ColType | undefined {
  const c = text[0]
  if (c === '{') return 12
  if (c === '"') return 4
  if (c === 't' || c === 'f') return 3
  if (c === 'n' || c === undefined) return undefined
  if (c === '[') {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return [100, 4]
    }
    for (const item of parsed as unknown[]) {
      if (item === null) continue
      const inner = typeOfJsonText(JSON.stringify(item))
      if (inner !== undefined) return [100, inner]
    }
    return [100, 0]
  }
  return /^-?\d+$/.test(text) ? 10 : 6
}
