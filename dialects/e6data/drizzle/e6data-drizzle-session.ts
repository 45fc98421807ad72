import { entityKind, type Logger, type RelationalSchemaConfig, type TablesRelationalConfig } from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'
import type { PreparedQueryConfig } from 'drizzle-orm/pg-core'
import {
  ReadOnlyPgPreparedQuery,
  ReadOnlyPgSession,
  type ReadOnlyPreparedQueryOptions,
  type ReadOnlyQueryResult,
  type ReadOnlyQueryResultHKT,
} from '../../shared/read-only-drizzle-session.ts'
import { E6dataDialectNotSupportedError } from '../e6data-dialect-errors.ts'
import { assertReadOnly } from '../e6data-read-only-guard.ts'
import type { E6dataPgDialect } from './e6data-drizzle-dialect.ts'
import { runQuery, type E6dataDrizzleClient } from './e6data-run-query.ts'

/** Result of `db.execute()`: object rows. */
export type E6dataQueryResult<T = Record<string, unknown>> = ReadOnlyQueryResult<T>

/** Drizzle's query-result HKT for e6data. */
export interface E6dataQueryResultHKT extends ReadOnlyQueryResultHKT {}

/**
 * A prepared query over e6data: builder selects take the cursor's array rows mapped by Drizzle; `db.execute()`
 * returns object rows. Every statement passes {@link assertReadOnly} before it is sent.
 */
export class E6dataDrizzlePreparedQuery<T extends PreparedQueryConfig = PreparedQueryConfig> extends ReadOnlyPgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'E6dataDrizzlePreparedQuery'
}

/**
 * Drizzle `pg-core` session over a `dialectry/e6data` Connection or ConnectionPool: each statement runs on its own
 * cursor (e6data/e6data-python-connector `e6data_python_connector/e6data_grpc.py` flow: prepare, execute, fetch,
 * clear); transactions throw {@link E6dataDialectNotSupportedError} (e6data has none).
 */
export class E6dataDrizzleSession<TFullSchema extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends ReadOnlyPgSession<E6dataQueryResultHKT, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'E6dataDrizzleSession'

  constructor(client: E6dataDrizzleClient, dialect: E6dataPgDialect, _schema: RelationalSchemaConfig<TSchema> | undefined, options: { logger?: Logger; cache?: Cache } = {}) {
    super(
      {
        run: async (sql, params, rowMode) => {
          const { names, rows } = await runQuery(client, sql, params)
          return rowMode === 'array' ? rows : rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])))
        },
        assertReadOnly,
        notSupported: (what) => new E6dataDialectNotSupportedError(what),
      },
      dialect,
      options,
    )
  }

  protected override createPreparedQuery<T extends PreparedQueryConfig>(options: ReadOnlyPreparedQueryOptions): E6dataDrizzlePreparedQuery<T> {
    return new E6dataDrizzlePreparedQuery<T>(options)
  }
}
