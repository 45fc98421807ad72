import type { CrateDBSqlClient, CrateDBSqlCloseOptions } from '../cratedb-sql-client.ts'
import type { CrateDBMigrationLockConfig } from './cratedb-adapter.ts'

/**
 * Configuration of {@link CrateDBDialect}. Frozen by the dialect's constructor.
 */
export interface CrateDBDialectConfig {
  /**
   * The driver client to run queries on: the client from `dialectry/cratedb`'s `connect()` (or anything shaped
   * like {@link CrateDBSqlClient}), or a function (sync or async) returning one, called once on first use.
   * `db.destroy()` closes it.
   */
  readonly client: CrateDBSqlClient | (() => CrateDBSqlClient | Promise<CrateDBSqlClient>)
  /**
   * How `db.destroy()` closes the client, passed to its `close()`: `{ timeout }` bounds how long (ms) queries in
   * flight may finish before they are aborted (the driver's default is 10 000), `{ abort: true }` aborts them at
   * once. Default: the client's own default (`close()` with no options).
   *
   * @example
   * new CrateDBDialect({ client: () => connect(url), close: { timeout: 2_000 } })
   */
  readonly close?: CrateDBSqlCloseOptions
  /** Timing of the Migrator's lock and the table it refreshes; default 10 min timeout, 250 ms polling. */
  readonly migrationLock?: CrateDBMigrationLockConfig
}
