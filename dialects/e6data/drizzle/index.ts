/**
 * `dialectry/e6data/drizzle`: a read-only Drizzle ORM driver for e6data (`pg-core` with `%s` parameters bound
 * client-side).
 *
 * @example
 * import { pgTable, varchar, doublePrecision } from 'drizzle-orm/pg-core'
 * import { drizzle } from 'dialectry/e6data/drizzle'
 * const flights = pgTable('flights', { origin: varchar('origin'), delay: doublePrecision('delay') })
 * const db = drizzle(new Connection({ host, port, username, password, catalog: 'hive', database: 'demo' }))
 * const late = await db.select().from(flights).where(gt(flights.delay, 60)).limit(10)
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { drizzle, E6dataDrizzleDatabase } from './e6data-drizzle-database.ts'
export { E6dataDrizzleSession, E6dataDrizzlePreparedQuery } from './e6data-drizzle-session.ts'
export type { E6dataQueryResult, E6dataQueryResultHKT } from './e6data-drizzle-session.ts'
export { E6dataPgDialect } from './e6data-drizzle-dialect.ts'
export type { E6dataDrizzleClient } from './e6data-run-query.ts'
export { E6dataReadOnlyError, E6dataDialectNotSupportedError } from '../e6data-dialect-errors.ts'
