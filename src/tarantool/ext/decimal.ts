import { InvalidArgumentError, ProtocolError } from '../errors.ts'

/**
 * Tarantool's DECIMAL value (MP_EXT type 1,
 * https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/) and the MessagePack integer helpers
 * shared by the
 * extension payload codecs in this folder.
 */

/** Most significant digits a Tarantool 2.6 decimal holds (`DECIMAL_MAX_DIGITS`); also the largest scale it accepts. */
export const DECIMAL_MAX_DIGITS = 38

/** Exponents beyond this are rejected by {@link Decimal.from} before any digit string is built. */
const MAX_INPUT_EXPONENT = 400

const DECIMAL_SYNTAX = /^([+-])?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/

/**
 * An exact decimal number, as Tarantool's `decimal` type stores it: a coefficient of up to
 * {@link DECIMAL_MAX_DIGITS} digits and a scale (digits after the point). The value is
 * `(negative ? -1 : 1) * digits * 10^-scale`; trailing fraction zeros are kept (`'1.50'` has scale 2), as they
 * are on the server.
 *
 * Encoded as MP_EXT type 1 (https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/): the scale
 * as a MessagePack int, then packed BCD (two digits a byte,
 * high nibble first, a leading 0 nibble to fill the first byte, the last nibble the sign: 0xC plus, 0xD minus).
 * `Decimal.from('-12.34')` encodes as `D6 01 02 01 23 4D`.
 *
 * @example
 * const price = Decimal.from('19.99')
 * await client.insert('prices', [1, price])
 * String(price) // '19.99'
 */
export class Decimal {
  /** `true` for values below zero (zero is never negative). */
  readonly negative: boolean
  /** The coefficient's digits without sign or leading zeros (`'0'` for zero), e.g. `'1234'` for `-12.34`. */
  readonly digits: string
  /** Digits after the decimal point, `0` .. {@link DECIMAL_MAX_DIGITS} for values built by {@link Decimal.from}. */
  readonly scale: number
  readonly #text: string

  private constructor(negative: boolean, digits: string, scale: number) {
    this.negative = negative
    this.digits = digits
    this.scale = scale
    this.#text = decimalText(negative, digits, scale)
  }

  /**
   * Builds a decimal from a string (`'-12.34'`, `'+5'`, `'.5'`, `'1.5e-3'`), a finite number (through its
   * shortest round-trip text: `0.1` becomes exactly `0.1`), a bigint, or another Decimal (returned as is).
   *
   * @throws InvalidArgumentError when the input is not a decimal literal (NaN, Infinity, `'1,5'`, `''`, ...),
   *   or needs more than {@link DECIMAL_MAX_DIGITS} significant digits or a scale above it (Tarantool 2.6
   *   rejects those).
   */
  static from(value: string | number | bigint | Decimal): Decimal {
    if (value instanceof Decimal) return value
    let text: string
    if (typeof value === 'string') text = value.trim()
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new InvalidArgumentError(`Decimal.from: ${value} is not a finite number`)
      text = String(value)
    } else if (typeof value === 'bigint') text = value.toString()
    else throw new InvalidArgumentError(`Decimal.from: expected a string, number or bigint, got ${describe(value)}`)

    const match = DECIMAL_SYNTAX.exec(text)
    if (match === null) {
      throw new InvalidArgumentError(`Decimal.from: ${JSON.stringify(text.slice(0, 60))} is not a decimal number`)
    }
    const fraction = match[3] ?? match[4] ?? ''
    const exponent = match[5] === undefined ? 0 : Number(match[5])
    if (Math.abs(exponent) > MAX_INPUT_EXPONENT) {
      throw new InvalidArgumentError(`Decimal.from: exponent of ${JSON.stringify(text)} is out of range`)
    }
    let coefficient = (match[2] ?? '') + fraction
    let scale = fraction.length - exponent
    if (scale < 0) {
      coefficient += '0'.repeat(-scale)
      scale = 0
    }
    const digits = stripLeadingZeros(coefficient)
    if (digits.length > DECIMAL_MAX_DIGITS || scale > DECIMAL_MAX_DIGITS) {
      throw new InvalidArgumentError(
        `Decimal.from: ${JSON.stringify(text)} needs ${digits.length} digits and scale ${scale}; ` +
          `Tarantool decimals hold at most ${DECIMAL_MAX_DIGITS} of each`,
      )
    }
    return new Decimal(match[1] === '-' && digits !== '0', digits, scale)
  }

  /**
   * Builds a decimal from already validated parts, as the MP_EXT decoder does (which bounds digits and scale
   * by {@link DECIMAL_WIRE_MAX_DIGITS} first). No limits are checked here.
   * @internal
   */
  static fromParts(negative: boolean, digits: string, scale: number): Decimal {
    return new Decimal(negative, digits, scale)
  }

  /** Plain decimal notation, e.g. `'-12.34'`, `'0.005'`, `'1000'`; never an exponent. */
  toString(): string {
    return this.#text
  }

  /** Same as {@link toString}, so `JSON.stringify` keeps every digit. */
  toJSON(): string {
    return this.#text
  }

  /** The nearest JS number; may lose digits (beyond ~15-17 significant digits). */
  toNumber(): number {
    return Number(this.#text)
  }

  /** `true` when `other` has the same sign, digits and scale (`1.5` and `1.50` differ). */
  equals(other: Decimal): boolean {
    return other instanceof Decimal && other.#text === this.#text
  }
}

function stripLeadingZeros(digits: string): string {
  let i = 0
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++
  return digits.length === 0 ? '0' : digits.slice(i)
}

function decimalText(negative: boolean, digits: string, scale: number): string {
  const sign = negative ? '-' : ''
  if (scale <= 0) return sign + digits
  const padded = digits.length > scale ? digits : '0'.repeat(scale + 1 - digits.length) + digits
  return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object'
  return typeof value
}

// ---------------------------------------------------------------------------------------------------------
// MessagePack ints inside extension payloads (DECIMAL scale, INTERVAL values).

/**
 * Bytes a MessagePack int takes in its shortest form (uint family for values >= 0, int family below).
 * `value` must be a safe integer.
 * @internal
 */
export function mpIntSize(value: number): number {
  if (value >= 0) return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : value < 0x100000000 ? 5 : 9
  return value >= -0x20 ? 1 : value >= -0x80 ? 2 : value >= -0x8000 ? 3 : value >= -0x80000000 ? 5 : 9
}

/**
 * Writes a safe integer as the shortest MessagePack int at `pos`; returns the position after it.
 * @internal
 */
export function writeMpInt(target: Uint8Array, pos: number, value: number): number {
  if (value >= 0) {
    if (value < 0x80) {
      target[pos] = value
      return pos + 1
    }
    if (value < 0x100) {
      target[pos] = 0xcc
      target[pos + 1] = value
      return pos + 2
    }
    if (value < 0x10000) {
      target[pos] = 0xcd
      return writeU16(target, pos + 1, value)
    }
    if (value < 0x100000000) {
      target[pos] = 0xce
      return writeU32(target, pos + 1, value)
    }
    target[pos] = 0xcf
    return writeU32(target, writeU32(target, pos + 1, Math.floor(value / 0x100000000)), value >>> 0)
  }
  if (value >= -0x20) {
    target[pos] = value & 0xff
    return pos + 1
  }
  if (value >= -0x80) {
    target[pos] = 0xd0
    target[pos + 1] = value & 0xff
    return pos + 2
  }
  if (value >= -0x8000) {
    target[pos] = 0xd1
    return writeU16(target, pos + 1, value & 0xffff)
  }
  if (value >= -0x80000000) {
    target[pos] = 0xd2
    return writeU32(target, pos + 1, value >>> 0)
  }
  target[pos] = 0xd3
  return writeU32(target, writeU32(target, pos + 1, Math.floor(value / 0x100000000) >>> 0), value >>> 0)
}

function writeU16(target: Uint8Array, pos: number, value: number): number {
  target[pos] = value >>> 8
  target[pos + 1] = value & 0xff
  return pos + 2
}

function writeU32(target: Uint8Array, pos: number, value: number): number {
  target[pos] = value >>> 24
  target[pos + 1] = (value >>> 16) & 0xff
  target[pos + 2] = (value >>> 8) & 0xff
  target[pos + 3] = value & 0xff
  return pos + 4
}

/**
 * A read position inside an extension payload.
 * @internal
 */
export interface PayloadCursor {
  pos: number
}

/**
 * Reads one MessagePack int (any width, uint or int family) at `cursor.pos` and advances the cursor.
 * @throws ProtocolError when the bytes are not an int, are truncated, or the value is not a safe integer.
 * @internal
 */
export function readMpInt(data: Uint8Array, cursor: PayloadCursor, what: string): number {
  const pos = cursor.pos
  if (pos >= data.length) throw new ProtocolError(`${what}: payload ends before an integer`)
  const b = data[pos]!
  if (b < 0x80) {
    cursor.pos = pos + 1
    return b
  }
  if (b >= 0xe0) {
    cursor.pos = pos + 1
    return b - 0x100
  }
  let size: number
  switch (b) {
    case 0xcc: case 0xd0: size = 1; break
    case 0xcd: case 0xd1: size = 2; break
    case 0xce: case 0xd2: size = 4; break
    case 0xcf: case 0xd3: size = 8; break
    default:
      throw new ProtocolError(`${what}: expected a MessagePack integer, found byte 0x${b.toString(16)}`)
  }
  if (pos + 1 + size > data.length) throw new ProtocolError(`${what}: truncated integer`)
  cursor.pos = pos + 1 + size
  const signed = b >= 0xd0
  let value: number
  if (size === 8) {
    // Two exact 32-bit halves; the sum is exact whenever it is a safe integer.
    const high = (data[pos + 1]! << 24) | (data[pos + 2]! << 16) | (data[pos + 3]! << 8) | data[pos + 4]!
    const low = ((data[pos + 5]! << 24) | (data[pos + 6]! << 16) | (data[pos + 7]! << 8) | data[pos + 8]!) >>> 0
    value = (signed ? high : high >>> 0) * 0x100000000 + low
  } else {
    value = 0
    for (let i = 1; i <= size; i++) value = value * 256 + data[pos + i]!
    // Signed forms: subtract 2^(8*size) when the top bit is set.
    if (signed && data[pos + 1]! >= 0x80) value -= 2 ** (8 * size)
  }
  if (!Number.isSafeInteger(value)) throw new ProtocolError(`${what}: integer out of the safe range`)
  return value
}

// ---------------------------------------------------------------------------------------------------------
// DECIMAL payload (MP_EXT 1).

/**
 * Bytes of the MP_EXT 1 payload for `value` (scale int + packed BCD), without the ext header.
 * @internal
 */
export function decimalPayloadSize(value: Decimal): number {
  return mpIntSize(value.scale) + ((value.digits.length + 2) >> 1)
}

/**
 * Writes the MP_EXT 1 payload of `value` at `pos` (see {@link decimalPayloadSize}); returns the end position.
 * @internal
 */
export function writeDecimalPayload(value: Decimal, target: Uint8Array, pos: number): number {
  pos = writeMpInt(target, pos, value.scale)
  const digits = value.digits
  const count = digits.length
  // Nibbles: [0 pad when count is even] digits... sign.
  let nibble = count % 2 === 0 ? 1 : 0
  let byte = 0
  for (let i = 0; i < count; i++) {
    const d = digits.charCodeAt(i) - 48
    if (nibble % 2 === 0) byte = d << 4
    else target[pos++] = byte | d
    nibble++
  }
  target[pos++] = byte | (value.negative ? 0x0d : 0x0c)
  return pos
}

/**
 * Most digits a decimal read from the wire may have, and the bound on its scale: Tarantool 2.6 holds 38
 * digits, current Tarantool 76 (`DECIMAL_MAX_DIGITS` in tarantool/tarantool `src/lib/core/decimal.h`), so
 * replies from either decode, and nothing a hostile peer sends can make a decoded value longer than ~80
 * characters.
 */
export const DECIMAL_WIRE_MAX_DIGITS = 76

/** Largest BCD part of an MP_EXT 1 payload: 76 digit nibbles + the sign nibble = 39 bytes. */
const MAX_BCD_BYTES = (DECIMAL_WIRE_MAX_DIGITS + 2) >> 1

/**
 * Decodes an MP_EXT 1 payload (tarantool/tarantool `src/lib/core/decimal.c`, `decimal_unpack`; format:
 * https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/#the-decimal-type).
 * Accepts every sign nibble (0xA, 0xC, 0xE, 0xF plus; 0xB, 0xD minus) and a negative scale (trailing zeros are
 * added to the digits). Everything is bounded before any text is built: at most
 * {@link DECIMAL_WIRE_MAX_DIGITS} significant digits, a scale of at most that many fraction digits, and at
 * most that many integer digits once a negative scale is applied (the server's own range, below 10^76).
 * @throws ProtocolError when the payload is empty, the scale is not an int or out of those bounds, there are
 *   more digits than that, a digit nibble is above 9 or the last nibble is not a sign.
 * @internal
 */
export function decodeDecimal(data: Uint8Array): Decimal {
  const what = 'DECIMAL (MP_EXT 1)'
  const cursor: PayloadCursor = { pos: 0 }
  let scale = readMpInt(data, cursor, what)
  let pos = cursor.pos
  const end = data.length
  if (pos >= end) throw new ProtocolError(`${what}: no digits after the scale`)
  if (end - pos > MAX_BCD_BYTES) {
    throw new ProtocolError(`${what}: ${end - pos} BCD bytes, more than the ${MAX_BCD_BYTES} of a ${DECIMAL_WIRE_MAX_DIGITS}-digit decimal`)
  }
  if (scale > DECIMAL_WIRE_MAX_DIGITS || scale < -DECIMAL_WIRE_MAX_DIGITS) {
    throw new ProtocolError(`${what}: scale ${scale} is outside -${DECIMAL_WIRE_MAX_DIGITS}..${DECIMAL_WIRE_MAX_DIGITS}`)
  }
  let digits = ''
  for (; pos < end; pos++) {
    const byte = data[pos]!
    const high = byte >> 4
    const low = byte & 0x0f
    if (high > 9) throw new ProtocolError(`${what}: invalid BCD digit nibble 0x${high.toString(16)}`)
    if (digits.length > 0 || high !== 0) digits += String.fromCharCode(48 + high)
    if (pos === end - 1) {
      if (low < 0x0a) throw new ProtocolError(`${what}: invalid sign nibble 0x${low.toString(16)}`)
      const negative = low === 0x0b || low === 0x0d
      if (digits.length === 0) digits = '0'
      if (digits.length > DECIMAL_WIRE_MAX_DIGITS) {
        throw new ProtocolError(`${what}: ${digits.length} significant digits, more than ${DECIMAL_WIRE_MAX_DIGITS}`)
      }
      if (scale < 0) {
        // A negative scale multiplies by 10^-scale: the integer digits must still fit the server's range.
        if (digits !== '0') {
          if (digits.length - scale > DECIMAL_WIRE_MAX_DIGITS) {
            throw new ProtocolError(`${what}: ${digits.length} digits with scale ${scale} exceed ${DECIMAL_WIRE_MAX_DIGITS} integer digits`)
          }
          digits += '0'.repeat(-scale)
        }
        scale = 0
      }
      return Decimal.fromParts(negative && digits !== '0', digits, scale)
    }
    if (low > 9) throw new ProtocolError(`${what}: invalid BCD digit nibble 0x${low.toString(16)}`)
    if (digits.length > 0 || low !== 0) digits += String.fromCharCode(48 + low)
  }
  throw new ProtocolError(`${what}: missing sign nibble`)
}
