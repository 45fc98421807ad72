/**
 * `dialectry/cratedb/drizzle`: a Drizzle ORM (0.45, `pg-core`) driver for CrateDB on the `dialectry/cratedb`
 * HTTP driver, with a CrateDB-compatible migrator for drizzle-kit SQL folders, column helpers for OBJECT, ARRAY,
 * GEO_POINT, GEO_SHAPE and IP, and `refresh()`.
 *
 * @example
 * import { connect } from 'dialectry/cratedb'
 * import { drizzle, migrate, refresh } from 'dialectry/cratedb/drizzle'
 *
 * const db = drizzle(connect('http://localhost:4200'))
 * await migrate(db, { migrationsFolder: './drizzle' })
 * await db.insert(users).values({ id: 'u1', name: 'Ann' })
 * await refresh(db, users)
 * const rows = await db.select().from(users)
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { drizzle, CrateDBDrizzleDatabase } from './cratedb-drizzle-database.ts'
export { CrateDBDrizzleSession } from './cratedb-drizzle-session.ts'
export type { CrateDBDrizzleSessionOptions, CrateDBQueryResultHKT } from './cratedb-drizzle-session.ts'
export { CrateDBDrizzlePreparedQuery } from './cratedb-drizzle-prepared-query.ts'
export type { CrateDBQueryResult, CrateDBQueryMetadata, CrateDBPreparedQueryOptions } from './cratedb-drizzle-prepared-query.ts'
export { CrateDBPgDialect } from './cratedb-drizzle-dialect.ts'
export { migrate } from './cratedb-drizzle-migrator.ts'
export { translateDrizzleKitPostgres } from './cratedb-drizzle-kit-translation.ts'
export type { CrateDBMigrationConfig, CrateDBMigrationResult } from './cratedb-drizzle-migrator.ts'
export { refresh } from './cratedb-drizzle-refresh.ts'
export { object, array, geoPoint, geoShape, ip } from './cratedb-columns.ts'
export { subscript, equalsAny, distance } from './cratedb-drizzle-helpers.ts'
export type { CrateDBObjectColumnConfig, CrateDBObjectPolicy, GeoPoint, GeoJSONGeometry } from './cratedb-columns.ts'
export {
  CrateDBDialectError,
  CrateDBTransactionsNotSupportedError,
  CrateDBReturningNotSupportedError,
  CrateDBOnConflictNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBMigrationError,
  CrateDBMigrationNotSupportedError,
  CrateDBMigrationChangedError,
  CrateDBMigrationLockTimeoutError,
} from '../cratedb-dialect-errors.ts'
export type { CrateDBSqlClient, CrateDBSqlResult } from '../cratedb-sql-client.ts'
