import { ReadOnlyKyselyAdapter } from '../../shared/read-only-kysely-adapter.ts'
import { E6dataDialectNotSupportedError } from '../e6data-dialect-errors.ts'

/**
 * e6data's capabilities for Kysely: read-only, no RETURNING, no transactions, no migrations (no DDL through the
 * query engine). The migration-lock methods throw {@link E6dataDialectNotSupportedError}.
 */
export class E6dataAdapter extends ReadOnlyKyselyAdapter {
  protected override migrationsNotSupported(): E6dataDialectNotSupportedError {
    return new E6dataDialectNotSupportedError('migrations (no DDL through the query engine)')
  }
}
