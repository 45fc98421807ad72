import { DialectAdapterBase, type Kysely, type MigrationLockOptions } from 'kysely'
import { E6dataDialectNotSupportedError } from '../e6data-dialect-errors.ts'

/** e6data's capabilities for Kysely: read-only, no RETURNING, no transactions, no migrations. */
export class E6dataAdapter extends DialectAdapterBase {
  override get supportsCreateIfNotExists(): boolean {
    return false
  }
  override get supportsTransactionalDdl(): boolean {
    return false
  }
  override get supportsReturning(): boolean {
    return false
  }
  /** @throws E6dataDialectNotSupportedError always. */
  override async acquireMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    throw new E6dataDialectNotSupportedError('migrations (no DDL through the query engine)')
  }
  /** @throws E6dataDialectNotSupportedError always. */
  override async releaseMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    throw new E6dataDialectNotSupportedError('migrations')
  }
}
