import type { Dispatcher } from 'undici'

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

  constructor(resolve: (r: HttpResponse) => void, reject: (e: unknown) => void, signal: AbortSignal | undefined) {
    this.#resolve = resolve
    this.#reject = reject
    this.#signal = signal
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

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200) return
    this.#status = statusCode
    this.#statusText = statusMessage ?? ''
    this.#headers = headers
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#size += chunk.length
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

  #fail(error: Error): void {
    if (this.#settled) return
    this.#settled = true
    this.#detach()
    this.#reject(new ExchangeFailure(error, this.sent))
  }

  #detach(): void {
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort)
  }
}

/**
 * Sends one request through `dispatcher` and buffers the whole response. Uses undici's handler API directly (no
 * body stream objects on the hot path) and records whether the request reached a socket.
 *
 * @throws ExchangeFailure when no complete response arrived (connect failure, socket error, abort).
 */
export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: AbortSignal): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ExchangeFailure(signal.reason instanceof Error ? signal.reason : new Error('aborted'), false))
      return
    }
    const handler = new BufferingHandler(resolve, reject, signal)
    try {
      dispatcher.dispatch(options, handler)
    } catch (err) {
      handler.onResponseError(null as unknown as Dispatcher.DispatchController, err as Error)
    }
  })
}
