import type { DatabaseConnection, Driver } from 'kysely'
import { CrateDBDialectError, CrateDBTransactionsNotSupportedError } from '../cratedb-dialect-errors.ts'
import type { CrateDBSqlClient } from '../cratedb-sql-client.ts'
import { CrateDBConnection } from './cratedb-connection.ts'
import type { CrateDBDialectConfig } from './cratedb-dialect-config.ts'

/**
 * Kysely driver over the `dialectry/cratedb` client (kysely-org/kysely `src/driver/driver.ts`).
 *
 * - `init` resolves `config.client` (instance or factory); `destroy` closes it (with `config.close`, if set).
 * - Connections are light handles over the client's socket pool (see {@link CrateDBConnection}); any number
 *   may be in use at once.
 * - **Transactions are refused**: `beginTransaction` throws {@link CrateDBTransactionsNotSupportedError}, so
 *   `db.transaction().execute(cb)` rejects before `cb` runs and `db.startTransaction()` rejects at once.
 * Why (https://cratedb.com/docs/crate/reference/en/latest/appendices/compatibility.html#appendix-compat-transactions):
 * CrateDB accepts `BEGIN`/`COMMIT` but ignores them and
 *   applies every statement immediately; it has no `ROLLBACK` (a syntax error). A pass-through "transaction"
 *   would let code believe a failed callback was undone when every statement before the failure stayed
 *   applied. Refusing up front keeps that visible; run the statements on `db` directly.
 *   `commitTransaction`/`rollbackTransaction` and the savepoint methods are unreachable and throw the same error.
 *
 * @example
 * import { connect } from 'dialectry/cratedb'
 * const driver = new CrateDBDriver({ client: () => connect('http://localhost:4200') })
 */
export class CrateDBDriver implements Driver {
  readonly #config: CrateDBDialectConfig
  #client: CrateDBSqlClient | undefined

  /** @param config the dialect config (frozen by the dialect). */
  constructor(config: CrateDBDialectConfig) {
    this.#config = config
  }

  /** Resolves the client. Kysely calls it once and retries it if it failed. */
  async init(): Promise<void> {
    const client = this.#config.client
    this.#client = typeof client === 'function' ? await client() : client
  }

  /** A handle over the client; see {@link CrateDBConnection}. */
  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#client === undefined) throw new CrateDBDialectError('The CrateDB driver was used before init() or after destroy()', 'NOT_INITIALIZED')
    return new CrateDBConnection(this.#client)
  }

  /** @throws CrateDBTransactionsNotSupportedError always; see the class description. */
  async beginTransaction(): Promise<void> {
    throw new CrateDBTransactionsNotSupportedError()
  }

  /** @throws CrateDBTransactionsNotSupportedError always (unreachable: no transaction can begin). */
  async commitTransaction(): Promise<void> {
    throw new CrateDBTransactionsNotSupportedError()
  }

  /** @throws CrateDBTransactionsNotSupportedError always (unreachable: no transaction can begin). */
  async rollbackTransaction(): Promise<void> {
    throw new CrateDBTransactionsNotSupportedError()
  }

  /** @throws CrateDBTransactionsNotSupportedError always (CrateDB has no savepoints). */
  async savepoint(): Promise<void> {
    throw new CrateDBTransactionsNotSupportedError()
  }

  /** @throws CrateDBTransactionsNotSupportedError always (CrateDB has no savepoints). */
  async rollbackToSavepoint(): Promise<void> {
    throw new CrateDBTransactionsNotSupportedError()
  }

  /** @throws CrateDBTransactionsNotSupportedError always (CrateDB has no savepoints). */
  async releaseSavepoint(): Promise<void> {
    throw new CrateDBTransactionsNotSupportedError()
  }

  /** Nothing to give back: connections are handles over the client's pool. */
  async releaseConnection(): Promise<void> {}

  /**
   * Closes the client, if it has a `close()`, with the dialect's `close` options (`{ timeout, abort }`) when set:
   * queries in flight then reject with the driver's `ConnectionError` (`CLIENT_CLOSED`).
   */
  async destroy(): Promise<void> {
    const client = this.#client
    this.#client = undefined
    const options = this.#config.close
    await (options === undefined ? client?.close?.() : client?.close?.(options))
  }
}
