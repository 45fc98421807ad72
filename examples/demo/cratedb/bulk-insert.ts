/**
 * Streams rows into a CrateDB table through the driver's `executeMany` (one HTTP request with `bulk_args` per
 * chunk), keeping a few chunks in flight and collecting every failed row the server reports.
 *
 * CrateDB answers a bulk request with one result per row; a row can fail on its own (a duplicate key, a value that
 * does not fit) while the others are stored. This loader never lets such rows pass silently: each chunk with
 * failures becomes a {@link ChunkFailure} with the count and the first few rows' errors. An error of the whole
 * request (syntax, an unknown column, a connection lost) stops the load instead.
 */
import type { CrateDBClient } from '../../../src/cratedb/index.ts'

/** Options of {@link bulkInsert}. */
export interface BulkInsertOptions {
  client: CrateDBClient
  /** Table to insert into (quoted as given). */
  table: string
  /** Column names, in the order of each row's values (quoted as given). */
  columns: readonly string[]
  /** The rows, in batches of any size (e.g. a parquet row group); they are re-cut into chunks of `chunkSize`. */
  source: AsyncIterable<readonly (readonly unknown[])[]> | Iterable<readonly (readonly unknown[])[]>
  /** Rows per request; default 10,000 (~0.5 MB of JSON for a flight row). */
  chunkSize?: number
  /** Requests in flight at most; default 2 (one being executed while the next is encoded and sent). */
  inFlight?: number
  /** Failed rows whose error is kept per chunk (all are counted); default 3. */
  examplesPerChunk?: number
  /** Stops sending; the requests in flight are awaited, then the load rejects with `signal.reason`. */
  signal?: AbortSignal
  /** Called after each chunk with the rows handled so far (stored + failed). */
  onProgress?: (done: number) => void
}

/** One failed row: its 1-based position in the stream, its first value (the primary key) and CrateDB's error. */
export interface FailedRow {
  row: number
  key: unknown
  /** CrateDB's error code (e.g. 4091 duplicate key); 0 when the server reported only `rowcount: -2`. */
  code: number
  message: string
}

/** A chunk in which some rows failed. */
export interface ChunkFailure {
  /** 1-based chunk number. */
  chunk: number
  /** 1-based positions of the chunk's first and last row in the stream. */
  firstRow: number
  lastRow: number
  /** Rows of the chunk that failed. */
  failed: number
  /** The first few failed rows (see `examplesPerChunk`). */
  examples: FailedRow[]
}

/** What {@link bulkInsert} did. */
export interface BulkInsertResult {
  /** Rows stored (the sum of the per-row row counts). */
  rows: number
  /** Rows that failed; the details are in `failures`. */
  failed: number
  failures: ChunkFailure[]
  /** Requests sent. */
  chunks: number
  /** Milliseconds from the first read to the last reply (reading the source included). */
  ms: number
}

/**
 * Inserts every row of `source` with `INSERT INTO table (columns) VALUES (?, …)` bulk requests.
 * @returns the counts and every chunk with failed rows (in chunk order).
 * @throws Error naming the table, chunk and rows when a whole request fails (its `cause` is the driver's error:
 *   `ProgrammingError`, `ConnectionError`, …), after the other requests in flight settled; `signal.reason` when
 *   aborted; whatever the source throws.
 * @example
 * const result = await bulkInsert({ client, table: 't', columns: ['id', 'name'], source: [[[1, 'a'], [2, 'b']]] })
 * result.rows // 2
 */
export async function bulkInsert(options: BulkInsertOptions): Promise<BulkInsertResult> {
  const { client, signal } = options
  const chunkSize = options.chunkSize ?? 10_000
  const inFlight = options.inFlight ?? 2
  const examplesPerChunk = options.examplesPerChunk ?? 3
  const sql = `INSERT INTO ${quote(options.table)} (${options.columns.map(quote).join(', ')}) VALUES (${options.columns.map(() => '?').join(', ')})`
  const started = performance.now()
  const pending = new Set<Promise<void>>()
  const failures: ChunkFailure[] = []
  let stored = 0
  let failed = 0
  let done = 0
  let chunks = 0
  let sent = 0
  let fatal: { error: unknown } | undefined

  const send = (rows: (readonly unknown[])[]): void => {
    const chunk = ++chunks
    const firstRow = sent + 1
    sent += rows.length
    const lastRow = sent
    const request = client.executeMany(sql, rows, signal === undefined ? {} : { signal }).then(
      (result) => {
        stored += result.rowCount
        if (result.failed.length > 0) {
          failed += result.failed.length
          failures.push({
            chunk,
            firstRow,
            lastRow,
            failed: result.failed.length,
            examples: result.failed.slice(0, examplesPerChunk).map((f) => ({
              row: firstRow + f.index,
              key: rows[f.index]?.[0],
              code: f.error?.code ?? 0,
              message: f.error?.message ?? `rowcount ${f.rowCount} without an error message`,
            })),
          })
        }
        done += rows.length
        options.onProgress?.(done)
      },
      (error: unknown) => {
        fatal ??= {
          error: new Error(
            `Bulk insert into ${options.table} failed for chunk ${chunk} (rows ${firstRow}-${lastRow}): ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          ),
        }
      },
    )
    const tracked = request.finally(() => pending.delete(tracked))
    pending.add(tracked)
  }

  try {
    let buffer: (readonly unknown[])[] = []
    reading: for await (const batch of options.source) {
      for (const row of batch) {
        buffer.push(row)
        if (buffer.length < chunkSize) continue
        if (fatal !== undefined || signal?.aborted === true) break reading
        send(buffer)
        buffer = []
        while (pending.size >= inFlight) await Promise.race(pending)
      }
    }
    if (buffer.length > 0 && fatal === undefined && signal?.aborted !== true) send(buffer)
  } finally {
    await Promise.all(pending)
  }
  // An interrupt first: the requests in flight then fail with aborts that are only its consequence.
  signal?.throwIfAborted()
  if (fatal !== undefined) throw fatal.error
  failures.sort((a, b) => a.chunk - b.chunk)
  return { rows: stored, failed, failures, chunks, ms: performance.now() - started }
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`
}
