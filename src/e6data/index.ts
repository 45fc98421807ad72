/**
 * e6data driver: gRPC `QueryEngineService` with Thrift result batches, blue-green strategy handling, auto-resume
 * and a connection pool. Follows e6data/e6data-python-connector (`e6data_python_connector/*`).
 *
 * @example
 * import { Connection } from 'dialectry/e6data'
 * const conn = new Connection({ host: 'localhost', port: 80, username: 'me@example.com', password: token, catalog: 'hive', database: 'tpcds' })
 */
import '../core/node-version-check.ts'
export { ConnectionPool, type ConnectionPoolOptions, type PoolStatistics } from './connection-pool.ts'
export { Connection, type CallOptions, type ColumnInfo, type Session } from './connection.ts'
export { Cursor, type CursorOptions, type DescriptionTuple, type ExecuteOptions, type ExplainAnalysis, type Row } from './cursor.ts'
export type { ConnectionOptions } from './connection-options.ts'
export { decodeChunk, type DecodedChunk, type E6dataValue } from './chunk-decoder.ts'
export { decodeResultMetadata, encodeResultMetadata, type ColumnDescription, type ResultMetadata } from './result-metadata.ts'
export { bindParameters, literal, quoteString, type E6dataParameter } from './parameter-binding.ts'
export { formatDate, formatTimestamp } from './temporal-format.ts'
export { decodeDecimal128, encodeDecimal128 } from './decimal128.ts'
export { VectorType, type VectorTypeName } from './vector-type.ts'
export { normalizeStrategy, StrategyState, type Strategy } from './strategy-state.ts'
export { classifyGrpcError, type GrpcFailureKind } from './grpc-errors.ts'
export * from './errors.ts'
