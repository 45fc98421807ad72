import { ReadOnlyKyselyAdapter } from '../../shared/read-only-kysely-adapter.ts'
import { DruidDialectNotSupportedError } from '../druid-dialect-errors.ts'

/**
 * Druid's capabilities for Kysely: no transactional DDL, no RETURNING, no migrations (Druid has no DDL; data
 * arrives through ingestion tasks, https://druid.apache.org/docs/latest/multi-stage-query/reference). The
 * migration-lock methods throw {@link DruidDialectNotSupportedError}.
 */
export class DruidAdapter extends ReadOnlyKyselyAdapter {
  protected override migrationsNotSupported(): DruidDialectNotSupportedError {
    return new DruidDialectNotSupportedError('migrations (no DDL; load data with SQL-based ingestion)')
  }
}
