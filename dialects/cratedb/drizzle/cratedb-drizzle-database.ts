import {
  createTableRelationsHelpers,
  DefaultLogger,
  entityKind,
  extractTablesRelationalConfig,
  type DrizzleConfig,
  type ExtractTablesWithRelations,
  type Logger,
  type RelationalSchemaConfig,
  type TablesRelationalConfig,
} from 'drizzle-orm'
import { PgDatabase } from 'drizzle-orm/pg-core'
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
 * Creates a Drizzle database on a `dialectry/cratedb` client (spec kysely-drizzle.md §2.2-§2.4, §3.1).
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
  const dialect = new CrateDBPgDialect(config.casing === undefined ? {} : { casing: config.casing })
  let logger: Logger | undefined
  if (config.logger === true) logger = new DefaultLogger()
  else if (config.logger !== false && config.logger !== undefined) logger = config.logger

  type Schema = ExtractTablesWithRelations<TSchema>
  let schema: RelationalSchemaConfig<Schema> | undefined
  if (config.schema) {
    const tables = extractTablesRelationalConfig(config.schema, createTableRelationsHelpers)
    schema = { fullSchema: config.schema, schema: tables.tables as Schema, tableNamesMap: tables.tableNamesMap }
  }
  const session = new CrateDBDrizzleSession<TSchema, Schema & TablesRelationalConfig>(client, dialect, schema, {
    ...(logger === undefined ? {} : { logger }),
    ...(config.cache === undefined ? {} : { cache: config.cache }),
  })
  const db = new CrateDBDrizzleDatabase<TSchema>(dialect, session as never, schema as never) as CrateDBDrizzleDatabase<TSchema> & { $client: CrateDBSqlClient }
  db.$client = client
  if (config.cache) db.$cache = { invalidate: config.cache.onMutate.bind(config.cache) }
  return db
}
