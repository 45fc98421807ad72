/**
 * `npm run bench -- btrdb [--points N] [--seconds S] [--peer DIR] [--peer-points N] [--no-write]`: dialectry/btrdb
 * on the local BTrDB (a child process), side by side with two peers in the same run: a plain @grpc/grpc-js client of
 * the same proto, and the official btrdb-python client (PingThingsIO/btrdb-python, unchanged, run by
 * bench/btrdb/btrdb-python-peer.py with Debian's python3-grpcio, python3-protobuf, python3-pandas, python3-certifi)
 * when `--peer DIR` (or `BTRDB_PY_SOURCE`) names an extracted btrdb-python source (the folder holding `btrdb/`).
 * Measures the insert rate, the full-range read rate through values() (protobuf) and through the Arrow RPC,
 * aligned-window queries per second, and the client's peak memory while reading (at two range sizes, to show it
 * does not grow with the range).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { connect } from '../../src/btrdb/index.ts'
import { parseOrUsage, positive, UsageError } from '../shared/cli-options.ts'
import { loadAverage, machineInfo, machineLines } from '../shared/machine.ts'
import { fixed, formatRate, tableHeader, tableRow } from '../shared/markdown.ts'
import { collectGarbage, MemorySampler, MiB } from '../shared/memory-sampler.ts'
import { emitReport } from '../shared/report-file.ts'
import { runCollecting } from '../shared/client-process.ts'
import { PeerClient } from './peer.ts'

const USAGE =
  'Usage: npm run bench -- btrdb [--points N (default 5000000)] [--seconds S per window-query run (default 3)] [--peer DIR (btrdb-python source; default $BTRDB_PY_SOURCE)] [--peer-points N (default --points)] [--no-write]'

interface Options {
  points: number
  seconds: number
  write: boolean
  peer: string | undefined
  peerPoints: number | undefined
}

function parse(args: string[]): Options {
  const o: Options = { points: 5_000_000, seconds: 3, write: true, peer: process.env['BTRDB_PY_SOURCE'], peerPoints: undefined }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--points') o.points = positive(args[++i] ?? '', a)
    else if (a === '--seconds') o.seconds = positive(args[++i] ?? '', a)
    else if (a === '--peer') o.peer = args[++i] ?? ''
    else if (a === '--peer-points') o.peerPoints = positive(args[++i] ?? '', a)
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

async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; heapMiB: number; rssMiB: number; value: T }> {
  collectGarbage()
  const base = process.memoryUsage().heapUsed
  const baseRss = process.memoryUsage.rss()
  const sampler = new MemorySampler({ heap: true, intervalMs: 20 })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const value = await fn()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  sampler.stop()
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, heapMiB: Math.max(0, sampler.heapPeak - base) / MiB, rssMiB: Math.max(0, sampler.rssPeak - baseRss) / MiB, value }
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

interface PythonReport {
  version?: string
  points?: number
  insertSeconds?: number
  valuesSeconds?: number
  alignedWindowsPerSecond?: number
  readRssMiB?: number
  readFifthRssMiB?: number
  error?: string
}

/** Runs bench/btrdb/btrdb-python-peer.py (bench mode) against `endpoint` with /usr/bin/python3; never rejects. */
async function pythonPeer(o: Options, endpoint: string): Promise<PythonReport> {
  if (o.peer === undefined || !existsSync(join(o.peer, 'btrdb', 'stream.py'))) return { error: 'btrdb-python source not found (pass --peer DIR or set BTRDB_PY_SOURCE)' }
  const script = fileURLToPath(new URL('./btrdb-python-peer.py', import.meta.url))
  const config = { points: o.peerPoints ?? o.points, seconds: o.seconds, rounds: 2 }
  const { stdout, stderr, code } = await runCollecting('/usr/bin/python3', [script, o.peer, 'bench', endpoint], config, 1_800_000)
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) return { error: `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` }
  return JSON.parse(line) as PythonReport
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
    const rss = { ours: 0, oursFifth: 0 }
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
      if (r > 0) {
        // Round 1 grows the resident set once (heap pages, allocator arenas); later rounds show the steady state.
        rss.ours = Math.max(rss.ours, a.rssMiB)
        rss.oursFifth = Math.max(rss.oursFifth, f.rssMiB)
      }
    }
    const pw = Math.max(0, (end - t0).toString(2).length - 1 - 10) // about 1000 windows over the whole stream
    progress(`aligned windows at pointwidth ${pw}…`)
    const awOurs = await queriesPerSecond(o.seconds, () => ours.alignedWindowArrays(t0, end, pw))
    const awPeer = await queriesPerSecond(o.seconds, () => peer.alignedWindows(theirs.uuidBytes, t0, end, pw))
    const rate = (ms: number): number => n / (ms / 1000)
    const py = await pythonPeer(o, server.endpoint)
    if (py.error !== undefined) progress(`btrdb-python: ${py.error}`)
    const pn = py.points ?? 0
    const pyIns = py.insertSeconds === undefined ? undefined : pn / py.insertSeconds
    const pyRead = py.valuesSeconds === undefined ? undefined : pn / py.valuesSeconds
    const pyAw = py.alignedWindowsPerSecond
    const vs = (ours: number, theirs: number | undefined): string => (theirs === undefined ? '—' : `${fixed(ours / theirs, 2)}x`)
    const opt = (v: number | undefined, f: (x: number) => string): string => (v === undefined ? '—' : f(v))
    const mib = (v: number): string => fixed(v, 1)
    const lines = [
      '# BTrDB benchmark',
      '',
      ...machineLines(machineInfo(), loadStart),
      `- Server: local BTrDB (dialectry/testing/btrdb, reporting 5.34) in a child process; ${n.toLocaleString('en-US')} points at 1 kHz in one stream`,
      `- Peers, one at a time against the same server: the official btrdb-python client (PingThingsIO/btrdb-python ${py.version ?? ''}, unchanged, with Debian's python3-grpcio 1.51; pyarrow is not packaged by Debian, so its Arrow calls are not measured), ${py.points === undefined ? 'not run' : `${pn.toLocaleString('en-US')} points in its own stream`}; and a plain @grpc/grpc-js client of the same proto with @grpc/proto-loader`,
      `- Reads: best of ${rounds} rounds (btrdb-python: best of 2; its values() returns a list of (RawPoint, version)); memory: peak growth of the client's resident set (and V8 heap) during the read`,
      '',
      ...tableHeader(['measure', 'dialectry', 'btrdb-python', 'dialectry / btrdb-python', 'grpc-js + proto-loader', 'dialectry / grpc-js']),
      tableRow(['insert, points/s', formatRate(rate(insOurs.ms)), opt(pyIns, formatRate), vs(rate(insOurs.ms), pyIns), formatRate(rate(insPeer.ms)), `${fixed(insPeer.ms / insOurs.ms, 2)}x`]),
      tableRow(['read all, values() protobuf, points/s', formatRate(rate(best.ours)), opt(pyRead, formatRate), vs(rate(best.ours), pyRead), formatRate(rate(best.peer)), `${fixed(best.peer / best.ours, 2)}x`]),
      tableRow(['read all, Arrow RPC, points/s', formatRate(rate(best.arrow)), '— (no pyarrow)', vs(rate(best.arrow), pyRead), '—', `${fixed(best.peer / best.arrow, 2)}x`]),
      tableRow(['read all, points per client CPU second, protobuf', formatRate(rate(cpu.ours)), '', '', formatRate(rate(cpu.peer)), `${fixed(cpu.peer / cpu.ours, 2)}x`]),
      tableRow(['read all, points per client CPU second, Arrow', formatRate(rate(cpu.arrow)), '', '', '—', `${fixed(cpu.peer / cpu.arrow, 2)}x`]),
      tableRow([`aligned windows (pw ${pw}, about 1,000 windows over the stream), queries/s`, formatRate(awOurs), opt(pyAw, formatRate), vs(awOurs, pyAw), formatRate(awPeer), `${fixed(awOurs / awPeer, 2)}x`]),
      tableRow(['peak client RSS growth while reading all, MiB (protobuf; ours: rounds 2-3)', mib(rss.ours), opt(py.readRssMiB, mib), '', '', '']),
      tableRow(['peak client RSS growth while reading 1/5 of the range, MiB (protobuf; ours: rounds 2-3)', mib(rss.oursFifth), opt(py.readFifthRssMiB, mib), '', '', '']),
      tableRow(['peak client heap growth while reading all, MiB (protobuf / Arrow)', `${mib(heap.ours)} / ${mib(heap.arrow)}`, '', '', mib(heap.peer), '']),
      tableRow(['peak client heap growth while reading 1/5 of the range, MiB (protobuf)', mib(heap.oursFifth), '', '', '', '']),
      ...(py.points !== undefined && pn !== n ? ['', `btrdb-python ran with ${pn.toLocaleString('en-US')} points (\`--peer-points\`); its rates are per second all the same.`] : []),
      ...(py.error !== undefined ? ['', `btrdb-python did not run: ${py.error}`] : []),
      '',
    ]
    emitReport(lines.join('\n'), o.write ? fileURLToPath(new URL('../results/btrdb.md', import.meta.url)) : undefined, progress)
  } finally {
    db.close()
    peer.close()
    server.stop()
  }
}
