import { entityKind, sql, type SQL } from 'drizzle-orm'
import type { PgSelectConfig } from 'drizzle-orm/pg-core'
import { ReadOnlyPgDialect } from '../../shared/read-only-pg-dialect.ts'
import { E6dataReadOnlyError } from '../e6data-dialect-errors.ts'

/**
 * Drizzle's `pg-core` dialect speaking e6data SQL: `%s` placeholders (bound client-side by `dialectry/e6data`, the
 * connector's `pyformat` style); identifiers stay double-quoted. INSERT, UPDATE and DELETE builders throw
 * {@link E6dataReadOnlyError} when built. With both a limit and an offset, selects end in `offset m limit n`, the Presto/Trino order
 * (https://trino.io/docs/current/sql/select.html) that e6data's SQL follows; pg-core writes `limit … offset …`.
 */
export class E6dataPgDialect extends ReadOnlyPgDialect {
  static override readonly [entityKind]: string = 'E6dataPgDialect'

  override escapeParam(_num: number): string {
    return '%s'
  }
  override buildSelectQuery(config: PgSelectConfig): SQL {
    const { limit, offset } = config
    const hasLimit = typeof limit === 'object' || (typeof limit === 'number' && limit >= 0)
    if (!hasLimit || !offset || config.setOperators.length > 0 || config.lockingClause !== undefined) return super.buildSelectQuery(config)
    return sql`${super.buildSelectQuery({ ...config, limit: undefined, offset: undefined })} offset ${offset} limit ${limit}`
  }

  protected override readOnlyError(statement: string): E6dataReadOnlyError {
    return new E6dataReadOnlyError(statement)
  }
}
