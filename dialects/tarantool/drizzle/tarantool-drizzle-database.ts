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
import { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
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
 * Creates a Drizzle database on a `dialectry/tarantool` client (spec kysely-drizzle.md §2.2-§2.4, §3.4).
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
  const dialect = new TarantoolSQLiteDialect(config.casing === undefined ? {} : { casing: config.casing })
  let logger: Logger | undefined
  if (config.logger === true) logger = new DefaultLogger()
  else if (config.logger !== false && config.logger !== undefined) logger = config.logger

  type Schema = ExtractTablesWithRelations<TSchema>
  let schema: RelationalSchemaConfig<Schema> | undefined
  if (config.schema) {
    const tables = extractTablesRelationalConfig(config.schema, createTableRelationsHelpers)
    schema = { fullSchema: config.schema, schema: tables.tables as Schema, tableNamesMap: tables.tableNamesMap }
  }
  const session = new TarantoolDrizzleSession<TSchema, Schema & TablesRelationalConfig>(client, dialect, schema, {
    ...(logger === undefined ? {} : { logger }),
    ...(config.cache === undefined ? {} : { cache: config.cache }),
  })
  const db = new TarantoolDrizzleDatabase<TSchema>('async', dialect, session as never, schema as never) as TarantoolDrizzleDatabase<TSchema> & {
    $client: TarantoolSqlClient
  }
  db.$client = client
  if (config.cache) db.$cache = { invalidate: config.cache.onMutate.bind(config.cache) }
  return db
}
