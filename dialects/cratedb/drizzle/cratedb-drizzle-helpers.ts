import { sql, type AnyColumn, type SQL, type SQLWrapper } from 'drizzle-orm'
import { CrateDBDialectError } from '../cratedb-dialect-errors.ts'
import { subscriptText } from '../cratedb-subscript.ts'

function isWrapper(value: unknown): value is SQLWrapper {
  return typeof value === 'object' && value !== null && typeof (value as { getSQL?: unknown }).getSQL === 'function'
}

/**
 * An object or array element by path: `"t"."obj"['a']['b']`, `"t"."arr"[1]`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-objects). String keys
 * become quoted literals (CrateDB takes no parameters in subscripts); numbers are 1-based positions.
 *
 * @throws CrateDBDialectError (code `EMPTY_PATH`) without a path; `RangeError` for a position < 1.
 * @example
 * db.select({ mag: subscript<number>(quakes.props, 'mag') }).from(quakes).where(eq(subscript(quakes.props, 'type'), 'earthquake'))
 */
export function subscript<T = unknown>(column: AnyColumn | SQLWrapper, ...path: (string | number)[]): SQL<T> {
  if (path.length === 0) throw new CrateDBDialectError('subscript needs at least one key or position', 'EMPTY_PATH')
  return sql<T>`${column}${sql.raw(path.map(subscriptText).join(''))}`
}

/**
 * `value = ANY(array)`: true when the ARRAY column holds `value`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/builtins/array-comparisons.html#sql-any-array-comparison).
 * @example
 * db.select().from(posts).where(equalsAny('sql', posts.tags))
 */
export function equalsAny(value: unknown, array: AnyColumn | SQLWrapper): SQL<boolean> {
  return sql<boolean>`${isWrapper(value) ? value : sql.param(value)} = any(${array})`
}

/**
 * `distance(geoPoint, point)`: meters between a GEO_POINT column and `[lon, lat]` (sent as one parameter, which
 * CrateDB casts to geo_point) or another point expression.
 * @example
 * db.select({ id: quakes.id, meters: distance(quakes.location, [9.74, 47.41]) }).from(quakes).orderBy(sql`2`)
 */
export function distance(column: AnyColumn | SQLWrapper, point: readonly [number, number] | SQLWrapper): SQL<number> {
  return sql<number>`distance(${column}, ${isWrapper(point) ? point : sql.param([point[0], point[1]])})`
}
