/**
 * Blue-green ("zero-downtime") strategy state of one e6data target, following the connector's
 * e6data/e6data-python-connector `e6data_python_connector/strategy.py` and `e6data_grpc.py` (`_get_active_strategy`,
 * `_register_query_strategy`, `_apply_pending_strategy`), without its quirks: state is per target (host:port), not
 * process-global; query entries expire after `cacheTimeout` ms without use; a new colour announced by the engine
 * (`new_strategy`) is taken by new queries at once while queries already running keep the colour they started with
 * (each cursor pins its colour and session), so nothing waits for every query to be cleared.
 */
export type Strategy = 'blue' | 'green'

/** Normalises a header/field value: `'blue'`/`'green'` in any case, anything else `undefined`. */
export function normalizeStrategy(value: unknown): Strategy | undefined {
  if (typeof value !== 'string') return undefined
  const v = value.trim().toLowerCase()
  return v === 'blue' || v === 'green' ? v : undefined
}

/** Logger hook for strategy transitions (`E6DATA_STRATEGY_LOG_LEVEL`/`debug`). */
export type StrategyLog = (message: string) => void

export class StrategyState {
  /** The colour new sessions and queries use; `undefined` until detected. */
  active: Strategy | undefined
  /** Incremented whenever `active` changes, so connections holding a session of the old colour re-authenticate. */
  generation = 0
  readonly #queries = new Map<string, { strategy: Strategy; touched: number }>()
  #lastSweep = 0
  cacheTimeout: number
  log: StrategyLog | undefined

  constructor(cacheTimeout: number, log?: StrategyLog) {
    this.cacheTimeout = cacheTimeout
    this.log = log
  }

  /** Records a detected colour (authenticate succeeded with it). */
  setActive(strategy: Strategy, why: string): void {
    if (this.active === strategy) return
    this.log?.(`strategy ${this.active ?? '(none)'} -> ${strategy} (${why})`)
    this.active = strategy
    this.generation++
  }

  /** Forgets the active colour (after a 456), so the next authentication probes again. */
  clearActive(why: string): void {
    if (this.active === undefined) return
    this.log?.(`strategy ${this.active} dropped (${why})`)
    this.active = undefined
    this.generation++
  }

  /** A response carried `new_strategy`: new queries take it from now on. */
  observe(newStrategy: unknown): void {
    const s = normalizeStrategy(newStrategy)
    if (s !== undefined && s !== this.active && this.active !== undefined) this.setActive(s, 'new_strategy from the engine')
  }

  /** Pins a query to the colour it was prepared with. */
  register(queryId: string, strategy: Strategy): void {
    this.#sweep()
    this.#queries.set(queryId, { strategy, touched: Date.now() })
  }

  /** The query's pinned colour (refreshing its TTL), else the active one. */
  strategyFor(queryId: string | undefined): Strategy | undefined {
    if (queryId !== undefined) {
      const e = this.#queries.get(queryId)
      if (e !== undefined) {
        e.touched = Date.now()
        return e.strategy
      }
    }
    return this.active
  }

  /** The query was cleared or cancelled. */
  unregister(queryId: string): void {
    this.#queries.delete(queryId)
  }

  /** Number of pinned queries (for tests and statistics). */
  get pinnedQueries(): number {
    this.#sweep(true)
    return this.#queries.size
  }

  #sweep(force = false): void {
    const now = Date.now()
    if (!force && now - this.#lastSweep < 1000) return
    this.#lastSweep = now
    for (const [id, e] of this.#queries) if (now - e.touched > this.cacheTimeout) this.#queries.delete(id)
  }
}

const states = new Map<string, StrategyState>()

/** The shared state of a target (all Connections and pools to `host:port` share one). */
export function strategyStateFor(target: string, cacheTimeout: number, log?: StrategyLog): StrategyState {
  let s = states.get(target)
  if (s === undefined) {
    s = new StrategyState(cacheTimeout, log)
    states.set(target, s)
  } else {
    s.cacheTimeout = cacheTimeout
    if (log !== undefined) s.log = log
  }
  return s
}
