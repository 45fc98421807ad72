/**
 * `npm run bench -- cratedb [options]`: our CrateDB driver side by side with the `node-crate` npm package, in two
 * setups in one run, both the same for both clients:
 *
 * - **replay** (client cost): a node:http server in its own process answers `POST /_sql` at once with bodies
 *   recorded, byte for byte, from the local server at the start of the run (a one-row SELECT, a 100k-row result
 *   of bigint/text/double/timestamp/object/geo_point/text[] columns, the same with 64-bit ids, a 10k-row bulk
 *   insert result). The local server is far slower than a real CrateDB and would hide the clients' differences;
 *   the replay server takes the server out.
 * - **local** (end to end, server-bound): the same small query and bulk inserts against the local CrateDB server
 *   (`startCrateDB()`: PGlite, one statement at a time) hosted by this process.
 *
 * Each (round, op, client) runs in a fresh child process, one at a time (two cores: the server takes one); rounds
 * rotate the client order; medians are reported with ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCrateDB, type LocalCrateDB } from '../../src/testing/cratedb/index.ts'
import { parseBenchArgs, parseOrUsage, positive } from '../shared/cli-options.ts'
import { runClientProcess } from '../shared/client-process.ts'
import { loadAverage, machineInfo, machineLines, type MachineInfo } from '../shared/machine.ts'
import { formatRate, tableHeader, tableRow } from '../shared/markdown.ts'
import { emitReport } from '../shared/report-file.ts'
import { gatherResults, rotate } from '../shared/rounds.ts'
import { medianOf } from '../shared/stats.ts'
import {
  BIG_ROWS_SQL,
  CLIENTS,
  CREATE_INSERT_TABLE,
  CREATE_ROWS_TABLE,
  errorMessage,
  fillRowsSql,
  INSERT_SQL,
  insertRows,
  median,
  OP_SPECS,
  OPS,
  ROWS_SQL,
  ROWS_TABLE,
  SMALL_ID,
  SMALL_SQL,
  type ClientConfig,
  type ClientName,
  type ClientReport,
  type OpName,
  type OpResult,
} from './common.ts'
import { renderDecoding, type DecodeTiming } from './decode.ts'
import type { ReplayRoute } from './replay-server.ts'

const CLIENT_SCRIPT = fileURLToPath(new URL('./client.ts', import.meta.url))
const REPLAY_SCRIPT = fileURLToPath(new URL('./replay-server.ts', import.meta.url))
const DECODE_SCRIPT = fileURLToPath(new URL('./decode.ts', import.meta.url))
const RESULTS_FILE = fileURLToPath(new URL('../results/cratedb.md', import.meta.url))

const USAGE = `Usage: npm run bench -- cratedb [options]

Compares our CrateDB driver with the node-crate npm package. Client-bound ops run against a replay server (canned
responses recorded from the local server at the start, answered at once); ops named local-* run end to end against
the local CrateDB server (PGlite; server-bound). Each op is measured in a fresh process per client, one client at a
time.

Options (defaults in brackets):
  --duration <s>      measured seconds of throughput and bulk ops [1.5]
  --warmup <s>        warm-up seconds before each of them [0.5]
  --rounds <n>        rounds; each measures every op with every client, order rotated; medians reported [3]
  --rows <n>          rows of the big result [100000]
  --requests <n>      timed requests per big-result op, and at least this many per bulk op [8]
  --bulk-rows <n>     rows per bulk request on the replay server [10000]
  --local-bulk-rows <n>  rows per bulk request on the local server [1000]
  --clients <list>    comma-separated subset of ${CLIENTS.join(',')} [all]
  --ops <list>        comma-separated subset of ${OPS.join(',')} [all]
  --decoder           also time our body decoder in-process (adds ~30 s; same as node bench/cratedb/decode.ts)
  --out <file>        markdown report path [bench/results/cratedb.md]; --no-write skips it
  --help`

interface Options {
  durationMs: number
  warmupMs: number
  rounds: number
  rows: number
  requests: number
  bulkRows: number
  localBulkRows: number
  clients: ClientName[]
  ops: OpName[]
  decoder: boolean
  out: string | undefined
}

export async function main(args: string[]): Promise<void> {
  const options = parseOptions(args)
  if (options === undefined) return
  const started = Date.now()
  const loadStart = loadAverage()
  const workDir = mkdtempSync(join(tmpdir(), 'dialectry-cratedb-bench-'))
  let crate: LocalCrateDB | undefined
  let replay: ChildProcess | undefined
  try {
    progress('starting the local CrateDB server (PGlite)')
    crate = await startCrateDB()
    const recorded = await record(crate, options, workDir)
    progress(`recorded ${recorded.map((r) => `${r.name} ${formatBytes(r.bytes)}`).join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`)

    const replayOps = options.ops.filter((op) => OP_SPECS[op].setup === 'replay')
    const localOps = options.ops.filter((op) => OP_SPECS[op].setup === 'local')
    const reports = new Map<ClientName, ClientReport[]>(options.clients.map((c) => [c, []]))
    let processIndex = 0
    const base = (url: string, serverPid: number | undefined): Omit<ClientConfig, 'ops' | 'idBase'> => ({
      url,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      minRequests: options.requests,
      rows: options.rows,
      bulkRows: options.bulkRows,
      localBulkRows: options.localBulkRows,
      ...(serverPid === undefined ? {} : { serverPid }),
    })
    const runOps = async (ops: OpName[], config: Omit<ClientConfig, 'ops' | 'idBase'>, what: string): Promise<void> => {
      for (let round = 0; round < options.rounds; round++) {
        for (const [i, op] of ops.entries()) {
          const line: string[] = []
          for (const client of rotate(options.clients, round + i)) {
            // Every process inserts its own id range, so bulk inserts on the local server never collide.
            const report = await runClient(client, { ...config, ops: [op], idBase: ++processIndex * 10_000_000 })
            reports.get(client)!.push(report)
            line.push(`${client} ${summary(report, op)}`)
          }
          progress(`${what} round ${round + 1}/${options.rounds} ${op}: ${line.join(', ')}`)
        }
      }
    }

    if (replayOps.length > 0) {
      const server = await startReplayServer(workDir)
      replay = server.child
      progress(`replay server at ${server.url} (pid ${server.child.pid})`)
      await runOps(replayOps, base(server.url, server.child.pid), 'replay')
    }
    if (localOps.length > 0) await runOps(localOps, base(crate.url, process.pid), 'local')

    let decoding: DecodeTiming[] | undefined
    if (options.decoder) {
      progress('timing the decoder in-process')
      decoding = await runDecoder(options.rows)
    }
    const markdown = renderReport(options, reports, {
      ...machineInfo(),
      serverVersion: crate.version,
      loadStart,
      recorded,
      elapsedMs: Date.now() - started,
      decoding,
    })
    emitReport(markdown, options.out, progress)
  } finally {
    replay?.kill('SIGTERM')
    await crate?.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------------------
// Setup

interface Recorded {
  name: string
  bytes: number
}

/**
 * Creates and fills the tables on the local server and records its answers to the statements the replay server
 * must answer, writing them with `routes.json` into `dir`.
 */
async function record(crate: LocalCrateDB, options: Options, dir: string): Promise<Recorded[]> {
  const sql = async (stmt: string, extra: { args?: unknown[]; bulk_args?: unknown[][] } = {}): Promise<{ body: Buffer; contentType: string }> => {
    const response = await fetch(new URL('_sql?types', crate.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ stmt, ...extra }),
    })
    const body = Buffer.from(await response.arrayBuffer())
    if (response.status !== 200) throw new Error(`local server answered ${response.status} to ${stmt.slice(0, 60)}: ${body.toString('utf8', 0, 300)}`)
    return { body, contentType: response.headers.get('content-type') ?? 'application/json' }
  }
  progress(`creating and filling ${ROWS_TABLE} with ${options.rows} rows`)
  await sql(CREATE_ROWS_TABLE)
  await sql(CREATE_INSERT_TABLE)
  await sql(fillRowsSql(options.rows))
  await sql(`REFRESH TABLE ${ROWS_TABLE}`)

  const routes: ReplayRoute[] = []
  const recorded: Recorded[] = []
  const keep = async (name: string, stmt: string, extra: { args?: unknown[]; bulk_args?: unknown[][] } = {}): Promise<void> => {
    const { body, contentType } = await sql(stmt, extra)
    writeFileSync(join(dir, `${name}.json`), body)
    routes.push({ stmt, file: `${name}.json`, contentType })
    recorded.push({ name, bytes: body.length })
  }
  const needs = (kind: (op: OpName) => boolean): boolean => options.ops.some(kind)
  if (needs((op) => OP_SPECS[op].setup === 'replay' && OP_SPECS[op].kind === 'throughput')) await keep('small query', SMALL_SQL, { args: [SMALL_ID] })
  if (needs((op) => op === 'rows-arrays' || op === 'rows-objects')) await keep('big result', ROWS_SQL)
  if (needs((op) => op === 'rows-bigint')) await keep('big result, 64-bit ids', BIG_ROWS_SQL)
  if (needs((op) => op === 'bulk')) {
    // Ids from 1: the local-bulk processes insert from 10 000 000 up.
    progress(`recording a ${options.bulkRows}-row bulk insert`)
    await keep('bulk insert result', INSERT_SQL, { bulk_args: insertRows(1, options.bulkRows) })
  }
  writeFileSync(join(dir, 'routes.json'), JSON.stringify(routes))
  return recorded
}

async function startReplayServer(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [REPLAY_SCRIPT, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = out.split('\n').find((l) => l.startsWith('{'))
      if (line !== undefined) resolvePort((JSON.parse(line) as { port: number }).port)
    })
    child.once('exit', (code) => reject(new Error(`replay server exited with ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}/`, child }
}

async function runClient(client: ClientName, config: ClientConfig): Promise<ClientReport> {
  return runClientProcess<ClientName, OpResult>(CLIENT_SCRIPT, client, config, 120_000, errorMessage)
}

async function runDecoder(rows: number): Promise<DecodeTiming[]> {
  return new Promise((resolveTimings, reject) => {
    const child = spawn(process.execPath, [DECODE_SCRIPT, '--rows', String(rows), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('['))
      if (line === undefined) reject(new Error(`decode.ts exited with ${code} without timings`))
      else resolveTimings(JSON.parse(line) as DecodeTiming[])
    })
  })
}

// ---------------------------------------------------------------------------------------------------------
// Options

function parseOptions(args: string[]): Options | undefined {
  const parsed = parseBenchArgs(args, USAGE, { duration: '1.5', clients: CLIENTS, ops: OPS, out: RESULTS_FILE }, {
    rows: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '8' },
    'bulk-rows': { type: 'string', default: '10000' },
    'local-bulk-rows': { type: 'string', default: '1000' },
    decoder: { type: 'boolean', default: false },
  })
  if (parsed === undefined) return undefined
  const { common, values } = parsed
  const count = (name: string): number => parseOrUsage(USAGE, () => Math.round(positive(String(values[name]), name)))
  return {
    ...common,
    rows: count('rows'),
    requests: count('requests'),
    bulkRows: count('bulk-rows'),
    localBulkRows: count('local-bulk-rows'),
    decoder: values['decoder'] === true,
  }
}

function argsText(o: Options): string {
  const parts: string[] = []
  if (o.durationMs !== 1500) parts.push(`--duration ${o.durationMs / 1000}`)
  if (o.warmupMs !== 500) parts.push(`--warmup ${o.warmupMs / 1000}`)
  if (o.rounds !== 3) parts.push(`--rounds ${o.rounds}`)
  if (o.rows !== 100_000) parts.push(`--rows ${o.rows}`)
  if (o.requests !== 8) parts.push(`--requests ${o.requests}`)
  if (o.bulkRows !== 10_000) parts.push(`--bulk-rows ${o.bulkRows}`)
  if (o.localBulkRows !== 1000) parts.push(`--local-bulk-rows ${o.localBulkRows}`)
  if (o.clients.length !== CLIENTS.length) parts.push(`--clients ${o.clients.join(',')}`)
  if (o.ops.length !== OPS.length) parts.push(`--ops ${o.ops.join(',')}`)
  if (o.decoder) parts.push('--decoder')
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`
}

// ---------------------------------------------------------------------------------------------------------
// Report

function progress(line: string): void {
  process.stderr.write(`[bench cratedb] ${line}\n`)
}

function summary(report: ClientReport, op: OpName): string {
  if (report.error !== undefined) return `FAILED (${report.error})`
  const result = report.results.find((r) => r.op === op)
  if (result === undefined) return 'no result'
  return result.error === undefined ? formatValue(op, result.value) : `FAILED (${result.error})`
}

interface Cell {
  value: number | undefined
  rounds: number[]
  cpuUsPerRequest: number | undefined
  rssPeakMiB: number | undefined
  serverCpuPct: number | undefined
  sample: string | undefined
  errors: string[]
}

function aggregate(reports: ClientReport[], op: OpName): Cell {
  const { results, errors } = gatherResults(reports, op)
  const ok = results.length > 0 && errors.length === 0
  return {
    value: ok ? median(results.map((r) => r.value)) : undefined,
    rounds: results.map((r) => r.value),
    cpuUsPerRequest: ok ? median(results.map((r) => r.cpuUsPerRequest)) : undefined,
    rssPeakMiB: ok ? Math.max(...results.map((r) => r.rssPeakMiB)) : undefined,
    serverCpuPct: medianOf(results.map((r) => r.serverCpuPct)),
    sample: results[0]?.sample,
    errors: [...new Set(errors)],
  }
}

/** `rows` ops report ms per request (lower is better); the others a rate (higher is better). */
function lowerIsBetter(op: OpName): boolean {
  return OP_SPECS[op].kind === 'rows'
}

function unit(op: OpName): string {
  const kind = OP_SPECS[op].kind
  return kind === 'throughput' ? 'req/s' : kind === 'rows' ? 'ms per request' : 'rows/s'
}

function formatValue(op: OpName, value: number | undefined): string {
  if (value === undefined) return 'failed'
  if (lowerIsBetter(op)) return value >= 100 ? value.toFixed(0) : value.toFixed(1)
  return formatRate(value)
}

/** How many times faster ours is: rate ratio, or the inverse ratio of times. */
function speedRatio(op: OpName, ours: number | undefined, peer: number | undefined): string {
  if (ours === undefined || peer === undefined || ours === 0 || peer === 0) return 'n/a'
  return `${(lowerIsBetter(op) ? peer / ours : ours / peer).toFixed(2)}x`
}

function formatCpu(op: OpName, us: number | undefined): string {
  if (us === undefined) return '-'
  const kind = OP_SPECS[op].kind
  if (kind === 'throughput') return `${us.toFixed(0)} µs`
  return `${(us / 1000).toFixed(us >= 100_000 ? 0 : 1)} ms`
}

function opLabel(op: OpName, options: Options): string {
  const spec = OP_SPECS[op]
  const rows = options.rows.toLocaleString('en-US')
  const label = spec.label.replace('big result', `${rows}-row result`)
  if (spec.kind === 'bulk') return `${label}, ${(spec.setup === 'local' ? options.localBulkRows : options.bulkRows).toLocaleString('en-US')} rows per request`
  return label
}

interface Environment extends MachineInfo {
  serverVersion: string
  loadStart: number
  recorded: Recorded[]
  elapsedMs: number
  decoding: DecodeTiming[] | undefined
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${bytes} B`
}

/** Whether both clients handed back the same data (compared as JSON of the first and last row). */
function sameOutput(op: OpName, cells: Map<ClientName, Cell>): string {
  const ours = cells.get('ours')?.sample
  const peer = cells.get('node-crate')?.sample
  if (ours === undefined || peer === undefined) return '-'
  if (ours === peer) return 'yes'
  if (op === 'rows-bigint') return 'no: node-crate rounds the ids (e.g. …001 → …000), ours returns exact bigints'
  return 'no (see the samples below)'
}

function renderReport(options: Options, reports: Map<ClientName, ClientReport[]>, env: Environment): string {
  const clients = options.clients
  const hasBoth = clients.includes('ours') && clients.includes('node-crate')
  const cellsOf = new Map<OpName, Map<ClientName, Cell>>()
  for (const op of options.ops) cellsOf.set(op, new Map(clients.map((c) => [c, aggregate(reports.get(c) ?? [], op)])))
  const cell = (client: ClientName, op: OpName): Cell => cellsOf.get(op)!.get(client)!
  const replayOps = options.ops.filter((op) => OP_SPECS[op].setup === 'replay')
  const localOps = options.ops.filter((op) => OP_SPECS[op].setup === 'local')

  const lines: string[] = []
  lines.push('# CrateDB benchmark', '')
  lines.push(...machineLines(env, env.loadStart))
  lines.push(`- Node.js ${env.node}; local CrateDB server \`dialectry/testing/cratedb\` (PGlite, reports CrateDB ${env.serverVersion}), hosted by the benchmark process`)
  const versions = clients.map((c) => reports.get(c)?.find((r) => r.version !== '?')?.version ?? `${c} (version unknown)`)
  lines.push(`- Clients: ${versions.join('; ')}; each in a fresh process per op and round, ${options.rounds} round(s), client order rotated, median reported`)
  lines.push(
    `- Replay server: node:http in its own process, keep-alive, answering \`POST /_sql\` at once with bodies recorded from the local server at the start of the run: ${env.recorded.map((r) => `${r.name} (${formatBytes(r.bytes)})`).join(', ')}`,
  )
  lines.push(
    `- Throughput ops: ${options.warmupMs / 1000} s warm-up then ${options.durationMs / 1000} s measured; big results: a checked and a warm-up request, then ${options.requests} timed ones; bulk: ${options.warmupMs / 1000} s warm-up then at least ${options.durationMs / 1000} s and ${options.requests} requests`,
  )
  lines.push(`- Command: \`npm run bench -- cratedb${argsText(options)}\` (took ${(env.elapsedMs / 1000).toFixed(0)} s)`)
  lines.push('')

  const comparisonTable = (ops: OpName[], withOutput: boolean): void => {
    const header = ['Operation', 'unit', ...clients, ...(hasBoth ? ['ours vs node-crate'] : []), ...(withOutput && hasBoth ? ['same output'] : [])]
    lines.push(...tableHeader(header, 2, (i) => withOutput && i === header.length - 1))
    for (const op of ops) {
      const row = [opLabel(op, options), unit(op), ...clients.map((c) => formatValue(op, cell(c, op).value))]
      if (hasBoth) row.push(speedRatio(op, cell('ours', op).value, cell('node-crate', op).value))
      if (withOutput && hasBoth) row.push(sameOutput(op, cellsOf.get(op)!))
      lines.push(tableRow(row))
    }
    lines.push('')
  }

  if (replayOps.length > 0) {
    lines.push('## Client cost (replay server)', '')
    lines.push(
      'The server answers at once, so these numbers are the clients\' own cost: building and sending the request, ' +
        'receiving and decoding the answer. "ours vs node-crate" is how many times faster ours is (requests/s or rows/s ' +
        'over node-crate\'s; for ms per request, node-crate\'s time over ours). Our driver is set up to return what ' +
        'node-crate returns: small query and "as objects" rows as objects with `Date` timestamps (`rowMode: \'object\'` vs ' +
        'node-crate\'s `json`), "as arrays" rows with timestamps as epoch ms (`timestamps: \'number\'` vs node-crate\'s raw `rows`).',
      '',
    )
    comparisonTable(replayOps, true)
    lines.push('### Client CPU per request (median)', '')
    lines.push('CPU time of the client process (all threads, including GC) per request. Ratio = node-crate CPU / our CPU (> 1: we spend less).', '')
    const header = ['Operation', ...clients, ...(hasBoth ? ['node-crate / ours'] : [])]
    lines.push(...tableHeader(header))
    for (const op of replayOps) {
      const row = [opLabel(op, options), ...clients.map((c) => formatCpu(op, cell(c, op).cpuUsPerRequest))]
      if (hasBoth) {
        const ours = cell('ours', op).cpuUsPerRequest
        const peer = cell('node-crate', op).cpuUsPerRequest
        row.push(ours === undefined || peer === undefined || ours === 0 ? 'n/a' : `${(peer / ours).toFixed(2)}x`)
      }
      lines.push(tableRow(row))
    }
    lines.push('')
  }

  if (localOps.length > 0) {
    lines.push('## End to end (local server, server-bound)', '')
    lines.push(
      'The same requests against the local CrateDB server, which executes SQL on PGlite one statement at a time on the ' +
        'benchmark process\'s thread: the server is the bottleneck (see its CPU below), so these ratios say little about ' +
        'the clients; they show both work end to end.',
      '',
    )
    comparisonTable(localOps, false)
  }

  if (env.decoding !== undefined) {
    lines.push('## Decoder (in-process, no HTTP)', '')
    lines.push('Our body decoding on a synthetic body shaped like the big result (`node bench/cratedb/decode.ts`), median ms.', '')
    lines.push(...renderDecoding(env.decoding, options.rows), '')
  }

  lines.push('## Details', '')
  lines.push('Values per round, peak RSS of the client process, and the server process\'s CPU over the window (100% = one core).', '')
  lines.push('| Setup | Operation | Client | per round | client CPU / request | RSS peak (MiB) | server CPU % |')
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: |')
  for (const op of options.ops) {
    for (const client of clients) {
      const c = cell(client, op)
      lines.push(
        `| ${OP_SPECS[op].setup} | ${opLabel(op, options)} | ${client} | ${c.rounds.map((v) => formatValue(op, v)).join(', ') || '-'} | ` +
          `${formatCpu(op, c.cpuUsPerRequest)} | ${c.rssPeakMiB === undefined ? '-' : c.rssPeakMiB.toFixed(0)} | ${c.serverCpuPct === undefined ? '-' : c.serverCpuPct.toFixed(0)} |`,
      )
    }
  }
  lines.push('')

  const differing = options.ops.filter((op) => hasBoth && sameOutput(op, cellsOf.get(op)!).startsWith('no'))
  if (differing.length > 0) {
    lines.push('## Output samples where the clients differ', '')
    for (const op of differing) {
      for (const client of clients) lines.push(`- ${op}, ${client}: \`${(cell(client, op).sample ?? '').slice(0, 400)}\``)
    }
    lines.push('')
  }

  const failures: string[] = []
  for (const client of clients) for (const op of options.ops) for (const error of cell(client, op).errors) failures.push(`- ${client} ${op}: ${error}`)
  if (failures.length > 0) lines.push('## Failures', '', ...[...new Set(failures)], '')
  return `${lines.join('\n')}\n`
}
