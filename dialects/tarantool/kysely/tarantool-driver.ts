import { createQueryId, sql, type DatabaseConnection, type Driver, type QueryCompiler, type TransactionSettings } from 'kysely'
import { TransactionsNotSupportedError } from '../../../src/tarantool/errors.ts'
import { TarantoolDialectError } from '../tarantool-dialect-errors.ts'
import type { TarantoolSqlClient, TarantoolTxnIsolation } from '../tarantool-sql-client.ts'
import type { TarantoolDialectConfig } from './tarantool-dialect-config.ts'
import { TarantoolConnection } from './tarantool-connection.ts'

/**
 * Kysely driver over the `dialectry/tarantool` client (kysely-org/kysely `src/driver/driver.ts`).
 *
 * - `init` resolves `config.pool` (instance or factory); `destroy` closes it.
 * - Connections are light handles over the multiplexed pool (see {@link TarantoolConnection}).
 * - Transactions need IPROTO streams (Tarantool 2.10+,
 * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/streams/): `beginTransaction` calls the
 *   client's `begin()` and pins the returned stream to the Kysely connection until commit/rollback;
 *   savepoints are SQL statements in that stream. On Tarantool < 2.10 the driver's `begin()` rejects with
 *   its `TransactionsNotSupportedError`, which is passed on unchanged: nothing is emulated, because 2.6
 *   rolls back any transaction left open at the end of a request.
 * - Isolation: `'read committed'` maps to IPROTO `readCommitted`; no setting means the server default.
 *   Other levels and `accessMode: 'read only'` are refused with a {@link TarantoolDialectError}.
 *
 * @example
 * const driver = new TarantoolDriver({ pool: () => createPool('tarantool://app:secret@127.0.0.1:3301') })
 */
export class TarantoolDriver implements Driver {
  readonly #config: TarantoolDialectConfig
  #client: TarantoolSqlClient | undefined

  /** @param config the dialect config (frozen by the dialect). */
  constructor(config: TarantoolDialectConfig) {
    this.#config = config
  }

  /** Resolves the client. Kysely calls it once and retries it if it failed. */
  async init(): Promise<void> {
    const pool = this.#config.pool
    this.#client = typeof pool === 'function' ? await pool() : pool
  }

  /** A handle over the client; see {@link TarantoolConnection}. */
  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#client === undefined) throw new TarantoolDialectError('The Tarantool driver was used before init() or after destroy()', 'NOT_INITIALIZED')
    return new TarantoolConnection(this.#client)
  }

  /**
   * Opens a stream with a transaction and pins it to `connection`.
   * @throws TransactionsNotSupportedError (from the driver) on Tarantool < 2.10 or a client without `begin`.
   * @throws TarantoolDialectError for isolation levels other than `read committed`, or read-only access mode.
   */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = asTarantoolConnection(connection)
    const client = this.#client
    if (client?.begin === undefined) throw new TransactionsNotSupportedError(client?.serverVersion ?? 'unknown')
    if (conn.stream !== undefined) throw new TarantoolDialectError('A transaction is already open on this connection', 'TRANSACTION_OPEN')
    const isolation = isolationOf(settings)
    const stream = await client.begin(isolation === undefined ? undefined : { isolation })
    conn.setStream(stream)
  }

  /**
   * Commits the connection's stream transaction and unpins it. A failed COMMIT has ended the transaction on
   * the server too, so the stream is unpinned either way and the COMMIT error is what the caller sees.
   */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = asTarantoolConnection(connection)
    const stream = requireStream(conn, 'commit')
    try {
      await stream.commit()
    } finally {
      conn.setStream(undefined)
    }
  }

  /**
   * Rolls the connection's stream transaction back and unpins it. Without an open transaction (for example
   * after a failed COMMIT, which Kysely follows with a rollback) there is nothing to undo, so it returns quietly
   * instead of hiding the original error.
   */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = asTarantoolConnection(connection)
    const stream = conn.stream
    if (stream === undefined) return
    try {
      await stream.rollback()
    } finally {
      conn.setStream(undefined)
    }
  }

  /** `SAVEPOINT "name"` in the transaction's stream (2.10+). */
  async savepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(sql`savepoint ${sql.id(savepointName)}`.toOperationNode(), createQueryId()))
  }

  /** `ROLLBACK TO SAVEPOINT "name"` in the transaction's stream (2.10+). */
  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(sql`rollback to savepoint ${sql.id(savepointName)}`.toOperationNode(), createQueryId()))
  }

  /** `RELEASE SAVEPOINT "name"` in the transaction's stream (2.10+). */
  async releaseSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(sql`release savepoint ${sql.id(savepointName)}`.toOperationNode(), createQueryId()))
  }

  /** Nothing to give back: the pool is multiplexed. A stream left open (not possible through Kysely) is rolled back. */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const conn = asTarantoolConnection(connection)
    const stream = conn.stream
    if (stream !== undefined) {
      conn.setStream(undefined)
      await stream.rollback()
    }
  }

  /** Closes the client (`Pool.close()` / `Connection.close()`). */
  async destroy(): Promise<void> {
    const client = this.#client
    this.#client = undefined
    await client?.close?.()
  }
}

function asTarantoolConnection(connection: DatabaseConnection): TarantoolConnection {
  if (connection instanceof TarantoolConnection) return connection
  throw new TarantoolDialectError('The Tarantool driver was given a connection it did not create', 'FOREIGN_CONNECTION')
}

function requireStream(conn: TarantoolConnection, verb: string) {
  const stream = conn.stream
  if (stream === undefined) throw new TarantoolDialectError(`Cannot ${verb}: no transaction is open on this connection`, 'NO_TRANSACTION')
  return stream
}

function isolationOf(settings: TransactionSettings): TarantoolTxnIsolation | undefined {
  if (settings.accessMode === 'read only') {
    throw new TarantoolDialectError("Tarantool transactions have no read-only access mode; omit accessMode or use 'read write'", 'ACCESS_MODE_NOT_SUPPORTED')
  }
  switch (settings.isolationLevel) {
    case undefined:
      return undefined
    case 'read committed':
      return 'readCommitted'
    default:
      throw new TarantoolDialectError(
        `Tarantool has no ${JSON.stringify(settings.isolationLevel)} isolation level; use 'read committed' or omit it ` +
          `(the server default, which serialises conflicting transactions with MVCC).`,
        'ISOLATION_NOT_SUPPORTED',
      )
  }
}
