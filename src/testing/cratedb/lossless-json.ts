/**
 * A JSON number kept as its source text, so that `9223372036854775807` or `1.10000000000000000001` survive a
 * parse/serialise round trip through the local server exactly (CrateDB reads BIGINT and NUMERIC arguments with
 * full precision, https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#type-numeric).
 */
export class JsonNumber {
  /** The number exactly as written in the JSON text, e.g. `'1.50'`, `'-2e10'`. */
  readonly source: string

  constructor(source: string) {
    this.source = source
  }

  /** `true` when the text is an integer literal (no fraction, no exponent). */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.source)
  }

  /** The value as a JS number (may lose precision). */
  valueOf(): number {
    return Number(this.source)
  }

  toString(): string {
    return this.source
  }
}

/** A parsed JSON value whose numbers are {@link JsonNumber}s. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue }

interface ReviverContext {
  source?: string
}

/**
 * Parses JSON text, keeping every number as a {@link JsonNumber} (uses `JSON.parse` with the reviver's source
 * text access, available since Node 21).
 *
 * @example
 * const value = parseLosslessJson('{"args": [9223372036854775807]}') as { args: JsonNumber[] }
 * value.args[0]!.source // '9223372036854775807'
 * @throws SyntaxError for invalid JSON.
 */
export function parseLosslessJson(text: string): JsonValue {
  return JSON.parse(text, function reviver(this: unknown, _key: string, value: unknown, context?: ReviverContext) {
    if (typeof value === 'number') return new JsonNumber(context?.source ?? String(value))
    return value
  }) as JsonValue
}

/**
 * Serialises a {@link JsonValue} (numbers written with their exact source text).
 *
 * @example
 * stringifyLosslessJson([new JsonNumber('1.50'), 'x']) // '[1.50,"x"]'
 */
export function stringifyLosslessJson(value: JsonValue): string {
  if (value === null) return 'null'
  if (value instanceof JsonNumber) return value.source
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (Array.isArray(value)) return `[${value.map(stringifyLosslessJson).join(',')}]`
  const parts: string[] = []
  for (const key of Object.keys(value)) parts.push(`${JSON.stringify(key)}:${stringifyLosslessJson(value[key]!)}`)
  return `{${parts.join(',')}}`
}

/** `true` for a JSON object (not an array, not null, not a number). */
export function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)
}
