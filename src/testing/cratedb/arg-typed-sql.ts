import { JsonNumber, type JsonValue } from './lossless-json.ts'

/**
 * Object sub-columns compared with parameters (`o['z'] > ?`, `o['z'] IN (?, ?)`, `o['z'] BETWEEN ? AND ?`) are
 * typed by the value bound to the parameter, like CrateDB compares by the value's type: the translator leaves a
 * marker after the text access `(o ->> 'z')` naming the parameters, and the runner replaces it with `::numeric`
 * for a JSON number, `::boolean` for a boolean and nothing (text) otherwise, once the arguments are known.
 *
 * A marker is `NUL`, the parameter numbers separated by commas, `NUL`: NUL cannot occur in a statement PostgreSQL
 * accepts, so markers never collide with statement text.
 */
const MARKER = /\u0000([\d,]+)\u0000/g

/** The marker for a sub-column compared with parameters `params` (1-based numbers, in source order). */
export function argTypeMarker(params: readonly number[]): string {
  return `\u0000${params.join(',')}\u0000`
}

/** `sql` without markers: every marked sub-column stays text (what the statement is without arguments). */
export function stripArgTypeMarkers(sql: string): string {
  return sql.includes('\u0000') ? sql.replace(MARKER, '') : sql
}

/**
 * `sql` with every marker replaced by the cast for the JSON type of its parameters' values: the first non-null value
 * among the marker's parameters in the first of `rows` that has one (bulk requests type by their first rows).
 *
 * @example
 * bindArgTypes(`(o ->> 'z')${argTypeMarker([1])} > $1`, [[new JsonNumber('5000')]]) // "(o ->> 'z')::numeric > $1"
 */
export function bindArgTypes(sql: string, rows: readonly (readonly JsonValue[])[]): string {
  if (!sql.includes('\u0000')) return sql
  return sql.replace(MARKER, (_, list: string) => {
    const params = list.split(',').map(Number)
    for (const row of rows) {
      for (const p of params) {
        const value = row[p - 1]
        if (value === undefined || value === null) continue
        if (value instanceof JsonNumber || typeof (value as unknown) === 'number') return '::numeric'
        if (typeof value === 'boolean') return '::boolean'
        return ''
      }
    }
    return ''
  })
}
