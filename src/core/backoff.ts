/** Exponential backoff settings shared by the drivers' reconnect and retry loops. */
export interface BackoffOptions {
  /** Delay before the first retry, ms. Default 100. */
  initialDelay?: number
  /** Upper bound of any delay, ms. Default 10 000. */
  maxDelay?: number
  /** Multiplier between consecutive delays. Default 2. */
  factor?: number
  /** Fraction of random spread added to each delay (0..1) so many clients do not retry in step. Default 0.2. */
  jitter?: number
}

/**
 * Delay before retry number `attempt` (0-based): `min(maxDelay, initialDelay * factor^attempt)`, plus up to
 * `jitter` of itself at random.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelay ?? 100
  const max = options.maxDelay ?? 10_000
  const factor = options.factor ?? 2
  const jitter = options.jitter ?? 0.2
  const base = Math.min(max, initial * Math.pow(factor, Math.min(attempt, 60)))
  return Math.round(base * (1 + Math.random() * jitter))
}
