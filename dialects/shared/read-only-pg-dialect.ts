import { entityKind, type SQL } from 'drizzle-orm'
import { PgDialect, type PgDeleteConfig, type PgInsertConfig, type PgUpdateConfig } from 'drizzle-orm/pg-core'

/**
 * Drizzle's `pg-core` dialect (drizzle-team/drizzle-orm `drizzle-orm/src/pg-core/dialect.ts`) for a read-only
 * system: identifiers stay double-quoted; INSERT, UPDATE and DELETE builders throw the system's error when built
 * (`.toSQL()`, `await`), so nothing is sent. A system sets its placeholder in `escapeParam` and its error in
 * {@link ReadOnlyPgDialect.readOnlyError}.
 */
export abstract class ReadOnlyPgDialect extends PgDialect {
  static override readonly [entityKind]: string = 'ReadOnlyPgDialect'

  /** The system's read-only error for a refused builder (`INSERT`, `UPDATE`, `DELETE`). */
  protected abstract readOnlyError(statement: 'INSERT' | 'UPDATE' | 'DELETE'): Error

  /** @throws the system's read-only error always. */
  override buildInsertQuery(_config: PgInsertConfig): SQL {
    throw this.readOnlyError('INSERT')
  }

  /** @throws the system's read-only error always. */
  override buildUpdateQuery(_config: PgUpdateConfig): SQL {
    throw this.readOnlyError('UPDATE')
  }

  /** @throws the system's read-only error always. */
  override buildDeleteQuery(_config: PgDeleteConfig): SQL {
    throw this.readOnlyError('DELETE')
  }
}
