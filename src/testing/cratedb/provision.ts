import { spawn, type ChildProcess } from 'node:child_process'
import { extname } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { CrateDBProvisionError } from './provision-error.ts'

export { CrateDBProvisionError }
import { startCrateDB, type LocalCrateDB, type StartCrateDBOptions } from './start-cratedb.ts'

/** Where a provisioned CrateDB came from. */
export type CrateDBSource = 'env' | 'local' | 'child' | 'container'

/** Options of {@link provisionCrateDB}: those of {@link startCrateDB} for the local server, plus the source. */
export interface ProvisionCrateDBOptions extends StartCrateDBOptions {
  /**
   * Used when `CRATEDB_URL` is not set: `'local'` (default) the local server in this process; `'child'` the
   * local server in a child Node.js process (its PGlite work then runs on another core); `'container'` the real
   * `crate` image through the optional `testcontainers` package (needs a Docker engine; `StartCrateDBOptions`
   * do not apply to it).
   */
  source?: 'local' | 'child' | 'container'
  /** Image for `'container'`; default `'crate/crate:5.10'`. */
  image?: string
  /** Ms to wait for the child process or container to answer; default 120 000. */
  startupTimeout?: number
  /** Environment to read `CRATEDB_URL` from; default `process.env`. */
  env?: Record<string, string | undefined>
}

/** A CrateDB HTTP endpoint ready for tests, whatever provided it. */
export interface ProvisionedCrateDB {
  /** URL of the first node, e.g. `http://127.0.0.1:41234/`. */
  url: string
  /** One URL per node. */
  urls: string[]
  source: CrateDBSource
  /** The in-process server's handle (stop/start nodes, the store); only for `source: 'local'`. */
  local?: LocalCrateDB
  /** Stops what was started (nothing for `'env'`). Idempotent. */
  stop(): Promise<void>
}

/**
 * A CrateDB for tests and demos, the way every integration suite here gets one: `CRATEDB_URL` when set (a real
 * cluster; several URLs may be separated by spaces), else the local protocol server in this process (default),
 * in a child process, or the real image in a container (DESIGN.md: "where Docker is available, a testcontainers
 * path starts the real images").
 *
 * @throws CrateDBProvisionError `NO_DOCKER` when `'container'` is asked and no Docker engine answers (or
 *   `testcontainers` is not installed); `CHILD_FAILED` when the child process does not start.
 * @example
 * import { provisionCrateDB } from 'dialectry/testing/cratedb'
 * const crate = await provisionCrateDB({ source: 'child' })
 * try {
 *   // connect(crate.url) ...
 * } finally {
 *   await crate.stop()
 * }
 */
export async function provisionCrateDB(options: ProvisionCrateDBOptions = {}): Promise<ProvisionedCrateDB> {
  const fromEnv = (options.env ?? process.env)['CRATEDB_URL']
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const urls = fromEnv.trim().split(/\s+/)
    return { url: urls[0]!, urls, source: 'env', stop: async () => {} }
  }
  const { source = 'local', image, startupTimeout, env: _env, ...serverOptions } = options
  switch (source) {
    case 'local': {
      const local = await startCrateDB(serverOptions)
      return { url: local.url, urls: [...local.urls], source, local, stop: () => local.stop() }
    }
    case 'child':
      return startChild(serverOptions, startupTimeout ?? 120_000)
    case 'container':
      return startContainer(image ?? 'crate/crate:5.10', startupTimeout ?? 120_000)
    default:
      throw new CrateDBProvisionError(`provisionCrateDB: source must be 'local', 'child' or 'container', got ${JSON.stringify(source)}`, 'INVALID_OPTIONS')
  }
}

/** The child entry script next to this module (`.ts` when running from source, `.js` from `dist`). */
function childScript(): string {
  const self = fileURLToPath(import.meta.url)
  return fileURLToPath(new URL(`./child-entry${extname(self)}`, import.meta.url))
}

async function startChild(serverOptions: StartCrateDBOptions, startupTimeout: number): Promise<ProvisionedCrateDB> {
  if (serverOptions.tls !== undefined && typeof serverOptions.tls === 'object') {
    // PEM text crosses as JSON; Buffers become strings first.
    serverOptions = { ...serverOptions, tls: { key: String(serverOptions.tls.key), cert: String(serverOptions.tls.cert) } }
  }
  // The IPC channel only tells the child when this process is gone (it then stops), so a forgotten stop() does not
  // leave a server running; it is unref'd so it does not keep this process alive either.
  const child = spawn(process.execPath, [childScript()], { stdio: ['pipe', 'pipe', 'inherit', 'ipc'] })
  child.stdin!.end(JSON.stringify(serverOptions))
  const urls = await new Promise<string[]>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new CrateDBProvisionError(`The local CrateDB server's child process did not start within ${startupTimeout} ms`, 'CHILD_FAILED'))
    }, startupTimeout)
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return
      clearTimeout(timer)
      lines.close()
      child.stdout!.destroy()
      child.unref()
      child.channel?.unref()
      const message = JSON.parse(line) as { urls?: string[]; error?: string }
      if (message.urls !== undefined) resolve(message.urls)
      else reject(new CrateDBProvisionError(`The local CrateDB server's child process failed to start: ${message.error}`, 'CHILD_FAILED'))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new CrateDBProvisionError(`The local CrateDB server's child process exited (${signal ?? `code ${code}`}) before it was ready`, 'CHILD_FAILED'))
    })
  })
  let stopping: Promise<void> | undefined
  return {
    url: urls[0]!,
    urls,
    source: 'child',
    stop() {
      stopping ??= stopChild(child)
      return stopping
    },
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

interface TestcontainersModule {
  getContainerRuntimeClient(): Promise<unknown>
  GenericContainer: new (image: string) => ContainerBuilder
  Wait: { forHttp(path: string, port: number): unknown }
}
interface ContainerBuilder {
  withExposedPorts(...ports: number[]): ContainerBuilder
  withCommand(command: string[]): ContainerBuilder
  withEnvironment(environment: Record<string, string>): ContainerBuilder
  withWaitStrategy(strategy: unknown): ContainerBuilder
  withStartupTimeout(ms: number): ContainerBuilder
  start(): Promise<{ getHost(): string; getMappedPort(port: number): number; stop(): Promise<unknown> }>
}

async function startContainer(image: string, startupTimeout: number): Promise<ProvisionedCrateDB> {
  let tc: TestcontainersModule
  try {
    const name = 'testcontainers'
    tc = (await import(name)) as TestcontainersModule
    await tc.getContainerRuntimeClient()
  } catch (err) {
    throw new CrateDBProvisionError(
      "provisionCrateDB({ source: 'container' }) needs a Docker engine and the testcontainers package; neither answered here. " +
        "Use source 'local' or 'child' (the local protocol server), or set CRATEDB_URL.",
      'NO_DOCKER',
      { cause: err },
    )
  }
  const container = await new tc.GenericContainer(image)
    .withExposedPorts(4200)
    .withCommand(['-Cdiscovery.type=single-node'])
    .withEnvironment({ CRATE_HEAP_SIZE: '1g' })
    .withWaitStrategy(tc.Wait.forHttp('/', 4200))
    .withStartupTimeout(startupTimeout)
    .start()
  const url = `http://${container.getHost()}:${container.getMappedPort(4200)}/`
  let stopping: Promise<void> | undefined
  return {
    url,
    urls: [url],
    source: 'container',
    stop() {
      stopping ??= container.stop().then(() => undefined)
      return stopping
    },
  }
}
