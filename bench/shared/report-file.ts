/**
 * Output of a finished benchmark report.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Prints `markdown` on stdout (after a blank line) and, unless `out` is undefined (`--no-write`), writes it to
 * `out`, creating the folder, and says so through `progress`.
 */
export function emitReport(markdown: string, out: string | undefined, progress: (line: string) => void): void {
  process.stdout.write(`\n${markdown}`)
  if (out !== undefined) {
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, markdown)
    progress(`written to ${out}`)
  }
}
