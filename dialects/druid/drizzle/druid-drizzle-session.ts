import { entityKind, type Logger, type RelationalSchemaConfig, type TablesRelationalConfig } from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'
import type { PreparedQueryConfig } from 'drizzle-orm/pg-core'
import type { DruidClient } from '../../../src/druid/client.ts'
import {
  ReadOnlyPgPreparedQuery,
  ReadOnlyPgSession,
  type ReadOnlyPreparedQueryOptions,
  type ReadOnlyQueryResult,
  type ReadOnlyQueryResultHKT,
} from '../../shared/read-only-drizzle-session.ts'
import { DruidDialectNotSupportedError } from '../druid-dialect-errors.ts'
import { assertReadOnly } from '../druid-read-only-guard.ts'
import type { DruidPgDialect } from './druid-drizzle-dialect.ts'

/** Result of `db.execute()`: object rows. */
export type DruidQueryResult<T = Record<string, unknown>> = ReadOnlyQueryResult<T>

/** Drizzle's query-result HKT for Druid. */
export interface DruidQueryResultHKT extends ReadOnlyQueryResultHKT {}

/**
 * A prepared query over Druid: builder selects fetch `resultFormat: 'array'` rows mapped by Drizzle; `db.execute()`
 * returns object rows. Every statement passes {@link assertReadOnly} before it is sent
 * (https://druid.apache.org/docs/latest/querying/sql-api).
 */
export class DruidDrizzlePreparedQuery<T extends PreparedQueryConfig = PreparedQueryConfig> extends ReadOnlyPgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'DruidDrizzlePreparedQuery'
}

/**
 * Drizzle `pg-core` session over the Druid driver: each statement is one `POST /druid/v2/sql` through
 * `client.query()`; transactions throw {@link DruidDialectNotSupportedError} (Druid has none).
 */
export class DruidDrizzleSession<TFullSchema extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends ReadOnlyPgSession<DruidQueryResultHKT, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'DruidDrizzleSession'

  constructor(client: DruidClient, dialect: DruidPgDialect, _schema: RelationalSchemaConfig<TSchema> | undefined, options: { logger?: Logger; cache?: Cache } = {}) {
    super(
      {
        run: async (sql, params, rowMode) => (await client.query(sql, params, { resultFormat: 'array', rowMode })).rows,
        assertReadOnly,
        notSupported: (what) => new DruidDialectNotSupportedError(what),
      },
      dialect,
      options,
    )
  }

  protected override createPreparedQuery<T extends PreparedQueryConfig>(options: ReadOnlyPreparedQueryOptions): DruidDrizzlePreparedQuery<T> {
    return new DruidDrizzlePreparedQuery<T>(options)
  }
}
