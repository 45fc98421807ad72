/**
 * Turns the demo's query results into the lines it prints.
 */
import type { TableMetadata } from 'kysely'
import {
  formatDecimal,
  formatDuration,
  formatEpochDay,
  formatEpochSeconds,
  formatInteger,
  formatTable,
} from './format-table.ts'
import type { DayDelay, OriginDelay, OriginLookup, RouteCount } from './queries.ts'

/** `'(1) Busiest routes  [Kysely, 1.4 s]'`. */
export function heading(title: string, layer: string, ms: number): string {
  return `${title}  [${layer}, ${formatDuration(ms)}]`
}

export function routeLines(rows: readonly RouteCount[]): string[] {
  return formatTable(rows, [
    { header: '#', cell: (r) => String(rows.indexOf(r) + 1), align: 'right' },
    { header: 'route', cell: (r) => `${r.origin} → ${r.destination}` },
    { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
  ])
}

export function originDelayLines(rows: readonly OriginDelay[]): string[] {
  return formatTable(rows, [
    { header: 'origin', cell: (r) => r.origin },
    { header: 'airport', cell: (r) => r.name },
    { header: 'city', cell: (r) => [r.city, r.state].filter((v) => v !== null).join(', ') },
    { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
    { header: 'avg delay (min)', cell: (r) => formatDecimal(r.avg_delay, 2), align: 'right' },
  ])
}

export function dayDelayLines(rows: readonly DayDelay[]): string[] {
  return formatTable(rows, [
    { header: 'day', cell: (r) => formatEpochDay(r.day) },
    { header: 'flights', cell: (r) => formatInteger(r.flights), align: 'right' },
    { header: 'avg delay (min)', cell: (r) => formatDecimal(r.avgDelay, 2), align: 'right' },
  ])
}

export function originLookupLines(lookup: OriginLookup): string[] {
  return [
    `  indexes of space flights: ${lookup.indexes.join(', ')}`,
    ...formatTable(lookup.tuples, [
      { header: 'id', cell: (t) => formatInteger(t[0]), align: 'right' },
      { header: 'departure', cell: (t) => formatEpochSeconds(t[1]) },
      { header: 'delay', cell: (t) => String(t[2]), align: 'right' },
      { header: 'distance', cell: (t) => formatInteger(t[3]), align: 'right' },
      { header: 'origin', cell: (t) => t[4] },
      { header: 'destination', cell: (t) => t[5] },
    ]),
  ]
}

/** One line per table: `flights: id INTEGER, date INTEGER, ...`; `?` marks a nullable column. */
export function schemaLines(tables: readonly TableMetadata[]): string[] {
  return tables.map(
    (table) =>
      `  ${table.isView ? 'view' : 'table'} ${table.name}: ` +
      table.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '?' : ''}${c.isAutoIncrementing ? ' autoincrement' : ''}`).join(', '),
  )
}
