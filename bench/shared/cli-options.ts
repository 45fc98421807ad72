/**
 * Command-line parsing helpers shared by the benchmark runners.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'

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

/** What every benchmark runner takes on its command line. */
export interface CommonOptions<Client extends string, Op extends string> {
  durationMs: number
  warmupMs: number
  rounds: number
  clients: Client[]
  ops: Op[]
  /** Report file; `undefined` with `--no-write`. */
  out: string | undefined
}

type OptionSpec = { type: 'string'; default: string } | { type: 'boolean'; default: boolean }

/**
 * Parses a runner's command line: the common options (`--duration`, `--warmup`, `--rounds`, `--clients`,
 * `--ops`, `--out`, `--no-write`, `--help`) plus the runner's own `extra` ones. Prints `usage` and returns
 * `undefined` for `--help`.
 *
 * @throws UsageError for a bad value or an unknown option (with `usage` appended).
 */
export function parseBenchArgs<Client extends string, Op extends string>(
  args: string[],
  usage: string,
  defaults: { duration: string; clients: readonly Client[]; ops: readonly Op[]; out: string },
  extra: Record<string, OptionSpec>,
): { common: CommonOptions<Client, Op>; values: Record<string, string | boolean> } | undefined {
  return parseOrUsage(usage, () => {
    const { values } = parseArgs({
      args,
      options: {
        duration: { type: 'string', default: defaults.duration },
        warmup: { type: 'string', default: '0.5' },
        rounds: { type: 'string', default: '3' },
        clients: { type: 'string', default: defaults.clients.join(',') },
        ops: { type: 'string', default: defaults.ops.join(',') },
        out: { type: 'string', default: defaults.out },
        'no-write': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        ...extra,
      },
    }) as { values: Record<string, string | boolean> }
    if (values['help'] === true) {
      console.log(usage)
      return undefined
    }
    const text = (name: string): string => String(values[name])
    return {
      common: {
        durationMs: positive(text('duration'), 'duration') * 1000,
        warmupMs: positive(text('warmup'), 'warmup', true) * 1000,
        rounds: Math.round(positive(text('rounds'), 'rounds')),
        clients: pickList(text('clients'), defaults.clients, 'client'),
        ops: pickList(text('ops'), defaults.ops, 'op'),
        out: values['no-write'] === true ? undefined : resolve(text('out')),
      },
      values,
    }
  })
}
