/**
 * The replay server: `node bench/druid/replay-server.ts <dir>` answers `POST /druid/v2/sql` with bodies recorded
 * from the local Druid server (`<dir>/routes.json`: `resultFormat` + query → body file), byte for byte, over
 * node:http with keep-alive. Prints `{"port":n}` once listening; runs until killed.
 */
import { createReadStream, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'

/** One recorded answer. */
export interface DruidReplayRoute {
  key: string
  file: string
  contentType: string
}

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: replay-server.ts <dir with routes.json>')
const routes = new Map<string, DruidReplayRoute>()
for (const r of JSON.parse(readFileSync(join(dir, 'routes.json'), 'utf8')) as DruidReplayRoute[]) routes.set(r.key, r)

const server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
  let text = ''
  req.on('data', (c: Buffer) => (text += c.toString()))
  req.on('end', () => {
    const body = JSON.parse(text || '{}') as { query?: string; resultFormat?: string }
    const route = routes.get(`${body.resultFormat ?? 'object'}:${body.query ?? ''}`)
    if (route === undefined) {
      res.writeHead(400, { 'content-type': 'application/json' })
      return void res.end('{"error":"druidException","errorCode":"invalidInput","persona":"USER","category":"INVALID_INPUT","errorMessage":"replay server: no recorded answer","context":{}}')
    }
    res.writeHead(200, { 'content-type': route.contentType, 'x-druid-sql-header-included': 'yes', 'x-druid-sql-query-id': 'replay' })
    createReadStream(join(dir, route.file), { highWaterMark: 256 * 1024 }).pipe(res)
  })
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  console.log(JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 }))
})
