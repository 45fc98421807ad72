import type { QueryExecutorProvider } from 'kysely'
import type { ReadonlyKysely as KyselyReadonlyKysely } from 'kysely/readonly'

/**
 * What a read-only dialect's factory returns: Kysely's own read-only view (kysely-org/kysely
 * `src/readonly/readonly-kysely.ts`, imported from `kysely/readonly`), in which `insertInto`, `updateTable`,
 * `deleteFrom`, `mergeInto`, `replaceInto` and `schema` do not type-check and `executeQuery` takes selects only,
 * plus the executor that raw `` sql`…`.execute(db) `` needs. Raw SQL is checked at run time by the dialect's guard
 * instead (only read statements are sent).
 *
 * @example
 * const db: ReadonlyKysely<DB> = createDruidKysely<DB>('http://localhost:8888')
 * await db.selectFrom('flights').selectAll().limit(1).execute()
 * await sql`SELECT 1`.execute(db)
 */
export type ReadonlyKysely<DB> = Omit<KyselyReadonlyKysely<DB>, 'getExecutor'> & QueryExecutorProvider
