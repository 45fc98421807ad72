/**
 * Reads `flights-3m.parquet` with `hyparquet`, one row group at a time, as `flights` tuples.
 */
import { zstdDecompressSync } from 'node:zlib'
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, type AsyncBuffer, type Compressors, type FileMetaData } from 'hyparquet'
import type { FlightTuple } from './schema.ts'

/** Columns read from the file, in the order they take in a tuple after the id. */
const COLUMNS = ['date', 'delay', 'distance', 'origin', 'destination']

/** The file is ZSTD-compressed; hyparquet has no ZSTD codec of its own, Node 24's zlib does. */
const compressors: Compressors = {
  ZSTD: (input) => new Uint8Array(zstdDecompressSync(input)),
}

/** `date` is a TIMESTAMP(MICROS) column; keep whole epoch seconds instead of building 3M `Date` objects. */
const parsers = {
  timestampFromMicroseconds: (micros: bigint): number => Number(micros / 1_000_000n),
}

/** An opened flights file: its size, and a reader of its rows in bounded chunks. */
export interface FlightsParquet {
  readonly path: string
  /** Rows in the file (3,000,000 for vega-datasets 3.x). */
  readonly rowCount: number
  /** Row groups in the file (11); each chunk `chunks()` yields is one row group, or the part of it asked for. */
  readonly rowGroupCount: number
  /**
   * Yields the first `rows` rows as `flights` tuples (`id` = 1-based row number), one row group per chunk, so
   * at most one decoded row group (~273k rows) is in memory at a time.
   * @throws Error when a value is null (the table declares every column NOT NULL) or `signal` aborts.
   */
  chunks(rows: number, signal?: AbortSignal): AsyncGenerator<FlightTuple[]>
}

/**
 * Opens the parquet file and reads its footer.
 * @example
 * const file = await openFlightsParquet(FLIGHTS_PARQUET)
 * for await (const tuples of file.chunks(1000)) console.log(tuples[0]) // [1, 978307260, 33, 2176, 'LAS', 'PHL']
 */
export async function openFlightsParquet(path: string): Promise<FlightsParquet> {
  const file = await asyncBufferFromFile(path)
  const metadata = await parquetMetadataAsync(file)
  return {
    path,
    rowCount: Number(metadata.num_rows),
    rowGroupCount: metadata.row_groups.length,
    chunks: (rows, signal) => readChunks(file, metadata, rows, signal),
  }
}

async function* readChunks(file: AsyncBuffer, metadata: FileMetaData, rows: number, signal: AbortSignal | undefined): AsyncGenerator<FlightTuple[]> {
  const end = Math.min(rows, Number(metadata.num_rows))
  let groupStart = 0
  for (const group of metadata.row_groups) {
    if (groupStart >= end) break
    const groupEnd = Math.min(groupStart + Number(group.num_rows), end)
    signal?.throwIfAborted()
    let decoded: unknown[][] = []
    await parquetRead({
      file,
      metadata,
      columns: COLUMNS,
      rowStart: groupStart,
      rowEnd: groupEnd,
      compressors,
      parsers,
      rowFormat: 'array',
      onComplete: (result) => {
        decoded = result
      },
    })
    yield toTuples(decoded, groupStart)
    groupStart = groupEnd
  }
}

function toTuples(decoded: unknown[][], firstRow: number): FlightTuple[] {
  const tuples = new Array<FlightTuple>(decoded.length)
  for (let i = 0; i < decoded.length; i++) {
    const [date, delay, distance, origin, destination] = decoded[i]!
    if (date == null || delay == null || distance == null || origin == null || destination == null) {
      throw new Error(`flights-3m.parquet row ${firstRow + i} has a null value (${JSON.stringify(decoded[i], (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}); every flights column is NOT NULL`)
    }
    tuples[i] = [firstRow + i + 1, date as number, Number(delay), Number(distance), origin as string, destination as string]
  }
  return tuples
}
