/**
 * `npm run demo [-- --rows N]`: loads the vega-datasets flights (3M rows) and airports into Tarantool through
 * dialectry's driver, creates the schema with a Kysely migration, and prints timed queries through Kysely,
 * Drizzle and the raw driver. See `demo/run-demo.ts` for what happens, in order.
 *
 * The server is `TARANTOOL_URL` when set (its `airports`/`flights` tables are dropped and recreated), else a
 * local `tarantool` binary started in a temp directory for the run.
 *
 * Ctrl-C (SIGINT), SIGTERM or a closed terminal (SIGHUP) stops the run between batches and steps, closes the
 * pool and stops the local server (exit status 130); a second signal exits at once.
 */
import { parseArgs } from 'node:util'
import { runDemo } from './demo/run-demo.ts'

export { runDemo } from './demo/run-demo.ts'
export type { DemoOptions, DemoResult, DemoTimings } from './demo/run-demo.ts'

const USAGE = `Usage: npm run demo -- [--rows N]

  --rows N   load only the first N flights (default: all 3,000,000)
  -h, --help show this help

Environment: TARANTOOL_URL=tarantool://user:password@host:port uses that server instead of starting a local one
(the demo drops and recreates its tables there).`

/** Parses the command line. @throws Error with a usage message for bad arguments. */
export function parseDemoArgs(args: readonly string[]): { rows?: number; help: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: { rows: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  })
  if (values.rows === undefined) return { help: values.help }
  const rows = Number(values.rows.replaceAll('_', ''))
  if (!Number.isSafeInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${JSON.stringify(values.rows)}`)
  return { rows, help: values.help }
}

/** The command-line program: parses arguments, wires Ctrl-C to an abort, sets the exit code. */
export async function main(args: readonly string[] = process.argv.slice(2)): Promise<number> {
  let parsed: ReturnType<typeof parseDemoArgs>
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
    console.error(`\n${signal}: stopping (closing the pool, stopping the server); press Ctrl-C again to exit at once`)
    controller.abort(new Error(`Interrupted by ${signal}`))
  }
  // `npm run demo | head`: stop the same way instead of dying on EPIPE with the server still up.
  const outputClosed = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error
    if (!controller.signal.aborted) controller.abort(new Error('Stopped: standard output was closed'))
  }
  process.stdout.on('error', outputClosed)
  process.on('SIGINT', interrupt)
  process.on('SIGTERM', interrupt)
  process.on('SIGHUP', interrupt)
  try {
    await runDemo({ ...(parsed.rows === undefined ? {} : { rows: parsed.rows }), signal: controller.signal })
    return 0
  } catch (error) {
    if (controller.signal.aborted) {
      console.error(String((controller.signal.reason as Error).message))
      return 130
    }
    console.error(error)
    return 1
  } finally {
    process.off('SIGINT', interrupt)
    process.off('SIGTERM', interrupt)
    process.off('SIGHUP', interrupt)
  }
}

if (import.meta.main) process.exitCode = await main()
