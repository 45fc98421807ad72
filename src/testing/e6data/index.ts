/**
 * `dialectry/testing/e6data`: a local e6data engine (`QueryEngineService` + `ClusterService` over @grpc/grpc-js,
 * SQL on DuckDB, Thrift result chunks) for tests, the demo and benchmarks. See README.md in this folder for what
 * differs from a real e6data cluster. Needs the optional peer dependency `@duckdb/node-api`.
 *
 * @example
 * import { startE6data } from 'dialectry/testing/e6data'
 * import { Connection } from 'dialectry/e6data'
 * const engine = await startE6data()
 * await engine.registerTable('hive', 'demo', 'numbers', { query: 'SELECT * FROM range(10) t(n)' })
 * const conn = new Connection({ host: engine.host, port: engine.port, username: engine.username, password: engine.password, catalog: 'hive', database: 'demo' })
 */
import '../../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { startE6data, type LocalE6data, type StartE6dataOptions } from './e6data-server.ts'
export { provisionE6data, parseE6dataUrl, type ProvisionedE6data } from './provision.ts'
export { E6dataProvisionError } from './provision-error.ts'
export { EngineCatalog, type TableSource } from './engine-catalog.ts'
export { encodeChunk, ThriftBinaryWriter, type ConstantSpec, type VectorSpec } from './chunk-encoder.ts'
