/**
 * Row shapes of `CrateDBClient.execute` and `stream`: `'array'` rows are arrays in column order, `'object'` rows
 * are objects keyed by column name (as crate-python's `cursor.fetchall()` versus its dict rows,
 * https://cratedb.com/docs/python/en/latest/query.html). Set per client (`rowMode` option of `connect`) or per
 * call.
 */
export type RowMode = 'array' | 'object'

/**
 * The row type a call returns when it names no `Row` type argument: `unknown[]` for `'array'`,
 * `Record<string, unknown>` for `'object'`, their union when the mode is only known at run time.
 *
 * @example
 * type A = RowOf<'array'>  // unknown[]
 * type O = RowOf<'object'> // Record<string, unknown>
 */
export type RowOf<Mode extends RowMode> = Mode extends 'object' ? Record<string, unknown> : unknown[]

/** Options that leave the row mode to the client's default (`rowMode` absent or `undefined`). */
export interface DefaultRowMode {
  rowMode?: undefined
}
