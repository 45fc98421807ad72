import { InvalidArgumentError, ProtocolError } from '../errors.ts'
import { mpIntSize, readMpInt, writeMpInt, type PayloadCursor } from './decimal.ts'

/**
 * Tarantool's INTERVAL value (MP_EXT type 6, Tarantool 2.10+,
 * https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/).
 */

/**
 * How adding months/years treats a day that does not exist in the target month (Tarantool `adjust`):
 * `'excess'` overflows into the next month (wire 0), `'none'` clamps to the month's last day (wire 1, Lua's
 * default), `'last'` snaps to the last day of the month (wire 2).
 */
export type IntervalAdjust = 'excess' | 'none' | 'last'

const ADJUST_NAMES: readonly IntervalAdjust[] = ['excess', 'none', 'last']

/** Fields of an {@link Interval}; every count defaults to `0`. */
export interface IntervalInit {
  /** int32 */
  year?: number
  /** int32 */
  month?: number
  /** int32 */
  week?: number
  /** safe integer */
  day?: number
  /** safe integer */
  hour?: number
  /** safe integer */
  minute?: number
  /** safe integer */
  second?: number
  /** int32 nanoseconds */
  nsec?: number
  /** Default `'none'` (Tarantool Lua's default). */
  adjust?: IntervalAdjust
}

// Wire field ids in encoding order; the value is the property name.
const FIELDS = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second', 'nsec'] as const
type CountField = (typeof FIELDS)[number]
const INT32_FIELDS: ReadonlySet<CountField> = new Set(['year', 'month', 'week', 'nsec'])
const ADJUST_FIELD = 8

/**
 * A calendar interval as Tarantool's `interval` type stores it (2.10+; 2.6 does not know MP_EXT 6).
 *
 * Encoded as MP_EXT 6 (https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/): a count of
 * present fields, then (field id, MessagePack int) pairs for every
 * nonzero field in id order: 0 year, 1 month, 2 week, 3 day, 4 hour, 5 minute, 6 second, 7 nsec, 8 adjust
 * (omitted when `'excess'`). `{ year: 1, month: 200, day: -77, adjust: 'none' }` encodes as
 * `C7 0B 06 04 00 01 01 CC C8 03 D0 B3 08 01`.
 *
 * @example
 * const quarter = new Interval({ month: 3 })
 * await client.call('shift_deadline', [taskId, quarter])
 */
export class Interval {
  readonly year: number
  readonly month: number
  readonly week: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
  readonly nsec: number
  readonly adjust: IntervalAdjust

  /**
   * @throws InvalidArgumentError when a count is not an integer (year, month, week and nsec must fit int32;
   *   the others must be safe integers) or `adjust` is not `'excess'`, `'none'` or `'last'`.
   */
  constructor(init: IntervalInit = {}) {
    if (init === null || typeof init !== 'object') throw new InvalidArgumentError('Interval: expected an object of field counts')
    for (const field of FIELDS) {
      const value = init[field] ?? 0
      const ok = INT32_FIELDS.has(field)
        ? Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff
        : Number.isSafeInteger(value)
      if (!ok) throw new InvalidArgumentError(`Interval: ${field} must be an ${INT32_FIELDS.has(field) ? 'int32' : 'integer'}, got ${String(value)}`)
    }
    const adjust = init.adjust ?? 'none'
    if (!ADJUST_NAMES.includes(adjust)) {
      throw new InvalidArgumentError(`Interval: adjust must be 'excess', 'none' or 'last', got ${String(adjust)}`)
    }
    this.year = init.year ?? 0
    this.month = init.month ?? 0
    this.week = init.week ?? 0
    this.day = init.day ?? 0
    this.hour = init.hour ?? 0
    this.minute = init.minute ?? 0
    this.second = init.second ?? 0
    this.nsec = init.nsec ?? 0
    this.adjust = adjust
  }

  /** The fields as a plain object (every field present). */
  toJSON(): Required<IntervalInit> {
    return {
      year: this.year, month: this.month, week: this.week, day: this.day, hour: this.hour,
      minute: this.minute, second: this.second, nsec: this.nsec, adjust: this.adjust,
    }
  }

  /** Nonzero fields, e.g. `'+1 years, 200 months, -77 days'`; `'0 seconds'` when empty. */
  toString(): string {
    const parts: string[] = []
    const units = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'nanoseconds']
    FIELDS.forEach((field, i) => {
      const value = this[field]
      if (value !== 0) parts.push(`${parts.length === 0 && value > 0 ? '+' : ''}${value} ${units[i]}`)
    })
    return parts.length === 0 ? '0 seconds' : parts.join(', ')
  }
}

/**
 * Bytes of the MP_EXT 6 payload of `value` (without the ext header).
 * @internal
 */
export function intervalPayloadSize(value: Interval): number {
  let size = 1
  for (const field of FIELDS) {
    const v = value[field]
    if (v !== 0) size += 1 + mpIntSize(v)
  }
  if (value.adjust !== 'excess') size += 2
  return size
}

/**
 * Writes the MP_EXT 6 payload at `pos`; returns the end position.
 * @internal
 */
export function writeIntervalPayload(value: Interval, target: Uint8Array, pos: number): number {
  const countPos = pos++
  let count = 0
  for (let id = 0; id < FIELDS.length; id++) {
    const v = value[FIELDS[id]!]
    if (v === 0) continue
    target[pos++] = id
    pos = writeMpInt(target, pos, v)
    count++
  }
  if (value.adjust !== 'excess') {
    target[pos++] = ADJUST_FIELD
    target[pos++] = ADJUST_NAMES.indexOf(value.adjust)
    count++
  }
  target[countPos] = count
  return pos
}

/**
 * Decodes an MP_EXT 6 payload. Absent fields are 0, an absent adjust is `'excess'`.
 * @throws ProtocolError on an unknown field id, an adjust outside 0..2, a value that is not an int or does not
 *   fit its field, truncation, or bytes left over after `count` pairs.
 * @internal
 */
export function decodeInterval(data: Uint8Array): Interval {
  const what = 'INTERVAL (MP_EXT 6)'
  if (data.length < 1) throw new ProtocolError(`${what}: empty payload`)
  const init: { -readonly [K in keyof IntervalInit]: IntervalInit[K] } = { adjust: 'excess' }
  const count = data[0]!
  const cursor: PayloadCursor = { pos: 1 }
  for (let i = 0; i < count; i++) {
    if (cursor.pos >= data.length) throw new ProtocolError(`${what}: payload ends after ${i} of ${count} fields`)
    const id = data[cursor.pos++]!
    const value = readMpInt(data, cursor, what)
    if (id < FIELDS.length) init[FIELDS[id]!] = value
    else if (id === ADJUST_FIELD) {
      const adjust = ADJUST_NAMES[value]
      if (adjust === undefined) throw new ProtocolError(`${what}: adjust ${value} is not 0, 1 or 2`)
      init.adjust = adjust
    } else throw new ProtocolError(`${what}: unknown field id ${id}`)
  }
  if (cursor.pos !== data.length) throw new ProtocolError(`${what}: ${data.length - cursor.pos} bytes after the last field`)
  try {
    return new Interval(init)
  } catch (error) {
    throw new ProtocolError(`${what}: ${(error as Error).message}`, error)
  }
}
