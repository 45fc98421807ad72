import { constants as bufferConstants } from 'node:buffer'
import { promisify } from 'node:util'
import { constants as zlibConstants, gzip } from 'node:zlib'
import { callScope, type CallScope } from '../core/abort.ts'
import { DialectryError } from '../core/errors.ts'
import { resolveTlsOptions } from '../core/tls-options.ts'
import { BlobContainer } from './blob-container.ts'
import { attachKill, endedError } from './call-errors.ts'
import { streamRows, type CursorContext } from './cursor-stream.ts'
import { ConnectionError, CrateDBError, InvalidArgumentError, ProtocolError, RequestAbortedError, TimeoutError } from './errors.ts'
import { killTaggedJobs, newJobTag, tagStatement } from './job-kill.ts'
import { keepAliveTuningSupported } from './node-dispatcher.ts'
import { errorFromResponse } from './response-errors.ts'
import { parseServers } from './server-url.ts'
import { decodeBulkBody, decodeExecuteBody, type ExecuteManyResult, type ExecuteResult } from './sql-result.ts'
import { isReadOnlyStatement } from './statement-kind.ts'
import { RequestEnded, Transport } from './transport.ts'
import { encodeBulkBody, encodeStatementBody } from './value-encoder.ts'
import type { HttpResponse } from './http-exchange.ts'
import type { CallOptions, CrateDBOptions, ExecuteManyOptions, ExecuteOptions, StreamOptions } from './options.ts'
import type { DecodeOptions } from './result-reader.ts'
import type { DefaultRowMode, RowMode, RowOf } from './row-mode.ts'

/**
 * What `serverInfo()` reports (`GET /`, crate/crate
 * `server/src/main/java/io/crate/protocols/http/MainAndStaticFileHandler.java`).
 */
export interface ServerInfo {
  /** CrateDB version, e.g. `5.10.3`. */
  version: string
  /** Name of the node that answered. */
  nodeName: string
  /** Name of the cluster. */
  clusterName: string
  /** Build hash, when the server reports one. */
  buildHash?: string
  /** URL (without credentials) of the node that answered. */
  node: string
}

/** State of one configured node. */
export interface NodeState {
  /** URL without credentials. */
  url: string
  /** `false` while set aside after a failure. */
  active: boolean
}

let warnedKeepAliveTuning = false

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** One part of a table name: a double-quoted identifier (`""` inside for `"`) or an unquoted one. */
const NAME_PART = /^(?:"((?:[^"]|"")+)"|([^".]+))/

/**
 * `doc.t` → `"doc"."t"`: every part quoted, so a name cannot end the statement. Parts may be quoted already
 * (`"my schema"."My""Table"`, quotes inside doubled as in SQL); anything else that holds a `"` is refused.
 *
 * @throws InvalidArgumentError for an empty name, an empty part, or a name that is not `[schema.]table`.
 */
function quoteTableName(name: string): string {
  if (typeof name !== 'string' || name.trim() === '') throw new InvalidArgumentError(`Not a table name: ${JSON.stringify(name)}`)
  const parts: string[] = []
  let rest = name.trim()
  for (;;) {
    const m = NAME_PART.exec(rest)
    if (m === null || parts.length === 2) break
    parts.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!)
    rest = rest.slice(m[0].length)
    if (rest === '') return parts.map(quoteIdent).join('.')
    if (!rest.startsWith('.')) break
    rest = rest.slice(1)
  }
  throw new InvalidArgumentError(
    `Not a table name: ${JSON.stringify(name)}. Pass 'table' or 'schema.table'; quote a part that holds a '.' or '"' ` +
      `('"my.schema"."a""b"')`,
  )
}

const gzipAsync = promisify(gzip)
const MAX_STRING_LENGTH = bufferConstants.MAX_STRING_LENGTH

/** Decoding of the driver's own statements: built-in decoders only, whatever the client's options. */
const INTERNAL_DECODE = {}

function positive(name: string, value: number | undefined, fallback: number, allowZero = true): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidArgumentError(`Option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`)
  }
  return value
}

/** Orders dotted version numbers (`5.10.3` > `5.9.12`); missing parts count as 0. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0)
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0)
  return 0
}

/**
 * A `GET /` answer (crate/crate `server/src/main/java/io/crate/protocols/http/MainAndStaticFileHandler.java`) as {@link
 * ServerInfo}.
 *
 * @throws DatabaseError/ProgrammingError for an error status; ProtocolError when it is not CrateDB's JSON.
 */
function parseServerInfo(response: HttpResponse, node: string, what: string): ServerInfo {
  if (response.status !== 200) throw errorFromResponse(response.status, response.statusText, response.body, node, what)
  let info: { name?: unknown; cluster_name?: unknown; version?: { number?: unknown; build_hash?: unknown } }
  try {
    info = JSON.parse(response.body.toString('utf8'))
  } catch (err) {
    throw new ProtocolError(`${what} on ${node} did not answer JSON; is this a CrateDB node?`, { code: 'INVALID_RESPONSE', cause: err, node })
  }
  if (typeof info?.version?.number !== 'string') throw new ProtocolError(`${what} on ${node} answered without version.number; is this a CrateDB node?`, { code: 'INVALID_RESPONSE', node })
  return {
    version: info.version.number,
    nodeName: typeof info.name === 'string' ? info.name : '',
    clusterName: typeof info.cluster_name === 'string' ? info.cluster_name : '',
    ...(typeof info.version.build_hash === 'string' ? { buildHash: info.version.build_hash } : {}),
    node,
  }
}

/** {@link CrateDBOptions.maxRetries}' default: one attempt per node; with a backoff, at least {@link BACKOFF_RETRIES}. */
function defaultRetries(nodes: number, backoffFactor: number | undefined): number {
  return backoffFactor !== undefined && backoffFactor > 0 ? Math.max(nodes - 1, BACKOFF_RETRIES) : nodes - 1
}

/** Retries by default when a backoff is configured (urllib3, under crate-python, retries 10 times). */
const BACKOFF_RETRIES = 5

/** How long {@link CrateDBClient.close} lets calls in flight finish by default, in ms. */
const DEFAULT_CLOSE_TIMEOUT = 10_000

/** Options of {@link CrateDBClient.close}. */
export interface CloseOptions {
  /**
   * Ms that calls in flight (and background job kills) may take to finish before they are aborted. Default
   * 10 000; `Infinity` waits for them however long they take; 0 aborts at once.
   */
  timeout?: number
  /** Abort calls in flight at once (same as `timeout: 0`). Default `false`. */
  abort?: boolean
}

/** Default of {@link CrateDBOptions.maxResponseSize}: 256 MiB. */
export const DEFAULT_MAX_RESPONSE_SIZE = 256 * 1024 * 1024

/** {@link CrateDBOptions.maxResponseSize}, checked: a whole number of bytes from 1 up to V8's longest string. */
function maxResponseSize(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_RESPONSE_SIZE
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_STRING_LENGTH) {
    throw new InvalidArgumentError(
      `Option maxResponseSize must be a whole number of bytes from 1 to ${MAX_STRING_LENGTH} (an answer is decoded from one string, ` +
        `and V8's strings end there), got ${String(value)}; read larger results with client.stream()`,
    )
  }
  return value
}

/** For `_sql` answers over `maxResponseSize`. */
export const SQL_TOO_LARGE_HINT = 'Read large results with client.stream(), which fetches them in batches through a server-side cursor, or raise the maxResponseSize option.'

/** {@link CrateDBOptions.compress} as a byte threshold: 0 always, Infinity never. */
function compressThreshold(value: boolean | number | undefined): number {
  if (value === undefined || value === false) return Infinity
  if (value === true) return 0
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`Option compress must be true, false or a non-negative whole number of bytes, got ${String(value)}`)
  }
  return value
}

/**
 * A CrateDB client over the HTTP `_sql` endpoint
 * (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html): a pool of keep-alive connections per node,
 * round-robin with failover, results decoded by column type. Create with {@link connect}; nothing touches the
 * network until the first call.
 *
 * Retry rules (all methods):
 * - A request that never reached a socket (connection refused, DNS, connect timeout, TLS handshake failure) is
 *   sent to the next node; the failed node is set aside for `retryInterval` ms.
 * - A node answering 503/509 is set aside and the request goes to the next node (not processed there).
 * - A connection that breaks after the request was written, or a 502/504, may mean the statement ran: it is
 *   re-sent only for statements that only read (SELECT, SHOW, EXPLAIN, VALUES, WITH) or calls marked
 *   `idempotent: true`; otherwise the call fails with a non-retryable `ConnectionError`.
 * - At most `1 + maxRetries` attempts, `backoffFactor` delays between them, all within `timeout`.
 *
 * Sessions: CrateDB keeps one SQL session per connection (crate/crate
 * `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`). A `SET ...` sent through `execute` changes
 * the session of whichever pooled connection carried it and later requests may or may not see it, so set session
 * options through client options (`schema`) or a client with `poolSize: 1`. `stream()` uses a connection of its
 * own, closed afterwards.
 */
export class CrateDBClient<Mode extends RowMode = 'array'> {
  readonly #transport: Transport
  readonly #sqlPath: string
  readonly #sqlHeaders: Record<string, string>
  readonly #gzipSqlHeaders: Record<string, string>
  /** Request bodies of at least this many bytes are gzipped; Infinity: never. */
  readonly #compressFrom: number
  readonly #authHeaders: Record<string, string>
  readonly #decode: DecodeOptions
  readonly #rowMode: 'array' | 'object'
  readonly #timeout: number
  readonly #killOnAbort: boolean
  readonly #pendingKills = new Set<Promise<unknown>>()
  /** Calls that have started and not settled yet; `close()` waits for them. */
  readonly #inFlight = new Set<Promise<unknown>>()
  #closing = false

  /** @internal Use {@link connect}. */
  constructor(servers: string | readonly string[] | undefined, options: CrateDBOptions = {}) {
    const parsed = parseServers(servers ?? options.servers)
    if (options.jwtToken !== undefined && (options.username !== undefined || options.password !== undefined)) {
      throw new InvalidArgumentError('Pass either jwtToken or username/password, not both')
    }
    const auth: Record<string, string> = {}
    if (options.jwtToken !== undefined) {
      auth['authorization'] = `Bearer ${options.jwtToken}`
    } else {
      const username = options.username ?? (options.password !== undefined ? 'crate' : parsed.username)
      const password = options.username !== undefined || options.password !== undefined ? (options.password ?? '') : (parsed.password ?? '')
      if (username !== undefined) auth['authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    if (options.schema !== undefined) {
      if (typeof options.schema !== 'string' || options.schema === '') throw new InvalidArgumentError('Option schema must be a non-empty string')
      auth['default-schema'] = options.schema
    }
    for (const [name, value] of Object.entries(auth)) {
      // undici would refuse such a header at request time; refuse it here, naming the option but not the value.
      if (/[\r\n\0]/.test(value)) throw new InvalidArgumentError(`The ${name === 'default-schema' ? 'schema' : 'credentials'} option contains a line break or NUL character`)
    }
    this.#authHeaders = { 'user-agent': 'dialectry-cratedb', ...auth }
    this.#sqlHeaders = { ...this.#authHeaders, 'content-type': 'application/json', accept: 'application/json', 'accept-encoding': 'gzip, deflate' }
    this.#gzipSqlHeaders = { ...this.#sqlHeaders, 'content-encoding': 'gzip' }
    this.#compressFrom = compressThreshold(options.compress)
    this.#sqlPath = options.errorTrace ? '/_sql?types&error_trace=true' : '/_sql?types'
    this.#decode = { bigint: options.bigint ?? 'auto', timestamps: options.timestamps ?? 'date', converters: options.converters }
    if (options.converters !== undefined) {
      for (const [id, fn] of Object.entries(options.converters)) {
        if (typeof fn !== 'function' || !/^\d+$/.test(id)) throw new InvalidArgumentError(`Option converters must map CrateDB type ids to functions; ${JSON.stringify(id)} maps to ${typeof fn}`)
      }
    }
    if (!['auto', 'bigint', 'number'].includes(this.#decode.bigint!)) throw new InvalidArgumentError(`Option bigint must be 'auto', 'bigint' or 'number'`)
    if (!['date', 'number'].includes(this.#decode.timestamps!)) throw new InvalidArgumentError(`Option timestamps must be 'date' or 'number'`)
    this.#rowMode = options.rowMode ?? 'array'
    this.#timeout = positive('timeout', options.timeout, 0)
    this.#killOnAbort = options.killOnAbort ?? true

    let tls
    try {
      tls = parsed.nodes.some((n) => n.https) ? resolveTlsOptions({ verify: options.verifySslCert, ca: options.caCert, cert: options.certFile, key: options.keyFile, relaxMinimumVersion: options.sslRelaxMinimumVersion }) : {}
    } catch (err) {
      throw new InvalidArgumentError(err instanceof DialectryError ? err.message : String(err), err)
    }
    const keepAlive = options.socketKeepalive ?? true
    if (keepAlive && !keepAliveTuningSupported && (options.socketTcpKeepintvl !== undefined || options.socketTcpKeepcnt !== undefined) && !warnedKeepAliveTuning) {
      warnedKeepAliveTuning = true
      process.emitWarning(
        `socketTcpKeepintvl/socketTcpKeepcnt cannot be set on Node ${process.version} (socket.setKeepAlive takes no interval/count before Node 24.19); the system defaults apply`,
        { type: 'DialectryWarning', code: 'DIALECTRY_KEEPALIVE_TUNING' },
      )
    }
    const poolSize = positive('poolSize', options.poolSize, 16, false)
    if (!Number.isInteger(poolSize)) throw new InvalidArgumentError(`Option poolSize must be an integer, got ${poolSize}`)
    this.#transport = new Transport({
      nodes: parsed.nodes,
      socket: {
        tls,
        connectTimeout: positive('connectTimeout', options.connectTimeout, 10_000, false),
        keepAlive,
        keepIdle: options.socketTcpKeepidle !== undefined ? positive('socketTcpKeepidle', options.socketTcpKeepidle, 0, false) : undefined,
        keepInterval: options.socketTcpKeepintvl !== undefined ? positive('socketTcpKeepintvl', options.socketTcpKeepintvl, 0, false) : undefined,
        keepCount: options.socketTcpKeepcnt !== undefined ? positive('socketTcpKeepcnt', options.socketTcpKeepcnt, 0, false) : undefined,
      },
      poolSize,
      retryInterval: positive('retryInterval', options.retryInterval, 30_000),
      backoffFactor: positive('backoffFactor', options.backoffFactor, 0),
      maxRetries: Math.floor(positive('maxRetries', options.maxRetries, defaultRetries(parsed.nodes.length, options.backoffFactor))),
      maxResponseSize: maxResponseSize(options.maxResponseSize),
      onEvent: options.onEvent,
    })
  }

  /** Every configured node and whether it is currently in the rotation. */
  get nodes(): NodeState[] {
    const active = new Set(this.#transport.nodes.active)
    return this.#transport.nodes.all.map((n) => ({ url: n.url, active: active.has(n) }))
  }

  /**
   * Runs one SQL statement (`POST /_sql?types`,
   * https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html) with `?` or `$n` placeholders bound to
   * `args`.
   * Rows are decoded by column type (see `DecodeOptions`); row-count statements return `rows: []`.
   *
   * Cancellation: with a `timeout` or `signal`, the statement is sent with a `/* dialectry:<uuid> *\/` comment in
   * front; when the call ends early after sending, it rejects at once and the driver finds the job in `sys.jobs`
   * by that comment and runs `KILL '<job id>'` in the background (`await error.killing` for the killed ids, also
   * in `error.killedJobs` then; `close()` waits for kills still running). Turn off with `killOnAbort: false`.
   *
   * @throws ProgrammingError (4xxx: syntax, unknown table/column, privileges), IntegrityError (duplicate key
   *   4091), DatabaseError (5xxx), ConnectionError, TimeoutError, RequestAbortedError, InvalidArgumentError.
   * @example
   * const { rows } = await client.execute('SELECT name, population FROM cities WHERE country = ?', ['AT'])
   */
  execute<Row = unknown[]>(sql: string, args: readonly unknown[] | undefined, options: ExecuteOptions & { rowMode: 'array' }): Promise<ExecuteResult<Row>>
  /** With `rowMode: 'object'` rows are objects keyed by column name. */
  execute<Row = Record<string, unknown>>(sql: string, args: readonly unknown[] | undefined, options: ExecuteOptions & { rowMode: 'object' }): Promise<ExecuteResult<Row>>
  /** Without `rowMode` rows take the client's shape (`connect(..., { rowMode })`, default arrays). */
  execute<Row = RowOf<Mode>>(sql: string, args?: readonly unknown[], options?: ExecuteOptions & DefaultRowMode): Promise<ExecuteResult<Row>>
  /** With a `rowMode` only known at run time, rows are either shape. */
  execute<Row = RowOf<RowMode>>(sql: string, args?: readonly unknown[], options?: ExecuteOptions): Promise<ExecuteResult<Row>>
  execute<Row>(sql: string, args?: readonly unknown[], options: ExecuteOptions = {}): Promise<ExecuteResult<Row>> {
    const decode = { ...this.#decode, rowMode: options.rowMode ?? this.#rowMode }
    return this.#sql(
      sql,
      (stmt) => encodeStatementBody(stmt, args),
      (body, node, what) => decodeExecuteBody<Row>(body, decode, node, what),
      options,
      options.idempotent === true || isReadOnlyStatement(sql),
    )
  }

  /**
   * Runs one statement once per entry of `bulkArgs` in a single request (`bulk_args`,
   * https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-bulk-ops): the fast
   * path for inserts. Every entry's outcome is reported, failed ones also in `failed` — including failures the
   * server reports only as `rowcount: -2` without detail (servers before 5.10, or past 10 errors per shard).
   * Errors that fail the whole statement (syntax, unknown column, a value that cannot be cast) reject.
   *
   * @throws as {@link execute}.
   * @example
   * const r = await client.executeMany('INSERT INTO t (id, name) VALUES (?, ?)', [[1, 'a'], [2, 'b']])
   * for (const f of r.failed) console.log(f.index, f.error?.message)
   */
  executeMany(sql: string, bulkArgs: readonly (readonly unknown[])[], options: ExecuteManyOptions = {}): Promise<ExecuteManyResult> {
    if (!Array.isArray(bulkArgs)) return Promise.reject(new InvalidArgumentError('executeMany takes an array of argument arrays'))
    return this.#sql(sql, (stmt) => encodeBulkBody(stmt, bulkArgs), (body, node, what) => decodeBulkBody(body, node, what, bulkArgs.length), options, options.idempotent === true)
  }

  /**
   * Streams the rows of a query with bounded memory through a server-side cursor on one dedicated connection
   * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/declare.html; CrateDB 5.1+): `BEGIN`, `DECLARE
   * ... NO SCROLL CURSOR WITH HOLD FOR <sql>`, `FETCH <batchSize>`
   * per round trip (the next batch is fetched while the current one is consumed), `CLOSE`, `COMMIT`. Breaking
   * out of the loop closes the cursor and the connection. `timeout` applies to each round trip; `signal` ends
   * the stream and closes its connection, which drops the cursor with its session. When the stream ends by
   * `timeout` or `signal`, the cursor's query job is also killed on the server (as for {@link execute}; closing
   * the connection alone does not stop it) unless `killOnAbort` is false: the DECLARE and FETCH statements
   * carry a tag comment for that.
   *
   * @throws as {@link execute}, from the iteration.
   * @example
   * for await (const [id, name] of client.stream('SELECT id, name FROM big_table', [], { batchSize: 5000 })) {
   *   console.log(id, name)
   * }
   */
  stream<Row = unknown[]>(sql: string, args: readonly unknown[] | undefined, options: StreamOptions & { rowMode: 'array' }): AsyncGenerator<Row, void, undefined>
  /** With `rowMode: 'object'` rows are objects keyed by column name. */
  stream<Row = Record<string, unknown>>(sql: string, args: readonly unknown[] | undefined, options: StreamOptions & { rowMode: 'object' }): AsyncGenerator<Row, void, undefined>
  /** Without `rowMode` rows take the client's shape (`connect(..., { rowMode })`, default arrays). */
  stream<Row = RowOf<Mode>>(sql: string, args?: readonly unknown[], options?: StreamOptions & DefaultRowMode): AsyncGenerator<Row, void, undefined>
  /** With a `rowMode` only known at run time, rows are either shape. */
  stream<Row = RowOf<RowMode>>(sql: string, args?: readonly unknown[], options?: StreamOptions): AsyncGenerator<Row, void, undefined>
  stream<Row>(sql: string, args?: readonly unknown[], options: StreamOptions = {}): AsyncGenerator<Row, void, undefined> {
    const ctx: CursorContext = {
      transport: this.#transport,
      sqlPath: this.#sqlPath,
      headers: this.#sqlHeaders,
      decode: this.#decode,
      kill: this.#killOnAbort ? (tag) => this.#killTagged(tag) : undefined,
    }
    return streamRows<Row>(ctx, sql, args, {
      batchSize: options.batchSize ?? 1000,
      rowMode: options.rowMode ?? this.#rowMode,
      timeout: options.timeout ?? this.#timeout,
      signal: options.signal,
    })
  }

  /**
   * Version and names from `GET /` (crate/crate
   * `server/src/main/java/io/crate/protocols/http/MainAndStaticFileHandler.java`) of the next node in turn.
   * @throws ConnectionError (also when the nodes answer 503, e.g. a cluster without master: that is a node-down
   *   status, as crate/crate-python `src/crate/client/http.py`), TimeoutError, RequestAbortedError.
   * @example
   * const { version } = await client.serverInfo()
   */
  serverInfo(options: CallOptions = {}): Promise<ServerInfo> {
    return this.#track(() => this.#serverInfo(options), 'GET /', false)
  }

  async #serverInfo(options: CallOptions): Promise<ServerInfo> {
    const what = 'GET /'
    const { response, node } = await this.#send(
      { method: 'GET', path: '/', headers: { ...this.#authHeaders, accept: 'application/json' }, body: null, resendable: true, what },
      options,
      undefined,
    )
    return parseServerInfo(response, node, what)
  }

  /**
   * `GET /` on every configured node at once, as crate-python does when it connects (to learn
   * `lowest_server_version`); active or set aside, each node is asked, and the rotation is left as it is.
   * Resolves with one entry per node in configuration order: its info, or the error that node gave.
   * `timeout`/`signal` cover the whole call.
   *
   * @throws TimeoutError or RequestAbortedError when the call as a whole ended early.
   * @example
   * const infos = await client.serverInfos()
   * const down = infos.filter((i) => i.error !== undefined).map((i) => i.node)
   */
  serverInfos(options: CallOptions = {}): Promise<{ node: string; info?: ServerInfo; error?: CrateDBError }[]> {
    return this.#track(() => this.#serverInfos(options), 'GET /', false)
  }

  async #serverInfos(options: CallOptions): Promise<{ node: string; info?: ServerInfo; error?: CrateDBError }[]> {
    const what = 'GET /'
    const timeout = options.timeout ?? this.#timeout
    const scope = callScope(timeout, options.signal)
    try {
      const headers = { ...this.#authHeaders, accept: 'application/json' }
      return await Promise.all(
        this.#transport.nodes.all.map(async (node) => {
          try {
            const response = await this.#transport.sendToNode(node, { method: 'GET', path: '/', headers, body: null, resendable: true, what, signal: scope.signal })
            return { node: node.url, info: parseServerInfo(response, node.url, what) }
          } catch (err) {
            if (err instanceof RequestEnded) throw endedError(scope, what, err.sent, timeout, node.url)
            if (err instanceof CrateDBError) return { node: node.url, error: err }
            throw err
          }
        }),
      )
    } finally {
      scope.dispose()
    }
  }

  /**
   * The lowest CrateDB version among the nodes that answer `GET /` (crate-python's
   * `lowest_server_version`), for gating features in a cluster under a rolling upgrade.
   *
   * @throws ConnectionError (`NODES_UNAVAILABLE`) when no node answered; TimeoutError, RequestAbortedError.
   */
  async lowestServerVersion(options: CallOptions = {}): Promise<string> {
    const infos = await this.serverInfos(options)
    const versions = infos.flatMap((i) => (i.info !== undefined ? [i.info.version] : []))
    if (versions.length === 0) {
      const nodes = infos.map((i) => ({ node: i.node, error: i.error?.message ?? 'no answer' }))
      throw new ConnectionError(`No CrateDB node answered GET /: tried ${nodes.map((n) => `${n.node} (${n.error})`).join(', ')}`, { code: 'NODES_UNAVAILABLE', retryable: true, nodes })
    }
    return versions.reduce((low, v) => (compareVersions(v, low) < 0 ? v : low))
  }

  /**
   * The blobs of a blob table (`CREATE BLOB TABLE <table>`),
   * https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html: `put`, `get`, `getStream`, `exists`,
   * `delete` by SHA-1 digest.
   * @example
   * const { digest, created } = await client.blobs('images').put(Buffer.from('...'))
   */
  blobs(table: string): BlobContainer {
    return new BlobContainer({ transport: this.#transport, headers: this.#authHeaders, timeout: this.#timeout }, table)
  }

  /**
   * `REFRESH TABLE` for one or more tables, making recent writes visible to queries
   * (https://cratedb.com/docs/crate/reference/en/latest/general/dql/refresh.html). Names may be
   * `table` or `schema.table`; each part is quoted (parts given in double quotes are taken as they are, `""` standing
   * for `"`), so a name cannot add SQL. Returns the server's row count (tables refreshed).
   * @throws InvalidArgumentError for a name that is not `[schema.]table` (nothing is sent).
   * @example
   * await client.execute('INSERT INTO t (id) VALUES (1)')
   * await client.refresh('t')
   */
  async refresh(tables: string | readonly string[], options: CallOptions = {}): Promise<number> {
    const list = typeof tables === 'string' ? [tables] : [...tables]
    if (list.length === 0) throw new InvalidArgumentError('refresh needs at least one table')
    const result = await this.execute(`REFRESH TABLE ${list.map(quoteTableName).join(', ')}`, undefined, options)
    return result.rowCount
  }

  /**
   * Closes the client: new calls fail at once with a `ConnectionError` (`CLIENT_CLOSED`); calls in flight (and
   * background job kills) may finish for up to `timeout` ms (default 10 000), then whatever is still running is
   * aborted: those calls reject with a `ConnectionError` (`CLIENT_CLOSED`, not retryable: a statement may have
   * run) and every connection is destroyed. `abort: true` aborts at once; `timeout: Infinity` waits as long as
   * the calls take. Resolves once every call has settled and every connection is closed.
   *
   * @throws InvalidArgumentError for a negative or non-numeric `timeout`.
   * @example
   * await client.close() // graceful, at most 10 s
   * await client.close({ abort: true }) // now
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const bound = options.abort === true ? 0 : options.timeout === Infinity ? Infinity : positive('close timeout', options.timeout, DEFAULT_CLOSE_TIMEOUT)
    this.#closing = true
    const graceful = (async (): Promise<void> => {
      while (this.#inFlight.size > 0 || this.#pendingKills.size > 0) await Promise.allSettled([...this.#inFlight, ...this.#pendingKills])
      await this.#transport.close()
    })()
    if (bound === Infinity) return graceful
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), bound)))
    const timedOut = await Promise.race([graceful.then(() => false), expired])
    clearTimeout(timer)
    if (!timedOut) return
    await this.#transport.destroy()
    while (this.#inFlight.size > 0 || this.#pendingKills.size > 0) await Promise.allSettled([...this.#inFlight, ...this.#pendingKills])
  }

  /** Runs one call, counted as in flight until it settles; refused once `close()` was called. */
  #track<T>(call: () => Promise<T>, what: string, internal: boolean): Promise<T> {
    if (this.#closing && !internal) return Promise.reject(new ConnectionError(`${what}: the client is closed`, { code: 'CLIENT_CLOSED' }))
    const promise = call()
    this.#inFlight.add(promise)
    const done = (): void => {
      this.#inFlight.delete(promise)
    }
    promise.then(done, done)
    return promise
  }

  #sql<T>(
    sql: string,
    makeBody: (stmt: string) => string,
    decode: (body: Buffer, node: string, what: string) => T,
    options: CallOptions,
    resendable: boolean,
    killable = true,
  ): Promise<T> {
    return this.#track(() => this.#sqlCall(sql, makeBody, decode, options, resendable, killable), 'POST /_sql', !killable)
  }

  async #sqlCall<T>(
    sql: string,
    makeBody: (stmt: string) => string,
    decode: (body: Buffer, node: string, what: string) => T,
    options: CallOptions,
    resendable: boolean,
    killable: boolean,
  ): Promise<T> {
    if (typeof sql !== 'string' || sql.trim() === '') throw new InvalidArgumentError('The SQL statement must be a non-empty string')
    const tag = killable && this.#killOnAbort && (options.signal !== undefined || (options.timeout ?? this.#timeout) > 0) ? newJobTag() : undefined
    const text = makeBody(tag === undefined ? sql : tagStatement(sql, tag))
    let body: string | Buffer = text
    let headers = this.#sqlHeaders
    if (this.#compressFrom !== Infinity && (this.#compressFrom === 0 || Buffer.byteLength(text) >= this.#compressFrom)) {
      body = await gzipAsync(text, { level: zlibConstants.Z_BEST_SPEED })
      headers = this.#gzipSqlHeaders
    }
    const what = 'POST /_sql'
    const { response, node } = await this.#send(
      { method: 'POST', path: this.#sqlPath, headers, body, resendable, what, tooLargeHint: SQL_TOO_LARGE_HINT },
      options,
      tag,
    )
    if (response.status !== 200) throw errorFromResponse(response.status, response.statusText, response.body, node, what)
    return decode(response.body, node, what)
  }

  /** Sends through the transport within the call's scope; turns an early end into Timeout/Aborted errors. */
  async #send(
    request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body: string | Buffer | null; resendable: boolean; what: string; tooLargeHint?: string },
    options: CallOptions,
    tag: string | undefined,
  ): Promise<{ response: HttpResponse; node: string }> {
    const timeout = options.timeout ?? this.#timeout
    const scope = callScope(timeout, options.signal)
    try {
      const { response, node } = await this.#transport.send({ ...request, signal: scope.signal })
      return { response, node: node.url }
    } catch (err) {
      if (err instanceof RequestEnded) throw this.#ended(scope, request.what, err, timeout, tag)
      throw err
    } finally {
      scope.dispose()
    }
  }

  /**
   * The error for a call that ended early. It is returned at once (the call rejects at its deadline); when the
   * statement may have started, its server job is killed in the background (`error.killing`).
   */
  #ended(scope: CallScope, what: string, ended: RequestEnded, timeout: number, tag: string | undefined): TimeoutError | RequestAbortedError {
    const error = endedError(scope, what, ended.sent, timeout, ended.node?.url)
    if (tag !== undefined && ended.sent) attachKill(error, this.#killTagged(tag))
    return error
  }

  /**
   * Kills the server jobs of the statements tagged `tag` (see job-kill.ts) and resolves with their ids; never
   * rejects. Runs in the background of the call that ended: `close()` waits for it (within its bound).
   */
  #killTagged(tag: string): Promise<string[]> {
    if (this.#transport.closed) return Promise.resolve([])
    const run = (sql: string, args: unknown[]): Promise<unknown[][]> =>
      this.#sql(sql, (stmt) => encodeStatementBody(stmt, args), (body, node, w) => decodeExecuteBody<unknown[]>(body, INTERNAL_DECODE, node, w).rows, { timeout: 5_000 }, true, false)
    const killing = killTaggedJobs(tag, run)
    this.#pendingKills.add(killing)
    void killing.finally(() => this.#pendingKills.delete(killing))
    return killing
  }
}

/**
 * Creates a CrateDB client. Synchronous: options are checked (and TLS files read) now, connections open on
 * first use.
 *
 * @param servers One URL, a whitespace-separated list, or an array; default `http://localhost:4200/`. User info
 *   in the first URL (`http://user:pass@host:4200`) is used when `username` is not given. A URL path is kept as a
 *   prefix for every request.
 * @param options See {@link CrateDBOptions}.
 * @throws InvalidArgumentError for invalid options (both JWT and username, unreadable `caCert`, bad URL, ...).
 * @example
 * import { connect } from 'dialectry/cratedb'
 * const client = connect(['http://node1:4200', 'http://node2:4200'], { username: 'crate', schema: 'doc' })
 * const { rows } = await client.execute('SELECT id, name FROM sys.nodes')
 * await client.close()
 */
export function connect(servers: string | readonly string[] | undefined, options: CrateDBOptions & { rowMode: 'object' }): CrateDBClient<'object'>
/** Options only (servers from `options.servers`), object rows. */
export function connect(options: CrateDBOptions & { rowMode: 'object' }): CrateDBClient<'object'>
/** Array rows (the default). */
export function connect(
  servers?: string | readonly string[] | (CrateDBOptions & { rowMode?: 'array' | undefined }),
  options?: CrateDBOptions & { rowMode?: 'array' | undefined },
): CrateDBClient<'array'>
/** A `rowMode` only known at run time. */
export function connect(servers?: string | readonly string[] | CrateDBOptions, options?: CrateDBOptions): CrateDBClient<RowMode>
export function connect(servers?: string | readonly string[] | CrateDBOptions, options?: CrateDBOptions): CrateDBClient<RowMode> {
  if (servers !== undefined && typeof servers === 'object' && !Array.isArray(servers)) return new CrateDBClient(undefined, servers as CrateDBOptions)
  return new CrateDBClient(servers as string | readonly string[] | undefined, options)
}
