import { CompiledQuery, DialectAdapterBase, type Kysely, type MigrationLockOptions } from 'kysely'
import { DEFAULT_MIGRATION_TABLE } from 'kysely/migration'
import { DEFAULT_MIGRATION_LOCK_POLL_INTERVAL, DEFAULT_MIGRATION_LOCK_TIMEOUT } from '../../shared/migration-lock-polling.ts'
import { CrateDBDialectError } from '../cratedb-dialect-errors.ts'
import { acquireOccLock, qualifiedTable, releaseOccLock, type CrateDBOccLockVersion, type CrateDBStatementRunner } from '../cratedb-occ-lock.ts'

/** How the Migrator's lock waits for another migrator, and which table it refreshes. */
export interface CrateDBMigrationLockConfig {
  /** Milliseconds to keep trying before `CrateDBMigrationLockTimeoutError`; default 600 000 (10 min). */
  readonly timeout?: number
  /** Milliseconds between two attempts; default 250. */
  readonly pollInterval?: number
  /**
   * The Migrator's migration table (the one it reads without a key filter), refreshed after the lock is taken
   * and before it is released. Default: the lock table's name without its `_lock` suffix
   * (`kysely_migration_lock` → `kysely_migration`); set it when the Migrator's `migrationTableName` and
   * `migrationLockTableName` do not follow that pattern.
   */
  readonly migrationTable?: string
}

/**
 * Feature flags and the migration lock of the CrateDB dialect (kysely-org/kysely `src/dialect/dialect-adapter.ts`,
 * kysely-org/kysely `src/migration/migrator.ts`).
 *
 * - `supportsReturning` true: INSERT/UPDATE … RETURNING return rows (DELETE … RETURNING is refused by the compiler).
 * - `supportsTransactionalDdl` false: CrateDB has no transactions; the Migrator runs each migration on its own.
 * - `supportsCreateIfNotExists` true; `supportsMultipleConnections` true (the driver pools HTTP sockets).
 *
 * **Migration lock.** CrateDB has no advisory or session locks, so the lock is optimistic concurrency control
 * on the Migrator's lock row (https://cratedb.com/docs/crate/reference/en/latest/general/occ.html): read `is_locked`,
 * `_seq_no`, `_primary_term` by primary key
 * (a real-time read), and when it is 0 send `UPDATE … SET "is_locked" = 1 WHERE "id" = ? AND "_seq_no" = ? AND
 * "_primary_term" = ?`; exactly one updated row means this migrator won, 0 means another wrote the row first.
 * The adapter polls every `pollInterval` ms until `timeout`. Release writes 0 the same way with the version the
 * holder left, so it never frees a lock another migrator took after a manual reset.
 *
 * **Eventual consistency.** The Migrator reads its migration table without a key filter, which on CrateDB only
 * sees refreshed writes (https://cratedb.com/docs/crate/reference/en/latest/general/dql/refresh.html). So, inside the
 * lock, the adapter sends `REFRESH TABLE` on the
 * migration table right after taking the lock (before the Migrator reads it) and again before releasing it
 * (after the Migrator's bookkeeping inserts/deletes): a second migrator that waited for the lock sees every
 * migration the first one recorded.
 *
 * A migrator that dies while holding the lock leaves `is_locked = 1` (nothing releases it automatically). After
 * making sure no migrator runs, clear it with
 * `UPDATE "kysely_migration_lock" SET "is_locked" = 0 WHERE "id" = 'migration_lock'` (the timeout error prints it).
 *
 * @example
 * const adapter = new CrateDBAdapter({ timeout: 30_000 })
 * adapter.supportsReturning // true
 */
export class CrateDBAdapter extends DialectAdapterBase {
  readonly #config: CrateDBMigrationLockConfig
  /** Lock versions by the connection-bound Kysely the Migrator passes to acquire and release. */
  readonly #held = new WeakMap<Kysely<any>, CrateDBOccLockVersion>()

  /** @param config lock waiting and the refreshed table; see {@link CrateDBMigrationLockConfig}. */
  constructor(config: CrateDBMigrationLockConfig = {}) {
    super()
    this.#config = config
  }

  override get supportsCreateIfNotExists(): boolean {
    return true
  }

  override get supportsTransactionalDdl(): boolean {
    return false
  }

  override get supportsReturning(): boolean {
    return true
  }

  override get supportsMultipleConnections(): boolean {
    return true
  }

  /**
   * Takes the lock row (see the class description), then refreshes the migration table.
   * @throws CrateDBMigrationLockTimeoutError after `timeout` ms.
   * @throws CrateDBDialectError (code `MIGRATION_TABLE_UNKNOWN`) when the migration table to refresh does not
   *   exist (set `migrationLock.migrationTable`); the lock is released first.
   * @throws the driver's errors when a statement fails.
   */
  override async acquireMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const run = runner(db)
    const target = {
      table: options.lockTable,
      schema: options.lockTableSchema,
      id: options.lockRowId,
      timeout: this.#config.timeout ?? DEFAULT_MIGRATION_LOCK_TIMEOUT,
      pollInterval: this.#config.pollInterval ?? DEFAULT_MIGRATION_LOCK_POLL_INTERVAL,
    }
    const version = await acquireOccLock(run, target)
    try {
      await this.#refreshMigrationTable(run, options)
    } catch (error) {
      await releaseOccLock(run, target, version)
      throw error
    }
    this.#held.set(db, version)
  }

  /**
   * Refreshes the migration table (making the Migrator's bookkeeping visible to every reader), then frees the
   * lock if this migrator holds it; a no-op when it does not (e.g. when acquiring timed out).
   */
  override async releaseMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const version = this.#held.get(db)
    if (version === undefined) return
    this.#held.delete(db)
    const run = runner(db)
    try {
      await this.#refreshMigrationTable(run, options)
    } finally {
      await releaseOccLock(run, { table: options.lockTable, schema: options.lockTableSchema, id: options.lockRowId }, version)
    }
  }

  async #refreshMigrationTable(run: CrateDBStatementRunner, options: MigrationLockOptions): Promise<void> {
    const name = this.#config.migrationTable ?? (options.lockTable.endsWith('_lock') ? options.lockTable.slice(0, -'_lock'.length) : DEFAULT_MIGRATION_TABLE)
    const table = qualifiedTable(name, options.lockTableSchema)
    try {
      await run(`refresh table ${table}`, [])
    } catch (error) {
      if ((error as { code?: unknown }).code === 4041) {
        throw new CrateDBDialectError(
          `The migration lock refreshes the migration table ${table}, which does not exist. When the Migrator's ` +
            `migrationTableName is not the lock table's name without "_lock", pass it as migrationLock.migrationTable ` +
            `in the CrateDBDialect config.`,
          'MIGRATION_TABLE_UNKNOWN',
          error,
        )
      }
      throw error
    }
  }
}

/** Raw statements on the plugin-free Kysely (a user's CamelCasePlugin must not rename `is_locked`). */
function runner(db: Kysely<any>): CrateDBStatementRunner {
  const plain = db.withoutPlugins()
  return async (sqlText, params) => {
    const result = await plain.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sqlText, [...params]))
    return { rows: result.rows, rowCount: Number(result.numAffectedRows ?? 0n) }
  }
}
