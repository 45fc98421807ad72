/**
 * Peak memory of the current process, sampled on a timer while a benchmark window runs.
 */

/** Bytes per MiB. */
export const MiB = 1024 * 1024

/**
 * Samples the process's memory at once and then every `intervalMs` until {@link MemorySampler.stop}, keeping
 * the peaks (bytes). With `heap: false` only the resident set size is read (`process.memoryUsage.rss()`, the
 * cheaper call), and the heap and external peaks stay 0.
 */
export class MemorySampler {
  rssPeak = 0
  heapPeak = 0
  externalPeak = 0
  readonly #heap: boolean
  readonly #timer: NodeJS.Timeout

  constructor(options: { heap: boolean; intervalMs?: number }) {
    this.#heap = options.heap
    this.sample()
    this.#timer = setInterval(() => this.sample(), options.intervalMs ?? 50)
  }

  /** Takes one sample now. */
  sample(): void {
    if (!this.#heap) {
      this.rssPeak = Math.max(this.rssPeak, process.memoryUsage.rss())
      return
    }
    const m = process.memoryUsage()
    this.rssPeak = Math.max(this.rssPeak, m.rss)
    this.heapPeak = Math.max(this.heapPeak, m.heapUsed)
    this.externalPeak = Math.max(this.externalPeak, m.external)
  }

  /** Stops the timer and takes a last sample. */
  stop(): void {
    clearInterval(this.#timer)
    this.sample()
  }
}

/** Runs V8's garbage collector when the process was started with `--expose-gc`; a no-op otherwise. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
}
