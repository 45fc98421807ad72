import { entityKind, fillPlaceholders, type Logger, type Query } from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import { PgPreparedQuery, type PreparedQueryConfig, type SelectedFieldsOrdered } from 'drizzle-orm/pg-core'
import type { CrateDBSqlClient, CrateDBSqlResult } from '../cratedb-sql-client.ts'
import { mapResultRow, type PreparedQueryInternals } from './drizzle-internals.ts'

/**
 * What `db.execute(sql)` resolves to, and what insert/update/delete without `.returning()` resolve to:
 * CrateDB's answer with rows as objects keyed by column name (the shape of node-postgres' `QueryResult` that
 * tools read: `rows`, `rowCount`).
 */
export interface CrateDBQueryResult<T = Record<string, unknown>> {
  /** Result-set rows as objects; empty for statements without a result set. */
  rows: T[]
  /**
   * CrateDB's `rowcount`: rows affected by DML (0 when an optimistic-concurrency condition failed, -1 when
   * CrateDB cannot tell), rows returned by a result set.
   */
  rowCount: number
  /** Column names in select order; empty for statements without a result set. */
  cols: string[]
}

/** Query metadata Drizzle passes for its cache. */
export interface CrateDBQueryMetadata {
  type: 'select' | 'update' | 'delete' | 'insert'
  tables: string[]
}

/** Options of {@link CrateDBDrizzlePreparedQuery}; built by the session. */
export interface CrateDBPreparedQueryOptions {
  client: CrateDBSqlClient
  query: Query
  logger: Logger
  cache: Cache | undefined
  queryMetadata: CrateDBQueryMetadata | undefined
  cacheConfig: WithCacheConfig | undefined
  fields: SelectedFieldsOrdered | undefined
  isResponseInArrayMode: boolean
  customResultMapper: ((rows: unknown[][]) => unknown) | undefined
}

/**
 * One Drizzle query on the CrateDB driver (drizzle-team/drizzle-orm `drizzle-orm/src/pg-core/session.ts`; drizzle-orm
 * 0.45 `pg-core`
 * session contract). `execute()` sends one `POST /_sql` with the filled-in `$n` parameters, asking the driver
 * for **array rows** (values in select order), then:
 * - builder queries with a selection (select, `.returning()`, relational queries) map the arrays with
 *   Drizzle's row mapper (or the relational mapper), so column helpers' `fromDriver` apply;
 * - raw `db.execute(sql)` and DML without `.returning()` resolve to a {@link CrateDBQueryResult} (object rows,
 *   `rowCount`).
 *
 * Server errors reach the caller wrapped in Drizzle's `DrizzleQueryError` (its `cause` is the driver's
 * `ProgrammingError`, `IntegrityError`, …), as with every Drizzle driver.
 */
export class CrateDBDrizzlePreparedQuery<T extends PreparedQueryConfig = PreparedQueryConfig> extends PgPreparedQuery<T> {
  static override readonly [entityKind]: string = 'CrateDBDrizzlePreparedQuery'

  readonly #options: CrateDBPreparedQueryOptions

  /** @internal Built by `CrateDBDrizzleSession.prepareQuery`. */
  constructor(options: CrateDBPreparedQueryOptions) {
    super(options.query, options.cache, options.queryMetadata, options.cacheConfig)
    this.#options = options
  }

  async execute(placeholderValues?: Record<string, unknown>): Promise<T['execute']> {
    const result = await this.#send(placeholderValues)
    const { fields, customResultMapper } = this.#options
    if (customResultMapper) return customResultMapper(result.rows as unknown[][]) as T['execute']
    if (!fields) return toObjectResult(result) as T['execute']
    const joins = (this as unknown as PreparedQueryInternals).joinsNotNullableMap
    return result.rows.map((row) => mapResultRow(fields, row as unknown[], joins)) as T['execute']
  }

  /** @internal Object rows; used by Drizzle's `session.all()`. */
  async all(placeholderValues?: Record<string, unknown>): Promise<T['all']> {
    return toObjectResult(await this.#send(placeholderValues)).rows as T['all']
  }

  /** @internal Read by Drizzle's relational code. */
  isResponseInArrayMode(): boolean {
    return this.#options.isResponseInArrayMode
  }

  #send(placeholderValues: Record<string, unknown> | undefined): Promise<CrateDBSqlResult> {
    const { query, logger, client } = this.#options
    const params = fillPlaceholders(query.params, placeholderValues ?? {})
    logger.logQuery(query.sql, params)
    return (this as unknown as PreparedQueryInternals).queryWithCache(query.sql, params, () => client.execute(query.sql, params, { rowMode: 'array' }))
  }
}

/** Builds the object-row result of raw statements and DML. */
export function toObjectResult(result: CrateDBSqlResult): CrateDBQueryResult {
  const names = result.cols
  const rows =
    names.length === 0
      ? []
      : result.rows.map((values) => {
          const row: Record<string, unknown> = {}
          for (let i = 0; i < names.length; i++) row[names[i]!] = values[i]
          return row
        })
  return { rows, rowCount: result.rowCount, cols: [...names] }
}
