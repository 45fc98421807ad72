/**
 * Child process that measures one Node.js client: `node --expose-gc bench/tarantool/node-client.ts <client>`
 * with the {@link ClientConfig} as JSON in `BENCH_CONFIG`. Prints one {@link ClientReport} JSON line on stdout.
 *
 * For each op: one checked request, then `concurrency` loops that each await a request and issue the next, so
 * exactly that many requests stay in flight on the one connection; a warm-up, then a timed window.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { runClientMain } from '../shared/client-process.ts'
import { collectGarbage, MemorySampler } from '../shared/memory-sampler.ts'
import { startRequestLoops } from '../shared/request-loops.ts'
import { errorMessage, MiB, processCpuSeconds, type ClientConfig, type ClientName, type OpName, type OpResult } from './common.ts'
import type { NodePeer, NodePeerFactory } from './peer.ts'

const loaders: Partial<Record<ClientName, () => Promise<{ createPeer: NodePeerFactory }>>> = {
  ours: () => import('./ours.ts'),
  'tarantool-driver': () => import('./tarantool-driver.ts'),
}

async function measure(peer: NodePeer, op: OpName, config: ClientConfig): Promise<OpResult> {
  const result: OpResult = { op, requests: 0, seconds: 0, rps: 0, cpuUsPerRequest: 0, rssBeforeMiB: 0, rssPeakMiB: 0 }
  try {
    await peer.check(op)
  } catch (error) {
    result.error = `check failed: ${errorMessage(error)}`
    return result
  }
  const request = peer.run[op]

  collectGarbage()
  result.rssBeforeMiB = process.memoryUsage.rss() / MiB
  const memory = new MemorySampler({ heap: true })

  const loops = startRequestLoops(config.concurrency, request)
  await sleep(config.warmupMs)
  const server0 = config.serverPid === undefined ? undefined : processCpuSeconds(config.serverPid)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const done0 = loops.done
  await sleep(config.durationMs)
  const done1 = loops.done
  const t1 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  const server1 = config.serverPid === undefined ? undefined : processCpuSeconds(config.serverPid)
  await loops.stop()
  memory.stop()

  result.requests = done1 - done0
  result.seconds = (t1 - t0) / 1000
  result.rps = result.requests / result.seconds
  result.cpuUsPerRequest = result.requests > 0 ? (cpu.user + cpu.system) / result.requests : 0
  result.rssPeakMiB = memory.rssPeak / MiB
  result.heapPeakMiB = memory.heapPeak / MiB
  result.externalPeakMiB = memory.externalPeak / MiB
  if (server0 !== undefined && server1 !== undefined) {
    result.serverCpuPct = (100 * (server1.total - server0.total)) / result.seconds
    result.serverTxPct = (100 * (server1.main - server0.main)) / result.seconds
  }
  if (loops.failure !== undefined) result.error = errorMessage(loops.failure)
  return result
}

await runClientMain({ loaders, measure, errorMessage, what: 'Node client' })
