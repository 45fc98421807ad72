import * as drizzleOrm from 'drizzle-orm'
import { entityKind, fillPlaceholders, NoopLogger, type Logger, type Query, type TablesRelationalConfig } from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import {
  PgPreparedQuery,
  PgSession,
  type PgDialect,
  type PgQueryResultHKT,
  type PgTransaction,
  type PgTransactionConfig,
  type PreparedQueryConfig,
  type SelectedFieldsOrdered,
} from 'drizzle-orm/pg-core'

/**
 * What a read-only Drizzle session runs on: one function that sends a statement and returns its rows, the
 * system's read-only guard, and the system's error for what it lacks.
 */
export interface ReadOnlySqlBackend {
  /**
   * Sends `sql` with positional `params` and returns every row: arrays in column order for `'array'`, objects keyed
   * by column name for `'object'`. Errors are the driver's own.
   */
  run(sql: string, params: unknown[], rowMode: 'array' | 'object'): Promise<unknown[]>
  /** Throws the system's read-only error unless `sql` is one read statement; called before `run`. */
  assertReadOnly(sql: string): void
  /** Builds the system's error for a missing feature, e.g. `notSupported('transactions')`. */
  notSupported(what: string): Error
}

/** Result of `db.execute()` on a read-only database: object rows keyed by column name. */
export interface ReadOnlyQueryResult<T = Record<string, unknown>> {
  rows: T[]
}

/** Drizzle's query-result HKT for a read-only database ({@link ReadOnlyQueryResult}). */
export interface ReadOnlyQueryResultHKT extends PgQueryResultHKT {
  type: ReadOnlyQueryResult<this['row'] extends Record<string, unknown> ? this['row'] : Record<string, unknown>>
}

/** Drizzle's row mapper (drizzle-orm `src/utils.ts`), exported at run time but not in its typings. */
const mapResultRow = (drizzleOrm as unknown as { mapResultRow: (f: SelectedFieldsOrdered, row: unknown[], joins: Record<string, boolean> | undefined) => unknown }).mapResultRow

/** Members of `PgPreparedQuery` that its typings keep internal. */
interface PreparedQueryInternals {
  joinsNotNullableMap: Record<string, boolean> | undefined
  queryWithCache<T>(queryString: string, params: unknown[], query: () => Promise<T>): Promise<T>
}

/** Everything a {@link ReadOnlyPgPreparedQuery} is built from (what `PgSession.prepareQuery` receives). */
export interface ReadOnlyPreparedQueryOptions {
  backend: ReadOnlySqlBackend
  query: Query
  logger: Logger
  cache: Cache | undefined
  queryMetadata: { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] } | undefined
  cacheConfig: WithCacheConfig | undefined
  fields: SelectedFieldsOrdered | undefined
  customResultMapper: ((rows: unknown[][]) => unknown) | undefined
  isResponseInArrayMode: boolean
}

/**
 * A read-only prepared query (the pattern of drizzle-team/drizzle-orm `drizzle-orm/src/pg-proxy/session.ts`):
 * builder selects fetch array rows mapped by Drizzle (joins and aggregates by position); `db.execute()` and
 * `.all()` return object rows. Every statement passes the backend's read-only guard before it is sent.
 */
export class ReadOnlyPgPreparedQuery<T extends PreparedQueryConfig = PreparedQueryConfig> extends PgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'ReadOnlyPgPreparedQuery'
  readonly #o: ReadOnlyPreparedQueryOptions

  constructor(options: ReadOnlyPreparedQueryOptions) {
    super(options.query, options.cache, options.queryMetadata, options.cacheConfig)
    this.#o = options
  }

  /** @throws the system's read-only error before sending a write; the driver's errors otherwise. */
  async execute(placeholderValues?: Record<string, unknown>): Promise<T['execute']> {
    const { fields, customResultMapper } = this.#o
    if (fields === undefined && customResultMapper === undefined) return { rows: await this.#send(placeholderValues, 'object') } as T['execute']
    const rows = (await this.#send(placeholderValues, 'array')) as unknown[][]
    if (customResultMapper !== undefined) return customResultMapper(rows) as T['execute']
    const joins = (this as unknown as PreparedQueryInternals).joinsNotNullableMap
    return rows.map((row) => mapResultRow(fields!, row, joins)) as T['execute']
  }

  /** Object rows, unmapped. */
  async all(placeholderValues?: Record<string, unknown>): Promise<T['all']> {
    return (await this.#send(placeholderValues, 'object')) as T['all']
  }

  isResponseInArrayMode(): boolean {
    return this.#o.isResponseInArrayMode
  }

  #send(placeholderValues: Record<string, unknown> | undefined, rowMode: 'array' | 'object'): Promise<unknown[]> {
    const { query, logger, backend } = this.#o
    backend.assertReadOnly(query.sql)
    const params = fillPlaceholders(query.params, placeholderValues ?? {})
    logger.logQuery(query.sql, params)
    return (this as unknown as PreparedQueryInternals).queryWithCache(query.sql, params, () => backend.run(query.sql, params, rowMode))
  }
}

/**
 * A read-only Drizzle `pg-core` session over a {@link ReadOnlySqlBackend}; `transaction()` throws the backend's
 * `notSupported('transactions')` before the callback runs. A system subclasses it to keep its own names
 * (`static [entityKind]`) and may override {@link ReadOnlyPgSession.createPreparedQuery} to build its own
 * prepared-query subclass.
 */
export class ReadOnlyPgSession<
  THKT extends ReadOnlyQueryResultHKT,
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> extends PgSession<THKT, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'ReadOnlyPgSession'
  readonly #backend: ReadOnlySqlBackend
  readonly #logger: Logger
  readonly #cache: Cache | undefined

  constructor(backend: ReadOnlySqlBackend, dialect: PgDialect, options: { logger?: Logger; cache?: Cache } = {}) {
    super(dialect)
    this.#backend = backend
    this.#logger = options.logger ?? new NoopLogger()
    this.#cache = options.cache
  }

  prepareQuery<T extends PreparedQueryConfig = PreparedQueryConfig>(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    _name: string | undefined,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => T['execute'],
    queryMetadata?: { type: 'select' | 'update' | 'delete' | 'insert'; tables: string[] },
    cacheConfig?: WithCacheConfig,
  ): ReadOnlyPgPreparedQuery<T> {
    return this.createPreparedQuery<T>({
      backend: this.#backend, query, logger: this.#logger, cache: this.#cache, queryMetadata, cacheConfig, fields, customResultMapper, isResponseInArrayMode,
    })
  }

  /** Builds the prepared query; a system overrides it to return its own subclass. */
  protected createPreparedQuery<T extends PreparedQueryConfig>(options: ReadOnlyPreparedQueryOptions): ReadOnlyPgPreparedQuery<T> {
    return new ReadOnlyPgPreparedQuery<T>(options)
  }

  /** @throws the backend's `notSupported('transactions')` always; the callback never runs. */
  async transaction<T>(_transaction: (tx: PgTransaction<THKT, TFullSchema, TSchema>) => Promise<T>, _config?: PgTransactionConfig): Promise<T> {
    throw this.#backend.notSupported('transactions')
  }
}
