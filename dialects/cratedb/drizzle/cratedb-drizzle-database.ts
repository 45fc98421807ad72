import { entityKind, type DrizzleConfig, type ExtractTablesWithRelations, type TablesRelationalConfig } from 'drizzle-orm'
import { PgDatabase } from 'drizzle-orm/pg-core'
import { createDrizzleDatabase } from '../../shared/drizzle-database-factory.ts'
import type { CrateDBSqlClient } from '../cratedb-sql-client.ts'
import { CrateDBPgDialect } from './cratedb-drizzle-dialect.ts'
import { CrateDBDrizzleSession, type CrateDBQueryResultHKT } from './cratedb-drizzle-session.ts'

/**
 * The database `drizzle()` returns: Drizzle's PostgreSQL database (`select`, `insert` with `onConflictDoUpdate`/
 * `onConflictDoNothing` and `returning`, `update` with `returning`, `delete`, `execute`, `$count`, `query`
 * without `with`) on CrateDB, plus `$client`. `transaction()` throws `CrateDBTransactionsNotSupportedError`.
 */
export class CrateDBDrizzleDatabase<TSchema extends Record<string, unknown> = Record<string, never>> extends PgDatabase<CrateDBQueryResultHKT, TSchema> {
  static override readonly [entityKind]: string = 'CrateDBDrizzleDatabase'
}

/**
 * Creates a Drizzle database on a `dialectry/cratedb` client (the `drizzle()` factory pattern of
 * drizzle-team/drizzle-orm `drizzle-orm/src/node-postgres/driver.ts`).
 *
 * Define tables with `drizzle-orm/pg-core` (`pgTable`, `text`, `integer`, `bigint`, `doublePrecision`,
 * `boolean`, `timestamp({ withTimezone: true })`) plus this package's `object()`, `array()`, `geoPoint()`,
 * `geoShape()` and `ip()` columns. The client is not closed by Drizzle: close it yourself.
 *
 * @param client the client from `dialectry/cratedb`'s `connect()`, or anything shaped like {@link CrateDBSqlClient}.
 * @param config Drizzle's usual options: `schema` (for `db.query`), `logger` (`true` for the default logger),
 *   `casing`, `cache`.
 * @returns a {@link CrateDBDrizzleDatabase} with `$client` set to `client`.
 * @example
 * import { connect } from 'dialectry/cratedb'
 * import { drizzle, refresh } from 'dialectry/cratedb/drizzle'
 * import { pgTable, text, doublePrecision } from 'drizzle-orm/pg-core'
 * import { gt, sql } from 'drizzle-orm'
 *
 * const users = pgTable('users', { id: text('id').primaryKey(), name: text('name').notNull(), score: doublePrecision('score') })
 * const db = drizzle(connect('http://localhost:4200'))
 * await db.insert(users).values({ id: 'u1', name: 'Ann', score: 7 })
 *   .onConflictDoUpdate({ target: users.id, set: { name: sql`excluded.name` } })
 * await refresh(db, users)
 * const top = await db.select().from(users).where(gt(users.score, 5))
 */
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  client: CrateDBSqlClient,
  config: DrizzleConfig<TSchema> = {},
): CrateDBDrizzleDatabase<TSchema> & { $client: CrateDBSqlClient } {
  return createDrizzleDatabase(client, config, {
    dialect: (options) => new CrateDBPgDialect(options),
    session: (sessionClient: CrateDBSqlClient, dialect, schema, options) =>
      new CrateDBDrizzleSession<TSchema, ExtractTablesWithRelations<TSchema> & TablesRelationalConfig>(sessionClient, dialect, schema, options),
    database: (dialect, session, schema) => new CrateDBDrizzleDatabase<TSchema>(dialect, session as never, schema as never),
  })
}
