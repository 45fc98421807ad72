import {
  ColumnDefinitionNode,
  type CreateTableNode,
  DeleteQueryNode,
  PostgresQueryCompiler,
  SelectQueryNode,
  ValueNode,
  type AddIndexNode,
  type AlterTableNode,
  type CreateIndexNode,
  type CreateTypeNode,
  type CreateViewNode,
  type DataTypeNode,
  type DropIndexNode,
  type DropTableNode,
  type DropTypeNode,
  type DropViewNode,
  type ForeignKeyConstraintNode,
  type GeneratedNode,
  type InsertQueryNode,
  type JoinNode,
  type JSONReferenceNode,
  type OffsetNode,
  type OnConflictNode,
  type OnDuplicateKeyNode,
  type OrActionNode,
  type RefreshMaterializedViewNode,
  type ReturningNode,
  type SelectModifierNode,
  type UniqueConstraintNode,
  type UpdateQueryNode,
  type AlterTypeNode,
  type ReferencesNode,
  type CommonTableExpressionNode,
  type FetchNode,
  type WithNode,
} from 'kysely'
import {
  CrateDBForeignKeyNotSupportedError,
  CrateDBIndexNotSupportedError,
  CrateDBOnConflictNotSupportedError,
  CrateDBReturningNotSupportedError,
  CrateDBSequencesNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBUniqueNotSupportedError,
} from '../cratedb-dialect-errors.ts'
import { cratedbDataType } from './cratedb-data-types.ts'
import { appendSubscript } from '../cratedb-subscript.ts'
import { checkSetOperations } from './cratedb-set-operations.ts'

const LOCKING_MODIFIERS = new Set(['ForUpdate', 'ForShare', 'ForKeyShare', 'ForNoKeyUpdate', 'NoWait', 'SkipLocked'])
const LATERAL_JOINS = new Set(['LateralInnerJoin', 'LateralLeftJoin', 'LateralCrossJoin', 'CrossApply', 'OuterApply'])

/**
 * Compiles Kysely operation trees to CrateDB SQL for the HTTP `_sql` endpoint
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/index.html;
 * kysely-org/kysely `src/dialect/postgres/postgres-query-compiler.ts`), on top of Kysely's PostgreSQL compiler. Checked
 * against CrateDB's own
 * grammar (`SqlBaseParser.g4`).
 *
 * What changes from PostgreSQL:
 * - parameters are positional `?`; identifiers and aliases are always double-quoted (so `_id`, `"Name"` and
 *   reserved words such as `match` or `object` are safe);
 * - `offset(n)` without `limit()` emits `limit all offset ?`;
 * - JSON references (`eb.ref('obj', '->').key('a').key('b')`, `'->>'`, and `$.a.b` paths) compile to CrateDB
 *   object subscripts `"obj"['a']['b']` (keys become quoted literals; CrateDB does not take parameters there);
 * - data types map to CrateDB names (see {@link cratedbDataType}); `generatedAlwaysAs(expr).stored()` drops
 *   `stored` (CrateDB persists every generated column).
 *
 * Throws, before anything is sent:
 * - {@link CrateDBReturningNotSupportedError} for `deleteFrom().returning()` (RETURNING works on INSERT and UPDATE);
 * - {@link CrateDBOnConflictNotSupportedError} for `onConflict` with `.constraint()`, `.expression()`, a target
 *   `where`, or a `doUpdateSet(...).where(...)`; for `onDuplicateKeyUpdate()`, `orIgnore()`/`orReplace()`… and
 *   `replaceInto()` (plain `onConflict((oc) => oc.columns([...]).doUpdateSet(...))` and `.doNothing()` work);
 * - {@link CrateDBSequencesNotSupportedError} for `serial`/`bigserial`, `.autoIncrement()`, `.identity()` and
 *   `generated … as identity`;
 * - {@link CrateDBForeignKeyNotSupportedError} for `.references()` and `addForeignKeyConstraint()`;
 * - {@link CrateDBUniqueNotSupportedError} for `.unique()` and `addUniqueConstraint()`;
 * - {@link CrateDBIndexNotSupportedError} for `createIndex()`, `dropIndex()` and `alterTable().addIndex()/dropIndex()`;
 * - {@link CrateDBSyntaxNotSupportedError} for `forUpdate()`/`forShare()`/…, lateral joins and apply, `distinctOn()`,
 *   `withRecursive()`, CTEs with `materialized`/`notMaterialized`, `with(...)` on INSERT/UPDATE/DELETE,
 *   `defaultValues()`, `fetch(n, 'with ties')`, `intersectAll()`/`exceptAll()` and set operations CrateDB would
 *   parse differently (see {@link checkSetOperations}),
 *   UPDATE … FROM / joins, DELETE … USING / joins, UPDATE/DELETE with ORDER BY or LIMIT, `mergeInto()`,
 *   ALTER COLUMN type/NOT NULL changes, `modifyColumn()`, `setSchema()`, ADD CONSTRAINT, mixing different
 *   ALTER TABLE actions, temporary tables and views, materialized views, `createView().ifNotExists()` or a
 *   column list, DROP TABLE/VIEW … CASCADE, enums (`createType()`), unsigned columns, and JSON array indexes.
 * - `CrateDBDataTypeNotSupportedError` (from {@link cratedbDataType}) for types CrateDB lacks.
 *
 * Raw SQL (`sql\`...\``) is passed through untouched.
 *
 * @example
 * import { Kysely } from 'kysely'
 * import { CrateDBDialect } from 'dialectry/cratedb/kysely'
 *
 * // Compiling needs no server.
 * const db = new Kysely<any>({ dialect: new CrateDBDialect({ client: () => connect('http://localhost:4200') }) })
 * db.selectFrom('users').select('_id').offset(10).compile().sql
 * // select "_id" from "users" limit all offset ?
 */
export class CrateDBQueryCompiler extends PostgresQueryCompiler {
  protected override getCurrentParameterPlaceholder(): string {
    return '?'
  }

  protected override visitOffset(node: OffsetNode): void {
    const parent = this.parentNode
    if (parent !== undefined && SelectQueryNode.is(parent) && parent.limit === undefined && parent.fetch === undefined) {
      this.append('limit all ')
    }
    super.visitOffset(node)
  }

  protected override visitSelectQuery(node: SelectQueryNode): void {
    if (node.distinctOn !== undefined) {
      throw new CrateDBSyntaxNotSupportedError('DISTINCT ON', 'Use GROUP BY with an aggregate (e.g. max_by(col, ts)) or a window function instead.')
    }
    checkSetOperations(node)
    super.visitSelectQuery(node)
  }

  protected override visitWith(node: WithNode): void {
    if (node.recursive) throw new CrateDBSyntaxNotSupportedError('WITH RECURSIVE', 'Walk the hierarchy in the application, one level per query.')
    super.visitWith(node)
  }

  protected override visitCommonTableExpression(node: CommonTableExpressionNode): void {
    if (node.materialized !== undefined) {
      throw new CrateDBSyntaxNotSupportedError('MATERIALIZED / NOT MATERIALIZED on a common table expression', 'Drop .materialized()/.notMaterialized(); CrateDB plans CTEs itself.')
    }
    super.visitCommonTableExpression(node)
  }

  protected override visitFetch(node: FetchNode): void {
    if (node.modifier !== 'only') throw new CrateDBSyntaxNotSupportedError('FETCH ... WITH TIES', 'Use fetch(n) (FETCH NEXT n ROWS ONLY) or limit(n).')
    super.visitFetch(node)
  }

  protected override visitSelectModifier(node: SelectModifierNode): void {
    if (node.modifier !== undefined && LOCKING_MODIFIERS.has(node.modifier)) {
      throw new CrateDBSyntaxNotSupportedError(
        'row locking (FOR UPDATE / FOR SHARE / NOWAIT / SKIP LOCKED)',
        'CrateDB has no row locks. Update with optimistic concurrency instead: read "_seq_no" and "_primary_term" by primary key, then UPDATE ... WHERE pk = ? AND "_seq_no" = ? AND "_primary_term" = ? and check the row count.',
      )
    }
    super.visitSelectModifier(node)
  }

  protected override visitJoin(node: JoinNode): void {
    if (LATERAL_JOINS.has(node.joinType)) {
      throw new CrateDBSyntaxNotSupportedError('LATERAL joins and CROSS/OUTER APPLY', 'Use an ordinary join on a grouped subquery, or a correlated scalar subquery in the select list.')
    }
    super.visitJoin(node)
  }

  protected override visitReturning(node: ReturningNode): void {
    const parent = this.parentNode
    if (parent !== undefined && DeleteQueryNode.is(parent)) throw new CrateDBReturningNotSupportedError('DELETE')
    super.visitReturning(node)
  }

  protected override visitInsertQuery(node: InsertQueryNode): void {
    if (node.replace) throw new CrateDBOnConflictNotSupportedError('REPLACE INTO')
    if (node.defaultValues) {
      throw new CrateDBSyntaxNotSupportedError('INSERT ... DEFAULT VALUES', 'Name at least one column: values({ id: sql`gen_random_text_uuid()` }) (DEFAULT works inside VALUES lists).')
    }
    refuseDmlWith(node.with, 'INSERT')
    super.visitInsertQuery(node)
  }

  protected override visitOrAction(node: OrActionNode): void {
    throw new CrateDBOnConflictNotSupportedError(`INSERT OR ${node.action.toUpperCase()}`)
  }

  protected override visitOnDuplicateKey(_node: OnDuplicateKeyNode): void {
    throw new CrateDBOnConflictNotSupportedError('ON DUPLICATE KEY UPDATE (removed in CrateDB 4.0)')
  }

  protected override visitOnConflict(node: OnConflictNode): void {
    if (node.constraint !== undefined) throw new CrateDBOnConflictNotSupportedError('ON CONFLICT ON CONSTRAINT')
    if (node.indexExpression !== undefined) throw new CrateDBOnConflictNotSupportedError('an expression as ON CONFLICT target')
    if (node.indexWhere !== undefined) throw new CrateDBOnConflictNotSupportedError('a WHERE clause on the ON CONFLICT target')
    if (node.updateWhere !== undefined) throw new CrateDBOnConflictNotSupportedError('ON CONFLICT ... DO UPDATE ... WHERE')
    if (node.updates !== undefined && node.columns === undefined) {
      throw new CrateDBOnConflictNotSupportedError('ON CONFLICT DO UPDATE without a conflict target (name the primary key: oc.columns([...]))')
    }
    super.visitOnConflict(node)
  }

  protected override visitUpdateQuery(node: UpdateQueryNode): void {
    refuseDmlWith(node.with, 'UPDATE')
    if (node.from !== undefined || node.joins !== undefined) {
      throw new CrateDBSyntaxNotSupportedError('UPDATE ... FROM / joins in UPDATE', 'Use a subquery in SET or WHERE (e.g. where id in (select ...)).')
    }
    if (node.orderBy !== undefined || node.limit !== undefined) {
      throw new CrateDBSyntaxNotSupportedError('UPDATE with ORDER BY or LIMIT', 'Select the primary keys with ORDER BY/LIMIT first, then update WHERE pk IN (...).')
    }
    super.visitUpdateQuery(node)
  }

  protected override visitDeleteQuery(node: DeleteQueryNode): void {
    refuseDmlWith(node.with, 'DELETE')
    if (node.using !== undefined || node.joins !== undefined) {
      throw new CrateDBSyntaxNotSupportedError('DELETE ... USING / joins in DELETE', 'Use a subquery in WHERE (e.g. where id in (select ...)).')
    }
    if (node.orderBy !== undefined || node.limit !== undefined) {
      throw new CrateDBSyntaxNotSupportedError('DELETE with ORDER BY or LIMIT', 'Select the primary keys with ORDER BY/LIMIT first, then delete WHERE pk IN (...).')
    }
    super.visitDeleteQuery(node)
  }

  protected override visitMergeQuery(): void {
    throw new CrateDBSyntaxNotSupportedError('MERGE', 'Use INSERT ... ON CONFLICT (<primary key>) DO UPDATE SET ... instead.')
  }

  protected override visitJSONReference(node: JSONReferenceNode): void {
    this.visitNode(node.reference)
    const traversal = node.traversal
    const keys: (string | number)[] =
      traversal.kind === 'JSONOperatorChainNode'
        ? traversal.values.map((v) => (ValueNode.is(v) ? (v.value as string | number) : String(v)))
        : traversal.pathLegs.map((leg) => {
            if (leg.type === 'ArrayLocation') {
              throw new CrateDBSyntaxNotSupportedError('JSON array positions in a path', "Use cratedbSubscript(column, 'key', 1): CrateDB array subscripts start at 1.")
            }
            return leg.value
          })
    for (const key of keys) {
      if (typeof key !== 'string') {
        throw new CrateDBSyntaxNotSupportedError('JSON array positions (.at(n))', "Use cratedbSubscript(column, 'key', 1): CrateDB array subscripts start at 1, PostgreSQL's ->n at 0.")
      }
      appendSubscript((s) => this.append(s), key)
    }
  }

  // --- DDL ---

  protected override visitDataType(node: DataTypeNode): void {
    const parent = this.parentNode
    this.append(cratedbDataType(node.dataType, parent !== undefined && ColumnDefinitionNode.is(parent)))
  }

  protected override visitColumnDefinition(node: ColumnDefinitionNode): void {
    if (node.autoIncrement) throw new CrateDBSequencesNotSupportedError('an auto-increment column')
    if (node.identity || node.generated?.identity) throw new CrateDBSequencesNotSupportedError('an identity column')
    if (node.unique) throw new CrateDBUniqueNotSupportedError()
    if (node.references !== undefined) throw new CrateDBForeignKeyNotSupportedError()
    if (node.unsigned) throw new CrateDBSyntaxNotSupportedError('unsigned columns', "Use 'bigint' for the full unsigned 32-bit range, with a check constraint if negatives must be refused.")
    super.visitColumnDefinition(node)
  }

  protected override visitGenerated(node: GeneratedNode): void {
    // CrateDB: `GENERATED ALWAYS AS expr`, always persisted; the PostgreSQL `STORED` keyword is not in its grammar.
    super.visitGenerated({ ...node, stored: false })
  }

  protected override visitReferences(_node: ReferencesNode): void {
    throw new CrateDBForeignKeyNotSupportedError()
  }

  protected override visitForeignKeyConstraint(_node: ForeignKeyConstraintNode): void {
    throw new CrateDBForeignKeyNotSupportedError()
  }

  protected override visitUniqueConstraint(_node: UniqueConstraintNode): void {
    throw new CrateDBUniqueNotSupportedError()
  }

  protected override visitCreateIndex(_node: CreateIndexNode): void {
    throw new CrateDBIndexNotSupportedError()
  }

  protected override visitDropIndex(_node: DropIndexNode): void {
    throw new CrateDBIndexNotSupportedError()
  }

  protected override visitAddIndex(_node: AddIndexNode): void {
    throw new CrateDBIndexNotSupportedError()
  }

  protected override visitCreateTable(node: CreateTableNode): void {
    if (node.temporary) throw new CrateDBSyntaxNotSupportedError('temporary tables', 'Create an ordinary table and drop it when done.')
    if (node.onCommit !== undefined) throw new CrateDBSyntaxNotSupportedError('ON COMMIT', 'CrateDB has no transactions; drop the table explicitly.')
    super.visitCreateTable(node)
  }

  protected override visitDropTable(node: DropTableNode): void {
    if (node.cascade) throw new CrateDBSyntaxNotSupportedError('DROP TABLE ... CASCADE', 'Drop the dependent views first.')
    super.visitDropTable(node)
  }

  protected override visitCreateView(node: CreateViewNode): void {
    if (node.materialized) throw new CrateDBSyntaxNotSupportedError('materialized views', 'Create a table and fill it with INSERT ... SELECT.')
    if (node.temporary) throw new CrateDBSyntaxNotSupportedError('temporary views', 'Create an ordinary view.')
    if (node.ifNotExists) throw new CrateDBSyntaxNotSupportedError('CREATE VIEW IF NOT EXISTS', 'Use createView(name).orReplace().')
    if (node.columns !== undefined) throw new CrateDBSyntaxNotSupportedError('a column list in CREATE VIEW', 'Alias the columns in the SELECT instead.')
    super.visitCreateView(node)
  }

  protected override visitDropView(node: DropViewNode): void {
    if (node.materialized) throw new CrateDBSyntaxNotSupportedError('materialized views', 'Drop the table that holds the data instead.')
    if (node.cascade) throw new CrateDBSyntaxNotSupportedError('DROP VIEW ... CASCADE', 'Drop the dependent views first.')
    super.visitDropView(node)
  }

  protected override visitRefreshMaterializedView(_node: RefreshMaterializedViewNode): void {
    throw new CrateDBSyntaxNotSupportedError('materialized views', "To make recent writes visible to queries, use refresh(db, 'table') (REFRESH TABLE).")
  }

  protected override visitCreateType(_node: CreateTypeNode): void {
    throw new CrateDBSyntaxNotSupportedError('CREATE TYPE / enums', "Use a text column with a check constraint: check(sql`status in ('a', 'b')`).")
  }

  protected override visitDropType(_node: DropTypeNode): void {
    throw new CrateDBSyntaxNotSupportedError('DROP TYPE / enums', 'CrateDB has no user-defined types.')
  }

  protected override visitAlterType(_node: AlterTypeNode): void {
    throw new CrateDBSyntaxNotSupportedError('ALTER TYPE / enums', 'CrateDB has no user-defined types.')
  }

  protected override visitAlterTable(node: AlterTableNode): void {
    if (node.addIndex !== undefined || node.dropIndex !== undefined) throw new CrateDBIndexNotSupportedError()
    if (node.setSchema !== undefined) throw new CrateDBSyntaxNotSupportedError('ALTER TABLE ... SET SCHEMA', 'Create the table in the target schema and copy the rows (INSERT ... SELECT).')
    if (node.addConstraint !== undefined) {
      throw new CrateDBSyntaxNotSupportedError('ALTER TABLE ... ADD CONSTRAINT', 'Declare CHECK constraints in CREATE TABLE (or in ADD COLUMN ... CHECK (...)); CrateDB has no FOREIGN KEY/UNIQUE constraints.')
    }
    if (node.renameConstraint !== undefined) throw new CrateDBSyntaxNotSupportedError('ALTER TABLE ... RENAME CONSTRAINT', 'Drop the constraint and declare it anew.')
    const kinds = new Set((node.columnAlterations ?? []).map((a) => a.kind))
    for (const alteration of node.columnAlterations ?? []) {
      if (alteration.kind === 'ModifyColumnNode') {
        throw new CrateDBSyntaxNotSupportedError('MODIFY COLUMN', 'CrateDB cannot change a column type: add a new column, copy the values, drop the old one.')
      }
      if (alteration.kind === 'AlterColumnNode' && (alteration.dataType !== undefined || alteration.setNotNull || alteration.dropNotNull)) {
        throw new CrateDBSyntaxNotSupportedError(
          'ALTER COLUMN ... TYPE / SET NOT NULL / DROP NOT NULL',
          'CrateDB can only SET/DROP DEFAULT on an existing column; to change type or nullability add a new column, copy the values, drop the old one.',
        )
      }
    }
    if (kinds.size > 1 || ((kinds.has('RenameColumnNode') || kinds.has('AlterColumnNode')) && (node.columnAlterations?.length ?? 0) > 1)) {
      throw new CrateDBSyntaxNotSupportedError(
        'several different column changes in one ALTER TABLE',
        'CrateDB combines only ADD COLUMN with ADD COLUMN, or DROP COLUMN with DROP COLUMN; run one alterTable() per other change.',
      )
    }
    super.visitAlterTable(node)
  }

}

/** CrateDB's grammar has WITH only in front of a query, not of INSERT/UPDATE/DELETE. */
function refuseDmlWith(withNode: WithNode | undefined, statement: string): void {
  if (withNode !== undefined) {
    throw new CrateDBSyntaxNotSupportedError(`WITH (common table expressions) before ${statement}`, 'Use a subquery in the statement instead (INSERT may take a SELECT with its own WITH).')
  }
}
