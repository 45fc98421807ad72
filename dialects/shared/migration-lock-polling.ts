import { setTimeout as sleep } from 'node:timers/promises'

/** Milliseconds a migrator waits for the migration lock before giving up, unless configured: 600 000 (10 min). */
export const DEFAULT_MIGRATION_LOCK_TIMEOUT = 600_000

/** Milliseconds between two attempts to take the migration lock, unless configured: 250. */
export const DEFAULT_MIGRATION_LOCK_POLL_INTERVAL = 250

/** How long {@link pollForLock} keeps trying, and what it throws when it gives up. */
export interface LockPollingOptions {
  /** Ms to keep trying, counted from the call. */
  readonly timeout: number
  /** Ms between two attempts (the last wait is cut short at the deadline). */
  readonly pollInterval: number
  /** Builds the error thrown once the deadline has passed after a failed attempt. */
  readonly timeoutError: () => Error | Promise<Error>
}

/**
 * Calls `attempt` until it takes the lock: an answer other than `undefined` is returned at once; after a
 * failed attempt past the deadline (`timeout` ms after the call) the error from `timeoutError` is thrown,
 * otherwise it waits `pollInterval` ms (at most until the deadline) and tries again. Errors from `attempt`
 * propagate unchanged.
 *
 * @param attempt one try at the lock: what the holder needs to release it, or `undefined` when it is taken.
 * @param options the timeout, the poll interval and the timeout error.
 * @returns the first answer of `attempt` that is not `undefined`.
 * @example
 * const token = await pollForLock(() => tryTake(db), { timeout: 60_000, pollInterval: 250, timeoutError: () => new Error('timed out') })
 */
export async function pollForLock<T>(attempt: () => Promise<T | undefined>, options: LockPollingOptions): Promise<T> {
  const deadline = Date.now() + options.timeout
  for (;;) {
    const taken = await attempt()
    if (taken !== undefined) return taken
    const now = Date.now()
    if (now >= deadline) throw await options.timeoutError()
    await sleep(Math.min(options.pollInterval, deadline - now))
  }
}
