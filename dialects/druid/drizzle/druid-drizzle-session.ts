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
import type { DruidClient } from '../../../src/druid/client.ts'
import { DruidDialectNotSupportedError } from '../druid-dialect-errors.ts'
import { assertReadOnly } from '../druid-read-only-guard.ts'
import type { DruidPgDialect } from './druid-drizzle-dialect.ts'

/** Result of `db.execute()`: object rows. */
export interface DruidQueryResult<T = Record<string, unknown>> {
  rows: T[]
}

/** Drizzle's query-result HKT for Druid. */
export interface DruidQueryResultHKT extends PgQueryResultHKT {
  type: DruidQueryResult<this['row'] extends Record<string, unknown> ? this['row'] : Record<string, unknown>>
}

const mapResultRow = (drizzleOrm as unknown as { mapResultRow: (f: SelectedFieldsOrdered, row: unknown[], joins: Record<string, boolean> | undefined) => unknown }).mapResultRow

interface PreparedQueryInternals {
  joinsNotNullableMap: Record<string, boolean> | undefined
  queryWithCache<T>(queryString: string, params: unknown[], query: () => Promise<T>): Promise<T>
}

/** Options of a prepared query. */
interface DruidPreparedQueryOptions {
  client: DruidClient
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
 * array rows (`resultFormat: 'array'`) mapped by Drizzle; `db.execute()` returns object rows. Every statement
 * passes the read-only guard before it is sent.
 */
export class DruidDrizzlePreparedQuery<T extends PreparedQueryConfig = PreparedQueryConfig> extends PgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'DruidDrizzlePreparedQuery'
  readonly #o: DruidPreparedQueryOptions

  constructor(options: DruidPreparedQueryOptions) {
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
    return (this as unknown as PreparedQueryInternals).queryWithCache(query.sql, params, async () => (await client.query(query.sql, params, { resultFormat: 'array', rowMode })).rows)
  }
}

/** Drizzle `pg-core` session over the Druid driver; transactions are refused (Druid has none). */
export class DruidDrizzleSession<TFullSchema extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends PgSession<DruidQueryResultHKT, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'DruidDrizzleSession'
  readonly #client: DruidClient
  readonly #logger: Logger
  readonly #cache: Cache | undefined

  constructor(client: DruidClient, dialect: DruidPgDialect, _schema: RelationalSchemaConfig<TSchema> | undefined, options: { logger?: Logger; cache?: Cache } = {}) {
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
  ): DruidDrizzlePreparedQuery<T> {
    return new DruidDrizzlePreparedQuery<T>({
      client: this.#client, query, logger: this.#logger, cache: this.#cache, queryMetadata, cacheConfig, fields, customResultMapper, isResponseInArrayMode,
    })
  }

  /** @throws DruidDialectNotSupportedError always; the callback never runs. */
  async transaction<T>(_transaction: (tx: PgTransaction<DruidQueryResultHKT, TFullSchema, TSchema>) => Promise<T>, _config?: PgTransactionConfig): Promise<T> {
    throw new DruidDialectNotSupportedError('transactions')
  }
}
