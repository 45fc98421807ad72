import { entityKind, is, sql, SQL } from 'drizzle-orm'
import { PgColumn, PgDialect, type PgDeleteConfig, type PgInsertConfig, type PgSelectConfig, type PgUpdateConfig } from 'drizzle-orm/pg-core'
import {
  CrateDBOnConflictNotSupportedError,
  CrateDBReturningNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBTransactionsNotSupportedError,
} from '../cratedb-dialect-errors.ts'

type RelationalArgs = Parameters<PgDialect['buildRelationalQueryWithoutPK']>[0]
type RelationalResult = ReturnType<PgDialect['buildRelationalQueryWithoutPK']>
type MigrateArgs = Parameters<PgDialect['migrate']>
type SetOperator = PgSelectConfig['setOperators'][number]

/**
 * Drizzle's PostgreSQL dialect adjusted to CrateDB (drizzle-team/drizzle-orm `drizzle-orm/src/pg-core/dialect.ts`;
 * https://cratedb.com/docs/crate/reference/en/latest/sql/index.html),
 * checked against CrateDB's grammar. Identifiers stay double-quoted and parameters stay PostgreSQL's `$1, $2, …`,
 * which CrateDB's HTTP endpoint accepts as well as `?`
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-param-substitution) — so `escapeParam`
 * is not
 * overridden. What CrateDB lacks is refused at build time, before anything is sent:
 *
 * - `delete().returning()` → {@link CrateDBReturningNotSupportedError} (RETURNING works on insert and update);
 * - `onConflictDoNothing({ where })`, `onConflictDoUpdate({ targetWhere | setWhere | where })` →
 *   {@link CrateDBOnConflictNotSupportedError} (the target must be the primary key, without WHERE);
 * - `.for('update' | 'share' | …)`, `selectDistinctOn()`, lateral joins, `update().from()` and joins in UPDATE →
 *   {@link CrateDBSyntaxNotSupportedError};
 * - set operations are written without brackets around the operands (`select … union all select …`), as CrateDB's
 *   grammar requires; what it cannot express is refused with {@link CrateDBSyntaxNotSupportedError}:
 *   `intersectAll()`/`exceptAll()`, INTERSECT/EXCEPT after another set operation (CrateDB binds them tighter than
 *   UNION and takes single SELECTs on both sides), and an operand with its own `orderBy()`/`limit()`/`offset()`,
 *   `$with` or set operations (order and limit the whole result instead: `a.union(b).orderBy(...).limit(n)`);
 * - `db.with(...)` in front of insert/update/delete → {@link CrateDBSyntaxNotSupportedError} (CrateDB has WITH on
 *   queries only);
 * - relational queries with nested relations (`db.query.x.findMany({ with: … })`) →
 *   {@link CrateDBSyntaxNotSupportedError}: Drizzle builds them with `left join lateral` and `json_agg`, which
 *   CrateDB lacks. `findMany`/`findFirst` without `with` work.
 * - `migrate()` (the PostgreSQL migrator, `SERIAL` and a transaction) → {@link CrateDBTransactionsNotSupportedError};
 *   use `migrate` from `dialectry/cratedb/drizzle`.
 *
 * @example
 * const dialect = new CrateDBPgDialect()
 * dialect.sqlToQuery(sql`select ${1}`) // { sql: 'select $1', params: [1] }
 */
export class CrateDBPgDialect extends PgDialect {
  static override readonly [entityKind]: string = 'CrateDBPgDialect'

  override buildDeleteQuery(config: PgDeleteConfig): SQL {
    if (config.returning) throw new CrateDBReturningNotSupportedError('DELETE')
    refuseDmlWith(config.withList, 'DELETE')
    return super.buildDeleteQuery(config)
  }

  override buildInsertQuery(config: PgInsertConfig): SQL {
    refuseDmlWith(config.withList, 'INSERT')
    if (config.onConflict !== undefined && hasWhere(config.onConflict)) {
      throw new CrateDBOnConflictNotSupportedError('a WHERE clause in ON CONFLICT (targetWhere/setWhere/where)')
    }
    return super.buildInsertQuery(config)
  }

  override buildUpdateQuery(config: PgUpdateConfig): SQL {
    refuseDmlWith(config.withList, 'UPDATE')
    if (config.from !== undefined || (config.joins !== undefined && config.joins.length > 0)) {
      throw new CrateDBSyntaxNotSupportedError('UPDATE ... FROM / joins in UPDATE', 'Use a subquery in SET or WHERE (e.g. inArray(t.id, db.select(...))).')
    }
    return super.buildUpdateQuery(config)
  }

  override buildSelectQuery(config: PgSelectConfig): SQL {
    if (config.lockingClause !== undefined) {
      throw new CrateDBSyntaxNotSupportedError(
        'row locking (.for(...))',
        'CrateDB has no row locks; update with optimistic concurrency instead (WHERE pk = ? AND "_seq_no" = ? AND "_primary_term" = ?, then check the row count).',
      )
    }
    if (typeof config.distinct === 'object') throw new CrateDBSyntaxNotSupportedError('DISTINCT ON', 'Use groupBy() with an aggregate instead.')
    if (config.joins?.some((j) => j.lateral)) {
      throw new CrateDBSyntaxNotSupportedError('LATERAL joins', 'Use an ordinary join on a grouped subquery, or a correlated scalar subquery.')
    }
    if (config.setOperators.length > 0 && ordersOrPages(config)) throw operandClauseError()
    return super.buildSelectQuery(config)
  }

  /** Checks the chain of set operations against CrateDB's grammar (see the class description), then builds it. */
  override buildSetOperations(leftSelect: SQL, setOperators: PgSelectConfig['setOperators']): SQL {
    for (const [index, operator] of setOperators.entries()) {
      if (operator.isAll && operator.type !== 'union') {
        throw new CrateDBSyntaxNotSupportedError(
          'INTERSECT ALL / EXCEPT ALL',
          'CrateDB has only INTERSECT and EXCEPT without duplicates (ALL exists for UNION only): use intersect()/except(), or count duplicates with groupBy().',
        )
      }
      if (operator.type !== 'union' && index > 0) {
        throw new CrateDBSyntaxNotSupportedError(
          'INTERSECT/EXCEPT after another set operation',
          'CrateDB binds INTERSECT/EXCEPT tighter than UNION and takes a single SELECT on each side: make the intersect/except the first operation, or select from the earlier result as a subquery (.as("u")).',
        )
      }
      const last = index === setOperators.length - 1
      if (!last && ordersOrPages(operator)) throw operandClauseError()
      checkRightOperand(operator.rightSelect)
    }
    return super.buildSetOperations(leftSelect, setOperators)
  }

  /**
   * `<left> union [all] <right> [order by …] [limit …] [offset …]` without brackets around the operands
   * (pg-core writes `(<left>) union (<right>)`, which CrateDB's grammar rejects). ORDER BY names the output
   * columns unqualified, as pg-core does.
   */
  override buildSetOperationQuery({ leftSelect, setOperator }: { leftSelect: SQL; setOperator: SetOperator }): SQL {
    const { type, isAll, rightSelect, limit, orderBy, offset } = setOperator
    const operatorSql = sql.raw(` ${type} ${isAll ? 'all ' : ''}`)
    const orderBySql = orderBy !== undefined && orderBy.length > 0 ? sql` order by ${sql.join(orderBy.map(unqualified), sql`, `)}` : undefined
    const limitSql = typeof limit === 'object' || (typeof limit === 'number' && limit >= 0) ? sql` limit ${limit}` : undefined
    const offsetSql = offset ? sql` offset ${offset}` : undefined
    return sql`${leftSelect.getSQL()}${operatorSql}${rightSelect.getSQL()}${orderBySql}${limitSql}${offsetSql}`
  }

  override buildRelationalQueryWithoutPK(args: RelationalArgs): RelationalResult {
    if (args.nestedQueryRelation !== undefined) {
      throw new CrateDBSyntaxNotSupportedError(
        'relational queries with nested relations (`with`)',
        'Drizzle builds them with LEFT JOIN LATERAL and json_agg(), which CrateDB lacks. Query the related tables ' +
          'with db.select().from(...).leftJoin(...) instead; findMany()/findFirst() without `with` work.',
      )
    }
    return super.buildRelationalQueryWithoutPK(args)
  }

  override async migrate(..._args: MigrateArgs): Promise<void> {
    throw new CrateDBTransactionsNotSupportedError()
  }
}

/** Whether pg-core would write ORDER BY, LIMIT or OFFSET for this select or set operation (same tests as pg-core). */
function ordersOrPages(clauses: Pick<SetOperator, 'orderBy' | 'limit' | 'offset'>): boolean {
  const { orderBy, limit, offset } = clauses
  return (orderBy !== undefined && orderBy.length > 0) || typeof limit === 'object' || (typeof limit === 'number' && limit >= 0) || Boolean(offset)
}

function operandClauseError(): CrateDBSyntaxNotSupportedError {
  return new CrateDBSyntaxNotSupportedError(
    'ORDER BY / LIMIT / OFFSET on one operand of a set operation',
    'CrateDB writes set-operation operands without brackets, so these would apply to the whole result: call orderBy()/limit()/offset() after union(...) (they then apply to the whole result), or select from the limited query as a subquery (.as("sub")).',
  )
}

/** The config of a right operand built by pg-core's select builder (`_.config`); other operands are left alone. */
function checkRightOperand(rightSelect: SetOperator['rightSelect']): void {
  const config = (rightSelect as { _?: { config?: PgSelectConfig } })._?.config
  if (config === undefined) return
  if (ordersOrPages(config)) throw operandClauseError()
  if (config.withList !== undefined && config.withList.length > 0) {
    throw new CrateDBSyntaxNotSupportedError('WITH on one operand of a set operation', 'Put the $with queries on the first select (db.with(cte).select()...); they are visible to every operand.')
  }
  if (config.setOperators.length > 0) {
    throw new CrateDBSyntaxNotSupportedError(
      'a set operation nested in an operand of another',
      'CrateDB takes no brackets around set-operation operands: chain the operations instead (union(a, b, c) or a.union(b).union(c)).',
    )
  }
}

/** An ORDER BY item of a set operation with its columns written unqualified (the result has no table names). */
function unqualified(item: PgColumn | SQL | SQL.Aliased): SQL {
  if (is(item, PgColumn)) return sql`${sql.identifier(item.name)}`
  if (is(item, SQL)) return new SQL(item.queryChunks.map((chunk) => (is(chunk, PgColumn) ? sql.identifier(chunk.name) : chunk)))
  return sql`${item}`
}

/** CrateDB's grammar has WITH only in front of a query, not of INSERT/UPDATE/DELETE. */
function refuseDmlWith(withList: readonly unknown[] | undefined, statement: string): void {
  if (withList !== undefined && withList.length > 0) {
    throw new CrateDBSyntaxNotSupportedError(`WITH (db.with(...)) before ${statement}`, 'Use a subquery in the statement instead (inArray(t.id, db.select(...)) or a select in insert().select()).')
  }
}

/** Whether an ON CONFLICT fragment built by Drizzle's insert builder carries a ` where ` part at its top level. */
function hasWhere(onConflict: SQL): boolean {
  return onConflict.queryChunks.some((chunk) => is(chunk, SQL) && startsWithWhere(chunk))
}

function startsWithWhere(fragment: SQL): boolean {
  const first = fragment.queryChunks[0] as { value?: unknown } | undefined
  return Array.isArray(first?.value) && first.value.join('').trimStart().startsWith('where ')
}
