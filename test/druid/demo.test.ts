import { DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDruidDemo, type DruidDemoResult } from '../../examples/demo/druid/run-druid-demo.ts'
import { FLIGHTS_PARQUET } from '../../examples/demo/data-files.ts'

/**
 * `npm run demo -- --system druid` on the first 20,000 flights against the local server (not DRUID_URL): the
 * numbers it prints are checked against the parquet file read directly with DuckDB.
 */
const ROWS = 20_000
let result: DruidDemoResult
const lines: string[] = []
let expectedRoutes: { origin: string; destination: string; flights: number }[]
let expectedHours: Map<number, number>

beforeAll(async () => {
  result = await runDruidDemo({ rows: ROWS, log: (l) => lines.push(l), env: {} })
  const c = await (await DuckDBInstance.create(':memory:')).connect()
  const src = `(SELECT * FROM read_parquet('${FLIGHTS_PARQUET}') LIMIT ${ROWS})`
  const routes = await c.runAndReadAll(`SELECT origin, destination, count(*) FROM ${src} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 10`)
  expectedRoutes = routes.getRowsJS().map((r) => ({ origin: String(r[0]), destination: String(r[1]), flights: Number(r[2]) }))
  const hours = await c.runAndReadAll(`SELECT hour("date"), avg(delay) FROM ${src} GROUP BY 1`)
  expectedHours = new Map(hours.getRowsJS().map((r) => [Number(r[0]), Number(r[1])]))
  c.closeSync()
}, 120_000)
afterAll(() => {})

describe('npm run demo -- --system druid (20,000 flights)', () => {
  it('ingests every requested flight and every airport, with task progress', () => {
    expect(result.flights).toBe(ROWS)
    expect(result.airports).toBe(3376)
    expect(lines.some((l) => /flights: task query-\S+ SUCCESS/.test(l))).toBe(true)
  })

  it("prints the cluster's services", () => {
    expect(result.services).toBeGreaterThan(0)
    expect(lines.some((l) => l.includes('coordinator') && l.includes('overlord'))).toBe(true)
  })

  it('mean delay per hour of day matches the file', () => {
    expect(result.hourly.length).toBe(expectedHours.size)
    for (const h of result.hourly) expect(h.delay).toBeCloseTo(expectedHours.get(h.hour)!, 6)
  })

  it('busiest routes have the counts the file has', () => {
    expect(result.routes.map((r) => r.flights)).toEqual(expectedRoutes.map((r) => r.flights))
    expect(result.routes[0]).toEqual(expectedRoutes[0])
  })

  it('percentiles are joined with airport cities; the Drizzle query returns late SFO flights', () => {
    expect(result.percentiles.length).toBe(10)
    for (const p of result.percentiles) {
      expect(p.city).not.toBe('')
      expect(p.p90).toBeGreaterThanOrEqual(p.p50)
    }
    for (const r of result.lateFromSfo) expect(r.delay).toBeGreaterThan(60)
  })
})
