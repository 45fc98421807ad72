/**
 * Client memory against hostile CrateDB answers (issue 7 §2): an endless `_sql` body and a gzip bomb.
 * The server runs in a child process, so the RSS figures are the client's alone.
 *
 *   node_modules/.bin/node bench/cratedb-hostile-responses.ts endless [seconds=10]
 *   node_modules/.bin/node bench/cratedb-hostile-responses.ts gzip-bomb
 *
 * Prints the client's peak RSS growth, how long the call took to settle and how it settled.
 */
import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import { gzipSync } from 'node:zlib'
import { connect } from '../src/cratedb/index.ts'

const [mode = 'endless', secondsArg = '10'] = process.argv.slice(2)

if (mode === 'serve-endless' || mode === 'serve-gzip-bomb') {
  // 512 MiB of spaces inside a JSON string: 522 KB gzipped.
  const bomb = mode === 'serve-gzip-bomb' ? gzipSync(Buffer.concat([Buffer.from('{"cols":["x"],"col_types":[4],"rows":[["'), Buffer.alloc(512 * 1024 * 1024, 0x20), Buffer.from('"]],"rowcount":1}')]), { level: 9 }) : undefined
  const chunk = Buffer.alloc(1024 * 1024, 0x20)
  const server = createServer((req, res) => {
    req.resume()
    if (bomb !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length })
      return void res.end(bomb)
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"cols":["x"],"col_types":[4],"rows":[["')
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump)
    }
    pump()
  })
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port, bombBytes: bomb?.length }))
} else {
  const child = fork(new URL(import.meta.url).pathname, [`serve-${mode}`], { stdio: 'inherit' })
  const { port, bombBytes } = await new Promise<{ port: number; bombBytes?: number }>((r) => child.once('message', r as (m: unknown) => void))
  if (bombBytes !== undefined) console.log(`gzip body: ${bombBytes} bytes, inflates to 512 MiB`)
  const client = connect(`http://127.0.0.1:${port}`)
  const base = process.memoryUsage().rss
  let peak = base
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  const started = Date.now()
  const limit = Number(secondsArg) * 1000
  const outcome = await Promise.race([
    client.execute('SELECT x FROM t').then(
      (r) => `resolved (${r.rows.length} rows)`,
      (e: unknown) => `rejected: ${(e as Error).constructor.name} ${(e as { code?: unknown }).code ?? ''}: ${String((e as Error).message).slice(0, 160)}`,
    ),
    new Promise<string>((r) => setTimeout(() => r(`still pending after ${limit / 1000} s`), limit)),
  ])
  peak = Math.max(peak, process.memoryUsage().rss)
  clearInterval(sampler)
  console.log(`${mode}: ${outcome}`)
  console.log(`settled/stopped after ${Date.now() - started} ms; client RSS growth (peak): ${((peak - base) / 2 ** 20).toFixed(0)} MiB`)
  child.kill()
  process.exit(0)
}
