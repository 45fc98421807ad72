/**
 * Command-line parsing helpers shared by the benchmark runners.
 */

/** A bad command line: run.ts prints the message (which ends with the usage) without a stack. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/**
 * Calls `parse`; any error it throws that is not already a {@link UsageError} becomes one, with `usage`
 * appended to its message.
 */
export function parseOrUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
  }
}

/** `text` as a positive number (or zero with `zeroOk`); throws a {@link UsageError} naming `--<name>`. */
export function positive(text: string, name: string, zeroOk = false): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(text)}`)
  return value
}

/**
 * The comma-separated names in `text`, in the order of `allowed`; throws a {@link UsageError} for a name not in
 * `allowed`.
 */
export function pickList<T extends string>(text: string, allowed: readonly T[], what: string): T[] {
  const picked = text.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const name of picked) {
    if (!allowed.includes(name as T)) throw new UsageError(`Unknown ${what} ${JSON.stringify(name)}; use ${allowed.join(', ')}`)
  }
  return allowed.filter((name) => picked.includes(name))
}
