/**
 * Child process that measures one Node.js client: `node --expose-gc bench/tarantool/node-client.ts <client>`
 * with the {@link ClientConfig} as JSON in `BENCH_CONFIG`. Prints one {@link ClientReport} JSON line on stdout.
 *
 * For each op: one checked request, then `concurrency` loops that each await a request and issue the next, so
 * exactly that many requests stay in flight on the one connection; a warm-up, then a timed window.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { errorMessage, MiB, processCpuSeconds, type ClientConfig, type ClientName, type ClientReport, type OpName, type OpResult } from './common.ts'
import type { NodePeer, NodePeerFactory } from './peer.ts'

const loaders: Partial<Record<ClientName, () => Promise<{ createPeer: NodePeerFactory }>>> = {
  ours: () => import('./ours.ts'),
  'tarantool-driver': () => import('./tarantool-driver.ts'),
}

async function main(): Promise<void> {
  const client = process.argv[2] as ClientName
  const config = JSON.parse(process.env['BENCH_CONFIG'] ?? '{}') as ClientConfig
  const report: ClientReport = { client, version: '?', results: [] }
  let peer: NodePeer | undefined
  try {
    const load = loaders[client]
    if (load === undefined) throw new Error(`unknown Node client ${JSON.stringify(client)}`)
    peer = await (await load()).createPeer(config)
    report.version = peer.version
    for (const op of config.ops) report.results.push(await measure(peer, op, config))
  } catch (error) {
    report.error = errorMessage(error)
  }
  try {
    await peer?.close()
  } catch {
    // the numbers are already taken
  }
  process.stdout.write(`${JSON.stringify(report)}\n`)
  // A client that keeps handles open (reconnect timers, sockets) must not hang the benchmark.
  process.exit(0)
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
  let seq = 0
  let done = 0
  let stopped = false
  let failure: unknown
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await request(seq++)
      } catch (error) {
        failure ??= error
        stopped = true
        return
      }
      done++
    }
  }

  collectGarbage()
  result.rssBeforeMiB = process.memoryUsage.rss() / MiB
  let rssPeak = 0
  let heapPeak = 0
  let externalPeak = 0
  const sample = (): void => {
    const m = process.memoryUsage()
    rssPeak = Math.max(rssPeak, m.rss)
    heapPeak = Math.max(heapPeak, m.heapUsed)
    externalPeak = Math.max(externalPeak, m.external)
  }
  sample()
  const sampler = setInterval(sample, 50)

  const loops: Promise<void>[] = []
  for (let i = 0; i < config.concurrency; i++) loops.push(loop())
  await sleep(config.warmupMs)
  const server0 = config.serverPid === undefined ? undefined : processCpuSeconds(config.serverPid)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const done0 = done
  await sleep(config.durationMs)
  const done1 = done
  const t1 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  const server1 = config.serverPid === undefined ? undefined : processCpuSeconds(config.serverPid)
  stopped = true
  await Promise.all(loops)
  clearInterval(sampler)
  sample()

  result.requests = done1 - done0
  result.seconds = (t1 - t0) / 1000
  result.rps = result.requests / result.seconds
  result.cpuUsPerRequest = result.requests > 0 ? (cpu.user + cpu.system) / result.requests : 0
  result.rssPeakMiB = rssPeak / MiB
  result.heapPeakMiB = heapPeak / MiB
  result.externalPeakMiB = externalPeak / MiB
  if (server0 !== undefined && server1 !== undefined) {
    result.serverCpuPct = (100 * (server1.total - server0.total)) / result.seconds
    result.serverTxPct = (100 * (server1.main - server0.main)) / result.seconds
  }
  if (failure !== undefined) result.error = errorMessage(failure)
  return result
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
}

await main()
