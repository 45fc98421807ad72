import { TarantoolError } from '../../src/tarantool/errors.ts'
import { migrationFailureMessage } from '../shared/migration-error-message.ts'

/**
 * Base class of the errors the Tarantool Kysely dialect and Drizzle driver throw themselves (as opposed to
 * the driver's `ServerError`, `ConnectionError`, ... which pass through unchanged). Extends the driver's
 * `TarantoolError`, so `err instanceof TarantoolError` catches both. Never retryable: they describe a query
 * Tarantool cannot run, not a transient failure.
 */
export class TarantoolDialectError extends TarantoolError {
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { code, retryable: false, ...(cause === undefined ? {} : { cause }) })
  }
}

/**
 * A query asked for `RETURNING` (Kysely `.returning()`, Drizzle `.returning()`). Tarantool SQL has no
 * RETURNING clause in any version
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/#sql-insert). Thrown while
 * compiling, before anything is sent.
 * Generated AUTOINCREMENT keys are still available: Kysely's `insertId`, Drizzle's `run()` result.
 */
export class TarantoolReturningNotSupportedError extends TarantoolDialectError {
  constructor(statement: string) {
    super(
      `Tarantool SQL has no RETURNING clause, so this ${statement} cannot return rows. Drop .returning(); read ` +
        `the generated key from the result (Kysely: insertId, Drizzle: run() -> autoincrementIds) or SELECT ` +
        `the rows afterwards.`,
      'RETURNING_NOT_SUPPORTED',
    )
  }
}

/**
 * An INSERT asked for an upsert clause (`ON CONFLICT ... DO NOTHING/UPDATE`, MySQL `ON DUPLICATE KEY UPDATE`).
 * Tarantool SQL has none
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/#sql-insert); it offers
 * `INSERT OR IGNORE` / `INSERT OR REPLACE` instead,
 * which apply to every constraint of the row, not to one conflict target.
 */
export class TarantoolOnConflictNotSupportedError extends TarantoolDialectError {
  constructor(hint: string) {
    super(`Tarantool SQL has no ON CONFLICT / upsert clause. ${hint}`, 'ON_CONFLICT_NOT_SUPPORTED')
  }
}

/**
 * A schema-builder data type (or a CAST target) has no Tarantool SQL equivalent, e.g. `timestamp`, `date`,
 * `json`, `serial`. The message names the types that do work
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_user_guide/#sql-operand-data-types). A raw type
 * passed as
 * `sql\`...\`` is never checked and reaches the server as written.
 */
export class TarantoolDataTypeNotSupportedError extends TarantoolDialectError {
  readonly dataType: string

  constructor(dataType: string, hint: string) {
    super(`Tarantool SQL has no column type for ${JSON.stringify(dataType)}. ${hint}`, 'DATA_TYPE_NOT_SUPPORTED')
    this.dataType = dataType
  }
}

/**
 * A query uses SQL that Tarantool's grammar lacks and that the dialect cannot rewrite faithfully (e.g. the
 * `DEFAULT` keyword inside VALUES, `DROP INDEX` without its table). `feature` names the construct.
 */
export class TarantoolSyntaxNotSupportedError extends TarantoolDialectError {
  readonly feature: string

  constructor(feature: string, hint: string) {
    super(`Tarantool SQL does not support ${feature}. ${hint}`, 'SYNTAX_NOT_SUPPORTED')
    this.feature = feature
  }
}

/**
 * The Kysely Migrator waited `timeout` ms for the migration lock row and another migrator still held it.
 * The message says since when it is held and the statement that clears a stale lock (left by a migrator that
 * crashed while holding it — Tarantool 2.6 has no session-scoped locks that would vanish with the session).
 */
export class TarantoolMigrationLockTimeoutError extends TarantoolDialectError {
  constructor(message: string) {
    super(message, 'MIGRATION_LOCK_TIMEOUT')
  }
}

/**
 * A statement of a Drizzle migration failed. Statements of that migration that ran before it stay applied
 * (Tarantool DDL cannot be rolled back from a 2.6 client); earlier migrations are recorded. `migration` is
 * the journal tag (e.g. `0001_add_pets`), `statement` the 1-based index within its file; `cause` is the
 * error the server returned.
 */
export class TarantoolMigrationError extends TarantoolDialectError {
  readonly migration: string
  readonly statement: number

  constructor(migration: string, statement: number, total: number, cause: unknown) {
    super(migrationFailureMessage(migration, statement, total, cause), 'MIGRATION_FAILED', cause)
    this.migration = migration
    this.statement = statement
  }
}

/**
 * A drizzle-kit migration holds a statement that Tarantool SQL cannot run and `migrate()` cannot translate
 * faithfully (e.g. `ALTER TABLE … ADD` on 2.6, `RENAME COLUMN`, `DROP COLUMN`, generated columns, partial
 * indexes). Thrown before any statement of the pending migrations runs, so nothing was applied by that call.
 * `migration` is the journal tag, `statement` the 1-based index within its file, `feature` the construct.
 */
export class TarantoolMigrationNotSupportedError extends TarantoolDialectError {
  readonly migration: string
  readonly statement: number
  readonly feature: string

  constructor(migration: string, statement: number, total: number, feature: string, hint: string) {
    super(
      `Migration ${migration}, statement ${statement} of ${total}: Tarantool SQL does not support ${feature}. ${hint} ` +
        'Nothing of the pending migrations was applied: change the schema, generate again, and run migrate() again.',
      'MIGRATION_NOT_SUPPORTED',
    )
    this.migration = migration
    this.statement = statement
    this.feature = feature
  }
}
