import { InvalidValueError } from './errors.ts'

/**
 * Pointwidths: BTrDB's aligned windows are `2^pw` ns wide and start at multiples of `2^pw` (pw in [0, 63]).
 * Follows PingThingsIO/btrdb-python `btrdb/utils/general.py` (`pointwidth`) and `btrdb/conn.py` (MAX_POINTWIDTH).
 */

/** Largest pointwidth the server accepts. */
export const MAX_POINTWIDTH = 63

/** @throws InvalidValueError (code 415) unless `pw` is an integer in [0, 63]. */
export function checkPointwidth(pw: number): void {
  if (!Number.isInteger(pw) || pw < 0 || pw > MAX_POINTWIDTH) {
    throw new InvalidValueError(`Pointwidth ${pw} is outside [0, ${MAX_POINTWIDTH}]`, { code: 415 })
  }
}

/** Window width of pointwidth `pw`, in ns: `2^pw`. */
export function pointwidthToNanoseconds(pw: number): bigint {
  checkPointwidth(pw)
  return 1n << BigInt(pw)
}

/** The largest pointwidth whose windows fit in `ns` (floor(log2(ns))); `ns` must be > 0. */
export function pointwidthFromNanoseconds(ns: bigint): number {
  if (ns <= 0n) throw new InvalidValueError(`Duration ${ns} ns has no pointwidth; pass a positive duration`, { code: 415 })
  return Math.min(MAX_POINTWIDTH, ns.toString(2).length - 1)
}

/** Start of the aligned window of pointwidth `pw` that holds `time` (low `pw` bits cleared, rounding down). */
export function alignToPointwidth(time: bigint, pw: number): bigint {
  const width = 1n << BigInt(pw)
  const r = ((time % width) + width) % width
  return time - r
}

/**
 * The range an aligned-windows query over `[start, end)` covers at pointwidth `pw`, as the server computes it:
 * both ends rounded down to multiples of `2^pw`, and the number of windows between them.
 *
 * @example forAlignedWindows(5n, 70n, 4) // { start: 0n, end: 64n, windows: 4 }
 */
export function forAlignedWindows(start: bigint, end: bigint, pw: number): { start: bigint; end: bigint; windows: number } {
  checkPointwidth(pw)
  const s = alignToPointwidth(start, pw)
  const e = alignToPointwidth(end, pw)
  return { start: s, end: e, windows: e > s ? Number((e - s) >> BigInt(pw)) : 0 }
}
