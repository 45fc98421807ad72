/**
 * Child process that measures one client: `node --expose-gc bench/cratedb/client.ts <client>` with the
 * {@link ClientConfig} as JSON in `BENCH_CONFIG`. Prints one {@link ClientReport} JSON line on stdout.
 *
 * Every op starts with one checked request (nothing broken gets timed), then:
 * - `throughput`: `inFlight` loops that each await a request and issue the next; a warm-up, then a timed window.
 * - `rows`: the big result fetched and decoded one request at a time: one warm-up request after the check, then
 *   `minRequests` timed ones; the median is reported.
 * - `bulk`: bulk requests one at a time for the warm-up, then until both `durationMs` and `minRequests` are reached.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { runClientMain } from '../shared/client-process.ts'
import { collectGarbage, MemorySampler } from '../shared/memory-sampler.ts'
import { startRequestLoops } from '../shared/request-loops.ts'
import {
  CREATED_BASE,
  digest,
  errorMessage,
  insertRows,
  median,
  MiB,
  OP_SPECS,
  processCpuSeconds,
  SMALL_ID,
  type ClientConfig,
  type ClientName,
  type OpName,
  type OpResult,
  type Peer,
} from './common.ts'

const loaders: Record<ClientName, () => Promise<{ createPeer: (config: ClientConfig) => Promise<Peer> }>> = {
  ours: () => import('./ours.ts'),
  'node-crate': () => import('./node-crate.ts'),
}

/** Memory and CPU around one measured window. */
class Window {
  readonly #memory = new MemorySampler({ heap: false })
  #cpu0 = process.cpuUsage()
  #t0 = performance.now()
  #server0 = 0
  readonly #serverPid: number | undefined

  constructor(serverPid: number | undefined) {
    this.#serverPid = serverPid
  }

  /** Marks the start of the timed part (after warm-up). */
  start(): void {
    this.#cpu0 = process.cpuUsage()
    this.#server0 = this.#serverPid === undefined ? 0 : processCpuSeconds(this.#serverPid)
    this.#t0 = performance.now()
  }

  /** Ends the timed part: seconds, client CPU µs and server CPU % over it. */
  stop(): { seconds: number; cpuUs: number; serverCpuPct: number | undefined; rssPeakMiB: number } {
    const seconds = (performance.now() - this.#t0) / 1000
    const cpu = process.cpuUsage(this.#cpu0)
    const server = this.#serverPid === undefined ? undefined : (100 * (processCpuSeconds(this.#serverPid) - this.#server0)) / seconds
    this.#memory.stop()
    return { seconds, cpuUs: cpu.user + cpu.system, serverCpuPct: server, rssPeakMiB: this.#memory.rssPeak / MiB }
  }
}

async function measure(peer: Peer, op: OpName, config: ClientConfig): Promise<OpResult> {
  const result: OpResult = { op, requests: 0, seconds: 0, value: 0, cpuUsPerRequest: 0, rssPeakMiB: 0 }
  try {
    result.sample = await check(peer, op, config)
  } catch (error) {
    result.error = `check failed: ${errorMessage(error)}`
    return result
  }
  collectGarbage()
  try {
    const spec = OP_SPECS[op]
    if (spec.kind === 'throughput') await measureThroughput(peer, op, config, result)
    else if (spec.kind === 'rows') await measureRows(peer, op as 'rows-arrays', config, result)
    else await measureBulk(peer, op, config, result)
  } catch (error) {
    result.error = errorMessage(error)
  }
  return result
}

/** One request of `op`, verified; returns a digest of what came back. */
async function check(peer: Peer, op: OpName, config: ClientConfig): Promise<string> {
  const spec = OP_SPECS[op]
  if (spec.kind === 'throughput') {
    const row = await peer.small(SMALL_ID)
    const created = row['created']
    if (row['id'] !== SMALL_ID || row['name'] !== `sensor-${SMALL_ID}` || !(created instanceof Date) || created.getTime() !== CREATED_BASE + SMALL_ID * 1000) {
      throw new Error(`small query returned ${digest(row)}`)
    }
    return digest(row)
  }
  if (spec.kind === 'rows') {
    const rows = await peer.rows(op as 'rows-arrays')
    if (rows.length !== config.rows) throw new Error(`expected ${config.rows} rows, got ${rows.length}`)
    const first = rows[0] as Record<string, unknown> | unknown[]
    const shapeOk =
      op === 'rows-objects'
        ? !Array.isArray(first) && (first as Record<string, unknown>)['created'] instanceof Date
        : Array.isArray(first) && first.length === 7 && typeof first[3] === 'number'
    if (!shapeOk) throw new Error(`unexpected first row ${digest(first)}`)
    return digest([rows[0], rows[rows.length - 1]])
  }
  // The replay server answers every bulk request with its recorded `bulkRows` results: send that many.
  const rows = insertRows(bulkFirstId(op, config, 0), op === 'local-bulk' ? config.localBulkRows : config.bulkRows)
  const written = await peer.bulk(rows)
  if (written !== rows.length) throw new Error(`bulk insert of ${rows.length} rows reported ${written}`)
  return `${written} rows`
}

async function measureThroughput(peer: Peer, op: OpName, config: ClientConfig, result: OpResult): Promise<void> {
  const local = OP_SPECS[op].setup === 'local'
  const window = new Window(config.serverPid)
  const loops = startRequestLoops(OP_SPECS[op].inFlight, (seq) => peer.small(local ? (seq % config.rows) + 1 : SMALL_ID))
  await sleep(config.warmupMs)
  window.start()
  const done0 = loops.done
  await sleep(config.durationMs)
  const requests = loops.done - done0
  const w = window.stop()
  await loops.stop()
  if (loops.failure !== undefined) throw loops.failure
  Object.assign(result, { requests, seconds: w.seconds, value: requests / w.seconds, cpuUsPerRequest: w.cpuUs / Math.max(1, requests), rssPeakMiB: w.rssPeakMiB, serverCpuPct: w.serverCpuPct })
}

async function measureRows(peer: Peer, op: 'rows-arrays' | 'rows-objects' | 'rows-bigint', config: ClientConfig, result: OpResult): Promise<void> {
  const window = new Window(config.serverPid)
  await peer.rows(op) // one warm-up request after the check
  window.start()
  const times: number[] = []
  for (let i = 0; i < config.minRequests; i++) {
    const t0 = performance.now()
    const rows = await peer.rows(op)
    times.push(performance.now() - t0)
    if (rows.length !== config.rows) throw new Error(`expected ${config.rows} rows, got ${rows.length}`)
  }
  const w = window.stop()
  Object.assign(result, { requests: times.length, seconds: w.seconds, value: median(times), cpuUsPerRequest: w.cpuUs / times.length, rssPeakMiB: w.rssPeakMiB, serverCpuPct: w.serverCpuPct })
}

/** Ids for bulk request `n` of this process: the replay server ignores them; the local server needs them unique. */
function bulkFirstId(op: OpName, config: ClientConfig, n: number): number {
  return config.idBase + n * (op === 'local-bulk' ? config.localBulkRows : config.bulkRows)
}

async function measureBulk(peer: Peer, op: OpName, config: ClientConfig, result: OpResult): Promise<void> {
  const local = op === 'local-bulk'
  const size = local ? config.localBulkRows : config.bulkRows
  // The replay server does not store anything: one batch of realistic rows, sent again and again. The local
  // server needs new keys for every request; building 1000 rows takes well under a millisecond.
  const fixed = local ? undefined : insertRows(1, size)
  let n = 1 // request 0 was the check
  const send = async (): Promise<void> => {
    const rows = fixed ?? insertRows(bulkFirstId(op, config, n), size)
    n++
    const written = await peer.bulk(rows)
    if (written !== size) throw new Error(`bulk insert of ${size} rows reported ${written}`)
  }
  const window = new Window(config.serverPid)
  const warmupEnd = performance.now() + config.warmupMs
  do await send()
  while (performance.now() < warmupEnd)
  window.start()
  const t0 = performance.now()
  let requests = 0
  while (requests < config.minRequests || performance.now() - t0 < config.durationMs) {
    await send()
    requests++
  }
  const w = window.stop()
  Object.assign(result, { requests, seconds: w.seconds, value: (requests * size) / w.seconds, cpuUsPerRequest: w.cpuUs / requests, rssPeakMiB: w.rssPeakMiB, serverCpuPct: w.serverCpuPct })
}

await runClientMain({ loaders, measure, errorMessage, what: 'client' })
