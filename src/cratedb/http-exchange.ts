import type { Dispatcher } from 'undici'
import { ResponseTooLargeError } from './errors.ts'

/** A complete HTTP response, body buffered. */
export interface HttpResponse {
  status: number
  statusText: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/**
 * A request that failed without a response. `sent` tells whether undici had started writing it to a socket:
 * when `false` the server cannot have seen it, so sending it again (elsewhere) is always safe.
 */
export class ExchangeFailure extends Error {
  readonly sent: boolean
  readonly error: Error

  constructor(error: Error, sent: boolean) {
    super(error.message, { cause: error })
    this.error = error
    this.sent = sent
  }

  /** The errno-style code of the underlying error (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...). */
  get code(): string | undefined {
    return (this.error as { code?: string }).code
  }
}

/** A cap on the body {@link exchange} buffers. */
export interface BodyLimit {
  /** Most body bytes to buffer; past it the request is aborted and its connection destroyed. */
  maxBytes: number
  /** Node URL for the error. */
  node?: string
  /** What to do instead, appended to the error message (e.g. use `client.stream()`). */
  hint?: string
}

/**
 * The typed error for an answer over `limit`; `what` is `METHOD /path`, `detail` says how it was noticed (may be
 * empty), `inflated` that the compressed body was within the limit and its inflated form was not.
 */
export function tooLargeError(what: string, limit: BodyLimit, detail: string, inflated = false): ResponseTooLargeError {
  const stopped = inflated ? 'inflating stopped at the limit' : 'reading stopped at the limit and the connection was closed'
  return new ResponseTooLargeError(
    `${what}${limit.node !== undefined ? ` to ${limit.node}` : ''}: the answer is larger than maxResponseSize (${limit.maxBytes} bytes)` +
      `${detail !== '' ? ` (${detail})` : ''}; ${stopped}.${limit.hint !== undefined ? ` ${limit.hint}` : ''}`,
    { limit: limit.maxBytes, inflated, node: limit.node },
  )
}

class BufferingHandler implements Dispatcher.DispatchHandler {
  sent = false
  #controller: Dispatcher.DispatchController | null = null
  #status = 0
  #statusText = ''
  #headers: Record<string, string | string[] | undefined> = {}
  #chunks: Buffer[] = []
  #size = 0
  #settled = false
  readonly #resolve: (r: HttpResponse) => void
  readonly #reject: (e: unknown) => void
  readonly #signal: AbortSignal | undefined
  readonly #onAbort: (() => void) | undefined
  readonly #limit: BodyLimit | undefined
  readonly #what: string

  constructor(resolve: (r: HttpResponse) => void, reject: (e: unknown) => void, signal: AbortSignal | undefined, limit: BodyLimit | undefined, what: string) {
    this.#resolve = resolve
    this.#reject = reject
    this.#signal = signal
    this.#limit = limit
    this.#what = what
    if (signal !== undefined) {
      this.#onAbort = () => {
        const reason = signal.reason instanceof Error ? signal.reason : new Error('aborted')
        this.#controller?.abort(reason)
        this.#fail(reason)
      }
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#settled) {
      controller.abort(new Error('aborted'))
      return
    }
    this.#controller = controller
    this.sent = true
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200) return
    this.#status = statusCode
    this.#statusText = statusMessage ?? ''
    this.#headers = headers
    const declared = Number(headers['content-length'])
    if (this.#limit !== undefined && declared > this.#limit.maxBytes) this.#tooLarge(controller, `Content-Length: ${declared}`)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return
    this.#size += chunk.length
    if (this.#limit !== undefined && this.#size > this.#limit.maxBytes) return this.#tooLarge(controller, '')
    this.#chunks.push(chunk)
  }

  /** Stops reading: aborting destroys the socket (undici does not drain an aborted response), and rejects. */
  #tooLarge(controller: Dispatcher.DispatchController, detail: string): void {
    const error = tooLargeError(this.#what, this.#limit!, detail)
    this.#chunks = []
    this.#fail(error, false)
    controller.abort(error)
  }

  onResponseEnd(): void {
    if (this.#settled) return
    this.#settled = true
    this.#detach()
    const chunks = this.#chunks
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#size)
    this.#resolve({ status: this.#status, statusText: this.#statusText, headers: this.#headers, body })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error)
  }

  #fail(error: Error, wrap = true): void {
    if (this.#settled) return
    this.#settled = true
    this.#detach()
    this.#reject(wrap ? new ExchangeFailure(error, this.sent) : error)
  }

  #detach(): void {
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort)
  }
}

/**
 * Sends one request through `dispatcher` and buffers the whole response. Uses undici's handler API directly (no
 * body stream objects on the hot path) and records whether the request reached a socket. With `limit`, a body
 * (declared or received) over `limit.maxBytes` stops the exchange at once: the chunks buffered so far are
 * dropped and the connection is destroyed rather than drained.
 *
 * @throws ExchangeFailure when no complete response arrived (connect failure, socket error, abort).
 * @throws ResponseTooLargeError when the body is over `limit.maxBytes`.
 */
export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: AbortSignal, limit?: BodyLimit): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ExchangeFailure(signal.reason instanceof Error ? signal.reason : new Error('aborted'), false))
      return
    }
    // A HEAD answer has no body; its Content-Length is the resource's.
    const handler = new BufferingHandler(resolve, reject, signal, options.method === 'HEAD' ? undefined : limit, `${options.method} ${options.path}`)
    try {
      dispatcher.dispatch(options, handler)
    } catch (err) {
      handler.onResponseError(null as unknown as Dispatcher.DispatchController, err as Error)
    }
  })
}
