import { InvalidArgumentError, ProtocolError, ServerError, type BoxErrorEntry } from '../errors.ts'

/**
 * Tarantool's ERROR value (MP_EXT type 3,
 * https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/) and the error-stack map it shares
 * with the IPROTO_ERROR
 * (0x52) key of error replies (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/format/): `{0x00
 * STACK: [errmap...]}`, errmap keys 0x00 TYPE, 0x01 FILE,
 * 0x02 LINE, 0x03 MESSAGE, 0x04 ERRNO, 0x05 CODE, 0x06 FIELDS.
 */

const STACK = 0x00
const TYPE = 0x00
const FILE = 0x01
const LINE = 0x02
const MESSAGE = 0x03
const ERRNO = 0x04
const CODE = 0x05
const FIELDS = 0x06

/**
 * A `box.error` object carried as a value, e.g. returned inside a CALL/EVAL result when the session has
 * `error_marshaling_enabled` (2.6) or the ERROR_EXTENSION feature (2.10+). It is data, not a thrown error;
 * {@link toError} converts it.
 *
 * Encoded back as MP_EXT 3 (so Lua receives a `box.error` object): `{0: [errmap...]}` with keys 0-5 always
 * written and 6 (FIELDS) when the entry has fields.
 *
 * @example
 * const [result] = await client.call('try_something', [])
 * if (result instanceof BoxErrorValue) console.log(result.code, result.message)
 */
export class BoxErrorValue {
  /** The error stack: entry 0 is the error itself, the following entries its causes (Lua `prev` chain). */
  readonly entries: readonly BoxErrorEntry[]

  /**
   * @param entries at least one entry; `type`, `file`, `message` strings, `line`, `errno`, `code` non-negative
   *   integers, `fields` (optional) a plain object.
   * @throws InvalidArgumentError when the stack is empty or an entry has the wrong shape.
   */
  constructor(entries: readonly BoxErrorEntry[]) {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new InvalidArgumentError('BoxErrorValue: expected a non-empty array of error entries')
    }
    entries.forEach((entry, i) => checkEntry(entry, i))
    this.entries = entries
  }

  /** Message of the top entry. */
  get message(): string {
    return this.entries[0]!.message
  }

  /** Error code of the top entry (`box.error.*`). */
  get code(): number {
    return this.entries[0]!.code
  }

  /** Error class of the top entry, e.g. `'ClientError'`. */
  get type(): string {
    return this.entries[0]!.type
  }

  /** A {@link ServerError} with this stack, to throw. */
  toError(): ServerError {
    return new ServerError(this.code, this.message, this.entries)
  }

  /** `'<type>: <message>'` of the top entry. */
  toString(): string {
    return `${this.type}: ${this.message}`
  }

  /** `{ entries }`, so `JSON.stringify` shows the whole stack. */
  toJSON(): { entries: readonly BoxErrorEntry[] } {
    return { entries: this.entries }
  }
}

function checkEntry(entry: BoxErrorEntry, index: number): void {
  const where = `BoxErrorValue: entry ${index}`
  if (entry === null || typeof entry !== 'object') throw new InvalidArgumentError(`${where} is not an object`)
  for (const key of ['type', 'file', 'message'] as const) {
    if (typeof entry[key] !== 'string') throw new InvalidArgumentError(`${where}: ${key} must be a string`)
  }
  for (const key of ['line', 'errno', 'code'] as const) {
    if (!Number.isSafeInteger(entry[key]) || entry[key] < 0) {
      throw new InvalidArgumentError(`${where}: ${key} must be a non-negative integer`)
    }
  }
  if (entry.fields !== undefined && (entry.fields === null || typeof entry.fields !== 'object')) {
    throw new InvalidArgumentError(`${where}: fields must be an object`)
  }
}

/**
 * The MessagePack-ready form of an error stack: `Map {0 => [Map {0 => type, 1 => file, ...}]}` (integer keys,
 * as the server expects). Used by the MP_EXT 3 encoder.
 * @internal
 */
export function errorStackToWire(entries: readonly BoxErrorEntry[]): Map<number, unknown> {
  const stack = entries.map((entry) => {
    const map = new Map<number, unknown>([
      [TYPE, entry.type],
      [FILE, entry.file],
      [LINE, entry.line],
      [MESSAGE, entry.message],
      [ERRNO, entry.errno],
      [CODE, entry.code],
    ])
    if (entry.fields !== undefined && Object.keys(entry.fields).length > 0) map.set(FIELDS, entry.fields)
    return map
  })
  return new Map([[STACK, stack]])
}

/**
 * Converts a decoded error-stack map (the value of IPROTO_ERROR 0x52 in an error reply, or an MP_EXT 3 payload)
 * into entries. Accepts both decoder shapes: a plain object with stringified integer keys (`{'0': [{'0': ...}]}`,
 * what `decodeValue` returns) and a `Map` with integer keys. Missing keys default to `''`/`0`; unknown keys are
 * ignored (as https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/ asks of connectors).
 *
 * @throws ProtocolError when there is no STACK array, or a present key has the wrong type.
 * @example
 * const entries = parseErrorStack(decodeValue(frame, bodyErrorStart, bodyErrorEnd))
 */
export function parseErrorStack(value: unknown): BoxErrorEntry[] {
  const stack = get(value, STACK)
  if (!Array.isArray(stack)) throw new ProtocolError('error stack: expected a map {0: [entries...]}')
  return stack.map((raw, i) => {
    if (raw === null || typeof raw !== 'object') throw new ProtocolError(`error stack entry ${i} is not a map`)
    const entry: BoxErrorEntry = {
      type: str(raw, TYPE, i),
      file: str(raw, FILE, i),
      line: num(raw, LINE, i),
      message: str(raw, MESSAGE, i),
      errno: num(raw, ERRNO, i),
      code: num(raw, CODE, i),
    }
    const fields = get(raw, FIELDS)
    if (fields !== undefined && fields !== null) {
      if (typeof fields !== 'object') throw new ProtocolError(`error stack entry ${i}: FIELDS is not a map`)
      entry.fields = fields instanceof Map ? Object.fromEntries([...fields].map(([k, v]) => [String(k), v])) : (fields as Record<string, unknown>)
    }
    return entry
  })
}

function get(container: unknown, key: number): unknown {
  if (container instanceof Map) return container.get(key)
  if (container !== null && typeof container === 'object') return (container as Record<string, unknown>)[key]
  return undefined
}

function str(raw: object, key: number, index: number): string {
  const value = get(raw, key)
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw new ProtocolError(`error stack entry ${index}: key ${key} is not a string`)
  return value
}

function num(raw: object, key: number, index: number): number {
  const value = get(raw, key)
  if (value === undefined || value === null) return 0
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  throw new ProtocolError(`error stack entry ${index}: key ${key} is not a number`)
}
