import { readFileSync } from 'node:fs'
import { zstdDecompressSync } from 'node:zlib'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/cratedb/index.ts'
import { runCrateDBDemo, type CrateDemoResult } from '../../examples/demo.ts'
import { EARTHQUAKES_JSON, FLIGHTS_PARQUET } from '../../examples/demo/data-files.ts'
import { bulkInsert } from '../../examples/demo/cratedb/bulk-insert.ts'
import { failureLines } from '../../examples/demo/cratedb/print-results.ts'
import { provisionCrateDB, type ProvisionedCrateDB } from '../../examples/demo/cratedb/provision-cratedb.ts'
import { chooseFlightRows, LOCAL_DEFAULT_FLIGHTS } from '../../examples/demo/cratedb/run-cratedb-demo.ts'

// Smoke test of the CrateDB part of `npm run demo`: runs it on the first 20,000 flights against CRATEDB_URL, else
// the local protocol server (in a worker thread, as the demo starts it), and checks every printed result against
// numbers computed here straight from earthquakes.json and the parquet file, without the demo's readers, loader or
// SQL. The local server runs with its refresh emulation on (searches see only refreshed rows), so a demo that
// forgot REFRESH TABLE would find nothing here.

const ROWS = 20_000
const SF: [number, number] = [-122.4193, 37.7793]

interface Quake {
  id: string
  lon: number
  lat: number
  depth: number
  properties: { mag: number; place: string; type: string; magType: string; tsunami: number; sig: number; time: number }
}

interface Flight {
  date: Date
  delay: number
  origin: string
  destination: string
}

let server: ProvisionedCrateDB
let result: CrateDemoResult
const output: string[] = []
let quakes: Quake[]
let flights: Flight[]

/** Great-circle distance in meters on a sphere of CrateDB's mean earth radius. */
function haversineMeters([lon1, lat1]: [number, number], [lon2, lat2]: [number, number]): number {
  const rad = Math.PI / 180
  const h = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2
  return 2 * 6_371_008.7714 * Math.asin(Math.min(1, Math.sqrt(h)))
}

beforeAll(async () => {
  const geojson = JSON.parse(readFileSync(EARTHQUAKES_JSON, 'utf8')) as {
    features: { id: string; geometry: { coordinates: number[] }; properties: Quake['properties'] }[]
  }
  quakes = geojson.features.map((f) => ({ id: f.id, lon: f.geometry.coordinates[0]!, lat: f.geometry.coordinates[1]!, depth: f.geometry.coordinates[2]!, properties: f.properties }))
  const raw = await parquetReadObjects({
    file: await asyncBufferFromFile(FLIGHTS_PARQUET),
    rowEnd: ROWS,
    columns: ['date', 'delay', 'origin', 'destination'],
    compressors: { ZSTD: (input) => new Uint8Array(zstdDecompressSync(input)) },
  })
  flights = raw.map((r) => ({ date: r['date'] as Date, delay: Number(r['delay']), origin: r['origin'] as string, destination: r['destination'] as string }))
  server = await provisionCrateDB({ server: { refreshInterval: 3_600_000 } })
  result = await runCrateDBDemo({ rows: ROWS, env: { CRATEDB_URL: server.servers }, log: (line) => output.push(line), progress: 'lines' })
}, 180_000)

afterAll(async () => {
  await server?.stop()
})

describe('npm run demo, CrateDB part (20,000 flights)', () => {
  it('bulk-loads every earthquake and every requested flight, with no failed row', () => {
    expect(result.earthquakes).toMatchObject({ rows: quakes.length, failed: 0, failures: [], chunks: Math.ceil(quakes.length / 500) })
    expect(result.flights).toMatchObject({ rows: ROWS, failed: 0, failures: [], chunks: 2 })
    expect(result.requestedFlights).toBe(ROWS)
    expect(result.subsetReason).toBeUndefined()
    expect(output.some((l) => /^Loaded 1,707 earthquakes in [\d.]+ m?s \([\d,]+ rows\/s, 4 bulk requests\)$/.test(l))).toBe(true)
    expect(output.some((l) => /^Loaded 20,000 flights in [\d.]+ m?s \([\d,]+ rows\/s, 2 bulk requests\)$/.test(l))).toBe(true)
    expect(output.some((l) => /^ {2}flights: 20,000\/20,000 rows \(100%\)/.test(l))).toBe(true)
    expect(output.some((l) => /^ {2}quakes: 1,707\/1,707 rows \(100%\)/.test(l))).toBe(true)
    expect(output.some((l) => l.includes('rows failed'))).toBe(false)
  })

  it('(1) geo distance: the earthquakes within 100 km of San Francisco are the ones haversine finds', () => {
    const within = quakes
      .map((q) => ({ q, m: haversineMeters([q.lon, q.lat], SF) }))
      .filter((x) => x.m <= 100_000)
      .sort((a, b) => a.m - b.m || a.q.id.localeCompare(b.q.id))
    expect(within.length).toBe(13)
    expect(result.near.total).toBe(within.length)
    expect(result.near.nearest.map((r) => r.id)).toEqual(within.slice(0, 10).map((x) => x.q.id))
    result.near.nearest.forEach((row, i) => {
      const { q, m } = within[i]!
      expect(row.km).toBeCloseTo(m / 1000, 2)
      expect(row.place).toBe(q.properties.place)
      expect(row.magnitude).toBe(q.properties.mag)
      expect(row.depth).toBe(q.depth)
      expect(row.time.getTime()).toBe(q.properties.time)
    })
    expect(output.some((l) => l.startsWith('(1) Earthquakes within 100 km of San Francisco: 13, the nearest 10'))).toBe(true)
  })

  it('(2) object sub-columns: the strongest events of type earthquake by properties.mag', () => {
    const expected = quakes
      .filter((q) => q.properties.type === 'earthquake')
      .sort((a, b) => b.properties.mag - a.properties.mag || a.id.localeCompare(b.id))
      .slice(0, 10)
    expect(result.strongest.map((r) => [r.id, r.mag, r.magType, r.place, r.tsunami, r.sig])).toEqual(
      expected.map((q) => [q.id, q.properties.mag, q.properties.magType, q.properties.place, q.properties.tsunami, q.properties.sig]),
    )
    expect(result.strongest[0]!.place).toBe('22km NNE of Hualian, Taiwan')
    expect(output.some((l) => /^ {2}6\.4 {2}mww +2018-02-06 15:50 UTC {2}22km NNE of Hualian, Taiwan /.test(l))).toBe(true)
  })

  it('(3) busiest routes: the counts the file has, ties by origin and destination', () => {
    const counts = new Map<string, number>()
    for (const f of flights) counts.set(`${f.origin}→${f.destination}`, (counts.get(`${f.origin}→${f.destination}`) ?? 0) + 1)
    const expected = [...counts]
      .sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0))
      .slice(0, 10)
      .map(([k, n]) => [...k.split('→'), n])
    expect(result.busiestRoutes.map((r) => [r.origin, r.destination, r.flights])).toEqual(expected)
    const top = result.busiestRoutes[0]!
    expect(output.some((l) => l.startsWith(`   1  ${top.origin} → ${top.destination} `) && l.endsWith(` ${top.flights}`))).toBe(true)
  })

  it('(4) Drizzle time buckets: flights, mean delay and late arrivals per day match the file', () => {
    const days = new Map<string, Flight[]>()
    for (const f of flights) {
      const day = f.date.toISOString().slice(0, 10)
      const list = days.get(day)
      if (list === undefined) days.set(day, [f])
      else list.push(f)
    }
    expect(result.bucket).toBe('day')
    expect(result.buckets.map((b) => b.start.toISOString())).toEqual([...days.keys()].sort().map((d) => `${d}T00:00:00.000Z`))
    for (const bucket of result.buckets) {
      const list = days.get(bucket.start.toISOString().slice(0, 10))!
      expect(bucket.flights).toBe(list.length)
      expect(bucket.avgDelay).toBeCloseTo(list.reduce((s, f) => s + f.delay, 0) / list.length, 9)
      expect(bucket.delayed).toBe(list.filter((f) => f.delay >= 15).length)
    }
    expect(output.some((l) => l.startsWith("(4) Flights per day, date_trunc('day', date)  [Drizzle, "))).toBe(true)
  })

  it('(5) introspection lists both tables with their CrateDB types', () => {
    const describe = (name: string): string[] | undefined =>
      result.tables.find((t) => t.name === name)?.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '?' : ''}`)
    expect(describe('flights')).toEqual([
      'id integer',
      'date timestamp without time zone',
      'delay integer',
      'distance integer',
      'origin text',
      'destination text',
    ])
    expect(describe('earthquakes')).toEqual([
      'id text',
      'time timestamp with time zone',
      'location geo_point',
      'magnitude double precision',
      'depth double precision',
      'properties object',
    ])
    expect(output.some((l) => l.startsWith('  table earthquakes: id text, time timestamp with time zone, location geo_point'))).toBe(true)
  })

  it('prints where the server came from and how long each step took', () => {
    expect(output[0]).toMatch(/^CrateDB \d+\.\d+\.\d+\S*: the cluster at CRATEDB_URL \(http/)
    expect(output).toContain('Migration 001_create_earthquakes_and_flights: applied (Success)')
    expect(output.some((l) => /^Refreshed earthquakes and flights .*\(REFRESH TABLE, [\d.]+ m?s\)$/.test(l))).toBe(true)
    for (const title of ['(1) Earthquakes within', '(2) Strongest earthquakes', '(3) Busiest routes', '(4) Flights per', '(5) Schema']) {
      expect(output.some((l) => l.startsWith(title) && /\[[^,\]]+, [\d.]+ m?s\]$/.test(l))).toBe(true)
    }
    expect(output.at(-1)).toMatch(/^Done in [\d.]+ m?s: load/)
  })

  it('stops with the abort reason when interrupted, then runs again on the same cluster from empty tables', async () => {
    const controller = new AbortController()
    const lines: string[] = []
    const run = runCrateDBDemo({
      rows: ROWS,
      env: { CRATEDB_URL: server.servers },
      progress: 'none',
      signal: controller.signal,
      log: (line) => {
        lines.push(line)
        if (line.startsWith('Loading the first')) controller.abort(new Error('stop here'))
      },
    })
    await expect(run).rejects.toThrow('stop here')
    expect(lines.some((l) => l.startsWith('(1)'))).toBe(false)

    const again: string[] = []
    const rerun = await runCrateDBDemo({ rows: 2_000, env: { CRATEDB_URL: server.servers }, progress: 'none', log: (line) => again.push(line) })
    expect(again).toContain('Reverted 1 migration(s) of an earlier run (dropped its tables)')
    expect(rerun.flights.rows).toBe(2_000)
    expect(rerun.earthquakes.rows).toBe(quakes.length)
    expect(rerun.buckets.reduce((s, b) => s + b.flights, 0)).toBe(2_000)
  }, 120_000)
})

describe('CrateDB bulk loader', () => {
  it('reports every failed row per chunk, with its position, key and CrateDB error code', async () => {
    const client = connect(server.servers)
    try {
      await client.execute('DROP TABLE IF EXISTS demo_bulk_failures')
      await client.execute('CREATE TABLE demo_bulk_failures (id INTEGER PRIMARY KEY, name TEXT)')
      const rows = [[1, 'a'], [2, 'b'], [1, 'again'], [3, 'c'], [4, 'd'], [3, 'again'], [5, 'e']]
      const progress: number[] = []
      const loaded = await bulkInsert({ client, table: 'demo_bulk_failures', columns: ['id', 'name'], source: [rows.slice(0, 4), rows.slice(4)], chunkSize: 3, inFlight: 1, onProgress: (n) => progress.push(n) })
      expect(loaded).toMatchObject({ rows: 5, failed: 2, chunks: 3 })
      expect(progress).toEqual([3, 6, 7])
      expect(loaded.failures.map((f) => ({ ...f, examples: f.examples.map(({ message: _, ...e }) => e) }))).toEqual([
        { chunk: 1, firstRow: 1, lastRow: 3, failed: 1, examples: [{ row: 3, key: 1, code: 4091 }] },
        { chunk: 2, firstRow: 4, lastRow: 6, failed: 1, examples: [{ row: 6, key: 3, code: 4091 }] },
      ])
      const lines = failureLines(loaded.failures)
      expect(lines[0]).toBe('  chunk 1 (rows 1-3): 1 of 3 rows failed')
      expect(lines[1]).toMatch(/^ {4}row 3 \(id 1\): \[4091\] \S/)
      await client.refresh('demo_bulk_failures')
      const { rows: stored } = await client.execute('SELECT id, name FROM demo_bulk_failures ORDER BY id')
      expect(stored).toEqual([[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'e']])

      await expect(bulkInsert({ client, table: 'demo_bulk_failures', columns: ['id', 'no_such_column'], source: [[[9, 'x']]] })).rejects.toThrow(
        /^Bulk insert into demo_bulk_failures failed for chunk 1 \(rows 1-1\): /,
      )
    } finally {
      await client.execute('DROP TABLE IF EXISTS demo_bulk_failures').catch(() => {})
      await client.close()
    }
  })

  it('loads a subset of the flights on the local server unless told otherwise, and every flight on a cluster', () => {
    expect(chooseFlightRows(undefined, 'local', 3_000_000)).toEqual({ rows: LOCAL_DEFAULT_FLIGHTS, reason: expect.stringContaining('CRATEDB_URL') })
    expect(chooseFlightRows(undefined, 'env', 3_000_000)).toEqual({ rows: 3_000_000 })
    expect(chooseFlightRows(20_000, 'local', 3_000_000)).toEqual({ rows: 20_000 })
    expect(chooseFlightRows(5_000_000, 'local', 3_000_000)).toEqual({ rows: 3_000_000 })
  })
})
