import { promisify } from 'node:util'
import { kMaxLength } from 'node:buffer'
import { gunzip, inflate } from 'node:zlib'
import type { Dispatcher, Pool, buildConnector } from 'undici'
import { sleep } from '../core/abort.ts'
import { EndpointList } from '../core/endpoint-list.ts'
import { ConnectionError, CrateDBError, InvalidArgumentError, ProtocolError, ResponseTooLargeError } from './errors.ts'
import { exchange, ExchangeFailure, tooLargeError, type BodyLimit, type HttpResponse } from './http-exchange.ts'
import { createConnector, createNodePool, createSessionClient, type SocketSettings } from './node-dispatcher.ts'
import { errorFromResponse } from './response-errors.ts'
import type { CrateDBEvent } from './options.ts'
import type { NodeAddress } from './server-url.ts'

const gunzipAsync = promisify(gunzip)
const inflateAsync = promisify(inflate)

/**
 * Inflates a gzip or deflate answer (CrateDB compresses answers when `http.compression` is on and the request
 * accepted it), on libuv's thread pool. With `limit`, inflating stops as soon as the output passes
 * `limit.maxBytes` (zlib's `maxOutputLength`), so a small gzip bomb never becomes a large buffer.
 *
 * @throws ResponseTooLargeError when the inflated body is over `limit.maxBytes`.
 * @throws ProtocolError for another encoding or a body that does not inflate.
 */
export async function decodeContentEncoding(response: HttpResponse, encoding: string, node: string, what: string, limit?: BodyLimit): Promise<HttpResponse> {
  const kind = encoding.trim().toLowerCase()
  const options = limit === undefined ? {} : { maxOutputLength: Math.max(1, Math.min(limit.maxBytes, kMaxLength)) }
  let body: Buffer
  try {
    if (kind === 'gzip' || kind === 'x-gzip') body = await gunzipAsync(response.body, options)
    else if (kind === 'deflate') body = await inflateAsync(response.body, options)
    else throw new Error(`the driver accepts only gzip and deflate`)
  } catch (err) {
    if (limit !== undefined && (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLargeError(what, { ...limit, node }, `${response.body.length} bytes in Content-Encoding ${encoding}, inflated past the limit`, true)
    }
    throw new ProtocolError(`${what} to ${node} answered HTTP ${response.status} with a body in Content-Encoding ${JSON.stringify(encoding)} that could not be decoded: ${(err as Error).message}`, {
      code: 'INVALID_RESPONSE',
      cause: err,
      node,
      httpStatus: response.status,
    })
  }
  return { ...response, body }
}

/** One node of the cluster with its connection pool. */
export interface CrateNode extends NodeAddress {
  readonly pool: Pool
}

/** Settings of a {@link Transport}. */
export interface TransportSettings {
  nodes: readonly NodeAddress[]
  socket: SocketSettings
  poolSize: number
  retryInterval: number
  /** Ms; delays 0, f, 2f, 4f ... capped at {@link MAX_BACKOFF}. */
  backoffFactor: number
  maxRetries: number
  /** Most bytes of one answer, as received and once inflated; see `CrateDBOptions.maxResponseSize`. */
  maxResponseSize: number
  onEvent?: (event: CrateDBEvent) => void
}

/** One request as the transport sends it. */
export interface TransportRequest {
  method: Dispatcher.HttpMethod
  /** Path below the node's prefix, starting with `/` (`/_sql?types`). */
  path: string
  headers: Record<string, string>
  body?: string | Buffer | null
  /**
   * `true` when sending the request again after it may have reached a node is harmless (reads, upserts,
   * content-addressed blob PUTs). Requests that certainly did not reach a node are always re-sent elsewhere.
   */
  resendable: boolean
  /** `POST /_sql`: for messages. */
  what: string
  /** Cancels the request (and the remaining attempts). */
  signal?: AbortSignal
  /** What to do instead when the answer is over `maxResponseSize`, for the error message. */
  tooLargeHint?: string
}

/**
 * Upper bound of a backoff delay, as urllib3's (urllib3 `Retry.DEFAULT_BACKOFF_MAX`,
 * https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html).
 */
export const MAX_BACKOFF = 120_000

/** Statuses after which a node is set aside (as in crate/crate-python `src/crate/client/http.py`). */
const NODE_DOWN_STATUSES = new Set([502, 503, 504, 509])
/** Of those, the ones that say the request was not processed, so it can go to another node. */
const NOT_PROCESSED_STATUSES = new Set([503, 509])
/**
 * Socket errors typical of a keep-alive connection the server closed: the node itself is fine and stays in the
 * rotation (crate-python), and a resendable request gets one attempt on top of `maxRetries`.
 */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])

/** Thrown when the caller's signal ended a request; `sent` says whether it may have reached the node. */
export class RequestEnded extends Error {
  readonly sent: boolean
  /** The node the request went to, when it had been picked. */
  readonly node: CrateNode | undefined

  constructor(sent: boolean, node: CrateNode | undefined) {
    super('request ended by its signal')
    this.sent = sent
    this.node = node
  }
}

/** Delay in ms before retry number `retry` (1-based): 0, f, 2f, 4f ... capped at 120 s. */
export function backoffFor(retry: number, factor: number): number {
  if (retry <= 1 || factor <= 0) return 0
  return Math.min(MAX_BACKOFF, factor * 2 ** Math.min(retry - 2, 30))
}

function describeFailure(err: ExchangeFailure): string {
  const code = err.code
  const msg = err.error.message || String(err.error)
  return code !== undefined && !msg.includes(code) ? `${msg} (${code})` : msg
}

/**
 * Sends HTTP requests to the nodes of one cluster: round-robin over the active nodes, failover with the rules of
 * crate/crate-python `src/crate/client/http.py` (a node that fails with a network error or 502/503/504/509 is set aside
 * for `retryInterval`), backoff
 * between retries, and one {@link ConnectionError} naming every node tried when all attempts fail.
 *
 * Re-send rule: a request that never reached a socket is re-sent to the next node; one that may have reached a
 * node (the connection broke after it was written, or a 502/504 answered it) is re-sent only when
 * `resendable`. A 503/509 answer means "not processed" and is always re-sent.
 */
export class Transport {
  readonly nodes: EndpointList<CrateNode>
  readonly #settings: TransportSettings
  readonly #connector: buildConnector.connector
  readonly #extraPools = new Map<string, Pool>()
  readonly #sessionClients = new Set<Dispatcher>()
  /** Fires on {@link destroy}: ends backoff waits. */
  readonly #destroyed = new AbortController()
  #closed = false

  constructor(settings: TransportSettings) {
    this.#settings = settings
    this.#connector = createConnector(settings.socket)
    const nodes: CrateNode[] = settings.nodes.map((n) => ({ ...n, pool: createNodePool(n.origin, this.#connector, settings.poolSize) }))
    this.nodes = new EndpointList(nodes, {
      retryInterval: settings.retryInterval,
      onSetAside: (node, reason) => settings.onEvent?.({ type: 'node-down', node: node.url, error: String(reason) }),
      onReadmit: (node) => settings.onEvent?.({ type: 'node-up', node: node.url }),
    })
  }

  /** `true` after {@link close}. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Sends `request` with failover. Resolves with the first response that is not a node failure (any status,
   * including CrateDB error envelopes, which the caller maps).
   *
   * @throws RequestEnded when `request.signal` fired.
   * @throws ConnectionError when every attempt failed, or a non-resendable request failed after it may have
   *   reached a node.
   */
  async send(request: TransportRequest): Promise<{ response: HttpResponse; node: CrateNode }> {
    if (this.#closed) throw new ConnectionError(`${request.what}: the client is closed`, { code: 'CLIENT_CLOSED' })
    let attempts = 1 + this.#settings.maxRetries
    const tried: { node: string; error: string }[] = []
    let lastError: unknown
    let mayHaveExecuted = false
    let staleRetried = false
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const delay = backoffFor(attempt, this.#settings.backoffFactor)
        if (delay > 0) {
          try {
            await sleep(delay, request.signal === undefined ? this.#destroyed.signal : AbortSignal.any([request.signal, this.#destroyed.signal]))
          } catch {
            if (this.#destroyed.signal.aborted) throw new ConnectionError(`${request.what}: the client was closed while the request waited for a retry`, { code: 'CLIENT_CLOSED', cause: lastError, nodes: tried })
            throw new RequestEnded(false, undefined)
          }
        }
      }
      const node = this.nodes.pick()
      let response: HttpResponse
      try {
        response = await exchange(
          node.pool,
          { method: request.method, path: node.prefix + request.path, headers: request.headers, body: request.body ?? null },
          request.signal,
          this.bodyLimit(node.url, request.tooLargeHint),
        )
      } catch (err) {
        // The node answered, too much: not a node failure, and sending again would get the same answer.
        if (err instanceof ResponseTooLargeError) throw err
        if (this.#closed) throw new ConnectionError(`${request.what}: the client was closed while the request was in flight`, { code: 'CLIENT_CLOSED', cause: err })
        const failure = err instanceof ExchangeFailure ? err : new ExchangeFailure(err as Error, true)
        if (request.signal?.aborted) throw new RequestEnded(failure.sent, node)
        if (failure.code === 'UND_ERR_INVALID_ARG') {
          // undici refused the request itself (e.g. a header value): the node is not at fault and nothing was sent.
          throw new InvalidArgumentError(`${request.what} could not be sent: ${failure.message}`, failure.error)
        }
        const text = describeFailure(failure)
        tried.push({ node: node.url, error: text })
        lastError = failure.error
        const stale = failure.sent && STALE_SOCKET_CODES.has(failure.code ?? '')
        if (!stale) this.nodes.setAside(node, text)
        if (stale && request.resendable && !staleRetried) {
          // Typically a keep-alive connection the server (or a proxy) closed while idle: one extra attempt, which
          // with a single node goes to the same node on a fresh connection (crate-python #634).
          staleRetried = true
          attempts++
        }
        if (failure.sent) {
          mayHaveExecuted = true
          if (!request.resendable) {
            throw new ConnectionError(
              `${request.what} to ${node.url} failed after it was sent (${text}); it may or may not have executed, so it ` +
                `was not sent again. Check the data, or pass { idempotent: true } for statements that are safe to repeat.`,
              { code: 'CONNECTION_LOST', retryable: false, cause: failure.error, node: node.url, nodes: tried },
            )
          }
        }
        continue
      }
      const encoding = response.headers['content-encoding']
      if (encoding !== undefined && encoding !== 'identity') response = await decodeContentEncoding(response, String(encoding), node.url, request.what, this.bodyLimit(node.url, request.tooLargeHint))
      if (NODE_DOWN_STATUSES.has(response.status)) {
        const error = errorFromResponse(response.status, response.statusText, response.body, node.url, request.what)
        const text = `HTTP ${response.status}${error instanceof CrateDBError && typeof error.code === 'number' ? ` (CrateDB error ${error.code})` : ''}`
        tried.push({ node: node.url, error: text })
        lastError = error
        this.nodes.setAside(node, text)
        if (!NOT_PROCESSED_STATUSES.has(response.status)) {
          mayHaveExecuted = true
          if (!request.resendable) {
            throw new ConnectionError(
              `${request.what} to ${node.url} answered HTTP ${response.status}; the request may or may not have executed, ` +
                `so it was not sent again. Check the data, or pass { idempotent: true } for statements that are safe to repeat.`,
              { code: 'CONNECTION_LOST', retryable: false, cause: error, node: node.url, httpStatus: response.status, nodes: tried },
            )
          }
        }
        continue
      }
      return { response, node }
    }
    const list = tried.map((t) => `${t.node} (${t.error})`).join(', ')
    throw new ConnectionError(
      `No CrateDB node could serve ${request.what}: tried ${list}. Check that the servers are up and reachable` +
        `${tried.some((t) => /cert|SSL|TLS/i.test(t.error)) ? ', and the TLS settings (caCert, verifySslCert)' : ''}.`,
      {
        code: 'NODES_UNAVAILABLE',
        retryable: !mayHaveExecuted,
        cause: lastError,
        nodes: tried,
        httpStatus: lastError instanceof CrateDBError ? lastError.httpStatus : undefined,
      },
    )
  }

  /**
   * Sends one request to `node` only: no failover, no retry, and the node's rotation state is left alone.
   *
   * @throws RequestEnded when `request.signal` fired; ConnectionError when the node could not be reached.
   */
  async sendToNode(node: CrateNode, request: TransportRequest): Promise<HttpResponse> {
    if (this.#closed) throw new ConnectionError(`${request.what}: the client is closed`, { code: 'CLIENT_CLOSED' })
    let response: HttpResponse
    try {
      response = await exchange(node.pool, { method: request.method, path: node.prefix + request.path, headers: request.headers, body: request.body ?? null }, request.signal, this.bodyLimit(node.url, request.tooLargeHint))
    } catch (err) {
      if (err instanceof ResponseTooLargeError) throw err
      const failure = err instanceof ExchangeFailure ? err : new ExchangeFailure(err as Error, true)
      if (request.signal?.aborted) throw new RequestEnded(failure.sent, node)
      const text = describeFailure(failure)
      throw new ConnectionError(`${request.what} to ${node.url} failed: ${text}`, { code: 'NODE_UNAVAILABLE', retryable: !failure.sent, cause: failure.error, node: node.url, nodes: [{ node: node.url, error: text }] })
    }
    const encoding = response.headers['content-encoding']
    if (encoding !== undefined && encoding !== 'identity') response = await decodeContentEncoding(response, String(encoding), node.url, request.what, this.bodyLimit(node.url, request.tooLargeHint))
    return response
  }

  /**
   * A dispatcher for an origin that is not one of the configured nodes (the target of a blob 307 redirect),
   * created once with the same TLS, keep-alive and pool settings.
   */
  dispatcherFor(origin: string): Dispatcher {
    for (const node of this.nodes.all) if (node.origin === origin) return node.pool
    let pool = this.#extraPools.get(origin)
    if (pool === undefined) {
      pool = createNodePool(origin, this.#connector, this.#settings.poolSize)
      this.#extraPools.set(origin, pool)
    }
    return pool
  }

  /** The `maxResponseSize` cap for an answer from `node`, with `hint` for the error message. */
  bodyLimit(node: string, hint?: string): BodyLimit {
    return { maxBytes: this.#settings.maxResponseSize, node, ...(hint === undefined ? {} : { hint }) }
  }

  /** `true` when `origin` (`http://host:port`) is one of the configured nodes, to which credentials may be sent. */
  isNodeOrigin(origin: string): boolean {
    return this.nodes.all.some((n) => n.origin === origin)
  }

  /** A new single-socket dispatcher to `node`, for a dedicated session; closed with {@link releaseSession}. */
  openSession(node: CrateNode): Dispatcher {
    if (this.#closed) throw new ConnectionError('The client is closed', { code: 'CLIENT_CLOSED' })
    const client = createSessionClient(node.origin, this.#connector)
    this.#sessionClients.add(client)
    return client
  }

  /** Closes a session dispatcher from {@link openSession}: gracefully, or at once with `destroy`. */
  async releaseSession(client: Dispatcher, destroy: boolean): Promise<void> {
    this.#sessionClients.delete(client)
    await (destroy ? client.destroy() : client.close()).catch(() => {})
  }

  /** Closes every pool: requests in flight finish, new ones fail with `CLIENT_CLOSED`. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(this.#dispatchers().map((d) => d.close().catch(() => {})))
  }

  /**
   * Closes every pool at once: requests in flight (also on cursor sessions) fail, their sockets are destroyed,
   * and a request waiting for a retry stops waiting. Requests sent through {@link send} then fail with a
   * `ConnectionError` (`CLIENT_CLOSED`).
   */
  async destroy(): Promise<void> {
    this.#closed = true
    this.#destroyed.abort()
    await Promise.all(this.#dispatchers().map((d) => d.destroy().catch(() => {})))
  }

  #dispatchers(): Dispatcher[] {
    return [...this.nodes.all.map((n) => n.pool), ...this.#extraPools.values(), ...this.#sessionClients]
  }
}
