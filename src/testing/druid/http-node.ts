import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { DruidEngine, ServiceEntry } from './druid-engine.ts'
import { druidException } from './druid-errors.ts'
import { sendError, sendJson } from './http-util.ts'
import { handleCancel, handleSql } from './sql-handler.ts'
import { handleOverlordTasks, handleSqlTask } from './task-handler.ts'
import { handleStatements } from './statements-handler.ts'
import { handleCoordinator } from './coordinator-handler.ts'
import { handleNative } from './native-handler.ts'
import { readBody } from './http-util.ts'

/** Roles one local process can play. */
export type LocalRole = 'router' | 'broker' | 'coordinator' | 'overlord' | 'historical'

/** Options of one local Druid service process. */
export interface NodeOptions {
  roles: LocalRole[]
  host: string
  port: number
  /** Basic-auth users (druid-basic-security); none: no authentication, as in a default install. */
  users?: Record<string, string>
  /**
   * Authorization (druid-basic-security's authorizer): called for every authenticated request with the user, the
   * method and the path; `false` answers 403 `{"Access-Check-Result": "Unauthorized"}`. Default: allow all.
   */
  authorize?: (user: string, method: string, path: string) => boolean
  /** HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer }
  version: string
}

/** Paths Druid never authenticates (Jetty initializers' UNSECURED_PATHS). */
const UNSECURED = new Set(['/status/health', '/druid/coordinator/v1/isLeader', '/druid/indexer/v1/isLeader'])

/** Jetty's `sendError` page, what druid-basic-security answers on bad credentials. */
function jetty401(res: ServerResponse): void {
  res.writeHead(401, { 'content-type': 'text/html;charset=iso-8859-1', 'www-authenticate': 'Basic' })
  res.end('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n<title>Error 401 Unauthorized</title>\n</head>\n<body><h2>HTTP ERROR 401 Unauthorized</h2>\n</body>\n</html>\n')
}

/** Basic auth as druid-basic-security checks it: the secret must split on `:` into exactly two parts. */
function authenticated(req: IncomingMessage, users: Record<string, string>): string | undefined {
  const header = req.headers['authorization']
  if (header === undefined || !/^Basic /i.test(header)) return undefined
  const secret = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const parts = secret.split(':')
  if (parts.length !== 2) return undefined
  return Object.hasOwn(users, parts[0]!) && users[parts[0]!] === parts[1] ? parts[0] : undefined
}

/**
 * One local Druid process on loopback: the roles it was given answer their REST paths; a Router also proxies
 * the management paths to the leading Coordinator/Overlord (https://druid.apache.org/docs/latest/design/router).
 */
export class DruidNode {
  readonly options: NodeOptions
  readonly engine: DruidEngine
  readonly entry: ServiceEntry
  readonly #cluster: () => DruidNode[]
  #server: Server | undefined
  url = ''

  constructor(engine: DruidEngine, options: NodeOptions, cluster: () => DruidNode[]) {
    this.engine = engine
    this.options = options
    this.#cluster = cluster
    this.entry = { host: options.host, plaintextPort: -1, tlsPort: -1, roles: options.roles, leader: true, startTime: new Date().toISOString() }
  }

  has(role: LocalRole): boolean {
    return this.options.roles.includes(role)
  }

  /** Starts listening; resolves with the URL. */
  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, druidException(500, 'UNCATEGORIZED', 'general', (err as Error).message, {}, 'ADMIN'))
        else res.destroy()
      })
    }
    const server = this.options.tls !== undefined ? createHttpsServer({ cert: this.options.tls.cert, key: this.options.tls.key }, handler) : createHttpServer(handler)
    server.keepAliveTimeout = 30_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port, this.options.host, () => resolve())
    })
    this.#server = server
    const port = (server.address() as AddressInfo).port
    if (this.options.tls !== undefined) this.entry.tlsPort = port
    else this.entry.plaintextPort = port
    this.url = `${this.options.tls !== undefined ? 'https' : 'http'}://${this.options.host}:${port}`
    return this.url
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  #leader(role: 'coordinator' | 'overlord'): DruidNode | undefined {
    return this.#cluster().find((n) => n.has(role) && n.entry.leader && n.#server !== undefined)
  }

  /** Routes one request. */
  async handle(req: IncomingMessage, res: ServerResponse, pathOverride?: string): Promise<void> {
    const url = new URL(pathOverride ?? req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const method = req.method ?? 'GET'
    const users = this.options.users
    if (pathOverride === undefined && users !== undefined && !UNSECURED.has(path)) {
      const user = authenticated(req, users)
      if (user === undefined) return jetty401(res)
      if (this.options.authorize !== undefined && !this.options.authorize(user, method, path)) return sendJson(res, 403, { 'Access-Check-Result': 'Unauthorized' })
    }

    // Common to every service (https://druid.apache.org/docs/latest/api-reference/service-status-api).
    if (path === '/status/health') return sendJson(res, 200, true)
    if (path === '/status') return sendJson(res, 200, { version: this.options.version, modules: [], memory: process.memoryUsage() })
    if (path === '/status/properties') return sendJson(res, 200, { 'druid.service': `druid/${this.options.roles[0]}`, 'druid.host': this.options.host, 'druid.plaintextPort': String(this.entry.plaintextPort) })
    if (path === '/status/selfDiscovered/status') return sendJson(res, 200, { selfDiscovered: true })
    if (path === '/status/selfDiscovered') return sendJson(res, 200, {})

    // Router: proxies (explicit /proxy/<role>/ strips the prefix; management paths go to the leaders).
    if (this.has('router')) {
      const proxy = /^\/proxy\/(coordinator|overlord)(\/.*)$/.exec(path)
      if (proxy !== null) {
        const target = this.#leader(proxy[1] as 'coordinator' | 'overlord')
        if (target === undefined) return sendError(res, druidException(503, 'SERVICE_UNAVAILABLE', 'general', `No leader ${proxy[1]} found`, {}, 'OPERATOR'))
        return target.handle(req, res, proxy[2]! + url.search)
      }
      if (path === '/druid/router/v1/brokers') {
        return sendJson(res, 200, { 'druid/broker': this.#cluster().filter((n) => n.has('broker')).map((n) => `${n.options.host}:${n.entry.plaintextPort > 0 ? n.entry.plaintextPort : n.entry.tlsPort}`) })
      }
    }
    const managementRole = path.startsWith('/druid/coordinator/') ? 'coordinator' : path.startsWith('/druid/indexer/') ? 'overlord' : undefined
    if (managementRole !== undefined && !path.endsWith('/isLeader') && !path.endsWith('/leader') && (!this.has(managementRole) || !this.entry.leader)) {
      const target = this.#leader(managementRole)
      if (this.has('router') && target !== undefined && target !== this) return target.handle(req, res, url.pathname + url.search)
      if (this.has(managementRole) && target !== undefined) {
        res.writeHead(307, { location: `${target.url}${url.pathname}${url.search}` })
        return void res.end()
      }
    }

    // SQL and native queries (Broker; the Router forwards to a Broker).
    if (this.has('broker') || this.has('router')) {
      if (path === '/druid/v2/sql' && method === 'POST') return handleSql(this.engine, req, res)
      const cancel = /^\/druid\/v2\/sql\/([^/]+)$/.exec(path)
      if (cancel !== null && method === 'DELETE' && cancel[1] !== 'task' && cancel[1] !== 'statements') return handleCancel(this.engine, decodeURIComponent(cancel[1]!), res)
      if (path === '/druid/v2/sql/task' && method === 'POST') return handleSqlTask(this.engine, req, res)
      if (path.startsWith('/druid/v2/sql/statements') && (await handleStatements(this.engine, method, path, url.searchParams, req, res))) return
      if (path === '/druid/v2' && method === 'POST') return handleNative(this.engine, await readBody(req), res)
      const nativeCancel = /^\/druid\/v2\/([^/]+)$/.exec(path)
      if (nativeCancel !== null && method === 'DELETE' && nativeCancel[1] !== 'sql') return void res.writeHead(202).end()
      if (path === '/druid/v2/datasources' && method === 'GET') return sendJson(res, 200, await this.engine.datasources())
      if (path === '/druid/broker/v1/loadstatus') return sendJson(res, 200, { inventoryInitialized: true })
      if (path === '/druid/broker/v1/readiness') return sendJson(res, 200, {})
    }

    for (const role of ['coordinator', 'overlord'] as const) {
      const base = role === 'coordinator' ? '/druid/coordinator/v1' : '/druid/indexer/v1'
      if (!this.has(role)) continue
      if (path === `${base}/leader`) {
        const leader = this.#leader(role)
        res.writeHead(leader === undefined ? 503 : 200, { 'content-type': 'text/plain' })
        return void res.end(leader?.url ?? '')
      }
      if (path === `${base}/isLeader`) return sendJson(res, this.entry.leader ? 200 : 404, { leader: this.entry.leader })
    }
    if (this.has('overlord') && handleOverlordTasks(this.engine, method, path, url.searchParams, res)) return
    if (this.has('coordinator') && (await handleCoordinator(this.engine, method, path, url.searchParams, req, res))) return
    // No streaming ingestion here, so no supervisors (https://druid.apache.org/docs/latest/api-reference/supervisor-api).
    if (this.has('overlord') && path === '/druid/indexer/v1/supervisor' && method === 'GET') return sendJson(res, 200, [])
    sendError(res, druidException(404, 'NOT_FOUND', 'notFound', `No endpoint ${method} ${path} on this ${this.options.roles.join('+')} service of the local Druid server`))
  }
}
