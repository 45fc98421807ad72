/**
 * `dialectry/e6data/kysely`: a read-only Kysely dialect for e6data over `dialectry/e6data`.
 *
 * @example
 * import { createE6dataKysely } from 'dialectry/e6data/kysely'
 * const db = createE6dataKysely<DB>({ host: 'localhost', port: 80, username, password, catalog: 'hive', database: 'demo' })
 * const rows = await db.selectFrom('flights').select(['origin', (eb) => eb.fn.countAll().as('n')]).groupBy('origin').execute()
 */
import '../../../src/core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { E6dataDialect, createE6dataKysely, type E6dataDialectConfig, type ReadonlyKysely } from './e6data-dialect.ts'
export { E6dataDriver } from './e6data-driver.ts'
export { E6dataKyselyConnection } from './e6data-connection.ts'
export { E6dataQueryCompiler } from './e6data-query-compiler.ts'
export { E6dataAdapter } from './e6data-adapter.ts'
export { E6dataIntrospector } from './e6data-introspector.ts'
export { assertReadOnly } from '../e6data-read-only-guard.ts'
export { E6dataReadOnlyError, E6dataDialectNotSupportedError } from '../e6data-dialect-errors.ts'
