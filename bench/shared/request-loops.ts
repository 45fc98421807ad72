/**
 * A fixed number of requests kept in flight: `count` loops that each await a request and issue the next.
 */

/** Loops started by {@link startRequestLoops}. */
export interface RequestLoops {
  /** Requests completed so far. */
  readonly done: number
  /** The first error a request threw (every loop stops at it), or `undefined`. */
  readonly failure: unknown
  /** Lets every loop finish its request in flight and stop; resolves when all have. */
  stop(): Promise<void>
}

/**
 * Starts `count` loops that call `request` with a sequence number (from 0, one per request across all loops)
 * until stopped or until a request throws, so exactly `count` requests stay in flight.
 */
export function startRequestLoops(count: number, request: (seq: number) => Promise<unknown>): RequestLoops {
  let seq = 0
  let done = 0
  let stopped = false
  let failure: unknown
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await request(seq++)
      } catch (error) {
        failure ??= error
        stopped = true
        return
      }
      done++
    }
  }
  const loops: Promise<void>[] = []
  for (let i = 0; i < count; i++) loops.push(loop())
  return {
    get done() {
      return done
    },
    get failure() {
      return failure
    },
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    },
  }
}
