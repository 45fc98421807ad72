/**
 * The CrateDB part's two tables, typed twice: once for Kysely (`CrateDemoDatabase`) and once for Drizzle
 * (`earthquakes`, `flights` on `drizzle-orm/pg-core` with dialectry's CrateDB column helpers). The DDL itself lives
 * in `migrations.ts`; both descriptions here must match it.
 *
 * `flights.date` is a CrateDB `TIMESTAMP` (without time zone): the parquet column holds the local wall-clock time at
 * the airport, and CrateDB keeps such a value as that wall-clock time read as UTC, so `date.toISOString()` prints
 * the time as recorded (the same convention as the Tarantool part's epoch seconds).
 */
import { doublePrecision, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { geoPoint, object } from '../../../dialects/cratedb/drizzle/index.ts'

/**
 * `properties` of a USGS GeoJSON feature, as `earthquakes.json` has them (all 26 keys are present in every
 * feature; `null` where the USGS had no value). A type alias rather than an interface: Drizzle's `object<T>()`
 * wants a `Record<string, unknown>`, which interfaces do not satisfy.
 */
export type EarthquakeProperties = {
  /** Magnitude. */
  mag: number
  /** E.g. `'4km W of Castaic, CA'`. */
  place: string
  /** Origin time, epoch milliseconds. */
  time: number
  /** Last update, epoch milliseconds. */
  updated: number
  /** Minutes from UTC at the epicentre. */
  tz: number | null
  url: string
  detail: string
  /** "Did you feel it?" reports. */
  felt: number | null
  cdi: number | null
  mmi: number | null
  /** PAGER alert level: `'green'`, `'yellow'`, … */
  alert: string | null
  /** `'automatic'` or `'reviewed'`. */
  status: string
  /** 1 when the event is in an oceanic region that may produce a tsunami. */
  tsunami: number
  /** Significance, 0-1000. */
  sig: number
  /** Contributing network, e.g. `'ci'`. */
  net: string
  code: string
  ids: string
  sources: string
  types: string
  nst: number | null
  dmin: number | null
  rms: number | null
  gap: number | null
  /** Magnitude type, e.g. `'ml'`, `'mb'`, `'mww'`. */
  magType: string
  /** `'earthquake'`, `'explosion'` or `'quarry blast'`. */
  type: string
  title: string
}

/** `earthquakes`: one row per feature of `vega-datasets/data/earthquakes.json`. */
export interface EarthquakesTable {
  /** USGS event id, e.g. `'ci37868143'`; primary key. */
  id: string
  /** Origin time (`properties.time`). */
  time: Date
  /** Epicentre as CrateDB returns a GEO_POINT: `[longitude, latitude]`. */
  location: [number, number]
  /** `properties.mag`, copied into a column of its own. */
  magnitude: number
  /** Kilometres below the surface (the third coordinate). */
  depth: number
  /** The feature's `properties`, as an `OBJECT(DYNAMIC)`. */
  properties: EarthquakeProperties
}

/** `flights`: one row per flight, from `vega-datasets/data/flights-3m.parquet` (the Tarantool part's columns). */
export interface CrateFlightsTable {
  /** 1-based row number in the parquet file; primary key. */
  id: number
  /** Scheduled departure, the recorded local time (see the file comment). */
  date: Date
  /** Arrival delay in minutes; negative when early. */
  delay: number
  /** Miles. */
  distance: number
  /** IATA code of the origin airport. */
  origin: string
  /** IATA code of the destination airport. */
  destination: string
}

/** The database as Kysely sees it: `new Kysely<CrateDemoDatabase>(...)`. */
export interface CrateDemoDatabase {
  earthquakes: EarthquakesTable
  flights: CrateFlightsTable
}

/**
 * Sub-columns of `properties` declared with a type. CrateDB gives a dynamic sub-column the type of the first value
 * it sees, and JSON has no `2.0`: the first feature's `mag: 2` would make `properties['mag']` a BIGINT and every
 * later `4.3` fail or lose its fraction. Declaring the numeric keys (and `place`, `type`, which the queries use)
 * pins their types; every other key is still added dynamically.
 */
export const PROPERTY_COLUMNS: Readonly<Record<string, 'double precision' | 'text' | 'bigint' | 'integer'>> = Object.freeze({
  mag: 'double precision',
  place: 'text',
  type: 'text',
  time: 'bigint',
  updated: 'bigint',
  tz: 'integer',
  felt: 'integer',
  cdi: 'double precision',
  mmi: 'double precision',
  tsunami: 'integer',
  sig: 'integer',
  nst: 'integer',
  dmin: 'double precision',
  rms: 'double precision',
  gap: 'double precision',
})

/** `earthquakes` for Drizzle. */
export const earthquakes = pgTable('earthquakes', {
  id: text('id').primaryKey(),
  time: timestamp('time', { withTimezone: true }).notNull(),
  location: geoPoint('location').notNull(),
  magnitude: doublePrecision('magnitude').notNull(),
  depth: doublePrecision('depth').notNull(),
  properties: object<EarthquakeProperties>('properties', { policy: 'dynamic', columns: PROPERTY_COLUMNS }).notNull(),
})

/** `flights` for Drizzle. */
export const flights = pgTable('flights', {
  id: integer('id').primaryKey(),
  date: timestamp('date').notNull(),
  delay: integer('delay').notNull(),
  distance: integer('distance').notNull(),
  origin: text('origin').notNull(),
  destination: text('destination').notNull(),
})
