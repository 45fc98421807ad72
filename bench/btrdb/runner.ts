/**
 * `npm run bench -- btrdb [--points N] [--seconds S] [--no-write]`: dialectry/btrdb against a plain
 * @grpc/grpc-js client of the same proto (the peer; btrdb-python is not installable here), on the local BTrDB
 * in a child process: insert rate, full-range read rate through values() (protobuf) and through the Arrow RPC,
 * aligned-window queries per second, and the client's peak heap while reading (at two range sizes, to show it
 * does not grow with the range).
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { connect } from '../../src/btrdb/index.ts'
import { parseOrUsage, positive, UsageError } from '../shared/cli-options.ts'
import { loadAverage, machineInfo, machineLines } from '../shared/machine.ts'
import { fixed, formatRate, tableHeader, tableRow } from '../shared/markdown.ts'
import { collectGarbage, MemorySampler, MiB } from '../shared/memory-sampler.ts'
import { emitReport } from '../shared/report-file.ts'
import { PeerClient } from './peer.ts'

const USAGE = 'Usage: npm run bench -- btrdb [--points N (default 5000000)] [--seconds S per window-query run (default 3)] [--no-write]'

function parse(args: string[]): { points: number; seconds: number; write: boolean } {
  const o = { points: 5_000_000, seconds: 3, write: true }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--points') o.points = positive(args[++i] ?? '', a)
    else if (a === '--seconds') o.seconds = positive(args[++i] ?? '', a)
    else if (a === '--no-write') o.write = false
    else throw new UsageError(`Unknown option ${a}\n${USAGE}`)
  }
  return o
}

async function startServer(): Promise<{ endpoint: string; stop: () => void }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./server-process.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`BTrDB server process exited with ${code}`)))
  })
  return { endpoint: (JSON.parse(line) as { endpoint: string }).endpoint, stop: () => child.stdin!.end() }
}

async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; heapMiB: number; value: T }> {
  collectGarbage()
  const base = process.memoryUsage().heapUsed
  const sampler = new MemorySampler({ heap: true, intervalMs: 20 })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const value = await fn()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  sampler.stop()
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, heapMiB: Math.max(0, sampler.heapPeak - base) / MiB, value }
}

async function queriesPerSecond(seconds: number, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  let n = 0
  while (performance.now() - t0 < seconds * 1000) {
    await fn()
    n++
  }
  return n / ((performance.now() - t0) / 1000)
}

export async function main(args: string[]): Promise<void> {
  const o = parseOrUsage(USAGE, () => parse(args))
  const progress = (l: string): void => void process.stderr.write(`${l}\n`)
  const loadStart = loadAverage()
  const server = await startServer()
  const db = await connect(server.endpoint, { env: {}, home: '/nonexistent' })
  const peer = new PeerClient(server.endpoint)
  try {
    const n = o.points
    const t0 = 1_600_000_000_000_000_000n
    const times = new BigInt64Array(n)
    const values = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      times[i] = t0 + BigInt(i) * 1_000_000n // 1 kHz
      values[i] = Math.sin(i / 1000) * 100
    }
    const end = times[n - 1]! + 1n
    const ours = await db.create(undefined, 'bench/ours', { name: 'ours' })
    const theirs = await db.create(undefined, 'bench/peer', { name: 'peer' })
    progress(`inserting ${n} points with each client…`)
    const insOurs = await measure(() => ours.insert({ times, values }))
    const insPeer = await measure(() => peer.insert(theirs.uuidBytes, times, values))
    const rounds = 3
    const best = { ours: Infinity, arrow: Infinity, peer: Infinity }
    const cpu = { ours: Infinity, arrow: Infinity, peer: Infinity }
    const heap = { ours: 0, arrow: 0, peer: 0, oursFifth: 0 }
    for (let r = 0; r < rounds; r++) {
      progress(`read round ${r + 1}/${rounds}…`)
      const a = await measure(async () => {
        let c = 0
        for await (const b of ours.valueBatches(t0, end)) c += b.times.length
        return c
      })
      const b = await measure(async () => {
        let c = 0
        for await (const x of ours.arrowValueBatches(t0, end)) c += x.times.length
        return c
      })
      const p = await measure(() => peer.readAll(theirs.uuidBytes, t0, end))
      const f = await measure(async () => {
        let c = 0
        for await (const x of ours.valueBatches(t0, t0 + (end - t0) / 5n)) c += x.times.length
        return c
      })
      if (a.value !== n || b.value !== n || p.value !== n) throw new Error(`read ${a.value}/${b.value}/${p.value} of ${n} points`)
      cpu.ours = Math.min(cpu.ours, a.cpuMs)
      cpu.arrow = Math.min(cpu.arrow, b.cpuMs)
      cpu.peer = Math.min(cpu.peer, p.cpuMs)
      best.ours = Math.min(best.ours, a.ms)
      best.arrow = Math.min(best.arrow, b.ms)
      best.peer = Math.min(best.peer, p.ms)
      heap.ours = Math.max(heap.ours, a.heapMiB)
      heap.arrow = Math.max(heap.arrow, b.heapMiB)
      heap.peer = Math.max(heap.peer, p.heapMiB)
      heap.oursFifth = Math.max(heap.oursFifth, f.heapMiB)
    }
    const pw = Math.max(0, (end - t0).toString(2).length - 1 - 10) // about 1000 windows over the whole stream
    progress(`aligned windows at pointwidth ${pw}…`)
    const awOurs = await queriesPerSecond(o.seconds, () => ours.alignedWindowArrays(t0, end, pw))
    const awPeer = await queriesPerSecond(o.seconds, () => peer.alignedWindows(theirs.uuidBytes, t0, end, pw))
    const rate = (ms: number): number => n / (ms / 1000)
    const lines = [
      '# BTrDB benchmark',
      '',
      ...machineLines(machineInfo(), loadStart),
      `- Server: local BTrDB (dialectry/testing/btrdb, reporting 5.34) in a child process; ${n.toLocaleString('en-US')} points at 1 kHz in one stream`,
      '- Peer: a plain @grpc/grpc-js client of the same proto with @grpc/proto-loader (btrdb-python needs python3-grpcio and PyPI, neither reachable here)',
      `- Reads: best of ${rounds} rounds; heap: peak growth of the client heap during the read`,
      '',
      ...tableHeader(['measure', 'dialectry', 'peer (grpc-js + proto-loader)', 'ratio']),
      tableRow(['insert, points/s', formatRate(rate(insOurs.ms)), formatRate(rate(insPeer.ms)), `${fixed(insPeer.ms / insOurs.ms, 2)}x`]),
      tableRow(['read all, values() protobuf, points/s', formatRate(rate(best.ours)), formatRate(rate(best.peer)), `${fixed(best.peer / best.ours, 2)}x`]),
      tableRow(['read all, Arrow RPC, points/s', formatRate(rate(best.arrow)), '—', `${fixed(best.peer / best.arrow, 2)}x`]),
      tableRow(['read all, client CPU only (points per client CPU second), protobuf', formatRate(rate(cpu.ours)), formatRate(rate(cpu.peer)), `${fixed(cpu.peer / cpu.ours, 2)}x`]),
      tableRow(['read all, client CPU only (points per client CPU second), Arrow', formatRate(rate(cpu.arrow)), '—', `${fixed(cpu.peer / cpu.arrow, 2)}x`]),
      tableRow([`aligned windows (pw ${pw}, whole stream), queries/s`, formatRate(awOurs), formatRate(awPeer), `${fixed(awOurs / awPeer, 2)}x`]),
      tableRow(['peak client heap while reading all, MiB (protobuf / Arrow)', `${fixed(heap.ours, 1)} / ${fixed(heap.arrow, 1)}`, fixed(heap.peer, 1), '']),
      tableRow(['peak client heap while reading 1/5 of the range, MiB (protobuf)', fixed(heap.oursFifth, 1), '', '']),
      '',
    ]
    emitReport(lines.join('\n'), o.write ? fileURLToPath(new URL('../results/btrdb.md', import.meta.url)) : undefined, progress)
  } finally {
    db.close()
    peer.close()
    server.stop()
  }
}
