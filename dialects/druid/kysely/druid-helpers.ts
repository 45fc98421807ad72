import { sql, type Expression, type RawBuilder } from 'kysely'

/**
 * Druid SQL functions as Kysely expressions (https://druid.apache.org/docs/latest/querying/sql-scalar#date-and-time-functions
 * and https://druid.apache.org/docs/latest/querying/sql-aggregations). A `string` argument names a column (quoted);
 * pass an Expression for anything else. Periods are ISO-8601 (`PT1H`, `P1D`, `P1M`).
 */
type Operand = string | Expression<unknown>

function operand(x: Operand): Expression<unknown> {
  return typeof x === 'string' ? sql.ref(x) : x
}

/**
 * `TIME_FLOOR(expr, period[, origin[, timezone]])`: the timestamp rounded down to the period. With a `timeZone` and
 * no `origin`, the origin is written as the literal `NULL` (Druid cannot bind a null parameter).
 */
export function timeFloor(expr: Operand, period: string, origin?: Date, timeZone?: string): RawBuilder<Date> {
  if (timeZone !== undefined) return sql<Date>`TIME_FLOOR(${operand(expr)}, ${sql.lit(period)}, ${origin ?? sql.lit(null)}, ${sql.lit(timeZone)})`
  if (origin !== undefined) return sql<Date>`TIME_FLOOR(${operand(expr)}, ${sql.lit(period)}, ${origin})`
  return sql<Date>`TIME_FLOOR(${operand(expr)}, ${sql.lit(period)})`
}

/** `TIME_CEIL(expr, period)`. */
export function timeCeil(expr: Operand, period: string): RawBuilder<Date> {
  return sql<Date>`TIME_CEIL(${operand(expr)}, ${sql.lit(period)})`
}

/** `TIME_SHIFT(expr, period, step)`: the timestamp moved by `step` periods. */
export function timeShift(expr: Operand, period: string, step: number): RawBuilder<Date> {
  return sql<Date>`TIME_SHIFT(${operand(expr)}, ${sql.lit(period)}, ${sql.lit(step)})`
}

/** `TIME_PARSE(expr[, pattern])`: ISO-8601 (or Joda pattern) text to TIMESTAMP; NULL when it does not parse. */
export function timeParse(expr: Operand, pattern?: string): RawBuilder<Date | null> {
  return pattern === undefined ? sql`TIME_PARSE(${operand(expr)})` : sql`TIME_PARSE(${operand(expr)}, ${sql.lit(pattern)})`
}

/** `TIME_FORMAT(expr[, pattern])`. */
export function timeFormat(expr: Operand, pattern?: string): RawBuilder<string> {
  return pattern === undefined ? sql`TIME_FORMAT(${operand(expr)})` : sql`TIME_FORMAT(${operand(expr)}, ${sql.lit(pattern)})`
}

/** `TIME_EXTRACT(expr, unit)` (`HOUR`, `DAY`, `DOW`, `EPOCH`, ...). */
export function timeExtract(expr: Operand, unit: string): RawBuilder<number> {
  return sql<number>`TIME_EXTRACT(${operand(expr)}, ${sql.lit(unit)})`
}

/** `MILLIS_TO_TIMESTAMP(expr)`. */
export function millisToTimestamp(expr: Operand): RawBuilder<Date> {
  return sql<Date>`MILLIS_TO_TIMESTAMP(${operand(expr)})`
}

/** `TIMESTAMP_TO_MILLIS(expr)`. */
export function timestampToMillis(expr: Operand): RawBuilder<number> {
  return sql<number>`TIMESTAMP_TO_MILLIS(${operand(expr)})`
}

/**
 * `"__time" >= ? AND "__time" < ?`: the half-open range Druid prunes segments with (TIMESTAMP parameters).
 * @example db.selectFrom('flights').selectAll().where(timeRange(new Date('2006-01-01'), new Date('2006-02-01')))
 */
export function timeRange(start: Date, end: Date, column = '__time'): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(column)} >= ${start} AND ${sql.ref(column)} < ${end})`
}

/** `APPROX_COUNT_DISTINCT(expr)`. */
export function approxCountDistinct(expr: Operand): RawBuilder<number> {
  return sql<number>`APPROX_COUNT_DISTINCT(${operand(expr)})`
}

/** `APPROX_QUANTILE_DS(expr, fraction)` (needs the druid-datasketches extension on a real cluster). */
export function approxQuantileDs(expr: Operand, fraction: number): RawBuilder<number> {
  return sql<number>`APPROX_QUANTILE_DS(${operand(expr)}, ${sql.lit(fraction)})`
}
