/**
 * `dialectry/cratedb`: the CrateDB driver over the HTTP `_sql` endpoint.
 *
 * @example
 * import { connect } from 'dialectry/cratedb'
 * const client = connect('http://localhost:4200/', { schema: 'doc' })
 * await client.execute('CREATE TABLE IF NOT EXISTS t (id BIGINT PRIMARY KEY, name TEXT)')
 * await client.executeMany('INSERT INTO t (id, name) VALUES (?, ?)', [[1, 'a'], [2, 'b']])
 * await client.refresh('t')
 * const { rows } = await client.execute('SELECT id, name FROM t ORDER BY id')
 * await client.close()
 */
import '../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { connect, CrateDBClient } from './client.ts'
export type { CloseOptions, NodeState, ServerInfo } from './client.ts'
export type { CallOptions, CrateDBEvent, CrateDBOptions, ExecuteManyOptions, ExecuteOptions, StreamOptions } from './options.ts'
export type { BulkError, BulkFailure, BulkItemResult, ExecuteManyResult, ExecuteResult } from './sql-result.ts'
export type { DecodeOptions } from './result-reader.ts'
export type { DefaultRowMode, RowMode, RowOf } from './row-mode.ts'
export { CrateDBType, crateTypeName } from './col-types.ts'
export { BlobContainer, blobDigest } from './blob-container.ts'
export type { BlobPutOptions, BlobPutResult } from './blob-container.ts'
export { isReadOnlyStatement } from './statement-kind.ts'
export * from './errors.ts'
export { DialectryError, UnsupportedNodeVersionError, type DialectryErrorOptions } from '../core/errors.ts'
