import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findTarantoolBinary } from './find-tarantool-binary.ts'
import { TarantoolProvisionError } from './provision-error.ts'
import { renderInitScript } from './init-script.ts'
import { readGreeting } from './read-greeting.ts'

/** Options of {@link startTarantool}. Every field is optional. */
export interface StartTarantoolOptions {
  /** Path or name of the binary; default `TARANTOOL_BIN` from the environment, else `tarantool` on `PATH`. */
  bin?: string
  /** TCP host to listen on; default `'127.0.0.1'`. */
  host?: string
  /** TCP port; default 0 = a free port chosen by the kernel at bind time (no probe-then-bind race). */
  port?: number
  /** Also serve IPROTO on `<workDir>/tarantool.sock`; default `true`. Must stay `true` when `primary` is `'unix'`. */
  unixSocket?: boolean
  /**
   * Which endpoint is Tarantool's own listener; the other is a byte relay inside the same server process
   * (Tarantool 2.6 takes one `listen` URI only). Default `'tcp'`.
   */
  primary?: 'tcp' | 'unix'
  /** User created with read,write,execute,create,alter,drop on universe; default `'dialectry'`. Not `'guest'`. */
  user?: string
  /** Password of `user`; default 24 random hex characters. */
  password?: string
  /** `box.cfg.memtx_memory` in bytes; default 1 GiB (address space, only touched pages use RAM). */
  memtxMemory?: number
  /** Applies `box.cfg{ read_only = true }` after users and `initLua` are set up; default `false`. */
  readOnly?: boolean
  /**
   * Tarantool URIs (`user:password@host:port`) to replicate from. The instance becomes a read-only replica: it
   * bootstraps from the upstream, creates no users itself and waits for upstream status `follow`.
   */
  replicateFrom?: string | string[]
  /**
   * Lua run on every start (so it must be idempotent: `if_not_exists`, `box.once`), after users exist and before
   * `read_only` is applied and the server listens. Globals it defines (functions for CALL) stay visible.
   */
  initLua?: string
  /**
   * Extra `box.cfg` options (JSON-serialisable) applied over the defaults, e.g. `{ readahead: 1048576 }`.
   * `listen`, `work_dir`, `memtx_dir`, `wal_dir`, `vinyl_dir` and `replication` are managed here; leave them out.
   */
  boxCfg?: Record<string, unknown>
  /** `box.cfg.log_level`; default 5 (info). */
  logLevel?: number
  /** Milliseconds to wait for the server to accept IPROTO connections; default 30000. */
  startupTimeout?: number
  /** Milliseconds `stop()` waits after SIGTERM before SIGKILL; default 5000. */
  stopTimeout?: number
  /** Keep the work directory when `stop()` runs; default `false`. */
  keepWorkDir?: boolean
  /** Environment of the server process; default `process.env`. Also where `TARANTOOL_BIN` is read. */
  env?: Record<string, string | undefined>
}

/** A running (or killed, restartable) local Tarantool server. */
export interface TarantoolProcess {
  /** TCP host, e.g. `'127.0.0.1'`. */
  readonly host: string
  /** TCP port; the same across `restart()`. */
  readonly port: number
  /** Unix socket path (`<workDir>/tarantool.sock`), or `undefined` with `unixSocket: false`. */
  readonly socketPath: string | undefined
  /** `tarantool://user:password@host:port` (user and password percent-encoded). */
  readonly uri: string
  /** `tarantool://user:password@unix/:<socketPath>`, or `undefined` without a unix socket. */
  readonly socketUri: string | undefined
  /** Tarantool's own URI form `user:password@host:port`, as used in `box.cfg.replication`. */
  readonly replicationUri: string
  readonly user: string
  readonly password: string
  /** pid of the current server process (of the last one after `kill()`/`stop()`). */
  readonly pid: number
  /** `true` while the server process is alive. */
  readonly running: boolean
  /** Server version from `box.info.version`, e.g. `'2.6.0-0-g47aa4e01e'`. */
  readonly version: string
  /** Temp directory holding `init.lua`, `data/`, `tarantool.log` and the socket. */
  readonly workDir: string
  /** The server log (stdout and stderr of every start, appended). */
  readonly logPath: string
  /** SIGTERM, wait up to `stopTimeout`, then SIGKILL; removes `workDir` unless `keepWorkDir`. Idempotent. */
  stop(): Promise<void>
  /** SIGKILL (simulates a crash) and wait for the exit; keeps `workDir` so `restart()` recovers the data. */
  kill(): Promise<void>
  /**
   * Starts the server again on the same port, socket path and work directory (data recovers from snapshot and
   * WAL); a running server is stopped gracefully first.
   * @throws TarantoolProvisionError after `stop()` removed the work directory, or when the restart fails.
   */
  restart(): Promise<void>
  /**
   * Sends SIGSTOP: the process stays alive and its sockets stay open (the kernel still accepts connections and
   * buffers bytes), but it answers nothing, like a hung or frozen server. No-op when not running or already
   * paused. `stop()`, `kill()` and `restart()` resume a paused server first.
   */
  pause(): void
  /** Sends SIGCONT after {@link pause}; the server carries on where it stopped. No-op when not paused. */
  resume(): void
  /** `true` between {@link pause} and {@link resume}. */
  readonly paused: boolean
  /** Last `lines` lines (default 20) of the log, for error messages. */
  logTail(lines?: number): string
}

const DEFAULT_MEMTX_MEMORY = 1024 * 1024 * 1024
const MAX_SOCKET_PATH_BYTES = 107
const live = new Set<LocalTarantool>()
let exitHookInstalled = false

/**
 * Starts a local Tarantool (the Debian 2.6 package or any newer build) in a fresh temp directory, listening on a
 * loopback TCP port and a unix socket, with a password user and guest rights on universe
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/authentication/).
 * Resolves once both endpoints send the 128-byte IPROTO greeting. Servers left running are SIGKILLed (and their
 * work directories removed) when the Node process exits, and end by themselves when the thread that started them
 * goes away (`PR_SET_PDEATHSIG`, backed by a parent-pid watch), so a crashed test run leaves no server behind.
 * A server started from a worker thread therefore ends with that thread.
 *
 * @example
 * const server = await startTarantool({ initLua: "box.schema.space.create('t', { if_not_exists = true })" })
 * try {
 *   console.log(server.uri) // tarantool://dialectry:…@127.0.0.1:40211
 * } finally {
 *   await server.stop()
 * }
 * @throws TarantoolProvisionError code `TARANTOOL_NOT_FOUND` (no binary; install with `apt-get install -y
 *   tarantool` or set `TARANTOOL_BIN`), `INVALID_OPTIONS`, `SOCKET_PATH_TOO_LONG`, `START_FAILED` (the server
 *   exited; the message quotes the end of its log) or `START_TIMEOUT`.
 */
export async function startTarantool(options: StartTarantoolOptions = {}): Promise<TarantoolProcess> {
  const env = options.env ?? process.env
  const bin = findTarantoolBinary(options.bin, env)
  if (bin === undefined) {
    throw new TarantoolProvisionError(
      `No tarantool binary found (looked for ${JSON.stringify(options.bin ?? env['TARANTOOL_BIN'] ?? 'tarantool')}` +
        ` on PATH). Install it (Debian/Ubuntu: apt-get install -y tarantool) or set TARANTOOL_BIN to its path.`,
      { code: 'TARANTOOL_NOT_FOUND' },
    )
  }
  const user = options.user ?? 'dialectry'
  const primary = options.primary ?? 'tcp'
  const unixSocket = options.unixSocket ?? true
  if (user === 'guest' || user === '') throw invalid(`user must be a named user with a password, got ${JSON.stringify(user)}`)
  if (primary === 'unix' && !unixSocket) throw invalid(`primary: 'unix' needs unixSocket: true`)
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(`port must be an integer 0..65535, got ${port}`)
  const workDir = mkdtempSync(join(tmpdir(), 'dialectry-tarantool-'))
  const socketPath = unixSocket ? join(workDir, 'tarantool.sock') : undefined
  if (socketPath !== undefined && Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    rmSync(workDir, { recursive: true, force: true })
    throw new TarantoolProvisionError(
      `Unix socket path ${socketPath} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; set TMPDIR to a shorter directory or pass unixSocket: false`,
      { code: 'SOCKET_PATH_TOO_LONG' },
    )
  }
  mkdirSync(join(workDir, 'data'))
  const server = new LocalTarantool(bin, workDir, socketPath, {
    ...options,
    user,
    primary,
    password: options.password ?? randomBytes(12).toString('hex'),
    host: options.host ?? '127.0.0.1',
  })
  try {
    await server.launch(port)
  } catch (error) {
    await server.stop()
    throw error
  }
  return server
}

type ResolvedOptions = StartTarantoolOptions & { user: string; password: string; host: string; primary: 'tcp' | 'unix' }

class LocalTarantool implements TarantoolProcess {
  readonly host: string
  readonly socketPath: string | undefined
  readonly user: string
  readonly password: string
  readonly workDir: string
  readonly logPath: string
  readonly #bin: string
  readonly #options: ResolvedOptions
  #port = 0
  #pid = 0
  #version = ''
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #removed = false
  #paused = false

  constructor(bin: string, workDir: string, socketPath: string | undefined, options: ResolvedOptions) {
    this.#bin = bin
    this.#options = options
    this.host = options.host
    this.user = options.user
    this.password = options.password
    this.workDir = workDir
    this.socketPath = socketPath
    this.logPath = join(workDir, 'tarantool.log')
    live.add(this)
    installExitHook()
  }

  get port(): number {
    return this.#port
  }

  get pid(): number {
    return this.#pid
  }

  get running(): boolean {
    return this.#child !== undefined
  }

  get version(): string {
    return this.#version
  }

  get paused(): boolean {
    return this.#paused && this.#child !== undefined
  }

  pause(): void {
    const child = this.#child
    if (child === undefined || this.#paused) return
    child.kill('SIGSTOP')
    this.#paused = true
  }

  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#child?.kill('SIGCONT')
  }

  get uri(): string {
    return `tarantool://${this.#auth()}@${this.#tcpHost()}:${this.#port}`
  }

  get socketUri(): string | undefined {
    return this.socketPath === undefined ? undefined : `tarantool://${this.#auth()}@unix/:${this.socketPath}`
  }

  get replicationUri(): string {
    return `${this.#auth()}@${this.#tcpHost()}:${this.#port}`
  }

  /** Spawns the server and waits until it is ready. `port` 0 = any free port. */
  async launch(port: number): Promise<void> {
    const o = this.#options
    const dataDir = join(this.workDir, 'data')
    const readyFile = join(this.workDir, 'ready.json')
    rmSync(readyFile, { force: true })
    const replication = o.replicateFrom === undefined ? undefined : [o.replicateFrom].flat()
    const script = renderInitScript({
      parentPid: process.pid,
      workDir: this.workDir,
      dataDir,
      readyFile,
      host: this.host,
      port,
      ...(this.socketPath === undefined ? {} : { socketPath: this.socketPath }),
      primary: o.primary,
      user: this.user,
      password: this.password,
      memtxMemory: o.memtxMemory ?? DEFAULT_MEMTX_MEMORY,
      logLevel: o.logLevel ?? 5,
      readOnly: o.readOnly ?? false,
      ...(replication === undefined ? {} : { replication }),
      firstStart: readdirSync(dataDir).length === 0,
      bindTimeout: 5,
      followTimeout: 10,
      ...(o.initLua === undefined ? {} : { initLua: o.initLua }),
      ...(o.boxCfg === undefined ? {} : { boxCfg: o.boxCfg }),
    })
    const scriptPath = join(this.workDir, 'init.lua')
    writeFileSync(scriptPath, script, { mode: 0o600 })
    const logFd = openSync(this.logPath, 'a')
    let child: ChildProcess
    try {
      // Own process group: a Ctrl-C meant for the parent must not kill the server while the parent still closes its clients.
      child = spawn(this.#bin, [scriptPath], { cwd: this.workDir, stdio: ['ignore', logFd, logFd], env: o.env ?? process.env, detached: true })
    } finally {
      closeSync(logFd)
    }
    let exitInfo: string | undefined
    let spawnError: Error | undefined
    this.#child = child
    this.#pid = child.pid ?? 0
    this.#exited = new Promise((done) => {
      child.once('error', (error) => {
        spawnError = error
        if (child.pid === undefined) {
          exitInfo = `could not be spawned (${error.message})`
          if (this.#child === child) this.#child = undefined
          done()
        }
      })
      child.once('exit', (code, signal) => {
        exitInfo = signal === null ? `exited with status ${code}` : `was killed by ${signal}`
        if (this.#child === child) {
          this.#child = undefined
          this.#paused = false
        }
        done()
      })
    })

    const timeout = o.startupTimeout ?? 30_000
    const deadline = Date.now() + timeout
    for (;;) {
      if (exitInfo !== undefined) {
        throw new TarantoolProvisionError(`Tarantool (${this.#bin}) ${exitInfo} during startup.${this.#tailForMessage()}`, {
          code: 'START_FAILED',
          cause: spawnError,
        })
      }
      if (existsSync(readyFile)) break
      if (Date.now() > deadline) {
        child.kill('SIGKILL')
        await this.#exited
        throw new TarantoolProvisionError(`Tarantool did not become ready within ${timeout} ms.${this.#tailForMessage()}`, { code: 'START_TIMEOUT' })
      }
      await sleep(20)
    }
    const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { port: number; version: string }
    this.#port = ready.port
    this.#version = ready.version
    for (const endpoint of this.#endpoints()) {
      let greeting: Buffer
      try {
        greeting = await readGreeting(endpoint, Math.max(1000, deadline - Date.now()))
      } catch (error) {
        throw new TarantoolProvisionError(`Tarantool started but does not greet: ${(error as Error).message}.${this.#tailForMessage()}`, {
          code: 'START_FAILED',
          cause: error,
        })
      }
      if (!greeting.toString('latin1', 0, 10).startsWith('Tarantool ')) {
        throw new TarantoolProvisionError(`Endpoint ${JSON.stringify(endpoint)} did not send a Tarantool greeting`, { code: 'START_FAILED' })
      }
    }
  }

  async stop(): Promise<void> {
    await this.#terminate()
    if (!this.#options.keepWorkDir && !this.#removed) {
      rmSync(this.workDir, { recursive: true, force: true, maxRetries: 3 })
      this.#removed = true
    }
    live.delete(this)
  }

  async kill(): Promise<void> {
    const child = this.#child
    if (child === undefined) return
    this.resume()
    child.kill('SIGKILL')
    await this.#exited
  }

  async restart(): Promise<void> {
    if (this.#removed || !existsSync(this.workDir)) {
      throw new TarantoolProvisionError(`Cannot restart Tarantool: stop() already removed ${this.workDir}`, { code: 'INVALID_OPTIONS' })
    }
    await this.#terminate()
    if (this.socketPath !== undefined) {
      try {
        unlinkSync(this.socketPath)
      } catch {
        // already gone
      }
    }
    live.add(this)
    try {
      await this.launch(this.#port)
    } catch (error) {
      await this.kill()
      throw error
    }
  }

  logTail(lines = 20): string {
    let text: string
    try {
      text = readFileSync(this.logPath, 'utf8')
    } catch {
      return ''
    }
    const tail = text.trimEnd().split('\n').slice(-lines).join('\n')
    return this.password.length >= 4 ? tail.replaceAll(this.password, '***') : tail
  }

  /** Synchronous last-resort cleanup for the process exit hook. */
  killSync(): void {
    this.#child?.kill('SIGKILL')
    if (!this.#options.keepWorkDir && !this.#removed) {
      rmSync(this.workDir, { recursive: true, force: true, maxRetries: 3 })
      this.#removed = true
    }
  }

  /** SIGTERM, then SIGKILL after `stopTimeout` ms; resolves once the process has exited (and was reaped). */
  async #terminate(): Promise<void> {
    const child = this.#child
    if (child === undefined) return
    // A stopped process would keep SIGTERM pending until SIGCONT.
    this.resume()
    child.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), this.#options.stopTimeout ?? 5000)
    })
    const outcome = await Promise.race([this.#exited, timedOut])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      child.kill('SIGKILL')
      await this.#exited
    }
  }

  #endpoints(): ({ host: string; port: number } | { path: string })[] {
    const tcp = { host: this.host, port: this.#port }
    return this.socketPath === undefined ? [tcp] : [tcp, { path: this.socketPath }]
  }

  #auth(): string {
    return `${encodeURIComponent(this.user)}:${encodeURIComponent(this.password)}`
  }

  #tcpHost(): string {
    return this.host.includes(':') ? `[${this.host}]` : this.host
  }

  #tailForMessage(): string {
    const tail = this.logTail()
    return tail === '' ? ' The server log is empty.' : ` Last lines of the server log:\n${tail}`
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const server of live) server.killSync()
  })
}

function invalid(message: string): TarantoolProvisionError {
  return new TarantoolProvisionError(`startTarantool: ${message}`, { code: 'INVALID_OPTIONS' })
}
