/**
 * The step scaffolding both demo parts share: timing a step, printing a timed query step, and showing progress
 * around a load.
 */
import { heading } from './print-results.ts'
import { startProgress, type ProgressMode } from './progress.ts'

/** Receives every output line (no newline). */
export type LogLine = (line: string) => void

/** A step's result and how long it took, in milliseconds. */
export interface Timed<T> {
  value: T
  ms: number
}

/**
 * Runs `run` and measures it.
 * @example
 * const { value: airports, ms } = await timed(() => loadAirports(db, AIRPORTS_CSV, signal))
 */
export async function timed<T>(run: () => Promise<T>): Promise<Timed<T>> {
  const t = performance.now()
  const value = await run()
  return { value, ms: performance.now() - t }
}

/** What {@link queryStep} runs and prints. */
export interface QueryStep<T> {
  log: LogLine
  /** Checked after the blank line, before the query starts. */
  signal?: AbortSignal | undefined
  /** The heading's title; a function when it depends on the result. */
  title: string | ((value: T) => string)
  /** The layer the query went through (`Kysely`, `Drizzle`, `driver`, …). */
  via: string
  run: () => Promise<T>
  lines: (value: T) => Iterable<string>
}

/**
 * One numbered query of a demo: prints a blank line, runs and times the query, then prints its heading (with the
 * time) and its result lines.
 * @throws `signal.reason` when `signal` is aborted before the query; whatever the query throws.
 * @example
 * const { value: routes, ms } = await queryStep({ log, title: '(1) Busiest routes', via: 'Kysely', run: () => busiestRoutes(db, 10), lines: routeLines })
 */
export async function queryStep<T>(step: QueryStep<T>): Promise<Timed<T>> {
  step.log('')
  step.signal?.throwIfAborted()
  const result = await timed(step.run)
  step.log(heading(typeof step.title === 'string' ? step.title : step.title(result.value), step.via, result.ms))
  for (const line of step.lines(result.value)) step.log(line)
  return result
}

/**
 * Runs a load with a progress display (counted in rows) that is stopped however the load ends.
 * @example
 * await withProgress({ label: 'flights', total: rows, mode: 'lines', log }, (onProgress) => load(onProgress))
 */
export async function withProgress<T>(
  options: { label: string; total: number; mode: ProgressMode; log: LogLine },
  run: (onProgress: (done: number) => void) => Promise<T>,
): Promise<T> {
  const progress = startProgress({ ...options, unit: 'rows' })
  try {
    return await run((done) => progress.update(done))
  } finally {
    progress.stop()
  }
}
