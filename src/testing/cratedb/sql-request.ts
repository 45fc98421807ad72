import { CrateError, parseError } from './crate-error.ts'
import { isJsonObject, JsonNumber, parseLosslessJson, type JsonValue } from './lossless-json.ts'

/**
 * A validated `/_sql` request body (crate/crate `server/src/main/java/io/crate/session/parser/SQLRequestParser.java`).
 */
export type SqlRequest =
  | { readonly mode: 'simple'; readonly stmt: string; readonly args: readonly JsonValue[] }
  | { readonly mode: 'bulk'; readonly stmt: string; readonly bulkArgs: readonly (readonly JsonValue[])[] }

/** Jackson's name of the token a JSON value starts with, as CrateDB puts it in messages. */
function tokenName(value: JsonValue): string {
  if (value === null) return 'VALUE_NULL'
  if (typeof value === 'string') return 'VALUE_STRING'
  if (typeof value === 'boolean') return value ? 'VALUE_TRUE' : 'VALUE_FALSE'
  if (value instanceof JsonNumber) return 'VALUE_NUMBER'
  return Array.isArray(value) ? 'START_ARRAY' : 'START_OBJECT'
}

/**
 * `SQLParseSourceException` has no mapped HTTP status in CrateDB, so it is a 500/5000 (crate/crate
 * `server/src/main/java/io/crate/rest/action/HttpErrorStatus.java`).
 */
function sourceError(message: string): CrateError {
  return new CrateError('SQLParseSourceException', message, 5000)
}

/**
 * Validates a `/_sql` body exactly as CrateDB's `SQLRequestParser` does (crate/crate
 * `server/src/main/java/io/crate/session/parser/SQLRequestParser.java`):
 *
 * - empty body → 400/4000 `SQLParseException[Missing request body]`;
 * - invalid JSON or an unknown key → 400/4000 `SQLParseException[Can't parse [<body>]. Expecting payload with
 *   `stmt` string and `args` or `bulk_args` arrays]`;
 * - `stmt` missing / empty / not a value, `args` not an array, a `bulk_args` item not an array → 500/5000
 *   `SQLParseSourceException[…]`;
 * - non-empty `args` together with non-empty `bulk_args` → 400/4000;
 * - `args` present (even empty) or no `bulk_args` → simple request, else bulk.
 *
 * @example
 * parseSqlRequest(Buffer.from('{"stmt":"select ?","args":[1]}')) // { mode: 'simple', stmt: 'select ?', args: [JsonNumber('1')] }
 * @throws CrateError as listed above.
 */
export function parseSqlRequest(body: Buffer): SqlRequest {
  if (body.length === 0) throw parseError('Missing request body')
  const text = body.toString('utf8')
  const cantParse = (cause?: unknown): CrateError =>
    parseError(`Can't parse [${text}]. Expecting payload with \`stmt\` string and \`args\` or \`bulk_args\` arrays`, cause === undefined ? undefined : { cause })
  if (text.trim() === '') throw sourceError('Field [stmt] is missing')
  let parsed: JsonValue
  try {
    parsed = parseLosslessJson(text)
  } catch (error) {
    throw cantParse(error)
  }
  if (!isJsonObject(parsed)) throw sourceError('Field [stmt] is missing')
  let stmt: string | undefined
  let args: JsonValue[] | undefined
  let bulkArgs: JsonValue[][] | undefined
  for (const [key, value] of Object.entries(parsed)) {
    if (key === 'stmt') {
      if (value === null || typeof value === 'object' && !(value instanceof JsonNumber)) throw sourceError('Field [stmt] has an invalid value')
      const s = value instanceof JsonNumber ? value.source : String(value)
      if (s.length === 0) throw sourceError('Field [stmt] has no value')
      stmt = s
    } else if (key === 'args') {
      if (!Array.isArray(value)) throw sourceError(`\`args\` must start with an array, not \`${tokenName(value)}\``)
      args = value
    } else if (key === 'bulk_args') {
      if (!Array.isArray(value)) throw sourceError('Field [bulk_args] has an invalid value')
      bulkArgs = value.map((item) => {
        if (!Array.isArray(item)) throw sourceError(`\`bulk_args\` must contain a list of \`args\` (values list). Got unexpected: ${tokenName(item)}`)
        return item
      })
    } else {
      throw cantParse()
    }
  }
  if (stmt === undefined) throw sourceError('Field [stmt] is missing')
  if (args !== undefined && args.length > 0 && bulkArgs !== undefined && bulkArgs.length > 0) {
    throw parseError("request body contains args and bulk_args. It's forbidden to provide both")
  }
  if (args !== undefined || bulkArgs === undefined) return { mode: 'simple', stmt, args: args ?? [] }
  return { mode: 'bulk', stmt, bulkArgs }
}
