import { sql, type Expression, type RawBuilder } from 'kysely'
import { CrateDBDialectError } from '../cratedb-dialect-errors.ts'
import { subscriptText } from '../cratedb-subscript.ts'

/** A column: a name (`'tags'`, `'t.tags'`) or any Kysely expression. */
export type CrateDBColumnRef = string | Expression<unknown>

function refOf(column: CrateDBColumnRef): Expression<unknown> {
  return typeof column === 'string' ? sql.ref(column) : column
}

/**
 * An object or array element by path: `"obj"['a']['b']`, `"arr"[1]`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/ddl/data-types.html#data-types-objects). String keys
 * become
 * quoted literals (CrateDB takes no parameters inside subscripts); numbers are 1-based array positions.
 * Works in SELECT, WHERE, ORDER BY and as an UPDATE target (`set(cratedbSubscript('obj', 'k'), 1)` is not
 * expressible in Kysely's typed `set`; use `set({ obj: ... })` or raw SQL for that).
 *
 * @param column the OBJECT (or ARRAY) column.
 * @param path keys and/or 1-based positions, outermost first; at least one.
 * @returns a `RawBuilder<T>`; alias it with `.as('name')` in a select.
 * @throws CrateDBDialectError (code `EMPTY_PATH`) without a path; `RangeError` for a position < 1.
 * @example
 * db.selectFrom('quakes').select(cratedbSubscript<number>('props', 'mag').as('mag')).where(cratedbSubscript('props', 'type'), '=', 'earthquake')
 * // select "props"['mag'] as "mag" from "quakes" where "props"['type'] = ?
 */
export function cratedbSubscript<T = unknown>(column: CrateDBColumnRef, ...path: (string | number)[]): RawBuilder<T> {
  if (path.length === 0) throw new CrateDBDialectError('cratedbSubscript needs at least one key or position', 'EMPTY_PATH')
  return sql<T>`${refOf(column)}${sql.raw(path.map(subscriptText).join(''))}`
}

/**
 * `value = ANY(array)`: true when the array column holds `value`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/builtins/array-comparisons.html#sql-any-array-comparison).
 *
 * @param value a plain value (sent as a parameter) or an expression.
 * @param array the ARRAY column (or expression).
 * @example
 * db.selectFrom('posts').selectAll().where(equalsAny('sql', 'tags'))
 * // select * from "posts" where ? = any("tags")
 */
export function equalsAny(value: unknown, array: CrateDBColumnRef): RawBuilder<boolean> {
  const left = isExpression(value) ? value : sql.val(value)
  return sql<boolean>`${left} = any(${refOf(array)})`
}

/**
 * `distance(geoPoint, point)`: the distance in **meters** between a GEO_POINT column and a point
 * (CrateDB's geo functions, https://cratedb.com/docs/crate/reference/en/latest/general/builtins/scalar-functions.html).
 *
 * @param column the GEO_POINT column.
 * @param point `[lon, lat]` (sent as a parameter; CrateDB casts a double array to geo_point) or an expression.
 * @example
 * db.selectFrom('quakes').select(['id', distance('location', [9.74, 47.41]).as('meters')]).orderBy('meters').limit(5)
 * // select "id", distance("location", ?) as "meters" from "quakes" order by "meters" limit ?
 */
export function distance(column: CrateDBColumnRef, point: readonly [number, number] | Expression<unknown>): RawBuilder<number> {
  const right = isExpression(point) ? point : sql.val([...point])
  return sql<number>`distance(${refOf(column)}, ${right})`
}

/** How {@link match} scores and which options it passes (CrateDB `MATCH … USING type WITH (…)`). */
export interface CrateDBMatchOptions {
  /** Match type, e.g. `best_fields` (CrateDB's default), `most_fields`, `cross_fields`, `phrase`, `phrase_prefix`. */
  readonly using?: string
  /** Options of the match type, e.g. `{ fuzziness: 'AUTO', operator: 'and' }`. Needs `using`. */
  readonly with?: Readonly<Record<string, string | number | boolean>>
}

/**
 * The full-text predicate `match(column, term)`
 * (https://cratedb.com/docs/crate/reference/en/latest/general/dql/fulltext.html#predicates-match). Columns must carry a
 * full-text
 * index (`INDEX USING fulltext`) for meaningful scores; select `_score` to rank.
 *
 * @param columns one column name, several, or names with boosts (`{ title: 2, body: 1 }`).
 * @param term the search text (sent as a parameter).
 * @param options `using` type and its `with` options.
 * @throws CrateDBDialectError (code `MATCH_OPTIONS`) for `with` without `using`, or no column.
 * @example
 * db.selectFrom('docs').select(['id', sql.ref('_score').as('score')]).where(match({ title: 2, body: 1 }, 'crate'))
 * // ... where match(("title" 2, "body" 1), ?)
 */
export function match(columns: string | readonly string[] | Readonly<Record<string, number>>, term: string, options: CrateDBMatchOptions = {}): RawBuilder<boolean> {
  const entries: [string, number | undefined][] =
    typeof columns === 'string'
      ? [[columns, undefined]]
      : Array.isArray(columns)
        ? (columns as readonly string[]).map((c): [string, undefined] => [c, undefined])
        : Object.entries(columns as Readonly<Record<string, number>>)
  if (entries.length === 0) throw new CrateDBDialectError('match() needs at least one column', 'MATCH_OPTIONS')
  if (options.with !== undefined && options.using === undefined) {
    throw new CrateDBDialectError('match(): `with` options need a match type in `using` (CrateDB: MATCH ... USING type WITH (...))', 'MATCH_OPTIONS')
  }
  const idents = sql.join(entries.map(([name, boost]) => (boost === undefined ? sql.ref(name) : sql`${sql.ref(name)} ${sql.lit(boost)}`)))
  const target = entries.length === 1 && entries[0]![1] === undefined ? idents : sql`(${idents})`
  let text = sql<boolean>`match(${target}, ${term})`
  if (options.using !== undefined) {
    if (!/^[a-z_]+$/.test(options.using)) throw new CrateDBDialectError(`match(): invalid match type ${JSON.stringify(options.using)}`, 'MATCH_OPTIONS')
    text = sql<boolean>`${text} using ${sql.raw(options.using)}`
    const props = Object.entries(options.with ?? {})
    if (props.length > 0) text = sql<boolean>`${text} with (${sql.join(props.map(([k, v]) => sql`${sql.id(k)} = ${sql.lit(v)}`))})`
  }
  return text
}

function isExpression(value: unknown): value is Expression<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { toOperationNode?: unknown }).toOperationNode === 'function'
}
