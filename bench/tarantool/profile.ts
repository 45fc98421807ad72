/**
 * Profiles our driver on one op: `node bench/tarantool/profile.ts [op] [options]` (op default `select`).
 * Starts a server like the benchmark does, keeps `--concurrency` requests in flight, warms up, then profiles
 * only the timed window through the inspector.
 *
 * - CPU (default): writes `bench/results/profiles/<op>-<time>.cpuprofile` (open in Chrome DevTools or
 *   speedscope) and prints the top functions by self and by total time.
 * - `--alloc`: sampling heap profile including objects already collected, i.e. where the garbage comes from;
 *   writes a `.heapprofile` and prints the top allocating functions.
 * - `--by-id`: pass spaces by numeric id instead of by name.
 * - `--summary <file.cpuprofile>`: only summarise an existing profile (e.g. one from `node --cpu-prof`).
 *
 * Options: `--seconds <n>` [5], `--concurrency <n>` [200].
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { Session } from 'node:inspector/promises'
import { relative } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { provisionTarantool } from '../../src/testing/tarantool/index.ts'
import { OPS, setupLua, type ClientConfig, type OpName } from './common.ts'
import { createPeer } from './ours.ts'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

const PROFILE_DIR = fileURLToPath(new URL('../results/profiles/', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface HeapProfileNode {
  callFrame: ProfileNode['callFrame']
  selfSize: number
  children: HeapProfileNode[]
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '200' },
      alloc: { type: 'boolean', default: false },
      'by-id': { type: 'boolean', default: false },
      summary: { type: 'string' },
    },
  })
  if (values.summary !== undefined) {
    console.log(summarise(JSON.parse(readFileSync(values.summary, 'utf8')) as CpuProfile))
    return
  }
  const op = (positionals[0] ?? 'select') as OpName
  if (!OPS.includes(op)) throw new Error(`unknown op ${JSON.stringify(op)}; use one of ${OPS.join(', ')}`)
  const seconds = Number(values.seconds)
  const concurrency = Number(values.concurrency)
  const rows = 10_000

  const server = await provisionTarantool({ initLua: setupLua(rows) })
  try {
    const config: ClientConfig = {
      uri: server.uri,
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      ops: [op],
      concurrency,
      warmupMs: 1000,
      durationMs: seconds * 1000,
      rows,
      spacesById: values['by-id'],
    }
    const peer = await createPeer(config)
    await peer.check(op)
    const request = peer.run[op]
    let seq = 1 // 0 was used by the insert check
    let done = 0
    let stopped = false
    const loop = async (): Promise<void> => {
      while (!stopped) {
        await request(seq++)
        done++
      }
    }
    const loops: Promise<void>[] = []
    for (let i = 0; i < concurrency; i++) loops.push(loop())
    await sleep(config.warmupMs)

    const session = new Session()
    session.connect()
    if (values.alloc) {
      await session.post('HeapProfiler.enable')
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      })
    } else {
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: 100 })
      await session.post('Profiler.start')
    }
    const io = countSocketIo()
    const done0 = done
    const t0 = performance.now()
    await sleep(config.durationMs)
    const requests = done - done0
    const elapsed = (performance.now() - t0) / 1000
    const rps = requests / elapsed
    io.stop()
    const profile = values.alloc
      ? ((await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: HeapProfileNode } }).profile
      : ((await session.post('Profiler.stop')) as unknown as { profile: CpuProfile }).profile
    session.disconnect()
    stopped = true
    await Promise.all(loops)
    await peer.close()

    mkdirSync(PROFILE_DIR, { recursive: true })
    const suffix = values.alloc ? 'heapprofile' : 'cpuprofile'
    const file = `${PROFILE_DIR}${op}${values['by-id'] ? '-by-id' : ''}-${new Date().toISOString().replace(/[:.]/g, '-')}.${suffix}`
    writeFileSync(file, JSON.stringify(profile))
    console.log(
      `ours ${op}${values['by-id'] ? ' (spaces by id)' : ''}: ${(rps / 1000).toFixed(1)}k req/s while profiling ` +
        `(${concurrency} in flight); profile: ${relative(process.cwd(), file)}\n`,
    )
    console.log(
      `socket: ${(io.writes / elapsed / 1000).toFixed(1)}k writes/s (${(requests / Math.max(io.writes, 1)).toFixed(1)} requests, ` +
        `${(io.bytesWritten / Math.max(io.writes, 1)).toFixed(0)} B each); ${(io.reads / elapsed / 1000).toFixed(1)}k reads/s ` +
        `(${(requests / Math.max(io.reads, 1)).toFixed(1)} replies, ${(io.bytesRead / Math.max(io.reads, 1)).toFixed(0)} B each)\n`,
    )
    console.log(values.alloc ? summariseAllocations((profile as { head: HeapProfileNode }).head, requests) : summarise(profile as CpuProfile))
  } finally {
    await server.stop()
  }
}

/** Counts socket writes and received chunks (all sockets of the process) until `stop()`. */
function countSocketIo(): { writes: number; bytesWritten: number; reads: number; bytesRead: number; stop(): void } {
  const proto = Socket.prototype as unknown as Record<string, (...args: unknown[]) => boolean>
  const hadOwnPush = Object.hasOwn(proto, 'push')
  const write = proto['write']!
  const push = proto['push']!
  const counts = {
    writes: 0,
    bytesWritten: 0,
    reads: 0,
    bytesRead: 0,
    stop(): void {
      proto['write'] = write
      if (hadOwnPush) proto['push'] = push
      else delete proto['push']
    },
  }
  proto['write'] = function (this: Socket, ...args: unknown[]): boolean {
    counts.writes++
    counts.bytesWritten += (args[0] as { length?: number }).length ?? 0
    return write.apply(this, args)
  }
  proto['push'] = function (this: Socket, ...args: unknown[]): boolean {
    if (args[0] !== null) {
      counts.reads++
      counts.bytesRead += (args[0] as { length?: number }).length ?? 0
    }
    return push.apply(this, args)
  }
  return counts
}

function frameName(f: ProfileNode['callFrame']): string {
  const where = f.url === '' ? '' : ` ${f.url.startsWith('file://') ? relative(ROOT, fileURLToPath(f.url)) : f.url}:${f.lineNumber + 1}`
  return `${f.functionName || '(anonymous)'}${where}`
}

/** Top allocating functions (self bytes), with bytes per request. */
function summariseAllocations(head: HeapProfileNode, requests: number, top = 25): string {
  const bytes = new Map<string, number>()
  let all = 0
  const visit = (node: HeapProfileNode): void => {
    if (node.selfSize > 0) {
      const k = frameName(node.callFrame)
      bytes.set(k, (bytes.get(k) ?? 0) + node.selfSize)
      all += node.selfSize
    }
    for (const child of node.children) visit(child)
  }
  visit(head)
  const rows = [...bytes.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
  const lines = [
    `Sampled allocations: ${(all / 1024 / 1024).toFixed(0)} MiB over ${requests} requests ≈ ${(all / Math.max(requests, 1)).toFixed(0)} B/request.`,
    '',
    '| % | B / request | function |',
    '| ---: | ---: | --- |',
  ]
  for (const [k, b] of rows) lines.push(`| ${((100 * b) / all).toFixed(1)} | ${(b / Math.max(requests, 1)).toFixed(0)} | \`${k}\` |`)
  return lines.join('\n')
}

/** Top functions by self time and by total (inclusive) time, as a markdown table each. */
function summarise(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const key = (node: ProfileNode): string => frameName(node.callFrame)
  const selfTime = new Map<string, number>()
  const totalTime = new Map<string, number>()
  let all = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    let node = byId.get(profile.samples[i]!)
    if (node === undefined) continue
    all += dt
    const selfKey = key(node)
    selfTime.set(selfKey, (selfTime.get(selfKey) ?? 0) + dt)
    const seen = new Set<string>()
    while (node !== undefined) {
      const k = key(node)
      if (!seen.has(k)) {
        seen.add(k)
        totalTime.set(k, (totalTime.get(k) ?? 0) + dt)
      }
      const up = parent.get(node.id)
      node = up === undefined ? undefined : byId.get(up)
    }
  }
  const table = (title: string, times: Map<string, number>, skip: (k: string) => boolean): string => {
    const rows = [...times.entries()].filter(([k]) => !skip(k)).sort((a, b) => b[1] - a[1]).slice(0, top)
    const lines = [`### ${title}`, '', '| % | ms | function |', '| ---: | ---: | --- |']
    for (const [k, t] of rows) lines.push(`| ${((100 * t) / all).toFixed(1)} | ${(t / 1000).toFixed(0)} | \`${k}\` |`)
    return lines.join('\n')
  }
  const structural = (k: string): boolean => k === '(root)' || k === '(program)' || k === '(idle)'
  return [
    `Sampled ${(all / 1000).toFixed(0)} ms.`,
    '',
    table('Self time', selfTime, () => false),
    '',
    table('Total time (callers included)', totalTime, structural),
  ].join('\n')
}

await main(process.argv.slice(2))
