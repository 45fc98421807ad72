/**
 * The CrateDB the demo talks to: `CRATEDB_URL` when set (a real cluster; one URL or several separated by
 * spaces, credentials allowed as `http://user:password@host:4200/`), else dialectry's local CrateDB protocol
 * server (`dialectry/testing/cratedb`) started in a worker thread for the run.
 *
 * Why a worker: the local server executes SQL on PGlite, on the event loop of the thread that started it. In the
 * demo's own thread every bulk request would block the loader (and the progress bar) while it runs; in a worker
 * the loader decodes and encodes the next chunk on the other core meanwhile. Measured on this machine (2 cores,
 * 100,000 flights in chunks of 10,000): ~7,000 rows/s in the same thread, ~11,000-13,000 rows/s with the server in
 * a worker.
 * (Those rates are with the server's `refreshInterval` off; see `CrateDemoOptions.server`.)
 */
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import type { StartCrateDBOptions } from '../../../src/testing/cratedb/index.ts'
import { redactUrl } from '../../../src/core/errors.ts'

/** Where the server came from: `CRATEDB_URL`, or the local protocol server. */
export type CrateDBSource = 'env' | 'local'

/** A CrateDB to connect to; `stop()` ends what was started for the run. */
export interface ProvisionedCrateDB {
  readonly source: CrateDBSource
  /** What to pass to `connect()`: one or more node URLs, possibly with credentials. */
  readonly servers: string
  /** The same without passwords, for printing. */
  readonly display: string
  /** Stops the local server and its worker (no-op for `CRATEDB_URL`); idempotent. */
  stop(): Promise<void>
}

/** Options of {@link provisionCrateDB}. */
export interface ProvisionCrateDBOptions {
  /** Environment read for `CRATEDB_URL`; default `process.env`. */
  env?: Record<string, string | undefined>
  /** Options of the local server (`startCrateDB`); default `{}`. */
  server?: StartCrateDBOptions
  /** Milliseconds to wait for the local server to start; default 120,000 (PGlite's first start takes 5-15 s). */
  startTimeout?: number
}

/**
 * Returns `CRATEDB_URL`, or starts the local server in a worker thread.
 * @throws Error when the local server does not start (its error and stack included) or not within `startTimeout`;
 *   nothing is left running then.
 * @example
 * const crate = await provisionCrateDB()
 * const client = connect(crate.servers)
 * // …
 * await client.close()
 * await crate.stop()
 */
export async function provisionCrateDB(options: ProvisionCrateDBOptions = {}): Promise<ProvisionedCrateDB> {
  const env = options.env ?? process.env
  const url = env['CRATEDB_URL']?.trim()
  if (url !== undefined && url !== '') {
    return { source: 'env', servers: url, display: url.split(/\s+/).map(redactUrl).join(' '), stop: async () => {} }
  }
  const worker = new Worker(new URL('./local-cratedb-worker.ts', import.meta.url), {
    workerData: options.server ?? {},
  })
  let started: { url: string }
  try {
    started = await firstMessage(worker, options.startTimeout ?? 120_000)
  } catch (error) {
    await worker.terminate()
    throw error
  }
  // A crash after the start shows up as failed requests; without a listener it would also end this process.
  worker.on('error', () => {})
  let stopping: Promise<void> | undefined
  return {
    source: 'local',
    servers: started.url,
    display: started.url,
    stop() {
      stopping ??= stopWorker(worker)
      return stopping
    },
  }
}

async function firstMessage(worker: Worker, timeout: number): Promise<{ url: string }> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(new Error(`The local CrateDB server did not start within ${timeout} ms`)), timeout)
  try {
    const message = await Promise.race([
      once(worker, 'message', { signal: abort.signal }).then(([m]) => m as { url?: string; error?: string }),
      once(worker, 'exit', { signal: abort.signal }).then(([code]): { url?: string; error?: string } => ({
        error: `its worker thread exited with code ${String(code)}`,
      })),
    ])
    if (typeof message.url !== 'string') throw new Error(`The local CrateDB server did not start: ${message.error ?? JSON.stringify(message)}`)
    return { url: message.url }
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
}

/** Asks the worker to stop the server (closing its listeners and PGlite), then ends the thread. */
async function stopWorker(worker: Worker): Promise<void> {
  const stopped = once(worker, 'message', { signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
  worker.postMessage('stop')
  await stopped
  await worker.terminate()
}
