/**
 * Rounds of a benchmark: each round runs every op with every client, in an order rotated from round to round,
 * and the reports of all rounds are gathered per op afterwards.
 */

/** `items` rotated left by `by` places (so each round and op starts with another client). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

/** The per-op results of one client report, as far as {@link gatherResults} needs them. */
export interface RoundReport<R extends { op: string; error?: string }> {
  results: R[]
  error?: string
}

/**
 * The successful results of `op` across the reports of every round, and every error seen on the way (the
 * report's own, then the result's), so a cell can be marked failed when any round failed.
 */
export function gatherResults<R extends { op: string; error?: string }>(reports: RoundReport<R>[], op: R['op']): { results: R[]; errors: string[] } {
  const results: R[] = []
  const errors: string[] = []
  for (const report of reports) {
    if (report.error !== undefined) errors.push(report.error)
    const result = report.results.find((r) => r.op === op)
    if (result === undefined) continue
    if (result.error !== undefined) errors.push(result.error)
    else results.push(result)
  }
  return { results, errors }
}
