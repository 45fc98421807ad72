import { Buffer } from 'node:buffer'
import { Readable } from 'node:stream'
import { Pool } from 'undici'
import type { Dispatcher } from 'undici'
import { callScope } from '../core/abort.ts'
import { redactUrl } from '../core/errors.ts'
import { resolveTlsOptions } from '../core/tls-options.ts'
import {
  DruidAbortedError,
  DruidConnectionError,
  DruidError,
  DruidInvalidArgumentError,
  DruidTimeoutError,
  ResponseTooLargeError,
} from './errors.ts'
import { errorFromResponse } from './response-errors.ts'

/** Connection settings shared by every service of one client. */
export interface HttpSettings {
  username?: string
  password?: string
  tlsCert?: string | Buffer
  verifyTls?: boolean
  connectTimeout?: number
  timeout?: number
  maxResponseSize: number
  headers?: Record<string, string>
  poolSize?: number
}

/** A buffered answer. */
export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** Per-call options of the REST layer. */
export interface RestCallOptions {
  /** Query-string parameters (`undefined` values are left out; `true` adds a bare flag such as `?full`). */
  query?: Record<string, string | number | boolean | undefined>
  /** Overrides the client's timeout (ms; 0 none). */
  timeout?: number
  signal?: AbortSignal
  /** Extra request headers. */
  headers?: Record<string, string>
  /** Status codes that are answers rather than errors (default: 2xx only). */
  accept?: readonly number[]
}

/** Fills `{}` placeholders of a path template with URL-encoded arguments (pydruid2 `Service.build_url`). */
export function fillTemplate(template: string, args: readonly (string | number)[]): string {
  let i = 0
  const path = template.replace(/\{[^}]*\}/g, () => {
    if (i >= args.length) throw new DruidInvalidArgumentError(`Path template ${template} needs more arguments than the ${args.length} given`, { code: 'INVALID_ARGUMENT' })
    return encodeURIComponent(String(args[i++]))
  })
  return path
}

function queryString(query: RestCallOptions['query']): string {
  if (query === undefined) return ''
  const parts: string[] = []
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === false) continue
    parts.push(v === true ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

/**
 * One Druid service endpoint (a Router, Broker, Coordinator, Overlord, ... URL) over an undici pool: the raw REST
 * layer every role client builds on (pydruid2 `Service.get/post/delete`, paul-rogers/druid-client
 * `pydruid2/client/service.py`). Non-2xx answers become typed errors ({@link errorFromResponse}); timeouts and
 * aborts become `DruidTimeoutError`/`DruidAbortedError`; buffered bodies are capped at `maxResponseSize`.
 */
export class DruidHttpService {
  /** The service URL without credentials and without a trailing slash, e.g. `http://localhost:8888`. */
  readonly url: string
  readonly #prefix: string
  readonly #pool: Pool
  readonly #headers: Record<string, string>
  readonly settings: HttpSettings

  constructor(url: string, settings: HttpSettings) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch (err) {
      throw new DruidInvalidArgumentError(`Not a URL: ${redactUrl(url)}; pass e.g. http://localhost:8888`, { code: 'INVALID_URL', cause: err })
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new DruidInvalidArgumentError(`Druid URLs are http:// or https://, got ${redactUrl(url)}`, { code: 'INVALID_URL' })
    }
    const username = settings.username ?? (parsed.username !== '' ? decodeURIComponent(parsed.username) : undefined)
    const password = settings.password ?? (parsed.password !== '' ? decodeURIComponent(parsed.password) : undefined)
    this.settings = { ...settings, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) }
    this.#prefix = parsed.pathname.replace(/\/+$/, '')
    this.url = `${parsed.origin}${this.#prefix}`
    this.#headers = { ...settings.headers }
    if (username !== undefined) this.#headers['authorization'] = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`
    const tls = parsed.protocol === 'https:' ? resolveTlsOptions({ verify: settings.verifyTls ?? true, ...(settings.tlsCert !== undefined ? { ca: settings.tlsCert } : {}) }) : {}
    this.#pool = new Pool(parsed.origin, {
      connections: settings.poolSize ?? 8,
      connect: { ...tls, timeout: settings.connectTimeout ?? 10_000 },
      headersTimeout: 0,
      bodyTimeout: 0,
    })
  }

  /** The client for another service with the same credentials and TLS settings. */
  sibling(url: string): DruidHttpService {
    return new DruidHttpService(url, this.settings)
  }

  /**
   * Starts a request and returns the answer with its body unread (for streams). The caller must consume or
   * destroy `body`. `signal` aborts the request and the body.
   *
   * @throws DruidConnectionError when no answer arrived; DruidAbortedError when `signal` fired first.
   */
  async open(method: string, path: string, body: string | undefined, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
    const what = `${method} ${path}`
    try {
      return await this.#pool.request({
        method: method as Dispatcher.HttpMethod,
        path: this.#prefix + path,
        headers: { ...this.#headers, ...headers },
        ...(body !== undefined ? { body } : {}),
        ...(signal !== undefined ? { signal } : {}),
      })
    } catch (err) {
      if (signal?.aborted) throw err
      throw new DruidConnectionError(`${what} to ${this.url} failed: ${(err as Error).message}`, {
        code: (err as { code?: string }).code ?? 'CONNECTION_FAILED',
        retryable: true,
        cause: err,
        url: this.url,
      })
    }
  }

  /**
   * Sends a request and buffers the answer (at most `maxResponseSize` bytes).
   *
   * @throws DruidTimeoutError, DruidAbortedError, DruidConnectionError, ResponseTooLargeError; and a typed server
   *   error ({@link errorFromResponse}) for a status outside 2xx and `options.accept`.
   */
  async call(method: string, path: string, body?: unknown, options: RestCallOptions = {}): Promise<HttpAnswer> {
    const fullPath = path + queryString(options.query)
    const what = `${method} ${fullPath}`
    const timeout = options.timeout ?? this.settings.timeout ?? 0
    const scope = callScope(timeout, options.signal)
    try {
      const headers: Record<string, string> = { ...options.headers }
      let text: string | undefined
      if (body !== undefined) {
        text = typeof body === 'string' ? body : JSON.stringify(body)
        headers['content-type'] ??= 'application/json'
      }
      let answer = await this.open(method, fullPath, text, headers, scope.signal)
      // A non-leading Coordinator/Overlord answers 307 to the leader (as requests does for pydruid2, follow it;
      // the target is a service of the same cluster, so the same credentials go along).
      for (let hops = 0; (answer.statusCode === 307 || answer.statusCode === 308) && hops < 3; hops++) {
        const location = answer.headers['location']
        if (typeof location !== 'string') break
        await readCapped(answer.body, 1 << 16, what, this.url).catch(() => undefined)
        const target = new URL(location, this.url)
        const next = this.sibling(target.origin)
        try {
          answer = await next.open(method, target.pathname + target.search, text, headers, scope.signal)
          const buffered = await readCapped(answer.body, this.settings.maxResponseSize, what, next.url)
          answer = { ...answer, body: Readable.from([buffered]) as never }
        } finally {
          void next.close()
        }
      }
      const buffer = await readCapped(answer.body, this.settings.maxResponseSize, what, this.url)
      const status = answer.statusCode
      if ((status < 200 || status > 299) && !(options.accept ?? []).includes(status)) {
        const id = answer.headers['x-druid-sql-query-id']
        const error = errorFromResponse(what, status, buffer.toString('utf8'), { url: this.url, ...(typeof id === 'string' ? { sqlQueryId: id } : {}) })
        if (status === 401 && this.settings.password?.includes(':') === true) {
          error.message += ' (druid-basic-security rejects passwords that contain ":": the credentials must split into exactly two parts)'
        }
        throw error
      }
      return { status, headers: answer.headers, body: buffer }
    } catch (err) {
      throw this.callError(err, what, scope.ended, timeout, scope.reason)
    } finally {
      scope.dispose()
    }
  }

  /** Maps an error of a call that ended by timeout/abort to the typed error; other errors pass through. */
  callError(err: unknown, what: string, ended: 'timeout' | 'abort' | undefined, timeout: number, reason: unknown, sqlQueryId?: string): unknown {
    const extra = { url: this.url, ...(sqlQueryId !== undefined ? { sqlQueryId } : {}) }
    if (ended === 'timeout') return new DruidTimeoutError(`${what} to ${this.url} got no complete answer within ${timeout} ms`, { code: 'TIMEOUT', cause: err, ...extra })
    if (ended === 'abort') return new DruidAbortedError(`${what} to ${this.url} was aborted`, { code: 'ABORTED', cause: reason, ...extra })
    if (err instanceof DruidError) return err
    return new DruidConnectionError(`${what} to ${this.url} failed: ${(err as Error).message}`, { code: 'CONNECTION_LOST', cause: err, ...extra })
  }

  /** `GET` a JSON answer; `path` may hold `{}` placeholders filled from `args` (URL-encoded). */
  async get<T = unknown>(path: string, args: readonly (string | number)[] = [], options?: RestCallOptions): Promise<T> {
    return parseJson<T>(await this.call('GET', fillTemplate(path, args), undefined, options))
  }

  /** `POST` a JSON body (a string is sent as is), returning the JSON answer (`undefined` for an empty body). */
  async post<T = unknown>(path: string, args: readonly (string | number)[] = [], body?: unknown, options?: RestCallOptions): Promise<T> {
    return parseJson<T>(await this.call('POST', fillTemplate(path, args), body, options))
  }

  /** `DELETE`, returning the JSON answer (`undefined` for an empty body). */
  async delete<T = unknown>(path: string, args: readonly (string | number)[] = [], options?: RestCallOptions): Promise<T> {
    return parseJson<T>(await this.call('DELETE', fillTemplate(path, args), undefined, options))
  }

  /** Closes the connections (bounded: in-flight requests are destroyed after 5 s). */
  async close(): Promise<void> {
    await Promise.race([this.#pool.close(), new Promise((r) => setTimeout(r, 5000).unref())])
    if (!this.#pool.closed) await this.#pool.destroy()
  }
}

function parseJson<T>(answer: HttpAnswer): T {
  if (answer.body.length === 0) return undefined as T
  const text = answer.body.toString('utf8')
  try {
    return JSON.parse(text) as T
  } catch {
    return text as T
  }
}

/** Reads a body up to `max` bytes; past it destroys the body (closing the connection) and throws. */
export async function readCapped(body: Dispatcher.ResponseData['body'], max: number, what: string, url: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > max) {
      body.destroy()
      throw new ResponseTooLargeError(`${what} to ${url}: the answer is larger than maxResponseSize (${max} bytes); reading stopped and the connection was closed. Use stream() for large results, or raise maxResponseSize.`, max, { code: 'RESPONSE_TOO_LARGE', url })
    }
    chunks.push(chunk as Buffer)
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
}
