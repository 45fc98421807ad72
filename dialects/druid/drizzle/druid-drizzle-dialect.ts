import { entityKind } from 'drizzle-orm'
import { ReadOnlyPgDialect } from '../../shared/read-only-pg-dialect.ts'
import { DruidReadOnlyError } from '../druid-dialect-errors.ts'

/**
 * Drizzle's `pg-core` dialect speaking Druid SQL: `?` placeholders instead of `$n` (Druid's dynamic parameters,
 * https://druid.apache.org/docs/latest/querying/sql#dynamic-parameters); identifiers stay double-quoted.
 * INSERT, UPDATE and DELETE builders throw {@link DruidReadOnlyError} when built.
 */
export class DruidPgDialect extends ReadOnlyPgDialect {
  static override readonly [entityKind]: string = 'DruidPgDialect'

  override escapeParam(_num: number): string {
    return '?'
  }

  protected override readOnlyError(statement: string): DruidReadOnlyError {
    return new DruidReadOnlyError(statement)
  }
}
