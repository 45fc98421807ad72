/**
 * The demo's queries, each through a different layer: Kysely, Drizzle, the raw driver and Kysely's
 * introspector. Every function returns typed rows; printing is `print-results.ts`'s job.
 */
import { count, desc, sql } from 'drizzle-orm'
import type { Kysely, TableMetadata } from 'kysely'
import type { Pool } from '../../src/tarantool/index.ts'
import type { TarantoolDrizzleDatabase } from '../../dialects/tarantool/drizzle/index.ts'
import { ORIGIN_INDEX } from './migrations.ts'
import { flights, type DemoDatabase, type FlightTuple } from './schema.ts'

/** A row of {@link busiestRoutes}. */
export interface RouteCount {
  origin: string
  destination: string
  flights: number
}

/**
 * Kysely: the `limit` origin → destination pairs with the most flights. Ties come in no particular order: Tarantool 2.6 rejects ORDER BY keys of different directions together
 * with LIMIT (ER_UNSUPPORTED "ORDER BY with LIMIT does not support different sorting orders"), so there is no
 * `flights desc, origin asc` tie-break.
 */
export function busiestRoutes(db: Kysely<DemoDatabase>, limit: number, signal?: AbortSignal): Promise<RouteCount[]> {
  return db
    .selectFrom('flights')
    .select((eb) => ['origin', 'destination', eb.fn.countAll<number>().as('flights')])
    .groupBy(['origin', 'destination'])
    .orderBy('flights', 'desc')
    .limit(limit)
    .execute(signal === undefined ? {} : { signal })
}

/** A row of {@link delayByOrigin}. */
export interface OriginDelay {
  origin: string
  name: string
  city: string | null
  state: string | null
  flights: number
  /** Mean arrival delay in minutes. */
  avg_delay: number
}

/**
 * Kysely: origin airports with at least `minFlights` departures, by mean delay (worst first), joined to their
 * names. Grouping happens in a derived table and the join afterwards, so the join touches one row per airport
 * instead of one per flight (on 3M rows: ~1.8 s against ~6.4 s for join-then-group on Tarantool 2.6).
 */
export function delayByOrigin(db: Kysely<DemoDatabase>, minFlights: number, limit: number, signal?: AbortSignal): Promise<OriginDelay[]> {
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('flights')
        .select((eb) => ['origin', eb.fn.countAll<number>().as('flights'), eb.fn.avg<number>('delay').as('avg_delay')])
        .groupBy('origin')
        .having((eb) => eb.fn.countAll(), '>=', minFlights)
        .as('f'),
    )
    .innerJoin('airports as a', 'a.iata', 'f.origin')
    .select(['f.origin', 'a.name', 'a.city', 'a.state', 'f.flights', 'f.avg_delay'])
    .orderBy('f.avg_delay', 'desc')
    .limit(limit)
    .execute(signal === undefined ? {} : { signal })
}

/** A row of {@link worstDelayDays}. */
export interface DayDelay {
  /** Days since 1970-01-01 of the recorded local date. */
  day: number
  flights: number
  /** Mean arrival delay in minutes. */
  avgDelay: number
}

/**
 * Drizzle: the days with the worst mean delay among days with at least `minFlights` flights. `date` is epoch
 * seconds, so integer division by 86,400 gives the day (Tarantool 2.6 SQL has no date functions).
 */
export function worstDelayDays(db: TarantoolDrizzleDatabase, minFlights: number, limit: number): Promise<DayDelay[]> {
  const day = sql<number>`${flights.date} / 86400`.mapWith(Number)
  const avgDelay = sql<number>`avg(${flights.delay})`.mapWith(Number)
  return db
    .select({ day, flights: count(), avgDelay })
    .from(flights)
    .groupBy(day)
    .having(sql`count(*) >= ${minFlights}`)
    .orderBy(desc(avgDelay))
    .limit(limit)
}

/** What {@link flightsFromOrigin} found. */
export interface OriginLookup {
  /** Index names of the `flights` space as the server reports them (the primary key's is generated). */
  indexes: string[]
  /** The tuples, in index order (origin, then primary key: the file's order). */
  tuples: FlightTuple[]
}

/**
 * Raw driver: the first `limit` flights from one airport by an IPROTO SELECT on the `flights_origin` index,
 * addressed by name (the driver resolves names through `_vindex`).
 */
export async function flightsFromOrigin(pool: Pool, origin: string, limit: number, signal?: AbortSignal): Promise<OriginLookup> {
  const schema = await pool.loadSchema()
  const indexes = schema.space('flights')?.indexes.map((index) => index.name) ?? []
  const tuples = await pool.select<FlightTuple>('flights', [origin], {
    index: ORIGIN_INDEX,
    iterator: 'eq',
    limit,
    ...(signal === undefined ? {} : { signal }),
  })
  return { indexes, tuples }
}

/** Kysely's introspector: the demo's tables and their columns (the Migrator's own tables left out). */
export async function demoTables(db: Kysely<DemoDatabase>): Promise<TableMetadata[]> {
  const tables = await db.introspection.getTables()
  return tables.filter((table) => table.name === 'airports' || table.name === 'flights')
}
