import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib'
import { handleBlobRequest } from './blob-handler.ts'
import { CrateError } from './crate-error.ts'
import type { CrateStore } from './crate-store.ts'
import { authenticate, type AuthConfig } from './http-auth.ts'
import { HttpSession } from './http-session.ts'
import { bulkBody, errorBody, statementBody } from './response-body.ts'
import { SqlExecutor } from './sql-executor.ts'
import { parseSqlRequest } from './sql-request.ts'

/** Settings of one {@link CrateHttpNode}. */
export interface HttpNodeOptions {
  readonly id: string
  /** Node name (`GET /` `name`, `sys.nodes.name`). */
  readonly name: string
  readonly clusterName: string
  /** Version reported by `GET /`. */
  readonly version: string
  readonly auth: AuthConfig
  /** PEM key and certificate to serve HTTPS; `undefined` = plain HTTP. */
  readonly tls: { readonly key: string | Buffer; readonly cert: string | Buffer } | undefined
  /** Largest accepted request body in bytes (`http.max_content_length`, default 100 MB). */
  readonly maxContentLength: number
  /** Compress `_sql` answers for clients that accept gzip or deflate (`http.compression`, default off). */
  readonly httpCompression: boolean
}

const JSON_TYPE = 'application/json; charset=UTF-8'
const BROWSER = /^(Mozilla|Chrome|Safari|Opera|Android|AppleWebKit)+?[/\s][\d.]+$/

interface SocketState {
  session: HttpSession | undefined
}

/**
 * `?flag` or `?flag=true` (a single value, empty or literally `true`, crate/crate
 * `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`).
 */
function flag(params: URLSearchParams, name: string): boolean {
  const values = params.getAll(name)
  return values.length === 1 && (values[0] === '' || values[0] === 'true')
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new CrateError('HttpRequestTooLarge', `request body exceeds ${limit} bytes`, 4130))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const encoding = (req.headers['content-encoding'] ?? '').toLowerCase()
      try {
        resolve(encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : raw)
      } catch (error) {
        reject(error)
      }
    })
    req.on('error', reject)
  })
}

/** Jackson's default pretty printer: two-space indent, `"key" : value`, and a trailing newline. */
function prettyJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const inner = `${indent}  `
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${JSON.stringify(k)} : ${prettyJson(v, inner)}`)
  return `{\n${entries.join(',\n')}\n${indent}}`
}

/**
 * One node of the local CrateDB server: an HTTP(S) listener that speaks CrateDB's HTTP protocol
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html) —
 * `/_sql` with per-connection sessions, `GET /` and `HEAD /`, the blob API, Basic/Bearer authentication — and
 * executes statements on the shared {@link CrateStore}. It can be stopped (every connection is destroyed, so
 * clients see connection errors) and started again on the same port.
 */
export class CrateHttpNode {
  readonly options: HttpNodeOptions
  readonly #store: CrateStore
  readonly #executor: SqlExecutor
  readonly #sockets = new Set<Socket>()
  readonly #states = new WeakMap<Socket, SocketState>()
  #server: Server | undefined
  #port = 0

  constructor(store: CrateStore, options: HttpNodeOptions) {
    this.options = options
    this.#store = store
    this.#executor = new SqlExecutor(store, { id: options.id, name: options.name })
  }

  /** Port the node listens on (kept across stop/start); 0 before the first start. */
  get port(): number {
    return this.#port
  }

  /** `true` while listening. */
  get running(): boolean {
    return this.#server !== undefined
  }

  /** `http(s)://127.0.0.1:<port>/`. */
  get url(): string {
    return `${this.options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${this.#port}/`
  }

  /**
   * Listens on 127.0.0.1 — on `port`, or the port of the previous start, or a free port.
   * @throws Error from `listen` (e.g. EADDRINUSE when the old port was taken meanwhile).
   */
  async start(port?: number): Promise<void> {
    if (this.#server !== undefined) return
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          const message = error instanceof Error ? error.message : String(error)
          res.writeHead(500, { 'Content-Length': Buffer.byteLength(message), Connection: 'close' })
          res.end(message)
        } else res.destroy()
      })
    }
    const server = this.options.tls === undefined ? createHttpServer(handler) : createHttpsServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler)
    // CrateDB keeps idle keep-alive connections open; so do we (sessions live as long as the connection).
    server.keepAliveTimeout = 0
    server.on(this.options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
      this.#sockets.add(socket)
      this.#states.set(socket, { session: undefined })
      socket.on('close', () => {
        this.#sockets.delete(socket)
        this.#states.get(socket)?.session?.close()
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port ?? this.#port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#port = (server.address() as AddressInfo).port
    this.#server = server
  }

  /** Closes the listener and destroys every open connection (their sessions end). Idempotent. */
  async stop(): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const socket of this.#sockets) socket.destroy()
    server.closeAllConnections()
    await closed
  }

  #session(req: IncomingMessage, user: string): HttpSession {
    const state = this.#states.get(req.socket) ?? { session: undefined }
    this.#states.set(req.socket, state)
    if (state.session === undefined || state.session.user !== user) {
      state.session?.close()
      const header = req.headers['default-schema']
      state.session = new HttpSession(user, Array.isArray(header) ? header[0] : header)
    }
    return state.session
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = authenticate(req.headers.authorization, this.options.auth)
    if (!auth.ok) {
      const body = `${auth.body}\n`
      const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body), Connection: 'close' }
      if (auth.status === 401) headers['WWW-Authenticate'] = 'Basic realm="CrateDB Authenticator"'
      res.writeHead(auth.status, headers)
      res.end(body, () => req.socket.destroySoon())
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    if ((req.url ?? '').startsWith('/_sql')) return this.#sql(req, res, url.searchParams, auth.user)
    if (path.startsWith('/_blobs')) {
      const body = req.method === 'PUT' ? await readBody(req, this.options.maxContentLength) : Buffer.alloc(0)
      return handleBlobRequest(this.#store, req, res, path, body)
    }
    const uri = (req.url ?? '/').trim().toLowerCase()
    if (uri === '/admin' || uri === '/_plugin/crate-admin') {
      res.writeHead(307, { Location: '/', 'Content-Length': 0 })
      res.end()
      return
    }
    const userAgent = req.headers['user-agent']
    const browser = userAgent !== undefined && BROWSER.test(userAgent.split(/\s+/)[0] ?? '')
    const acceptJson = (req.headers.accept ?? '').includes('application/json')
    if (req.url === '/' && (acceptJson || !browser)) return this.#root(req, res)
    if (req.method !== 'GET') return this.#text(res, 403, `POST method is not allowed for [${req.url}]`)
    if (req.url === '/' || uri === '/index.html') {
      return this.#text(res, 200, '<!doctype html><title>CrateDB (dialectry local server)</title><p>The Admin UI is not part of the local CrateDB server.</p>', 'text/html')
    }
    const file = (req.url ?? '/').replace(/^\/+/, '')
    return this.#text(res, 404, `Requested file [${file}] was not found`)
  }

  #text(res: ServerResponse, status: number, body: string, type?: string): void {
    const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body) }
    if (type !== undefined) headers['Content-Type'] = type
    res.writeHead(status, headers)
    res.end(body)
  }

  #root(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'Content-Length': 0 })
      res.end()
      return
    }
    const body = `${prettyJson({
      ok: true,
      status: 200,
      name: this.options.name,
      cluster_name: this.options.clusterName,
      version: {
        number: this.options.version,
        build_hash: 'dialectry-local',
        build_timestamp: '2026-01-01T00:00:00Z',
        build_snapshot: false,
        lucene_version: '10.2.0',
      },
    })}\n`
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  }

  async #sql(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, user: string): Promise<void> {
    const started = performance.now()
    const includeTypes = flag(params, 'types')
    const includeTrace = flag(params, 'error_trace')
    const session = this.#session(req, user)
    let status = 200
    let body: string
    try {
      const request = parseSqlRequest(await readBody(req, this.options.maxContentLength))
      if (request.mode === 'simple') {
        const result = await this.#executor.execute(session, request.stmt, request.args)
        body = statementBody(result, includeTypes, performance.now() - started)
      } else {
        const items = await this.#executor.executeBulk(session, request.stmt, request.bulkArgs)
        body = bulkBody(items, performance.now() - started)
      }
    } catch (error) {
      const crate = error instanceof CrateError ? error : new CrateError('SQLActionException', error instanceof Error ? error.message : String(error), 5000, { cause: error })
      status = crate.status
      body = errorBody(crate, includeTrace)
    }
    if (res.destroyed) return
    const encoding = this.options.httpCompression ? responseEncoding(req.headers['accept-encoding']) : undefined
    if (encoding === undefined) {
      res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) })
      res.end(body)
      return
    }
    // Netty's HttpContentCompressor as CrateDB configures it: level 3, gzip preferred over deflate.
    const compressed = encoding === 'gzip' ? gzipSync(body, { level: 3 }) : deflateSync(body, { level: 3 })
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Encoding': encoding, 'Content-Length': compressed.length })
    res.end(compressed)
  }
}

/** The encoding to answer with for an `Accept-Encoding` header: gzip, else deflate, else none. */
function responseEncoding(accept: string | undefined): 'gzip' | 'deflate' | undefined {
  if (accept === undefined) return undefined
  const offered = new Set(accept.split(',').map((part) => part.trim().split(';')[0]!.toLowerCase()).filter((e) => e !== ''))
  return offered.has('gzip') ? 'gzip' : offered.has('deflate') ? 'deflate' : undefined
}
