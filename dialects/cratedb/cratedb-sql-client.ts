/**
 * The part of the `dialectry/cratedb` driver that the Kysely dialect and the Drizzle driver use, described
 * structurally so that the driver's client, a wrapper around it or a test double all fit (as
 * kysely-org/kysely-postgres-js describes its client). The dialects never import the driver's client class.
 */

/**
 * Result of one `POST /_sql` (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html) as the driver's
 * `execute()` resolves it.
 */
export interface CrateDBSqlResult {
  /** Column names in select order; empty for statements without a result set (INSERT/UPDATE/DELETE/DDL). */
  readonly cols: readonly string[]
  /**
   * `col_types` entries (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types),
   * one per column; the dialects do not read them.
   */
  readonly colTypes?: readonly unknown[]
  /**
   * Rows as arrays in column order, values already decoded by the driver (Date, bigint, `[lon, lat]`, ...).
   * Statements without a result set answer one empty row (`[[]]`), which the dialects ignore.
   */
  readonly rows: readonly (readonly unknown[])[]
  /**
   * Rows returned (result sets) or affected (DML); `-1` when CrateDB cannot tell (e.g. a DELETE that drops
   * whole partitions). 0 for an UPDATE/DELETE whose optimistic-concurrency condition failed.
   */
  readonly rowCount: number
  /** Server time in ms. */
  readonly duration?: number
}

/**
 * Outcome of one row of a bulk request
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-errors).
 */
export interface CrateDBBulkRowResult {
  /** Rows affected by this row's statement; `-2` when it failed. */
  readonly rowCount: number
  /** Present when the server said why the row failed (CrateDB 5.10+, first 10 errors per shard). */
  readonly error?: { readonly code: number; readonly message: string }
}

/** Result of a bulk request (`bulk_args`) as the driver's `executeMany()` resolves it. */
export interface CrateDBBulkResult {
  /** One entry per row of `bulkArgs`, in order. */
  readonly results: readonly CrateDBBulkRowResult[]
  /** Sum of the non-negative `rowCount`s. */
  readonly rowCount: number
  /** The entries of `results` that failed. */
  readonly failed: readonly unknown[]
}

/** Per-request options the driver accepts: `timeout` in ms, an `AbortSignal`, and the row shape. */
export interface CrateDBSqlRequestOptions {
  /** Limit for the whole call in ms; the driver kills the server-side job when it elapses. */
  timeout?: number
  /** Aborts the call; the driver kills the server-side job. */
  signal?: AbortSignal
  /** The dialects always ask for `'array'` rows and build objects themselves from `cols`. */
  rowMode?: 'array'
}

/** Options of a cursor stream. */
export interface CrateDBSqlStreamOptions {
  /** Rows fetched per `FETCH` round trip (the driver's `batchSize`). */
  batchSize?: number
  /** Aborts the stream; the driver closes the cursor. */
  signal?: AbortSignal
  /** Kysely asks for `'object'` rows (keyed by column name), since a stream reports no column list up front. */
  rowMode?: 'array' | 'object'
}

/**
 * A server-side cursor over one SELECT (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/declare.html:
 * `DECLARE … WITH HOLD` / `FETCH n` on a dedicated
 * socket), as the driver's `stream()` returns it: an async iterable of rows in the requested `rowMode`.
 * Ending the iteration early (`break`, `return()`) closes the cursor.
 */
export type CrateDBSqlCursor = AsyncIterable<unknown>

/**
 * The client the dialects are built on: the driver's client from `connect()`.
 *
 * Only `execute` is required. `stream` and `close` are used when present: without `stream`, Kysely's
 * `.stream()` throws `CrateDBStreamingNotSupportedError`; Kysely's `destroy()` calls `close`. `executeMany` and
 * `refresh` are described because the driver's client has them, but the dialects do not call them: the
 * `refresh()` helpers always send `REFRESH TABLE` through the query builder (and so through `execute`), where
 * Kysely's and Drizzle's logging sees it.
 */
export interface CrateDBSqlClient {
  /** Runs one statement with positional parameters (`?` or `$n`). */
  execute(sql: string, args?: readonly unknown[], options?: CrateDBSqlRequestOptions): Promise<CrateDBSqlResult>
  /** Runs one statement once per row of `bulkArgs` in one request. */
  executeMany?(sql: string, bulkArgs: readonly (readonly unknown[])[], options?: Omit<CrateDBSqlRequestOptions, 'rowMode'>): Promise<CrateDBBulkResult>
  /** Streams the rows of a SELECT through a server-side cursor, `batchSize` rows per round trip. */
  stream?(sql: string, args?: readonly unknown[], options?: CrateDBSqlStreamOptions): CrateDBSqlCursor
  /** `REFRESH TABLE` for one table or several (names may be schema-qualified: `doc.users`). */
  refresh?(tables: string | readonly string[], options?: Omit<CrateDBSqlRequestOptions, 'rowMode'>): Promise<unknown>
  /**
   * Closes the client's sockets. The driver's client lets calls in flight finish for up to `timeout` ms (default
   * 10 000), then aborts them; `abort: true` aborts at once (`CrateDBClient.close()` in `dialectry/cratedb`).
   */
  close?(options?: CrateDBSqlCloseOptions): Promise<void>
}

/**
 * Options passed to {@link CrateDBSqlClient.close} when Kysely's `db.destroy()` closes the client; the driver's
 * `CloseOptions`.
 */
export interface CrateDBSqlCloseOptions {
  /** Ms that calls in flight may take to finish before they are aborted. Driver default 10 000; 0 aborts at once. */
  readonly timeout?: number
  /** Abort calls in flight at once (same as `timeout: 0`). Default `false`. */
  readonly abort?: boolean
}
