import { entityKind, NoopLogger, type Logger, type Query, type RelationalSchemaConfig, type SQL, type TablesRelationalConfig } from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import { PgSession, type PgQueryResultHKT, type PgTransaction, type PgTransactionConfig, type PreparedQueryConfig, type SelectedFieldsOrdered } from 'drizzle-orm/pg-core'
import { CrateDBTransactionsNotSupportedError } from '../cratedb-dialect-errors.ts'
import type { CrateDBSqlClient } from '../cratedb-sql-client.ts'
import type { CrateDBPgDialect } from './cratedb-drizzle-dialect.ts'
import { CrateDBDrizzlePreparedQuery, type CrateDBQueryMetadata, type CrateDBQueryResult } from './cratedb-drizzle-prepared-query.ts'

/** Result types of `db.execute()` and of DML without `.returning()` (Drizzle's query-result HKT). */
export interface CrateDBQueryResultHKT extends PgQueryResultHKT {
  type: CrateDBQueryResult<this['row'] extends Record<string, unknown> ? this['row'] : Record<string, unknown>>
}

/** Logger and cache of a session. */
export interface CrateDBDrizzleSessionOptions {
  logger?: Logger
  cache?: Cache
}

/**
 * Drizzle `pg-core` session over the CrateDB driver (drizzle-team/drizzle-orm `drizzle-orm/src/pg-core/session.ts`):
 * prepares
 * {@link CrateDBDrizzlePreparedQuery}s on the client.
 *
 * `transaction()` throws {@link CrateDBTransactionsNotSupportedError} before the callback runs: CrateDB has no
 * transactions (BEGIN/COMMIT are ignored, ROLLBACK does not exist,
 * https://cratedb.com/docs/crate/reference/en/latest/appendices/compatibility.html#appendix-compat-transactions), and
 * pretending would
 * promise a rollback that cannot happen.
 */
export class CrateDBDrizzleSession<TFullSchema extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends PgSession<
  CrateDBQueryResultHKT,
  TFullSchema,
  TSchema
> {
  static override readonly [entityKind]: string = 'CrateDBDrizzleSession'

  readonly #client: CrateDBSqlClient
  readonly #options: CrateDBDrizzleSessionOptions
  readonly #logger: Logger

  /**
   * @param client the driver client.
   * @internal Built by `drizzle()`.
   */
  constructor(client: CrateDBSqlClient, dialect: CrateDBPgDialect, _schema: RelationalSchemaConfig<TSchema> | undefined, options: CrateDBDrizzleSessionOptions = {}) {
    super(dialect)
    this.#client = client
    this.#options = options
    this.#logger = options.logger ?? new NoopLogger()
  }

  prepareQuery<T extends PreparedQueryConfig = PreparedQueryConfig>(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    _name: string | undefined,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => T['execute'],
    queryMetadata?: CrateDBQueryMetadata,
    cacheConfig?: WithCacheConfig,
  ): CrateDBDrizzlePreparedQuery<T> {
    return new CrateDBDrizzlePreparedQuery<T>({
      client: this.#client,
      query,
      logger: this.#logger,
      cache: this.#options.cache,
      queryMetadata,
      cacheConfig,
      fields,
      isResponseInArrayMode,
      customResultMapper,
    })
  }

  /** `db.$count()`: reads `count` from the object rows of the raw result. */
  override async count(query: SQL): Promise<number> {
    const result = await this.execute<CrateDBQueryResult>(query)
    return Number(result.rows[0]?.['count'])
  }

  /** @throws CrateDBTransactionsNotSupportedError always; the callback never runs. */
  async transaction<T>(_transaction: (tx: PgTransaction<CrateDBQueryResultHKT, TFullSchema, TSchema>) => Promise<T>, _config?: PgTransactionConfig): Promise<T> {
    throw new CrateDBTransactionsNotSupportedError()
  }
}
