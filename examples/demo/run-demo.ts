/**
 * The demo from start to end: a Tarantool, the schema by Kysely migrations, 3M flights and the airports loaded
 * through the driver, then queries through Kysely, Drizzle and the raw driver, each timed.
 *
 * Re-running is safe either way the server is provided:
 * - without `TARANTOOL_URL` every run starts a fresh local server in a temp directory and removes it at the end;
 * - with `TARANTOOL_URL` (a server that outlives the demo) the run first migrates down everything an earlier run
 *   applied (dropping `flights`, `airports` and the index), so each run starts from empty tables. The demo's
 *   migration history lives in its own tables (`demo_migration`, `demo_migration_lock`), which stay.
 */
import { Kysely, type TableMetadata } from 'kysely'
import { createPool, type Pool } from '../../src/tarantool/index.ts'
import { findTarantoolBinary, provisionTarantool, type ProvisionedTarantool, type TarantoolSource } from '../../src/testing/tarantool/index.ts'
import { TarantoolDialect } from '../../dialects/tarantool/kysely/index.ts'
import { drizzle } from '../../dialects/tarantool/drizzle/index.ts'
import { AIRPORTS_CSV, FLIGHTS_PARQUET } from './data-files.ts'
import { openFlightsParquet } from './flights-parquet.ts'
import { formatDuration, formatInteger } from './format-table.ts'
import { loadAirports } from './load-airports.ts'
import { loadFlights } from './load-flights.ts'
import { checkMigration, logMigrations, resetAndMigrateTo } from './migration-results.ts'
import { CREATE_TABLES, createMigrator, ORIGIN_INDEX } from './migrations.ts'
import { dayDelayLines, heading, originDelayLines, originLookupLines, routeLines, schemaLines } from './print-results.ts'
import { defaultProgressMode, type ProgressMode } from './progress.ts'
import {
  busiestRoutes,
  delayByOrigin,
  demoTables,
  flightsFromOrigin,
  worstDelayDays,
  type DayDelay,
  type OriginDelay,
  type OriginLookup,
  type RouteCount,
} from './queries.ts'
import type { DemoDatabase } from './schema.ts'
import { queryStep, timed, withProgress } from './steps.ts'

/** Options of {@link runDemo}; all optional. */
export interface DemoOptions {
  /** Flights to load from the start of the file; default all (3,000,000). */
  rows?: number
  /** Receives every output line (no newline); default `console.log`. */
  log?: (line: string) => void
  /** Progress display of the flights load; default a bar on a terminal stdout, else plain lines. */
  progress?: ProgressMode
  /** Stops the run between steps and the load between batches; the run then rejects with `signal.reason`. */
  signal?: AbortSignal
  /** Environment read for `TARANTOOL_URL`/`TARANTOOL_BIN`; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Pool connections; default 2 (the connections are pipelined, more do not load faster on 2 cores). */
  poolSize?: number
}

/** Durations in milliseconds. */
export interface DemoTimings {
  server: number
  migrations: number
  airports: number
  flights: number
  indexes: number
  busiestRoutes: number
  delayByOrigin: number
  worstDelayDays: number
  originLookup: number
  introspection: number
  total: number
}

/** Everything the demo computed, for programs and tests. */
export interface DemoResult {
  source: TarantoolSource
  serverVersion: string
  /** Flights stored. */
  flights: number
  /** Airports stored. */
  airports: number
  /** Flights loaded per second (parquet decoding included). */
  loadRate: number
  busiestRoutes: RouteCount[]
  /** The departures an origin needs to appear in {@link DemoResult.delayByOrigin}. */
  minOriginFlights: number
  delayByOrigin: OriginDelay[]
  /** The flights a day needs to appear in {@link DemoResult.worstDelayDays}. */
  minDayFlights: number
  worstDelayDays: DayDelay[]
  /** The first flights from the busiest route's origin, by the raw IPROTO select. */
  originLookup: OriginLookup & { origin: string }
  tables: TableMetadata[]
  timings: DemoTimings
}

const TOP = 10

/**
 * Runs the demo and prints as it goes.
 * @throws TarantoolProvisionError when no server can be had; the driver's errors; `signal.reason` when aborted.
 *   The pool is closed and a local server stopped in every case.
 * @example
 * const result = await runDemo({ rows: 20_000, log: () => {} })
 * result.busiestRoutes[0] // { origin: 'LAX', destination: 'LAS', flights: ... }
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line))
  const signal = options.signal
  const env = options.env ?? process.env
  const runStarted = performance.now()

  const file = await openFlightsParquet(FLIGHTS_PARQUET)
  const rows = Math.min(options.rows ?? file.rowCount, file.rowCount)
  const minOriginFlights = Math.max(1, Math.round(rows / 300))
  const minDayFlights = Math.max(1, Math.min(1000, Math.round(rows / 100)))

  const t = performance.now()
  // The default 1 GiB of memtx memory is enough: 3M flights, their index and the airports take ~285 MB
  // (box.slab.info().quota_used after a full load).
  const server = await provisionTarantool({ env })
  let pool: Pool | undefined
  let db: Kysely<DemoDatabase> | undefined
  try {
    const sqlPool = await createPool(server.uri, { size: options.poolSize ?? 2 })
    pool = sqlPool
    const [serverVersion] = (await sqlPool.eval('return box.info.version')) as [string]
    const serverMs = performance.now() - t
    log(`Tarantool ${serverVersion}: ${describeSource(server, env)} (${formatDuration(serverMs)})`)
    signal?.throwIfAborted()

    const kysely = new Kysely<DemoDatabase>({ dialect: new TarantoolDialect({ pool: sqlPool }) })
    db = kysely
    const migrator = createMigrator(kysely)

    const { ms: migrationsMs } = await timed(() => resetAndMigrateTo(migrator, CREATE_TABLES, log))
    signal?.throwIfAborted()

    const { value: airports, ms: airportsMs } = await timed(() => loadAirports(kysely, AIRPORTS_CSV, signal))
    log(`Loaded ${formatInteger(airports)} airports from airports.csv with Kysely inserts (${formatDuration(airportsMs)})`)

    log(`Loading ${formatInteger(rows)} of ${formatInteger(file.rowCount)} flights from flights-3m.parquet through the driver:`)
    const load = await withProgress({ label: 'flights', total: rows, mode: options.progress ?? defaultProgressMode(), log }, (onProgress) =>
      loadFlights({ pool: sqlPool, file, rows, onProgress, ...(signal === undefined ? {} : { signal }) }),
    )
    const loadRate = Math.round(load.rows / (load.ms / 1000))
    log(`Loaded ${formatInteger(load.rows)} flights in ${formatDuration(load.ms)} (${formatInteger(loadRate)} rows/s)`)

    const { ms: indexesMs } = await timed(async () => logMigrations(log, checkMigration(await migrator.migrateToLatest(), 'indexing flights')))
    log(`Built the secondary index over ${formatInteger(load.rows)} flights (${formatDuration(indexesMs)})`)
    signal?.throwIfAborted()

    const { value: routes, ms: routesMs } = await queryStep({
      log,
      title: `(1) Busiest routes`,
      via: 'Kysely',
      run: () => busiestRoutes(kysely, TOP, signal),
      lines: routeLines,
    })

    const { value: delays, ms: delaysMs } = await queryStep({
      log,
      title: `(2) Worst average delay by origin airport, airports with ≥ ${formatInteger(minOriginFlights)} departures`,
      via: 'Kysely',
      run: () => delayByOrigin(kysely, minOriginFlights, TOP, signal),
      lines: originDelayLines,
    })

    const { value: days, ms: daysMs } = await queryStep({
      log,
      signal,
      title: `(3) Worst days by average delay, days with ≥ ${formatInteger(minDayFlights)} flights`,
      via: 'Drizzle',
      run: () => worstDelayDays(drizzle(sqlPool), minDayFlights, TOP),
      lines: dayDelayLines,
    })

    const origin = routes[0]?.origin
    const { value: lookup, ms: lookupMs } = await queryStep({
      log,
      title: (found) => `(4) First flights from ${found.origin}, IPROTO select on index ${ORIGIN_INDEX}`,
      via: 'driver',
      run: async () => {
        if (origin === undefined) throw new Error('No flights were loaded, so there is no airport to look up')
        return { ...(await flightsFromOrigin(sqlPool, origin, 5, signal)), origin }
      },
      lines: originLookupLines,
    })

    const { value: tables, ms: introspectionMs } = await queryStep({
      log,
      title: '(5) Schema',
      via: 'Kysely introspection',
      run: () => demoTables(kysely),
      lines: schemaLines,
    })

    const timings: DemoTimings = {
      server: serverMs,
      migrations: migrationsMs,
      airports: airportsMs,
      flights: load.ms,
      indexes: indexesMs,
      busiestRoutes: routesMs,
      delayByOrigin: delaysMs,
      worstDelayDays: daysMs,
      originLookup: lookupMs,
      introspection: introspectionMs,
      total: performance.now() - runStarted,
    }
    log('')
    log(
      `Done in ${formatDuration(timings.total)}: load ${formatDuration(load.ms + indexesMs)} (flights ${formatDuration(load.ms)}, ` +
        `index ${formatDuration(indexesMs)}), queries ${formatDuration(routesMs + delaysMs + daysMs + lookupMs + introspectionMs)}`,
    )
    return {
      source: server.source,
      serverVersion,
      flights: load.rows,
      airports,
      loadRate,
      busiestRoutes: routes,
      minOriginFlights,
      delayByOrigin: delays,
      minDayFlights,
      worstDelayDays: days,
      originLookup: lookup,
      tables,
      timings,
    }
  } finally {
    // db.destroy() closes the pool it was given; close it directly when Kysely never got it.
    if (db !== undefined) await db.destroy().catch(() => {})
    else await pool?.close().catch(() => {})
    await server.stop()
  }
}

function describeSource(server: ProvisionedTarantool, env: Record<string, string | undefined>): string {
  if (server.source === 'env') return `the server at TARANTOOL_URL (${server.host}:${server.port}, user ${server.user})`
  if (server.source === 'local') {
    return `local server started from ${findTarantoolBinary(undefined, env) ?? 'tarantool'} on ${server.host}:${server.port} (temp dir, removed at exit)`
  }
  return `Docker container on ${server.host}:${server.port} (testcontainers)`
}
