/**
 * Loads `airports.csv` into the `airports` table with typed Kysely inserts.
 */
import { readFile } from 'node:fs/promises'
import { csvParse } from 'd3-dsv'
import type { Insertable, Kysely } from 'kysely'
import type { AirportsTable, DemoDatabase } from './schema.ts'

/** Rows per multi-row `INSERT ... VALUES (...), (...)` statement (7 parameters each). */
const ROWS_PER_INSERT = 250

/**
 * Parses the airports CSV (quoted fields such as `"Dr. C.P. Savage, Sr."` included). `NA` city/state and empty
 * fields become `null`, coordinates numbers.
 * @throws Error when a row has no IATA code or name, or a coordinate is not a number.
 */
export function parseAirports(csv: string): Insertable<AirportsTable>[] {
  return csvParse(csv, (raw, index) => {
    const iata = raw['iata']
    const name = raw['name']
    if (!iata || !name) throw new Error(`airports.csv record ${index + 1} has no iata code or name`)
    return {
      iata,
      name,
      city: text(raw['city']),
      state: text(raw['state']),
      country: text(raw['country']),
      latitude: coordinate(raw['latitude'], iata),
      longitude: coordinate(raw['longitude'], iata),
    }
  })
}

/**
 * Reads and inserts every airport.
 * @returns how many rows were inserted.
 * @throws the driver's `ServerError` (e.g. ER_TUPLE_FOUND when the table is not empty), the errors of
 *   {@link parseAirports}, or `signal.reason`.
 * @example
 * const count = await loadAirports(db, AIRPORTS_CSV) // 3376
 */
export async function loadAirports(db: Kysely<DemoDatabase>, path: string, signal?: AbortSignal): Promise<number> {
  const airports = parseAirports(await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) }))
  for (let i = 0; i < airports.length; i += ROWS_PER_INSERT) {
    signal?.throwIfAborted()
    await db.insertInto('airports').values(airports.slice(i, i + ROWS_PER_INSERT)).execute()
  }
  return airports.length
}

function text(value: string | undefined): string | null {
  return value === undefined || value === '' || value === 'NA' ? null : value
}

function coordinate(value: string | undefined, iata: string): number | null {
  if (value === undefined || value === '' || value === 'NA') return null
  const n = Number(value)
  if (!Number.isFinite(n)) throw new Error(`airports.csv: ${iata} has a coordinate that is not a number: ${JSON.stringify(value)}`)
  return n
}
