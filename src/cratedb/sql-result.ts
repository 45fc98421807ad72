import type { CrateDBType } from './col-types.ts'
import { constants as bufferConstants } from 'node:buffer'
import { ProtocolError, ResponseTooLargeError } from './errors.ts'
import { readResultBody, type ReadOptions, type ResultBody } from './result-reader.ts'

/** One bulk entry in every shape servers have used (see {@link decodeBulkBody}). */
function bulkItem(rowcount: unknown, error: unknown, errorMessage: unknown): BulkItemResult {
  if (typeof rowcount !== 'number' && typeof rowcount !== 'bigint' && error == null && errorMessage == null) {
    // Not a shape any server sends: the outcome of this entry is unknown, so it is reported, not counted.
    return { rowCount: -2, error: { code: 0, message: `The answer's results entry has no row count (got ${JSON.stringify(rowcount) ?? 'nothing'}); whether this row was written is unknown` } }
  }
  const result: BulkItemResult = { rowCount: numberOf(rowcount) }
  if (error !== null && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown }
    result.error = { code: typeof e.code === 'number' ? e.code : 0, message: typeof e.message === 'string' ? e.message : JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) }
  } else if (typeof error === 'string') {
    result.error = { code: 0, message: error }
  } else if (typeof errorMessage === 'string') {
    result.error = { code: 0, message: errorMessage }
  }
  return result
}

const BULK_READ: ReadOptions = { bulkItem }

/** Result of `execute` (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html). */
export interface ExecuteResult<Row = unknown[]> {
  /** Column names, in order; empty for statements without a result set (INSERT, DDL, ...). */
  cols: string[]
  /**
   * Type of each column (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types);
   * `[100, inner]` for arrays. Empty when the server sent none.
   */
  colTypes: CrateDBType[]
  /** Decoded rows: arrays in column order, or objects with `rowMode: 'object'`. Empty for row-count statements. */
  rows: Row[]
  /**
   * For result sets the number of rows; for DML the rows affected (`-1`: unknown, e.g. DELETE of whole
   * partitions); DDL usually 1, BEGIN/COMMIT 0
   * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html).
   */
  rowCount: number
  /** Server-side execution time in ms (fractional). */
  duration: number
}

/**
 * A failed bulk item's error as CrateDB 5.10+ reports it
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-errors).
 */
export interface BulkError {
  /** CrateDB error code, e.g. 4091 duplicate key; 0 when an old server gave only `error_message` text. */
  code: number
  /** CrateDB's message, e.g. `DuplicateKeyException[A document with the same primary key exists already]`. */
  message: string
}

/** Outcome of one `bulkArgs` entry. */
export interface BulkItemResult {
  /** Rows affected; `-2` means the item failed. */
  rowCount: number
  /**
   * Why it failed, when the server said (5.10+, and then only for the first 10 failures per shard; older
   * servers only report `rowCount: -2`). Absent for successful items.
   */
  error?: BulkError
}

/** A failed bulk item: its position in `bulkArgs` plus its result. */
export interface BulkFailure extends BulkItemResult {
  /** Index into `bulkArgs`. */
  index: number
}

/** Result of `executeMany`. */
export interface ExecuteManyResult {
  /** One entry per `bulkArgs` entry, in order. */
  results: BulkItemResult[]
  /** Sum of the non-negative item row counts. */
  rowCount: number
  /** Every failed item (rowCount -2, or carrying an error), in order. Empty when all succeeded. */
  failed: BulkFailure[]
  /** Server-side execution time in ms. */
  duration: number
}

/** Longest body the reader can take: it reads an answer from one string, and V8's strings end here. */
const MAX_BODY = bufferConstants.MAX_STRING_LENGTH

function parseBody(body: Buffer, options: ReadOptions, node: string, what: string): ResultBody {
  if (body.length > MAX_BODY) {
    throw new ResponseTooLargeError(
      `${what} to ${node}: the answer of ${body.length} bytes is longer than the longest string V8 can hold (${MAX_BODY}), so it cannot be decoded. ` +
        `Read large results with client.stream(), which fetches them in batches through a server-side cursor.`,
      { limit: MAX_BODY, node, httpStatus: 200 },
    )
  }
  let parsed: ResultBody | undefined
  try {
    parsed = readResultBody(body, options)
  } catch (err) {
    const excerpt = body.subarray(0, 200).toString('utf8')
    if (err instanceof SyntaxError) {
      throw new ProtocolError(`${what} to ${node} answered 200 with a body that is not JSON: ${JSON.stringify(excerpt)}`, { code: 'INVALID_RESPONSE', cause: err, node, httpStatus: 200 })
    }
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      // CrateDB limits object nesting (mapping.depth.limit), so a real answer does not get here.
      throw new ProtocolError(`${what} to ${node} answered 200 with JSON nested deeper than the driver reads (thousands of levels): ${JSON.stringify(excerpt)}`, {
        code: 'INVALID_RESPONSE',
        cause: err,
        node,
        httpStatus: 200,
      })
    }
    throw err // a converter's own error
  }
  if (parsed === undefined) {
    throw new ProtocolError(`${what} to ${node} answered 200 with JSON that is not a result object`, { code: 'INVALID_RESPONSE', node, httpStatus: 200 })
  }
  return parsed
}

function numberOf(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : -1
}

/**
 * Decodes a 200 answer to a simple statement: rows decoded by `col_types`, the row-count statements' `[[]]`
 * turned into `[]`.
 *
 * @throws ProtocolError when the body is not a result object.
 */
export function decodeExecuteBody<Row>(body: Buffer, options: ReadOptions, node: string, what: string): ExecuteResult<Row> {
  const value = parseBody(body, options, node, what)
  const cols = Array.isArray(value.cols) ? (value.cols as string[]) : []
  return {
    cols,
    colTypes: Array.isArray(value.colTypes) ? (value.colTypes as CrateDBType[]) : [],
    rows: cols.length > 0 && Array.isArray(value.rows) ? (value.rows as Row[]) : [],
    rowCount: numberOf(value.rowcount),
    duration: numberOf(value.duration),
  }
}

/**
 * Decodes a 200 answer to a bulk statement
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-errors): every item's row count
 * and error, in all the shapes
 * servers have used (`error` objects since 5.10, bare `rowcount: -2` for 4.2-5.9 and for failures past the
 * 10-per-shard cap, legacy `error_message` strings).
 *
 * @throws ProtocolError when the body has no `results` list, or (given `expected`) not one entry per row.
 */
export function decodeBulkBody(body: Buffer, node: string, what: string, expected?: number): ExecuteManyResult {
  const value = parseBody(body, BULK_READ, node, what)
  if (!Array.isArray(value.results)) {
    throw new ProtocolError(`${what} to ${node} answered 200 without a bulk "results" list`, { code: 'INVALID_RESPONSE', node, httpStatus: 200 })
  }
  const results = value.results as BulkItemResult[]
  if (expected !== undefined && results.length !== expected) {
    // Rows could go unreported: which entry belongs to which row is unknown, so no entry can be trusted.
    throw new ProtocolError(
      `${what} to ${node} answered with ${results.length} bulk results for ${expected} rows of arguments; the outcome of each row is unknown. Check the rows before sending them again.`,
      { code: 'INVALID_RESPONSE', node, httpStatus: 200 },
    )
  }
  const failed: BulkFailure[] = []
  let rowCount = 0
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!
    const count = result.rowCount
    if (count >= 0) rowCount += count
    if (count === -2 || result.error !== undefined) failed.push({ index: i, ...result })
  }
  return { results, rowCount, failed, duration: numberOf(value.duration) }
}
