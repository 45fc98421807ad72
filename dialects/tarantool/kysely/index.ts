/**
 * `dialectry/tarantool/kysely`: a Kysely dialect for Tarantool SQL on the `dialectry/tarantool` driver.
 *
 * @example
 * import { Kysely } from 'kysely'
 * import { createPool } from 'dialectry/tarantool'
 * import { TarantoolDialect } from 'dialectry/tarantool/kysely'
 *
 * const db = new Kysely<Database>({ dialect: new TarantoolDialect({ pool: await createPool(uri) }) })
 * const rows = await db.selectFrom('users').select(['id', 'name']).where('id', '>', 10).execute()
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { TarantoolDialect } from './tarantool-dialect.ts'
export type { TarantoolDialectConfig } from './tarantool-dialect-config.ts'
export { TarantoolDriver } from './tarantool-driver.ts'
export { TarantoolConnection } from './tarantool-connection.ts'
export { TarantoolQueryCompiler, TARANTOOL_UNBOUNDED_LIMIT } from './tarantool-query-compiler.ts'
export { tarantoolDataType } from './tarantool-data-types.ts'
export { TarantoolAdapter } from './tarantool-adapter.ts'
export type { TarantoolMigrationLockConfig } from './tarantool-adapter.ts'
export { TarantoolIntrospector } from './tarantool-introspector.ts'
export {
  TarantoolDialectError,
  TarantoolReturningNotSupportedError,
  TarantoolOnConflictNotSupportedError,
  TarantoolDataTypeNotSupportedError,
  TarantoolSyntaxNotSupportedError,
  TarantoolMigrationLockTimeoutError,
} from '../tarantool-dialect-errors.ts'
export { TransactionsNotSupportedError } from '../../../src/tarantool/errors.ts'
export type {
  TarantoolSqlClient,
  TarantoolSqlColumn,
  TarantoolSqlExecutor,
  TarantoolSqlRequestOptions,
  TarantoolSqlResult,
  TarantoolSqlStream,
  TarantoolTxnIsolation,
} from '../tarantool-sql-client.ts'
