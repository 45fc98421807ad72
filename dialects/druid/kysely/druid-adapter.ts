import { DialectAdapterBase, type Kysely, type MigrationLockOptions } from 'kysely'
import { DruidDialectNotSupportedError } from '../druid-dialect-errors.ts'

/**
 * Druid's capabilities for Kysely: no transactional DDL, no RETURNING, no migrations (Druid has no DDL; data
 * arrives through ingestion tasks).
 */
export class DruidAdapter extends DialectAdapterBase {
  override get supportsCreateIfNotExists(): boolean {
    return false
  }

  override get supportsTransactionalDdl(): boolean {
    return false
  }

  override get supportsReturning(): boolean {
    return false
  }

  /** @throws DruidDialectNotSupportedError always: Druid has no migrations. */
  override async acquireMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    throw new DruidDialectNotSupportedError('migrations (no DDL; load data with SQL-based ingestion)')
  }

  /** @throws DruidDialectNotSupportedError always. */
  override async releaseMigrationLock(_db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    throw new DruidDialectNotSupportedError('migrations')
  }
}
