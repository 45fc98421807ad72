import { CrateDBError } from '../../src/cratedb/errors.ts'
import { migrationFailureMessage } from '../shared/migration-error-message.ts'

/**
 * Base class of the errors the CrateDB Kysely dialect and Drizzle driver throw themselves (as opposed to the
 * driver's `ProgrammingError`, `IntegrityError`, `ConnectionError`, ... which pass through unchanged). Extends
 * the driver's `CrateDBError`, so `err instanceof CrateDBError` catches both. Never retryable: they describe
 * something CrateDB cannot do, not a transient failure. `code` is a `SCREAMING_SNAKE` string.
 */
export class CrateDBDialectError extends CrateDBError {
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { code, retryable: false, ...(cause === undefined ? {} : { cause }) })
  }
}

/**
 * `db.transaction()`, `db.startTransaction()` (Kysely) or `db.transaction()` (Drizzle) was called. CrateDB has
 * no transactions
 * (https://cratedb.com/docs/crate/reference/en/latest/appendices/compatibility.html#appendix-compat-transactions):
 * `BEGIN`/`COMMIT` are accepted and ignored, every statement is applied
 * on its own at once, and `ROLLBACK` is a syntax error. Emulating a transaction would make callers believe in
 * atomicity and rollback they do not get (as kysely-org/kysely-singlestore, whose
 * `SingleStoreDataApiTransactionsNotSupportedError` does the same), so the dialects refuse before the
 * callback runs — nothing has been sent.
 */
export class CrateDBTransactionsNotSupportedError extends CrateDBDialectError {
  constructor() {
    super(
      'CrateDB has no transactions: every statement is applied immediately and on its own, and there is no ROLLBACK. ' +
        'Run the statements directly on the database object; make multi-step writes idempotent (INSERT ... ON CONFLICT ' +
        'on the primary key) or guard them with optimistic concurrency control (WHERE pk = ? AND "_seq_no" = ? AND ' +
        '"_primary_term" = ?).',
      'TRANSACTIONS_NOT_SUPPORTED',
    )
  }
}

/**
 * A statement asked for `RETURNING` where CrateDB has none: DELETE (CrateDB supports RETURNING on INSERT and
 * UPDATE only, https://cratedb.com/docs/crate/reference/en/latest/sql/statements/delete.html). Thrown while compiling,
 * before anything is sent.
 */
export class CrateDBReturningNotSupportedError extends CrateDBDialectError {
  constructor(statement: string) {
    super(
      `CrateDB has no RETURNING clause on ${statement} (only INSERT and UPDATE return rows). Select the rows ` +
        `(by primary key, which reads in real time) before deleting them, then delete without .returning().`,
      'RETURNING_NOT_SUPPORTED',
    )
  }
}

/**
 * An upsert form CrateDB lacks
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/insert.html#sql-insert-on-conflict-do-update): `ON
 * CONFLICT ON CONSTRAINT`, a `WHERE` on the conflict
 * target or on `DO UPDATE`, an index expression as target, MySQL's `ON DUPLICATE KEY UPDATE` (removed in
 * CrateDB 4.0) and SQLite's `INSERT OR …`. What works: `ON CONFLICT (<primary key columns>) DO UPDATE SET …`
 * (with `excluded.<col>`) and `ON CONFLICT [(…)] DO NOTHING`.
 */
export class CrateDBOnConflictNotSupportedError extends CrateDBDialectError {
  constructor(form: string) {
    super(
      `CrateDB does not support ${form}. Use ON CONFLICT (<primary key columns>) DO UPDATE SET col = excluded.col, or ` +
        'ON CONFLICT DO NOTHING: the conflict target is always the primary key (CrateDB has no other unique constraints).',
      'ON_CONFLICT_NOT_SUPPORTED',
    )
  }
}

/**
 * A column asked for a generated sequence: `serial`/`bigserial`, `.autoIncrement()`, `.identity()` or
 * `generated … as identity`. CrateDB has no sequences
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/constraints.html); a text primary key with
 * `DEFAULT gen_random_text_uuid()` is the usual replacement.
 */
export class CrateDBSequencesNotSupportedError extends CrateDBDialectError {
  constructor(what: string) {
    super(
      `CrateDB has no sequences, so ${what} cannot be created. Use a text primary key with a generated value: ` +
        "addColumn('id', 'text', (col) => col.primaryKey().defaultTo(sql`gen_random_text_uuid()`)) in Kysely, " +
        "text('id').primaryKey().default(sql`gen_random_text_uuid()`) in Drizzle, or assign ids in the application.",
      'SEQUENCES_NOT_SUPPORTED',
    )
  }
}

/**
 * A `FOREIGN KEY` / `REFERENCES` constraint. CrateDB has none
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/constraints.html); the dialect refuses it
 * instead of dropping it silently, so the schema does not promise integrity it will not get.
 */
export class CrateDBForeignKeyNotSupportedError extends CrateDBDialectError {
  constructor() {
    super(
      'CrateDB has no foreign keys. Remove .references()/addForeignKeyConstraint() and check the relation in the ' +
        'application (CrateDB will not stop orphaned rows).',
      'FOREIGN_KEY_NOT_SUPPORTED',
    )
  }
}

/**
 * A `UNIQUE` constraint. CrateDB enforces uniqueness only through the primary key
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/constraints.html).
 */
export class CrateDBUniqueNotSupportedError extends CrateDBDialectError {
  constructor() {
    super(
      'CrateDB has no UNIQUE constraints; only the primary key is unique. Make the column (or the column set) the ' +
        'primary key, or check uniqueness in the application.',
      'UNIQUE_NOT_SUPPORTED',
    )
  }
}

/**
 * `CREATE INDEX` / `DROP INDEX` / `ALTER TABLE … ADD INDEX`. CrateDB indexes every column by default and has no
 * separate index statements; a full-text index is a column constraint (`body text INDEX USING fulltext`), which
 * Kysely's `modifyEnd(sql\`…\`)` on the column can express.
 */
export class CrateDBIndexNotSupportedError extends CrateDBDialectError {
  constructor() {
    super(
      'CrateDB has no CREATE/DROP INDEX: every column is indexed by default (turn it off with `INDEX OFF` in the ' +
        'column definition). Declare a full-text index on its column instead, e.g. ' +
        "addColumn('body', 'text', (c) => c.modifyEnd(sql`index using fulltext with (analyzer = 'english')`)).",
      'INDEX_NOT_SUPPORTED',
    )
  }
}

/**
 * A data type (in a column definition or CAST) that CrateDB lacks or only accepts in another form, e.g.
 * `numeric` without precision and scale in a column, `timestamp(3)`, `bytea`, `jsonb`. The message names the
 * CrateDB type to use (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html).
 */
export class CrateDBDataTypeNotSupportedError extends CrateDBDialectError {
  readonly dataType: string

  constructor(dataType: string, hint: string) {
    super(`CrateDB has no column type ${JSON.stringify(dataType)}. ${hint}`, 'DATA_TYPE_NOT_SUPPORTED')
    this.dataType = dataType
  }
}

/**
 * SQL that CrateDB's grammar lacks and that the dialect cannot rewrite faithfully
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/index.html):
 * `FOR UPDATE`/`FOR SHARE`, lateral joins, `UPDATE … FROM`, `DELETE … USING`, UPDATE/DELETE with ORDER BY or
 * LIMIT, MERGE, ALTER COLUMN, ... `feature` names the construct.
 */
export class CrateDBSyntaxNotSupportedError extends CrateDBDialectError {
  readonly feature: string

  constructor(feature: string, hint: string) {
    super(`CrateDB does not support ${feature}. ${hint}`, 'SYNTAX_NOT_SUPPORTED')
    this.feature = feature
  }
}

/**
 * Kysely's `.stream()` on a client without a cursor stream (the structural client has no `stream` method).
 */
export class CrateDBStreamingNotSupportedError extends CrateDBDialectError {
  constructor() {
    super(
      'This CrateDB client has no stream() method, so results cannot be streamed. Use the dialectry/cratedb client ' +
        '(it streams through a server-side cursor), or page with limit/offset.',
      'STREAMING_NOT_SUPPORTED',
    )
  }
}

/**
 * A migration lock could not be taken within its timeout (Kysely Migrator or Drizzle `migrate()`). The message
 * says which lock row is held and the statement that clears a stale lock left by a migrator that crashed
 * while holding it (CrateDB has no session-scoped locks that would vanish with the session).
 */
export class CrateDBMigrationLockTimeoutError extends CrateDBDialectError {
  constructor(message: string) {
    super(message, 'MIGRATION_LOCK_TIMEOUT')
  }
}

/**
 * A statement of a Drizzle migration failed. Statements of that migration that ran before it stay applied
 * (CrateDB has no transactions); earlier migrations are recorded. `migration` is the journal tag (e.g.
 * `0001_add_pets`), `statement` the 1-based index within its file; `cause` is the driver's error.
 */
export class CrateDBMigrationError extends CrateDBDialectError {
  readonly migration: string
  readonly statement: number

  constructor(migration: string, statement: number, total: number, cause: unknown) {
    super(migrationFailureMessage(migration, statement, total, cause), 'MIGRATION_FAILED', cause)
    this.migration = migration
    this.statement = statement
  }
}

/**
 * Drizzle `migrate()` would resume a partly applied migration whose applied statements were edited in the file
 * since (the stored hash of the applied statements no longer matches). Resuming would skip the edit silently,
 * and CrateDB cannot undo what ran. `migration` is the journal tag, `statementsDone` how many statements ran.
 */
export class CrateDBMigrationChangedError extends CrateDBDialectError {
  readonly migration: string
  readonly statementsDone: number

  constructor(migration: string, statementsDone: number, total: number, table: string) {
    super(
      `Migration ${migration} stopped after statement ${statementsDone} of ${total}, and its statements 1..${statementsDone}, ` +
        'which were applied, have changed in the file since. CrateDB has no transactions, so they are neither re-run nor ' +
        `undone. Restore statements 1..${statementsDone} as they were applied (fix only statement ${statementsDone + 1} onward), or ` +
        `undo their effects by hand and delete the bookkeeping row (DELETE FROM ${table} WHERE "name" = '${migration.replace(/'/g, "''")}') ` +
        'so that migrate() runs the migration from its first statement.',
      'MIGRATION_CHANGED',
    )
    this.migration = migration
    this.statementsDone = statementsDone
  }
}

/**
 * A drizzle-kit migration holds a statement that CrateDB cannot run and `migrate()` cannot translate faithfully:
 * `serial`/identity columns and sequences (CrateDB has none), `UNIQUE` constraints and unique indexes (CrateDB
 * enforces uniqueness only for the primary key), enum types. Thrown before any statement of the pending
 * migrations runs, so nothing was applied by that call. `migration` is the journal tag, `statement` the 1-based
 * index within its file, `feature` the construct.
 */
export class CrateDBMigrationNotSupportedError extends CrateDBDialectError {
  readonly migration: string
  readonly statement: number
  readonly feature: string

  constructor(migration: string, statement: number, total: number, feature: string, hint: string) {
    super(
      `Migration ${migration}, statement ${statement} of ${total}: CrateDB does not support ${feature}. ${hint} ` +
        'Nothing of the pending migrations was applied: change the schema, generate again, and run migrate() again.',
      'MIGRATION_NOT_SUPPORTED',
    )
    this.migration = migration
    this.statement = statement
    this.feature = feature
  }
}
