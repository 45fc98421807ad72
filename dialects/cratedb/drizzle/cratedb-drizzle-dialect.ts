import { entityKind, is, SQL } from 'drizzle-orm'
import { PgDialect, type PgDeleteConfig, type PgInsertConfig, type PgSelectConfig, type PgUpdateConfig } from 'drizzle-orm/pg-core'
import {
  CrateDBOnConflictNotSupportedError,
  CrateDBReturningNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBTransactionsNotSupportedError,
} from '../cratedb-dialect-errors.ts'

type RelationalArgs = Parameters<PgDialect['buildRelationalQueryWithoutPK']>[0]
type RelationalResult = ReturnType<PgDialect['buildRelationalQueryWithoutPK']>
type MigrateArgs = Parameters<PgDialect['migrate']>

/**
 * Drizzle's PostgreSQL dialect adjusted to CrateDB (spec kysely-drizzle.md §2.2, §2.6, §3.1; cratedb.md §4),
 * checked against CrateDB's grammar. Identifiers stay double-quoted and parameters stay PostgreSQL's `$1, $2, …`,
 * which CrateDB's HTTP endpoint accepts as well as `?` (spec cratedb.md §1.3) — so `escapeParam` is not
 * overridden. What CrateDB lacks is refused at build time, before anything is sent:
 *
 * - `delete().returning()` → {@link CrateDBReturningNotSupportedError} (RETURNING works on insert and update);
 * - `onConflictDoNothing({ where })`, `onConflictDoUpdate({ targetWhere | setWhere | where })` →
 *   {@link CrateDBOnConflictNotSupportedError} (the target must be the primary key, without WHERE);
 * - `.for('update' | 'share' | …)`, `selectDistinctOn()`, lateral joins, `update().from()` and joins in UPDATE →
 *   {@link CrateDBSyntaxNotSupportedError};
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
    return super.buildDeleteQuery(config)
  }

  override buildInsertQuery(config: PgInsertConfig): SQL {
    if (config.onConflict !== undefined && hasWhere(config.onConflict)) {
      throw new CrateDBOnConflictNotSupportedError('a WHERE clause in ON CONFLICT (targetWhere/setWhere/where)')
    }
    return super.buildInsertQuery(config)
  }

  override buildUpdateQuery(config: PgUpdateConfig): SQL {
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
    return super.buildSelectQuery(config)
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

/** Whether an ON CONFLICT fragment built by Drizzle's insert builder carries a ` where ` part at its top level. */
function hasWhere(onConflict: SQL): boolean {
  return onConflict.queryChunks.some((chunk) => is(chunk, SQL) && startsWithWhere(chunk))
}

function startsWithWhere(fragment: SQL): boolean {
  const first = fragment.queryChunks[0] as { value?: unknown } | undefined
  return Array.isArray(first?.value) && first.value.join('').trimStart().startsWith('where ')
}
