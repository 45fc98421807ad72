/**
 * Progress of a long step: a `cli-progress` bar on a terminal, periodic plain lines otherwise (a pipe, a CI
 * log, a test), or nothing.
 */
import { Presets, SingleBar } from 'cli-progress'

/** How progress is shown: `'bar'` redraws one line (needs a TTY), `'lines'` prints a line now and then. */
export type ProgressMode = 'bar' | 'lines' | 'none'

/** A running progress display. */
export interface Progress {
  /** Sets how many units are done (monotonic). */
  update(done: number): void
  /** Shows the final state and releases the terminal; idempotent. */
  stop(): void
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** Shown before the bar or at the start of each line, e.g. `'flights'`. */
  label: string
  /** Units at 100 %. */
  total: number
  /** Unit name in lines and the bar, e.g. `'rows'`. */
  unit: string
  mode: ProgressMode
  /** Where `'lines'` go (one call per line, no newline). */
  log: (line: string) => void
  /** Where the bar is drawn; default `process.stdout`. */
  stream?: NodeJS.WriteStream
  /** Milliseconds between two `'lines'` lines at least; default 2000. The last line always prints. */
  interval?: number
}

/** `'bar'` when `stream` is a terminal, else `'lines'`. */
export function defaultProgressMode(stream: NodeJS.WriteStream = process.stdout): ProgressMode {
  return stream.isTTY === true ? 'bar' : 'lines'
}

/**
 * Starts showing progress towards `total`.
 * @example
 * const progress = startProgress({ label: 'flights', total: 3e6, unit: 'rows', mode: 'lines', log: console.log })
 * progress.update(1e6)
 * progress.stop()
 */
export function startProgress(options: ProgressOptions): Progress {
  if (options.mode === 'bar') return barProgress(options)
  if (options.mode === 'lines') return lineProgress(options)
  return { update() {}, stop() {} }
}

function barProgress(options: ProgressOptions): Progress {
  const started = performance.now()
  const bar = new SingleBar(
    {
      format: `  ${options.label.padEnd(8)} [{bar}] {percentage}% | {value}/{total} ${options.unit} | {rate} ${options.unit}/s | ETA {eta_formatted}`,
      stream: options.stream ?? process.stdout,
      fps: 10,
      barsize: 30,
      hideCursor: true,
      etaBuffer: 50,
      formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? formatCount(value) : String(value)),
    },
    Presets.shades_classic,
  )
  bar.start(options.total, 0, { rate: 0 })
  let stopped = false
  return {
    update(done) {
      if (stopped) return
      bar.update(done, { rate: formatCount(rate(done, started)) })
    },
    stop() {
      if (stopped) return
      stopped = true
      bar.stop()
    },
  }
}

function lineProgress(options: ProgressOptions): Progress {
  const started = performance.now()
  const interval = options.interval ?? 2000
  let lastLine = started
  let last = 0
  let stopped = false
  const print = (done: number): void => {
    const percent = options.total === 0 ? 100 : Math.floor((done / options.total) * 100)
    options.log(
      `  ${options.label}: ${formatCount(done)}/${formatCount(options.total)} ${options.unit} (${percent}%), ` +
        `${formatCount(rate(done, started))} ${options.unit}/s`,
    )
  }
  return {
    update(done) {
      if (stopped) return
      last = done
      const now = performance.now()
      if (now - lastLine >= interval && done < options.total) {
        lastLine = now
        print(done)
      }
    },
    stop() {
      if (stopped) return
      stopped = true
      print(last)
    },
  }
}

function rate(done: number, started: number): number {
  const seconds = (performance.now() - started) / 1000
  return seconds > 0 ? Math.round(done / seconds) : 0
}

/** `3000000` → `'3,000,000'`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}
