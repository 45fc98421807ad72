/**
 * Summary statistics over the per-round values of a benchmark.
 */

/** The median of `values` (the mean of the two middle values for an even count); `values` must not be empty. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The median of the known values, or `undefined` when none is known. */
export function medianOf(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v) => v !== undefined)
  return known.length === 0 ? undefined : median(known)
}

/** The largest of the known values, or `undefined` when none is known. */
export function maxOf(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v) => v !== undefined)
  return known.length === 0 ? undefined : Math.max(...known)
}
