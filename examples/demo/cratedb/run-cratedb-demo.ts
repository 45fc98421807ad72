/**
 * The CrateDB part of the demo from start to end: a CrateDB, the schema by a Kysely migration, the earthquakes
 * (GEO_POINT + OBJECT) and the flights bulk-loaded through the driver's `executeMany`, `REFRESH TABLE`, then
 * queries through Kysely (geo distance, object sub-columns, routes), Drizzle (time buckets) and Kysely's
 * introspector, each timed.
 *
 * Re-running is safe either way the server is provided:
 * - without `CRATEDB_URL` every run starts a fresh local server (in a worker thread) and stops it at the end;
 * - with `CRATEDB_URL` (a cluster that outlives the demo) the run first migrates down what an earlier run applied
 *   (dropping `earthquakes` and `flights`), so each run starts from empty tables. The demo's migration history
 *   (`demo_migration`, `demo_migration_lock`) stays.
 */
import { Kysely, type TableMetadata } from 'kysely'
import { connect, type CrateDBClient } from '../../../src/cratedb/index.ts'
import type { StartCrateDBOptions } from '../../../src/testing/cratedb/index.ts'
import { CrateDBDialect, refresh } from '../../../dialects/cratedb/kysely/index.ts'
import { drizzle } from '../../../dialects/cratedb/drizzle/index.ts'
import { EARTHQUAKES_JSON, FLIGHTS_PARQUET } from '../data-files.ts'
import { openFlightsParquet, type FlightsParquet } from '../flights-parquet.ts'
import { formatDuration, formatInteger } from '../format-table.ts'
import { resetAndMigrateTo } from '../migration-results.ts'
import { routeLines, schemaLines } from '../print-results.ts'
import { defaultProgressMode, type ProgressMode } from '../progress.ts'
import type { RouteCount } from '../queries.ts'
import { queryStep, timed, withProgress } from '../steps.ts'
import { bulkInsert, type BulkInsertResult } from './bulk-insert.ts'
import { EARTHQUAKE_COLUMNS, readEarthquakes } from './earthquakes-geojson.ts'
import { CREATE_TABLES, createMigrator } from './migrations.ts'
import { bucketLines, failureLines, nearbyLines, strongestLines } from './print-results.ts'
import { provisionCrateDB, type CrateDBSource, type ProvisionedCrateDB } from './provision-cratedb.ts'
import {
  bucketFor,
  busiestRoutes,
  demoTables,
  earthquakesNear,
  flightsPerBucket,
  SAN_FRANCISCO,
  strongestEarthquakes,
  type BucketCount,
  type NearbyEarthquakes,
  type Place,
  type StrongEarthquake,
  type TimeBucket,
} from './queries.ts'
import type { CrateDemoDatabase } from './schema.ts'

/**
 * Flights loaded into the local server when no row count is given. It executes SQL on PGlite in one thread:
 * measured here at ~14,000-19,000 rows/s with the server in a worker thread (2 cores, shared with other work), so
 * all 3M rows would take 3-4 minutes (and memory grows with the rows: 1.3 GB resident at 500,000); 500,000
 * (January 2001) keep the CrateDB part under a minute (44 s in one measured run). A real cluster
 * (`CRATEDB_URL`) gets every row by default.
 */
export const LOCAL_DEFAULT_FLIGHTS = 500_000

/** Radius of the "earthquakes near" query, km. */
export const NEAR_KM = 100

/** Options of {@link runCrateDBDemo}; all optional. */
export interface CrateDemoOptions {
  /** Flights to load from the start of the file; default all, or {@link LOCAL_DEFAULT_FLIGHTS} on the local server. */
  rows?: number
  /** Receives every output line (no newline); default `console.log`. */
  log?: (line: string) => void
  /** Progress display of the loads; default a bar on a terminal stdout, else plain lines. */
  progress?: ProgressMode
  /** Stops the run between steps and the loads between chunks; the run then rejects with `signal.reason`. */
  signal?: AbortSignal
  /** Environment read for `CRATEDB_URL`; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Flights per bulk request; default 10,000. */
  chunkSize?: number
  /** Bulk requests in flight; default 2 on the local server (it runs one at a time), 4 on a cluster. */
  inFlight?: number
  /**
   * Options of the local server; default `{}`: every write is visible at once. The demo refreshes its tables
   * after loading either way, as a real CrateDB needs; pass `{ refreshInterval: 3_600_000 }` to make the local
   * server hide unrefreshed rows from searches like an idle CrateDB table (its row-level-security emulation makes
   * searches over many rows much slower, so this is for small runs).
   */
  server?: StartCrateDBOptions
}

/** Durations in milliseconds. */
export interface CrateDemoTimings {
  server: number
  migrations: number
  earthquakes: number
  flights: number
  refresh: number
  nearby: number
  strongest: number
  busiestRoutes: number
  buckets: number
  introspection: number
  total: number
}

/** Everything the CrateDB part computed, for programs and tests. */
export interface CrateDemoResult {
  source: CrateDBSource
  serverVersion: string
  /** Rows in the flights file (3,000,000). */
  fileFlights: number
  /** Flights asked for (the first N of the file). */
  requestedFlights: number
  /** Why fewer than all flights were loaded when the row count was not given; absent otherwise. */
  subsetReason?: string
  earthquakes: BulkInsertResult
  flights: BulkInsertResult
  /** Flights loaded per second (parquet decoding included). */
  loadRate: number
  near: NearbyEarthquakes & { place: Place; km: number }
  strongest: StrongEarthquake[]
  busiestRoutes: RouteCount[]
  bucket: TimeBucket
  buckets: BucketCount[]
  tables: TableMetadata[]
  timings: CrateDemoTimings
}

const TOP = 10

/**
 * Runs the CrateDB part and prints as it goes.
 * @throws Error when the local server does not start; the driver's errors (`ConnectionError`, `ProgrammingError`,
 *   …); an Error naming the chunk when a whole bulk request fails; `signal.reason` when aborted. The client is
 *   closed and a local server stopped in every case.
 * @example
 * const result = await runCrateDBDemo({ rows: 20_000, log: () => {} })
 * result.near.total // 13
 */
export async function runCrateDBDemo(options: CrateDemoOptions = {}): Promise<CrateDemoResult> {
  const log = options.log ?? ((line: string) => console.log(line))
  const signal = options.signal
  const progressMode = options.progress ?? defaultProgressMode()
  const runStarted = performance.now()
  const file = await openFlightsParquet(FLIGHTS_PARQUET)

  const t = performance.now()
  const crate = await provisionCrateDB({
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.server === undefined ? {} : { server: options.server }),
  })
  let client: CrateDBClient | undefined
  let db: Kysely<CrateDemoDatabase> | undefined
  try {
    const sqlClient = connect(crate.servers)
    client = sqlClient
    const info = await sqlClient.serverInfo(signal === undefined ? {} : { signal })
    const serverMs = performance.now() - t
    log(`CrateDB ${info.version}: ${describeSource(crate, info.nodeName)} (${formatDuration(serverMs)})`)
    signal?.throwIfAborted()

    const kysely = new Kysely<CrateDemoDatabase>({ dialect: new CrateDBDialect({ client: sqlClient }) })
    db = kysely
    const migrator = createMigrator(kysely)
    const { ms: migrationsMs } = await timed(() => resetAndMigrateTo(migrator, CREATE_TABLES, log))
    signal?.throwIfAborted()

    const quakes = await readEarthquakes(EARTHQUAKES_JSON, signal)
    log(`Loading ${formatInteger(quakes.length)} earthquakes from earthquakes.json (GEO_POINT location, OBJECT properties) through the driver's executeMany:`)
    const earthquakes = await withProgress({ label: 'quakes', total: quakes.length, mode: progressMode, log }, (onProgress) =>
      bulkInsert({
        client: sqlClient,
        table: 'earthquakes',
        columns: EARTHQUAKE_COLUMNS,
        source: [quakes],
        chunkSize: 500,
        onProgress,
        ...(signal === undefined ? {} : { signal }),
      }),
    )
    logLoad(log, 'earthquakes', earthquakes)

    const { rows, reason } = chooseFlightRows(options.rows, crate.source, file.rowCount)
    const chunkSize = options.chunkSize ?? 10_000
    log(
      `Loading ${rows === file.rowCount ? 'all' : 'the first'} ${formatInteger(rows)} of ${formatInteger(file.rowCount)} flights from ` +
        `flights-3m.parquet through the driver's executeMany (${formatInteger(chunkSize)} rows per request):`,
    )
    if (reason !== undefined) log(`  (a subset: ${reason})`)
    const span = { first: Infinity, last: -Infinity }
    const flights = await withProgress({ label: 'flights', total: rows, mode: progressMode, log }, (onProgress) =>
      bulkInsert({
        client: sqlClient,
        table: 'flights',
        columns: ['id', 'date', 'delay', 'distance', 'origin', 'destination'],
        source: flightRows(file, rows, span, signal),
        chunkSize,
        inFlight: options.inFlight ?? (crate.source === 'local' ? 2 : 4),
        onProgress,
        ...(signal === undefined ? {} : { signal }),
      }),
    )
    const loadRate = Math.round(flights.rows / (flights.ms / 1000))
    logLoad(log, 'flights', flights)

    const { ms: refreshMs } = await timed(() => refresh(kysely, ['earthquakes', 'flights']))
    log(`Refreshed earthquakes and flights so that queries see every row (REFRESH TABLE, ${formatDuration(refreshMs)})`)
    signal?.throwIfAborted()

    const { value: near, ms: nearbyMs } = await queryStep({
      log,
      title: (found) =>
        `(1) Earthquakes within ${NEAR_KM} km of ${SAN_FRANCISCO.name}: ${formatInteger(found.total)}, the nearest ${Math.min(TOP, found.total)}` +
        ' by distance(location, ?)',
      via: 'Kysely',
      run: () => earthquakesNear(kysely, SAN_FRANCISCO, NEAR_KM, TOP, signal),
      lines: (found) => nearbyLines(found.nearest),
    })

    const { value: strongest, ms: strongestMs } = await queryStep({
      log,
      title: `(2) Strongest earthquakes by properties['mag'], where properties['type'] = 'earthquake'`,
      via: 'Kysely',
      run: () => strongestEarthquakes(kysely, TOP, signal),
      lines: strongestLines,
    })

    const { value: routes, ms: routesMs } = await queryStep({
      log,
      title: '(3) Busiest routes',
      via: 'Kysely',
      run: () => busiestRoutes(kysely, TOP, signal),
      lines: routeLines,
    })

    const bucket = span.first <= span.last ? bucketFor(span.first, span.last) : 'day'
    const { value: buckets, ms: bucketsMs } = await queryStep({
      log,
      signal,
      title: `(4) Flights per ${bucket}, date_trunc('${bucket}', date)`,
      via: 'Drizzle',
      run: () => flightsPerBucket(drizzle(sqlClient), bucket),
      lines: (rows) => bucketLines(rows, bucket),
    })

    const { value: tables, ms: introspectionMs } = await queryStep({
      log,
      title: '(5) Schema',
      via: 'Kysely introspection',
      run: () => demoTables(kysely),
      lines: schemaLines,
    })

    const timings: CrateDemoTimings = {
      server: serverMs,
      migrations: migrationsMs,
      earthquakes: earthquakes.ms,
      flights: flights.ms,
      refresh: refreshMs,
      nearby: nearbyMs,
      strongest: strongestMs,
      busiestRoutes: routesMs,
      buckets: bucketsMs,
      introspection: introspectionMs,
      total: performance.now() - runStarted,
    }
    log('')
    const queriesMs = nearbyMs + strongestMs + routesMs + bucketsMs + introspectionMs
    log(
      `Done in ${formatDuration(timings.total)}: load ${formatDuration(earthquakes.ms + flights.ms + refreshMs)} ` +
        `(earthquakes ${formatDuration(earthquakes.ms)}, flights ${formatDuration(flights.ms)}, refresh ${formatDuration(refreshMs)}), ` +
        `queries ${formatDuration(queriesMs)}`,
    )
    return {
      source: crate.source,
      serverVersion: info.version,
      fileFlights: file.rowCount,
      requestedFlights: rows,
      ...(reason === undefined ? {} : { subsetReason: reason }),
      earthquakes,
      flights,
      loadRate,
      near: { ...near, place: SAN_FRANCISCO, km: NEAR_KM },
      strongest,
      busiestRoutes: routes,
      bucket,
      buckets,
      tables,
      timings,
    }
  } finally {
    // db.destroy() closes the client it was given; close it directly when Kysely never got it.
    if (db !== undefined) await db.destroy().catch(() => {})
    else await client?.close().catch(() => {})
    await crate.stop()
  }
}

/**
 * How many flights to load: `requested` (capped at the file's rows) when given; else every row for a cluster, and
 * {@link LOCAL_DEFAULT_FLIGHTS} for the local server, with the reason to print.
 * @example
 * chooseFlightRows(undefined, 'local', 3_000_000) // { rows: 500_000, reason: 'the local CrateDB server …' }
 */
export function chooseFlightRows(requested: number | undefined, source: CrateDBSource, fileRows: number): { rows: number; reason?: string } {
  if (requested !== undefined) return { rows: Math.min(requested, fileRows) }
  if (source !== 'local' || LOCAL_DEFAULT_FLIGHTS >= fileRows) return { rows: fileRows }
  return {
    rows: LOCAL_DEFAULT_FLIGHTS,
    reason:
      'the local CrateDB server runs SQL on PGlite in one thread, ~15,000 rows/s on 2 cores, so all rows would take ' +
      `minutes; set CRATEDB_URL to a real cluster to load all ${fileRows.toLocaleString('en-US')}, or pass --cratedb-rows N`,
  }
}

/** The flight tuples as `flights` rows (`date` in epoch ms), noting the first and last departure seen. */
async function* flightRows(file: FlightsParquet, rows: number, span: { first: number; last: number }, signal: AbortSignal | undefined): AsyncGenerator<unknown[][]> {
  for await (const tuples of file.chunks(rows, signal)) {
    const out = new Array<unknown[]>(tuples.length)
    for (let i = 0; i < tuples.length; i++) {
      const [id, seconds, delay, distance, origin, destination] = tuples[i]!
      const ms = seconds * 1000
      if (ms < span.first) span.first = ms
      if (ms > span.last) span.last = ms
      out[i] = [id, ms, delay, distance, origin, destination]
    }
    yield out
  }
}

function logLoad(log: (line: string) => void, what: string, result: BulkInsertResult): void {
  const rate = Math.round(result.rows / (result.ms / 1000))
  log(`Loaded ${formatInteger(result.rows)} ${what} in ${formatDuration(result.ms)} (${formatInteger(rate)} rows/s, ${formatInteger(result.chunks)} bulk requests)`)
  if (result.failed === 0) return
  log(`${formatInteger(result.failed)} ${what} rows failed in ${formatInteger(result.failures.length)} of ${formatInteger(result.chunks)} bulk requests:`)
  for (const line of failureLines(result.failures)) log(line)
}

function describeSource(crate: ProvisionedCrateDB, nodeName: string): string {
  if (crate.source === 'env') return `the cluster at CRATEDB_URL (${crate.display}, node ${nodeName})`
  return `local protocol server (dialectry/testing/cratedb, SQL on PGlite) in a worker thread on ${crate.display}`
}
