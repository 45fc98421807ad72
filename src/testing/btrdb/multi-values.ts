import type { Snapshot } from './series-store.ts'
import { rawSlices } from './series-store.ts'

/**
 * ArrowMultiValues for the local server: the raw points of several streams as one wide table aligned on time,
 * one float64 column per stream, NaN where a stream has no point at a row's time (PingThingsIO/btrdb-python
 * `btrdb/stream.py`, `arrow_values` of a StreamSet). With `period > 0` every time snaps to the nearest multiple
 * of the period (half a period early snaps forward) and only grid times in `[start, end)` are kept; a later
 * point of a stream in the same row replaces an earlier one. Rows come out in time order, `rowsPerBatch` at a
 * time, reading each stream through a cursor (nothing is materialised whole).
 */
export function* multiValueRows(snaps: readonly Snapshot[], start: bigint, end: bigint, period: bigint, rowsPerBatch: number): Generator<{ times: BigInt64Array; columns: Float64Array[] }> {
  // Read a little beyond the range when snapping, so points that snap into it are seen.
  const half = period > 0n ? period / 2n : 0n
  type Cursor = { it: Generator<{ times: BigInt64Array; values: Float64Array }>; times: BigInt64Array; values: Float64Array; i: number; done: boolean }
  const cursors: Cursor[] = snaps.map((snap) => ({ it: rawSlices(snap, start - half, end + half, 4096), times: new BigInt64Array(0), values: new Float64Array(0), i: 0, done: false }))
  const snap = (t: bigint): bigint => (period > 0n ? ((t + half) / period) * period - ((t + half) % period < 0n ? period : 0n) : t)
  const head = (k: number): bigint | undefined => {
    const c = cursors[k]!
    while (c.i >= c.times.length) {
      if (c.done) return undefined
      const r = c.it.next()
      if (r.done === true) {
        c.done = true
        return undefined
      }
      c.times = r.value.times
      c.values = r.value.values
      c.i = 0
    }
    return snap(c.times[c.i]!)
  }
  let times: bigint[] = []
  let columns: number[][] = snaps.map(() => [])
  for (;;) {
    let t: bigint | undefined
    for (let k = 0; k < cursors.length; k++) {
      const h = head(k)
      if (h !== undefined && (t === undefined || h < t)) t = h
    }
    if (t === undefined) break
    const row = snaps.map(() => NaN)
    for (let k = 0; k < cursors.length; k++) {
      while (head(k) === t) {
        const c = cursors[k]!
        row[k] = c.values[c.i]!
        c.i++
      }
    }
    if (t < start || t >= end) continue
    times.push(t)
    row.forEach((v, k) => columns[k]!.push(v))
    if (times.length >= rowsPerBatch) {
      yield { times: BigInt64Array.from(times), columns: columns.map((c) => Float64Array.from(c)) }
      times = []
      columns = snaps.map(() => [])
    }
  }
  if (times.length > 0) yield { times: BigInt64Array.from(times), columns: columns.map((c) => Float64Array.from(c)) }
}
