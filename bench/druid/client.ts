/**
 * One measured client in its own process: `node --expose-gc bench/druid/client.ts <client>` with
 * `BENCH_CONFIG={"url","query","rows"}`. Prints one JSON line: rows, seconds (wall), cpuSeconds (this process), peak RSS (sampled every 5 ms and
 * at the end, before the result is released).
 *
 * - `ours`: dialectry/druid `stream()` over `arrayLines`, typed decoding (TIMESTAMP → Date, exact BIGINT), array rows;
 * - `ours-object`: the same with object rows;
 * - `fetch-array`: `fetch` + `response.json()` of the `array` format (whole body, no types);
 * - `fetch-object`: `fetch` + `response.json()` of the `object` format (what most code does today).
 */
import { connect } from '../../src/druid/index.ts'

interface Config {
  url: string
  query: string
}

const client = process.argv[2] as 'ours' | 'ours-object' | 'fetch-array' | 'fetch-object'
const config = JSON.parse(process.env['BENCH_CONFIG'] ?? '{}') as Config
let peak = process.memoryUsage.rss()
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5)
;(globalThis as { gc?: () => void }).gc?.()
const base = process.memoryUsage.rss()
const start = process.hrtime.bigint()
const cpu0 = process.cpuUsage()
let rows = 0
if (client === 'ours' || client === 'ours-object') {
  const druid = connect(config.url)
  for await (const batch of druid.stream(config.query, [], { resultFormat: 'arrayLines', rowMode: client === 'ours' ? 'array' : 'object' }).batches()) rows += batch.length
  await druid.close()
} else {
  const format = client === 'fetch-array' ? 'array' : 'object'
  const res = await fetch(`${config.url}/druid/v2/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: config.query, resultFormat: format }) })
  const data = (await res.json()) as unknown[]
  rows = data.length
  peak = Math.max(peak, process.memoryUsage.rss())
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9
const cpu = process.cpuUsage(cpu0)
// CPU seconds of this process (all its threads, GC included): steadier than wall time on a shared machine.
const cpuSeconds = (cpu.user + cpu.system) / 1e6
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage.rss())
console.log(JSON.stringify({ client, rows, seconds, cpuSeconds, peakRss: peak, baseRss: base }))
