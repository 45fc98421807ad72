import type { StatPointBatch } from './point-codec.ts'
import type { StatArrays, StatPoint } from './points.ts'

/** Window results in column form: gathering server batches, and turning columns into StatPoint objects. */

/** Concatenates the batches of a window query into one set of columns, with the version read. */
export async function concatStats(source: AsyncIterable<StatPointBatch>): Promise<StatArrays & { version: bigint }> {
  const parts: StatPointBatch[] = []
  let n = 0
  let version = 0n
  for await (const b of source) {
    if (b.times.length > 0) parts.push(b)
    n += b.times.length
    version = b.versionMajor
  }
  if (parts.length === 1) return { ...parts[0]!, version }
  const out = { times: new BigInt64Array(n), min: new Float64Array(n), mean: new Float64Array(n), max: new Float64Array(n), count: new BigUint64Array(n), stddev: new Float64Array(n), version }
  let at = 0
  for (const b of parts) {
    out.times.set(b.times, at)
    out.min.set(b.min, at)
    out.mean.set(b.mean, at)
    out.max.set(b.max, at)
    out.count.set(b.count, at)
    out.stddev.set(b.stddev, at)
    at += b.times.length
  }
  return out
}

/** Column-form windows as StatPoint objects. */
export function statPointsOf(a: StatArrays): StatPoint[] {
  const out: StatPoint[] = new Array(a.times.length)
  for (let i = 0; i < a.times.length; i++) {
    out[i] = { time: a.times[i]!, min: a.min[i]!, mean: a.mean[i]!, max: a.max[i]!, count: a.count[i]!, stddev: a.stddev[i]! }
  }
  return out
}
