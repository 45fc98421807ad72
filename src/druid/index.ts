/**
 * `dialectry/druid`: the Apache Druid driver over HTTP (SQL API, SQL-based ingestion, native queries, REST).
 *
 * @example
 * import { connect } from 'dialectry/druid'
 * const client = connect('http://localhost:8888')
 * const { rows } = await client.query('SELECT channel, COUNT(*) AS n FROM wikipedia GROUP BY 1 ORDER BY 2 DESC LIMIT 5')
 * for await (const row of client.stream('SELECT * FROM wikipedia')) console.log(row)
 * await client.close()
 */
import '../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { connect, DruidClient } from './client.ts'
export type { DruidSqlResult, IngestOptions, TaskStatus } from './client.ts'
export type { DruidOptions, QueryOptions } from './options.ts'
export { DruidRowStream } from './sql-stream.ts'
export { DruidCluster } from './cluster.ts'
export { DruidStatements } from './statements.ts'
export type * from './native-query.ts'
export type { StatementRunOptions, StatementStatus } from './statements.ts'
export type { DruidRole, ServiceInfo } from './cluster.ts'
export { BrokerClient, CoordinatorClient, DruidServiceClient, OverlordClient, RouterClient } from './service-clients.ts'
export type { ServiceStatus, TaskSummary } from './service-clients.ts'
export type { ResultFormat } from './body-splitter.ts'
export type { RowMode } from './result-decoder.ts'
export { columnDecoder } from './column-types.ts'
export type { DecodeOptions, DruidColumn } from './column-types.ts'
export { DruidParameter, typedParameter, inferParameter } from './sql-parameters.ts'
export type { DruidParameterType } from './sql-parameters.ts'
export { DefaultMapper, DockerMapper } from './url-mapper.ts'
export type { DockerMapperOptions, ServiceMapper } from './url-mapper.ts'
export { DruidHttpService, fillTemplate } from './http-service.ts'
export type { RestCallOptions } from './http-service.ts'
export { parseErrorEnvelope } from './response-errors.ts'
export * from './errors.ts'
export { DialectryError, UnsupportedNodeVersionError, type DialectryErrorOptions } from '../core/errors.ts'
