/**
 * `dialectry/errors`: the error classes shared by every entry point, without loading any driver.
 *
 * Everything dialectry throws descends from {@link DialectryError}, which carries `code` (the server's code where
 * it has one, else a `SCREAMING_SNAKE` client code), `retryable` and `cause`. Each driver derives one base from
 * it ({@link TarantoolError} for `dialectry/tarantool` and its dialects, {@link CrateDBError} for
 * `dialectry/cratedb` and its dialects, {@link BTrDBError} for `dialectry/btrdb`); the testing servers'
 * provisioning errors derive from it directly.
 * Errors thrown by the peers themselves (Kysely's, Drizzle's) are theirs; where a dialect wraps a driver error,
 * the driver error is the `cause`.
 *
 * The classes here are the same objects the other entry points use, so `instanceof` works across them
 * (`dialectry/errors`' `TarantoolError` is `dialectry/tarantool`'s).
 *
 * @example
 * import { DialectryError } from 'dialectry/errors'
 * import { connect } from 'dialectry/tarantool'
 *
 * try {
 *   const conn = await connect('tarantool://app:secret@127.0.0.1:3301')
 *   await conn.close()
 * } catch (error) {
 *   if (error instanceof DialectryError && error.retryable) console.log('try again later:', error.code)
 *   else throw error
 * }
 */
export { DialectryError, UnsupportedNodeVersionError, type DialectryErrorOptions } from '../core/errors.ts'
export { TarantoolError } from '../tarantool/errors.ts'
export { CrateDBError } from '../cratedb/errors.ts'
export { BTrDBError } from '../btrdb/errors.ts'
