import { DialectAdapterBase, type Kysely, type MigrationLockOptions } from 'kysely'

/**
 * Kysely's capabilities (kysely-org/kysely `src/dialect/dialect-adapter.ts`) of a read-only system without DDL,
 * transactions or locks: no `IF NOT EXISTS`, no transactional DDL, no RETURNING, and both migration-lock methods
 * throw the system's error (there is nothing to migrate). A system supplies the error through
 * {@link ReadOnlyKyselyAdapter.migrationsNotSupported}.
 */
export abstract class ReadOnlyKyselyAdapter extends DialectAdapterBase {
  /** The system's error for `acquireMigrationLock`/`releaseMigrationLock`. */
  protected abstract migrationsNotSupported(): Error

  override get supportsCreateIfNotExists(): boolean {
    return false
  }

  override get supportsTransactionalDdl(): boolean {
    return false
  }

  override get supportsReturning(): boolean {
    return false
  }

  /** @throws the system's error always: a read-only system has no migrations. */
  override async acquireMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    throw this.migrationsNotSupported()
  }

  /** @throws the system's error always. */
  override async releaseMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    throw this.migrationsNotSupported()
  }
}
