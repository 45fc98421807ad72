import { entityKind, type DrizzleConfig, type ExtractTablesWithRelations, type TablesRelationalConfig } from 'drizzle-orm'
import { PgDatabase } from 'drizzle-orm/pg-core'
import type { DruidClient } from '../../../src/druid/client.ts'
import { createDrizzleDatabase } from '../../shared/drizzle-database-factory.ts'
import { DruidPgDialect } from './druid-drizzle-dialect.ts'
import { DruidDrizzleSession, type DruidQueryResultHKT } from './druid-drizzle-session.ts'

/** The Drizzle database over Druid (read-only: selects and `db.execute()` of SELECT/WITH/EXPLAIN). */
export class DruidDrizzleDatabase<TSchema extends Record<string, unknown> = Record<string, never>> extends PgDatabase<DruidQueryResultHKT, TSchema> {
  static override readonly [entityKind]: string = 'DruidDrizzleDatabase'
}

/**
 * Drizzle ORM over a `dialectry/druid` client: declare datasources with `pgTable` (`timestamp('__time', { mode:
 * 'date' })`, `varchar`, `bigint`, `doublePrecision`) and run typed selects. Writes, transactions and migrations
 * are refused.
 *
 * @example
 * import { connect } from 'dialectry/druid'
 * import { drizzle } from 'dialectry/druid/drizzle'
 * const db = drizzle(connect('http://localhost:8888'))
 * const rows = await db.select({ origin: flights.origin, n: count() }).from(flights).groupBy(flights.origin)
 */
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  client: DruidClient,
  config: DrizzleConfig<TSchema> = {},
): DruidDrizzleDatabase<TSchema> & { $client: DruidClient } {
  return createDrizzleDatabase(client, config, {
    dialect: (options) => new DruidPgDialect(options),
    session: (c: DruidClient, dialect, schema, options) => new DruidDrizzleSession<TSchema, ExtractTablesWithRelations<TSchema> & TablesRelationalConfig>(c, dialect, schema, options),
    database: (dialect, session, schema) => new DruidDrizzleDatabase<TSchema>(dialect, session as never, schema as never),
  })
}
