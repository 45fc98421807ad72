import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { callScope, type CallScope } from '../core/abort.ts'
import { endedError } from './call-errors.ts'
import { BlobError, BlobLocationNotFoundError, ConnectionError, CrateDBError, DigestNotFoundError, InvalidArgumentError } from './errors.ts'
import { exchange, ExchangeFailure, type HttpResponse } from './http-exchange.ts'
import { errorFromResponse } from './response-errors.ts'
import { RequestEnded, type Transport } from './transport.ts'
import type { CallOptions } from './options.ts'

/** What a blob container needs from its client. */
export interface BlobContext {
  transport: Transport
  /** Authorization (and other per-client) headers. */
  headers: Record<string, string>
  /** Client default timeout in ms (0: none). */
  timeout: number
}

/** Result of {@link BlobContainer.put}. */
export interface BlobPutResult {
  /** SHA-1 of the content, 40 lower-case hex digits: the blob's key. */
  digest: string
  /** `true` when the blob was stored now (201), `false` when the table already held it (409). */
  created: boolean
}

/** Options of {@link BlobContainer.put}. */
export interface BlobPutOptions extends CallOptions {
  /**
   * The content's SHA-1 digest, when known. Required to send a `Readable` without buffering it: without it the
   * stream is read into memory first to compute the digest.
   */
  digest?: string
}

const MAX_REDIRECTS = 5
/** For a blob over `maxResponseSize`. */
const BLOB_TOO_LARGE_HINT = 'Read large blobs with getStream(), which does not buffer them, or raise the maxResponseSize option.'
const DIGEST = /^[0-9a-f]{40}$/

function checkDigest(digest: string, table: string): string {
  const d = typeof digest === 'string' ? digest.toLowerCase() : ''
  if (!DIGEST.test(d)) throw new InvalidArgumentError(`A blob digest is a SHA-1 of 40 hex digits, got ${JSON.stringify(digest)} (table ${table})`)
  return d
}

/** SHA-1 hex digest of `data`, the key CrateDB stores a blob under. */
export function blobDigest(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex')
}

/**
 * The blobs of one blob table (https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html; crate-python's
 * BlobContainer, crate/crate-python `src/crate/client/blob.py`): content-addressed by SHA-1,
 * under `/_blobs/<table>/<digest>`. Requests go to the nodes round-robin with failover; a 307 redirect to the
 * node that holds the blob's shard is followed (up to 5 times). The credentials go along only when the target is
 * one of the client's configured nodes (same scheme, host and port): a redirect to any other origin is followed
 * without the `Authorization` header, so list every node in `servers` on clusters with authentication.
 *
 * Create with `client.blobs(table)`; the table must exist (`CREATE BLOB TABLE name`).
 *
 * @example
 * const images = client.blobs('images')
 * const { digest } = await images.put(Buffer.from('hello'))
 * const data = await images.get(digest)
 */
export class BlobContainer {
  /** Blob table name. */
  readonly table: string
  readonly #ctx: BlobContext
  readonly #base: string

  /** @internal Use `client.blobs(table)`. */
  constructor(ctx: BlobContext, table: string) {
    if (typeof table !== 'string' || table === '' || table.startsWith('_') || table.includes('/')) {
      throw new InvalidArgumentError(`Not a blob table name: ${JSON.stringify(table)} (non-empty, no '/', must not start with '_')`)
    }
    this.table = table
    this.#ctx = ctx
    this.#base = `/_blobs/${encodeURIComponent(table)}/`
  }

  /**
   * Stores `data` (https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html PUT: 201 created, 409 exists).
   * A Buffer/Uint8Array is hashed and sent as is; a
   * `Readable` is streamed when `options.digest` is given (after a HEAD that finds the node holding the blob
   * and skips the upload when it exists — the stream is then left unread), else read into memory first.
   *
   * @throws BlobError when the server rejects the content (400: digest mismatch or not a blob table).
   * @throws BlobLocationNotFoundError when the blob table does not exist (404).
   * @throws ConnectionError, TimeoutError, RequestAbortedError as for SQL calls.
   */
  async put(data: Buffer | Uint8Array | Readable, options: BlobPutOptions = {}): Promise<BlobPutResult> {
    if (data instanceof Readable && options.digest === undefined) data = await readAll(data)
    if (data instanceof Readable) return this.#putStream(data, checkDigest(options.digest!, this.table), options)
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError(`blobs(${JSON.stringify(this.table)}).put takes a Buffer, Uint8Array or Readable`)
    const digest = options.digest !== undefined ? checkDigest(options.digest, this.table) : blobDigest(data)
    const res = await this.#locate('PUT', digest, data, true, options)
    return { digest, created: this.#putOutcome(res.response, digest, res.origin) }
  }

  /**
   * The blob's content, buffered: at most the client's `maxResponseSize` bytes (use {@link getStream} for larger
   * blobs).
   * @throws DigestNotFoundError when the table does not hold `digest` (404).
   * @throws ResponseTooLargeError when the blob is larger than `maxResponseSize`.
   */
  async get(digest: string, options: CallOptions = {}): Promise<Buffer> {
    const d = checkDigest(digest, this.table)
    const { response, origin } = await this.#locate('GET', d, null, true, options)
    if (response.status === 200) return response.body
    throw this.#error(response, d, 'GET', origin)
  }

  /**
   * The blob's content as a stream (for blobs too large to hold in memory). Finds the node holding it with a
   * HEAD first, then streams the GET from there. The call's timeout covers getting the response headers. Not
   * capped by `maxResponseSize`: the caller reads it at its own pace.
   * @throws DigestNotFoundError when the table does not hold `digest`.
   */
  async getStream(digest: string, options: CallOptions = {}): Promise<Readable> {
    const d = checkDigest(digest, this.table)
    const { response, dispatcher, path, origin } = await this.#locate('HEAD', d, null, true, options)
    if (response.status !== 200) throw this.#error(response, d, 'GET', origin)
    const scope = callScope(options.timeout ?? this.#ctx.timeout, options.signal)
    try {
      const res = await dispatcher.request({ method: 'GET', path, headers: this.#ctx.headers, signal: scope.signal })
      if (res.statusCode !== 200) {
        const body = await readErrorBody(res.body)
        throw this.#error({ status: res.statusCode, statusText: '', headers: {}, body }, d, 'GET', origin)
      }
      return res.body
    } catch (err) {
      if (scope.ended !== undefined) throw endedError(scope, `GET ${this.#base}${d}`, true, options.timeout ?? this.#ctx.timeout)
      if (err instanceof CrateDBError) throw err
      throw new ConnectionError(`GET ${this.#base}${d} to ${origin} failed: ${(err as Error).message}`, { code: 'CONNECTION_LOST', cause: err, retryable: true, node: origin })
    } finally {
      scope.dispose()
    }
  }

  /** `true` when the table holds `digest` (HEAD 200), `false` when not (404). */
  async exists(digest: string, options: CallOptions = {}): Promise<boolean> {
    const d = checkDigest(digest, this.table)
    const { response, origin } = await this.#locate('HEAD', d, null, true, options)
    if (response.status === 200) return true
    if (response.status === 404) return false
    throw this.#error(response, d, 'HEAD', origin)
  }

  /** Deletes the blob: `true` when it existed (204), `false` when not (404). */
  async delete(digest: string, options: CallOptions = {}): Promise<boolean> {
    const d = checkDigest(digest, this.table)
    const { response, origin } = await this.#locate('DELETE', d, null, false, options)
    if (response.status === 204 || response.status === 200) return true
    if (response.status === 404) return false
    throw this.#error(response, d, 'DELETE', origin)
  }

  async #putStream(stream: Readable, digest: string, options: CallOptions): Promise<BlobPutResult> {
    const probe = await this.#locate('HEAD', digest, null, true, options)
    if (probe.response.status === 200) return { digest, created: false }
    const scope = callScope(options.timeout ?? this.#ctx.timeout, options.signal)
    let res: HttpResponse
    try {
      res = await exchange(probe.dispatcher, { method: 'PUT', path: probe.path, headers: { ...this.#ctx.headers, 'content-type': 'application/octet-stream' }, body: stream }, scope.signal)
    } catch (err) {
      if (scope.ended !== undefined) throw endedError(scope, `PUT ${this.#base}${digest}`, true, options.timeout ?? this.#ctx.timeout)
      throw new ConnectionError(`PUT ${this.#base}${digest} failed: ${(err as Error).message}`, { code: 'CONNECTION_LOST', cause: err, retryable: false })
    } finally {
      scope.dispose()
    }
    if (res.status === 307) {
      throw new BlobError(`PUT ${this.#base}${digest} was redirected after the node was located; a stream cannot be sent twice. Retry the put.`, { code: 'HTTP_307', httpStatus: 307, table: this.table, digest, retryable: true })
    }
    return { digest, created: this.#putOutcome(res, digest, probe.origin) }
  }

  #putOutcome(res: HttpResponse, digest: string, origin: string): boolean {
    if (res.status === 201 || res.status === 200) return true
    if (res.status === 409) return false
    throw this.#error(res, digest, 'PUT', origin)
  }

  #error(res: HttpResponse, digest: string, method: string, origin: string): Error {
    const what = `${method} ${this.#base}${digest}`
    const text = res.body.subarray(0, 300).toString('utf8').trim()
    const base = { httpStatus: res.status, table: this.table, digest, node: `${origin}/` }
    if (res.status === 404 && method === 'PUT') {
      return new BlobLocationNotFoundError(`${what}: blob table ${JSON.stringify(this.table)} not found${text ? ` (${text})` : ''}`, { code: 'HTTP_404', ...base })
    }
    if (res.status === 404) {
      return new DigestNotFoundError(`${what}: blob ${digest} not found in blob table ${JSON.stringify(this.table)}`, { code: 'HTTP_404', ...base })
    }
    if (res.status === 400 && method === 'PUT') {
      return new BlobError(`${what} was rejected (HTTP 400): the content does not match the digest, or ${JSON.stringify(this.table)} is not a blob table${text ? ` (${text})` : ''}`, { code: 'HTTP_400', ...base })
    }
    const err = errorFromResponse(res.status, res.statusText, res.body, `${origin}/`, what)
    return new BlobError(`${what} failed: ${err.message}`, { code: err.code, cause: err, ...base, retryable: err.retryable })
  }

  /** Sends the request with failover, follows 307s; returns the final response and where it came from. */
  async #locate(
    method: 'GET' | 'PUT' | 'HEAD' | 'DELETE',
    digest: string,
    body: Uint8Array | null,
    resendable: boolean,
    options: CallOptions,
  ): Promise<{ response: HttpResponse; dispatcher: Dispatcher; path: string; origin: string }> {
    const timeout = options.timeout ?? this.#ctx.timeout
    const scope = callScope(timeout, options.signal)
    const path = this.#base + digest
    const what = `${method} ${path}`
    let headers = body === null ? this.#ctx.headers : { ...this.#ctx.headers, 'content-type': 'application/octet-stream' }
    const payload = body === null ? null : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    try {
      const first = await this.#ctx.transport.send({ method, path, headers, body: payload, resendable, what, signal: scope.signal, tooLargeHint: BLOB_TOO_LARGE_HINT })
      let response = first.response
      let dispatcher: Dispatcher = first.node.pool
      let origin = first.node.origin
      let target = first.node.prefix + path
      for (let i = 0; response.status === 307 && i < MAX_REDIRECTS; i++) {
        const location = response.headers['location']
        const loc = Array.isArray(location) ? location[0] : location
        if (loc === undefined) break
        const url = new URL(loc, `${first.node.origin}${target}`)
        if (url.protocol !== 'https:' && new URL(origin).protocol === 'https:') {
          // Following would send the credentials and the blob in clear text.
          throw new BlobError(`${what}: ${origin} redirected to ${url.origin}, which is not HTTPS; the driver does not follow a redirect from HTTPS to plain HTTP`, {
            code: 'INSECURE_REDIRECT',
            httpStatus: 307,
            table: this.table,
            digest,
          })
        }
        dispatcher = this.#ctx.transport.dispatcherFor(url.origin)
        origin = url.origin
        target = url.pathname + url.search
        // Credentials go only to the configured nodes: a redirect elsewhere is followed without Authorization, as
        // browsers and undici's redirect handler do for a cross-origin redirect (https://fetch.spec.whatwg.org/#http-redirect-fetch).
        if (!this.#ctx.transport.isNodeOrigin(url.origin)) headers = withoutAuthorization(headers)
        response = await exchange(dispatcher, { method, path: target, headers, body: payload }, scope.signal, this.#ctx.transport.bodyLimit(origin, BLOB_TOO_LARGE_HINT))
      }
      if (response.status === 307) throw new BlobError(`${what}: too many redirects`, { code: 'HTTP_307', httpStatus: 307, table: this.table, digest })
      return { response, dispatcher, path: target, origin }
    } catch (err) {
      if (err instanceof RequestEnded) throw endedError(scope, what, err.sent, timeout, err.node?.url)
      if (scope.ended !== undefined) throw endedError(scope, what, true, timeout)
      if (err instanceof ExchangeFailure) {
        throw new ConnectionError(`${what} failed after a redirect: ${err.message}`, { code: 'CONNECTION_LOST', cause: err.error, retryable: !err.sent })
      }
      throw err
    } finally {
      scope.dispose()
    }
  }
}

/** Most bytes of an error answer's body `getStream()` reads for the message; the rest is discarded. */
const ERROR_BODY_BYTES = 64 * 1024

/** The start of an error answer's body; the stream is destroyed after {@link ERROR_BODY_BYTES}. */
async function readErrorBody(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk as Buffer)
    size += (chunk as Buffer).length
    if (size >= ERROR_BODY_BYTES) break // leaving the loop destroys the stream and its connection
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_BYTES)
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  const rest = { ...headers }
  for (const name of Object.keys(rest)) if (name.toLowerCase() === 'authorization') delete rest[name]
  return rest
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks)
}
