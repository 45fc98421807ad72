/**
 * `dialectry/testing/druid`: a local Apache Druid for tests, the demo and benchmarks. Node HTTP(S) listeners on
 * loopback answer the Router, Broker, Coordinator and Overlord APIs with Druid's wire shapes
 * (https://druid.apache.org/docs/latest/api-reference/api-reference); SQL runs on DuckDB (`@duckdb/node-api`, an
 * optional peer dependency) with Druid's functions and catalogs defined as DuckDB macros and views. What differs
 * from Druid is listed in this folder's README.md.
 */
import '../../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { startDruid } from './start-druid.ts'
export { LocalDruidError } from './local-druid-error.ts'
export type { LocalDruid, StartDruidOptions } from './start-druid.ts'
export { provisionDruid } from './provision.ts'
export type { ProvisionedDruid } from './provision.ts'
export { DruidEngine } from './druid-engine.ts'
export type { QueryRecord, ServiceEntry } from './druid-engine.ts'
export { DruidNode } from './http-node.ts'
export type { LocalRole, NodeOptions } from './http-node.ts'
