import { readFileSync } from 'node:fs'
import { zstdDecompressSync } from 'node:zlib'
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseDemoArgs, runDemo, type DemoResult } from '../../examples/demo.ts'
import { AIRPORTS_CSV, FLIGHTS_PARQUET } from '../../examples/demo/data-files.ts'

// Smoke test of `npm run demo`: runs the demo's main function on the first 20,000 flights against a real
// Tarantool (TARANTOOL_URL, else the local binary) and checks every printed result against numbers computed
// here straight from the parquet file, without the demo's reader, loader or SQL.

const ROWS = 20_000

interface Flight {
  id: number
  date: number
  delay: number
  origin: string
  destination: string
}

let result: DemoResult
const output: string[] = []
let flights: Flight[]

beforeAll(async () => {
  const file = await asyncBufferFromFile(FLIGHTS_PARQUET)
  const raw = await parquetReadObjects({
    file,
    rowEnd: ROWS,
    columns: ['date', 'delay', 'origin', 'destination'],
    compressors: { ZSTD: (input) => new Uint8Array(zstdDecompressSync(input)) },
  })
  flights = raw.map((r, i) => ({
    id: i + 1,
    date: (r['date'] as Date).getTime() / 1000,
    delay: Number(r['delay']),
    origin: r['origin'] as string,
    destination: r['destination'] as string,
  }))
  result = await runDemo({ rows: ROWS, log: (line) => output.push(line), progress: 'lines' })
}, 120_000)

function groupBy<K>(key: (f: Flight) => K): Map<K, Flight[]> {
  const groups = new Map<K, Flight[]>()
  for (const f of flights) {
    const k = key(f)
    const list = groups.get(k)
    if (list === undefined) groups.set(k, [f])
    else list.push(f)
  }
  return groups
}

const mean = (list: Flight[]): number => list.reduce((sum, f) => sum + f.delay, 0) / list.length

describe('npm run demo (20,000 flights)', () => {
  it('loads every requested flight and every airport', () => {
    expect(result.flights).toBe(ROWS)
    const airportLines = readFileSync(AIRPORTS_CSV, 'utf8').trim().split('\n').length - 1
    expect(result.airports).toBe(airportLines)
    expect(result.loadRate).toBeGreaterThan(0)
    expect(output.some((l) => /^Loaded 20,000 flights in [\d.]+ m?s \([\d,]+ rows\/s\)$/.test(l))).toBe(true)
    expect(output.some((l) => /^ {2}flights: 20,000\/20,000 rows \(100%\)/.test(l))).toBe(true)
  })

  it('(1) busiest routes: real pairs with the counts the file has, in descending order', () => {
    const counts = new Map([...groupBy((f) => `${f.origin}→${f.destination}`)].map(([k, v]) => [k, v.length]))
    const expectedTop = [...counts.values()].sort((a, b) => b - a).slice(0, 10)
    expect(result.busiestRoutes).toHaveLength(10)
    for (const route of result.busiestRoutes) {
      expect(route.flights).toBe(counts.get(`${route.origin}→${route.destination}`))
    }
    expect(result.busiestRoutes.map((r) => r.flights)).toEqual(expectedTop)
    const top = result.busiestRoutes[0]!
    expect(output.some((l) => l.startsWith(`   1  ${top.origin} → ${top.destination} `) && l.endsWith(` ${top.flights}`))).toBe(true)
  })

  it('(2) average delay by origin: joined names, counts and means match, worst first', () => {
    const byOrigin = groupBy((f) => f.origin)
    const eligible = [...byOrigin].filter(([, list]) => list.length >= result.minOriginFlights)
    const expectedMeans = eligible.map(([, list]) => mean(list)).sort((a, b) => b - a).slice(0, 10)
    expect(result.minOriginFlights).toBe(Math.round(ROWS / 300))
    expect(result.delayByOrigin.length).toBe(Math.min(10, eligible.length))
    result.delayByOrigin.forEach((row, i) => {
      const list = byOrigin.get(row.origin)!
      expect(row.flights).toBe(list.length)
      expect(row.avg_delay).toBeCloseTo(mean(list), 9)
      expect(row.avg_delay).toBeCloseTo(expectedMeans[i]!, 9)
      expect(row.name.length).toBeGreaterThan(0)
    })
    const lax = result.delayByOrigin.find((r) => r.origin === 'LAX')
    if (lax !== undefined) expect(lax.name).toBe('Los Angeles International')
  })

  it('(3) Drizzle: worst days by average delay match the file', () => {
    const byDay = groupBy((f) => Math.floor(f.date / 86_400))
    const expected = [...byDay]
      .filter(([, list]) => list.length >= result.minDayFlights)
      .map(([day, list]) => ({ day, flights: list.length, avgDelay: mean(list) }))
      .sort((a, b) => b.avgDelay - a.avgDelay)
      .slice(0, 10)
    expect(result.worstDelayDays.length).toBe(expected.length)
    expect(expected.length).toBeGreaterThan(0)
    result.worstDelayDays.forEach((row, i) => {
      expect(row.day).toBe(expected[i]!.day)
      expect(row.flights).toBe(expected[i]!.flights)
      expect(row.avgDelay).toBeCloseTo(expected[i]!.avgDelay, 9)
    })
    expect(output.some((l) => l.startsWith('  2001-01-01'))).toBe(true)
  })

  it('(4) raw index select: the first flights from the busiest origin, in file order', () => {
    const { origin, tuples, indexes } = result.originLookup
    expect(origin).toBe(result.busiestRoutes[0]!.origin)
    expect(indexes).toContain('flights_origin')
    const expected = flights.filter((f) => f.origin === origin).slice(0, 5)
    expect(tuples.map((t) => [t[0], t[1], t[2], t[4], t[5]])).toEqual(expected.map((f) => [f.id, f.date, f.delay, f.origin, f.destination]))
  })

  it('(5) introspection lists both tables with their Tarantool types', () => {
    const describe = (name: string): string[] | undefined =>
      result.tables.find((t) => t.name === name)?.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '?' : ''}`)
    expect(describe('flights')).toEqual(['id INTEGER', 'date INTEGER', 'delay INTEGER', 'distance INTEGER', 'origin STRING', 'destination STRING'])
    expect(describe('airports')).toEqual([
      'iata STRING',
      'name STRING',
      'city STRING?',
      'state STRING?',
      'country STRING?',
      'latitude DOUBLE?',
      'longitude DOUBLE?',
    ])
    expect(output.some((l) => l.startsWith('  table flights: id INTEGER'))).toBe(true)
  })

  it('prints where the server came from and how long each step took', () => {
    expect(output[0]).toMatch(/^Tarantool \d+\.\d+\.\d+\S*: (local server started from \S+|the server at TARANTOOL_URL)/)
    for (const title of ['(1) Busiest routes', '(2) Worst average delay', '(3) Worst days', '(4) First flights from', '(5) Schema']) {
      expect(output.some((l) => l.startsWith(title) && /\[[^,\]]+, [\d.]+ m?s\]$/.test(l))).toBe(true)
    }
    expect(output.at(-1)).toMatch(/^Done in [\d.]+ m?s: load/)
  })

  it('stops with the abort reason when interrupted, and can run again afterwards', async () => {
    const controller = new AbortController()
    const lines: string[] = []
    const run = runDemo({
      rows: ROWS,
      progress: 'none',
      signal: controller.signal,
      log: (line) => {
        lines.push(line)
        if (line.startsWith('Loading ')) controller.abort(new Error('stop here'))
      },
    })
    await expect(run).rejects.toThrow('stop here')
    expect(lines.some((l) => l.startsWith('(1)'))).toBe(false)
  }, 60_000)
})

describe('demo command line', () => {
  it('parses --system, --rows and --cratedb-rows and rejects nonsense', () => {
    expect(parseDemoArgs([])).toEqual({ system: 'all', help: false })
    expect(parseDemoArgs(['--rows', '200000'])).toEqual({ system: 'all', rows: 200_000, help: false })
    expect(parseDemoArgs(['--rows=1_000'])).toEqual({ system: 'all', rows: 1000, help: false })
    expect(parseDemoArgs(['--system', 'cratedb', '--rows', '20000'])).toEqual({ system: 'cratedb', rows: 20_000, help: false })
    expect(parseDemoArgs(['--system=tarantool'])).toEqual({ system: 'tarantool', help: false })
    expect(parseDemoArgs(['--system', 'btrdb'])).toEqual({ system: 'btrdb', help: false })
    expect(parseDemoArgs(['--rows', '3000000', '--cratedb-rows', '250_000'])).toEqual({ system: 'all', rows: 3_000_000, cratedbRows: 250_000, help: false })
    expect(() => parseDemoArgs(['--rows', '0'])).toThrow('--rows must be a positive integer')
    expect(() => parseDemoArgs(['--rows', 'many'])).toThrow('--rows must be a positive integer')
    expect(() => parseDemoArgs(['--cratedb-rows=-5'])).toThrow('--cratedb-rows must be a positive integer')
    expect(parseDemoArgs(['--system', 'druid'])).toEqual({ system: 'druid', help: false })
    expect(() => parseDemoArgs(['--system', 'nosuchsystem'])).toThrow(/--system must be .*druid/)
    expect(() => parseDemoArgs(['--bogus'])).toThrow()
  })
})
