/**
 * `dialectry/cratedb/kysely`: a Kysely dialect for CrateDB on the `dialectry/cratedb` HTTP driver, with
 * helpers for CrateDB-only SQL (object subscripts, `= ANY`, `distance`, `match`, `REFRESH TABLE`) and column
 * types (OBJECT, ARRAY, GEO_POINT, …).
 *
 * @example
 * import { Kysely } from 'kysely'
 * import { connect } from 'dialectry/cratedb'
 * import { CrateDBDialect, cratedbType, refresh } from 'dialectry/cratedb/kysely'
 *
 * const db = new Kysely<Database>({ dialect: new CrateDBDialect({ client: () => connect('http://localhost:4200') }) })
 * await db.schema.createTable('quakes').ifNotExists()
 *   .addColumn('id', 'text', (c) => c.primaryKey())
 *   .addColumn('location', cratedbType.geoPoint())
 *   .execute()
 * await db.insertInto('quakes').values({ id: 'q1', location: [9.74, 47.41] }).execute()
 * await refresh(db, 'quakes')
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { CrateDBDialect } from './cratedb-dialect.ts'
export type { CrateDBDialectConfig } from './cratedb-dialect-config.ts'
export { CrateDBDriver } from './cratedb-driver.ts'
export { CrateDBConnection } from './cratedb-connection.ts'
export { CrateDBQueryCompiler } from './cratedb-query-compiler.ts'
export { CrateDBAdapter } from './cratedb-adapter.ts'
export type { CrateDBMigrationLockConfig } from './cratedb-adapter.ts'
export { CrateDBIntrospector, CRATEDB_SYSTEM_SCHEMAS } from './cratedb-introspector.ts'
export { cratedbDataType, cratedbType, CrateDBDataType } from './cratedb-data-types.ts'
export type { CrateDBObjectPolicy, CrateDBTypeSpec } from './cratedb-data-types.ts'
export { cratedbSubscript, equalsAny, distance, match } from './cratedb-helpers.ts'
export type { CrateDBColumnRef, CrateDBMatchOptions } from './cratedb-helpers.ts'
export { refresh } from './cratedb-refresh.ts'
export {
  CrateDBDialectError,
  CrateDBTransactionsNotSupportedError,
  CrateDBReturningNotSupportedError,
  CrateDBOnConflictNotSupportedError,
  CrateDBSequencesNotSupportedError,
  CrateDBForeignKeyNotSupportedError,
  CrateDBUniqueNotSupportedError,
  CrateDBIndexNotSupportedError,
  CrateDBDataTypeNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBStreamingNotSupportedError,
  CrateDBMigrationLockTimeoutError,
} from '../cratedb-dialect-errors.ts'
export type {
  CrateDBSqlClient,
  CrateDBSqlResult,
  CrateDBSqlRequestOptions,
  CrateDBSqlStreamOptions,
  CrateDBSqlCursor,
  CrateDBSqlCloseOptions,
  CrateDBBulkResult,
  CrateDBBulkRowResult,
} from '../cratedb-sql-client.ts'
