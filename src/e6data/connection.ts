import { Metadata, type Client, type ServiceError } from '@grpc/grpc-js'
import { sleep } from '../core/abort.ts'
import { resumeCluster } from './cluster-manager.ts'
import { channelCredentials, resolveOptions, type ConnectionOptions, type ResolvedOptions } from './connection-options.ts'
import { Cursor, type CursorOptions } from './cursor.ts'
import { E6dataAuthenticationError, E6dataCancelledError, E6dataConnectionError, E6dataStrategyError } from './errors.ts'
import { classifyGrpcError, wrapGrpcError } from './grpc-errors.ts'
import { queryEngineClientConstructor } from './proto-schema.ts'
import { strategyStateFor, type Strategy, type StrategyState } from './strategy-state.ts'

/** Per-call settings of {@link Connection.call}. */
export interface CallOptions {
  /** `plannerip` header: the engineIP a query was prepared on (sticky routing). */
  plannerIp?: string
  /** `strategy` header; default the target's active colour. `null` sends none. */
  strategy?: Strategy | null
  /** Deadline in ms; default the connection's `callTimeout`. */
  timeout?: number
  /** Aborts the call (gRPC CANCELLED). */
  signal?: AbortSignal
}

/** An authenticated session: its id, the colour it was opened with, and the strategy generation it belongs to. */
export interface Session {
  id: string
  strategy: Strategy | undefined
  generation: number
}

/** One column of {@link Connection.getColumns}: the engine's lower-case type name (`int`, `decimal(7,2)`, `array<int>`). */
export interface ColumnInfo {
  fieldName: string
  fieldType: string
}

/**
 * A connection to an e6data engine over gRPC (`QueryEngineService`, e6data/e6data-python-connector
 * `e6data_python_connector/e6data_grpc.py` `Connection`). Building one opens no socket and sends nothing:
 * authentication is lazy (first RPC), its session id is cached and sent in every request body, and a session the
 * engine refuses (`Access denied`) is renewed and the call retried. Every call carries the `cluster-name` and
 * blue-green `strategy` headers; a suspended cluster (HTTP 503) is resumed through `ClusterService` with a bounded
 * wait when `autoResume` is on (default).
 *
 * @throws E6dataError `INVALID_OPTIONS` for missing host/port/username/password.
 * @example
 * const conn = new Connection({ host: 'localhost', port: 80, username: 'me@example.com', password: token, catalog: 'hive', database: 'tpcds' })
 * const cursor = conn.cursor()
 * await cursor.execute('SELECT 1 AS one')
 * console.log(await cursor.fetchAll()) // [[1]]
 * await cursor.close()
 * conn.close()
 */
export class Connection {
  readonly options: ResolvedOptions
  readonly #client: Client & Record<string, Function>
  readonly #state: StrategyState
  #session: Session | undefined
  #authenticating: Promise<Session> | undefined
  #closed = false
  /** `Date.now()` when the Connection was made (for pool recycling). */
  readonly createdAt = Date.now()

  constructor(options: ConnectionOptions) {
    this.options = resolveOptions(options)
    const Ctor = queryEngineClientConstructor()
    this.#client = new Ctor(this.options.target, channelCredentials(this.options), this.options.channelOptions) as Client & Record<string, Function>
    this.#state = strategyStateFor(this.options.target, this.options.strategyCacheTimeout, this.options.log)
  }

  /** Default database (`schema` in requests). Assignable: later cursors use the new value. */
  get database(): string {
    return this.options.database
  }
  set database(value: string) {
    this.options.database = value
  }
  /** Default catalog; assignable. `undefined` uses the V1 (catalog-less) RPCs. */
  get catalog(): string | undefined {
    return this.options.catalog
  }
  set catalog(value: string | undefined) {
    this.options.catalog = value === '' ? undefined : value
  }
  /** The blue-green state shared by every connection to this host:port. */
  get strategyState(): StrategyState {
    return this.#state
  }
  /** `true` once {@link close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** A new cursor on the connection's (or the given) catalog and database. */
  cursor(options: CursorOptions = {}): Cursor {
    this.#assertOpen()
    return new Cursor(this, options)
  }

  /**
   * Sends one unary RPC with the headers, observes `new_strategy` in the answer, and wraps errors. No retries.
   * @throws E6dataError subclasses per {@link wrapGrpcError}.
   */
  call<T = Record<string, unknown>>(rpc: string, request: object, options: CallOptions = {}): Promise<T> {
    this.#assertOpen()
    const md = new Metadata()
    if (options.plannerIp !== undefined && options.plannerIp !== '') md.set('plannerip', options.plannerIp)
    if (this.options.clusterName !== undefined) md.set('cluster-name', this.options.clusterName)
    const strategy = options.strategy === undefined ? this.#state.active : options.strategy
    if (strategy !== null && strategy !== undefined) md.set('strategy', strategy)
    const deadline = Date.now() + (options.timeout ?? this.options.callTimeout)
    return new Promise<T>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new E6dataCancelledError(`e6data ${rpc} was aborted before it was sent`, { code: 'ABORTED', rpc, cause: options.signal.reason }))
        return
      }
      let onAbort: (() => void) | undefined
      const call = this.#client[rpc]!(request, md, { deadline }, (err: ServiceError | null, res: T) => {
        if (onAbort !== undefined) options.signal!.removeEventListener('abort', onAbort)
        if (err) {
          reject(options.signal?.aborted ? new E6dataCancelledError(`e6data ${rpc} was aborted`, { code: 'ABORTED', rpc, cause: options.signal.reason }) : wrapGrpcError(err, rpc))
          return
        }
        const ns = (res as { new_strategy?: string }).new_strategy
        if (ns) this.#state.observe(ns)
        resolve(res)
      }) as { cancel(): void }
      if (options.signal !== undefined) {
        onAbort = () => call.cancel()
        options.signal.addEventListener('abort', onAbort, { once: true })
      }
    })
  }

  /**
   * The session, authenticating first when there is none, when the engine refused it, or when the blue-green
   * colour changed since it was opened. Authentication tries the known colour, else `blue` then `green`; a 456
   * moves on to the other colour; `new_strategy` in the answer re-authenticates on the announced colour; a 503
   * resumes the cluster (when `autoResume`) and tries again. Unlike the connector, failures are thrown here.
   *
   * @throws E6dataAuthenticationError for bad credentials or an empty session id; E6dataStrategyError when every
   *   colour answers 456; E6dataClusterSuspendedError when the cluster stays suspended.
   */
  async session(signal?: AbortSignal): Promise<Session> {
    this.#assertOpen()
    const s = this.#session
    if (s !== undefined && s.generation === this.#state.generation) return s
    this.#authenticating ??= this.#authenticate(signal).finally(() => (this.#authenticating = undefined))
    return this.#authenticating
  }

  /** Forgets the session (the next call authenticates again). */
  invalidateSession(): void {
    this.#session = undefined
  }

  async #authenticate(signal?: AbortSignal): Promise<Session> {
    const st = this.#state
    let resumed = false
    let followed = 0
    let lastStrategyError: unknown
    for (let round = 0; round < 2; round++) {
      const order: Strategy[] = st.active === undefined ? ['blue', 'green'] : [st.active, st.active === 'blue' ? 'green' : 'blue']
      for (let i = 0; i < order.length; i++) {
        const colour = order[i]!
        let res: { sessionId: string; new_strategy?: string }
        try {
          res = await this.call('authenticate', { user: this.options.username, password: this.options.password }, { strategy: colour, signal })
        } catch (err) {
          const kind = classifyGrpcError((err as { cause?: unknown }).cause)
          if (kind === 'strategy') {
            lastStrategyError = err
            if (st.active === colour) st.clearActive('authenticate answered 456')
            continue
          }
          if (kind === 'suspended' && this.options.autoResume && !resumed) {
            resumed = true
            await resumeCluster(this.options, st, signal)
            i-- // the same colour again (the connector moves on to the next one)
            continue
          }
          throw err
        }
        if (res.sessionId === '') {
          throw new E6dataAuthenticationError('e6data authenticate returned no session id: invalid credentials. Check the user (e-mail) and the access token', {
            code: 'INVALID_CREDENTIALS',
            rpc: 'authenticate',
          })
        }
        const announced = res.new_strategy === 'blue' || res.new_strategy === 'green' ? res.new_strategy : undefined
        if (announced !== undefined && announced !== colour && followed < 2) {
          followed++
          st.setActive(announced, 'authenticate answered new_strategy')
          i = -1
          order.splice(0, order.length, announced, announced === 'blue' ? 'green' : 'blue')
          continue
        }
        st.setActive(colour, 'authenticate succeeded')
        this.#session = { id: res.sessionId, strategy: colour, generation: st.generation }
        return this.#session
      }
    }
    throw new E6dataStrategyError('e6data authenticate: the gateway answered HTTP 456 for both blue and green', {
      code: 'STRATEGY_UNAVAILABLE',
      rpc: 'authenticate',
      cause: lastStrategyError,
    })
  }

  /**
   * Runs `fn` with a session, renewing the session and running `fn` again when the engine refuses it
   * (`Access denied`: after 200 ms, as the connector) or the gateway answers 456 (after re-detecting the colour),
   * up to `maxRetryAttempts` runs in all. Other errors are thrown at once.
   */
  async withSession<T>(fn: (session: Session) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let lastError: unknown
    for (let attempt = 1; attempt <= this.options.maxRetryAttempts; attempt++) {
      const session = await this.session(signal)
      try {
        return await fn(session)
      } catch (err) {
        lastError = err
        const kind = classifyGrpcError((err as { cause?: unknown }).cause)
        if (kind === 'session') {
          this.options.log?.(`session refused (attempt ${attempt}); re-authenticating`)
          if (this.#session === session) this.#session = undefined
          await sleep(200, signal)
        } else if (kind === 'strategy') {
          this.options.log?.(`456 from the gateway (attempt ${attempt}); re-detecting the strategy`)
          if (this.#state.active === session.strategy) this.#state.clearActive('456 on a call')
          if (this.#session === session) this.#session = undefined
        } else throw err
      }
    }
    throw lastError
  }

  /**
   * Checks a statement without running it (`dryRun`/`dryRunV2` with a catalog) and returns the engine's answer text.
   * @throws E6dataQueryError with the engine's message.
   */
  dryRun(sql: string, options: { catalog?: string; database?: string; signal?: AbortSignal } = {}): Promise<string> {
    const catalog = options.catalog ?? this.catalog
    return this.withSession(async (s) => {
      const base = { engineIP: '', sessionId: s.id, schema: options.database ?? this.database, queryString: sql }
      const res = await this.call<{ dryrunValue: string }>(catalog === undefined ? 'dryRun' : 'dryRunV2', catalog === undefined ? base : { ...base, catalog }, { signal: options.signal })
      return res.dryrunValue
    }, options.signal)
  }

  /** Schema (database) names of a catalog (`getSchemaNamesV2`). */
  getSchemaNames(catalog = this.catalog ?? ''): Promise<string[]> {
    return this.withSession(async (s) => (await this.call<{ schemas: string[] }>('getSchemaNamesV2', { sessionId: s.id, catalog })).schemas)
  }

  /** Table names of a database (`getTablesV2`). */
  getTables(catalog = this.catalog ?? '', database = this.database): Promise<string[]> {
    return this.withSession(async (s) => (await this.call<{ tables: string[] }>('getTablesV2', { sessionId: s.id, catalog, schema: database })).tables)
  }

  /** Columns of a table (`getColumnsV2`), in table order. */
  getColumns(catalog: string, database: string, table: string): Promise<ColumnInfo[]> {
    return this.withSession(async (s) => {
      const res = await this.call<{ fieldInfo: ColumnInfo[] }>('getColumnsV2', { sessionId: s.id, catalog, schema: database, table })
      return res.fieldInfo.map((f) => ({ fieldName: f.fieldName, fieldType: f.fieldType }))
    })
  }

  /** Frees a query's results on the engine (`clear`). */
  async clear(queryId: string, engineIp: string): Promise<void> {
    const s = await this.session()
    await this.call('clear', { engineIP: engineIp, sessionId: s.id, queryId }, { plannerIp: engineIp, strategy: this.#state.strategyFor(queryId) })
    this.#state.unregister(queryId)
  }

  /** Cancels a running query (`cancelQuery`); the connector's `query_cancel(engine_ip, query_id)`. */
  async cancel(queryId: string, engineIp: string): Promise<void> {
    const s = await this.session()
    await this.call('cancelQuery', { engineIP: engineIp, sessionId: s.id, queryId }, { plannerIp: engineIp, strategy: this.#state.strategyFor(queryId) })
    this.#state.unregister(queryId)
  }

  /** Closes the channel; calls in flight fail with CANCELLED. Idempotent and immediate. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#session = undefined
    this.#client.close()
  }

  #assertOpen(): void {
    if (this.#closed) throw new E6dataConnectionError('The e6data Connection is closed', { code: 'CLOSED' })
  }
}
