import { InvalidValueError } from './errors.ts'
import { toNanoseconds, type TimeLike } from './time.ts'

/** A raw point: time in ns since the epoch, and its value. */
export interface RawPoint {
  time: bigint
  value: number
}

/** One window's summary (population statistics); `time` is the window's start in ns. */
export interface StatPoint {
  time: bigint
  min: number
  mean: number
  max: number
  count: bigint
  stddev: number
}

/** Points in column form: parallel arrays of times (ns) and values. */
export interface PointArrays {
  times: BigInt64Array
  values: Float64Array
}

/** Windows in column form, one entry per window in each array. */
export interface StatArrays {
  times: BigInt64Array
  min: Float64Array
  mean: Float64Array
  max: Float64Array
  count: BigUint64Array
  stddev: Float64Array
}

/** What `insert()` takes: column arrays, `{ time, value }` objects, or `[time, value]` pairs. */
export type InsertData =
  | PointArrays
  | { times: ArrayLike<TimeLike>; values: ArrayLike<number> }
  | readonly RawPoint[]
  | readonly (readonly [TimeLike, number])[]

/**
 * Normalises insert data to column arrays.
 * @throws InvalidValueError when times and values differ in length or a time cannot be converted.
 */
export function toPointArrays(data: InsertData): PointArrays {
  if (!Array.isArray(data)) {
    const cols = data as { times: ArrayLike<TimeLike>; values: ArrayLike<number> }
    if (cols.times.length !== cols.values.length) {
      throw new InvalidValueError(`insert(): ${cols.times.length} times but ${cols.values.length} values`, { code: 'INVALID_ARGUMENT' })
    }
    const times = cols.times instanceof BigInt64Array ? cols.times : BigInt64Array.from(Array.from(cols.times, (t) => toNanoseconds(t)))
    const values = cols.values instanceof Float64Array ? cols.values : Float64Array.from(cols.values)
    return { times, values }
  }
  const n = data.length
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const p = data[i] as RawPoint | readonly [TimeLike, number]
    if (Array.isArray(p)) {
      times[i] = toNanoseconds(p[0] as TimeLike)
      values[i] = p[1] as number
    } else {
      times[i] = toNanoseconds((p as RawPoint).time)
      values[i] = (p as RawPoint).value
    }
  }
  return { times, values }
}
