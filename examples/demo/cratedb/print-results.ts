/**
 * Turns the CrateDB part's load reports and query results into the lines it prints (the table layout and the
 * headings are the Tarantool part's, from `../format-table.ts` and `../print-results.ts`).
 */
import { formatDecimal, formatInteger, formatTable } from '../format-table.ts'
import type { ChunkFailure } from './bulk-insert.ts'
import type { BucketCount, NearbyEarthquake, StrongEarthquake, TimeBucket } from './queries.ts'

/** `'2018-02-04 10:07 UTC'`. */
export function formatUtcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/**
 * One line per chunk with failed rows, each followed by its example errors:
 * `  chunk 3 (rows 20,001-30,000): 2 of 10,000 rows failed` / `    row 20,017 (id 20017): [4091] DuplicateKeyException[…]`.
 */
export function failureLines(failures: readonly ChunkFailure[]): string[] {
  const lines: string[] = []
  for (const f of failures) {
    const size = f.lastRow - f.firstRow + 1
    lines.push(`  chunk ${f.chunk} (rows ${formatInteger(f.firstRow)}-${formatInteger(f.lastRow)}): ${formatInteger(f.failed)} of ${formatInteger(size)} rows failed`)
    for (const e of f.examples) lines.push(`    row ${formatInteger(e.row)} (id ${String(e.key)}): [${e.code}] ${e.message}`)
    if (f.failed > f.examples.length) lines.push(`    … and ${formatInteger(f.failed - f.examples.length)} more`)
  }
  return lines
}

/** The table of `earthquakesNear`'s nearest earthquakes: distance, time, magnitude, depth, place. */
export function nearbyLines(rows: readonly NearbyEarthquake[]): string[] {
  return formatTable(rows, [
    { header: 'km', cell: (r) => formatDecimal(r.km, 1), align: 'right' },
    { header: 'time', cell: (r) => formatUtcMinute(r.time) },
    { header: 'mag', cell: (r) => formatDecimal(r.magnitude, 2), align: 'right' },
    { header: 'depth km', cell: (r) => formatDecimal(r.depth, 1), align: 'right' },
    { header: "properties['place']", cell: (r) => r.place },
  ])
}

/** The table of `strongestEarthquakes`: magnitude and its type, time, place, significance, tsunami flag. */
export function strongestLines(rows: readonly StrongEarthquake[]): string[] {
  return formatTable(rows, [
    { header: 'mag', cell: (r) => formatDecimal(r.mag, 1), align: 'right' },
    { header: 'type', cell: (r) => r.magType },
    { header: 'time', cell: (r) => formatUtcMinute(r.time) },
    { header: 'place', cell: (r) => r.place },
    { header: 'sig', cell: (r) => formatInteger(r.sig), align: 'right' },
    { header: 'tsunami', cell: (r) => (r.tsunami === 1 ? 'possible' : '-') },
  ])
}

/** The table of `flightsPerBucket`: bucket start, flights, mean delay, share of arrivals ≥ 15 min late. */
export function bucketLines(rows: readonly BucketCount[], bucket: TimeBucket): string[] {
  return formatTable(rows, [
    { header: bucket === 'week' ? 'week of' : bucket, cell: (r) => (bucket === 'month' ? r.start.toISOString().slice(0, 7) : r.start.toISOString().slice(0, 10)) },
    { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
    { header: 'avg delay (min)', cell: (r) => formatDecimal(r.avgDelay, 2), align: 'right' },
    { header: 'late ≥ 15 min', cell: (r) => `${formatDecimal((100 * r.delayed) / r.flights, 1)} %`, align: 'right' },
  ])
}
