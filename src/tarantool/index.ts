/**
 * `dialectry/tarantool`: the Tarantool IPROTO driver.
 *
 * @example
 * import { connect } from 'dialectry/tarantool'
 * const conn = await connect('tarantool://app:secret@127.0.0.1:3301')
 * await conn.replace('users', [1, 'Ann'])
 * const rows = await conn.select('users', [1])
 * await conn.close()
 */
import '../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { connect, connectLazy, Connection, serverError } from './connection.ts'
export type { ConnectionEvent, ConnectionEventMap, ConnectionOptions, ConnectionState } from './connection.ts'
export { createPool, createLazyPool, Pool } from './pool.ts'
export type { InstanceRole, PoolOptions } from './pool.ts'
export { Stream } from './stream.ts'
export type { BeginOptions } from './stream.ts'
export { PreparedStatement } from './prepared-statement.ts'
export { scanIndex } from './scan.ts'
export type { ScanOptions, ScanTarget } from './scan.ts'
export { TarantoolRequests, toBindArray } from './request-methods.ts'
export type { Tuple } from './request-methods.ts'
export { Schema } from './schema.ts'
export type { FieldFormat, IndexInfo, SpaceInfo } from './schema.ts'
export { parseAddress, formatEndpoint } from './address.ts'
export type { TarantoolEndpoint } from './address.ts'
export { Iterator, TxnIsolation, RequestType, ErrorCode } from './iproto-constants.ts'
export type { IteratorName, TxnIsolationName } from './iproto-constants.ts'
export * from './errors.ts'
export { DialectryError, UnsupportedNodeVersionError, type DialectryErrorOptions } from '../core/errors.ts'
export type * from './request-options.ts'
export * from './ext/index.ts'
