import { randomBytes } from 'node:crypto'
import { findTarantoolBinary } from './find-tarantool-binary.ts'
import { installTarantoolWithApt, NO_APT_ENV, type AptInstallOptions, type AptInstallResult } from './provision-apt.ts'
import { TarantoolProvisionError } from './provision-error.ts'
import { startTarantool, type StartTarantoolOptions, type TarantoolProcess } from './tarantool-process.ts'

/** Where a provisioned Tarantool came from. */
export type TarantoolSource = 'env' | 'local' | 'testcontainers'

/** Options of {@link provisionTarantool}: those of {@link startTarantool} plus the fallbacks. */
export interface ProvisionTarantoolOptions extends StartTarantoolOptions {
  /** Try a Docker engine through the optional `testcontainers` package when no binary is found; default `true`. */
  docker?: boolean
  /** Image for the Docker path; default `'tarantool/tarantool:2.11'`. */
  image?: string
}

/** A Tarantool endpoint ready for tests, whatever provided it. */
export interface ProvisionedTarantool {
  /** `tarantool://user:password@host:port` (percent-encoded credentials), or `tarantool://host:port` for guest. */
  uri: string
  host: string
  port: number
  /** Unix socket path; only for `source: 'local'`. */
  socketPath?: string
  /** `'guest'` when `TARANTOOL_URL` names no user. */
  user: string
  /** `''` for guest. */
  password: string
  source: TarantoolSource
  /** The local server handle (kill/restart/logs); only for `source: 'local'`. */
  process?: TarantoolProcess
  /** Stops what was started; a no-op for `source: 'env'` (the server is not ours). Idempotent. */
  stop(): Promise<void>
}

/**
 * Gives tests, the demo and benchmarks a Tarantool, in this order:
 * 1. `TARANTOOL_URL` (from `options.env`, default `process.env`): parsed and returned as is, `stop()` is a no-op.
 *    Forms: `tarantool://user:password@host:port`, `user:password@host:port`, `host:port` (guest).
 * 2. a local `tarantool` binary (`options.bin`, `TARANTOOL_BIN`, or `PATH`): {@link startTarantool}.
 * 3. on Debian/Ubuntu, when running as root with `apt-get` on `PATH` and neither `options.bin` nor `TARANTOOL_BIN`
 *    given: Debian's `tarantool` package is installed (`apt-get update`, then
 *    `DEBIAN_FRONTEND=noninteractive apt-get install -y tarantool`), announced on stderr, then started as in 2.
 *    Concurrent provisioners (test workers, a demo) install once: one holds a lock file in `os.tmpdir()`, the
 *    others wait and use what it installed. `DIALECTRY_NO_APT=1` turns this step off.
 * 4. a Docker engine, via the optional peer dependency `testcontainers` (imported only here): image
 *    `options.image` with `TARANTOOL_USER_NAME`/`TARANTOOL_USER_PASSWORD`, port 3301 mapped. Options that need
 *    the generated init script (`initLua`, `readOnly`, `boxCfg`, `replicateFrom`) are refused on this path.
 *
 * @example
 * const tarantool = await provisionTarantool()
 * try {
 *   console.log(tarantool.source, tarantool.uri)
 * } finally {
 *   await tarantool.stop()
 * }
 * @throws TarantoolProvisionError code `INVALID_OPTIONS` for an unparsable `TARANTOOL_URL` or options the
 *   Docker path cannot honour, `TARANTOOL_NOT_FOUND` when none of the four is available (the message names what
 *   to run: `sudo apt-get install -y tarantool` for a non-root user on Debian/Ubuntu, else how to install
 *   Tarantool, or to set `TARANTOOL_URL`), and the errors of {@link startTarantool}.
 */
export function provisionTarantool(options: ProvisionTarantoolOptions = {}): Promise<ProvisionedTarantool> {
  return provisionTarantoolWith(options, {})
}

/**
 * Seams of {@link provisionTarantoolWith}, for tests that check the order without changing the machine. Not part
 * of the package's API.
 */
export interface ProvisionSeams {
  /** Passed to the apt step (`uid`, `osReleasePath`, `lockPath`, `output`, ...). */
  apt?: Omit<AptInstallOptions, 'env'>
  /** Replaces the testcontainers path. */
  startContainer?: (options: ProvisionTarantoolOptions) => Promise<ProvisionedTarantool | undefined>
}

/** {@link provisionTarantool} with its machine-facing steps replaceable. @internal */
export async function provisionTarantoolWith(
  options: ProvisionTarantoolOptions,
  seams: ProvisionSeams,
): Promise<ProvisionedTarantool> {
  const env = options.env ?? process.env
  const url = env['TARANTOOL_URL']
  if (url !== undefined && url !== '') return fromUrl(url)

  if (findTarantoolBinary(options.bin, env) !== undefined) return startLocal(options)

  let apt: AptInstallResult | undefined
  const explicitBin = options.bin !== undefined || (env['TARANTOOL_BIN'] ?? '') !== ''
  if (!explicitBin) {
    apt = await installTarantoolWithApt({ ...seams.apt, env })
    if (apt.status === 'installed' || apt.status === 'found') return startLocal(options)
  }

  if (options.docker ?? true) {
    const started = await (seams.startContainer ?? startContainer)(options)
    if (started !== undefined) return started
  }
  const hint =
    apt === undefined || !('hint' in apt)
      ? `${options.bin === undefined ? 'TARANTOOL_BIN' : 'The bin option'} names no executable file: point it at the ` +
        'tarantool binary (Debian/Ubuntu: apt-get install -y tarantool installs /usr/bin/tarantool) or leave it unset'
      : apt.hint
  throw new TarantoolProvisionError(
    'No Tarantool available: TARANTOOL_URL is not set, no tarantool binary is on PATH (or TARANTOOL_BIN), ' +
      `${apt === undefined ? '' : aptSentence(apt)}and no Docker engine answered. ` +
      `${hint}, or set TARANTOOL_URL=tarantool://user:password@host:3301.`,
    { code: 'TARANTOOL_NOT_FOUND' },
  )
}

function aptSentence(apt: AptInstallResult): string {
  if (apt.status === 'failed') return 'installing it with apt-get failed, '
  if (apt.status !== 'skipped') return ''
  switch (apt.reason) {
    case 'disabled':
      return `apt-get was not tried (${NO_APT_ENV} is set), `
    case 'not-root':
      return 'apt-get was not tried (not running as root), '
    case 'no-apt-get':
    case 'not-debian':
      return ''
  }
}

async function startLocal(options: ProvisionTarantoolOptions): Promise<ProvisionedTarantool> {
  const server = await startTarantool(options)
  return {
    uri: server.uri,
    host: server.host,
    port: server.port,
    ...(server.socketPath === undefined ? {} : { socketPath: server.socketPath }),
    user: server.user,
    password: server.password,
    source: 'local',
    process: server,
    stop: () => server.stop(),
  }
}

/**
 * Parses `TARANTOOL_URL`.
 * @throws TarantoolProvisionError code `INVALID_OPTIONS` when it is not `[tarantool://][user[:password]@]host:port`.
 */
function fromUrl(url: string): ProvisionedTarantool {
  const m = /^(?:(?:tarantool|tcp):\/\/)?(?:([^:@/]*)(?::([^@/]*))?@)?(\[[^\]]+\]|[^:@/[\]]+):(\d+)\/?$/i.exec(url)
  const port = m === null ? NaN : Number(m[4])
  if (m === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TarantoolProvisionError(
      'TARANTOOL_URL must look like tarantool://user:password@host:port (user and password optional; unix sockets are ' +
        'not supported here)',
      { code: 'INVALID_OPTIONS' },
    )
  }
  const host = m[3]!.replace(/^\[(.*)\]$/, '$1')
  const user = m[1] === undefined || m[1] === '' ? 'guest' : decodeURIComponent(m[1])
  const password = m[2] === undefined ? '' : decodeURIComponent(m[2])
  return {
    uri: tarantoolUri(host, port, user, password),
    host,
    port,
    user,
    password,
    source: 'env',
    stop: async () => {},
  }
}

function tarantoolUri(host: string, port: number, user: string, password: string): string {
  const auth = user === 'guest' ? '' : `${encodeURIComponent(user)}:${encodeURIComponent(password)}@`
  return `tarantool://${auth}${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** The slice of the `testcontainers` API used here (typed locally so the package stays optional). */
interface TestcontainersModule {
  getContainerRuntimeClient(): Promise<unknown>
  GenericContainer: new (image: string) => ContainerBuilder
  Wait: { forListeningPorts(): unknown }
}
interface ContainerBuilder {
  withExposedPorts(...ports: number[]): ContainerBuilder
  withEnvironment(environment: Record<string, string>): ContainerBuilder
  withWaitStrategy(strategy: unknown): ContainerBuilder
  withStartupTimeout(ms: number): ContainerBuilder
  start(): Promise<StartedContainer>
}
interface StartedContainer {
  getHost(): string
  getMappedPort(port: number): number
  stop(): Promise<unknown>
}

/** Starts the image when `testcontainers` is installed and a container runtime answers; else `undefined`. */
async function startContainer(options: ProvisionTarantoolOptions): Promise<ProvisionedTarantool | undefined> {
  let tc: TestcontainersModule
  try {
    const name = 'testcontainers'
    tc = (await import(name)) as TestcontainersModule
    await tc.getContainerRuntimeClient()
  } catch {
    return undefined
  }
  const unsupported = (['initLua', 'readOnly', 'boxCfg', 'replicateFrom'] as const).filter((key) => options[key] !== undefined)
  if (unsupported.length > 0) {
    throw new TarantoolProvisionError(
      `provisionTarantool: ${unsupported.join(', ')} need a local tarantool binary; the Docker image path cannot apply them`,
      { code: 'INVALID_OPTIONS' },
    )
  }
  const user = options.user ?? 'dialectry'
  const password = options.password ?? randomBytes(12).toString('hex')
  const container = await new tc.GenericContainer(options.image ?? 'tarantool/tarantool:2.11')
    .withExposedPorts(3301)
    .withEnvironment({ TARANTOOL_USER_NAME: user, TARANTOOL_USER_PASSWORD: password })
    .withWaitStrategy(tc.Wait.forListeningPorts())
    .withStartupTimeout(options.startupTimeout ?? 120_000)
    .start()
  const host = container.getHost()
  const port = container.getMappedPort(3301)
  let stopping: Promise<void> | undefined
  return {
    uri: tarantoolUri(host, port, user, password),
    host,
    port,
    user,
    password,
    source: 'testcontainers',
    stop() {
      stopping ??= container.stop().then(() => undefined)
      return stopping
    },
  }
}
