import { randomUUID } from 'node:crypto'
import { Server, ServerCredentials, status, type Metadata, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js'
import { clusterServiceDefinition, queryEngineServiceDefinition } from '../../e6data/proto-schema.ts'
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../cratedb/test-certificate.ts'
import { EngineCatalog, type TableSource } from './engine-catalog.ts'
import { accessDenied, clusterSuspended, EngineError, wrongStrategy } from './engine-error.ts'
import { startHttpGateway, type HttpGateway } from './http-gateway.ts'
import { QueryRegistry, type EngineQuery } from './query-registry.ts'

/**
 * A local e6data engine: `QueryEngineService` and `ClusterService` (e6data/e6data-python-connector
 * `e6x_engine.proto`, `cluster.proto`) on @grpc/grpc-js, SQL on DuckDB, results as the engine sends them
 * (DataInputStream metadata, TBinaryProtocol `Chunk` batches). It also plays the gateway: blue-green strategy
 * checks with HTTP 456, a suspended cluster with HTTP 503, both as grpc-js reports them.
 */

/** Options of {@link startE6data}. */
export interface StartE6dataOptions {
  /** Listen address; default `127.0.0.1`. */
  host?: string
  /** Port; default 0 (any free port). */
  port?: number
  /** Listen with TLS (the public test certificate of `dialectry/testing/cratedb`, `CN=localhost`). Default false. */
  tls?: boolean
  /** Accepted users, e-mail → access token. Default `{ 'test@example.com': 'test-token' }`. */
  users?: Record<string, string>
  /** Session lifetime, ms; default 1 hour. Expired sessions answer `Access denied`. */
  sessionTtl?: number
  /** Live blue-green colour at start; default `'blue'`. */
  strategy?: 'blue' | 'green'
  /** Minimum rows per result batch (DuckDB chunks are joined up to this); default 8 192. */
  batchRows?: number
  /** The engineIP prepare answers with (and `plannerip` must match); default `'127.0.0.1'`. */
  engineIp?: string
  /** Time a resume takes (status `resuming` meanwhile), ms; default 1 000. */
  resumeDelay?: number
  /**
   * How long `getResultMetadata` waits for the result's row count, ms; default 2 000. The engine counts a result on
   * a second DuckDB connection when it executes (an e6data cluster has run the query when `executeStatement`
   * returns, so its metadata and `status` carry the total); a count still running after this answers -1 until the
   * last row was sent, and `status` reports `false` until then.
   */
  rowCountWait?: number
  /** DuckDB threads; default DuckDB's. */
  threads?: number
  /**
   * Put an HTTP/2 gateway in front of the gRPC server (the way e6data is deployed): 456 and 503 are then bare HTTP
   * statuses without `grpc-status`, exactly what real clients receive. Default `false`: the engine answers them as
   * gRPC statuses carrying the text grpc-js produces for them (one process hop less).
   */
  httpGateway?: boolean
}

/** A running local engine. */
export interface LocalE6data {
  host: string
  port: number
  /** `e6data://test%40example.com:test-token@host:port/` style URL of the default user (for `E6DATA_URL`). */
  url: string
  /** The default user's credentials. */
  username: string
  password: string
  /** Catalogs and tables (DuckDB). */
  catalog: EngineCatalog
  /** Registers a table (file or query) as `catalog.database.table`. */
  registerTable(catalog: string, database: string, table: string, source: TableSource): Promise<void>
  /** The live colour. */
  readonly strategy: 'blue' | 'green'
  /**
   * Blue-green switch. With `announceFor` (ms), responses first carry `new_strategy=<next>` and both colours are
   * accepted for that long, then the next colour goes live; without, it goes live at once. Either way, queries
   * prepared on the old colour keep being served on it until cleared or cancelled; other old-colour calls get 456.
   */
  flip(options?: { announceFor?: number }): void
  /** Suspends the cluster: every QueryEngineService call answers HTTP 503 until resumed. */
  suspend(): void
  /** Expires every session (the next call answers `Access denied`). */
  expireSessions(): void
  /** Counters for tests. */
  stats: { authenticate: number; prepare: number; batches: number; wrongStrategy: number; cancelled: number; resumes: number; openQueries(): number }
  stop(): Promise<void>
}

type Handler = (req: Record<string, unknown>, md: Metadata) => Promise<Record<string, unknown>> | Record<string, unknown>

const other = (s: 'blue' | 'green'): 'blue' | 'green' => (s === 'blue' ? 'green' : 'blue')

/**
 * Starts a local e6data engine.
 * @example
 * const engine = await startE6data()
 * await engine.registerTable('hive', 'demo', 'airports', { csv: '/data/airports.csv' })
 * const conn = new Connection({ host: engine.host, port: engine.port, username: engine.username, password: engine.password, catalog: 'hive', database: 'demo' })
 */
export async function startE6data(options: StartE6dataOptions = {}): Promise<LocalE6data> {
  const users = options.users ?? { 'test@example.com': 'test-token' }
  const sessionTtl = options.sessionTtl ?? 3_600_000
  const engineIp = options.engineIp ?? '127.0.0.1'
  const resumeDelay = options.resumeDelay ?? 1000
  const catalog = await EngineCatalog.create(options.threads)
  const queries = new QueryRegistry(catalog, options.batchRows ?? 8192, undefined, options.rowCountWait)
  const sessions = new Map<string, number>()
  let live: 'blue' | 'green' = options.strategy ?? 'blue'
  let announcing: { next: 'blue' | 'green'; timer: NodeJS.Timeout } | undefined
  let cluster: 'active' | 'suspended' | 'resuming' = 'active'
  let resumeTimer: NodeJS.Timeout | undefined
  const stats = { authenticate: 0, prepare: 0, batches: 0, wrongStrategy: 0, cancelled: 0, resumes: 0, openQueries: () => queries.size }

  const httpGateway = options.httpGateway === true
  /** The gateway's verdict: 503 (suspended), 456 (wrong strategy, unless the query runs on that colour) or undefined. */
  const verdict = (sent: string | undefined, query: EngineQuery | undefined, engineCall: boolean): 456 | 503 | undefined => {
    if (engineCall && cluster !== 'active') return 503
    if (sent !== undefined && sent !== live && sent !== announcing?.next && (query === undefined || query.strategy !== sent)) {
      stats.wrongStrategy++
      return 456
    }
    return undefined
  }
  /** Gateway checks (unless the HTTP gateway made them); returns the `new_strategy` to announce (or undefined). */
  const gateway = (md: Metadata, query?: EngineQuery): string | undefined => {
    const sent = md.get('strategy')[0]?.toString().toLowerCase()
    if (!httpGateway) {
      const v = verdict(sent, query, true)
      if (v === 503) throw clusterSuspended()
      if (v === 456) throw wrongStrategy(sent!, live)
    }
    if (announcing !== undefined) return announcing.next
    return sent !== undefined && sent !== live ? live : undefined
  }
  const session = (req: Record<string, unknown>): string => {
    const id = String(req['sessionId'] ?? '')
    const exp = sessions.get(id)
    if (exp === undefined || exp < Date.now()) throw accessDenied()
    return id
  }
  const query = (req: Record<string, unknown>, md: Metadata): EngineQuery => {
    const q = queries.get(String(req['queryId'] ?? ''))
    const planner = md.get('plannerip')[0]?.toString()
    if (planner !== undefined && planner !== q.engineIp) throw new EngineError(status.FAILED_PRECONDITION, `Query ${q.id} runs on planner ${q.engineIp}, not ${planner}`)
    return q
  }
  /** Per-query RPC: session, query, planner and strategy checks. */
  const perQuery = (fn: (q: EngineQuery, req: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>): Handler => async (req, md) => {
    const sid = session(req)
    const q = query(req, md)
    const ns = gateway(md, q)
    const res = await fn(q, req)
    return { ...res, sessionId: sid, ...(ns ? { new_strategy: ns } : {}) }
  }
  const withSession = (fn: (sid: string, req: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>): Handler => async (req, md) => {
    const ns = gateway(md)
    const sid = session(req)
    const res = await fn(sid, req)
    return { ...res, sessionId: sid, ...(ns ? { new_strategy: ns } : {}) }
  }
  const prepare: Handler = async (req, md) => {
    const ns = gateway(md)
    const sid = session(req)
    stats.prepare++
    const sent = md.get('strategy')[0]?.toString().toLowerCase()
    const q = await queries.prepare(sid, req['catalog'] === undefined ? undefined : String(req['catalog']), String(req['schema'] ?? ''), String(req['queryString'] ?? ''), engineIp, sent)
    return { engineIP: q.engineIp, queryId: q.id, sessionId: sid, ...(ns ? { new_strategy: ns } : {}) }
  }
  const dryRun: Handler = async (req, md) => {
    gateway(md)
    const sid = session(req)
    const q = await queries.prepare(sid, req['catalog'] === undefined ? undefined : String(req['catalog']), String(req['schema'] ?? ''), String(req['queryString'] ?? ''), engineIp, undefined)
    queries.remove(q.id)
    return { dryrunValue: JSON.stringify({ status: 'success', parsingTime: Math.round(q.parsingMs) }) }
  }
  const defaultCatalog = (): string => catalog.catalogs[0] ?? 'memory'

  const engine: Record<string, Handler> = {
    authenticate: (req, md) => {
      const ns = gateway(md)
      stats.authenticate++
      const user = String(req['user'] ?? '')
      if (user === '' || users[user] === undefined || users[user] !== req['password']) {
        throw new EngineError(status.UNAUTHENTICATED, 'Invalid credentials: unknown user or wrong access token')
      }
      const id = randomUUID()
      sessions.set(id, Date.now() + sessionTtl)
      return { sessionId: id, engineIP: engineIp, ...(ns ? { new_strategy: ns } : {}) }
    },
    prepareStatement: prepare,
    prepareStatementV2: prepare,
    executeStatement: perQuery(async (q) => (await queries.execute(q), {})),
    executeStatementV2: perQuery(async (q) => (await queries.execute(q), {})),
    getResultMetadata: perQuery(async (q) => ({ resultMetaData: await queries.metadata(q) })),
    getNextResultBatch: perQuery(async (q) => {
      stats.batches++
      return { resultBatch: await queries.nextBatch(q) }
    }),
    status: perQuery((q) => ({ status: queries.finished(q), rowCount: queries.rowCount(q) })),
    explain: perQuery(async (q) => ({ explain: JSON.parse(await queries.explainAnalyze(q)).plan.text })),
    explainAnalyze: perQuery(async (q) => ({ explainAnalyze: await queries.explainAnalyze(q), isCached: false, parsingTime: Math.round(q.parsingMs), queueingTime: 0 })),
    cancelQuery: perQuery((q) => (queries.cancel(q.id), stats.cancelled++, {})),
    clear: perQuery((q) => (queries.remove(q.id), {})),
    clearOrCancelQuery: async (req, md) => {
      const sid = session(req)
      const ns = gateway(md, (() => { try { return queries.get(String(req['queryId'])) } catch { return undefined } })())
      queries.remove(String(req['queryId'] ?? ''))
      return { sessionId: sid, ...(ns ? { new_strategy: ns } : {}) }
    },
    dryRun,
    dryRunV2: dryRun,
    getSchemaNames: withSession(async () => ({ schemas: await catalog.schemaNames(defaultCatalog()) })),
    getSchemaNamesV2: withSession(async (_s, req) => ({ schemas: await catalog.schemaNames(String(req['catalog'] || defaultCatalog())) })),
    getTables: withSession(async (_s, req) => ({ tables: await catalog.tables(defaultCatalog(), String(req['schema'] ?? '')) })),
    getTablesV2: withSession(async (_s, req) => ({ tables: await catalog.tables(String(req['catalog'] || defaultCatalog()), String(req['schema'] ?? '')) })),
    getColumns: withSession(async (_s, req) => ({ fieldInfo: await catalog.columns(defaultCatalog(), String(req['schema'] ?? ''), String(req['table'] ?? '')) })),
    getColumnsV2: withSession(async (_s, req) => ({
      fieldInfo: await catalog.columns(String(req['catalog'] || defaultCatalog()), String(req['schema'] ?? ''), String(req['table'] ?? '')),
    })),
    healthCheck: (_req, md) => (gateway(md), {}),
    getCataloges: (_req, md) => (gateway(md), { catalogResponses: catalog.catalogs.map((name, i) => ({ name, isDefault: i === 0 })) }),
  }

  const clusterAuth = (req: Record<string, unknown>): void => {
    const user = String(req['user'] ?? '')
    if (users[user] === undefined || users[user] !== req['password']) throw new EngineError(status.UNAUTHENTICATED, 'Invalid credentials')
  }
  const clusterGateway = (md: Metadata): void => {
    const sent = md.get('strategy')[0]?.toString().toLowerCase()
    if (!httpGateway && verdict(sent, undefined, false) === 456) throw wrongStrategy(sent!, live)
  }
  const clusterService: Record<string, Handler> = {
    status: (req, md) => (clusterGateway(md), clusterAuth(req), { status: cluster }),
    resume: (req, md) => {
      clusterGateway(md)
      clusterAuth(req)
      if (cluster === 'suspended') {
        stats.resumes++
        cluster = 'resuming'
        resumeTimer = setTimeout(() => (cluster = 'active'), resumeDelay)
      }
      return { status: cluster }
    },
    suspend: (req, md) => (clusterGateway(md), clusterAuth(req), (cluster = 'suspended'), { status: cluster }),
  }

  const implement = (handlers: Record<string, Handler>, names: string[]): UntypedServiceImplementation => {
    const impl: UntypedServiceImplementation = {}
    for (const name of names) {
      const h = handlers[name]
      impl[name] = (call: ServerUnaryCall<Record<string, unknown>, unknown>, cb: sendUnaryData<unknown>) => {
        if (h === undefined) {
          cb({ code: status.UNIMPLEMENTED, details: `${name} is not implemented by the local e6data engine` })
          return
        }
        Promise.resolve()
          .then(() => h(call.request, call.metadata))
          .then(
            (res) => cb(null, res),
            (err: unknown) => cb({ code: err instanceof EngineError ? err.code : status.INTERNAL, details: (err as Error)?.message ?? String(err) }),
          )
      }
    }
    return impl
  }

  const server = new Server({ 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': 314_572_800 })
  const engineDef = queryEngineServiceDefinition()
  const clusterDef = clusterServiceDefinition()
  server.addService(engineDef, implement(engine, Object.keys(engineDef)))
  server.addService(clusterDef, implement(clusterService, Object.keys(clusterDef)))
  const host = options.host ?? '127.0.0.1'
  const creds =
    options.tls === true && !httpGateway ? ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(TEST_TLS_CERT), private_key: Buffer.from(TEST_TLS_KEY) }]) : ServerCredentials.createInsecure()
  const grpcAddress = httpGateway ? '127.0.0.1:0' : `${host}:${options.port ?? 0}`
  const grpcPort = await new Promise<number>((resolve, reject) => server.bindAsync(grpcAddress, creds, (err, p) => (err ? reject(err) : resolve(p))))
  let front: HttpGateway | undefined
  if (httpGateway) {
    front = await startHttpGateway({
      host,
      port: options.port ?? 0,
      ...(options.tls === true ? { tls: { cert: TEST_TLS_CERT, key: TEST_TLS_KEY } } : {}),
      target: `127.0.0.1:${grpcPort}`,
      decide: (path, headers, body) => {
        const [, service, rpc] = path.split('/')
        const sent = typeof headers['strategy'] === 'string' ? headers['strategy'].toLowerCase() : undefined
        if (service === 'ClusterService') return verdict(sent, undefined, false)
        let query: EngineQuery | undefined
        const method = (engineDef as Record<string, { requestDeserialize(b: Buffer): unknown }>)[rpc ?? '']
        if (method !== undefined && body.length >= 5 && sent !== undefined && sent !== live) {
          const req = method.requestDeserialize(body.subarray(5, 5 + body.readUInt32BE(1))) as { queryId?: string }
          if (typeof req.queryId === 'string') query = queries.peek(req.queryId)
        }
        return verdict(sent, query, true)
      },
    })
  }
  const port = front?.port ?? grpcPort
  const [username, password] = Object.entries(users)[0] ?? ['', '']

  return {
    host,
    port,
    url: `e6data://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/${options.tls === true ? '?secure=true' : ''}`,
    username,
    password,
    catalog,
    registerTable: (c, d, t, s) => catalog.registerTable(c, d, t, s),
    get strategy() {
      return live
    },
    flip(o = {}) {
      if (announcing !== undefined) {
        clearTimeout(announcing.timer)
        live = announcing.next
        announcing = undefined
      }
      const next = other(live)
      if (o.announceFor === undefined || o.announceFor <= 0) {
        live = next
        return
      }
      announcing = {
        next,
        timer: setTimeout(() => {
          live = next
          announcing = undefined
        }, o.announceFor),
      }
    },
    suspend() {
      cluster = 'suspended'
    },
    expireSessions() {
      sessions.clear()
    },
    stats,
    async stop() {
      if (announcing !== undefined) clearTimeout(announcing.timer)
      if (resumeTimer !== undefined) clearTimeout(resumeTimer)
      await front?.close()
      server.forceShutdown()
      queries.closeAll()
      await new Promise((r) => setTimeout(r, 10))
      catalog.close()
    },
  }
}
