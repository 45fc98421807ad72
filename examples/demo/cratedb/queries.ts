/**
 * The CrateDB part's queries: geo distance and OBJECT sub-columns through Kysely, time buckets through Drizzle,
 * and Kysely's introspector. Every function returns typed rows; printing is `print-results.ts`'s job.
 */
import { count, sql } from 'drizzle-orm'
import type { Kysely, TableMetadata } from 'kysely'
import type { CrateDBDrizzleDatabase } from '../../../dialects/cratedb/drizzle/index.ts'
import { cratedbSubscript, distance } from '../../../dialects/cratedb/kysely/index.ts'
import type { RouteCount } from '../queries.ts'
import { flights, type CrateDemoDatabase } from './schema.ts'

/** A place to measure distances from. */
export interface Place {
  name: string
  /** `[longitude, latitude]`, degrees. */
  point: [number, number]
}

/** San Francisco City Hall. */
export const SAN_FRANCISCO: Place = Object.freeze({ name: 'San Francisco', point: [-122.4193, 37.7793] as [number, number] })

/** One earthquake of {@link earthquakesNear}. */
export interface NearbyEarthquake {
  id: string
  time: Date
  magnitude: number
  /** Kilometres below the surface. */
  depth: number
  place: string
  /** Kilometres from the place (CrateDB's `distance()` is in meters). */
  km: number
}

/** What {@link earthquakesNear} found. */
export interface NearbyEarthquakes {
  /** Earthquakes within the radius. */
  total: number
  /** The nearest ones, nearest first. */
  nearest: NearbyEarthquake[]
}

/**
 * Kysely: how many earthquakes lie within `km` of `place`, and the `limit` nearest, by `distance(location, point)`
 * on the GEO_POINT column; the place name comes from the OBJECT column (`properties['place']`).
 */
export async function earthquakesNear(db: Kysely<CrateDemoDatabase>, place: Place, km: number, limit: number, signal?: AbortSignal): Promise<NearbyEarthquakes> {
  const options = signal === undefined ? {} : { signal }
  const meters = distance('location', place.point)
  const { total } = await db
    .selectFrom('earthquakes')
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where(meters, '<=', km * 1000)
    .executeTakeFirstOrThrow(options)
  const rows = await db
    .selectFrom('earthquakes')
    .select(['id', 'time', 'magnitude', 'depth', cratedbSubscript<string>('properties', 'place').as('place'), meters.as('meters')])
    .where(meters, '<=', km * 1000)
    .orderBy(meters)
    .orderBy('id')
    .limit(limit)
    .execute(options)
  return {
    total: Number(total),
    nearest: rows.map(({ meters: m, ...row }) => ({ ...row, km: Number(m) / 1000 })),
  }
}

/** One earthquake of {@link strongestEarthquakes}. */
export interface StrongEarthquake {
  id: string
  time: Date
  /** `properties['mag']`. */
  mag: number
  /** `properties['magType']`, e.g. `'mww'`. */
  magType: string
  place: string
  /** `properties['tsunami']`: 1 when a tsunami was possible. */
  tsunami: number
  /** `properties['sig']`: USGS significance, 0-1000. */
  sig: number
}

/**
 * Kysely: the `limit` strongest events of type `'earthquake'` (the file also has explosions and quarry blasts),
 * all read from sub-columns of the OBJECT column with `cratedbSubscript` (`"properties"['mag']`, …), ties by id.
 */
export async function strongestEarthquakes(db: Kysely<CrateDemoDatabase>, limit: number, signal?: AbortSignal): Promise<StrongEarthquake[]> {
  const rows = await db
    .selectFrom('earthquakes')
    .select([
      'id',
      'time',
      cratedbSubscript<number>('properties', 'mag').as('mag'),
      cratedbSubscript<string>('properties', 'magType').as('mag_type'),
      cratedbSubscript<string>('properties', 'place').as('place'),
      cratedbSubscript<number>('properties', 'tsunami').as('tsunami'),
      cratedbSubscript<number>('properties', 'sig').as('sig'),
    ])
    .where(cratedbSubscript('properties', 'type'), '=', 'earthquake')
    .orderBy(cratedbSubscript('properties', 'mag'), 'desc')
    .orderBy('id')
    .limit(limit)
    .execute(signal === undefined ? {} : { signal })
  return rows.map((r) => ({ id: r.id, time: r.time, mag: Number(r.mag), magType: r.mag_type, place: r.place, tsunami: Number(r.tsunami), sig: Number(r.sig) }))
}

/**
 * Kysely: the `limit` origin → destination pairs with the most flights, ties by origin and destination (CrateDB,
 * unlike Tarantool 2.6, sorts in mixed directions under a LIMIT).
 */
export async function busiestRoutes(db: Kysely<CrateDemoDatabase>, limit: number, signal?: AbortSignal): Promise<RouteCount[]> {
  const rows = await db
    .selectFrom('flights')
    .select((eb) => ['origin', 'destination', eb.fn.countAll<number>().as('flights')])
    .groupBy(['origin', 'destination'])
    .orderBy('flights', 'desc')
    .orderBy('origin')
    .orderBy('destination')
    .limit(limit)
    .execute(signal === undefined ? {} : { signal })
  return rows.map((r) => ({ ...r, flights: Number(r.flights) }))
}

/** A `date_trunc` unit the demo buckets flights by. */
export type TimeBucket = 'day' | 'week' | 'month'

/** A row of {@link flightsPerBucket}. */
export interface BucketCount {
  /** Start of the bucket (recorded local time, see `schema.ts`); weeks start on Monday. */
  start: Date
  flights: number
  /** Mean arrival delay in minutes. */
  avgDelay: number
  /** Flights that arrived 15 minutes late or more. */
  delayed: number
}

/**
 * The bucket that gives a readable table for flights spanning `firstMs`-`lastMs` (epoch ms): months from ~2 months
 * up, weeks from ~2 weeks up, else days.
 */
export function bucketFor(firstMs: number, lastMs: number): TimeBucket {
  const days = (lastMs - firstMs) / 86_400_000
  return days >= 60 ? 'month' : days >= 14 ? 'week' : 'day'
}

/**
 * Drizzle: flights, mean delay and late arrivals per `date_trunc(bucket, date)`, in time order. The unit is a SQL
 * literal rather than a parameter, so the SELECT and GROUP BY expressions are the same text.
 */
export function flightsPerBucket(db: CrateDBDrizzleDatabase, bucket: TimeBucket): Promise<BucketCount[]> {
  const start = sql<Date>`date_trunc(${sql.raw(`'${bucket}'`)}, ${flights.date})`.mapWith((v: Date) => v)
  const avgDelay = sql<number>`avg(${flights.delay})`.mapWith(Number)
  const delayed = sql<number>`sum(case when ${flights.delay} >= 15 then 1 else 0 end)`.mapWith(Number)
  return db.select({ start, flights: count(), avgDelay, delayed }).from(flights).groupBy(start).orderBy(start)
}

/** Kysely's introspector: the demo's tables and their columns (the Migrator's own tables left out). */
export async function demoTables(db: Kysely<CrateDemoDatabase>): Promise<TableMetadata[]> {
  const tables = await db.introspection.getTables()
  return tables.filter((table) => table.name === 'earthquakes' || table.name === 'flights').sort((a, b) => a.name.localeCompare(b.name))
}
