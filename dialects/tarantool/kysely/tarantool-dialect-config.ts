import type { TarantoolSqlClient } from '../tarantool-sql-client.ts'
import type { TarantoolMigrationLockConfig } from './tarantool-adapter.ts'

/**
 * Configuration of {@link TarantoolDialect}. Frozen by the dialect's constructor.
 */
export interface TarantoolDialectConfig {
  /**
   * The driver client to run queries on: a `Pool` from `createPool()` (recommended), a single `Connection`
   * from `connect()`, or a function (sync or async) returning one, called once on first use.
   * `db.destroy()` closes it.
   */
  readonly pool: TarantoolSqlClient | (() => TarantoolSqlClient | Promise<TarantoolSqlClient>)
  /** Timing of the Migrator's lock; default 10 min timeout, 250 ms polling. */
  readonly migrationLock?: TarantoolMigrationLockConfig
}
