/**
 * Timeouts and caller `AbortSignal`s folded into one signal per call, so a driver passes a single signal to its
 * transport and still learns afterwards which of the two ended the call.
 */

/** Why a {@link CallScope} ended early. */
export type CallEnd = 'timeout' | 'abort'

/**
 * One call's cancellation scope: a signal that fires when the caller's signal fires or the timeout elapses,
 * whichever is first. Always call {@link CallScope.dispose} when the call settles (it clears the timer and the
 * listener on the caller's signal).
 */
export interface CallScope {
  /** Combined signal; `undefined` when the call has neither a timeout nor a caller signal (the fast path). */
  readonly signal: AbortSignal | undefined
  /** `'timeout'` or `'abort'` once the scope has ended early, else `undefined`. */
  readonly ended: CallEnd | undefined
  /** The caller's abort reason when `ended === 'abort'`. */
  readonly reason: unknown
  /** Milliseconds left before the timeout (Infinity without one). */
  remaining(): number
  /** Clears the timer and detaches from the caller's signal. Idempotent. */
  dispose(): void
}

const NO_SCOPE: CallScope = {
  signal: undefined,
  ended: undefined,
  reason: undefined,
  remaining: () => Infinity,
  dispose: () => {},
}

class Scope implements CallScope {
  readonly #controller = new AbortController()
  readonly #deadline: number
  readonly #callerSignal: AbortSignal | undefined
  #timer: NodeJS.Timeout | undefined
  #onAbort: (() => void) | undefined
  ended: CallEnd | undefined = undefined
  reason: unknown = undefined

  constructor(timeout: number, signal: AbortSignal | undefined) {
    this.#callerSignal = signal
    this.#deadline = timeout > 0 ? Date.now() + timeout : Infinity
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#end('abort', signal.reason)
        return
      }
      this.#onAbort = () => this.#end('abort', signal.reason)
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
    if (timeout > 0) this.#timer = setTimeout(() => this.#end('timeout', undefined), timeout)
  }

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  remaining(): number {
    return Math.max(0, this.#deadline - Date.now())
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#onAbort !== undefined) this.#callerSignal?.removeEventListener('abort', this.#onAbort)
    this.#onAbort = undefined
  }

  #end(kind: CallEnd, reason: unknown): void {
    if (this.ended !== undefined) return
    this.ended = kind
    this.reason = reason
    this.dispose()
    this.#controller.abort(kind === 'timeout' ? new Error('timeout') : reason)
  }
}

/**
 * Builds the cancellation scope of one call. `timeout` is in ms; 0, negative or `undefined` means none.
 *
 * @example
 * const scope = callScope(options.timeout, options.signal)
 * try { return await send(request, scope.signal) }
 * catch (err) { if (scope.ended === 'timeout') throw new TimeoutError('...'); throw err }
 * finally { scope.dispose() }
 */
export function callScope(timeout: number | undefined, signal: AbortSignal | undefined): CallScope {
  if ((timeout === undefined || !(timeout > 0)) && signal === undefined) return NO_SCOPE
  return new Scope(timeout !== undefined && timeout > 0 ? timeout : 0, signal)
}

/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal` fires.
 * `ms <= 0` resolves on the next turn.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
