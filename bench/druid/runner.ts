/**
 * `npm run bench -- druid [--rows N] [--small N] [--rounds N] [--out FILE]`: the client cost of a large Druid SQL
 * result, side by side in one run, and the end-to-end rate on the local server.
 *
 * 1. Replay: the local server (src/testing/druid) ingests vega-datasets `flights-3m.parquet`; the answers to
 *    `SELECT __time, origin, destination, delay, distance FROM flights LIMIT n` (n = --small and --rows) are
 *    recorded in each format, then served byte for byte by `replay-server.ts` in its own process. Each client
 *    runs in its own process (`client.ts`): our streaming decode vs `fetch` + `JSON.parse` of `array` and `object`.
 * 2. End to end: our client against the live local server, and the server's own rate (the body drained to
 *    nowhere by a raw undici request).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { connect } from '../../src/druid/index.ts'
import { startDruid } from '../../src/testing/druid/index.ts'
import { FLIGHTS_PARQUET } from '../../examples/demo/data-files.ts'
import { runCollecting } from '../shared/client-process.ts'
import { emitReport } from '../shared/report-file.ts'
import { machineInfo, machineLines, loadAverage } from '../shared/machine.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
type Client = 'ours' | 'ours-object' | 'fetch-array' | 'fetch-object'
const CLIENTS: Client[] = ['ours', 'ours-object', 'fetch-array', 'fetch-object']
interface Measure {
  client: Client
  rows: number
  seconds: number
  cpuSeconds: number
  peakRss: number
  baseRss: number
}

function query(n: number): string {
  return `SELECT __time, "origin", "destination", "delay", "distance" FROM "flights" LIMIT ${n}`
}

async function measure(client: Client, url: string, q: string): Promise<Measure> {
  const { stdout, stderr } = await runCollecting(process.execPath, ['--expose-gc', join(here, 'client.ts'), client], { url, query: q }, 600_000)
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) throw new Error(`${client}: no report (${stderr.trim().split('\n').slice(-3).join(' | ')})`)
  return JSON.parse(line) as Measure
}

const MiB = 1024 * 1024

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { rows: { type: 'string' }, small: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' } } })
  const big = Number(values.rows ?? 3_000_000)
  const small = Number(values.small ?? 300_000)
  const rounds = Number(values.rounds ?? 2)
  const log = (line: string): void => console.error(line)
  const loadStart = loadAverage()
  const dir = mkdtempSync(join(tmpdir(), 'dialectry-druid-bench-'))
  const druid = await startDruid()
  const client = connect(druid.url)
  let replay: ReturnType<typeof spawn> | undefined
  try {
    log(`ingesting ${FLIGHTS_PARQUET} …`)
    const t0 = Date.now()
    await client.ingest(
      `REPLACE INTO "flights" OVERWRITE ALL SELECT TIME_PARSE("date") AS __time, "origin", "destination", "delay", "distance"
       FROM TABLE(EXTERN('{"type":"local","files":[${JSON.stringify(FLIGHTS_PARQUET)}]}', '{"type":"parquet"}',
         '[{"name":"date","type":"string"},{"name":"origin","type":"string"},{"name":"destination","type":"string"},{"name":"delay","type":"long"},{"name":"distance","type":"long"}]'))
       PARTITIONED BY DAY`,
      [],
      { pollInterval: 200 },
    )
    log(`ingested in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    // Record the answers.
    const routes: { key: string; file: string; contentType: string }[] = []
    for (const n of [small, big]) {
      for (const [format, header] of [['arrayLines', true], ['array', false], ['object', false]] as const) {
        const body = JSON.stringify({ query: query(n), resultFormat: format, header, typesHeader: header, sqlTypesHeader: header })
        const res = await request(`${druid.url}/druid/v2/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        const file = `${format}-${n}.body`
        const { createWriteStream } = await import('node:fs')
        const out = createWriteStream(join(dir, file))
        for await (const chunk of res.body) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
        await new Promise<void>((r) => out.end(() => r()))
        routes.push({ key: `${format}:${query(n)}`, file, contentType: format === 'arrayLines' ? 'text/plain' : 'application/json' })
      }
    }
    writeFileSync(join(dir, 'routes.json'), JSON.stringify(routes))
    replay = spawn(process.execPath, [join(here, 'replay-server.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    const port = await new Promise<number>((resolve) => createInterface({ input: replay!.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { port: number }).port)))
    const replayUrl = `http://127.0.0.1:${port}`
    const results = new Map<string, Measure>()
    for (const n of [small, big]) {
      for (let r = 0; r < rounds; r++) {
        for (const c of CLIENTS) {
          const m = await measure(c, replayUrl, query(n))
          if (m.rows !== n) throw new Error(`${c} read ${m.rows} rows, expected ${n}`)
          log(`replay ${n} ${c}: ${(n / m.seconds / 1e6).toFixed(2)} M rows/s, peak RSS ${(m.peakRss / MiB).toFixed(0)} MiB`)
          const key = `${n}:${c}`
          const prev = results.get(key)
          if (prev === undefined || m.seconds < prev.seconds) results.set(key, { ...m, cpuSeconds: Math.min(m.cpuSeconds, prev?.cpuSeconds ?? Infinity), peakRss: Math.max(m.peakRss, prev?.peakRss ?? 0) })
          else results.set(key, { ...prev, cpuSeconds: Math.min(m.cpuSeconds, prev.cpuSeconds), peakRss: Math.max(m.peakRss, prev.peakRss) })
        }
      }
    }
    // End to end on the live server, and the server's own rate.
    let e2e: Measure | undefined
    let serverSeconds = Infinity
    for (let r = 0; r < rounds; r++) {
      const m = await measure('ours', druid.url, query(big))
      if (e2e === undefined || m.seconds < e2e.seconds) e2e = m
      const s0 = process.hrtime.bigint()
      const res = await request(`${druid.url}/druid/v2/sql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: query(big), resultFormat: 'arrayLines', header: true, typesHeader: true, sqlTypesHeader: true }),
      })
      for await (const _ of res.body) {
        /* drained to nowhere */
      }
      serverSeconds = Math.min(serverSeconds, Number(process.hrtime.bigint() - s0) / 1e9)
      log(`live ${big}: ours ${(big / m.seconds / 1e6).toFixed(2)} M rows/s; server alone ${(big / serverSeconds / 1e6).toFixed(2)} M rows/s`)
    }
    const rate = (n: number, c: Client): number => n / results.get(`${n}:${c}`)!.seconds
    const lines = [
      '# Druid: client cost of a large SQL result',
      '',
      `Command: \`npm run bench -- druid${args.length > 0 ? ` ${args.join(' ')}` : ''}\` (best of ${rounds} rounds; each client in its own process).`,
      '',
      ...machineLines(machineInfo(), loadStart),
      '',
      `Query: \`${query(big)}\` over vega-datasets flights-3m.parquet ingested into the local server; replayed byte for byte.`,
      '',
      'M rows/s is wall time (best round); the CPU columns count the client process alone (best round), which a busy shared machine disturbs less.',
      '',
      '| rows | client | M rows/s | vs fetch+JSON.parse array | vs fetch+JSON.parse object | client CPU s | CPU vs array | CPU vs object | peak RSS MiB |',
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ]
    for (const n of [small, big]) {
      for (const c of CLIENTS) {
        const cpu = (x: Client): number => results.get(`${n}:${x}`)!.cpuSeconds
        lines.push(`| ${n} | ${c} | ${(rate(n, c) / 1e6).toFixed(2)} | ${(rate(n, c) / rate(n, 'fetch-array')).toFixed(2)}x | ${(rate(n, c) / rate(n, 'fetch-object')).toFixed(2)}x | ${cpu(c).toFixed(2)} | ${(cpu('fetch-array') / cpu(c)).toFixed(2)}x | ${(cpu('fetch-object') / cpu(c)).toFixed(2)}x | ${(results.get(`${n}:${c}`)!.peakRss / MiB).toFixed(0)} |`)
      }
    }
    lines.push(
      '',
      `End to end (live local server, ${big} rows, arrayLines, ours): ${(big / e2e!.seconds / 1e6).toFixed(2)} M rows/s; ` +
        `the server alone (body drained, nothing decoded): ${(big / serverSeconds / 1e6).toFixed(2)} M rows/s, i.e. ${((serverSeconds / e2e!.seconds) * 100).toFixed(0)} % of the end-to-end time.`,
    )
    emitReport(lines.join('\n') + '\n', values.out ?? join(here, '..', 'results', 'druid.md'), log)
  } finally {
    replay?.kill()
    await client.close()
    await druid.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
