import { DialectryError } from './errors.ts'

/**
 * A list of interchangeable endpoints (cluster nodes, brokers, ...) used round-robin, where an endpoint that
 * failed is set aside for a while and then re-admitted.
 *
 * The rules follow crate-python's server pool (crate/crate-python `src/crate/client/http.py`), which other HTTP drivers
 * share:
 * - {@link EndpointList.pick} returns the active endpoints in turn.
 * - {@link EndpointList.setAside} takes a failed endpoint out of the rotation and records when.
 * - Before each pick, endpoints set aside at least `retryInterval` ms ago are re-admitted.
 * - When every endpoint is set aside, `pick` re-admits and returns the one set aside longest ago, so a call is
 *   always attempted somewhere.
 */
export interface EndpointListOptions<T> {
  /** Milliseconds an endpoint stays set aside before it is tried again. Default 30 000. */
  retryInterval?: number
  /** Clock in ms; tests pass a fake one. Default `Date.now`. */
  now?: () => number
  /** Called when an endpoint leaves the rotation (with the reason given to `setAside`). */
  onSetAside?: (endpoint: T, reason: unknown) => void
  /** Called when a set-aside endpoint returns to the rotation. */
  onReadmit?: (endpoint: T) => void
}

interface Entry<T> {
  readonly endpoint: T
  /** Time (ms) it was set aside; -1 while active. */
  downSince: number
}

/**
 * Round-robin endpoint list with failover and timed re-admission.
 *
 * @example
 * const nodes = new EndpointList(['http://a:4200/', 'http://b:4200/'], { retryInterval: 30_000 })
 * const node = nodes.pick()
 * try { await send(node) } catch (err) { nodes.setAside(node, err) }
 */
export class EndpointList<T> {
  readonly #entries: Entry<T>[]
  readonly #byEndpoint = new Map<T, Entry<T>>()
  readonly #retryInterval: number
  readonly #now: () => number
  readonly #onSetAside: ((endpoint: T, reason: unknown) => void) | undefined
  readonly #onReadmit: ((endpoint: T) => void) | undefined
  #next = 0
  #down = 0

  /** @throws DialectryError (code `INVALID_ARGUMENT`) when `endpoints` is empty or `retryInterval` is negative. */
  constructor(endpoints: readonly T[], options: EndpointListOptions<T> = {}) {
    if (endpoints.length === 0) throw new DialectryError('An endpoint list needs at least one endpoint', { code: 'INVALID_ARGUMENT' })
    const retryInterval = options.retryInterval ?? 30_000
    if (!(retryInterval >= 0)) throw new DialectryError(`retryInterval must be >= 0 ms, got ${retryInterval}`, { code: 'INVALID_ARGUMENT' })
    this.#retryInterval = retryInterval
    this.#now = options.now ?? Date.now
    this.#onSetAside = options.onSetAside
    this.#onReadmit = options.onReadmit
    this.#entries = endpoints.map((endpoint) => ({ endpoint, downSince: -1 }))
    for (const e of this.#entries) this.#byEndpoint.set(e.endpoint, e)
  }

  /** Every endpoint, in the order given. */
  get all(): T[] {
    return this.#entries.map((e) => e.endpoint)
  }

  /** Endpoints currently in the rotation (after re-admitting those whose interval has passed). */
  get active(): T[] {
    this.#readmitDue()
    return this.#entries.filter((e) => e.downSince < 0).map((e) => e.endpoint)
  }

  /** Number of endpoints. */
  get size(): number {
    return this.#entries.length
  }

  /** `true` while `endpoint` is in the rotation. Unknown endpoints are reported inactive. */
  isActive(endpoint: T): boolean {
    const e = this.#byEndpoint.get(endpoint)
    return e !== undefined && e.downSince < 0
  }

  /**
   * The next endpoint to use: the next active one in turn; when none is active, the one set aside longest ago
   * (which is re-admitted).
   */
  pick(): T {
    if (this.#down > 0) this.#readmitDue()
    const entries = this.#entries
    const n = entries.length
    if (this.#down < n) {
      for (let i = 0; i < n; i++) {
        const idx = (this.#next + i) % n
        const e = entries[idx]!
        if (e.downSince < 0) {
          this.#next = (idx + 1) % n
          return e.endpoint
        }
      }
    }
    let oldest = entries[0]!
    for (const e of entries) if (e.downSince < oldest.downSince) oldest = e
    this.#readmit(oldest)
    this.#next = (entries.indexOf(oldest) + 1) % n
    return oldest.endpoint
  }

  /**
   * Takes `endpoint` out of the rotation until `retryInterval` has passed. Returns `false` when it was already
   * set aside (its time is refreshed) or is not in the list.
   */
  setAside(endpoint: T, reason?: unknown): boolean {
    const e = this.#byEndpoint.get(endpoint)
    if (e === undefined) return false
    const wasActive = e.downSince < 0
    e.downSince = this.#now()
    if (wasActive) {
      this.#down++
      this.#onSetAside?.(endpoint, reason)
    }
    return wasActive
  }

  /** Puts `endpoint` back into the rotation at once (e.g. after it answered). */
  readmit(endpoint: T): void {
    const e = this.#byEndpoint.get(endpoint)
    if (e !== undefined && e.downSince >= 0) this.#readmit(e)
  }

  #readmitDue(): void {
    const now = this.#now()
    for (const e of this.#entries) {
      if (e.downSince >= 0 && now - e.downSince >= this.#retryInterval) this.#readmit(e)
    }
  }

  #readmit(e: Entry<T>): void {
    if (e.downSince < 0) return
    e.downSince = -1
    this.#down--
    this.#onReadmit?.(e.endpoint)
  }
}
