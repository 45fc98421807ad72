/**
 * The replay server: `node bench/cratedb/replay-server.ts <dir>` serves `POST /_sql` from canned bodies recorded
 * from the local CrateDB server (`<dir>/routes.json`: statement → body file and content type), byte for byte and
 * at once, over node:http with keep-alive. The statement is read from the start of the request body (both clients
 * send `{"stmt":"...",...}` with `stmt` first); the rest of the body is read and dropped. An unknown statement gets
 * CrateDB's 400 error envelope. Prints `{"port":n}` on stdout once listening; runs until killed.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'

/** One canned answer, as `routes.json` lists them. */
export interface ReplayRoute {
  stmt: string
  file: string
  contentType: string
}

const STMT_PREFIX = '{"stmt":"'

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: replay-server.ts <dir with routes.json>')
const routes = new Map<string, { body: Buffer; headers: Record<string, string | number> }>()
for (const route of JSON.parse(readFileSync(join(dir, 'routes.json'), 'utf8')) as ReplayRoute[]) {
  const body = readFileSync(join(dir, route.file))
  routes.set(route.stmt, { body, headers: { 'content-type': route.contentType, 'content-length': body.length } })
}
const unknown = Buffer.from('{"error":{"message":"SQLParseException[replay server: no recorded answer for this statement]","code":4000}}')

const server = createServer({ keepAlive: true, keepAliveTimeout: 120_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
  let head = ''
  req.on('data', (chunk: Buffer) => {
    if (head.length < 512) head += chunk.toString('latin1', 0, Math.min(chunk.length, 512))
  })
  req.on('end', () => {
    const end = head.startsWith(STMT_PREFIX) ? head.indexOf('"', STMT_PREFIX.length) : -1
    const route = req.method === 'POST' && req.url?.startsWith('/_sql') && end > 0 ? routes.get(head.slice(STMT_PREFIX.length, end)) : undefined
    if (route === undefined) {
      res.writeHead(400, { 'content-type': 'application/json; charset=UTF-8', 'content-length': unknown.length })
      res.end(unknown)
      return
    }
    res.writeHead(200, route.headers)
    res.end(route.body)
  })
})
server.keepAliveTimeout = 120_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
