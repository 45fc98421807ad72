import {
  ColumnDefinitionNode,
  SelectQueryNode,
  SqliteQueryCompiler,
  type AlterTableNode,
  type CreateTableNode,
  type CreateViewNode,
  type DeleteQueryNode,
  type DropTableNode,
  type UpdateQueryNode,
  type DataTypeNode,
  type DefaultInsertValueNode,
  type DropIndexNode,
  type OffsetNode,
  type OnConflictNode,
  type OnDuplicateKeyNode,
  type ReturningNode,
} from 'kysely'
import {
  TarantoolDataTypeNotSupportedError,
  TarantoolOnConflictNotSupportedError,
  TarantoolReturningNotSupportedError,
  TarantoolSyntaxNotSupportedError,
} from '../tarantool-dialect-errors.ts'
import { tarantoolDataType } from './tarantool-data-types.ts'

/**
 * LIMIT emitted for an OFFSET without LIMIT. Tarantool requires LIMIT before OFFSET and rejects a LIMIT whose
 * sum with the OFFSET overflows an unsigned 64-bit integer, so the largest safe value is 2^63 - 1 (verified
 * on 2.6: `LIMIT 18446744073709551615 OFFSET 1` fails, `LIMIT 9223372036854775807 OFFSET 1` works).
 */
export const TARANTOOL_UNBOUNDED_LIMIT = '9223372036854775807'

/**
 * Compiles Kysely operation trees to Tarantool SQL
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/; on kysely-org/kysely
 * `src/dialect/sqlite/sqlite-query-compiler.ts`).
 *
 * Builds on Kysely's SQLite compiler (Tarantool SQL descends from SQLite) and changes what Tarantool
 * parses differently:
 * - every identifier **and alias** is double-quoted (unquoted names are upper-cased by Tarantool 2.x, so
 *   quoting keeps result keys as written); parameters are positional `?`;
 * - `.orIgnore()` / `.orReplace()` / `.orAbort()` / `.orFail()` / `.orRollback()` and `replaceInto()` compile
 *   to `insert or ignore` etc., which Tarantool supports;
 * - `offset(n)` without `limit()` emits `limit 9223372036854775807 offset ?` (Tarantool has no bare OFFSET);
 * - data types map to Tarantool names (`text` → STRING, `bigint` → INTEGER, `double precision` → DOUBLE,
 *   `blob` → VARBINARY, `numeric` → NUMBER, ...; see {@link tarantoolDataType}); `integer` + `.unsigned()`
 *   → UNSIGNED; AUTOINCREMENT is always emitted last in a column definition, which Tarantool requires.
 *
 * Throws, before anything is sent:
 * - {@link TarantoolReturningNotSupportedError} for `.returning()` (no RETURNING in Tarantool);
 * - {@link TarantoolOnConflictNotSupportedError} for `.onConflict()` / `.onDuplicateKeyUpdate()`;
 * - {@link TarantoolDataTypeNotSupportedError} for date/time, json, char and serial types;
 * - {@link TarantoolSyntaxNotSupportedError} for `DEFAULT` inside VALUES (Kysely emits it when the rows of a
 *   multi-row insert have different keys), `dropIndex()` without `.on(table)`, ALTER TABLE column changes
 *   other than one `addColumn` (no RENAME/DROP/ALTER COLUMN in any version), `alterTable().addIndex()`,
 *   `createView().orReplace()`, temporary tables and `createTable().as()`, `dropTable().cascade()`, and
 * UPDATE/DELETE with FROM, ORDER BY or LIMIT
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/).
 *
 * Raw SQL (`sql\`...\``) is passed through untouched.
 *
 * @example
 * import { Kysely } from 'kysely'
 * import { createLazyPool } from 'dialectry/tarantool'
 * import { TarantoolDialect } from 'dialectry/tarantool/kysely'
 *
 * // Compiling needs no connection.
 * const db = new Kysely<any>({ dialect: new TarantoolDialect({ pool: () => createLazyPool('127.0.0.1:3301') }) })
 * db.selectFrom('users').select('id as userId').offset(10).compile().sql
 * // select "id" as "userId" from "users" limit 9223372036854775807 offset ?
 */
export class TarantoolQueryCompiler extends SqliteQueryCompiler {
  protected override visitReturning(_node: ReturningNode): void {
    const parent = this.parentNode
    const statement = parent === undefined ? 'statement' : parent.kind.replace(/QueryNode$/, '').toUpperCase()
    throw new TarantoolReturningNotSupportedError(statement)
  }

  protected override visitOnConflict(_node: OnConflictNode): void {
    throw new TarantoolOnConflictNotSupportedError(
      'Use .orIgnore() (INSERT OR IGNORE) or .orReplace() (INSERT OR REPLACE) instead. Note that they react to ' +
        'every constraint of the row: OR IGNORE also skips rows that violate NOT NULL or CHECK, and OR REPLACE ' +
        'deletes every row that conflicts on any unique index.',
    )
  }

  protected override visitOnDuplicateKey(_node: OnDuplicateKeyNode): void {
    throw new TarantoolOnConflictNotSupportedError('Use .orReplace() (INSERT OR REPLACE) or an UPDATE instead.')
  }

  protected override visitOffset(node: OffsetNode): void {
    const parent = this.parentNode
    if (parent !== undefined && SelectQueryNode.is(parent) && parent.limit === undefined) {
      this.append(`limit ${TARANTOOL_UNBOUNDED_LIMIT} `)
    }
    super.visitOffset(node)
  }

  protected override visitDataType(node: DataTypeNode): void {
    const parent = this.parentNode
    if (parent !== undefined && ColumnDefinitionNode.is(parent) && parent.unsigned) {
      const mapped = tarantoolDataType(node.dataType)
      if (mapped !== 'INTEGER') {
        throw new TarantoolDataTypeNotSupportedError(`${node.dataType} unsigned`, 'Only integer columns can be unsigned (Tarantool type UNSIGNED).')
      }
      this.append('UNSIGNED')
      return
    }
    this.append(tarantoolDataType(node.dataType))
  }

  protected override visitColumnDefinition(node: ColumnDefinitionNode): void {
    // Tarantool accepts nothing after AUTOINCREMENT in a column definition (`... AUTOINCREMENT CHECK (...)`
    // is a syntax error), and `.unsigned()` is a type of its own, handled in visitDataType.
    const typedByDialect = node.dataType.kind === 'DataTypeNode'
    super.visitColumnDefinition({ ...node, unsigned: typedByDialect ? false : node.unsigned, autoIncrement: false })
    if (node.autoIncrement) {
      this.append(' ')
      this.append(this.getAutoIncrement())
    }
  }

  protected override visitDefaultInsertValue(_node: DefaultInsertValueNode): void {
    // SQLite's compiler writes NULL here, which silently stores NULL instead of the column default.
    throw new TarantoolSyntaxNotSupportedError(
      'the DEFAULT keyword inside VALUES (Kysely emits it when the rows of a multi-row insert have different keys)',
      'Give every row the same keys (pass the default value or null explicitly), or insert the rows one by one.',
    )
  }

  protected override visitAlterTable(node: AlterTableNode): void {
    const alterations = node.columnAlterations ?? []
    for (const a of alterations) {
      if (a.kind !== 'AddColumnNode') {
        throw new TarantoolSyntaxNotSupportedError(
          'RENAME, DROP, ALTER or MODIFY COLUMN',
          'No Tarantool version can change or remove a column: create a new table, copy the rows and drop the old one.',
        )
      }
    }
    if (alterations.length > 1) {
      throw new TarantoolSyntaxNotSupportedError('several column changes in one ALTER TABLE', 'Add one column per alterTable() call (Tarantool 2.7+ only).')
    }
    if (node.addIndex !== undefined || node.dropIndex !== undefined) {
      throw new TarantoolSyntaxNotSupportedError('indexes in ALTER TABLE', 'Use db.schema.createIndex(...).on(table) and dropIndex(...).on(table).')
    }
    super.visitAlterTable(node)
  }

  protected override visitCreateView(node: CreateViewNode): void {
    if (node.orReplace) throw new TarantoolSyntaxNotSupportedError('CREATE OR REPLACE VIEW', 'Drop the view first (dropView().ifExists()), then create it.')
    if (node.temporary) throw new TarantoolSyntaxNotSupportedError('temporary views', 'Create an ordinary view.')
    super.visitCreateView(node)
  }

  protected override visitCreateTable(node: CreateTableNode): void {
    if (node.temporary) throw new TarantoolSyntaxNotSupportedError('CREATE TEMPORARY TABLE', "Create an ordinary table (Lua's box.schema.space.create has a `temporary` option).")
    if (node.selectQuery !== undefined) throw new TarantoolSyntaxNotSupportedError('CREATE TABLE ... AS SELECT', 'Create the table, then INSERT INTO ... SELECT.')
    super.visitCreateTable(node)
  }

  protected override visitDropTable(node: DropTableNode): void {
    if (node.cascade) throw new TarantoolSyntaxNotSupportedError('DROP TABLE ... CASCADE', 'Drop the dependent views and tables first.')
    super.visitDropTable(node)
  }

  protected override visitUpdateQuery(node: UpdateQueryNode): void {
    if (node.from !== undefined) throw new TarantoolSyntaxNotSupportedError('UPDATE ... FROM', 'Use a correlated subquery in SET or WHERE.')
    if (node.limit !== undefined || node.orderBy !== undefined) throw new TarantoolSyntaxNotSupportedError('UPDATE with ORDER BY or LIMIT', 'Select the primary keys with ORDER BY/LIMIT and update WHERE key IN (...).')
    super.visitUpdateQuery(node)
  }

  protected override visitDeleteQuery(node: DeleteQueryNode): void {
    if (node.using !== undefined) throw new TarantoolSyntaxNotSupportedError('DELETE ... USING', 'Use a subquery in WHERE.')
    if (node.limit !== undefined || node.orderBy !== undefined) throw new TarantoolSyntaxNotSupportedError('DELETE with ORDER BY or LIMIT', 'Select the primary keys with ORDER BY/LIMIT and delete WHERE key IN (...).')
    super.visitDeleteQuery(node)
  }

  protected override visitDropIndex(node: DropIndexNode): void {
    if (node.table === undefined) {
      throw new TarantoolSyntaxNotSupportedError(
        'DROP INDEX without a table',
        "Index names are per table in Tarantool: write db.schema.dropIndex('name').on('table').",
      )
    }
    super.visitDropIndex(node)
  }
}
