import {
  createTableRelationsHelpers,
  DefaultLogger,
  extractTablesRelationalConfig,
  type DrizzleConfig,
  type ExtractTablesWithRelations,
  type Logger,
  type RelationalSchemaConfig,
} from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'

/** The options a dialect's Drizzle session receives from `drizzle()`: only those the user set. */
export interface DrizzleSessionWiringOptions {
  logger?: Logger
  cache?: Cache
}

/** The relational schema (`db.query`) `drizzle()` derives from `config.schema`, or `undefined` without one. */
export type DrizzleRelationalSchema<TSchema extends Record<string, unknown>> = RelationalSchemaConfig<ExtractTablesWithRelations<TSchema>> | undefined

/**
 * How one dialect builds the three Drizzle objects `drizzle()` wires together; everything else (logger,
 * relational schema, cache, `$client`) is the same for every dialect and done by {@link createDrizzleDatabase}.
 */
export interface DrizzleDatabaseParts<TSchema extends Record<string, unknown>, TClient, TDialect, TSession, TDatabase> {
  /** Builds the Drizzle dialect; `options` carries `casing` only when the user set it. */
  dialect(options: { casing?: DrizzleConfig<TSchema>['casing'] }): TDialect
  /** Builds the session on the user's client; `options` carries `logger` and `cache` only when set. */
  session(client: TClient, dialect: TDialect, schema: DrizzleRelationalSchema<TSchema>, options: DrizzleSessionWiringOptions): TSession
  /** Builds the database object from the dialect, the session and the relational schema. */
  database(dialect: TDialect, session: TSession, schema: DrizzleRelationalSchema<TSchema>): TDatabase
}

/**
 * The body of a dialect's `drizzle()` factory (the pattern of drizzle-team/drizzle-orm
 * `drizzle-orm/src/node-postgres/driver.ts`): resolves `config.logger`
 * (`true` → Drizzle's `DefaultLogger`, `false`/absent → none), derives the relational schema from
 * `config.schema`, builds dialect, session and database through `parts`, then sets `$client` to `client` and,
 * when `config.cache` is set, `$cache.invalidate` to the cache's `onMutate`.
 *
 * @param client the driver client handed to the session and exposed as `$client`.
 * @param config Drizzle's usual options (`schema`, `logger`, `casing`, `cache`).
 * @param parts the dialect-specific constructors; see {@link DrizzleDatabaseParts}.
 * @returns the database built by `parts.database`, with `$client` set.
 * @example
 * return createDrizzleDatabase(client, config, {
 *   dialect: (options) => new MyDialect(options),
 *   session: (c, dialect, schema, options) => new MySession(c, dialect, schema, options),
 *   database: (dialect, session, schema) => new MyDatabase(dialect, session as never, schema as never),
 * })
 */
export function createDrizzleDatabase<
  TSchema extends Record<string, unknown>,
  TClient,
  TDialect,
  TSession,
  TDatabase extends { $cache: { invalidate: Cache['onMutate'] } },
>(client: TClient, config: DrizzleConfig<TSchema>, parts: DrizzleDatabaseParts<TSchema, TClient, TDialect, TSession, TDatabase>): TDatabase & { $client: TClient } {
  const dialect = parts.dialect(config.casing === undefined ? {} : { casing: config.casing })
  let logger: Logger | undefined
  if (config.logger === true) logger = new DefaultLogger()
  else if (config.logger !== false && config.logger !== undefined) logger = config.logger

  type Schema = ExtractTablesWithRelations<TSchema>
  let schema: RelationalSchemaConfig<Schema> | undefined
  if (config.schema) {
    const tables = extractTablesRelationalConfig(config.schema, createTableRelationsHelpers)
    schema = { fullSchema: config.schema, schema: tables.tables as Schema, tableNamesMap: tables.tableNamesMap }
  }
  const session = parts.session(client, dialect, schema, {
    ...(logger === undefined ? {} : { logger }),
    ...(config.cache === undefined ? {} : { cache: config.cache }),
  })
  const db = parts.database(dialect, session, schema) as TDatabase & { $client: TClient }
  db.$client = client
  if (config.cache) db.$cache = { invalidate: config.cache.onMutate.bind(config.cache) }
  return db
}
