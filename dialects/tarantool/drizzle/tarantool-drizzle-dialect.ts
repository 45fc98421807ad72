import { entityKind, type BuildRelationalQueryResult, type SQL } from 'drizzle-orm'
import {
  SQLiteAsyncDialect,
  type SQLiteColumn,
  type SQLiteDeleteConfig,
  type SQLiteInsertConfig,
  type SQLiteSelectConfig,
  type SQLiteTable,
  type SQLiteUpdateConfig,
} from 'drizzle-orm/sqlite-core'
import {
  TarantoolOnConflictNotSupportedError,
  TarantoolReturningNotSupportedError,
  TarantoolSyntaxNotSupportedError,
} from '../tarantool-dialect-errors.ts'

/**
 * LIMIT bound for an OFFSET without LIMIT: Tarantool has no bare OFFSET and rejects a LIMIT whose sum with
 * the OFFSET overflows u64
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/#sql-limit); 2^53 - 1 is
 * safe and still a JS number parameter.
 */
const UNBOUNDED_LIMIT = Number.MAX_SAFE_INTEGER

type SetOperationArgs = Parameters<SQLiteAsyncDialect['buildSetOperationQuery']>[0]
type RelationalArgs = Parameters<SQLiteAsyncDialect['buildRelationalQuery']>[0]

/**
 * Drizzle's SQLite dialect adjusted to Tarantool SQL (drizzle-team/drizzle-orm
 * `drizzle-orm/src/sqlite-core/dialect.ts`;
 * https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/).
 * Drizzle already quotes every identifier with `"` and binds `?`, which Tarantool wants. This class changes
 * what Tarantool's grammar lacks, at build time (before anything is sent):
 *
 * - `.returning()` on insert/update/delete throws {@link TarantoolReturningNotSupportedError};
 * - `onConflictDoNothing()` / `onConflictDoUpdate()` throw {@link TarantoolOnConflictNotSupportedError}.
 *   They are not rewritten to `INSERT OR IGNORE`: in Tarantool that also drops rows violating NOT NULL or
 *   CHECK constraints without an error (verified on 2.6), which `ON CONFLICT DO NOTHING` never does;
 * - `.offset(n)` without `.limit()` gets `limit ?` bound to 2^53 - 1 (Tarantool has no bare OFFSET);
 * - relational queries with nested relations (`db.query.x.findMany({ with: ... })`) throw
 *   {@link TarantoolSyntaxNotSupportedError}: Drizzle builds them from `json_array` / `json_group_array`,
 *   which Tarantool 2.x does not have. Relational queries without `with` work.
 *
 * @example
 * const dialect = new TarantoolSQLiteDialect()
 * dialect.sqlToQuery(sql`select ${1}`) // { sql: 'select ?', params: [1] }
 */
export class TarantoolSQLiteDialect extends SQLiteAsyncDialect {
  static override readonly [entityKind]: string = 'TarantoolSQLiteDialect'

  override buildInsertQuery(config: SQLiteInsertConfig): SQL {
    if (config.returning) throw new TarantoolReturningNotSupportedError('INSERT')
    if (config.onConflict !== undefined && config.onConflict.length > 0) {
      throw new TarantoolOnConflictNotSupportedError(
        'Drizzle\'s onConflictDoNothing()/onConflictDoUpdate() cannot be expressed. If ignoring or replacing on ' +
          'every constraint is what you want, run db.run(sql`insert or ignore into ...`) / `insert or replace into`; ' +
          'note that OR IGNORE also skips rows that violate NOT NULL or CHECK without an error.',
      )
    }
    return super.buildInsertQuery(config)
  }

  override buildUpdateQuery(config: SQLiteUpdateConfig): SQL {
    if (config.returning) throw new TarantoolReturningNotSupportedError('UPDATE')
    return super.buildUpdateQuery(config)
  }

  override buildDeleteQuery(config: SQLiteDeleteConfig): SQL {
    if (config.returning) throw new TarantoolReturningNotSupportedError('DELETE')
    return super.buildDeleteQuery(config)
  }

  override buildSelectQuery(config: SQLiteSelectConfig): SQL {
    if (config.offset !== undefined && config.limit === undefined) {
      return super.buildSelectQuery({ ...config, limit: UNBOUNDED_LIMIT })
    }
    return super.buildSelectQuery(config)
  }

  override buildSetOperationQuery(args: SetOperationArgs): SQL {
    const op = args.setOperator
    if (op.offset !== undefined && op.limit === undefined) {
      return super.buildSetOperationQuery({ ...args, setOperator: { ...op, limit: UNBOUNDED_LIMIT } })
    }
    return super.buildSetOperationQuery(args)
  }

  override buildRelationalQuery(args: RelationalArgs): BuildRelationalQueryResult<SQLiteTable, SQLiteColumn> {
    if (args.nestedQueryRelation !== undefined) {
      throw new TarantoolSyntaxNotSupportedError(
        'relational queries with nested relations (`with`)',
        'Drizzle builds them with json_array()/json_group_array(), which Tarantool 2.x lacks. Query the related ' +
          'tables with db.select().from(...).leftJoin(...) instead; findMany()/findFirst() without `with` work.',
      )
    }
    return super.buildRelationalQuery(args)
  }
}
