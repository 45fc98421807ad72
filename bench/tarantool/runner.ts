/**
 * `npm run bench -- tarantool [options]`: our driver side by side with the `tarantool-driver` npm package and
 * Tarantool's own net.box, on one Tarantool server (`provisionTarantool()`: `TARANTOOL_URL`, else a local
 * binary). Each client runs in its own process, one at a time (the machine's cores are shared with the
 * server), with `concurrency` requests in flight on one connection. Rounds rotate the client order; the
 * table shows the median requests/s per op and client, and our ratio to each peer.
 */
import { fileURLToPath } from 'node:url'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'
import { parseBenchArgs, parseOrUsage, positive } from '../shared/cli-options.ts'
import { runClientProcess } from '../shared/client-process.ts'
import { loadAverage, machineInfo, machineLines, type MachineInfo } from '../shared/machine.ts'
import { fixed, formatRate as formatRps, tableHeader, tableRow } from '../shared/markdown.ts'
import { emitReport } from '../shared/report-file.ts'
import { gatherResults, rotate } from '../shared/rounds.ts'
import { maxOf, median, medianOf } from '../shared/stats.ts'
import {
  CLIENTS,
  errorMessage,
  INSERT_SPACE,
  OP_LABELS,
  OPS,
  setupLua,
  type ClientConfig,
  type ClientName,
  type ClientReport,
  type OpName,
  type OpResult,
} from './common.ts'
import { evalOnServer, runNetbox } from './netbox.ts'

const NODE_CLIENT = fileURLToPath(new URL('./node-client.ts', import.meta.url))
const RESULTS_FILE = fileURLToPath(new URL('../results/tarantool.md', import.meta.url))

const USAGE = `Usage: npm run bench -- tarantool [options]

Each op is measured in a fresh process per client (ours and tarantool-driver: node; net.box: the tarantool
binary running bench/tarantool/netbox-client.lua), one client at a time, with a fixed number of requests in
flight on one connection.

Options (defaults in brackets):
  --duration <s>      measured seconds per op and client [2]
  --warmup <s>        warm-up seconds before each measurement [0.5]
  --rounds <n>        rounds; each measures every op with every client, order rotated; medians reported [3]
  --concurrency <n>   requests in flight on the one connection of each client [200]
  --max-in-flight <n> our driver's maxInFlight option: requests beyond it wait in its queue [0 = none]
  --rows <n>          tuples pre-filled in the "bench" space [10000]
  --clients <list>    comma-separated subset of ${CLIENTS.join(',')} [all]
  --ops <list>        comma-separated subset of ${OPS.join(',')} [all]
  --out <file>        markdown report path [bench/results/tarantool.md]; --no-write skips it
  --help

Server: TARANTOOL_URL if set (spaces "bench" and "bench_insert" are created there), else a local
tarantool binary (TARANTOOL_BIN or PATH) started for the run.

Profile our driver on one op: node bench/tarantool/profile.ts <op> [--alloc] [--by-id] [--seconds n]`

interface Options {
  durationMs: number
  warmupMs: number
  rounds: number
  concurrency: number
  maxInFlight: number | undefined
  rows: number
  clients: ClientName[]
  ops: OpName[]
  out: string | undefined
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args)
  if (options === undefined) return

  const started = Date.now()
  const loadStart = loadAverage()
  const server = await provisionTarantool({ initLua: setupLua(options.rows) })
  try {
    const base: ClientConfig = {
      uri: server.uri,
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      ops: options.ops,
      concurrency: options.concurrency,
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      rows: options.rows,
      ...(server.process === undefined ? {} : { serverPid: server.process.pid }),
    }
    if (server.source !== 'local') await evalOnServer(base, setupLua(options.rows))
    const serverVersion = String(await evalOnServer(base, 'return box.info.version'))
    progress(`tarantool ${serverVersion} (${server.source}) at ${server.host}:${server.port}; ${describe(options)}`)

    // One process per (round, op, client): the clients of one op run back to back, so load from elsewhere on
    // the machine hits them alike, and each op starts with a fresh heap and JIT.
    const reports = new Map<ClientName, ClientReport[]>(options.clients.map((c) => [c, []]))
    for (let round = 0; round < options.rounds; round++) {
      for (const [i, op] of options.ops.entries()) {
        const line: string[] = []
        for (const client of rotate(options.clients, round + i)) {
          // Every insert run starts with an empty space, so keys never collide and the tree sizes match.
          if (op === 'insert') await evalOnServer(base, `box.space.${INSERT_SPACE}:truncate()`)
          const report = await runClient(client, { ...base, ops: [op] })
          reports.get(client)!.push(report)
          line.push(`${client} ${summary(report)}`)
        }
        progress(`round ${round + 1}/${options.rounds} ${op}: ${line.join(', ')}`)
      }
    }
    if (options.ops.includes('insert')) await evalOnServer(base, `box.space.${INSERT_SPACE}:truncate()`)

    const markdown = renderReport(options, reports, environment(serverVersion, server, loadStart), Date.now() - started)
    emitReport(markdown, options.out, progress)
  } finally {
    await server.stop()
  }
}

function parseOptions(args: string[]): Options | undefined {
  const parsed = parseBenchArgs(args, USAGE, { duration: '2', clients: CLIENTS, ops: OPS, out: RESULTS_FILE }, {
    concurrency: { type: 'string', default: '200' },
    'max-in-flight': { type: 'string', default: '0' },
    rows: { type: 'string', default: '10000' },
  })
  if (parsed === undefined) return undefined
  const { common, values } = parsed
  const count = (name: string): number => parseOrUsage(USAGE, () => Math.round(positive(String(values[name]), name)))
  const maxInFlight = values['max-in-flight'] === '0' ? undefined : count('max-in-flight')
  return { ...common, concurrency: count('concurrency'), maxInFlight, rows: count('rows') }
}

function describe(o: Options): string {
  return `${o.concurrency} in flight${o.maxInFlight === undefined ? '' : ` (ours: maxInFlight ${o.maxInFlight})`}, one connection per client, ${o.warmupMs / 1000} s warm-up + ${o.durationMs / 1000} s per op, ${o.rounds} round(s)`
}

function progress(line: string): void {
  process.stderr.write(`[bench tarantool] ${line}\n`)
}

function summary(report: ClientReport): string {
  if (report.error !== undefined) return `FAILED (${report.error})`
  return report.results.map((r) => (r.error === undefined ? formatRps(r.rps) : `FAILED (${r.error})`)).join(', ')
}

async function runClient(client: ClientName, config: ClientConfig): Promise<ClientReport> {
  if (client === 'net.box') return runNetbox(config)
  const budgetMs = config.ops.length * (config.warmupMs + config.durationMs) + 60_000
  return runClientProcess<ClientName, OpResult>(NODE_CLIENT, client, config, budgetMs, errorMessage)
}

// ---------------------------------------------------------------------------------------------------------
// Report

interface Cell {
  rps: number | undefined
  rounds: number[]
  cpuUsPerRequest: number | undefined
  rssBeforeMiB: number | undefined
  rssPeakMiB: number | undefined
  heapPeakMiB: number | undefined
  externalPeakMiB: number | undefined
  serverCpuPct: number | undefined
  serverTxPct: number | undefined
  errors: string[]
}

function aggregate(reports: ClientReport[], op: OpName): Cell {
  const { results, errors } = gatherResults(reports, op)
  const ok = results.length > 0 && errors.length === 0
  return {
    rps: ok ? median(results.map((r) => r.rps)) : undefined,
    rounds: results.map((r) => r.rps),
    cpuUsPerRequest: ok ? median(results.map((r) => r.cpuUsPerRequest)) : undefined,
    rssBeforeMiB: ok ? median(results.map((r) => r.rssBeforeMiB)) : undefined,
    rssPeakMiB: ok ? Math.max(...results.map((r) => r.rssPeakMiB)) : undefined,
    heapPeakMiB: maxOf(results.map((r) => r.heapPeakMiB)),
    externalPeakMiB: maxOf(results.map((r) => r.externalPeakMiB)),
    serverCpuPct: medianOf(results.map((r) => r.serverCpuPct)),
    serverTxPct: medianOf(results.map((r) => r.serverTxPct)),
    errors: [...new Set(errors)],
  }
}

function formatRatio(ours: number | undefined, peer: number | undefined): string {
  if (ours === undefined || peer === undefined || peer === 0) return 'n/a'
  return `${(ours / peer).toFixed(2)}x`
}

interface Environment extends MachineInfo {
  tarantool: string
  source: string
  loadStart: number
}

function environment(serverVersion: string, server: ProvisionedTarantool, loadStart: number): Environment {
  return { ...machineInfo(), tarantool: serverVersion, source: server.source, loadStart }
}

function renderReport(options: Options, reports: Map<ClientName, ClientReport[]>, env: Environment, elapsedMs: number): string {
  const clients = options.clients
  const peers = clients.filter((c) => c !== 'ours')
  const hasOurs = clients.includes('ours')
  const cells = new Map<string, Cell>()
  for (const client of clients) for (const op of options.ops) cells.set(`${client}/${op}`, aggregate(reports.get(client) ?? [], op))
  const cell = (client: ClientName, op: OpName): Cell => cells.get(`${client}/${op}`)!

  const lines: string[] = []
  lines.push('# Tarantool benchmark', '')
  lines.push(...machineLines(env, env.loadStart))
  lines.push(`- Node.js ${env.node}; Tarantool ${env.tarantool} (${env.source === 'local' ? 'local server started for the run' : env.source})`)
  const versions = clients.map((c) => reports.get(c)?.find((r) => r.version !== '?')?.version ?? `${c} (version unknown)`)
  lines.push(`- Clients: ${versions.join('; ')}`)
  lines.push(
    `- Load: ${options.concurrency} requests in flight per client on one connection` +
      `${options.maxInFlight === undefined ? '' : ` (ours with maxInFlight ${options.maxInFlight}: the rest wait in its queue)`}; a fresh client process per op, ` +
      `${options.warmupMs / 1000} s warm-up then ${options.durationMs / 1000} s measured; ${options.rounds} round(s), ` +
      `client order rotated; median reported`,
  )
  lines.push(`- Data: space "bench" [unsigned id, string, number] pre-filled with ${options.rows} tuples; inserts go to an emptied "bench_insert"`)
  lines.push(`- Command: \`npm run bench -- tarantool${argsText(options)}\` (took ${(elapsedMs / 1000).toFixed(0)} s)`)
  lines.push('')

  lines.push('## Requests per second (median)', '')
  const header = ['Operation', ...clients, ...(hasOurs ? peers.map((p) => `ours / ${p}`) : [])]
  lines.push(...tableHeader(header))
  for (const op of options.ops) {
    const row = [OP_LABELS[op], ...clients.map((c) => formatRps(cell(c, op).rps))]
    if (hasOurs) for (const peer of peers) row.push(formatRatio(cell('ours', op).rps, cell(peer, op).rps))
    lines.push(tableRow(row))
  }
  lines.push('')

  lines.push('## Client CPU per request (median µs)', '')
  lines.push(
    'CPU time of the client process (all threads) per request: less sensitive than req/s to other load on the ' +
      'machine. Ratio = peer CPU / our CPU (> 1: we spend less).',
    '',
  )
  const cpuHeader = ['Operation', ...clients, ...(hasOurs ? peers.map((p) => `${p} / ours`) : [])]
  lines.push(...tableHeader(cpuHeader))
  for (const op of options.ops) {
    const row = [OP_LABELS[op], ...clients.map((c) => fixed(cell(c, op).cpuUsPerRequest, 2))]
    if (hasOurs) for (const peer of peers) row.push(formatRatio(cell(peer, op).cpuUsPerRequest, cell('ours', op).cpuUsPerRequest))
    lines.push(tableRow(row))
  }
  lines.push('')

  lines.push('## Details', '')
  lines.push(
    'Server CPU: the Tarantool process during the window (100% = one core), all threads and its TX thread alone ' +
      '(TX near 100% would mean the server is the limit). Memory of the client process: RSS after connect and its ' +
      'peak, peak heap (V8 heapUsed / Lua heap) and off-heap `external` (Buffers), sampled every 50 ms.',
    '',
  )
  lines.push('| Operation | Client | req/s per round | server CPU % (TX %) | RSS before → peak (MiB) | heap peak (MiB) | external peak (MiB) |')
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: |')
  for (const op of options.ops) {
    for (const client of clients) {
      const c = cell(client, op)
      const server = c.serverCpuPct === undefined ? '-' : `${c.serverCpuPct.toFixed(0)} (${fixed(c.serverTxPct, 0)})`
      lines.push(
        `| ${OP_LABELS[op]} | ${client} | ${c.rounds.map(formatRps).join(', ') || '-'} | ${server} | ` +
          `${fixed(c.rssBeforeMiB, 0)} → ${fixed(c.rssPeakMiB, 0)} | ${fixed(c.heapPeakMiB, 1)} | ${fixed(c.externalPeakMiB, 1)} |`,
      )
    }
  }
  lines.push('')

  const failures: string[] = []
  for (const client of clients) {
    for (const op of options.ops) for (const error of cell(client, op).errors) failures.push(`- ${client} ${op}: ${error}`)
  }
  if (failures.length > 0) lines.push('## Failures', '', ...[...new Set(failures)], '')
  return `${lines.join('\n')}\n`
}

function argsText(o: Options): string {
  const parts: string[] = []
  if (o.durationMs !== 2000) parts.push(`--duration ${o.durationMs / 1000}`)
  if (o.warmupMs !== 500) parts.push(`--warmup ${o.warmupMs / 1000}`)
  if (o.rounds !== 3) parts.push(`--rounds ${o.rounds}`)
  if (o.concurrency !== 200) parts.push(`--concurrency ${o.concurrency}`)
  if (o.maxInFlight !== undefined) parts.push(`--max-in-flight ${o.maxInFlight}`)
  if (o.rows !== 10000) parts.push(`--rows ${o.rows}`)
  if (o.clients.length !== CLIENTS.length) parts.push(`--clients ${o.clients.join(',')}`)
  if (o.ops.length !== OPS.length) parts.push(`--ops ${o.ops.join(',')}`)
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`
}
