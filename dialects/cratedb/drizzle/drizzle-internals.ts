import * as drizzleOrm from 'drizzle-orm'
import type { SelectedFieldsOrdered } from 'drizzle-orm/pg-core'
import { CrateDBDialectError } from '../cratedb-dialect-errors.ts'

/**
 * drizzle-orm 0.45 members that its runtime uses but its typings strip (`@internal` in
 * drizzle-team/drizzle-orm `drizzle-orm/src/pg-core/session.ts`). They exist in the published JavaScript; this module
 * is the one place that reaches them, so an
 * upgrade that removes them fails here, loudly.
 */

/** Maps one array row of a builder query to the nested result object (`drizzle-orm` root export). */
export const mapResultRow: (columns: SelectedFieldsOrdered, row: unknown[], joinsNotNullableMap: Record<string, boolean> | undefined) => unknown = (() => {
  const fn = (drizzleOrm as unknown as { mapResultRow?: unknown }).mapResultRow
  if (typeof fn !== 'function') {
    throw new CrateDBDialectError('drizzle-orm does not export mapResultRow at runtime; dialectry/cratedb/drizzle supports drizzle-orm 0.45.x', 'DRIZZLE_VERSION')
  }
  return fn as never
})()

/** The internal half of `PgPreparedQuery` that a driver's prepared query calls. */
export interface PreparedQueryInternals {
  joinsNotNullableMap: Record<string, boolean> | undefined
  queryWithCache<T>(queryString: string, params: unknown[], query: () => Promise<T>): Promise<T>
}
