/**
 * `npm run demo [-- --system tarantool|cratedb|btrdb|druid|e6data|all] [--rows N] [--cratedb-rows N]`: real data through dialectry's
 * drivers, Kysely dialects and Drizzle drivers, one system after the other (Tarantool first).
 *
 * - Tarantool (`demo/run-demo.ts`): the vega-datasets flights (3M rows) and airports, a Kysely migration, timed
 *   queries through Kysely, Drizzle and the raw driver. The server is `TARANTOOL_URL` when set (its
 *   `airports`/`flights` tables are dropped and recreated), else a local `tarantool` binary in a temp directory.
 * - CrateDB (`demo/cratedb/run-cratedb-demo.ts`): the USGS earthquakes (GEO_POINT + OBJECT) and the flights
 *   bulk-loaded with `executeMany`, then geo-distance, object-field and time-bucket queries through Kysely and
 *   Drizzle. The server is `CRATEDB_URL` when set (its `earthquakes`/`flights` tables are dropped and
 *   recreated), else dialectry's local CrateDB protocol server, which loads the first 500,000 flights unless told
 *   otherwise (it runs SQL on PGlite in one thread).
 * - BTrDB (`demo/btrdb/run-btrdb-demo.ts`): the flights as one stream of departure delays per origin airport,
 *   inserted with a progress bar, then aligned windows, daily windows, a StreamSet merged by time, the collection
 *   metadata and a chart (SVG through vega-lite/vega, or its specification and a terminal chart without them).
 *   The server is `BTRDB_ENDPOINTS` when set, else dialectry's local BTrDB.
 * - Druid (`demo/druid/run-druid-demo.ts`): the flights and airports loaded with SQL-based ingestion (EXTERN,
 *   partitioned by day) with task progress, the cluster's services, then Kysely and Drizzle queries. The server is
 *   `DRUID_URL` when set, else dialectry's local Druid server on DuckDB.
 * - e6data (`demo/e6data/run-e6data-demo.ts`): the flights and airports registered in the local e6data engine, then
 *   execute/fetchAll, explainAnalyse, schema listing, a ConnectionPool, a blue-green flip mid-loop (zero failures)
 *   and Kysely joins. The engine is `E6DATA_URL` when set, else dialectry's local e6data engine on DuckDB.
 *
 * Ctrl-C (SIGINT), SIGTERM or a closed terminal (SIGHUP) stops the run between batches and steps, closes the
 * clients and stops local servers (exit status 130); a second signal exits at once. When one system fails, the
 * next still runs and the exit status is 1.
 */
import { parseArgs } from 'node:util'
import { runCrateDBDemo } from './demo/cratedb/run-cratedb-demo.ts'
import { runBTrDBDemo } from './demo/btrdb/run-btrdb-demo.ts'
import { runDruidDemo } from './demo/druid/run-druid-demo.ts'
import { runE6dataDemo } from './demo/e6data/run-e6data-demo.ts'
import { formatDuration } from './demo/format-table.ts'
import { runDemo } from './demo/run-demo.ts'

export { runDemo } from './demo/run-demo.ts'
export type { DemoOptions, DemoResult, DemoTimings } from './demo/run-demo.ts'
export { LOCAL_DEFAULT_FLIGHTS, runCrateDBDemo } from './demo/cratedb/run-cratedb-demo.ts'
export type { CrateDemoOptions, CrateDemoResult, CrateDemoTimings } from './demo/cratedb/run-cratedb-demo.ts'
export { runBTrDBDemo } from './demo/btrdb/run-btrdb-demo.ts'
export type { BTrDBDemoOptions, BTrDBDemoResult } from './demo/btrdb/run-btrdb-demo.ts'

/** Which systems a run covers. */
export type DemoSystem = 'tarantool' | 'cratedb' | 'btrdb' | 'druid' | 'e6data' | 'all'

/** The parsed command line. */
export interface DemoArgs {
  system: DemoSystem
  /** `--rows`: flights for every system. */
  rows?: number
  /** `--cratedb-rows`: flights for CrateDB, overriding `rows` there. */
  cratedbRows?: number
  help: boolean
}

const USAGE = `Usage: npm run demo -- [--system tarantool|cratedb|btrdb|druid|e6data|all] [--rows N] [--cratedb-rows N]

  --system S         tarantool, cratedb, btrdb, druid, e6data or all (default: all; Tarantool, CrateDB, BTrDB, Druid, then e6data)
  --rows N           load only the first N flights, in every system (default: all 3,000,000, except the
                     local CrateDB server: see --cratedb-rows)
  --cratedb-rows N   flights to load into CrateDB, overriding --rows there (default: all for CRATEDB_URL,
                     the first 500,000 for the local server, which runs SQL on PGlite in one thread)
  -h, --help         show this help

Environment:
  TARANTOOL_URL=tarantool://user:password@host:port   use that Tarantool instead of a local one
  CRATEDB_URL=http://user:password@host:4200/         use that CrateDB cluster instead of the local server
  BTRDB_ENDPOINTS=host:4411 BTRDB_API_KEY=…           use that BTrDB instead of the local server (streams
                                                      under flights/ there are obliterated first)
  DRUID_URL=http://user:password@host:8888            use that Druid instead of the local server (its flights and
                                                      airports datasources are replaced; EXTERN reads local files
                                                      on the server, so it must see this machine's paths)
  E6DATA_URL=e6data://user%40mail:token@host:port/?catalog=c&database=d
                                                      use that e6data (its flights and airports tables as they are)
(the demo drops and recreates its own tables there).`

/** Parses the command line. @throws Error with a usage message for bad arguments. */
export function parseDemoArgs(args: readonly string[]): DemoArgs {
  const { values } = parseArgs({
    args: [...args],
    options: {
      system: { type: 'string', default: 'all' },
      rows: { type: 'string' },
      'cratedb-rows': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  const system = values.system
  if (system !== 'tarantool' && system !== 'cratedb' && system !== 'btrdb' && system !== 'druid' && system !== 'e6data' && system !== 'all') {
    throw new Error(`--system must be tarantool, cratedb, btrdb, druid, e6data or all, got ${JSON.stringify(system)}`)
  }
  const parsed: DemoArgs = { system, help: values.help }
  if (values.rows !== undefined) parsed.rows = positiveInteger('--rows', values.rows)
  if (values['cratedb-rows'] !== undefined) parsed.cratedbRows = positiveInteger('--cratedb-rows', values['cratedb-rows'])
  return parsed
}

function positiveInteger(name: string, text: string): number {
  const n = Number(text.replaceAll('_', ''))
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`)
  return n
}

/** The command-line program: parses arguments, wires Ctrl-C to an abort, runs the systems, sets the exit code. */
export async function main(args: readonly string[] = process.argv.slice(2)): Promise<number> {
  let parsed: DemoArgs
  try {
    parsed = parseDemoArgs(args)
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (parsed.help) {
    console.log(USAGE)
    return 0
  }
  const controller = new AbortController()
  const interrupt = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130)
    console.error(`\n${signal}: stopping (closing the clients, stopping the servers); press Ctrl-C again to exit at once`)
    controller.abort(new Error(`Interrupted by ${signal}`))
  }
  // `npm run demo | head`: stop the same way instead of dying on EPIPE with a server still up.
  const outputClosed = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error
    if (!controller.signal.aborted) controller.abort(new Error('Stopped: standard output was closed'))
  }
  process.stdout.on('error', outputClosed)
  process.on('SIGINT', interrupt)
  process.on('SIGTERM', interrupt)
  process.on('SIGHUP', interrupt)
  const signal = controller.signal
  const parts: { name: string; run: () => Promise<unknown> }[] = []
  if (parsed.system === 'tarantool' || parsed.system === 'all') {
    parts.push({ name: 'Tarantool', run: () => runDemo({ ...(parsed.rows === undefined ? {} : { rows: parsed.rows }), signal }) })
  }
  if (parsed.system === 'cratedb' || parsed.system === 'all') {
    const rows = parsed.cratedbRows ?? parsed.rows
    parts.push({ name: 'CrateDB', run: () => runCrateDBDemo({ ...(rows === undefined ? {} : { rows }), signal }) })
  }
  if (parsed.system === 'btrdb' || parsed.system === 'all') {
    parts.push({ name: 'BTrDB', run: () => runBTrDBDemo({ ...(parsed.rows === undefined ? {} : { rows: parsed.rows }), signal }) })
  }
  if (parsed.system === 'druid' || parsed.system === 'all') {
    parts.push({ name: 'Druid', run: () => runDruidDemo({ ...(parsed.rows === undefined ? {} : { rows: parsed.rows }), signal }) })
  }
  if (parsed.system === 'e6data' || parsed.system === 'all') {
    parts.push({ name: 'e6data', run: () => runE6dataDemo({ ...(parsed.rows === undefined ? {} : { rows: parsed.rows }), signal }) })
  }
  const summary: string[] = []
  let failed = false
  try {
    for (const [i, part] of parts.entries()) {
      if (parts.length > 1) console.log(`${i === 0 ? '' : '\n'}=== ${part.name} ===\n`)
      const started = performance.now()
      try {
        await part.run()
        summary.push(`${part.name} ${formatDuration(performance.now() - started)}`)
      } catch (error) {
        if (signal.aborted) {
          console.error(String((signal.reason as Error).message))
          return 130
        }
        console.error(`${part.name} part failed:`, error)
        summary.push(`${part.name} failed`)
        failed = true
      }
    }
    if (parts.length > 1) console.log(`\nAll systems: ${summary.join(', ')}`)
    return failed ? 1 : 0
  } finally {
    process.off('SIGINT', interrupt)
    process.off('SIGTERM', interrupt)
    process.off('SIGHUP', interrupt)
  }
}

if (import.meta.main) process.exitCode = await main()
