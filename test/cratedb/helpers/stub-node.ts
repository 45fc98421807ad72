import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'

/** One request as a stub node received it. */
export interface StubRequest {
  method: string
  /** Path and query, e.g. `/_sql?types`. */
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
  /** Parsed JSON body for `_sql` requests (undefined when not JSON). */
  json: { stmt?: string; args?: unknown[]; bulk_args?: unknown[][] } | undefined
  /** Sequence number of the TCP connection the request came on (1-based, per stub). */
  connection: number
  /** Client-side port of that connection. */
  remotePort: number
  /** The TLS peer certificate subject CN, for HTTPS stubs that request client certificates. */
  peerCN?: string
}

export type StubHandler = (req: StubRequest, res: ServerResponse) => void | Promise<void>

/** A small HTTP(S) server standing in for a CrateDB node. */
export interface StubNode {
  /** `http://127.0.0.1:<port>/`. */
  url: string
  port: number
  requests: StubRequest[]
  /** TCP connections accepted so far. */
  connections: number
  /** Connections open right now. */
  openConnections: () => number
  /** Whether connection `id` (a {@link StubRequest.connection}) is still open. */
  isOpen: (id: number) => boolean
  handler: StubHandler
  /**
   * Stops like a graceful HTTP server: stops accepting, answers requests in flight with `Connection: close`,
   * closes idle keep-alive connections. (A request a client writes on an idle connection just as it is closed
   * is lost without an answer: the keep-alive race of RFC 9112 §9.3.1.)
   */
  stop(): Promise<void>
  /** Stops at once: every connection is destroyed, in-flight requests get no answer. */
  kill(): Promise<void>
  /** Listens again on the same port. */
  restart(): Promise<void>
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** A CrateDB result-set body. */
export function resultSet(cols: string[], colTypes: unknown[], rows: unknown[][]): Record<string, unknown> {
  return { cols, col_types: colTypes, rows, rowcount: rows.length, duration: 1.25 }
}

/** A CrateDB row-count body (rows: [[]], https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html). */
export function rowCount(n: number): Record<string, unknown> {
  return { cols: [], col_types: [], rows: [[]], rowcount: n, duration: 0.5 }
}

/** A CrateDB error envelope. */
export function crateError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { error: { message, code } })
}

/** Starts a stub node on a free loopback port. */
export async function startStub(handler: StubHandler, options: { https?: HttpsOptions; port?: number } = {}): Promise<StubNode> {
  const sockets = new Set<Socket>()
  let connections = 0
  let closing = false
  const connectionIds = new WeakMap<Socket, number>()
  const node: StubNode = {
    url: '',
    port: 0,
    requests: [],
    connections: 0,
    openConnections: () => sockets.size,
    isOpen: (id) => [...sockets].some((s) => connectionIds.get(s) === id),
    handler,
    stop: async () => {
      closing = true
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      closing = false
    },
    kill: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    restart: async () => {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(node.port, '127.0.0.1', () => resolve())
      })
    },
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (closing) res.shouldKeepAlive = false
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      let json: StubRequest['json']
      if (body.length > 0 && body[0] === 0x7b) {
        try {
          json = JSON.parse(body.toString('utf8'))
        } catch {
          json = undefined
        }
      }
      const socket = req.socket as Socket & { getPeerCertificate?: () => { subject?: { CN?: string } } }
      const stubReq: StubRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        json,
        connection: connectionIds.get(req.socket) ?? 0,
        remotePort: req.socket.remotePort ?? 0,
        peerCN: socket.getPeerCertificate?.()?.subject?.CN,
      }
      node.requests.push(stubReq)
      Promise.resolve(node.handler(stubReq, res)).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(err), code: 5000 } })
      })
    })
  }
  const server: Server = options.https ? createHttpsServer(options.https, onRequest) : createHttpServer(onRequest)
  server.keepAliveTimeout = 60_000
  server.on(options.https ? 'secureConnection' : 'connection', (socket: Socket) => {
    connectionIds.set(socket, ++connections)
    node.connections = connections
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  if (options.https) server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()))
  node.port = (server.address() as AddressInfo).port
  node.url = `${options.https ? 'https' : 'http'}://127.0.0.1:${node.port}/`
  return node
}

/** A handler answering `_sql` requests with `fn(stmt, args)`'s body (status 200) or an explicit status. */
export function sqlHandler(fn: (stmt: string, args: unknown[] | undefined, req: StubRequest) => unknown | { status: number; body: unknown }): StubHandler {
  return async (req, res) => {
    const out = await fn(req.json?.stmt ?? '', req.json?.args, req)
    if (out !== null && typeof out === 'object' && 'status' in out && 'body' in out) {
      const o = out as { status: number; body: unknown }
      sendJson(res, o.status, o.body)
    } else {
      sendJson(res, 200, out)
    }
  }
}

/** Strips the cancellation tag the driver may put in front of a statement. */
export function untag(stmt: string): string {
  return stmt.replace(/^\/\* dialectry:[0-9a-f-]+ \*\/ /, '')
}
