import { entityKind, sql, type SQL } from 'drizzle-orm'
import type { PgSelectConfig } from 'drizzle-orm/pg-core'
import { ReadOnlyPgDialect } from '../../shared/read-only-pg-dialect.ts'
import { E6dataReadOnlyError } from '../e6data-dialect-errors.ts'

/** `true` when pg-core would write a LIMIT for `limit` (a placeholder or a number >= 0). */
function hasLimit(limit: PgSelectConfig['limit']): boolean {
  return typeof limit === 'object' || (typeof limit === 'number' && limit >= 0)
}

/**
 * Drizzle's `pg-core` dialect speaking e6data SQL: `%s` placeholders (bound client-side by `dialectry/e6data`, the
 * connector's `pyformat` style); identifiers stay double-quoted. INSERT, UPDATE and DELETE builders throw
 * {@link E6dataReadOnlyError} when built. With both a limit and an offset, selects and set operations (`union`, …) end in `offset m limit n`, the Presto/Trino order
 * (https://trino.io/docs/current/sql/select.html) that e6data's SQL follows; pg-core writes `limit … offset …`.
 */
export class E6dataPgDialect extends ReadOnlyPgDialect {
  static override readonly [entityKind]: string = 'E6dataPgDialect'

  override escapeParam(_num: number): string {
    return '%s'
  }
  override buildSelectQuery(config: PgSelectConfig): SQL {
    const { limit, offset } = config
    if (!hasLimit(limit) || !offset || config.setOperators.length > 0 || config.lockingClause !== undefined) return super.buildSelectQuery(config)
    return sql`${super.buildSelectQuery({ ...config, limit: undefined, offset: undefined })} offset ${offset} limit ${limit}`
  }

  /** `(a) union (b) order by … offset m limit n`: the same order for the limit and offset of a set operation. */
  override buildSetOperationQuery(options: { leftSelect: SQL; setOperator: PgSelectConfig['setOperators'][number] }): SQL {
    const { limit, offset } = options.setOperator
    if (!hasLimit(limit) || !offset) return super.buildSetOperationQuery(options)
    return sql`${super.buildSetOperationQuery({ ...options, setOperator: { ...options.setOperator, limit: undefined, offset: undefined } })} offset ${offset} limit ${limit}`
  }

  protected override readOnlyError(statement: string): E6dataReadOnlyError {
    return new E6dataReadOnlyError(statement)
  }
}
