/**
 * Regroups a stream of row batches (network chunks, engine batches) into Kysely `streamQuery` results of exactly
 * `chunkSize` rows (the last may be shorter), the shape kysely-org/kysely `src/driver/database-connection.ts`
 * expects. Memory holds one incoming batch and one outgoing chunk. Leaving the loop early returns the source
 * iterator, so a driver can cancel the query there.
 *
 * @param batches the source batches, in order.
 * @param chunkSize rows per yielded result; a positive integer (the caller validates it with its own error).
 * @example for await (const { rows } of rechunkRows(stream.batches(), 1000)) handle(rows)
 */
export async function* rechunkRows<R>(batches: AsyncIterable<readonly R[]>, chunkSize: number): AsyncGenerator<{ rows: R[] }, void, undefined> {
  let chunk: R[] = []
  for await (const batch of batches) {
    for (const row of batch) {
      chunk.push(row)
      if (chunk.length === chunkSize) {
        yield { rows: chunk }
        chunk = []
      }
    }
  }
  if (chunk.length > 0) yield { rows: chunk }
}
