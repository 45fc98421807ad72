import type { CrateError } from './crate-error.ts'
import { colTypeJson, type ColType } from './result-encoding.ts'

/** A statement's outcome before it is written as JSON. */
export type StatementResult =
  | { readonly kind: 'rows'; readonly cols: readonly string[]; readonly colTypes: readonly ColType[]; readonly rows: readonly string[] }
  | { readonly kind: 'count'; readonly rowcount: number }

/**
 * One item of a bulk response
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-errors).
 */
export type BulkItem = { readonly rowcount: number } | { readonly rowcount: -2; readonly error: { readonly code: number; readonly message: string } }

/**
 * `duration` as CrateDB writes it: a float number of milliseconds (a Java float, so always with a decimal point,
 * e.g. `2.195417` or `1.0`).
 */
export function durationJson(milliseconds: number): string {
  const rounded = Math.round(milliseconds * 1e6) / 1e6
  const text = String(rounded)
  return /[.eE]/.test(text) ? text : `${text}.0`
}

/**
 * The 200 body of a simple request (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html), fields in
 * CrateDB's order `cols`, `col_types` (only with
 * `?types`), `rows`, `rowcount`, `duration`. A row count result has `"rows":[[]]`.
 */
export function statementBody(result: StatementResult, includeTypes: boolean, durationMs: number): string {
  if (result.kind === 'count') {
    return `{"cols":[],${includeTypes ? '"col_types":[],' : ''}"rows":[[]],"rowcount":${result.rowcount},"duration":${durationJson(durationMs)}}`
  }
  const cols = result.cols.map((c) => JSON.stringify(c)).join(',')
  const types = includeTypes ? `"col_types":[${result.colTypes.map(colTypeJson).join(',')}],` : ''
  return `{"cols":[${cols}],${types}"rows":[${result.rows.join(',')}],"rowcount":${result.rows.length},"duration":${durationJson(durationMs)}}`
}

/** The 200 body of a bulk request: `{"cols":[],"duration":…,"results":[…]}` — no `rows`, `rowcount` or `col_types`. */
export function bulkBody(items: readonly BulkItem[], durationMs: number): string {
  const results = items.map((item) =>
    'error' in item ? `{"rowcount":-2,"error":{"code":${item.error.code},"message":${JSON.stringify(item.error.message)}}}` : `{"rowcount":${item.rowcount}}`,
  )
  return `{"cols":[],"duration":${durationJson(durationMs)},"results":[${results.join(',')}]}`
}

/**
 * The error body (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-handling):
 * `{"error":{"message":…,"code":…}}` plus `"error_trace"` when asked for.
 */
export function errorBody(error: CrateError, includeTrace: boolean): string {
  const trace = includeTrace ? `,"error_trace":${JSON.stringify(error.errorTrace())}` : ''
  return `{"error":{"message":${JSON.stringify(error.crateMessage)},"code":${error.code}}${trace}}`
}
