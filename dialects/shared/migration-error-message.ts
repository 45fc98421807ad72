/**
 * The message of a dialect's `MigrationError`: which statement of which Drizzle migration failed and why (the
 * innermost `cause` of the driver's error), that the statements before it stay applied and recorded, and that
 * `migrate()` resumes at the failed statement.
 *
 * @param migration the journal tag, e.g. `0001_add_pets`.
 * @param statement the 1-based index of the failed statement within the migration file.
 * @param total how many statements the migration file has.
 * @param cause the error the statement failed with.
 * @example
 * migrationFailureMessage('0001_add_pets', 2, 3, new Error('boom'))
 * // 'Migration 0001_add_pets failed at statement 2 of 3: boom. Its statements 1..1 were applied, …'
 */
export function migrationFailureMessage(migration: string, statement: number, total: number, cause: unknown): string {
  return (
    `Migration ${migration} failed at statement ${statement} of ${total}: ${rootMessage(cause)}. ` +
    (statement > 1 ? `Its statements 1..${statement - 1} were applied, are not rolled back, and are recorded. ` : '') +
    `Fix statement ${statement} (or the database) and run migrate() again: it resumes at that statement.`
  )
}

/** The message of the innermost `Error` in `error`'s `cause` chain, or `String(error)` for a non-Error. */
function rootMessage(error: unknown): string {
  let current = error
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : String(current)
}
