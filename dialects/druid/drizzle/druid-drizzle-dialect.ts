import { entityKind, type SQL } from 'drizzle-orm'
import { PgDialect, type PgDeleteConfig, type PgInsertConfig, type PgUpdateConfig } from 'drizzle-orm/pg-core'
import { DruidReadOnlyError } from '../druid-dialect-errors.ts'

/**
 * Drizzle's `pg-core` dialect speaking Druid SQL: `?` placeholders instead of `$n` (Druid's dynamic parameters,
 * https://druid.apache.org/docs/latest/querying/sql#dynamic-parameters); identifiers stay double-quoted.
 * INSERT, UPDATE and DELETE builders are refused when built.
 */
export class DruidPgDialect extends PgDialect {
  static override readonly [entityKind]: string = 'DruidPgDialect'

  override escapeParam(_num: number): string {
    return '?'
  }

  /** @throws DruidReadOnlyError always. */
  override buildInsertQuery(_config: PgInsertConfig): SQL {
    throw new DruidReadOnlyError('INSERT')
  }

  /** @throws DruidReadOnlyError always. */
  override buildUpdateQuery(_config: PgUpdateConfig): SQL {
    throw new DruidReadOnlyError('UPDATE')
  }

  /** @throws DruidReadOnlyError always. */
  override buildDeleteQuery(_config: PgDeleteConfig): SQL {
    throw new DruidReadOnlyError('DELETE')
  }
}
