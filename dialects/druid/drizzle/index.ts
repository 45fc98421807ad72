/**
 * `dialectry/druid/drizzle`: a read-only Drizzle ORM driver for Apache Druid (`pg-core` with `?` parameters).
 *
 * @example
 * import { pgTable, timestamp, varchar, doublePrecision } from 'drizzle-orm/pg-core'
 * import { drizzle } from 'dialectry/druid/drizzle'
 * const flights = pgTable('flights', { time: timestamp('__time', { mode: 'date' }), origin: varchar('origin'), delay: doublePrecision('delay') })
 * const db = drizzle(connect('http://localhost:8888'))
 * const late = await db.select().from(flights).where(gt(flights.delay, 60)).limit(10)
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { drizzle, DruidDrizzleDatabase } from './druid-drizzle-database.ts'
export { DruidDrizzleSession, DruidDrizzlePreparedQuery } from './druid-drizzle-session.ts'
export type { DruidQueryResult, DruidQueryResultHKT } from './druid-drizzle-session.ts'
export { DruidPgDialect } from './druid-drizzle-dialect.ts'
export { DruidReadOnlyError, DruidDialectNotSupportedError } from '../druid-dialect-errors.ts'
