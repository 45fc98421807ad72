import * as drizzleOrm from 'drizzle-orm'
import { entityKind, fillPlaceholders, NoopLogger, type Logger, type Query, type RelationalSchemaConfig, type TablesRelationalConfig } from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import {
  PgPreparedQuery,
  PgSession,
  type PgQueryResultHKT,
  type PgTransaction,
  type PgTransactionConfig,
  type PreparedQueryConfig,
  type SelectedFieldsOrdered,
} from 'drizzle-orm/pg-core'
import { runQuery, type E6dataDrizzleClient } from './e6data-run-query.ts'
import { E6dataDialectNotSupportedError } from '../e6data-dialect-errors.ts'
import { assertReadOnly } from '../e6data-read-only-guard.ts'
import type { E6dataPgDialect } from './e6data-drizzle-dialect.ts'

/** Result of `db.execute()`: object rows. */
export interface E6dataQueryResult<T = Record<string, unknown>> {
  rows: T[]
}

/** Drizzle's query-result HKT for E6data. */
export interface E6dataQueryResultHKT extends PgQueryResultHKT {
  type: E6dataQueryResult<this['row'] extends Record<string, unknown> ? this['row'] : Record<string, unknown>>
}

const mapResultRow = (drizzleOrm as unknown as { mapResultRow: (f: SelectedFieldsOrdered, row: unknown[], joins: Record<string, boolean> | undefined) => unknown }).mapResultRow

interface PreparedQueryInternals {
  joinsNotNullableMap: Record<string, boolean> | undefined
  queryWithCache<T>(queryString: string, params: unknown[], query: () => Promise<T>): Promise<T>
}

/** Options of a prepared query. */
interface E6dataPreparedQueryOptions {
  client: E6dataDrizzleClient
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
 * A prepared query (drizzle-team/drizzle-orm `drizzle-orm/src/pg-proxy/session.ts` pattern): builder selects fetch
 * array rows (the cursor's rows) mapped by Drizzle; `db.execute()` returns object rows. Every statement
 * passes the read-only guard before it is sent.
 */
export class E6dataDrizzlePreparedQuery<T extends PreparedQueryConfig = PreparedQueryConfig> extends PgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'E6dataDrizzlePreparedQuery'
  readonly #o: E6dataPreparedQueryOptions

  constructor(options: E6dataPreparedQueryOptions) {
    super(options.query, options.cache, options.queryMetadata, options.cacheConfig)
    this.#o = options
  }

  async execute(placeholderValues?: Record<string, unknown>): Promise<T['execute']> {
    const { fields, customResultMapper } = this.#o
    if (fields === undefined && customResultMapper === undefined) return { rows: await this.#send(placeholderValues, 'object') } as T['execute']
    const rows = (await this.#send(placeholderValues, 'array')) as unknown[][]
    if (customResultMapper !== undefined) return customResultMapper(rows) as T['execute']
    const joins = (this as unknown as PreparedQueryInternals).joinsNotNullableMap
    return rows.map((row) => mapResultRow(fields!, row, joins)) as T['execute']
  }

  async all(placeholderValues?: Record<string, unknown>): Promise<T['all']> {
    return (await this.#send(placeholderValues, 'object')) as T['all']
  }

  isResponseInArrayMode(): boolean {
    return this.#o.isResponseInArrayMode
  }

  #send(placeholderValues: Record<string, unknown> | undefined, rowMode: 'array' | 'object'): Promise<unknown[]> {
    const { query, logger, client } = this.#o
    assertReadOnly(query.sql)
    const params = fillPlaceholders(query.params, placeholderValues ?? {})
    logger.logQuery(query.sql, params)
    return (this as unknown as PreparedQueryInternals).queryWithCache(query.sql, params, async () => {
      const { names, rows } = await runQuery(client, query.sql, params)
      if (rowMode === 'array') return rows
      return rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])))
    })
  }
}

/** Drizzle `pg-core` session over the E6data driver; transactions are refused (e6data has none). */
export class E6dataDrizzleSession<TFullSchema extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends PgSession<E6dataQueryResultHKT, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'E6dataDrizzleSession'
  readonly #client: E6dataDrizzleClient
  readonly #logger: Logger
  readonly #cache: Cache | undefined

  constructor(client: E6dataDrizzleClient, dialect: E6dataPgDialect, _schema: RelationalSchemaConfig<TSchema> | undefined, options: { logger?: Logger; cache?: Cache } = {}) {
    super(dialect)
    this.#client = client
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
  ): E6dataDrizzlePreparedQuery<T> {
    return new E6dataDrizzlePreparedQuery<T>({
      client: this.#client, query, logger: this.#logger, cache: this.#cache, queryMetadata, cacheConfig, fields, customResultMapper, isResponseInArrayMode,
    })
  }

  /** @throws E6dataDialectNotSupportedError always; the callback never runs. */
  async transaction<T>(_transaction: (tx: PgTransaction<E6dataQueryResultHKT, TFullSchema, TSchema>) => Promise<T>, _config?: PgTransactionConfig): Promise<T> {
    throw new E6dataDialectNotSupportedError('transactions')
  }
}
