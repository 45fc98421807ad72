import { Packr, Unpackr, addExtension, type Options } from 'msgpackr'
import { InvalidArgumentError, ProtocolError, TarantoolError } from './errors.ts'
import { Decimal, decimalPayloadSize, decodeDecimal, mpIntSize, writeDecimalPayload, writeMpInt } from './ext/decimal.ts'
import { Uuid, decodeUuid } from './ext/uuid.ts'
import { Datetime, datetimePayloadSize, decodeDatetime, writeDatetimePayload } from './ext/datetime.ts'
import { Interval, decodeInterval, intervalPayloadSize, writeIntervalPayload } from './ext/interval.ts'
import { BoxErrorValue, errorStackToWire, parseErrorStack } from './ext/error-ext.ts'
import { Double } from './ext/double.ts'

/**
 * The MessagePack value layer of the Tarantool driver: turns tuples, keys, call arguments and SQL binds into
 * bytes and reply values back into JS, with Tarantool's extension types
 * (https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/) and typing rules
 * (which MessagePack types each field type accepts: tarantool/tarantool `src/box/field_def.c`). Built on msgpackr.
 *
 * msgpackr keeps its extension table, its output buffer and its decoder state in module-level variables
 * shared by every Packr/Unpackr of the process, so `addExtension` is process-global. Loading this module:
 * - registers encoders for this driver's own classes (Decimal, Uuid, Datetime, Interval, BoxErrorValue, Double,
 *   RawExtension); any msgpackr user in the process then encodes those classes the Tarantool way, which is
 *   the only sensible encoding for them anyway;
 * - registers decoders for MP_EXT types 1, 2, 3, 4 and 6, replacing whatever another library registered for
 *   those codes (unavoidable: msgpackr has one decoder per type code). A library that registers one of these
 *   codes after this module is loaded breaks decoding here the same way;
 * - registers a catch-all decoder for the other type codes 1-127 that were free when it loaded and that
 *   msgpackr does not use itself. Inside {@link decodeValue} it yields a {@link RawExtension}; for every other
 *   caller it throws msgpackr's own `Unknown extension type <n>` error, so plain msgpackr use is unchanged.
 * It does NOT register JS `Date` (msgpackr's timestamp extension stays intact for everyone else):
 * {@link encodeValue} converts Dates to {@link Datetime} before packing.
 */

// ---------------------------------------------------------------------------------------------------------
// Configured msgpackr instances (reused for every call).

const packr = new Packr({
  useRecords: false, // no msgpackr record extension (0x72); objects become plain maps
  encodeUndefinedAsNil: true, // not msgpackr's fixext 0 "undefined"
  useFloat32: 0, // non-integral numbers are always float64
  moreTypes: false, // Set/Error/RegExp/typed arrays without msgpackr extensions
  structuredClone: false, // no reference/pointer extensions (0x69/0x70)
  bundleStrings: false, // no string bundle extension (0x62)
  variableMapSize: false, // objects get a map16 header (faster; any MessagePack reader accepts it)
})

const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'auto', // uint64/int64: number when |v| <= 2^53, bigint beyond
  copyBuffers: true, // bin values are copies, never views of the caller's receive buffer
  structuredClone: false, // reject msgpackr's reference extensions instead of interpreting them
  moreTypes: false,
} as unknown as Options) // int64AsType 'auto' exists in msgpackr 2.x but not in its typings

// ---------------------------------------------------------------------------------------------------------
// Values only this module creates.

/**
 * An MP_EXT value of a type this driver has no class for (e.g. 5 COMPRESSION, 7 TUPLE, 8 ARROW), returned by
 * {@link decodeValue} instead of failing. Passing it to {@link encodeValue} writes the same extension back.
 */
export class RawExtension {
  /** The extension type byte as a signed number, -128 .. 127. */
  readonly type: number
  /** The payload; when decoded, a copy of the receive bytes (a Buffer if the input was a Buffer). */
  readonly data: Uint8Array

  /** @throws InvalidArgumentError when `type` is not an integer in -128..127 or `data` is not a Uint8Array. */
  constructor(type: number, data: Uint8Array) {
    if (!Number.isInteger(type) || type < -128 || type > 127) {
      throw new InvalidArgumentError(`RawExtension: type must be an integer in -128..127, got ${String(type)}`)
    }
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('RawExtension: data must be a Uint8Array')
    this.type = type
    this.data = data
  }
}

/** An integer msgpackr would encode wrongly (as float64, or as int64 when positive). Created by `rewrite`. */
class WireInteger {
  readonly value: number | bigint
  constructor(value: number | bigint) {
    this.value = value
  }
}

// ---------------------------------------------------------------------------------------------------------
// Extension registration (process-global, see the module comment).

/** What msgpackr hands an extension's `pack`: room for `size` bytes at `position` of `target`. */
type AllocateForWrite = (size: number) => { target: Uint8Array; targetView: DataView; position: number }

interface TarantoolExtension {
  // A class (Function, not a constructor type: Decimal has a private constructor).
  Class?: Function
  type: number
  pack?: (value: never, allocate: AllocateForWrite) => Uint8Array | undefined
  unpack: (data: Uint8Array, readAt?: (position: number) => unknown) => unknown
}

function register(extension: TarantoolExtension): void {
  addExtension(extension as unknown as Parameters<typeof addExtension>[0])
}

const MP_DECIMAL = 1
const MP_UUID = 2
const MP_ERROR = 3
const MP_DATETIME = 4
const MP_INTERVAL = 6

/** The source buffer of the {@link decodeValue} call in progress; `null` outside of one. */
let decodingSource: Uint8Array | null = null

function extHeaderSize(length: number): number {
  if (length === 1 || length === 2 || length === 4 || length === 8 || length === 16) return 2
  return length < 0x100 ? 3 : length < 0x10000 ? 4 : 6
}

/** Writes the shortest ext header (fixext 1/2/4/8/16, else ext 8/16/32); returns the payload position. */
function writeExtHeader(target: Uint8Array, pos: number, type: number, length: number): number {
  switch (length) {
    case 1: target[pos++] = 0xd4; break
    case 2: target[pos++] = 0xd5; break
    case 4: target[pos++] = 0xd6; break
    case 8: target[pos++] = 0xd7; break
    case 16: target[pos++] = 0xd8; break
    default:
      if (length < 0x100) {
        target[pos++] = 0xc7
        target[pos++] = length
      } else if (length < 0x10000) {
        target[pos++] = 0xc8
        target[pos++] = length >>> 8
        target[pos++] = length & 0xff
      } else {
        target[pos++] = 0xc9
        target[pos++] = length >>> 24
        target[pos++] = (length >>> 16) & 0xff
        target[pos++] = (length >>> 8) & 0xff
        target[pos++] = length & 0xff
      }
  }
  target[pos++] = type & 0xff
  return pos
}

function unpackErrorExt(data: Uint8Array, readAt?: (position: number) => unknown): BoxErrorValue {
  const source = decodingSource
  // The stack map must fill the payload exactly: msgpackr's readAt reads up to the end of the whole value, so
  // without this a payload could borrow (and misread) the bytes after it. Bounded and allocation-free.
  if (data.length === 0 || skipValue(data, 0, data.length) !== data.length) {
    throw new ProtocolError(`ERROR (MP_EXT 3): the ${data.length}-byte payload is not exactly one MessagePack value`)
  }
  // Inside decodeValue the payload is read in place (no copy of the source); elsewhere, by a nested unpack.
  const stack = source !== null && readAt !== undefined && data.buffer === source.buffer
    ? readAt(data.byteOffset - source.byteOffset)
    : unpackr.unpack(data)
  const entries = parseErrorStack(stack)
  try {
    return new BoxErrorValue(entries)
  } catch (error) {
    throw new ProtocolError(`ERROR (MP_EXT 3): ${(error as Error).message}`, error)
  }
}

// Pack-only helpers carry type 1 with the DECIMAL decoder, because addExtension also installs a decoder for
// the type it is given; this way registration order cannot leave type 1 without the right decoder.
register({
  Class: WireInteger,
  type: MP_DECIMAL,
  unpack: decodeDecimal,
  pack: (wrapper: WireInteger, allocate) => {
    const value = wrapper.value
    if (typeof value === 'number' || (value >= -0x20000000000000n && value <= 0x20000000000000n)) {
      const n = Number(value)
      const { target, position } = allocate(mpIntSize(n))
      writeMpInt(target, position, n)
    } else {
      const { target, targetView, position } = allocate(9)
      target[position] = value < 0n ? 0xd3 : 0xcf
      if (value < 0n) targetView.setBigInt64(position + 1, value)
      else targetView.setBigUint64(position + 1, value)
    }
    return undefined
  },
})

register({
  Class: Double,
  type: MP_DECIMAL,
  unpack: decodeDecimal,
  pack: (wrapper: Double, allocate) => {
    const { target, targetView, position } = allocate(9)
    target[position] = 0xcb
    targetView.setFloat64(position + 1, wrapper.value)
    return undefined
  },
})

register({
  Class: RawExtension,
  type: MP_DECIMAL,
  unpack: decodeDecimal,
  pack: (raw: RawExtension, allocate) => {
    const length = raw.data.length
    const { target, position } = allocate(extHeaderSize(length) + length)
    target.set(raw.data, writeExtHeader(target, position, raw.type, length))
    return undefined
  },
})

registerPayloadExtension(Decimal, MP_DECIMAL, decodeDecimal, decimalPayloadSize, writeDecimalPayload)

/** Registers a class whose MP_EXT payload has a computable size and is written in place. */
function registerPayloadExtension<T>(
  Class: Function,
  type: number,
  unpack: (data: Uint8Array) => T,
  payloadSize: (value: T) => number,
  writePayload: (value: T, target: Uint8Array, pos: number) => number,
): void {
  register({
    Class,
    type,
    unpack,
    pack: (value: T, allocate) => {
      const length = payloadSize(value)
      const { target, position } = allocate(extHeaderSize(length) + length)
      writePayload(value, target, writeExtHeader(target, position, type, length))
      return undefined
    },
  })
}

register({
  Class: Uuid,
  type: MP_UUID,
  unpack: decodeUuid,
  pack: (value: Uuid, allocate) => {
    const { target, position } = allocate(18)
    target[position] = 0xd8
    target[position + 1] = MP_UUID
    target.set(value.bytes, position + 2)
    return undefined
  },
})

register({
  Class: BoxErrorValue,
  type: MP_ERROR,
  unpack: unpackErrorExt,
  // The payload is itself MessagePack of unknown length: encode it apart and let msgpackr add the header.
  pack: (value: BoxErrorValue) => encodeValue(errorStackToWire(value.entries)),
})

registerPayloadExtension(Datetime, MP_DATETIME, decodeDatetime, datetimePayloadSize, writeDatetimePayload)

registerPayloadExtension(Interval, MP_INTERVAL, decodeInterval, intervalPayloadSize, writeIntervalPayload)

/** Type codes msgpackr itself decodes (bigint, bundles, error, ids, pointer, record, set, typed array, regexp). */
const MSGPACKR_OWN_TYPES: ReadonlySet<number> = new Set([0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78])
/** Codes this module (in any loaded copy) registered its catch-all for; they may be taken over again. */
const CATCH_ALL_REGISTRY = Symbol.for('dialectry.tarantool.msgpack.catch-all-types')
const registry = globalThis as unknown as Record<symbol, Set<number> | undefined>
const catchAllTypes = (registry[CATCH_ALL_REGISTRY] ??= new Set<number>())

/** `true` when no decoder is registered for `type`: msgpackr then reports `Unknown extension type <type>`. */
function isTypeFree(type: number): boolean {
  if (catchAllTypes.has(type)) return true
  try {
    unpackr.unpack(Uint8Array.of(0xc7, 0x00, type))
    return false
  } catch (error) {
    return error instanceof Error && error.message === `Unknown extension type ${type}`
  }
}

for (let type = 1; type < 0x80; type++) {
  if (type === MP_DECIMAL || type === MP_UUID || type === MP_ERROR || type === MP_DATETIME || type === MP_INTERVAL) continue
  if (MSGPACKR_OWN_TYPES.has(type) || !isTypeFree(type)) continue
  catchAllTypes.add(type)
  register({
    type,
    unpack: (data: Uint8Array) => {
      // Outside decodeValue, fail exactly as msgpackr does without a decoder (a plain Error, on purpose).
      if (decodingSource === null) throw new Error(`Unknown extension type ${type}`)
      return new RawExtension(type, Uint8Array.prototype.slice.call(data))
    },
  })
}

// ---------------------------------------------------------------------------------------------------------
// Encoding.

/** Deepest nesting {@link encodeValue} accepts (also stops cyclic structures). */
const MAX_DEPTH = 1000
const TWO_63 = 2 ** 63
const TWO_64 = 2 ** 64
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

/** Objects msgpackr already encodes the Tarantool way (their contents need no rewriting). */
function isPassThrough(value: object): boolean {
  return value instanceof Uint8Array || value instanceof Decimal || value instanceof Uuid ||
    value instanceof Datetime || value instanceof Interval || value instanceof Double ||
    value instanceof BoxErrorValue || value instanceof RawExtension || value instanceof WireInteger ||
    value instanceof ArrayBuffer
}

/** `true` for an integral number outside the 32-bit ranges, which msgpackr would send as float64. */
function isWideInteger(value: number): boolean {
  return (value >>> 0) !== value && (value >> 0) !== value && Number.isInteger(value)
}

/** `true` when a member of an array/object/map needs rewriting (primitives checked without a call). */
function memberNeedsRewrite(item: unknown, depth: number): boolean {
  switch (typeof item) {
    case 'object': return item !== null && needsRewrite(item, depth)
    case 'number': return isWideInteger(item)
    case 'bigint': case 'symbol': return true
    default: return false
  }
}

/**
 * Fast check (no allocation) whether `value` holds anything msgpackr would encode differently from what
 * Tarantool needs: a bigint (msgpackr writes positive ones as int64), an integer beyond 32 bits (float64),
 * a Date (its timestamp extension), a symbol, a Map/Set/typed array/toJSON object (handled by `rewrite`), or
 * nesting beyond MAX_DEPTH.
 */
function needsRewrite(value: object, depth: number): boolean {
  if (depth >= MAX_DEPTH) return true
  const ctor = value.constructor
  if (ctor === Array) {
    const array = value as unknown[]
    for (let i = 0; i < array.length; i++) if (memberNeedsRewrite(array[i], depth + 1)) return true
    return false
  }
  if (ctor === Object) {
    const record = value as Record<string, unknown>
    for (const key in record) if (memberNeedsRewrite(record[key], depth + 1)) return true
    return false
  }
  if (isPassThrough(value)) return false
  if (
    value instanceof Map || value instanceof Set || value instanceof Date || Array.isArray(value) ||
    ArrayBuffer.isView(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) return true
  // Other class instances (and null-prototype objects): msgpackr writes their own enumerable properties.
  for (const key in value) if (memberNeedsRewrite((value as Record<string, unknown>)[key], depth + 1)) return true
  return false
}

/**
 * Copy of `value` that msgpackr encodes the Tarantool way: wide integers and bigints wrapped in WireInteger,
 * Dates turned into Datetime, other typed arrays into byte views, Sets into arrays, toJSON() applied, other
 * class instances into plain objects of their own enumerable properties.
 */
function rewrite(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'number':
      return isWideInteger(value) && value >= -TWO_63 && value < TWO_64 ? new WireInteger(value) : value
    case 'bigint':
      if (value < INT64_MIN || value > UINT64_MAX) {
        throw new InvalidArgumentError(`bigint ${value} does not fit MessagePack int64/uint64 (-2^63 .. 2^64-1)`)
      }
      return new WireInteger(value)
    case 'symbol':
      throw new InvalidArgumentError(`cannot encode a symbol (${String(value)}) as MessagePack`)
    case 'object':
      break
    default:
      return value
  }
  if (value === null || isPassThrough(value)) return value
  if (depth >= MAX_DEPTH) throw new InvalidArgumentError(`value is nested deeper than ${MAX_DEPTH} levels (or is cyclic)`)
  const next = depth + 1
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = rewrite(value[i], next)
    return copy
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>()
    for (const [key, item] of value) copy.set(rewrite(key, next), rewrite(item, next))
    return copy
  }
  if (value instanceof Date) return Datetime.fromDate(value)
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof Set) return rewrite(Array.from(value), depth)
  const toJSON = (value as { toJSON?: unknown }).toJSON
  if (value.constructor !== Object && typeof toJSON === 'function') return rewrite(toJSON.call(value), next)
  const copy: Record<string, unknown> = {}
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    // defineProperty: an own "__proto__" key must stay a key, not become the prototype
    Object.defineProperty(copy, key, {
      value: rewrite((value as Record<string, unknown>)[key], next), enumerable: true, writable: true, configurable: true,
    })
  }
  return copy
}

/**
 * Encodes one value (a tuple, key, call/eval argument list or SQL bind array) as MessagePack the way Tarantool
 * expects it (https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/; field types:
 * tarantool/tarantool `src/box/field_def.c`):
 *
 * | JS | MessagePack |
 * | --- | --- |
 * | string | str |
 * | Buffer / Uint8Array / ArrayBuffer / other typed array (its bytes) | bin |
 * | integral number | shortest uint (>= 0) or int (< 0); beyond ±2^32 uint64/int64; beyond [-2^63, 2^64) float64 |
 * | non-integral number, NaN, ±Infinity | float64 (never float32) |
 * | {@link Double} | float64, even when integral (for `double` fields) |
 * | bigint | shortest uint (>= 0) / int (< 0); must be in [-2^63, 2^64-1] |
 * | boolean, null | bool, nil |
 * | undefined (in arrays, object values), functions | nil |
 * | array, Set | array |
 * | plain object (and class instances without toJSON) | map with string keys (map16 header) |
 * | Map | map with its keys, encoded as values |
 * | Decimal, Uuid, Datetime, Interval, BoxErrorValue, RawExtension | MP_EXT 1, 2, 4, 6, 3, own type |
 * | Date | Datetime, MP_EXT 4 (millisecond precision) |
 * | object with toJSON() | whatever toJSON returns |
 *
 * No msgpackr-specific extension is ever written. An object key that looks like a number is still a string key;
 * use a Map for integer keys.
 *
 * The returned Buffer is a view into msgpackr's shared output slab; msgpackr never writes over bytes it has
 * handed out (the next value starts after it, or in a new slab), so it stays valid until dropped. It must not be
 * written to. It keeps its slab (8 KiB or more) alive as long as it is referenced: concatenate or copy it
 * rather than storing many small results for long.
 *
 * @throws InvalidArgumentError for a bigint outside [-2^63, 2^64-1], a symbol, an invalid Date, a value nested
 *   deeper than 1000 levels (or cyclic), or anything else msgpackr refuses; nothing is partially encoded.
 * @example
 * const bytes = encodeValue([1, 'alice', 12345678901234n, double(5), Decimal.from('9.99')])
 */
export function encodeValue(value: unknown): Buffer {
  const prepared = memberNeedsRewrite(value, 0) ? rewrite(value, 0) : value
  try {
    return packr.pack(prepared)
  } catch (error) {
    if (error instanceof TarantoolError) throw error
    const reason = error instanceof RangeError && /call stack/i.test(error.message)
      ? 'it is nested too deeply'
      : (error as Error)?.message ?? String(error)
    throw new InvalidArgumentError(`cannot encode value as MessagePack: ${reason}`)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Decoding.

/** Reused `{start, end}` argument of msgpackr's unpack (no allocation per call). */
const range = { start: 0, end: 0 }

/**
 * Decodes exactly one MessagePack value occupying `buf[start .. end)`, in place (the input is not copied).
 *
 * | MessagePack | JS |
 * | --- | --- |
 * | uint / int up to 32 bits, uint64/int64 with \|v\| <= 2^53 (±2^53 itself is exact, so also a number) | number |
 * | uint64 / int64 beyond ±2^53 | bigint |
 * | float32 / float64 | number |
 * | str | string |
 * | bin | a copy (not kept in sync with, and not keeping alive, `buf`): a Buffer when `buf` is a Buffer (socket data is), else a Uint8Array |
 * | array | array |
 * | map | plain object; keys that are not strings are stringified (`1` → `'1'`, `true` → `'true'`, nil →
 *   `'null'`), a `__proto__` key becomes `__proto_`; a key that is an array, map or extension value throws
 *   ProtocolError |
 * | nil, bool | null, boolean |
 * | MP_EXT 1, 2, 3, 4, 6 | {@link Decimal}, {@link Uuid}, {@link BoxErrorValue}, {@link Datetime}, {@link Interval} |
 * | any other MP_EXT 1-127 | {@link RawExtension} (except codes other libraries registered first, and the codes msgpackr uses itself: 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78, which the server never sends) |
 *
 * Limits inherited from msgpackr (none of them occurs in data a Tarantool server sends): the never-used byte
 * 0xC1 decodes to msgpackr's `C1` marker object instead of failing ({@link skipValue} rejects it), and a
 * fixext 1/2 of type 0x72 is read as msgpackr's record definition. msgpackr caches a `DataView` on `buf` as a
 * `dataView` property, which makes later decodes from the same buffer cheaper. Extension types and typing
 * follow https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/.
 *
 * @param buf the receive buffer (a Buffer, or any Uint8Array).
 * @param start offset of the value's first byte.
 * @param end offset just past the value's last byte.
 * @throws ProtocolError when the range is empty or outside `buf`, the value is truncated or malformed, an
 *   extension payload is invalid, or bytes are left between the value's end and `end`. Never hangs: every
 *   length is checked against the range before anything is allocated.
 * @example
 * const row = decodeValue(frame, bodyStart, frame.length)
 */
export function decodeValue(buf: Uint8Array, start: number, end: number): unknown {
  if (!(start >= 0 && start < end && end <= buf.length)) {
    throw new ProtocolError(`cannot decode MessagePack from bytes ${start}..${end} of a ${buf.length}-byte buffer`)
  }
  const previous = decodingSource
  decodingSource = buf
  range.start = start
  range.end = end
  try {
    return unpackr.unpack(buf, range)
  } catch (error) {
    if (error instanceof ProtocolError) throw error
    throw new ProtocolError(
      `malformed or truncated MessagePack in bytes ${start}..${end}: ${(error as Error)?.message ?? String(error)}`,
      error,
    )
  } finally {
    decodingSource = previous
  }
}

/**
 * Returns the offset just past the MessagePack value that starts at `start`, without decoding it (no
 * allocation). Lets the connection split a frame into header and body, or a DATA array into tuples, and decode
 * each part (lazily) with {@link decodeValue}.
 *
 * @throws ProtocolError when the value does not end by `end`, or contains the never-used byte 0xC1.
 * @example
 * const headerEnd = skipValue(frame, 0, frame.length)
 * const header = decodeValue(frame, 0, headerEnd)
 */
export function skipValue(buf: Uint8Array, start: number, end: number): number {
  if (!(start >= 0 && start < end && end <= buf.length)) {
    throw new ProtocolError(`cannot skip a MessagePack value in bytes ${start}..${end} of a ${buf.length}-byte buffer`)
  }
  let pos = start
  let pending = 1
  while (pending > 0) {
    if (pos >= end) break
    const b = buf[pos++]!
    pending--
    if (b < 0x80 || b >= 0xe0) continue // fixint
    if (b < 0x90) { pending += 2 * (b & 0x0f); continue } // fixmap
    if (b < 0xa0) { pending += b & 0x0f; continue } // fixarray
    if (b < 0xc0) { pos += b & 0x1f; continue } // fixstr
    switch (b) {
      case 0xc0: case 0xc2: case 0xc3: break
      case 0xcc: case 0xd0: pos += 1; break
      case 0xcd: case 0xd1: pos += 2; break
      case 0xca: case 0xce: case 0xd2: pos += 4; break
      case 0xcb: case 0xcf: case 0xd3: pos += 8; break
      case 0xd4: pos += 2; break
      case 0xd5: pos += 3; break
      case 0xd6: pos += 5; break
      case 0xd7: pos += 9; break
      case 0xd8: pos += 17; break
      case 0xc4: case 0xd9: pos = readLength(buf, pos, 1, end); break
      case 0xc5: case 0xda: pos = readLength(buf, pos, 2, end); break
      case 0xc6: case 0xdb: pos = readLength(buf, pos, 4, end); break
      case 0xc7: pos = readLength(buf, pos, 1, end) + 1; break
      case 0xc8: pos = readLength(buf, pos, 2, end) + 1; break
      case 0xc9: pos = readLength(buf, pos, 4, end) + 1; break
      case 0xdc: pending += lengthAt(buf, pos, 2, end); pos += 2; break
      case 0xdd: pending += lengthAt(buf, pos, 4, end); pos += 4; break
      case 0xde: pending += 2 * lengthAt(buf, pos, 2, end); pos += 2; break
      case 0xdf: pending += 2 * lengthAt(buf, pos, 4, end); pos += 4; break
      default: throw new ProtocolError(`invalid MessagePack byte 0xc1 at offset ${pos - 1}`)
    }
  }
  if (pending > 0 || pos > end) throw new ProtocolError(`truncated MessagePack value in bytes ${start}..${end}`)
  return pos
}

/** Big-endian unsigned length of `size` bytes at `pos`. */
function lengthAt(buf: Uint8Array, pos: number, size: number, end: number): number {
  if (pos + size > end) throw new ProtocolError(`truncated MessagePack length at offset ${pos}`)
  let value = 0
  for (let i = 0; i < size; i++) value = value * 256 + buf[pos + i]!
  return value
}

/** Position after a `size`-byte length prefix at `pos` plus the bytes it announces. */
function readLength(buf: Uint8Array, pos: number, size: number, end: number): number {
  return pos + size + lengthAt(buf, pos, size, end)
}
