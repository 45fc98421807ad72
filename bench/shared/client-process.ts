/**
 * A measuring client in a child process, both ends: the runner spawns `node --expose-gc <script> <client>` with
 * the config as JSON in the `BENCH_CONFIG` environment variable; the child measures each op and prints one
 * report as a JSON line on stdout.
 */
import { spawn } from 'node:child_process'

/** What a client process prints: the client, its library version, one result per op, or why it could not run. */
export interface ClientProcessReport<C extends string = string, R = unknown> {
  client: C
  /** Client library version; `'?'` when unknown. */
  version: string
  results: R[]
  /** Set when the client could not run at all (connect failed, …). */
  error?: string
}

/** Parses the last line of `stdout` that starts with `{` as JSON; throws, naming `client`, when there is none. */
export function parseJsonReport<T>(stdout: string, client: string): T {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'))
  if (line === undefined) throw new Error(`${client}: no JSON report on stdout`)
  return JSON.parse(line) as T
}

/**
 * Runs `node --expose-gc <script> <client>` with `config` in `BENCH_CONFIG` and resolves with its report. The
 * child is killed after `budgetMs`; when it prints no report, the report carries an error with its exit status
 * and the last lines of its stderr. Never rejects.
 */
export function runClientProcess<C extends string, R>(
  script: string,
  client: C,
  config: unknown,
  budgetMs: number,
  errorMessage: (error: unknown) => string,
): Promise<ClientProcessReport<C, R>> {
  return runCollecting(process.execPath, ['--expose-gc', script, client], config, budgetMs).then(({ stdout, stderr, code, signal }) => {
    try {
      return parseJsonReport<ClientProcessReport<C, R>>(stdout, client)
    } catch (error) {
      const tail = stderr.trim().split('\n').slice(-5).join(' | ')
      return { client, version: '?', results: [], error: `${errorMessage(error)} (exit ${code ?? signal}): ${tail}` }
    }
  }, (error: unknown) => ({ client, version: '?', results: [], error: errorMessage(error) }))
}

/**
 * Runs `command args` with `config` as JSON in `BENCH_CONFIG` and resolves with its whole stdout and stderr once
 * it exits (killed after `budgetMs` when given).
 *
 * @throws the spawn error (command not found, ...).
 */
export function runCollecting(
  command: string,
  args: string[],
  config: unknown,
  budgetMs?: number,
): Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, BENCH_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = budgetMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), budgetMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ stdout, stderr, code, signal })
    })
  })
}

/** A connected client under test, as far as {@link runClientMain} needs it. */
export interface MeasuredPeer {
  version: string
  close(): Promise<void>
}

/** The child's side: how to load each client and how to measure one op with it. */
export interface ClientMainOptions<Config extends { ops: Op[] }, Op, Peer extends MeasuredPeer, R> {
  loaders: Partial<Record<string, () => Promise<{ createPeer: (config: Config) => Promise<Peer> }>>>
  measure: (peer: Peer, op: Op, config: Config) => Promise<R>
  errorMessage: (error: unknown) => string
  /** Names the kind of client in the error for an unknown name (`'client'`, `'Node client'`). */
  what: string
}

/**
 * The body of a client process: reads the client name (argv[2]) and `BENCH_CONFIG`, connects, measures every
 * op of the config, closes, prints the report as one JSON line and exits (a client that keeps handles open,
 * such as reconnect timers or sockets, must not hang the benchmark).
 */
export async function runClientMain<Config extends { ops: Op[] }, Op, Peer extends MeasuredPeer, R>(options: ClientMainOptions<Config, Op, Peer, R>): Promise<void> {
  const client = process.argv[2]!
  const config = JSON.parse(process.env['BENCH_CONFIG'] ?? '{}') as Config
  const report: ClientProcessReport<string, R> = { client, version: '?', results: [] }
  let peer: Peer | undefined
  try {
    const load = options.loaders[client]
    if (load === undefined) throw new Error(`unknown ${options.what} ${JSON.stringify(client)}`)
    const ready = await (await load()).createPeer(config)
    peer = ready
    report.version = ready.version
    for (const op of config.ops) report.results.push(await options.measure(ready, op, config))
  } catch (error) {
    report.error = options.errorMessage(error)
  }
  try {
    await peer?.close()
  } catch {
    // the numbers are already taken
  }
  process.stdout.write(`${JSON.stringify(report)}\n`)
  process.exit(0)
}
