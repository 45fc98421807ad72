import { InvalidArgumentError } from './errors.ts'

/**
 * Encoding of statement arguments into the `_sql` request body
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-param-substitution; value formats:
 * https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html).
 *
 * | JavaScript | JSON sent | CrateDB reads it as |
 * |---|---|---|
 * | `bigint` | the integer's digits, unquoted (no precision loss) | BIGINT / NUMERIC |
 * | `Date` | epoch milliseconds | TIMESTAMP / TIMESTAMPTZ / DATE |
 * | `Buffer` / `Uint8Array` | base64 string (CrateDB has no binary type; store it in TEXT) | TEXT |
 * | exact decimal as string (`'12.30'`) | the string | NUMERIC (the server casts; as crate-python does) |
 * | `number` | JSON number; `NaN`/`Infinity` are refused (JSON cannot carry them) | numeric types |
 * | arrays, plain objects | JSON arrays/objects, converted recursively | ARRAY, OBJECT, GEO_POINT `[lon, lat]`, GEO_SHAPE |
 * | objects with `toJSON()` | whatever `toJSON` returns | |
 * | `undefined` | `null` in arrays | |
 */

type RawJsonFn = (text: string) => unknown
const rawJSON = (JSON as unknown as { rawJSON?: RawJsonFn }).rawJSON

function encodeBigint(value: bigint): unknown {
  if (rawJSON === undefined) {
    throw new InvalidArgumentError('Sending a bigint needs JSON.rawJSON (Node 21 or newer)')
  }
  return rawJSON(value.toString())
}

/**
 * Thrown inside the encoder; the argument path (`[2].name`) is assembled only while it propagates, so the
 * hot path never builds path strings. Turned into an {@link InvalidArgumentError} at the entry points.
 */
class EncodeFailure {
  path = ''
  readonly describe: (path: string) => string

  constructor(describe: (path: string) => string) {
    this.describe = describe
  }
}

function toArgumentError(err: unknown, root: string): unknown {
  return err instanceof EncodeFailure ? new InvalidArgumentError(err.describe(root + err.path)) : err
}

/**
 * Returns `value` ready for `JSON.stringify`: the same reference when nothing needs converting (the common
 * case, no copy), else a converted copy of the containers on the path to each converted value.
 *
 * @throws EncodeFailure (internal) for non-finite numbers, invalid dates, symbols and functions.
 */
function encodeValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (!Number.isFinite(value)) throw new EncodeFailure((path) => `Argument ${path} is ${value}; JSON (and so CrateDB's HTTP API) cannot carry NaN or Infinity`)
      return value
    case 'bigint':
      return encodeBigint(value)
    case 'undefined':
      return null
    case 'object': {
      if (value === null) return null
      if (Array.isArray(value)) return encodeArray(value)
      const proto = Object.getPrototypeOf(value)
      // Plain objects first: the common case, and they have no toJSON of their own to honour.
      if ((proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function') return encodeObject(value as Record<string, unknown>)
      if (value instanceof Date) {
        const t = value.getTime()
        if (Number.isNaN(t)) throw new EncodeFailure((path) => `Argument ${path} is an invalid Date`)
        return t
      }
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value
      return encodeObject(value as Record<string, unknown>)
    }
    default:
      throw new EncodeFailure((path) => `Argument ${path} is a ${typeof value}, which cannot be sent to CrateDB`)
  }
}

function encodeArray(arr: readonly unknown[]): readonly unknown[] {
  let out: unknown[] | undefined
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]
    const t = typeof v
    if (t === 'string' || t === 'boolean' || v === null || (t === 'number' && Number.isFinite(v))) continue
    let e: unknown
    try {
      e = encodeValue(v)
    } catch (err) {
      if (err instanceof EncodeFailure) err.path = `[${i}]` + err.path
      throw err
    }
    if (e !== v) {
      out ??= arr.slice()
      out[i] = e
    }
  }
  return out ?? arr
}

function encodeObject(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  // for-in walks the enumeration cache without allocating a key array; inherited keys are skipped as
  // JSON.stringify skips them.
  for (const k in obj) {
    const v = obj[k]
    const t = typeof v
    if (t === 'string' || t === 'boolean' || v === null || (t === 'number' && Number.isFinite(v))) continue
    if (v === undefined) continue // JSON.stringify drops it, as for any object
    if (!Object.hasOwn(obj, k)) continue
    let e: unknown
    try {
      e = encodeValue(v)
    } catch (err) {
      if (err instanceof EncodeFailure) err.path = `.${k}` + err.path
      throw err
    }
    if (e !== v) {
      out ??= { ...obj }
      out[k] = e
    }
  }
  return out ?? obj
}

/**
 * The JSON body of a simple statement: `{"stmt": ..., "args": [...]}`; `args` is left out when empty.
 *
 * @throws InvalidArgumentError when an argument cannot be encoded (the message names its path, e.g. `args[1].at`).
 */
export function encodeStatementBody(stmt: string, args: readonly unknown[] | undefined): string {
  if (args === undefined || args.length === 0) return JSON.stringify({ stmt })
  try {
    return JSON.stringify({ stmt, args: encodeArray(args) })
  } catch (err) {
    throw toArgumentError(err, 'args')
  }
}

/**
 * The JSON body of a bulk statement: `{"stmt": ..., "bulk_args": [[...], ...]}`
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-ops). An empty
 * `bulkArgs` is sent as `[]`: the server answers with an empty `results` list.
 *
 * @throws InvalidArgumentError when an entry is not an array or a value cannot be encoded.
 */
export function encodeBulkBody(stmt: string, bulkArgs: readonly (readonly unknown[])[]): string {
  let rows: readonly (readonly unknown[])[] = bulkArgs
  let copied: (readonly unknown[])[] | undefined
  for (let i = 0; i < bulkArgs.length; i++) {
    const row = bulkArgs[i]
    if (!Array.isArray(row)) throw new InvalidArgumentError(`bulkArgs[${i}] must be an array of arguments, got ${row === null ? 'null' : typeof row}`)
    let enc: readonly unknown[]
    try {
      enc = encodeArray(row)
    } catch (err) {
      throw toArgumentError(err, `bulkArgs[${i}]`)
    }
    if (enc !== row) {
      copied ??= bulkArgs.slice()
      copied[i] = enc
    }
  }
  if (copied !== undefined) rows = copied
  return JSON.stringify({ stmt, bulk_args: rows })
}
