import { createReadOnlyGuard } from '../shared/read-only-sql-guard.ts'
import { DruidReadOnlyError } from './druid-dialect-errors.ts'

/**
 * Druid's read-only checks: the statement kinds Druid's SQL endpoint runs as queries (SELECT, WITH … SELECT,
 * EXPLAIN; https://druid.apache.org/docs/latest/querying/sql), one statement at a time. `INSERT`/`REPLACE` are
 * SQL-based ingestion (https://druid.apache.org/docs/latest/multi-stage-query/reference), not queries.
 */
const guard = createReadOnlyGuard({
  readKinds: ['SELECT', 'WITH', 'EXPLAIN'],
  writeKeywords: ['INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'MERGE'],
  refuse: (statement) => new DruidReadOnlyError(statement),
})

/**
 * Refuses anything but one SELECT, WITH or EXPLAIN statement, before it is sent.
 *
 * @param sql the statement about to be sent.
 * @throws DruidReadOnlyError naming the refused statement kind (`INSERT`, `DELETE`, `CREATE`, `SET`, ...; `MULTIPLE`
 *   for several statements).
 * @example assertReadOnly('DELETE FROM flights') // throws DruidReadOnlyError (statement 'DELETE')
 */
export const assertReadOnly: (sql: string) => void = guard.sql

/**
 * Refuses a Kysely compiled query whose root is not a select or raw SQL (insert, update, delete, merge, schema
 * builders), then checks its text with {@link assertReadOnly}.
 *
 * @throws DruidReadOnlyError naming the refused kind (`INSERT`, `CREATE TABLE`, ...).
 */
export const assertReadOnlyQuery: (query: { readonly sql: string; readonly query: { readonly kind: string } }) => void = guard.compiled
