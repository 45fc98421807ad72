import type { AbortableOperationOptions, CompiledQuery, DatabaseConnection, QueryResult } from 'kysely'
import type { Connection } from '../../../src/e6data/connection.ts'
import type { Cursor, Row } from '../../../src/e6data/cursor.ts'
import { E6dataError } from '../../../src/e6data/errors.ts'
import type { E6dataParameter } from '../../../src/e6data/parameter-binding.ts'
import { rechunkRows } from '../../shared/rechunk-rows.ts'
import { assertReadOnlyQuery } from '../e6data-read-only-guard.ts'

function toObjects<R>(cursor: Cursor, rows: Row[]): R[] {
  const names = cursor.columns?.map((c) => c.name) ?? []
  const out = new Array<R>(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    const o: Record<string, unknown> = {}
    for (let c = 0; c < names.length; c++) o[names[c]!] = row[c]
    out[i] = o as R
  }
  return out
}

/** The cursor's batches as object rows. */
async function* objectBatches<R>(cursor: Cursor, batches: AsyncIterable<Row[]>): AsyncGenerator<R[]> {
  for await (const batch of batches) yield toObjects<R>(cursor, batch)
}

/** Sends `cancelQuery` for the cursor's query when `signal` aborts; returns the detach function. */
function cancelOnAbort(cursor: Cursor, signal: AbortSignal | undefined): () => void {
  if (signal === undefined) return () => {}
  const onAbort = (): void => {
    if (cursor.queryId !== undefined) void cursor.cancel().catch(() => {})
  }
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}

/**
 * One Kysely connection over an e6data {@link Connection}: each query runs on its own cursor (prepare, execute,
 * fetch, clear). Parameters are bound client-side by the driver. An aborted `signal` sends `cancelQuery`.
 */
export class E6dataKyselyConnection implements DatabaseConnection {
  readonly connection: Connection

  constructor(connection: Connection) {
    this.connection = connection
  }

  async executeQuery<R>(compiledQuery: CompiledQuery, options?: AbortableOperationOptions): Promise<QueryResult<R>> {
    assertReadOnlyQuery(compiledQuery)
    const cursor = this.connection.cursor()
    const detach = cancelOnAbort(cursor, options?.signal)
    try {
      await cursor.execute(compiledQuery.sql, compiledQuery.parameters as E6dataParameter[], { signal: options?.signal })
      const rows: Row[] = []
      for await (const batch of cursor.fetchAllBuffer(options?.signal)) for (const r of batch) rows.push(r)
      return { rows: toObjects<R>(cursor, rows) }
    } finally {
      detach()
      await cursor.close()
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 1000, options?: AbortableOperationOptions): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new E6dataError(`chunkSize must be a positive integer, got ${chunkSize}`, { code: 'INVALID_CHUNK_SIZE' })
    assertReadOnlyQuery(compiledQuery)
    const cursor = this.connection.cursor()
    const detach = cancelOnAbort(cursor, options?.signal)
    try {
      await cursor.execute(compiledQuery.sql, compiledQuery.parameters as E6dataParameter[], { signal: options?.signal })
      yield* rechunkRows(objectBatches<R>(cursor, cursor.fetchAllBuffer(options?.signal)), chunkSize)
    } finally {
      detach()
      await cursor.close()
    }
  }
}
