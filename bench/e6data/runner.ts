/**
 * `npm run bench -- e6data [--rows N] [--batches N] [--rounds N] [--connector DIR] [--out FILE]`: fetch-and-decode of
 * the 3M-row vega-datasets flights result from the local e6data engine (src/testing/e6data, in its own process),
 * side by side in one run:
 *
 * 1. End to end: our `fetchAllBuffer` vs the official Python connector's `fetchall_buffer` (each client in its own
 *    process): rows per second and peak client memory above the baseline; ours once more with V8's heap capped
 *    (1 MiB semi-spaces, 24 MiB old space) to show the client needs about one batch.
 * 2. Decode only: the first `--batches` raw `resultBatch` payloads recorded once, then decoded by our Chunk decoder
 *    and by the connector's `read_rows_from_chunk` (Thrift `fastbinary` C decoder + its row pivot).
 *
 * The Python peer needs Debian's python3-grpcio, python3-protobuf, python3-thrift and python3-tz for
 * /usr/bin/python3, and the connector's source: `--connector DIR` (a checkout of e6data/e6data-python-connector),
 * or E6DATA_PY_CONNECTOR. Without them its rows say why.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runCollecting } from '../shared/client-process.ts'
import { emitReport } from '../shared/report-file.ts'
import { loadAverage, machineInfo, machineLines } from '../shared/machine.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
const MiB = 1024 * 1024
const COLUMNS = [
  { name: 'date', typeCode: 'DATETIME', zone: '', format: '' },
  { name: 'delay', typeCode: 'LONG', zone: '', format: '' },
  { name: 'distance', typeCode: 'LONG', zone: '', format: '' },
  { name: 'origin', typeCode: 'STRING', zone: '', format: '' },
  { name: 'destination', typeCode: 'STRING', zone: '', format: '' },
]

interface Report {
  client: string
  rows: number
  seconds: number
  batches?: number
  peakHeapAbove?: number
  peakLiveHeapAbove?: number
  peakRssAbove?: number
  error?: string
}

async function startServer(): Promise<{ child: ChildProcess; port: number; username: string; password: string }> {
  const child = spawn(process.execPath, [join(here, 'server-process.ts')], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`engine process exited with ${code}`)))
  })
  return { child, ...(JSON.parse(line) as { port: number; username: string; password: string }) }
}

/** V8 flags of the capped-heap run: 1 MiB semi-spaces, 24 MiB old space (the whole 3M-row fetch must fit). */
const CAPPED_HEAP = ['--max-semi-space-size=1', '--max-old-space-size=24']

async function node(mode: string, config: object, v8Flags: string[] = []): Promise<Report> {
  const { stdout, stderr } = await runCollecting(process.execPath, ['--expose-gc', ...v8Flags, join(here, 'client.ts'), mode], config, 900_000)
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) return { client: `ours-${mode}`, rows: 0, seconds: 0, error: stderr.trim().split('\n').slice(-3).join(' | ') }
  return JSON.parse(line) as Report
}

async function python(mode: string, config: object, connector: string | undefined): Promise<Report> {
  const client = `python-${mode}`
  if (connector === undefined || !existsSync(join(connector, 'e6data_python_connector'))) {
    return { client, rows: 0, seconds: 0, error: 'connector source not found (pass --connector DIR or set E6DATA_PY_CONNECTOR)' }
  }
  process.env['PYTHONPATH'] = connector
  const { stdout, stderr } = await runCollecting('/usr/bin/python3', [join(here, 'peer.py'), mode], config, 1_800_000)
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) return { client, rows: 0, seconds: 0, error: stderr.trim().split('\n').slice(-3).join(' | ') }
  return JSON.parse(line) as Report
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rows: { type: 'string' }, batches: { type: 'string' }, rounds: { type: 'string' }, connector: { type: 'string' }, out: { type: 'string' } } })
  const rows = Number(values.rows ?? 3_000_000)
  const batches = Number(values.batches ?? 60)
  const rounds = Number(values.rounds ?? 3)
  const connector = values.connector ?? process.env['E6DATA_PY_CONNECTOR']
  const log = (l: string): void => console.error(l)
  const loadStart = loadAverage()
  const sql = `SELECT date, delay, distance, origin, destination FROM flights LIMIT ${rows}`
  const dir = mkdtempSync(join(tmpdir(), 'dialectry-e6data-bench-'))
  const server = await startServer()
  const base = { port: server.port, username: server.username, password: server.password, sql }
  try {
    log(`engine on port ${server.port}; ${rows} rows`)
    const ours = await node('fetch', base)
    log(`ours: ${JSON.stringify(ours)}`)
    const capped = await node('fetch', base, CAPPED_HEAP)
    log(`ours, capped heap: ${JSON.stringify(capped)}`)
    const py = await python('fetch', base, connector)
    log(`python: ${JSON.stringify(py)}`)
    const file = join(dir, 'batches.bin')
    const rec = await node('record', { ...base, file, batches, columns: COLUMNS.length })
    log(`recorded: ${JSON.stringify(rec)}`)
    const oursDecode = await node('decode', { file, rounds, columns: COLUMNS.length })
    log(`ours decode: ${JSON.stringify(oursDecode)}`)
    const thriftDecode = await node('decode-thrift', { file, rounds, columns: COLUMNS.length })
    log(`thrift package decode: ${JSON.stringify(thriftDecode)}`)
    const pyDecode = await python('decode', { file, rounds, columnsInfo: COLUMNS }, connector)
    log(`python decode: ${JSON.stringify(pyDecode)}`)

    const rate = (r: Report): string => (r.error !== undefined ? `n/a (${r.error})` : `${Math.round(r.rows / r.seconds).toLocaleString('en-US')}`)
    const ratio = (a: Report, b: Report): string => (a.error === undefined && b.error === undefined ? `${(a.rows / a.seconds / (b.rows / b.seconds)).toFixed(2)}x` : 'n/a')
    const mem = (n: number | undefined): string => (n === undefined ? '' : `${(n / MiB).toFixed(1)} MiB`)
    const machine = machineInfo()
    const lines = [
      `# e6data: fetch and decode the flights result (local engine on DuckDB, separate process)`,
      '',
      ...machineLines(machine, loadStart),
      '',
      `Query: \`${sql}\` (columns DATETIME, LONG, LONG, STRING, STRING).`,
      '',
      '| measurement | rows | seconds | rows/s | peak client memory above baseline |',
      '| --- | ---: | ---: | ---: | --- |',
      `| ours, end to end (\`fetchAllBuffer\`) | ${ours.rows} | ${ours.seconds?.toFixed(2)} | ${rate(ours)} | heap ${mem(ours.peakHeapAbove)} (live after GC ${mem(ours.peakLiveHeapAbove)}), RSS ${mem(ours.peakRssAbove)} |`,
      `| ours, end to end, heap capped (\`${CAPPED_HEAP.join(' ')}\`) | ${capped.rows} | ${capped.seconds?.toFixed(2)} | ${rate(capped)} | heap ${mem(capped.peakHeapAbove)}, RSS ${mem(capped.peakRssAbove)} |`,
      `| Python connector 2.3.15, end to end (\`fetchall_buffer\`) | ${py.rows} | ${py.seconds?.toFixed(2)} | ${rate(py)} | RSS ${mem(py.peakRssAbove)} |`,
      `| ours, decode only (${rec.rows} recorded rows, best of ${rounds}) | ${oursDecode.rows} | ${oursDecode.seconds?.toFixed(3)} | ${rate(oursDecode)} | |`,
      `| \`thrift\` npm package TBinaryProtocol + same pivot, decode only (best of ${rounds}) | ${thriftDecode.rows} | ${thriftDecode.seconds?.toFixed(3)} | ${rate(thriftDecode)} | |`,
      `| Python connector, decode only (fastbinary + read_rows_from_chunk, best of ${rounds}) | ${pyDecode.rows} | ${pyDecode.seconds?.toFixed(3)} | ${rate(pyDecode)} | |`,
      '',
      `Ratios: end to end ${ratio(ours, py)}; decode only ${ratio(oursDecode, pyDecode)} (ours / Python), ${ratio(oursDecode, thriftDecode)} (ours / thrift package).`,
      '',
      'End to end includes the local engine (DuckDB scan + TypeScript Thrift encoding in one process), which bounds both clients.',
      'The capped-heap run shows the client needs about one batch: with V8 held to a 24 MiB old space the whole result still streams; the default run\'s larger peak is garbage V8 lets accumulate between collections.',
    ]
    emitReport(lines.join('\n') + '\n', values.out ?? join(here, '..', 'results', 'e6data.md'), log)
  } finally {
    server.child.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}
