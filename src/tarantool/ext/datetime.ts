import { InvalidArgumentError, ProtocolError } from '../errors.ts'

/**
 * Tarantool's DATETIME value (MP_EXT type 4, Tarantool 2.10+,
 * https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/).
 */

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const TWO_32 = 0x100000000

/** Fields of a {@link Datetime}. */
export interface DatetimeInit {
  /** Seconds since 1970-01-01T00:00:00Z (UTC, whatever `tzoffset` says); an int64. */
  seconds: number | bigint
  /** Nanoseconds within the second, `0` .. `1_999_999_999` (above 1e9 only for leap seconds). Default `0`. */
  nsec?: number
  /** Offset of the value's time zone from UTC in minutes (e.g. `180` for +03:00); display only. Default `0`. */
  tzoffset?: number
  /** Tarantool's index of an Olson time zone name, `0` for none. Default `0`. */
  tzindex?: number
}

/**
 * A point in time as Tarantool's `datetime` type stores it (2.10+; 2.6 does not know MP_EXT 4).
 * `seconds` is UTC epoch seconds; `tzoffset`/`tzindex` only say how the server displays it.
 *
 * Encoded as MP_EXT 4: fixext8 `D7 04` + int64 LE seconds when `nsec`, `tzoffset` and `tzindex` are all 0,
 * otherwise fixext16 `D8 04` + int64 LE seconds, int32 LE nsec, int16 LE tzoffset, int16 LE tzindex
 * (https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/). A JS `Date` passed to the encoder
 * is sent as `Datetime.fromDate(date)`.
 *
 * @example
 * const at = Datetime.fromDate(new Date('2024-05-01T12:00:00Z'))
 * at.toString() // '2024-05-01T12:00:00Z'
 */
export class Datetime {
  /** Seconds since the epoch (UTC): a number when it is a safe integer, else a bigint. */
  readonly seconds: number | bigint
  /** Nanoseconds within the second. */
  readonly nsec: number
  /** Time-zone offset in minutes east of UTC. */
  readonly tzoffset: number
  /** Olson time-zone index (0 = none). */
  readonly tzindex: number

  /**
   * @throws InvalidArgumentError when `seconds` is not an int64 integer, `nsec` is not an integer in
   *   `0 .. 1_999_999_999`, or `tzoffset`/`tzindex` are not int16 integers.
   */
  constructor(init: DatetimeInit) {
    if (init === null || typeof init !== 'object') throw new InvalidArgumentError('Datetime: expected { seconds, nsec?, tzoffset?, tzindex? }')
    const { seconds, nsec = 0, tzoffset = 0, tzindex = 0 } = init
    if (typeof seconds === 'bigint') {
      if (seconds < INT64_MIN || seconds > INT64_MAX) throw new InvalidArgumentError(`Datetime: seconds ${seconds} is outside int64`)
      const asNumber = Number(seconds)
      this.seconds = Number.isSafeInteger(asNumber) ? asNumber : seconds
    } else if (Number.isInteger(seconds) && Math.abs(seconds) < 2 ** 63) {
      this.seconds = Number.isSafeInteger(seconds) ? seconds : BigInt(seconds)
    } else {
      throw new InvalidArgumentError(`Datetime: seconds must be an int64 integer, got ${String(seconds)}`)
    }
    if (!Number.isInteger(nsec) || nsec < 0 || nsec >= 2_000_000_000) {
      throw new InvalidArgumentError(`Datetime: nsec must be an integer in 0..1999999999, got ${String(nsec)}`)
    }
    if (!isInt16(tzoffset)) throw new InvalidArgumentError(`Datetime: tzoffset must be an int16 count of minutes, got ${String(tzoffset)}`)
    if (!isInt16(tzindex)) throw new InvalidArgumentError(`Datetime: tzindex must be an int16, got ${String(tzindex)}`)
    this.nsec = nsec
    this.tzoffset = tzoffset
    this.tzindex = tzindex
  }

  /**
   * The same instant as `date` (millisecond precision).
   * @param tzoffset offset to attach, in minutes east of UTC (default `0`); the instant does not change.
   * @throws InvalidArgumentError when `date` is not a valid Date.
   */
  static fromDate(date: Date, tzoffset = 0): Datetime {
    const ms = date instanceof Date ? date.getTime() : Number.NaN
    if (Number.isNaN(ms)) throw new InvalidArgumentError('Datetime.fromDate: expected a valid Date')
    const seconds = Math.floor(ms / 1000)
    return new Datetime({ seconds, nsec: (ms - seconds * 1000) * 1_000_000, tzoffset })
  }

  /** The instant as a JS Date (sub-millisecond digits are dropped; an Invalid Date beyond ±8.64e15 ms). */
  toDate(): Date {
    return new Date(Number(this.seconds) * 1000 + Math.floor(this.nsec / 1_000_000))
  }

  /**
   * RFC 3339 text in the value's own offset, with as many fraction digits as needed (up to 9), e.g.
   * `'2024-05-01T15:00:00.5+03:00'`; `Z` when the offset is 0. Out of Date's range: `'Datetime(<seconds>s)'`.
   */
  toString(): string {
    const extraSeconds = Math.floor(this.nsec / 1_000_000_000)
    const nsec = this.nsec - extraSeconds * 1_000_000_000
    const local = new Date((Number(this.seconds) + extraSeconds + this.tzoffset * 60) * 1000)
    if (Number.isNaN(local.getTime())) return `Datetime(${this.seconds}s)`
    const iso = local.toISOString()
    const base = iso.slice(0, iso.lastIndexOf('.'))
    const fraction = nsec === 0 ? '' : `.${String(nsec).padStart(9, '0').replace(/0+$/, '')}`
    if (this.tzoffset === 0) return `${base}${fraction}Z`
    const abs = Math.abs(this.tzoffset)
    const zone = `${this.tzoffset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
    return `${base}${fraction}${zone}`
  }

  /** Same as {@link toString}. */
  toJSON(): string {
    return this.toString()
  }
}

function isInt16(value: number): boolean {
  return Number.isInteger(value) && value >= -0x8000 && value <= 0x7fff
}

/**
 * Bytes of the MP_EXT 4 payload: 8, or 16 when `nsec`, `tzoffset` or `tzindex` is nonzero.
 * @internal
 */
export function datetimePayloadSize(value: Datetime): 8 | 16 {
  return value.nsec === 0 && value.tzoffset === 0 && value.tzindex === 0 ? 8 : 16
}

/**
 * Writes the MP_EXT 4 payload (little-endian, see {@link datetimePayloadSize}); returns the end position.
 * @internal
 */
export function writeDatetimePayload(value: Datetime, target: Uint8Array, pos: number): number {
  let low: number
  let high: number
  const seconds = value.seconds
  if (typeof seconds === 'number') {
    low = seconds >>> 0
    high = Math.floor(seconds / TWO_32) | 0
  } else {
    const bits = BigInt.asUintN(64, seconds)
    low = Number(bits & 0xffffffffn)
    high = Number(bits >> 32n) | 0
  }
  pos = writeLe(target, pos, low, 4)
  pos = writeLe(target, pos, high, 4)
  if (datetimePayloadSize(value) === 8) return pos
  pos = writeLe(target, pos, value.nsec, 4)
  pos = writeLe(target, pos, value.tzoffset, 2)
  return writeLe(target, pos, value.tzindex, 2)
}

function writeLe(target: Uint8Array, pos: number, value: number, size: number): number {
  for (let i = 0; i < size; i++) target[pos + i] = (value >>> (8 * i)) & 0xff
  return pos + size
}

/**
 * Range of `seconds` the server accepts (`MIN_EPOCH_SECS_VALUE` .. `MAX_EPOCH_SECS_VALUE` in tarantool/tarantool
 * `src/lib/core/datetime.h`: days since 0001-01-01 must fit a C int), i.e. -5879610-06-22 .. 5879611-07-11.
 */
const MIN_EPOCH_SECONDS = -185_604_722_870_400
const MAX_EPOCH_SECONDS = 185_480_451_417_600
/** `MIN_TZOFFSET` / `MAX_TZOFFSET` (UTC-12:00 .. UTC+14:00) and `MAX_TZINDEX` of the same header. */
const MIN_TZOFFSET = -12 * 60
const MAX_TZOFFSET = 14 * 60
const MAX_TZINDEX = 1024

/**
 * Decodes an MP_EXT 4 payload of 8 or 16 bytes, validated as the server's own `datetime_unpack` does
 * (tarantool/tarantool `src/lib/core/mp_datetime.c` and `datetime_validate` in `src/lib/core/datetime.h`):
 * seconds within -185604722870400 .. 185480451417600, nsec 0 .. 1999999999, tzoffset -720 .. 840 minutes,
 * tzindex 0 .. 1024.
 * @throws ProtocolError for any other length or a field outside those ranges.
 * @internal
 */
export function decodeDatetime(data: Uint8Array): Datetime {
  const what = 'DATETIME (MP_EXT 4)'
  if (data.length !== 8 && data.length !== 16) {
    throw new ProtocolError(`${what}: expected 8 or 16 bytes, got ${data.length}`)
  }
  const low = readLe32(data, 0) >>> 0
  const high = readLe32(data, 4)
  // Exact whenever the result is within the accepted range (far below 2^53).
  const seconds = high * TWO_32 + low
  if (seconds < MIN_EPOCH_SECONDS || seconds > MAX_EPOCH_SECONDS) {
    throw new ProtocolError(`${what}: seconds ${(BigInt(high) << 32n) | BigInt(low)} outside ${MIN_EPOCH_SECONDS}..${MAX_EPOCH_SECONDS}`)
  }
  if (data.length === 8) return new Datetime({ seconds })
  const nsec = readLe32(data, 8)
  const tzoffset = ((data[12]! | (data[13]! << 8)) << 16) >> 16
  const tzindex = ((data[14]! | (data[15]! << 8)) << 16) >> 16
  if (nsec < 0 || nsec >= 2_000_000_000) throw new ProtocolError(`${what}: nsec ${nsec} outside 0..1999999999`)
  if (tzoffset < MIN_TZOFFSET || tzoffset > MAX_TZOFFSET) {
    throw new ProtocolError(`${what}: tzoffset ${tzoffset} outside ${MIN_TZOFFSET}..${MAX_TZOFFSET} minutes`)
  }
  if (tzindex < 0 || tzindex > MAX_TZINDEX) throw new ProtocolError(`${what}: tzindex ${tzindex} outside 0..${MAX_TZINDEX}`)
  return new Datetime({ seconds, nsec, tzoffset, tzindex })
}

function readLe32(data: Uint8Array, pos: number): number {
  return data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24)
}
