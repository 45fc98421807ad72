/**
 * The demo's two tables, typed twice: once for Kysely (`DemoDatabase`) and once for Drizzle (`airports`,
 * `flights` from `drizzle-orm/sqlite-core`). The DDL itself lives in `migrations.ts`; both descriptions here must
 * match it.
 *
 * Tarantool 2.6 SQL has no date/time type, so `flights.date` holds epoch seconds. The parquet column is a
 * timestamp without time zone (local wall-clock time at the airport); the seconds are that wall-clock time read
 * as UTC, so `new Date(date * 1000).toISOString()` prints the time as recorded.
 */
import { integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** `airports`: one row per IATA code, from `vega-datasets/data/airports.csv`. */
export interface AirportsTable {
  /** IATA code, e.g. `'SFO'`; primary key. */
  iata: string
  name: string
  /** `null` where the CSV says `NA`. */
  city: string | null
  /** US state or territory code; `null` where the CSV says `NA`. */
  state: string | null
  country: string | null
  /** Degrees. */
  latitude: number | null
  /** Degrees. */
  longitude: number | null
}

/** `flights`: one row per flight, from `vega-datasets/data/flights-3m.parquet`. */
export interface FlightsTable {
  /** 1-based row number in the parquet file; primary key. */
  id: number
  /** Scheduled departure, epoch seconds of the recorded local time (see the file comment). */
  date: number
  /** Arrival delay in minutes; negative when early. */
  delay: number
  /** Miles. */
  distance: number
  /** IATA code of the origin airport. */
  origin: string
  /** IATA code of the destination airport. */
  destination: string
}

/** The database as Kysely sees it: `new Kysely<DemoDatabase>(...)`. */
export interface DemoDatabase {
  airports: AirportsTable
  flights: FlightsTable
}

/** A `flights` tuple as stored in the space, in column order: what the loader sends and `select` returns. */
export type FlightTuple = [id: number, date: number, delay: number, distance: number, origin: string, destination: string]

/** `airports` for Drizzle. */
export const airports = sqliteTable('airports', {
  iata: text('iata').primaryKey(),
  name: text('name').notNull(),
  city: text('city'),
  state: text('state'),
  country: text('country'),
  latitude: real('latitude'),
  longitude: real('longitude'),
})

/** `flights` for Drizzle. */
export const flights = sqliteTable('flights', {
  id: integer('id').primaryKey(),
  date: integer('date').notNull(),
  delay: integer('delay').notNull(),
  distance: integer('distance').notNull(),
  origin: text('origin').notNull(),
  destination: text('destination').notNull(),
})
