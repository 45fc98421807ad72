/**
 * Plain-text tables and numbers for the demo's output.
 */

/** One column of {@link formatTable}. */
export interface TableColumn<Row> {
  header: string
  /** The cell text of a row. */
  cell: (row: Row) => string
  /** Default `'left'`; use `'right'` for numbers. */
  align?: 'left' | 'right'
}

/**
 * Lays rows out as aligned columns under a header and a rule, each line indented by two spaces.
 * @returns the lines, without newlines.
 * @example
 * formatTable([{ id: 1 }], [{ header: 'id', cell: (r) => String(r.id), align: 'right' }])
 * // ['  id', '  --', '   1']
 */
export function formatTable<Row>(rows: readonly Row[], columns: readonly TableColumn<Row>[]): string[] {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: readonly string[]): string =>
    '  ' +
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  const lines = [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w)))]
  for (const row of cells) lines.push(line(row))
  if (rows.length === 0) lines.push('  (no rows)')
  return lines
}

/** `1234567` → `'1,234,567'`. */
export function formatInteger(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** Fixed decimals, e.g. `formatDecimal(12.3059, 2)` → `'12.31'`. */
export function formatDecimal(n: number, digits: number): string {
  return n.toFixed(digits)
}

/** Milliseconds as `'812 ms'`, `'0.42 ms'` or `'14.3 s'`. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(1)} s`
}

/** Epoch seconds of a recorded wall-clock time as `'2001-01-01 00:01'`. */
export function formatEpochSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')
}

/** A day number (epoch seconds / 86400) as `'2001-01-01'`. */
export function formatEpochDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10)
}
