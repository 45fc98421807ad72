import { BTrDBError } from './errors.ts'
import type { PointArrays, StatArrays } from './points.ts'

/**
 * Decoding of the Arrow RPCs' payloads (BTrDB >= 5.30): each `arrowBytes` is a complete Arrow IPC stream
 * (PingThingsIO/btrdb-python `btrdb/stream.py` reads each with `ipc.open_stream`). Columns are copied straight
 * from the IPC buffers into typed arrays; rows are sorted by time when the server sent them out of order (the
 * server does not promise order). Needs the optional peer dependency `apache-arrow`.
 */
type Arrow = typeof import('apache-arrow')
let arrowModule: Promise<Arrow> | undefined

/** Loads apache-arrow once. @throws BTrDBError (code `ARROW_MISSING`) naming the package when it is not installed. */
export async function loadArrow(): Promise<Arrow> {
  arrowModule ??= import('apache-arrow').catch((err: unknown) => {
    arrowModule = undefined
    throw new BTrDBError('The BTrDB Arrow methods need the optional package apache-arrow: npm install apache-arrow', { code: 'ARROW_MISSING', cause: err })
  })
  return arrowModule
}

function column<T extends BigInt64Array | BigUint64Array | Float64Array>(table: import('apache-arrow').Table, name: string, Ctor: { new (n: number): T }): T {
  const child = table.getChild(name)
  if (child === null) throw new BTrDBError(`The server's Arrow payload has no "${name}" column`, { code: 'PROTOCOL' })
  const out = new Ctor(child.length)
  let at = 0
  for (const d of child.data) {
    out.set(d.values.subarray(0, d.length) as never, at)
    at += d.length
  }
  return out
}

function isSorted(times: BigInt64Array): boolean {
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) return false
  return true
}

function order(times: BigInt64Array): number[] {
  return Array.from(times.keys()).sort((a, b) => (times[a]! < times[b]! ? -1 : times[a]! > times[b]! ? 1 : 0))
}

/** Raw points of one `arrowBytes` payload. */
export function decodeArrowPoints(arrow: Arrow, bytes: Uint8Array): PointArrays {
  const table = arrow.tableFromIPC(bytes)
  const times = column(table, 'time', BigInt64Array)
  const values = column(table, 'value', Float64Array)
  if (isSorted(times)) return { times, values }
  const idx = order(times)
  return { times: BigInt64Array.from(idx, (i) => times[i]!), values: Float64Array.from(idx, (i) => values[i]!) }
}

/** Window statistics of one `arrowBytes` payload. */
export function decodeArrowStats(arrow: Arrow, bytes: Uint8Array): StatArrays {
  const table = arrow.tableFromIPC(bytes)
  const s: StatArrays = {
    times: column(table, 'time', BigInt64Array),
    min: column(table, 'min', Float64Array),
    mean: column(table, 'mean', Float64Array),
    max: column(table, 'max', Float64Array),
    count: column(table, 'count', BigUint64Array),
    stddev: column(table, 'stddev', Float64Array),
  }
  if (isSorted(s.times)) return s
  const idx = order(s.times)
  return {
    times: BigInt64Array.from(idx, (i) => s.times[i]!),
    min: Float64Array.from(idx, (i) => s.min[i]!),
    mean: Float64Array.from(idx, (i) => s.mean[i]!),
    max: Float64Array.from(idx, (i) => s.max[i]!),
    count: BigUint64Array.from(idx, (i) => s.count[i]!),
    stddev: Float64Array.from(idx, (i) => s.stddev[i]!),
  }
}
