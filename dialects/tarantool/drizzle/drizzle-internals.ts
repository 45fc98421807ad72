import * as drizzleOrm from 'drizzle-orm'
import type { SelectedFieldsOrdered } from 'drizzle-orm/sqlite-core'
import { TarantoolDialectError } from '../tarantool-dialect-errors.ts'

/**
 * drizzle-orm 0.45 members that its runtime uses but its typings strip (`@internal` in
 * drizzle-team/drizzle-orm `drizzle-orm/src/sqlite-core/session.ts`). They exist in the published JavaScript; this
 * module is the one place that reaches them, so an
 * upgrade that removes them fails here, loudly.
 */

/** Maps one array row of a builder query to the nested result object (`drizzle-orm` root export). */
export const mapResultRow: (columns: SelectedFieldsOrdered, row: unknown[], joinsNotNullableMap: Record<string, boolean> | undefined) => unknown = (() => {
  const fn = (drizzleOrm as unknown as { mapResultRow?: unknown }).mapResultRow
  if (typeof fn !== 'function') {
    throw new TarantoolDialectError('drizzle-orm does not export mapResultRow at runtime; dialectry/tarantool/drizzle supports drizzle-orm 0.45.x', 'DRIZZLE_VERSION')
  }
  return fn as never
})()

/** The internal half of `SQLitePreparedQuery` that a driver's prepared query calls. */
export interface PreparedQueryInternals {
  joinsNotNullableMap: Record<string, boolean> | undefined
  queryWithCache<T>(queryString: string, params: unknown[], query: () => Promise<T>): Promise<T>
}
