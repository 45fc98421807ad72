/**
 * The Druid part of the demo: the 3M vega-datasets flights and the airports loaded with SQL-based ingestion
 * (`EXTERN` over the local files, partitioned by day) with the task's progress shown, the cluster's services,
 * then Kysely queries (mean delay per hour of day with TIME_FLOOR, busiest routes, delay percentiles per origin
 * joined with the airports) and one Drizzle query. The server is `DRUID_URL` when set (a Druid whose services can
 * read this machine's files: `EXTERN` with a `local` input source reads on the server), else dialectry's local
 * Druid server.
 */
import { avg, count, desc, gt, sql as dsql } from 'drizzle-orm'
import { bigint, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core'
import { sql } from 'kysely'
import { connect, type TaskStatus } from '../../../src/druid/index.ts'
import { provisionDruid } from '../../../src/testing/druid/index.ts'
import { approxQuantileDs, createDruidKysely, timeExtract, timeFloor } from '../../../dialects/druid/kysely/index.ts'
import { drizzle } from '../../../dialects/druid/drizzle/index.ts'
import { AIRPORTS_CSV, FLIGHTS_PARQUET } from '../data-files.ts'
import { formatDecimal, formatDuration, formatInteger, formatTable } from '../format-table.ts'
import { heading } from '../print-results.ts'

/** Options of {@link runDruidDemo}. */
export interface DruidDemoOptions {
  /** Flights to load; default all (3,000,000). */
  rows?: number
  /** Receives every output line; default `console.log`. */
  log?: (line: string) => void
  /** Stops the run between steps. */
  signal?: AbortSignal
  /** Environment read for `DRUID_URL`; default `process.env`. */
  env?: Record<string, string | undefined>
}

/** What the demo computed. */
export interface DruidDemoResult {
  flights: number
  airports: number
  services: number
  hourly: { hour: number; delay: number }[]
  routes: { origin: string; destination: string; flights: number }[]
  percentiles: { origin: string; city: string; flights: number; p50: number; p90: number }[]
  lateFromSfo: { destination: string; flights: number; delay: number }[]
  totalMs: number
}

interface DemoDB {
  flights: { __time: Date; origin: string; destination: string; delay: number; distance: number }
  airports: { __time: Date; iata: string; name: string; city: string; state: string }
}

const flightsTable = pgTable('flights', {
  time: timestamp('__time', { mode: 'date' }).notNull(),
  origin: varchar('origin').notNull(),
  destination: varchar('destination').notNull(),
  delay: bigint('delay', { mode: 'number' }).notNull(),
})

function extern(file: string, format: string, signature: [string, string][]): string {
  const lit = (o: unknown): string => `'${JSON.stringify(o).replaceAll("'", "''")}'`
  return `TABLE(EXTERN(${lit({ type: 'local', files: [file] })}, ${lit(JSON.parse(format))}, ${lit(signature.map(([name, type]) => ({ name, type })))}))`
}

/** Runs the Druid part; see the file comment. */
export async function runDruidDemo(options: DruidDemoOptions = {}): Promise<DruidDemoResult> {
  const log = options.log ?? ((line: string) => console.log(line))
  const signal = options.signal
  const say = (...lines: string[]): void => lines.forEach((l) => log(l))
  const started = performance.now()
  const druid = await provisionDruid({ env: options.env ?? process.env })
  const client = connect(druid.url, { timeout: 300_000 })
  const db = createDruidKysely<DemoDB>({ client })
  try {
    log(`Druid at ${druid.source === 'env' ? druid.url : `${druid.url} (local server on DuckDB)`}`)
    const progress = (label: string) => {
      let last = ''
      const t0 = performance.now()
      return (s: TaskStatus) => {
        if (s.statusCode !== last || s.statusCode === 'RUNNING') log(`  ${label}: task ${s.id} ${s.statusCode} (${formatDuration(performance.now() - t0)})`)
        last = s.statusCode
      }
    }
    const limit = options.rows !== undefined ? ` LIMIT ${options.rows}` : ''
    let t = performance.now()
    await client.ingest(
      `REPLACE INTO "flights" OVERWRITE ALL
       SELECT TIME_PARSE("date") AS __time, "origin", "destination", "delay", "distance"
       FROM ${extern(FLIGHTS_PARQUET, '{"type":"parquet"}', [['date', 'string'], ['origin', 'string'], ['destination', 'string'], ['delay', 'long'], ['distance', 'long']])}${limit}
       PARTITIONED BY ${limit === '' ? 'DAY' : 'ALL'}`,
      [],
      { onProgress: progress('flights'), pollInterval: 1000, ...(signal !== undefined ? { signal } : {}) },
    )
    await client.ingest(
      `REPLACE INTO "airports" OVERWRITE ALL
       SELECT TIMESTAMP '2000-01-01 00:00:00' AS __time, "iata", "name", "city", "state"
       FROM ${extern(AIRPORTS_CSV, '{"type":"csv","findColumnsFromHeader":true}', [['iata', 'string'], ['name', 'string'], ['city', 'string'], ['state', 'string']])}
       PARTITIONED BY ALL`,
      [],
      { onProgress: progress('airports'), pollInterval: 500, ...(signal !== undefined ? { signal } : {}) },
    )
    const counts = await client.query<{ flights: number; airports: number; days: number }>(
      `SELECT (SELECT COUNT(*) FROM "flights") AS "flights", (SELECT COUNT(*) FROM "airports") AS "airports", (SELECT COUNT(*) FROM sys.segments WHERE "datasource" = 'flights') AS "days"`,
    )
    const { flights, airports, days } = counts.rows[0]!
    log(`Loaded ${formatInteger(flights)} flights in ${formatInteger(days)} daily segments and ${formatInteger(airports)} airports in ${formatDuration(performance.now() - t)}`)

    const cluster = await client.cluster()
    const services = cluster.services()
    await cluster.close()
    say('', 'Cluster services (sys.servers)')
    for (const line of formatTable(services, [
      { header: 'url', cell: (s) => s.url },
      { header: 'roles', cell: (s) => s.roles.join('+') },
      { header: 'leads', cell: (s) => s.leads.join('+') || '-' },
      { header: 'tier', cell: (s) => s.tier ?? '-' },
    ])) log(line)

    signal?.throwIfAborted()
    t = performance.now()
    const hourExpr = timeExtract(timeFloor('__time', 'PT1H'), 'HOUR')
    const hourly = (await db.selectFrom('flights').select([hourExpr.as('hour'), (eb) => eb.fn.avg<number>('delay').as('delay')]).groupBy(hourExpr).orderBy(sql.ref('hour')).execute()).map((r) => ({ hour: Number(r.hour), delay: Number(r.delay) }))
    say('', heading('(1) Mean departure delay per hour of day (TIME_FLOOR)', 'Kysely', performance.now() - t))
    for (const line of formatTable(hourly, [
      { header: 'hour', cell: (r) => String(r.hour).padStart(2, '0'), align: 'right' },
      { header: 'mean delay (min)', cell: (r) => formatDecimal(r.delay, 1), align: 'right' },
    ])) log(line)

    t = performance.now()
    const routes = await db
      .selectFrom('flights')
      .select(['origin', 'destination', (eb) => eb.fn.countAll<number>().as('flights')])
      .groupBy(['origin', 'destination'])
      .orderBy('flights', 'desc')
      .limit(10)
      .execute()
    say('', heading('(2) Busiest routes', 'Kysely', performance.now() - t))
    for (const line of formatTable(routes, [
      { header: 'origin', cell: (r) => r.origin },
      { header: 'destination', cell: (r) => r.destination },
      { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
    ])) log(line)

    t = performance.now()
    const percentiles = await db
      .selectFrom('flights as f')
      .innerJoin('airports as a', 'a.iata', 'f.origin')
      .select(['f.origin', 'a.city', (eb) => eb.fn.countAll<number>().as('flights'), approxQuantileDs('f.delay', 0.5).as('p50'), approxQuantileDs('f.delay', 0.9).as('p90')])
      .groupBy(['f.origin', 'a.city'])
      .orderBy('flights', 'desc')
      .limit(10)
      .execute()
    say('', heading('(3) Delay percentiles of the ten busiest origins, joined with airports.csv', 'Kysely', performance.now() - t))
    for (const line of formatTable(percentiles, [
      { header: 'origin', cell: (r) => r.origin },
      { header: 'city', cell: (r) => r.city },
      { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
      { header: 'p50 (min)', cell: (r) => formatDecimal(Number(r.p50), 0), align: 'right' },
      { header: 'p90 (min)', cell: (r) => formatDecimal(Number(r.p90), 0), align: 'right' },
    ])) log(line)

    t = performance.now()
    const ddb = drizzle(client)
    const lateFromSfo = (
      await ddb
        .select({ destination: flightsTable.destination, flights: count(), delay: avg(flightsTable.delay) })
        .from(flightsTable)
        .where(dsql`${flightsTable.origin} = ${'SFO'} AND ${gt(flightsTable.delay, 60)}`)
        .groupBy(flightsTable.destination)
        .orderBy(desc(count()))
        .limit(5)
    ).map((r) => ({ destination: r.destination, flights: r.flights, delay: Number(r.delay) }))
    say('', heading('(4) Flights from SFO more than an hour late, by destination', 'Drizzle', performance.now() - t))
    for (const line of formatTable(lateFromSfo, [
      { header: 'destination', cell: (r) => r.destination },
      { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
      { header: 'mean delay (min)', cell: (r) => formatDecimal(r.delay, 1), align: 'right' },
    ])) log(line)
    const totalMs = performance.now() - started
    say('', `Druid part done in ${formatDuration(totalMs)}`)
    return { flights, airports, services: services.length, hourly, routes, percentiles: percentiles.map((p) => ({ ...p, p50: Number(p.p50), p90: Number(p.p90) })), lateFromSfo, totalMs }
  } finally {
    await db.destroy()
    await client.close()
    await druid.stop()
  }
}
