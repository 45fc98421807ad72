import type { WindowStat } from './series-store.ts'

/**
 * Arrow IPC stream payloads of the Arrow RPCs (server >= 5.30), with the default schemas of
 * PingThingsIO/btrdb-python `btrdb/stream.py` (`arrow_values`, `arrow_aligned_windows`): raw values
 * `time: timestamp[ns, UTC]`, `value: float64`; windows `time`, `min`, `mean`, `max`, `count: uint64`,
 * `stddev`. apache-arrow is loaded on first use (an optional peer dependency).
 */
type Arrow = typeof import('apache-arrow')
let arrowModule: Promise<Arrow> | undefined
export function loadArrow(): Promise<Arrow> {
  arrowModule ??= import('apache-arrow')
  return arrowModule
}

/** One IPC stream (schema, one record batch, end marker) of raw points. */
export function rawArrowBytes(arrow: Arrow, times: BigInt64Array, values: Float64Array): Uint8Array {
  const table = new arrow.Table({
    time: arrow.makeVector({ type: new arrow.TimestampNanosecond('UTC'), data: times }),
    value: arrow.makeVector(values),
  })
  return arrow.tableToIPC(table, 'stream')
}

/** One IPC stream of a wide table: `time`, then one float64 column per stream named by its uuid. */
export function multiArrowBytes(arrow: Arrow, times: BigInt64Array, names: readonly string[], columns: readonly Float64Array[]): Uint8Array {
  const cols: Record<string, import('apache-arrow').Vector> = { time: arrow.makeVector({ type: new arrow.TimestampNanosecond('UTC'), data: times }) }
  names.forEach((n, k) => (cols[n] = arrow.makeVector(columns[k]!)))
  return arrow.tableToIPC(new arrow.Table(cols), 'stream')
}

/** One IPC stream of window statistics. */
export function windowArrowBytes(arrow: Arrow, stats: readonly WindowStat[]): Uint8Array {
  const table = new arrow.Table({
    time: arrow.makeVector({ type: new arrow.TimestampNanosecond('UTC'), data: BigInt64Array.from(stats, (s) => s.time) }),
    min: arrow.makeVector(Float64Array.from(stats, (s) => s.min)),
    mean: arrow.makeVector(Float64Array.from(stats, (s) => s.mean)),
    max: arrow.makeVector(Float64Array.from(stats, (s) => s.max)),
    count: arrow.makeVector(BigUint64Array.from(stats, (s) => s.count)),
    stddev: arrow.makeVector(Float64Array.from(stats, (s) => s.stddev)),
  })
  return arrow.tableToIPC(table, 'stream')
}
