/**
 * Markdown table and number formatting for benchmark reports.
 */

/** One table row: `| a | b |`. */
export function tableRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`
}

/**
 * A table's header row and separator; columns before `leftColumns` are left-aligned, the rest right-aligned,
 * as are those for which `left(i)` holds.
 */
export function tableHeader(header: string[], leftColumns = 1, left: (i: number) => boolean = () => false): string[] {
  return [tableRow(header), tableRow(header.map((_, i) => (i < leftColumns || left(i) ? '---' : '---:')))]
}

/** A rate: `12.3k` from 10 000 up, else rounded to a whole number; `failed` when unknown. */
export function formatRate(value: number | undefined): string {
  if (value === undefined) return 'failed'
  if (value >= 10_000) return `${(value / 1000).toFixed(1)}k`
  return Math.round(value).toString()
}

/** `value` with `digits` decimals, or `-` when unknown. */
export function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? '-' : value.toFixed(digits)
}
