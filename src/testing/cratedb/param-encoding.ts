import { parseError } from './crate-error.ts'
import { JsonNumber, stringifyLosslessJson, type JsonValue } from './lossless-json.ts'
import { ARRAY_ELEMENT, ARRAY_OF, OID } from './pg-oids.ts'
import { quoteArrayElement } from './pg-array-text.ts'

const INT4_MIN = -2147483648n
const INT4_MAX = 2147483647n
const INT8_MIN = -9223372036854775808n
const INT8_MAX = 9223372036854775807n

function guessOne(value: JsonValue): number {
  if (value === null || typeof value === 'string') return 0
  if (typeof value === 'boolean') return OID.bool
  if (value instanceof JsonNumber) {
    if (!value.isInteger) return OID.float8
    const n = BigInt(value.source)
    if (n >= INT4_MIN && n <= INT4_MAX) return OID.int4
    return n >= INT8_MIN && n <= INT8_MAX ? OID.int8 : OID.numeric
  }
  if (Array.isArray(value)) {
    let element = 0
    for (const item of value) {
      const t = Array.isArray(item) ? ARRAY_ELEMENT.get(guessOne(item)) ?? 0 : guessOne(item)
      if (t === 0) {
        if (item !== null) return 0
        continue
      }
      element = widen(element, t)
      if (element === -1) return 0
    }
    if (element === 0) return 0
    return ARRAY_OF.get(element === OID.int4 ? OID.int8 : element) ?? 0
  }
  return OID.jsonb
}

/** The wider of two guessed types (int4 < int8 < numeric, ints < float8), 0 for none yet, -1 if incompatible. */
function widen(a: number, b: number): number {
  if (a === 0 || a === b) return b
  const rank = [OID.int4, OID.int8, OID.numeric, OID.float8] as number[]
  const ra = rank.indexOf(a)
  const rb = rank.indexOf(b)
  if (ra >= 0 && rb >= 0) return rank[Math.max(ra, rb)]!
  return -1
}

/**
 * Type hints for PostgreSQL's Parse message from the JSON args (CrateDB also guesses a type per argument,
 * crate/crate `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`): booleans → bool, integers → int4/int8
 * (numeric beyond int8), other numbers → float8, objects →
 * jsonb, arrays → the array type of their elements (integer arrays → int8[]). Strings and nulls stay 0
 * (unknown: PostgreSQL infers them from the context); with `textForUnknown` they become text.
 * For bulk requests pass every row: the widest type per position wins.
 *
 * @example
 * guessParamTypes([[1, 'a', new JsonNumber('2.5')]].map(…)) // [23, 0, 701]
 */
export function guessParamTypes(rows: readonly (readonly JsonValue[])[], count: number, textForUnknown = false): number[] {
  const types: number[] = []
  for (let p = 0; p < count; p++) {
    let type = 0
    for (const row of rows) {
      const value = row[p]
      if (value === undefined) continue
      const t = guessOne(value)
      if (t === 0) {
        if (value !== null && typeof value !== 'string') {
          type = -1
          break
        }
        continue
      }
      type = widen(type, t)
      if (type === -1) break
    }
    types.push(type <= 0 ? (textForUnknown ? OID.text : 0) : type)
  }
  return types
}

function castError(value: JsonValue, type: string): Error {
  return parseError(`Cannot cast value \`${typeof value === 'string' ? value : stringifyLosslessJson(value)}\` to type \`${type}\``)
}

function integerText(value: JsonValue, type: string): string {
  if (value instanceof JsonNumber) {
    if (value.isInteger) return value.source
    const n = Number(value.source)
    if (!Number.isFinite(n)) throw castError(value, type)
    return BigInt(Math.round(n)).toString()
  }
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'string') {
    const trimmed = value.trim()
    if (/^[+-]?\d+$/.test(trimmed)) return trimmed
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return BigInt(Math.round(Number(trimmed))).toString()
    throw castError(value, type)
  }
  throw castError(value, type)
}

function floatText(value: JsonValue, type: string): string {
  if (value instanceof JsonNumber) return value.source
  if (typeof value === 'string') {
    const trimmed = value.trim()
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) || /^[+-]?(NaN|Infinity)$/i.test(trimmed)) return trimmed
    throw castError(value, type)
  }
  if (typeof value === 'boolean') return value ? '1' : '0'
  throw castError(value, type)
}

function isoFromMillis(ms: number, dateOnly: boolean): string {
  const date = new Date(ms)
  if (Number.isNaN(date.getTime())) throw parseError(`Cannot cast value \`${ms}\` to type \`timestamp\``)
  const iso = date.toISOString()
  return dateOnly ? iso.slice(0, 10) : iso
}

function geoPointText(value: string): string | undefined {
  const wkt = /^\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$/i.exec(value)
  if (wkt !== null) return `{${wkt[1]},${wkt[2]}}`
  const list = /^\s*\[\s*([^,\]]+)\s*,\s*([^,\]]+)\s*\]\s*$/.exec(value)
  if (list !== null) return `{${list[1]},${list[2]}}`
  return undefined
}

function arrayLiteral(value: readonly JsonValue[], element: number): string {
  const items = value.map((item) => {
    if (item === null) return 'NULL'
    if (Array.isArray(item) && element !== OID.jsonb && element !== OID.json) return arrayLiteral(item, element)
    const text = encodeParam(item, element)
    return text === null ? 'NULL' : quoteArrayElement(text)
  })
  return `{${items.join(',')}}`
}

/**
 * Encodes one JSON argument as PostgreSQL text input for a parameter of type `oid` (as PostgreSQL described it),
 * accepting what CrateDB accepts (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html):
 * epoch-millisecond numbers or ISO strings for
 * timestamps and dates, `[lon, lat]`, `"[lon, lat]"` or WKT `POINT (lon lat)` for geo points (double arrays),
 * objects or JSON strings for OBJECT (jsonb), numbers given as strings, nested arrays. Numbers keep their exact
 * source digits.
 *
 * @returns the text value, or `null` for SQL NULL.
 * @throws CrateError 400/4000 `Cannot cast value … to type …` when the value cannot be one of that type.
 * @example
 * encodeParam(new JsonNumber('0'), 1184) // '1970-01-01T00:00:00.000Z'
 * encodeParam([new JsonNumber('1.5'), new JsonNumber('2')], 1022) // '{"1.5","2"}'
 */
export function encodeParam(value: JsonValue, oid: number): string | null {
  if (value === null) return null
  switch (oid) {
    case OID.bool:
      if (typeof value === 'boolean') return value ? 't' : 'f'
      if (value instanceof JsonNumber) return Number(value.source) !== 0 ? 't' : 'f'
      if (typeof value === 'string') {
        if (/^\s*(t|true|f|false|yes|no|on|off|1|0)\s*$/i.test(value)) return value.trim()
        throw castError(value, 'boolean')
      }
      throw castError(value, 'boolean')
    case OID.int2:
      return integerText(value, 'smallint')
    case OID.int4:
    case OID.oid:
      return integerText(value, 'integer')
    case OID.int8:
      return integerText(value, 'bigint')
    case OID.float4:
      return floatText(value, 'real')
    case OID.float8:
      return floatText(value, 'double precision')
    case OID.numeric:
      return floatText(value, 'numeric')
    case OID.timestamptz:
    case OID.timestamp:
    case OID.date: {
      if (value instanceof JsonNumber) return isoFromMillis(Number(value.source), oid === OID.date)
      if (typeof value === 'string') {
        if (/^-?\d+$/.test(value.trim())) return isoFromMillis(Number(value), oid === OID.date)
        return value
      }
      throw castError(value, oid === OID.date ? 'date' : oid === OID.timestamp ? 'timestamp without time zone' : 'timestamp with time zone')
    }
    case OID.jsonb:
    case OID.json: {
      if (typeof value === 'string') {
        const trimmed = value.trim()
        if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
          try {
            JSON.parse(trimmed)
            return trimmed
          } catch {
            // a plain string that merely starts with a bracket
          }
        }
        return JSON.stringify(value)
      }
      return stringifyLosslessJson(value)
    }
    default: {
      const element = ARRAY_ELEMENT.get(oid)
      if (element !== undefined) {
        if (Array.isArray(value)) return arrayLiteral(value, element)
        if (typeof value === 'string') {
          if (element === OID.float8) {
            const point = geoPointText(value)
            if (point !== undefined) return point
          }
          if (value.trim().startsWith('{')) return value
          if (value.trim().startsWith('[')) {
            try {
              const parsed = JSON.parse(value) as unknown
              if (Array.isArray(parsed)) return arrayLiteral(parsed.map(toJsonValue), element)
            } catch {
              // fall through
            }
          }
        }
        throw castError(value, 'array')
      }
      if (typeof value === 'string') return value
      if (value instanceof JsonNumber) return value.source
      if (typeof value === 'boolean') return value ? 'true' : 'false'
      return stringifyLosslessJson(value)
    }
  }
}

function toJsonValue(value: unknown): JsonValue {
  if (typeof value === 'number') return new JsonNumber(String(value))
  if (Array.isArray(value)) return value.map(toJsonValue)
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {}
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v)
    return out
  }
  return value as JsonValue
}

