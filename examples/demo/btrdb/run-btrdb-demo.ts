/**
 * The BTrDB part of the demo: the 3M flights as one stream of departure delays per origin airport (collection
 * `flights/<origin>`, tags `name`/`unit`, annotations with the airport's name and state), inserted with a
 * progress bar; then the daily mean delay of the busiest airports with `alignedWindows` and `windows`, a
 * StreamSet of several airports merged by time, the collection metadata, and one picture (SVG).
 *
 * The server is `BTRDB_ENDPOINTS` (+ `BTRDB_API_KEY`) when set (streams of an earlier run under `flights/` are
 * obliterated first), else the local BTrDB of `dialectry/testing/btrdb` in this process.
 */
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, nsToIso, type BTrDB, type Stream } from '../../../src/btrdb/index.ts'
import { provisionBTrDB } from '../../../src/testing/btrdb/index.ts'
import { AIRPORTS_CSV, FLIGHTS_PARQUET } from '../data-files.ts'
import { formatDecimal, formatDuration, formatInteger, formatTable } from '../format-table.ts'
import { defaultProgressMode, startProgress, type ProgressMode } from '../progress.ts'
import { delaysByOrigin, readAirports } from './delay-streams.ts'
import { terminalChart, writeDelayChart, type DailyDelay } from './delay-chart.ts'

/** Options of {@link runBTrDBDemo}. */
export interface BTrDBDemoOptions {
  /** Flights to load; default all (3,000,000). */
  rows?: number
  log?: (line: string) => void
  progress?: ProgressMode
  signal?: AbortSignal
  env?: Record<string, string | undefined>
  /** Folder of the SVG; default `<tmpdir>/dialectry-demo`. */
  outDir?: string
}

/** What the demo computed. */
export interface BTrDBDemoResult {
  source: 'env' | 'local'
  points: number
  streams: number
  insertRate: number
  busiest: { origin: string; count: bigint }[]
  chartPath: string
  chartRendered: boolean
  timings: Record<string, number>
}

const DAY_NS = 86_400_000_000_000n

/** Runs the BTrDB part. @throws driver errors, or `signal.reason` when aborted. */
export async function runBTrDBDemo(options: BTrDBDemoOptions = {}): Promise<BTrDBDemoResult> {
  const log = options.log ?? ((l: string) => console.log(l))
  const timings: Record<string, number> = {}
  const t0 = performance.now()
  let mark = t0
  const lap = (name: string): void => {
    const now = performance.now()
    timings[name] = now - mark
    mark = now
  }
  const btrdb = await provisionBTrDB({ env: options.env ?? process.env })
  let db: BTrDB | undefined
  try {
    db = await connect(btrdb.endpoints, { apikey: btrdb.apikey, env: {}, home: '/nonexistent', onWarning: () => {} })
    const info = await db.info()
    log(`BTrDB ${info.majorVersion}.${info.minorVersion} (${info.build}) at ${btrdb.endpoints.join(', ')}${btrdb.source === 'local' ? ' (local server, this process)' : ''}`)
    lap('server')

    const airports = await readAirports(AIRPORTS_CSV)
    const series = await delaysByOrigin(FLIGHTS_PARQUET, options.rows ?? Infinity, options.signal)
    const total = series.reduce((a, s) => a + s.times.length, 0)
    log(`Read ${formatInteger(total)} flights from ${series.length} origin airports (${formatDuration(performance.now() - mark)})`)
    lap('read')

    for (const old of await db.streamsInCollection('flights/')) await old.obliterate()
    const streams = new Map<string, Stream>()
    for (const s of series) {
      const a = airports.get(s.origin)
      const annotations: Record<string, string> = { airport: a?.name ?? s.origin, source: 'vega-datasets flights-3m' }
      if (a?.state !== undefined) annotations.state = a.state
      streams.set(s.origin, await db.create(undefined, `flights/${s.origin}`, { name: 'departure_delay', unit: 'minutes' }, annotations))
    }
    const progress = startProgress({ label: 'BTrDB insert', total, unit: 'points', mode: options.progress ?? defaultProgressMode(), log })
    let done = 0
    const queue = [...series]
    const worker = async (): Promise<void> => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        options.signal?.throwIfAborted()
        let before = 0
        await streams.get(s.origin)!.insert(s, { signal: options.signal, onProgress: (sent) => {
          done += sent - before
          before = sent
          progress.update(done)
        } })
      }
    }
    try {
      await Promise.all([worker(), worker(), worker(), worker()])
    } finally {
      progress.stop()
    }
    lap('insert')
    const insertRate = total / (timings.insert! / 1000)
    log(`Inserted ${formatInteger(total)} points into ${streams.size} streams, ${formatInteger(Math.round(insertRate))} points/s`)

    // Busiest airports by the server's own count.
    const counted = await Promise.all(series.slice(0, 10).map(async (s) => ({ origin: s.origin, count: await streams.get(s.origin)!.count() })))
    const busiest = counted.sort((a, b) => (b.count > a.count ? 1 : b.count < a.count ? -1 : 0)).slice(0, 5)
    const start = series.reduce((m, s) => (s.times[0]! < m ? s.times[0]! : m), series[0]!.times[0]!)
    const dayStart = start - (start % DAY_NS)
    const end = series.reduce((m, s) => (s.times.at(-1)! > m ? s.times.at(-1)! : m), 0n) + 1n

    log('')
    log('Busiest origins, mean delay over aligned windows of 2^46 ns (~19.5 h), worst window:')
    const rows: { origin: string; airport: string; count: bigint; windows: number; worst: string; mean: number }[] = []
    for (const b of busiest) {
      const w = await streams.get(b.origin)!.alignedWindows(start, end, 46)
      let worst = w[0]!
      let sum = 0
      let n = 0n
      for (const p of w) {
        if (p.mean > worst.mean) worst = p
        sum += p.mean * Number(p.count)
        n += p.count
      }
      rows.push({ origin: b.origin, airport: airports.get(b.origin)?.name ?? '', count: b.count, windows: w.length, worst: `${nsToIso(worst.time).slice(0, 16)} (${formatDecimal(worst.mean, 1)} min)`, mean: sum / Number(n) })
    }
    for (const l of formatTable(rows, [
      { header: 'origin', cell: (r) => r.origin },
      { header: 'airport', cell: (r) => r.airport },
      { header: 'flights', cell: (r) => formatInteger(Number(r.count)), align: 'right' },
      { header: 'windows', cell: (r) => String(r.windows), align: 'right' },
      { header: 'mean delay', cell: (r) => formatDecimal(r.mean, 2), align: 'right' },
      { header: 'worst window (UTC start)', cell: (r) => r.worst },
    ])) log(l)
    lap('alignedWindows')

    // Exact daily windows for the picture.
    const daily: DailyDelay[] = []
    for (const b of busiest) {
      for (const w of await streams.get(b.origin)!.windows(dayStart, end - ((end - dayStart) % DAY_NS) + DAY_NS, DAY_NS)) {
        daily.push({ day: nsToIso(w.time).slice(0, 10), airport: b.origin, meanDelay: Math.round(w.mean * 100) / 100 })
      }
    }
    lap('windows')

    log('')
    const names = busiest.slice(0, 3).map((b) => b.origin)
    const set = (await db.streams(names.map((o) => `flights/${o}/departure_delay`))).filter({ start: dayStart + DAY_NS * 31n + 8n * 3_600_000_000_000n, end: dayStart + DAY_NS * 31n + 9n * 3_600_000_000_000n })
    log(`StreamSet of ${names.join(', ')} merged by time, 08:00-09:00 on ${nsToIso(dayStart + DAY_NS * 31n).slice(0, 10)} (first 8 rows):`)
    const merged: { time: bigint; values: (number | undefined)[] }[] = []
    for await (const row of set.rows()) {
      merged.push(row)
      if (merged.length === 8) break
    }
    for (const l of formatTable(merged, [
      { header: 'time (UTC)', cell: (r) => nsToIso(r.time).slice(11, 19) },
      ...names.map((n, i) => ({ header: n, cell: (r: (typeof merged)[number]) => (r.values[i] === undefined ? '' : String(r.values[i])), align: 'right' as const })),
    ])) log(l)
    lap('streamSet')

    log('')
    const meta = await db.collectionMetadata('flights/')
    log(`Collection metadata under flights/: tags ${JSON.stringify(meta.tags)}, annotations ${JSON.stringify(meta.annotations)}`)
    const sql = await db.query('select collection, name, unit from streams where collection = $1', [`flights/${busiest[0]!.origin}`]).catch((e: Error) => [{ error: e.message }])
    log(`SQL over stream metadata: ${JSON.stringify(sql)}`)
    lap('metadata')

    const outDir = options.outDir ?? join(tmpdir(), 'dialectry-demo')
    mkdirSync(outDir, { recursive: true })
    const chart = await writeDelayChart(daily, join(outDir, 'btrdb-daily-delay.svg'))
    log('')
    if (chart.rendered) log(`Chart: ${chart.path}`)
    else log(`Chart: vega/vega-lite are not installed, so the vega-lite specification was written to ${chart.path}; daily mean delay:`)
    if (!chart.rendered) for (const l of terminalChart(daily)) log(l)
    lap('chart')
    log(`BTrDB part done in ${formatDuration(performance.now() - t0)}`)
    return { source: btrdb.source, points: total, streams: streams.size, insertRate, busiest, chartPath: chart.path, chartRendered: chart.rendered, timings }
  } finally {
    db?.close()
    await btrdb.stop()
  }
}
