/**
 * The flights of `vega-datasets` as BTrDB data: one stream of departure delays (minutes) per origin airport,
 * built as column arrays (time in ns since the epoch, delay) from the parquet file, one row group at a time.
 */
import { readFile } from 'node:fs/promises'
import { csvParse } from 'd3-dsv'
import { openFlightsParquet } from '../flights-parquet.ts'

/** Points of one origin airport. */
export interface OriginSeries {
  origin: string
  times: BigInt64Array
  values: Float64Array
}

/** The airport's name and state from `airports.csv`, for stream annotations. */
export interface AirportInfo {
  name: string
  state: string | undefined
}

/** `iata` → name and state. */
export async function readAirports(path: string): Promise<Map<string, AirportInfo>> {
  const rows = csvParse(await readFile(path, 'utf8'))
  const out = new Map<string, AirportInfo>()
  for (const r of rows) {
    if (r.iata) out.set(r.iata, { name: r.name ?? r.iata, state: r.state && r.state !== 'NA' ? r.state : undefined })
  }
  return out
}

/**
 * Reads the first `rows` flights and groups their (departure time, delay) by origin, busiest origin first.
 * @throws the parquet reader's errors, or `signal.reason`.
 */
export async function delaysByOrigin(path: string, rows: number, signal?: AbortSignal): Promise<OriginSeries[]> {
  const file = await openFlightsParquet(path)
  const times = new Map<string, number[]>()
  const delays = new Map<string, number[]>()
  for await (const chunk of file.chunks(rows, signal)) {
    for (const [, date, delay, , origin] of chunk) {
      let t = times.get(origin)
      if (t === undefined) {
        t = []
        times.set(origin, t)
        delays.set(origin, [])
      }
      t.push(date)
      delays.get(origin)!.push(delay)
    }
  }
  const series = [...times.keys()].map((origin) => ({
    origin,
    times: BigInt64Array.from(times.get(origin)!, (s) => BigInt(s) * 1_000_000_000n),
    values: Float64Array.from(delays.get(origin)!),
  }))
  return series.sort((a, b) => b.times.length - a.times.length || (a.origin < b.origin ? -1 : 1))
}
