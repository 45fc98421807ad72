import { createReadOnlyGuard } from '../shared/read-only-sql-guard.ts'
import { E6dataReadOnlyError } from './e6data-dialect-errors.ts'

/**
 * e6data's read-only checks: the read statements of its Presto-compatible SQL (SELECT, WITH … SELECT, VALUES,
 * EXPLAIN, DESCRIBE, SHOW; https://docs.e6data.com), one at a time. String literals take backslash escapes, as the
 * connector's client-side binding writes them (e6data/e6data-python-connector `e6data_python_connector/e6data_grpc.py`).
 */
const guard = createReadOnlyGuard({
  readKinds: ['SELECT', 'WITH', 'VALUES', 'EXPLAIN', 'DESCRIBE', 'SHOW'],
  writeKeywords: ['INSERT', 'UPDATE', 'DELETE', 'MERGE'],
  backslashEscapes: true,
  refuse: (statement) => new E6dataReadOnlyError(statement),
})

/**
 * Refuses anything but one read statement, before it is sent.
 *
 * @param sql the statement about to be sent.
 * @throws E6dataReadOnlyError naming the refused statement kind (`MULTIPLE` for several statements).
 * @example assertReadOnly('DROP TABLE flights') // throws E6dataReadOnlyError (statement 'DROP')
 */
export const assertReadOnly: (sql: string) => void = guard.sql

/**
 * Refuses a Kysely compiled query whose root is not a select or raw SQL (insert, update, delete, merge, schema
 * builders), then checks its text with {@link assertReadOnly}.
 *
 * @throws E6dataReadOnlyError naming the refused kind (`INSERT`, `CREATE TABLE`, ...).
 */
export const assertReadOnlyQuery: (query: { readonly sql: string; readonly query: { readonly kind: string } }) => void = guard.compiled
