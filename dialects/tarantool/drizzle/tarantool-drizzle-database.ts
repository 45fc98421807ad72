import { entityKind, type DrizzleConfig, type ExtractTablesWithRelations, type TablesRelationalConfig } from 'drizzle-orm'
import { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import { createDrizzleDatabase } from '../../shared/drizzle-database-factory.ts'
import type { TarantoolSqlClient } from '../tarantool-sql-client.ts'
import { TarantoolSQLiteDialect } from './tarantool-drizzle-dialect.ts'
import type { TarantoolRunResult } from './tarantool-drizzle-prepared-query.ts'
import { TarantoolDrizzleSession } from './tarantool-drizzle-session.ts'

/**
 * The database `drizzle()` returns: Drizzle's async SQLite database (`select`, `insert`, `update`, `delete`,
 * `run`, `all`, `get`, `values`, `transaction`, `query` without `with`) on Tarantool SQL, plus `$client`.
 */
export class TarantoolDrizzleDatabase<TSchema extends Record<string, unknown> = Record<string, never>> extends BaseSQLiteDatabase<
  'async',
  TarantoolRunResult,
  TSchema
> {
  static override readonly [entityKind]: string = 'TarantoolDrizzleDatabase'
}

/**
 * Creates a Drizzle database on a `dialectry/tarantool` client (the `drizzle()` factory pattern of
 * drizzle-team/drizzle-orm `drizzle-orm/src/sqlite-proxy/driver.ts`).
 *
 * Define tables with `drizzle-orm/sqlite-core` (`sqliteTable`, `integer`, `text`, `real`, `blob`); the
 * server-side DDL must use Tarantool types (see `migrate()` and the README). The client is not closed by
 * Drizzle: close the pool yourself.
 *
 * @param client a `Pool` (recommended), a `Connection`, or anything shaped like {@link TarantoolSqlClient}.
 * @param config Drizzle's usual options: `schema` (for `db.query`), `logger` (`true` for the default
 *   logger), `casing`, `cache`.
 * @returns a {@link TarantoolDrizzleDatabase} with `$client` set to `client`.
 * @example
 * import { createPool } from 'dialectry/tarantool'
 * import { drizzle } from 'dialectry/tarantool/drizzle'
 * import { sqliteTable, integer, text } from 'drizzle-orm/sqlite-core'
 * import { eq } from 'drizzle-orm'
 *
 * const users = sqliteTable('users', { id: integer('id').primaryKey({ autoIncrement: true }), name: text('name').notNull() })
 * const pool = await createPool('tarantool://app:secret@127.0.0.1:3301')
 * const db = drizzle(pool)
 * const { autoincrementIds } = await db.insert(users).values({ name: 'Ann' }).run()
 * const [ann] = await db.select().from(users).where(eq(users.id, Number(autoincrementIds[0])))
 */
export function drizzle<TSchema extends Record<string, unknown> = Record<string, never>>(
  client: TarantoolSqlClient,
  config: DrizzleConfig<TSchema> = {},
): TarantoolDrizzleDatabase<TSchema> & { $client: TarantoolSqlClient } {
  return createDrizzleDatabase(client, config, {
    dialect: (options) => new TarantoolSQLiteDialect(options),
    session: (sessionClient: TarantoolSqlClient, dialect, schema, options) =>
      new TarantoolDrizzleSession<TSchema, ExtractTablesWithRelations<TSchema> & TablesRelationalConfig>(sessionClient, dialect, schema, options),
    database: (dialect, session, schema) => new TarantoolDrizzleDatabase<TSchema>('async', dialect, session as never, schema as never),
  })
}
