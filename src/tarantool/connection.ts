import { connect as netConnect, type Socket } from 'node:net'
import { EventEmitter } from 'node:events'
import { backoffDelay, type BackoffOptions } from '../core/backoff.ts'
import { formatEndpoint, parseAddress, type TarantoolEndpoint } from './address.ts'
import { chapSha1Scramble, parseGreeting, type Greeting } from './greeting.ts'
import { FrameReader, type ReplyHeader } from './frame-reader.ts'
import { FrameWriter } from './frame-writer.ts'
import { decodeValue, RawExtension } from './msgpack-codec.ts'
import { BoxErrorValue, Datetime, Decimal, Interval, Uuid } from './ext/index.ts'
import {
  BodyKey,
  CLIENT_FEATURES,
  CLIENT_PROTOCOL_VERSION,
  ErrorCode,
  Feature,
  GREETING_SIZE,
  NO_LIMIT,
  RequestType,
} from './iproto-constants.ts'
import {
  AuthError,
  ConnectionError,
  InvalidArgumentError,
  ProtocolError,
  RequestAbortedError,
  SchemaError,
  ServerError,
  TarantoolError,
  TimeoutError,
  TransactionsNotSupportedError,
  type BoxErrorEntry,
} from './errors.ts'
import { Schema, VINDEX_ID, VSPACE_ID } from './schema.ts'
import { PendingTable } from './pending-table.ts'
import { TarantoolRequests, type Tuple } from './request-methods.ts'
import { scanIndex, type ScanOptions } from './scan.ts'
import { decodePrepareResult } from './sql-result.ts'
import { PreparedStatement } from './prepared-statement.ts'
import { Stream, type BeginOptions } from './stream.ts'
import type { ReplyBody, RequestSpec } from './request-spec.ts'
import type { RequestOptions, SpaceRef } from './request-options.ts'

/** Options of a connection (and of every connection of a pool). */
export interface ConnectionOptions {
  /** User name; default: the one in the address, else `guest` (no AUTH is sent for guest). */
  user?: string
  /**
   * Password for chap-sha1 (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/authentication/);
   * default: the one in the address, else empty. Never logged.
   */
  password?: string
  /** Milliseconds to establish a connection: TCP connect, greeting, ID and AUTH. Default 10 000. */
  connectTimeout?: number
  /** Default per-request timeout in ms; 0 = none. Default 0. Each request may override it. */
  requestTimeout?: number
  /**
   * Largest reply frame accepted, in bytes (1 .. 2^31-1); default 256 MiB (268 435 456; why: see
   * `DEFAULT_MAX_FRAME_SIZE` in `src/tarantool/frame-reader.ts`). Checked as soon as a frame's 5-byte length
   * prefix arrives, before the frame is buffered: a longer frame fails every request of the connection with a
   * {@link ProtocolError} naming the size and this option, and the connection closes (then reconnects when
   * `reconnect` is on).
   * @throws InvalidArgumentError (from `connect`) when not an integer in that range.
   */
  maxFrameSize?: number
  /**
   * Reconnect automatically after the connection drops (default `true`, backoff from 100 ms to 10 s).
   * While disconnected, requests fail at once with a retryable {@link ConnectionError}. An authentication
   * failure stops reconnecting: requests then fail with that {@link AuthError} until `reconnect()` succeeds.
   */
  reconnect?: boolean | BackoffOptions
  /** Events: `connect`, `disconnect` (with the error), `reconnecting` (with the delay in ms), `close`. */
  onEvent?: (event: ConnectionEvent) => void
  /**
   * Most requests in flight on this connection: encoded or written and not yet answered, timed out or aborted
   * (like go-tarantool's `Opts.RateLimit` with `RLimitWait`). Requests beyond it wait, in order, in a queue of
   * the connection until a reply frees a slot; while they wait they keep their own timeout and signal (and are
   * removed from the queue when either fires), and when the connection drops they fail with a retryable
   * {@link ConnectionError} (they were never sent). Default `Infinity`: no limit, because the server already
   * limits what it takes in (`box.cfg.net_msg_max`, default 768 requests per thread, and `readahead`), and the
   * connection stops writing when the socket reports back-pressure (see below), so memory stays bounded
   * without a cap; set one to bound the server-side work a single client can queue.
   *
   * Back-pressure (always on): when `socket.write()` returns `false` (Node's write buffer is over its high-water
   * mark because the server reads slower than we send), new requests wait in the same queue, unencoded, until
   * the socket emits `'drain'`. A single turn's batch is written early once it holds 256 KiB, so at most about
   * that much (plus one request) sits in Node's write buffer.
   */
  maxInFlight?: number
  /**
   * Liveness probe, in ms: when nothing has been received from the server and none of our buffered bytes were
   * taken by it for `pingInterval` (checked every `pingInterval`), the connection sends an IPROTO PING.
   * 0 disables the probe. Default 1000 (go-tarantool's pinger also runs every second by default; net.box has no
   * probe: https://github.com/tarantool/tarantool/issues/9563). An idle connection costs one 10-byte ping
   * per interval.
   */
  pingInterval?: number
  /**
   * Milliseconds a probe waits for any sign of life (a reply to anything, or the server reading our bytes)
   * before the server is declared unresponsive: the socket is then closed, every request in flight or queued
   * fails with a {@link ConnectionError} code `UNRESPONSIVE` (`retryable: true` when it was never written, or was
   * written but is read-only outside a stream transaction: a select, a ping, a call/eval/execute marked `readOnly`;
   * `false` for a written write, since it may have executed, exactly as when a connection drops), and the
   * connection reconnects (when `reconnect` is on). Default 30 000: a hung or stopped server is detected within
   * about `pingInterval + pingTimeout`, while a request that holds the server's TX thread without yielding (an SQL
   * aggregate over millions of tuples on Tarantool 2.x, a long Lua loop: the ping waits behind it, since the TX
   * thread answers pings too) has 30 s before it is mistaken for a hang. Lower it where no request runs that long
   * and a hang must be noticed sooner; raise it for longer batch work. Replication uses a similar
   * rule (a peer is dropped after 4 silent `replication_timeout` periods):
   * https://www.tarantool.io/en/doc/latest/reference/configuration/#cfg-replication-replication-timeout
   */
  pingTimeout?: number
}

/** A connection state change, passed to {@link ConnectionOptions.onEvent} and emitted as `'event'`. */
export type ConnectionEvent =
  | { type: 'connect'; endpoint: string; serverVersion: string }
  | { type: 'disconnect'; endpoint: string; error: TarantoolError }
  | { type: 'reconnecting'; endpoint: string; delay: number; attempt: number; lastError?: TarantoolError }
  | { type: 'close'; endpoint: string }

/** `connecting` (first attempt), `connected`, `disconnected` (lost, reconnecting or not), `closed` (by `close()`). */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed'

/**
 * Event map of {@link Connection.events} (event name → listener arguments, the shape `EventEmitter<T>` of
 * `@types/node` takes): `'event'` carries each {@link ConnectionEvent}.
 */
export interface ConnectionEventMap {
  event: [event: ConnectionEvent]
}

// One request from submission to settlement. It outlives a re-send (after a schema reload), keeping its timer.
class Pending {
  readonly spec: RequestSpec<unknown>
  readonly options: RequestOptions | undefined
  readonly streamId: number
  resolve: (value: any) => void = noop
  reject: (error: unknown) => void = noop
  sync = 0
  sent = false
  done = false
  /** Sent with a SCHEMA_VERSION (names were resolved), so a 109 reply means: reload and re-send. */
  usedSchema = false
  attempt = 0
  reloadedForName = false
  timer: NodeJS.Timeout | undefined = undefined
  onAbort: (() => void) | undefined = undefined
  /** Sent ahead of the maxInFlight/back-pressure queue: handshake requests and liveness probes. */
  bypass = false
  /** Links in the connection's wait queue (an intrusive doubly linked list; few fields on the hot object). */
  qPrev: Pending | null = null
  qNext: Pending | null = null

  constructor(spec: RequestSpec<unknown>, options: RequestOptions | undefined, streamId: number) {
    this.spec = spec
    this.options = options
    this.streamId = streamId
  }
}

function noop(): void {}

/** `select on space "users"`: built only when a message needs it. */
function describe(spec: RequestSpec<unknown>): string {
  return spec.space === undefined ? spec.what : `${spec.what} on space ${JSON.stringify(spec.space)}`
}

let streamIds = 0

// A request that reached the server may have run: only a read-only one (select, ping, or a call/eval/execute the
// caller marked `readOnly`) outside a stream transaction (whose other statements are gone with the connection)
// can be sent again without applying anything twice.
function safeToResend(p: Pending): boolean {
  return p.spec.readOnly && p.streamId === 0
}

/** A turn's batch is written as soon as it holds this many bytes, so one turn cannot buffer without bound. */
const FLUSH_BYTES = 256 * 1024

const PROBE_PING: RequestSpec<undefined> = {
  type: RequestType.PING,
  readOnly: true,
  what: 'liveness ping',
  write(w) {
    w.map(0)
  },
  decode: () => undefined,
}

/**
 * One IPROTO connection over TCP or a unix socket, with request pipelining (many requests in flight, matched
 * by sync id, written in one `socket.write` per event-loop turn) and automatic reconnection.
 *
 * Create with {@link connect} (waits for the handshake) or {@link connectLazy} (returns at once). Request
 * methods come from {@link TarantoolRequests}: `select`, `insert`, `replace`, `update`, `upsert`, `delete`,
 * `call`, `call16`, `eval`, `execute`, `prepare`, `ping`.
 */
export class Connection extends TarantoolRequests {
  readonly endpoint: TarantoolEndpoint
  readonly #endpointText: string
  readonly #user: string
  readonly #password: string
  readonly #connectTimeout: number
  readonly #requestTimeout: number
  readonly #reconnect: BackoffOptions | false
  readonly #onEvent: ((event: ConnectionEvent) => void) | undefined
  readonly #maxInFlight: number
  readonly #pingInterval: number
  readonly #pingTimeout: number
  /**
   * Emits `'event'` with each {@link ConnectionEvent} (the same ones `onEvent` receives).
   * @example
   * conn.events.on('event', (e) => { if (e.type === 'disconnect') console.warn(e.error.message) })
   */
  readonly events: EventEmitter<ConnectionEventMap> = new EventEmitter<ConnectionEventMap>()

  #state: ConnectionState = 'connecting'
  #socket: Socket | null = null
  #reader: FrameReader
  #writer = new FrameWriter()
  #pending = new PendingTable<Pending>()
  #unflushed: Pending[] = []
  #flushScheduled = false
  #writeBlocked = false
  #queueHead: Pending | null = null
  #queueTail: Pending | null = null
  #queueLength = 0
  #rxChunks = 0
  #probeLastRx = 0
  #probeLastWritable = 0
  #probeInterval: NodeJS.Timeout | null = null
  #probeTimer: NodeJS.Timeout | null = null
  #greeting: Greeting | null = null
  #features = new Set<number>()
  #protocolVersion = 0
  #schema: Schema | null = null
  #schemaLoading: Promise<Schema> | null = null
  #serverSchemaVersion = 0
  #firstConnect: Promise<void> | null = null
  #opening: Promise<void> | null = null
  #reconnectTimer: NodeJS.Timeout | null = null
  #reconnectAttempt = 0
  #generation = 0
  #closeCause: TarantoolError | null = null
  #abortConnecting: (() => void) | null = null

  /** @internal Use {@link connect} or {@link connectLazy}. */
  constructor(address: string | number | TarantoolEndpoint, options: ConnectionOptions = {}) {
    super()
    const parsed = parseAddress(address)
    this.endpoint = parsed.endpoint
    this.#endpointText = formatEndpoint(parsed.endpoint)
    this.#user = options.user ?? parsed.user ?? 'guest'
    this.#password = options.password ?? parsed.password ?? ''
    this.#connectTimeout = options.connectTimeout ?? 10_000
    this.#requestTimeout = options.requestTimeout ?? 0
    this.#reconnect = options.reconnect === false ? false : options.reconnect === true || options.reconnect === undefined ? {} : options.reconnect
    this.#onEvent = options.onEvent
    this.#maxInFlight = options.maxInFlight ?? Infinity
    if (!(this.#maxInFlight >= 1) || (this.#maxInFlight !== Infinity && !Number.isInteger(this.#maxInFlight))) {
      throw new InvalidArgumentError(`maxInFlight must be a positive integer or Infinity, got ${String(options.maxInFlight)}`)
    }
    this.#pingInterval = options.pingInterval ?? 1000
    this.#pingTimeout = options.pingTimeout ?? 30_000
    if (!(this.#pingInterval >= 0) || !(this.#pingTimeout > 0)) {
      throw new InvalidArgumentError(`pingInterval must be >= 0 and pingTimeout > 0 (ms), got ${String(options.pingInterval)} and ${String(options.pingTimeout)}`)
    }
    this.#reader = new FrameReader((h, b, s, e) => this.#onFrame(h, b, s, e), options.maxFrameSize)
  }

  /** Current state. */
  get state(): ConnectionState {
    return this.#state
  }

  /** `true` when requests can be sent now. */
  get isConnected(): boolean {
    return this.#state === 'connected'
  }

  /** Server version from the greeting (`2.6.0`), or `undefined` before the first handshake. */
  get serverVersion(): string | undefined {
    return this.#greeting?.version
  }

  /**
   * IPROTO features both sides support (IPROTO_ID,
   * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/requests/); empty on servers before 2.10.
   */
  get features(): ReadonlySet<number> {
    return this.#features
  }

  /** Server protocol version from IPROTO_ID; 0 on servers before 2.10. */
  get protocolVersion(): number {
    return this.#protocolVersion
  }

  /** Incremented on each successful (re)connect; session state (prepared statements, streams) belongs to one. */
  get generation(): number {
    return this.#generation
  }

  /** The user this connection authenticates as. */
  get user(): string {
    return this.#user
  }

  /** Human-readable endpoint, `host:port` or `unix/:path`. */
  get endpointText(): string {
    return this.#endpointText
  }

  /** Requests encoded or sent and not yet settled (what {@link ConnectionOptions.maxInFlight} limits). */
  get inFlightCount(): number {
    return this.#pending.size
  }

  /** Requests waiting for a free slot ({@link ConnectionOptions.maxInFlight}) or for the socket to drain. */
  get queuedCount(): number {
    return this.#queueLength
  }

  /**
   * Bytes encoded and not yet handed to the kernel: Node's socket write buffer plus the batch of the current
   * turn. Stays around 256 KiB plus one request when the server reads slowly (see `maxInFlight`).
   */
  get bufferedBytes(): number {
    return (this.#socket?.writableLength ?? 0) + this.#writer.pending
  }

  /**
   * @internal Starts the first connection attempt; the promise rejects when it fails. With `lazy`, a failure
   * also starts the reconnect loop (when reconnecting is on) instead of closing the connection.
   */
  _start(lazy: boolean): Promise<void> {
    this.#firstConnect = this.#attemptOpen().then(
      () => {
        this.#firstConnect = null
      },
      (err: unknown) => {
        this.#firstConnect = null
        if (this.#state === 'closed') throw err
        if (lazy) {
          this.#state = 'disconnected'
          // Wrong credentials stay wrong: no background retries (see reconnect()).
          if (this.#reconnect !== false && !(err instanceof AuthError)) this.#scheduleReconnect()
        } else this.#state = 'closed'
        throw err
      },
    )
    return this.#firstConnect
  }

  /**
   * Starts a connection attempt now and resolves once connected (at once when already connected; an attempt
   * already under way is joined). An authentication failure ({@link AuthError}: wrong password or unknown user)
   * stops background reconnection, on a lazy connection's first attempt as on any later one, because retrying
   * the same credentials cannot succeed and only fills the server's log; requests then fail with that
   * `AuthError` (`retryable: false`) until this method succeeds (e.g. once the user was created on the server).
   * It also skips a pending backoff delay. After a failure other than an authentication error, background
   * reconnection continues (when `reconnect` is on).
   * @throws AuthError, ConnectionError or ProtocolError from the attempt; ConnectionError `CLOSED` after `close()`.
   * @example
   * const conn = connectLazy('tarantool://app:secret@127.0.0.1:3301')
   * await conn.ping().catch(async (e) => { if (e instanceof AuthError) { await createUser(); await conn.reconnect() } })
   */
  async reconnect(): Promise<void> {
    if (this.#state === 'closed') throw this.#notConnectedError('reconnect')
    if (this.#state === 'connected') return
    if (this.#opening !== null) return this.#opening
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = null
    try {
      await this.#attemptOpen()
    } catch (err) {
      if ((this.#state as ConnectionState) !== 'closed') {
        this.#state = 'disconnected'
        if (!(err instanceof AuthError)) this.#scheduleReconnect()
      }
      throw err
    }
  }

  /** @internal The authentication failure that stopped reconnection, if any (pools report it). */
  get _authFailure(): AuthError | null {
    return this.#state !== 'closed' && this.#state !== 'connected' && this.#opening === null && this.#closeCause instanceof AuthError ? this.#closeCause : null
  }

  // One attempt at a time: the background loop, the first connect and reconnect() share it.
  #attemptOpen(): Promise<void> {
    if (this.#opening !== null) return this.#opening
    const opening = this.#open()
    this.#opening = opening
    const clear = () => {
      if (this.#opening === opening) this.#opening = null
    }
    opening.then(clear, clear)
    return opening
  }

  /**
   * The schema (spaces and indexes from `_vspace`/`_vindex`), loading it if needed or stale (`force` reloads).
   * Concurrent callers share one load; the caller's `timeout`/`signal` bound only its own wait.
   * @throws ConnectionError when not connected; TimeoutError / RequestAbortedError from the caller's options.
   */
  loadSchema(options?: RequestOptions & { force?: boolean }): Promise<Schema> {
    if (!options?.force && this.#schema !== null && this.#schema.version === this.#serverSchemaVersion) return Promise.resolve(this.#schema)
    const loading = this.#schemaLoading ?? this.#startSchemaLoad()
    if (options?.timeout === undefined && options?.signal === undefined) return loading
    return raceOptions(loading, options, `schema load from ${this.#endpointText}`)
  }

  #startSchemaLoad(): Promise<Schema> {
    // The load belongs to the connection, not to the request that happened to start it: it runs with the
    // connect timeout and no caller signal, so one caller giving up does not fail the others.
    const internal: RequestOptions = { timeout: this.#connectTimeout }
    const loading = (async () => {
      const version = this.#serverSchemaVersion
      const [spaces, indexes] = await Promise.all([
        this.select(VSPACE_ID, [], { iterator: 'all', limit: NO_LIMIT, ...internal }),
        this.select(VINDEX_ID, [], { iterator: 'all', limit: NO_LIMIT, ...internal }),
      ])
      const schema = new Schema(Math.max(version, this.#serverSchemaVersion), spaces, indexes)
      this.#schema = schema
      return schema
    })()
    this.#schemaLoading = loading
    const clear = () => {
      if (this.#schemaLoading === loading) this.#schemaLoading = null
    }
    loading.then(clear, clear)
    return loading
  }

  /**
   * Iterates over an index in batches (`batchSize`, default 1000) with bounded memory; see {@link scanIndex}.
   * @example for await (const t of client.scan('flights', ['SFO'], { index: 'origin' })) console.log(t)
   */
  scan<T extends Tuple = Tuple>(space: SpaceRef, key?: unknown[], options?: ScanOptions): AsyncGenerator<T, void, undefined> {
    return scanIndex<T>(this, space, key, options)
  }

  /**
   * Prepares an SQL statement on this connection (IPROTO_PREPARE,
   * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/sql/). The statement re-prepares
   * itself after a reconnect or when the server reports it expired (any DDL).
   */
  async prepare(sql: string, options?: RequestOptions): Promise<PreparedStatement> {
    const info = await this._prepare(sql, options)
    return new PreparedStatement(this, sql, info, this.#generation)
  }

  /**
   * A stream on this connection (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/streams/) for an
   * interactive transaction: `begin()`, requests, `commit()` or
   * `rollback()`. Needs Tarantool 2.10+ (features STREAMS and TRANSACTIONS).
   * @throws TransactionsNotSupportedError on older servers.
   * @throws ConnectionError when not connected.
   */
  stream(): Stream {
    this.#assertConnected('stream')
    if (!this.#features.has(Feature.STREAMS) || !this.#features.has(Feature.TRANSACTIONS)) {
      throw new TransactionsNotSupportedError(this.#greeting?.version ?? 'unknown')
    }
    streamIds = (streamIds + 1) % 0x7fffffff
    return new Stream(this, streamIds + 1)
  }

  /** Opens a stream and begins a transaction in it. */
  async begin(options?: BeginOptions): Promise<Stream> {
    const stream = this.stream()
    await stream.begin(options)
    return stream
  }

  /**
   * Closes the connection. Requests in flight fail with a {@link ConnectionError}; no reconnect follows.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return
    this.#state = 'closed'
    this.#closeCause = new ConnectionError(`Connection to ${this.#endpointText} was closed by the client`, { code: 'CLOSED', retryable: false })
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = null
    this.#stopProbe()
    // A connect or greeting still in progress: abandon it now rather than at its timeout.
    this.#abortConnecting?.()
    const socket = this.#socket
    if (socket) {
      this.#flush()
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve())
        socket.end()
        setTimeout(() => socket.destroy(), 1000).unref()
      })
    }
    this.#failAll(this.#closeCause)
    this.#emit({ type: 'close', endpoint: this.#endpointText })
  }

  /** @internal */
  _prepare(sql: string, options?: RequestOptions) {
    return this._call(
      {
        type: RequestType.PREPARE,
        readOnly: true,
        what: 'SQL prepare',
        write(w) {
          w.map(1)
          w.key(BodyKey.SQL_TEXT)
          w.str(sql)
        },
        decode: decodePrepareResult,
      },
      options,
    )
  }

  /** @internal Runs a request spec in the given stream (0 = none). */
  _callInStream<T>(spec: RequestSpec<T>, options: RequestOptions | undefined, streamId: number): Promise<T> {
    if (this.#state !== 'connected') return this.#notConnected(spec, options, streamId)
    if (spec.binds !== undefined && this.#greeting!.versionNumber < 21000) {
      const bad = findExtensionBind(spec.binds)
      if (bad !== undefined) return Promise.reject(bad)
    }
    return this.#submit(spec, options, streamId)
  }

  protected _call<T>(spec: RequestSpec<T>, options: RequestOptions | undefined): Promise<T> {
    return this._callInStream(spec, options, 0)
  }

  #notConnected<T>(spec: RequestSpec<T>, options: RequestOptions | undefined, streamId: number): Promise<T> {
    if (this.#firstConnect !== null) {
      // A lazy connection's first attempt is under way: wait for it (within the request's own timeout and
      // signal), then send or fail.
      const first = this.#firstConnect.catch(() => {})
      const waited = options?.timeout === undefined && options?.signal === undefined && this.#requestTimeout === 0
        ? first
        : raceOptions(first, { timeout: options?.timeout ?? this.#requestTimeout, signal: options?.signal }, describe(spec as RequestSpec<unknown>))
      return waited.then(() => this._callInStream(spec, options, streamId))
    }
    return Promise.reject(this.#notConnectedError(describe(spec as RequestSpec<unknown>)))
  }

  #notConnectedError(what: string): ConnectionError | AuthError {
    const auth = this._authFailure
    if (auth !== null) {
      return new AuthError(
        auth.code,
        auth.serverMessage,
        auth.stackEntries,
        `${what} was not sent: authentication as ${JSON.stringify(this.#user)} on ${this.#endpointText} failed, so the connection stopped reconnecting; fix the credentials or the user on the server, then call reconnect()`,
      )
    }
    const closed = this.#state === 'closed'
    const last = !closed && this.#closeCause instanceof AuthError ? `; the last attempt failed: ${this.#closeCause.message}` : ''
    return new ConnectionError(
      closed
        ? `Cannot send ${what}: the connection to ${this.#endpointText} is closed`
        : `Cannot send ${what}: not connected to ${this.#endpointText}${this.#reconnect !== false ? ' (reconnecting in the background)' : ''}${last}`,
      { code: closed ? 'CLOSED' : 'NOT_CONNECTED', retryable: !closed, cause: this.#closeCause ?? undefined },
    )
  }

  #assertConnected(what: string): void {
    if (this.#state !== 'connected') throw this.#notConnectedError(what)
  }

  // Creates the pending request with its promise, timer and abort listener, then encodes it (now, or after a
  // schema load when it names spaces or indexes the schema does not have yet).
  #submit<T>(spec: RequestSpec<T>, options: RequestOptions | undefined, streamId: number, bypass = false): Promise<T> {
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(new RequestAbortedError(`${describe(spec as RequestSpec<unknown>)} was aborted before it was sent`, signal.reason))
    const p = new Pending(spec as RequestSpec<unknown>, options, streamId)
    p.bypass = bypass
    const { promise, resolve, reject } = Promise.withResolvers<T>()
    p.resolve = resolve
    p.reject = reject
    const timeout = options?.timeout ?? this.#requestTimeout
    if (timeout > 0) {
      p.timer = setTimeout(() => {
        this.#settleError(p, new TimeoutError(`${describe(p.spec)} got no reply from ${this.#endpointText} within ${timeout} ms; it may still execute on the server`))
      }, timeout)
    }
    if (signal !== undefined) {
      p.onAbort = () => {
        this.#settleError(p, new RequestAbortedError(`${describe(p.spec)} was aborted while waiting for ${this.#endpointText}; it may still execute on the server`, signal.reason))
      }
      signal.addEventListener('abort', p.onAbort, { once: true })
    }
    this.#dispatch(p)
    return promise
  }

  // Names are resolved against the loaded schema and the request carries its SCHEMA_VERSION, so the server
  // refuses it (109) if the schema changed meanwhile; then the schema is reloaded and the request re-sent.
  #dispatch(p: Pending, dequeued = false): void {
    const spec = p.spec
    const space = spec.space
    const index = spec.index
    if (typeof space !== 'string' && typeof index !== 'string') {
      this.#encode(p, space ?? 0, index ?? 0, 0, dequeued)
      return
    }
    const schema = this.#schema
    if (schema === null || schema.version !== this.#serverSchemaVersion) {
      this.#dispatchAfterSchemaLoad(p, false)
      return
    }
    let ids: [number, number]
    try {
      ids = resolveIds(schema, spec)
    } catch (err) {
      if (err instanceof SchemaError && !p.reloadedForName) {
        // The name may have been created by another session since we loaded: reload once and look again.
        p.reloadedForName = true
        this.#dispatchAfterSchemaLoad(p, true)
        return
      }
      this.#settleError(p, err)
      return
    }
    this.#encode(p, ids[0], ids[1], schema.version, dequeued)
  }

  #dispatchAfterSchemaLoad(p: Pending, force: boolean): void {
    this.loadSchema({ force }).then(
      () => {
        if (!p.done) this.#dispatch(p)
      },
      (err: unknown) => this.#settleError(p, err),
    )
  }

  #encode(p: Pending, spaceId: number, indexId: number, schemaVersion: number, dequeued: boolean): void {
    if (p.done) return
    if (this.#state === 'closed' || this.#socket === null) {
      this.#settleError(p, this.#notConnectedError(describe(p.spec)))
      return
    }
    // Behind others that wait, over the in-flight limit, or while the socket is over its high-water mark: wait,
    // unencoded (the caller's values are held anyway), until a reply frees a slot or the socket drains; then
    // names are resolved again (the schema may have changed meanwhile).
    if ((this.#queueHead !== null || this.#writeBlocked || this.#pending.size >= this.#maxInFlight) && !p.bypass && !dequeued) {
      this.#enqueue(p)
      return
    }
    this.#write(p, spaceId, indexId, schemaVersion)
  }

  #write(p: Pending, spaceId: number, indexId: number, schemaVersion: number): void {
    const sync = this.#pending.nextSync()
    const w = this.#writer
    w.beginFrame(p.spec.type, sync, schemaVersion, p.streamId)
    try {
      p.spec.write(w, spaceId, indexId)
      w.endFrame()
    } catch (err) {
      w.abortFrame()
      this.#settleError(p, err)
      return
    }
    p.sync = sync
    p.sent = false
    p.usedSchema = schemaVersion > 0
    this.#pending.set(p)
    this.#unflushed.push(p)
    if (w.pending >= FLUSH_BYTES) this.#flush()
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true
      process.nextTick(this.#flushTick)
    }
  }

  #isQueued(p: Pending): boolean {
    return p.qPrev !== null || this.#queueHead === p
  }

  #enqueue(p: Pending): void {
    p.qNext = null
    p.qPrev = this.#queueTail
    if (this.#queueTail !== null) this.#queueTail.qNext = p
    else this.#queueHead = p
    this.#queueTail = p
    this.#queueLength++
  }

  #unqueue(p: Pending): void {
    if (!this.#isQueued(p)) return
    if (p.qPrev !== null) p.qPrev.qNext = p.qNext
    else this.#queueHead = p.qNext
    if (p.qNext !== null) p.qNext.qPrev = p.qPrev
    else this.#queueTail = p.qPrev
    p.qPrev = p.qNext = null
    this.#queueLength--
  }

  // Sends queued requests while there is room (in-flight slots, no back-pressure).
  #pump(): void {
    if (this.#socket === null || this.#state === 'closed') return
    let p = this.#queueHead
    while (p !== null && !this.#writeBlocked && this.#pending.size < this.#maxInFlight) {
      this.#unqueue(p)
      this.#dispatch(p, true)
      p = this.#queueHead
    }
  }

  #settleError(p: Pending, error: unknown): void {
    if (p.done) return
    p.done = true
    if (this.#isQueued(p)) this.#unqueue(p)
    else if (this.#pending.delete(p) && this.#queueHead !== null) this.#pump()
    this.#detach(p)
    p.reject(error)
  }

  #flushTick = (): void => {
    this.#flushScheduled = false
    this.#flush()
  }

  #flush(): void {
    if (this.#writer.pending === 0) return
    const bytes = this.#writer.take()
    const socket = this.#socket
    if (socket === null || socket.destroyed) return
    const more = socket.write(bytes)
    const unflushed = this.#unflushed
    for (let i = 0; i < unflushed.length; i++) unflushed[i]!.sent = true
    unflushed.length = 0
    if (!more && !this.#writeBlocked) {
      // Node buffers what the kernel did not take; stop encoding until it drains (bounded client memory).
      this.#writeBlocked = true
      socket.once('drain', () => {
        if (this.#socket !== socket) return
        this.#writeBlocked = false
        this.#pump()
      })
    }
  }


  #detach(p: Pending): void {
    if (p.timer !== undefined) clearTimeout(p.timer)
    if (p.onAbort !== undefined) p.options!.signal!.removeEventListener('abort', p.onAbort)
  }

  #onFrame(header: ReplyHeader, buf: Buffer, start: number, end: number): void {
    if (header.schemaVersion !== 0) this.#serverSchemaVersion = header.schemaVersion
    const type = header.type
    if (type === RequestType.CHUNK) {
      this.#onPush(header.sync, buf, start, end)
      return
    }
    if (type === RequestType.EVENT) return
    const p = this.#pending.get(header.sync)
    // A reply whose request timed out or was aborted: nothing waits for it any more.
    if (p === undefined) return
    this.#pending.delete(p)
    if (this.#queueHead !== null) this.#pump()
    const spec = p.spec
    // Fast path: a successful reply whose body is exactly { DATA: ... } goes straight to decodeData.
    if (type === RequestType.OK && spec.decodeData !== undefined && end - start > 2 && buf[start] === 0x81 && buf[start + 1] === 0x30) {
      let result: unknown
      try {
        const d = decodeValue(buf, start + 2, end)
        if (!Array.isArray(d)) throw new ProtocolError(`Reply DATA to ${describe(spec)} is not an array`)
        result = spec.decodeData(d)
      } catch (err) {
        this.#settleError(p, err instanceof TarantoolError ? err : new ProtocolError(`Cannot decode the reply to ${describe(spec)}`, err))
        return
      }
      this.#settle(p, result)
      return
    }
    let body: ReplyBody
    try {
      // Every reply body is a map (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/format/); an empty
      // body is tolerated.
      const b0 = start < end ? buf[start]! : 0x80
      if ((b0 & 0xf0) !== 0x80 && b0 !== 0xde && b0 !== 0xdf) throw new ProtocolError(`Reply body to ${describe(spec)} is not a map (byte 0x${b0.toString(16)})`)
      body = (start < end ? decodeValue(buf, start, end) : {}) as ReplyBody
    } catch (err) {
      this.#settleError(p, err instanceof TarantoolError ? err : new ProtocolError(`Cannot decode the reply to ${describe(spec)}`, err))
      return
    }
    if (type === RequestType.OK) {
      let result: unknown
      try {
        result = spec.decodeData !== undefined ? spec.decodeData((body[BodyKey.DATA] as unknown[] | undefined) ?? []) : spec.decode(body)
      } catch (err) {
        this.#settleError(p, new ProtocolError(`Unexpected reply shape for ${describe(spec)}`, err))
        return
      }
      this.#settle(p, result)
      return
    }
    if (type & RequestType.TYPE_ERROR) {
      const code = type & 0x7fff
      if (code === ErrorCode.WRONG_SCHEMA_VERSION && p.usedSchema && p.attempt < 3) {
        p.attempt++
        this.#dispatchAfterSchemaLoad(p, true)
        return
      }
      this.#settleError(p, serverError(code, body, describe(spec)))
      return
    }
    this.#settleError(p, new ProtocolError(`Unexpected reply type 0x${type.toString(16)} to ${describe(spec)}`))
  }

  #onPush(sync: number, buf: Buffer, start: number, end: number): void {
    const p = this.#pending.get(sync)
    const onPush = p?.options?.onPush
    if (p === undefined || onPush === undefined || start >= end) return
    let value: unknown
    try {
      value = ((decodeValue(buf, start, end) as ReplyBody)[BodyKey.DATA] as unknown[] | undefined)?.[0]
    } catch (err) {
      this.#settleError(p, err)
      return
    }
    try {
      onPush(value)
    } catch (err) {
      // A throwing callback fails its request rather than the connection.
      this.#settleError(p, err)
    }
  }

  #settle(p: Pending, result: unknown): void {
    if (p.done) return
    p.done = true
    if (p.timer !== undefined || p.onAbort !== undefined) this.#detach(p)
    p.resolve(result)
  }

  #failAll(error: TarantoolError): void {
    if (this.#pending.size === 0 && this.#queueHead === null) return
    const pending = this.#pending.drain()
    // Queued requests were never written: they fail as not sent (retryable).
    for (let q = this.#queueHead; q !== null; q = this.#queueHead) {
      this.#unqueue(q)
      pending.push(q)
    }
    this.#unflushed.length = 0
    for (const p of pending) {
      if (error instanceof ConnectionError) {
        const what = describe(p.spec)
        this.#settleError(
          p,
          new ConnectionError(
            !p.sent
              ? `${error.message}; ${what} was not sent`
              : safeToResend(p)
                ? `${error.message}; ${what} was sent, and is read-only: sending it again is safe`
                : `${error.message}; ${what} was sent and may or may not have executed`,
            {
            code: String(error.code),
            // Never sent, or read-only outside a transaction: sending it again cannot apply anything twice.
            retryable: !p.sent || safeToResend(p),
            cause: error.cause,
            },
          ),
        )
      } else this.#settleError(p, error)
    }
  }

  // Listener errors are reported as process warnings: they must not break the connection's state machine.
  #emit(event: ConnectionEvent): void {
    for (const listener of [this.#onEvent, (e: ConnectionEvent) => this.events.emit('event', e)]) {
      try {
        listener?.(event)
      } catch (err) {
        process.emitWarning(`A dialectry Tarantool ${event.type} event listener threw: ${err instanceof Error ? err.message : String(err)}`, 'DialectryListenerWarning')
      }
    }
  }

  async #open(): Promise<void> {
    const deadline = Date.now() + this.#connectTimeout
    const socket = await this.#openSocket()
    try {
      const greetingBytes = await this.#readGreeting(socket, deadline)
      this.#greeting = parseGreeting(greetingBytes)
      if (this.#state === 'closed') throw new ConnectionError(`Connection to ${this.#endpointText} was closed while connecting`, { code: 'CLOSED', retryable: false })
      this.#attach(socket)
      const remaining = () => Math.max(1, deadline - Date.now())
      this.#features = new Set()
      this.#protocolVersion = 0
      if (this.#greeting.versionNumber >= 21000) await this.#negotiate(remaining())
      if (this.#user !== 'guest') await this.#authenticate(remaining())
      this.#schema = null
      this.#generation++
      this.#reconnectAttempt = 0
      this.#closeCause = null
      this.#state = 'connected'
      this.#startProbe()
      this.#emit({ type: 'connect', endpoint: this.#endpointText, serverVersion: this.#greeting.version })
    } catch (err) {
      this.#closeCause = err instanceof TarantoolError ? err : null
      if (this.#socket === socket) this.#socket = null
      socket.removeAllListeners('close')
      socket.destroy()
      this.#failAll(err instanceof TarantoolError ? err : new ConnectionError(`Handshake with ${this.#endpointText} failed`, { retryable: true, cause: err }))
      throw err
    }
  }

  #openSocket(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const ep = this.endpoint
      const socket = ep.path !== undefined ? netConnect({ path: ep.path }) : netConnect({ host: ep.host, port: ep.port })
      const timer = setTimeout(() => {
        this.#abortConnecting = null
        socket.destroy()
        reject(new ConnectionError(`Could not connect to ${this.#endpointText} within ${this.#connectTimeout} ms`, { code: 'CONNECT_TIMEOUT', retryable: true }))
      }, this.#connectTimeout)
      this.#abortConnecting = () => {
        this.#abortConnecting = null
        clearTimeout(timer)
        socket.destroy()
        reject(this.#closeCause ?? new ConnectionError(`Connection to ${this.#endpointText} was closed while connecting`, { code: 'CLOSED', retryable: false }))
      }
      socket.once('connect', () => {
        this.#abortConnecting = null
        clearTimeout(timer)
        socket.removeAllListeners('error')
        socket.setNoDelay(true)
        resolve(socket)
      })
      socket.once('error', (err: NodeJS.ErrnoException) => {
        this.#abortConnecting = null
        clearTimeout(timer)
        reject(new ConnectionError(`Could not connect to ${this.#endpointText}: ${err.code ?? err.message}`, { code: err.code ?? 'CONNECT_FAILED', retryable: true, cause: err }))
      })
    })
  }

  #readGreeting(socket: Socket, deadline: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      const cleanup = () => {
        this.#abortConnecting = null
        clearTimeout(timer)
        socket.off('data', onData)
        socket.off('close', onClose)
        socket.off('error', onError)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new ConnectionError(`${this.#endpointText} sent no Tarantool greeting within ${this.#connectTimeout} ms`, { code: 'CONNECT_TIMEOUT', retryable: true }))
      }, Math.max(1, deadline - Date.now()))
      const onData = (chunk: Buffer) => {
        chunks.push(chunk)
        size += chunk.length
        if (size < GREETING_SIZE) return
        cleanup()
        socket.pause()
        const all = Buffer.concat(chunks)
        if (all.length > GREETING_SIZE) socket.unshift(all.subarray(GREETING_SIZE))
        resolve(all.subarray(0, GREETING_SIZE))
      }
      const onClose = () => {
        cleanup()
        reject(new ProtocolError(`${this.#endpointText} closed the connection after ${size} of ${GREETING_SIZE} greeting bytes`))
      }
      const onError = (err: Error) => {
        cleanup()
        reject(new ConnectionError(`Reading the greeting from ${this.#endpointText} failed: ${err.message}`, { retryable: true, cause: err }))
      }
      socket.on('data', onData)
      socket.once('close', onClose)
      socket.once('error', onError)
      this.#abortConnecting = () => {
        cleanup()
        socket.destroy()
        reject(this.#closeCause ?? new ConnectionError(`Connection to ${this.#endpointText} was closed while connecting`, { code: 'CLOSED', retryable: false }))
      }
    })
  }

  #attach(socket: Socket): void {
    this.#socket = socket
    this.#reader.reset()
    this.#writer.take()
    this.#writeBlocked = false
    socket.on('data', (chunk: Buffer) => {
      this.#rxChunks++
      try {
        this.#reader.push(chunk)
      } catch (err) {
        const error = err instanceof ProtocolError ? err : new ProtocolError(`Malformed reply from ${this.#endpointText}`, err)
        this.#closeCause = error
        this.#failAll(error)
        socket.destroy()
      }
    })
    socket.on('error', (err: Error) => {
      if (this.#closeCause === null) this.#closeCause = new ConnectionError(`Connection to ${this.#endpointText} failed: ${err.message}`, { retryable: true, cause: err })
    })
    socket.on('close', () => this.#onSocketClose(socket))
    socket.resume()
  }

  #onSocketClose(socket: Socket): void {
    if (this.#socket !== socket) return
    this.#socket = null
    this.#stopProbe()
    const partial = this.#reader.bufferedBytes
    this.#reader.reset()
    const cause = this.#closeCause
    let error: TarantoolError
    if (partial > 0) {
      error = new ProtocolError(`${this.#endpointText} closed the connection in the middle of a reply (${partial} bytes of an incomplete frame)`)
    } else if (cause instanceof ProtocolError) error = cause
    else if (this.#state === 'closed' && cause instanceof ConnectionError && cause.code === 'CLOSED') error = cause
    else if (cause instanceof ConnectionError && cause.code === 'UNRESPONSIVE') error = cause
    else error = new ConnectionError(`Connection to ${this.#endpointText} was lost`, { code: 'CONNECTION_LOST', retryable: false, cause: cause ?? undefined })
    this.#closeCause = error
    this.#failAll(error)
    if (this.#state === 'closed') return
    const wasConnected = this.#state === 'connected'
    this.#state = 'disconnected'
    if (wasConnected) this.#emit({ type: 'disconnect', endpoint: this.#endpointText, error })
    if (this.#reconnect !== false && this.#firstConnect === null) this.#scheduleReconnect()
  }

  // Liveness: every pingInterval, a connection that heard nothing (no bytes received, none of its buffered
  // bytes taken by the server) since the last check sends a PING; if still nothing after pingTimeout, the
  // server is declared unresponsive and the socket closed. A counter per received chunk is all the hot path pays.
  #startProbe(): void {
    this.#stopProbe()
    if (this.#pingInterval <= 0) return
    this.#probeLastRx = this.#rxChunks
    this.#probeLastWritable = 0
    this.#probeInterval = setInterval(this.#probeTick, this.#pingInterval)
    this.#probeInterval.unref()
  }

  #stopProbe(): void {
    if (this.#probeInterval !== null) clearInterval(this.#probeInterval)
    if (this.#probeTimer !== null) clearTimeout(this.#probeTimer)
    this.#probeInterval = this.#probeTimer = null
  }

  #heardSinceCheck(socket: Socket): boolean {
    const rx = this.#rxChunks
    const writable = socket.writableLength
    const heard = rx !== this.#probeLastRx || writable < this.#probeLastWritable
    this.#probeLastRx = rx
    this.#probeLastWritable = writable
    return heard
  }

  #probeTick = (): void => {
    const socket = this.#socket
    if (socket === null || this.#state !== 'connected' || this.#probeTimer !== null) return
    if (this.#heardSinceCheck(socket)) return
    this.#submit(PROBE_PING, { timeout: this.#pingTimeout }, 0, true).then(() => {
      // Answered: the next check starts from here, so an idle connection pings once per pingInterval.
      if (this.#socket !== socket || this.#probeTimer === null) return
      clearTimeout(this.#probeTimer)
      this.#probeTimer = null
      this.#heardSinceCheck(socket)
    }, noop)
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = null
      if (this.#socket !== socket || this.#heardSinceCheck(socket)) return
      const error = new ConnectionError(
        `${this.#endpointText} is unresponsive: nothing received and nothing read from us for ${this.#pingTimeout} ms after a ping ` +
          `(the server is hung, stopped or unreachable)${this.#reconnect !== false ? '; reconnecting' : ''}`,
        { code: 'UNRESPONSIVE', retryable: true },
      )
      this.#closeCause = error
      socket.destroy()
    }, this.#pingTimeout)
    this.#probeTimer.unref()
  }

  #scheduleReconnect(): void {
    if (this.#state === 'closed' || this.#reconnect === false || this.#reconnectTimer !== null) return
    const attempt = this.#reconnectAttempt++
    const delay = attempt === 0 ? 0 : backoffDelay(attempt - 1, this.#reconnect)
    const lastError = this.#closeCause ?? undefined
    this.#emit(lastError ? { type: 'reconnecting', endpoint: this.#endpointText, delay, attempt: attempt + 1, lastError } : { type: 'reconnecting', endpoint: this.#endpointText, delay, attempt: attempt + 1 })
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null
      if (this.#state === 'closed') return
      this.#attemptOpen().catch((err: unknown) => {
        if (this.#state !== 'closed') {
          this.#state = 'disconnected'
          if (!(err instanceof AuthError)) this.#scheduleReconnect()
        }
      })
    }, delay)
    this.#reconnectTimer.unref()
  }

  async #negotiate(timeout: number): Promise<void> {
    try {
      const body = await this.#submit(
        {
          type: RequestType.ID,
          readOnly: true,
          what: 'IPROTO_ID',
          write(w) {
            w.map(2)
            w.key(BodyKey.VERSION)
            w.uint(CLIENT_PROTOCOL_VERSION)
            w.key(BodyKey.FEATURES)
            w.value(CLIENT_FEATURES)
          },
          decode: (b) => b,
        },
        { timeout },
        0,
      )
      this.#protocolVersion = Number(body[BodyKey.VERSION] ?? 0)
      const serverFeatures = (body[BodyKey.FEATURES] as number[] | undefined) ?? []
      for (const f of serverFeatures) if (CLIENT_FEATURES.includes(f)) this.#features.add(f)
    } catch (err) {
      // Servers without IPROTO_ID answer ER_UNKNOWN_REQUEST_TYPE: no features
      // (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/requests/).
      if (!(err instanceof ServerError && err.code === ErrorCode.UNKNOWN_REQUEST_TYPE)) throw err
    }
  }

  async #authenticate(timeout: number): Promise<void> {
    const scramble = chapSha1Scramble(this.#password, this.#greeting!.salt)
    const user = this.#user
    try {
      await this.#submit(
        {
          type: RequestType.AUTH,
          readOnly: true,
          what: `authentication as ${JSON.stringify(user)}`,
          write(w) {
            w.map(2)
            w.key(BodyKey.USER_NAME)
            w.str(user)
            w.key(BodyKey.TUPLE)
            w.array(2)
            w.str('chap-sha1')
            w.raw(binHeader(scramble.length))
            w.raw(scramble)
          },
          decode: () => undefined,
        },
        { timeout },
        0,
      )
    } catch (err) {
      if (err instanceof ServerError && !(err instanceof AuthError)) {
        throw new AuthError(err.code, `Authentication as ${JSON.stringify(user)} on ${this.#endpointText} failed: ${err.serverMessage}`, err.stackEntries)
      }
      throw err
    }
  }
}

// Tarantool before 2.10 decodes MP_EXT SQL binds but cannot bind them; 2.6.0 even crashes (SIGSEGV in
// sql_bind_column) on a DATETIME or DECIMAL bind. Refuse them before anything is sent.
function findExtensionBind(binds: readonly unknown[]): InvalidArgumentError | undefined {
  for (let i = 0; i < binds.length; i++) {
    let v = binds[i]
    let name = `parameter ${i + 1}`
    if (v !== null && typeof v === 'object' && v.constructor === Object) {
      const keys = Object.keys(v)
      if (keys.length === 1) {
        name = `parameter ${keys[0]}`
        v = (v as Record<string, unknown>)[keys[0]!]
      }
    }
    if (v instanceof Date || v instanceof Decimal || v instanceof Uuid || v instanceof Datetime || v instanceof Interval || v instanceof BoxErrorValue || v instanceof RawExtension) {
      const kind = v instanceof Date ? 'Date' : v.constructor.name
      return new InvalidArgumentError(
        `SQL ${name} is a ${kind}: Tarantool before 2.10 cannot bind MessagePack extension values in SQL ` +
          `(2.6 crashes on them). Pass a string or number instead (e.g. date.getTime(), decimal.toString()).`,
      )
    }
  }
  return undefined
}

function binHeader(length: number): Uint8Array {
  return Uint8Array.of(0xc4, length)
}

function resolveIds(schema: Schema, spec: RequestSpec<unknown>): [number, number] {
  const spaceId = spec.space === undefined ? 0 : schema.spaceId(spec.space)
  const indexId = spec.index === undefined ? 0 : schema.indexId(spec.space ?? spaceId, spec.index)
  return [spaceId, indexId]
}

/** Waits for `promise` within `options.timeout` (ms, 0 = none) and `options.signal`. */
function raceOptions<T>(promise: Promise<T>, options: { timeout?: number | undefined; signal?: AbortSignal | undefined }, what: string): Promise<T> {
  const { timeout = 0, signal } = options
  if (signal?.aborted) return Promise.reject(new RequestAbortedError(`${what} was aborted`, signal.reason))
  if (timeout <= 0 && signal === undefined) return promise
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => {
      done()
      reject(new RequestAbortedError(`${what} was aborted`, signal!.reason))
    }
    const done = () => {
      if (timer !== undefined) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
    if (timeout > 0) {
      timer = setTimeout(() => {
        done()
        reject(new TimeoutError(`${what} did not complete within ${timeout} ms`))
      }, timeout)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        done()
        resolve(v)
      },
      (e: unknown) => {
        done()
        reject(e)
      },
    )
  })
}

function pickTimeout(options: RequestOptions | undefined): RequestOptions {
  const out: RequestOptions = {}
  if (options?.timeout !== undefined) out.timeout = options.timeout
  if (options?.signal !== undefined) out.signal = options.signal
  return out
}

/**
 * Builds the typed error for an error reply
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/format/).
 */
export function serverError(code: number, body: ReplyBody, what: string): ServerError {
  const message = String(body[BodyKey.ERROR_24] ?? 'Unknown error')
  const stack = decodeErrorStack(body[BodyKey.ERROR])
  if (code === ErrorCode.NO_SUCH_USER || code === ErrorCode.PASSWORD_MISMATCH) return new AuthError(code, message, stack, what)
  return new ServerError(code, message, stack, what)
}

function decodeErrorStack(raw: unknown): BoxErrorEntry[] {
  const list = (raw as Record<number, unknown> | undefined)?.[0x00]
  if (!Array.isArray(list)) return []
  return list.map((e: Record<number, unknown>) => {
    const entry: BoxErrorEntry = {
      type: String(e[0x00] ?? ''),
      file: String(e[0x01] ?? ''),
      line: Number(e[0x02] ?? 0),
      message: String(e[0x03] ?? ''),
      errno: Number(e[0x04] ?? 0),
      code: Number(e[0x05] ?? 0),
    }
    if (e[0x06] !== undefined) entry.fields = e[0x06] as Record<string, unknown>
    return entry
  })
}

/**
 * Connects to one Tarantool instance and waits for the handshake (greeting, IPROTO_ID where supported, AUTH).
 *
 * @param address `'host:port'`, `'tarantool://user:password@host:port'`, `'unix/:/path.sock'`, a port, or
 *   `{ host, port }` / `{ path }` (see {@link parseAddress}).
 * @throws ConnectionError when the server cannot be reached within `connectTimeout`.
 * @throws AuthError on a wrong user or password.
 * @throws ProtocolError when the peer is not a Tarantool IPROTO endpoint.
 * @example
 * const conn = await connect('tarantool://app:secret@127.0.0.1:3301')
 * await conn.insert('users', [1, 'Ann'])
 * await conn.close()
 */
export async function connect(address: string | number | TarantoolEndpoint, options?: ConnectionOptions): Promise<Connection> {
  const conn = new Connection(address, options)
  await conn._start(false)
  return conn
}

/**
 * Returns a connection at once and connects in the background. Requests made before the first attempt
 * completes wait for it; after a failed attempt they fail with a retryable {@link ConnectionError} while the
 * connection keeps retrying with backoff. A wrong password or unknown user is not retried: requests (those
 * waiting for the first attempt and later ones) fail with {@link AuthError} (`retryable: false`) and the
 * connection stays disconnected until {@link Connection.reconnect} succeeds. go-tarantool's `Connect` also
 * reports authentication errors at once even with reconnection on (`connection.go` in tarantool/go-tarantool).
 *
 * @example
 * const conn = connectLazy('127.0.0.1:3301')
 * await conn.ping()
 */
export function connectLazy(address: string | number | TarantoolEndpoint, options?: ConnectionOptions): Connection {
  const conn = new Connection(address, options)
  conn._start(true).catch(() => {})
  return conn
}
