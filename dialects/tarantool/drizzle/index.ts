/**
 * `dialectry/tarantool/drizzle`: a Drizzle ORM (0.45, `sqlite-core`) driver for Tarantool SQL on the
 * `dialectry/tarantool` driver, with a migrator for drizzle-kit SQL folders.
 *
 * @example
 * import { createPool } from 'dialectry/tarantool'
 * import { drizzle, migrate } from 'dialectry/tarantool/drizzle'
 *
 * const pool = await createPool('tarantool://app:secret@127.0.0.1:3301')
 * const db = drizzle(pool)
 * await migrate(db, { migrationsFolder: './drizzle' })
 * const rows = await db.select().from(users)
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { drizzle, TarantoolDrizzleDatabase } from './tarantool-drizzle-database.ts'
export { TarantoolDrizzleSession } from './tarantool-drizzle-session.ts'
export type { TarantoolDrizzleSessionOptions } from './tarantool-drizzle-session.ts'
export { TarantoolDrizzleTransaction } from './tarantool-drizzle-transaction.ts'
export { TarantoolDrizzlePreparedQuery } from './tarantool-drizzle-prepared-query.ts'
export type { TarantoolRunResult, TarantoolQueryMetadata, TarantoolPreparedQueryOptions } from './tarantool-drizzle-prepared-query.ts'
export { TarantoolSQLiteDialect } from './tarantool-drizzle-dialect.ts'
export { migrate } from './tarantool-drizzle-migrator.ts'
export { translateDrizzleKitSqlite } from './tarantool-drizzle-kit-translation.ts'
export type { TarantoolMigrationStep, TarantoolTranslationOptions } from './tarantool-drizzle-kit-translation.ts'
export { bigint, boolean } from './tarantool-columns.ts'
export type { TarantoolMigrationConfig, TarantoolMigrationResult } from './tarantool-drizzle-migrator.ts'
export {
  TarantoolDialectError,
  TarantoolMigrationError,
  TarantoolMigrationNotSupportedError,
  TarantoolOnConflictNotSupportedError,
  TarantoolReturningNotSupportedError,
  TarantoolSyntaxNotSupportedError,
} from '../tarantool-dialect-errors.ts'
export { TransactionsNotSupportedError } from '../../../src/tarantool/errors.ts'
export type { TarantoolSqlClient, TarantoolSqlResult, TarantoolSqlStream } from '../tarantool-sql-client.ts'
