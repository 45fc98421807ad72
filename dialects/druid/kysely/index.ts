/**
 * `dialectry/druid/kysely`: a read-only Kysely dialect for Apache Druid over `dialectry/druid`.
 *
 * @example
 * import { createDruidKysely, timeFloor } from 'dialectry/druid/kysely'
 * const db = createDruidKysely<DB>('http://localhost:8888')
 * const rows = await db.selectFrom('wikipedia').select([timeFloor('__time', 'PT1H').as('hour'), (eb) => eb.fn.countAll().as('edits')]).groupBy('hour').execute()
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { DruidDialect, createDruidKysely } from './druid-dialect.ts'
export type { DruidDialectConfig, ReadonlyKysely } from './druid-dialect.ts'
export { DruidDriver } from './druid-driver.ts'
export { DruidConnection } from './druid-connection.ts'
export { DruidQueryCompiler } from './druid-query-compiler.ts'
export { DruidAdapter } from './druid-adapter.ts'
export { DruidIntrospector } from './druid-introspector.ts'
export {
  timeFloor, timeCeil, timeShift, timeParse, timeFormat, timeExtract, millisToTimestamp, timestampToMillis, timeRange, approxCountDistinct, approxQuantileDs,
} from './druid-helpers.ts'
export { assertReadOnly } from '../druid-read-only-guard.ts'
export { DruidReadOnlyError, DruidDialectNotSupportedError } from '../druid-dialect-errors.ts'
