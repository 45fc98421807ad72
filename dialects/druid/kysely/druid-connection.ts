import type { AbortableOperationOptions, CompiledQuery, DatabaseConnection, QueryResult } from 'kysely'
import type { DruidClient } from '../../../src/druid/client.ts'
import { DruidInvalidArgumentError } from '../../../src/druid/errors.ts'
import { rechunkRows } from '../../shared/rechunk-rows.ts'
import { assertReadOnlyQuery } from '../druid-read-only-guard.ts'

/**
 * One Kysely connection: a light handle over the driver's HTTP client (Druid's SQL API is stateless). Every
 * statement passes {@link assertReadOnlyQuery} before it is sent; its `sqlQueryId` is Kysely's query id, so a query
 * can be cancelled by id (`client.cancel(compiledQuery.queryId.queryId)`), and an aborted `signal` cancels it on
 * the server.
 */
export class DruidConnection implements DatabaseConnection {
  readonly #client: DruidClient

  /** @internal Created by `DruidDriver.acquireConnection`. */
  constructor(client: DruidClient) {
    this.#client = client
  }

  /**
   * Runs one query (`resultFormat: 'array'` with type headers), rows as objects keyed by column name.
   * @throws DruidReadOnlyError before sending anything but a select (SELECT/WITH/EXPLAIN as raw SQL); the driver's errors otherwise.
   */
  async executeQuery<R>(compiledQuery: CompiledQuery, options?: AbortableOperationOptions): Promise<QueryResult<R>> {
    assertReadOnlyQuery(compiledQuery)
    const result = await this.#client.query<R>(compiledQuery.sql, compiledQuery.parameters, {
      resultFormat: 'array',
      rowMode: 'object',
      sqlQueryId: compiledQuery.queryId.queryId,
      ...(options?.signal !== undefined ? { signal: options.signal } : {}),
    })
    return { rows: result.rows }
  }

  /**
   * Streams a query over `arrayLines`, yielding chunks of `chunkSize` rows; memory holds one network chunk and one
   * Kysely chunk. Leaving the loop early cancels the query on the server.
   */
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize: number, options?: AbortableOperationOptions): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new DruidInvalidArgumentError(`chunkSize must be a positive integer, got ${chunkSize}`, { code: 'INVALID_CHUNK_SIZE' })
    assertReadOnlyQuery(compiledQuery)
    const stream = this.#client.stream<R>(compiledQuery.sql, compiledQuery.parameters, {
      resultFormat: 'arrayLines',
      rowMode: 'object',
      sqlQueryId: compiledQuery.queryId.queryId,
      ...(options?.signal !== undefined ? { signal: options.signal } : {}),
    })
    yield* rechunkRows(stream.batches(), chunkSize)
  }
}
