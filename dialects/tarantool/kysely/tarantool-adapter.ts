import { randomInt } from 'node:crypto'
import { DialectAdapterBase, sql, type Kysely, type MigrationLockOptions } from 'kysely'
import { DEFAULT_MIGRATION_LOCK_POLL_INTERVAL, DEFAULT_MIGRATION_LOCK_TIMEOUT, pollForLock } from '../../shared/migration-lock-polling.ts'
import { TarantoolMigrationLockTimeoutError } from '../tarantool-dialect-errors.ts'

/** How the Migrator's lock waits for another migrator. */
export interface TarantoolMigrationLockConfig {
  /** Milliseconds to keep trying before {@link TarantoolMigrationLockTimeoutError}; default 600 000 (10 min). */
  readonly timeout?: number
  /** Milliseconds between two attempts; default 250. */
  readonly pollInterval?: number
}

/**
 * Feature flags and the migration lock of the Tarantool dialect (kysely-org/kysely `src/dialect/dialect-adapter.ts`,
 * kysely-org/kysely `src/migration/migrator.ts`).
 *
 * - `supportsReturning` false: Tarantool has no RETURNING; inserts report `insertId`/`numAffectedRows`.
 * - `supportsTransactionalDdl` false: DDL in a multi-statement transaction is limited (error 54) and 2.6 has no
 *   interactive transactions at all, so the Migrator runs each migration without a transaction.
 * - `supportsCreateIfNotExists` true; `supportsMultipleConnections` true (the driver's pool multiplexes).
 *
 * **Migration lock.** Tarantool 2.6 has no advisory or session-scoped locks, so the lock is a compare-and-set
 * on the Migrator's lock row: `UPDATE "kysely_migration_lock" SET "is_locked" = <token> WHERE "id" = ? AND
 * "is_locked" = 0` takes it when exactly one row changed; otherwise the adapter polls every `pollInterval`
 * ms until `timeout`. The token is the acquisition time in ms × 1000 plus a random 0..999, so a waiting
 * migrator can report since when the lock is held, and release (`SET "is_locked" = 0 WHERE ... AND
 * "is_locked" = <token>`) never frees a lock that another migrator took. This works across processes and
 * pools because each UPDATE is atomic on the server.
 *
 * A migrator that dies while holding the lock leaves it set (nothing releases it automatically). After
 * making sure no migrator runs, clear it with
 * `UPDATE "kysely_migration_lock" SET "is_locked" = 0 WHERE "id" = 'migration_lock'`.
 *
 * @example
 * const adapter = new TarantoolAdapter({ timeout: 30_000 })
 * adapter.supportsReturning // false
 */
export class TarantoolAdapter extends DialectAdapterBase {
  readonly #timeout: number
  readonly #pollInterval: number
  /** Lock tokens by the connection-bound Kysely the Migrator passes to acquire and release. */
  readonly #held = new WeakMap<Kysely<any>, number>()

  /** @param config lock waiting; see {@link TarantoolMigrationLockConfig} for the defaults. */
  constructor(config: TarantoolMigrationLockConfig = {}) {
    super()
    this.#timeout = config.timeout ?? DEFAULT_MIGRATION_LOCK_TIMEOUT
    this.#pollInterval = config.pollInterval ?? DEFAULT_MIGRATION_LOCK_POLL_INTERVAL
  }

  override get supportsCreateIfNotExists(): boolean {
    return true
  }

  override get supportsTransactionalDdl(): boolean {
    return false
  }

  override get supportsReturning(): boolean {
    return false
  }

  override get supportsMultipleConnections(): boolean {
    return true
  }

  /**
   * Takes the lock row by compare-and-set, polling until it is free.
   * @throws TarantoolMigrationLockTimeoutError after `timeout` ms; the driver's errors when a statement fails.
   */
  override async acquireMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const token = Date.now() * 1000 + randomInt(1000)
    const attempt = async (): Promise<number | undefined> => {
      const result = await db
        .updateTable(options.lockTable)
        .set({ is_locked: token })
        .where('id', '=', options.lockRowId)
        .where('is_locked', '=', 0)
        .executeTakeFirst()
      return result.numUpdatedRows === 1n ? token : undefined
    }
    const held = await pollForLock(attempt, {
      timeout: this.#timeout,
      pollInterval: this.#pollInterval,
      timeoutError: () => this.#timeoutError(db, options),
    })
    this.#held.set(db, held)
  }

  /** Frees the lock if this migrator holds it; a no-op otherwise (e.g. when acquiring timed out). */
  override async releaseMigrationLock(db: Kysely<any>, options: MigrationLockOptions): Promise<void> {
    const token = this.#held.get(db)
    if (token === undefined) return
    this.#held.delete(db)
    await db
      .updateTable(options.lockTable)
      .set({ is_locked: 0 })
      .where('id', '=', options.lockRowId)
      .where('is_locked', '=', token)
      .execute()
  }

  async #timeoutError(db: Kysely<any>, options: MigrationLockOptions): Promise<TarantoolMigrationLockTimeoutError> {
    const row = await db
      .selectFrom(options.lockTable)
      .select('is_locked')
      .where('id', '=', options.lockRowId)
      .executeTakeFirst()
    const clear = sql`update ${sql.table(options.lockTable)} set "is_locked" = 0 where "id" = ${sql.lit(options.lockRowId)}`.compile(db).sql
    const value = row === undefined ? undefined : Number(row['is_locked'])
    let holder: string
    if (value === undefined) holder = `the lock row ${JSON.stringify(options.lockRowId)} does not exist`
    else if (value > 1000) holder = `it has been held since ${new Date(Math.floor(value / 1000)).toISOString()}`
    else holder = 'it is held (by a tool that does not record the time)'
    return new TarantoolMigrationLockTimeoutError(
      `Timed out after ${this.#timeout} ms waiting for the migration lock in table ${JSON.stringify(options.lockTable)}: ${holder}. ` +
        `Another migrator is running, or one crashed while holding the lock. If none is running, clear it with: ${clear}`,
    )
  }
}
