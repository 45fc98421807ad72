import type { AbortableOperationOptions, CompiledQuery, DatabaseConnection, QueryResult } from 'kysely'
import { CrateDBDialectError, CrateDBStreamingNotSupportedError } from '../cratedb-dialect-errors.ts'
import type { CrateDBSqlClient, CrateDBSqlResult } from '../cratedb-sql-client.ts'

/**
 * One Kysely connection over the driver client. CrateDB's HTTP endpoint is stateless per request and the
 * driver pools its sockets, so a connection is a light handle: it pins nothing (there are no transactions
 * to pin, see `CrateDBDriver`).
 *
 * Results (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html): statements with a result set
 * (SELECT, INSERT/UPDATE … RETURNING, SHOW, …)
 * give `rows` as objects keyed by the column names CrateDB reports (aliases keep their case because the
 * compiler quotes them; when two columns share a name the last one wins), values as the driver decoded them
 * (`Date` for timestamps, `bigint` beyond 2^53, `[lon, lat]` for geo_point, plain objects and arrays).
 * `numAffectedRows` is CrateDB's `rowcount` for every statement: rows affected by DML (0 when an optimistic
 * concurrency condition failed, `-1n` when CrateDB cannot tell, e.g. a DELETE of whole partitions), rows
 * returned by a result set. There is never an `insertId`: CrateDB has no generated keys.
 */
export class CrateDBConnection implements DatabaseConnection {
  readonly #client: CrateDBSqlClient

  /** @internal Created by `CrateDBDriver.acquireConnection`. */
  constructor(client: CrateDBSqlClient) {
    this.#client = client
  }

  /**
   * Sends one statement (`POST /_sql`) with the compiled `?` parameters. `options.signal` reaches the driver,
   * which aborts the request and kills the server-side job.
   * @throws the driver's errors unchanged (`ProgrammingError`, `IntegrityError` for a duplicate key, `ConnectionError`, …).
   */
  async executeQuery<R>(compiledQuery: CompiledQuery, options?: AbortableOperationOptions): Promise<QueryResult<R>> {
    const result = await this.#client.execute(
      compiledQuery.sql,
      compiledQuery.parameters,
      options?.signal === undefined ? { rowMode: 'array' } : { rowMode: 'array', signal: options.signal },
    )
    return toQueryResult<R>(result)
  }

  /**
   * Streams a SELECT through the driver's server-side cursor (`DECLARE … WITH HOLD` + `FETCH chunkSize`,
   * https://cratedb.com/docs/crate/reference/en/latest/sql/statements/declare.html) and yields one Kysely chunk per
   * fetched batch: memory holds at most two batches.
   * Leaving the loop early closes the cursor.
   *
   * @throws CrateDBDialectError (code `INVALID_CHUNK_SIZE`) when `chunkSize` is not a positive integer.
   * @throws CrateDBStreamingNotSupportedError when the client has no `stream()`.
   */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize: number, options?: AbortableOperationOptions): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new CrateDBDialectError(`chunkSize must be a positive integer, got ${chunkSize}`, 'INVALID_CHUNK_SIZE')
    }
    const stream = this.#client.stream
    if (stream === undefined) throw new CrateDBStreamingNotSupportedError()
    const cursor = stream.call(this.#client, compiledQuery.sql, compiledQuery.parameters, {
      batchSize: chunkSize,
      rowMode: 'object',
      ...(options?.signal === undefined ? {} : { signal: options.signal }),
    })
    let chunk: R[] = []
    for await (const row of cursor) {
      chunk.push(row as R)
      if (chunk.length === chunkSize) {
        yield { rows: chunk }
        chunk = []
      }
    }
    if (chunk.length > 0) yield { rows: chunk }
  }
}

/**
 * Converts a driver result to Kysely's shape: object rows built from `cols`, `numAffectedRows` from
 * `rowCount`. Statements without a result set (no `cols`) give `rows: []`.
 */
export function toQueryResult<R>(result: CrateDBSqlResult): QueryResult<R> {
  const names = result.cols
  const numAffectedRows = BigInt(result.rowCount)
  if (names.length === 0) return { rows: [], numAffectedRows }
  const rows = result.rows.map((values) => {
    const row: Record<string, unknown> = {}
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i]
    return row as R
  })
  return { rows, numAffectedRows }
}
