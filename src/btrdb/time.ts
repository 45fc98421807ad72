import { InvalidValueError } from './errors.ts'

/**
 * BTrDB times: int64 nanoseconds since the Unix epoch (UTC) as `bigint`, and conversions from the values people
 * hold (`Date`, ISO-8601 strings, epoch numbers). Follows PingThingsIO/btrdb-python `btrdb/utils/timez.py` and
 * `btrdb/__init__.py` (MINIMUM_TIME / MAXIMUM_TIME).
 */

/** Earliest time BTrDB stores: `-(16 << 56)` ns (1933-06-20). */
export const MINIMUM_TIME = -(16n << 56n)
/** One past the latest time BTrDB stores: `48 << 56` ns (2079-08-08); use `MAXIMUM_TIME - 1n` as an inclusive end. */
export const MAXIMUM_TIME = 48n << 56n

/** Anything {@link toNanoseconds} accepts: ns as bigint, a Date, an ISO-8601 string, or whole ns as a number. */
export type TimeLike = bigint | Date | string | number

/**
 * Nanoseconds since the epoch for `time`:
 * - `bigint`: taken as ns;
 * - `number`: taken as ns, must be an integer (floats lose ns precision beyond 2^53, pass a bigint then);
 * - `Date`: its ms × 10^6;
 * - `string`: ISO-8601 with up to 9 fraction digits (`2024-01-02T03:04:05.123456789Z`); without a zone, UTC.
 *
 * @throws InvalidValueError for a non-integer number, an unparsable string or an invalid Date.
 * @example toNanoseconds('2024-01-01T00:00:00Z') // 1704067200000000000n
 */
export function toNanoseconds(time: TimeLike): bigint {
  if (typeof time === 'bigint') return time
  if (typeof time === 'number') {
    if (!Number.isInteger(time)) throw new InvalidValueError(`Time ${time} is not a whole number of nanoseconds`, { code: 'INVALID_TIME' })
    return BigInt(time)
  }
  if (time instanceof Date) {
    const ms = time.getTime()
    if (Number.isNaN(ms)) throw new InvalidValueError('Time is an invalid Date', { code: 'INVALID_TIME' })
    return BigInt(ms) * 1_000_000n
  }
  return isoToNanoseconds(time)
}

function isoToNanoseconds(text: string): bigint {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim())
  if (m === null) throw new InvalidValueError(`Time "${text}" is not an ISO-8601 date-time`, { code: 'INVALID_TIME' })
  const zone = m[4] === undefined || m[4].toUpperCase() === 'Z' ? 'Z' : m[4]
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${zone}`)
  if (Number.isNaN(ms)) throw new InvalidValueError(`Time "${text}" is not a valid date-time`, { code: 'INVALID_TIME' })
  const fraction = BigInt((m[3] ?? '').padEnd(9, '0'))
  return BigInt(ms) * 1_000_000n + fraction
}

/** The Date holding `ns` (truncated to ms). */
export function nsToDate(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n) - (ns % 1_000_000n < 0n ? 1 : 0))
}

/** ISO-8601 UTC text of `ns` with all 9 fraction digits: `2024-01-02T03:04:05.123456789Z`. */
export function nsToIso(ns: bigint): string {
  let seconds = ns / 1_000_000_000n
  let sub = ns % 1_000_000_000n
  if (sub < 0n) {
    sub += 1_000_000_000n
    seconds -= 1n
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
  return `${base}.${sub.toString().padStart(9, '0')}Z`
}

/** Now, in ns since the epoch (ms precision plus the high-resolution clock's sub-ms part). */
export function currentlyAsNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n)
}

/** Durations in ns: `nsDelta({ days: 1, hours: 2 })`. Each part may be fractional except `nanoseconds`. */
export function nsDelta(parts: { days?: number; hours?: number; minutes?: number; seconds?: number; milliseconds?: number; microseconds?: number; nanoseconds?: number | bigint }): bigint {
  const seconds = (parts.days ?? 0) * 86400 + (parts.hours ?? 0) * 3600 + (parts.minutes ?? 0) * 60 + (parts.seconds ?? 0)
  const ns = BigInt(Math.round(seconds * 1e9)) + BigInt(Math.round((parts.milliseconds ?? 0) * 1e6)) + BigInt(Math.round((parts.microseconds ?? 0) * 1e3))
  return ns + BigInt(parts.nanoseconds ?? 0)
}

/**
 * Checks a half-open query range `[start, end)` before it is sent.
 * @throws InvalidValueError (code 413) when `start >= end` or either lies outside [MINIMUM_TIME, MAXIMUM_TIME].
 */
export function checkRange(start: bigint, end: bigint): void {
  if (start < MINIMUM_TIME || end > MAXIMUM_TIME || start >= end) {
    throw new InvalidValueError(`Time range [${start}, ${end}) is empty or outside [${MINIMUM_TIME}, ${MAXIMUM_TIME}]; pass start < end within it`, { code: 413 })
  }
}
