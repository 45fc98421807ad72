import { entityKind, type DrizzleConfig, type ExtractTablesWithRelations, type TablesRelationalConfig } from 'drizzle-orm'
import { PgDatabase } from 'drizzle-orm/pg-core'
import { createDrizzleDatabase } from '../../shared/drizzle-database-factory.ts'
import { E6dataPgDialect } from './e6data-drizzle-dialect.ts'
import { E6dataDrizzleSession, type E6dataQueryResultHKT } from './e6data-drizzle-session.ts'
import type { E6dataDrizzleClient } from './e6data-run-query.ts'

/** The Drizzle database over e6data (read-only: selects and `db.execute()` of read statements). */
export class E6dataDrizzleDatabase<TSchema extends Record<string, unknown> = Record<string, never>> extends PgDatabase<E6dataQueryResultHKT, TSchema> {
  static override readonly [entityKind]: string = 'E6dataDrizzleDatabase'
}

/**
 * Drizzle ORM over a `dialectry/e6data` Connection or ConnectionPool: declare tables with `pgTable` and run typed
 * selects (joins, aggregates). Writes, transactions and migrations are refused before anything is sent.
 *
 * @example
 * import { Connection } from 'dialectry/e6data'
 * import { drizzle } from 'dialectry/e6data/drizzle'
 * const db = drizzle(new Connection({ host, port, username, password, catalog: 'hive', database: 'demo' }))
 * const rows = await db.select({ origin: flights.origin, n: count() }).from(flights).groupBy(flights.origin)
 */
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  client: E6dataDrizzleClient,
  config: DrizzleConfig<TSchema> = {},
): E6dataDrizzleDatabase<TSchema> & { $client: E6dataDrizzleClient } {
  return createDrizzleDatabase(client, config, {
    dialect: (options) => new E6dataPgDialect(options),
    session: (c: E6dataDrizzleClient, dialect, schema, options) => new E6dataDrizzleSession<TSchema, ExtractTablesWithRelations<TSchema> & TablesRelationalConfig>(c, dialect, schema, options),
    database: (dialect, session, schema) => new E6dataDrizzleDatabase<TSchema>(dialect, session as never, schema as never),
  })
}
