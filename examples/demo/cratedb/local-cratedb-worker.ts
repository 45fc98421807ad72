/**
 * Worker-thread entry of the demo's local CrateDB server (see `provision-cratedb.ts`): starts
 * `startCrateDB(workerData)` here, posts `{ url, version }` (or `{ error }`) to the parent, and stops the server when
 * the parent posts `'stop'`, answering `{ stopped: true }`.
 *
 * The server executes SQL on PGlite on its own event loop; in a worker that loop is this thread's, so the demo's
 * thread (parquet decoding, JSON encoding, the progress bar) runs on the other core meanwhile.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { startCrateDB, type StartCrateDBOptions } from '../../../src/testing/cratedb/index.ts'

const port = parentPort
if (port === null) throw new Error('local-cratedb-worker.ts runs as a worker thread (new Worker(...)), not on its own')

try {
  const server = await startCrateDB((workerData ?? {}) as StartCrateDBOptions)
  port.on('message', (message: unknown) => {
    if (message !== 'stop') return
    server.stop().then(
      () => port.postMessage({ stopped: true }),
      (error: unknown) => port.postMessage({ stopped: true, error: String(error) }),
    )
  })
  port.postMessage({ url: server.url, version: server.version })
} catch (error) {
  port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
}
