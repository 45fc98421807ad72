import { entityKind, NoopLogger, type Logger, type Query, type RelationalSchemaConfig, type TablesRelationalConfig } from 'drizzle-orm'
import type { Cache } from 'drizzle-orm/cache/core'
import type { WithCacheConfig } from 'drizzle-orm/cache/core/types'
import { SQLiteSession, type SelectedFieldsOrdered, type SQLiteExecuteMethod, type SQLiteTransactionConfig } from 'drizzle-orm/sqlite-core'
import { TransactionsNotSupportedError } from '../../../src/tarantool/errors.ts'
import { TarantoolDialectError } from '../tarantool-dialect-errors.ts'
import type { TarantoolSqlClient, TarantoolSqlExecutor } from '../tarantool-sql-client.ts'
import type { TarantoolSQLiteDialect } from './tarantool-drizzle-dialect.ts'
import { TarantoolDrizzlePreparedQuery, type TarantoolQueryMetadata, type TarantoolRunResult } from './tarantool-drizzle-prepared-query.ts'
import { TarantoolDrizzleTransaction } from './tarantool-drizzle-transaction.ts'

/** Logger and cache of a session. */
export interface TarantoolDrizzleSessionOptions {
  logger?: Logger
  cache?: Cache
}

/**
 * Drizzle SQLite session over the Tarantool driver (drizzle-team/drizzle-orm `drizzle-orm/src/sqlite-core/session.ts`):
 * prepares
 * {@link TarantoolDrizzlePreparedQuery}s on its executor — the client (pool or connection) for the database,
 * the transaction's IPROTO stream inside `transaction()`.
 *
 * `transaction(cb)` opens a stream with `client.begin()` (Tarantool 2.10+), runs `cb` with a
 * {@link TarantoolDrizzleTransaction} whose queries all go to that stream, then commits, or rolls back and
 * rethrows if `cb` throws. SQLite's `behavior` option has no Tarantool meaning and is ignored. On
 * Tarantool < 2.10 the driver's `begin()` rejects with `TransactionsNotSupportedError`, which is passed on:
 * `cb` never runs.
 */
export class TarantoolDrizzleSession<
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> extends SQLiteSession<'async', TarantoolRunResult, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'TarantoolDrizzleSession'

  readonly #executor: TarantoolSqlExecutor | TarantoolSqlClient
  readonly #dialect: TarantoolSQLiteDialect
  readonly #schema: RelationalSchemaConfig<TSchema> | undefined
  readonly #options: TarantoolDrizzleSessionOptions
  readonly #logger: Logger
  readonly #inTransaction: boolean

  /**
   * @param executor the driver client, or a transaction's stream (then `inTransaction` is true).
   * @internal Built by `drizzle()` and by `transaction()`.
   */
  constructor(
    executor: TarantoolSqlExecutor | TarantoolSqlClient,
    dialect: TarantoolSQLiteDialect,
    schema: RelationalSchemaConfig<TSchema> | undefined,
    options: TarantoolDrizzleSessionOptions = {},
    inTransaction = false,
  ) {
    super(dialect)
    this.#executor = executor
    this.#dialect = dialect
    this.#schema = schema
    this.#options = options
    this.#logger = options.logger ?? new NoopLogger()
    this.#inTransaction = inTransaction
  }

  prepareQuery(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    executeMethod: SQLiteExecuteMethod,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => unknown,
    queryMetadata?: TarantoolQueryMetadata,
    cacheConfig?: WithCacheConfig,
  ): TarantoolDrizzlePreparedQuery {
    return new TarantoolDrizzlePreparedQuery({
      executor: this.#executor,
      query,
      logger: this.#logger,
      cache: this.#options.cache,
      queryMetadata,
      cacheConfig,
      fields,
      executeMethod,
      isResponseInArrayMode,
      customResultMapper,
    })
  }

  /**
   * Runs `transaction` in an IPROTO stream transaction.
   * @throws TransactionsNotSupportedError (from the driver) on Tarantool < 2.10, or for a client without `begin`.
   */
  async transaction<T>(
    transaction: (tx: TarantoolDrizzleTransaction<TFullSchema, TSchema>) => Promise<T>,
    _config?: SQLiteTransactionConfig,
  ): Promise<T> {
    if (this.#inTransaction) {
      throw new TarantoolDialectError('A transaction is already open on this session; nest with tx.transaction() (a savepoint)', 'TRANSACTION_OPEN')
    }
    const client = this.#executor as TarantoolSqlClient
    if (client.begin === undefined) throw new TransactionsNotSupportedError(client.serverVersion ?? 'unknown')
    const stream = await client.begin()
    const session = new TarantoolDrizzleSession<TFullSchema, TSchema>(stream, this.#dialect, this.#schema, this.#options, true)
    const tx = new TarantoolDrizzleTransaction<TFullSchema, TSchema>(this.#dialect, session, this.#schema)
    let result: T
    try {
      result = await transaction(tx)
    } catch (error) {
      await stream.rollback()
      throw error
    }
    await stream.commit()
    return result
  }
}
