import { Connection, type ConnectionOptions } from './connection.ts'
import { AuthError, ConnectionError, InvalidArgumentError, ServerError, TimeoutError } from './errors.ts'
import { ErrorCode } from './iproto-constants.ts'
import { TarantoolRequests, type Tuple } from './request-methods.ts'
import { scanIndex, type ScanOptions } from './scan.ts'
import type { TarantoolEndpoint } from './address.ts'
import type { PreparedStatement } from './prepared-statement.ts'
import type { RequestSpec } from './request-spec.ts'
import type { RequestOptions, SpaceRef } from './request-options.ts'
import type { Schema } from './schema.ts'
import type { BeginOptions, Stream } from './stream.ts'

/** Options of a pool: connection options for every connection, plus the pool's own. */
export interface PoolOptions extends ConnectionOptions {
  /** Connections per instance. Default 10. */
  size?: number
  /**
   * How often (ms) to check each instance when the pool spans several instances: one `box.info.ro` eval (or a
   * ping, without execute rights) that reads its role, so a failover is noticed, and shows it answers (see
   * {@link healthCheckTimeout}). 0 disables polling (roles are still read on every connect and after a
   * read-only error or a request timeout). Default 1 000.
   */
  roleCheckInterval?: number
  /**
   * Milliseconds an instance has to answer a health check. One that does not is taken out of routing
   * (requests go to the other instances; when none of the suitable ones answers, to it anyway) until a later
   * check gets an answer, which puts it back. A request that times out on an instance triggers a check at once.
   * Meanwhile each connection's own liveness probe (`pingInterval`, `pingTimeout`) closes connections to a
   * server that stays silent, and they rejoin when they reconnect. Default 1 000.
   */
  healthCheckTimeout?: number
}

const READ_PASSES: readonly (readonly InstanceRole[])[] = [['writable', 'unknown', 'read-only']]
const WRITE_PASSES: readonly (readonly InstanceRole[])[] = [['writable'], ['unknown']]
const RESPONSIVE_FIRST = [true, false] as const
const RESPONSIVE_ONLY = [true] as const

/** Role of an instance as the pool last saw it. */
export type InstanceRole = 'writable' | 'read-only' | 'unknown'

interface Instance {
  address: string | number | TarantoolEndpoint
  connections: Connection[]
  role: InstanceRole
  endpointText: string
  /** `false` from a health check that got no answer in time until one that does. */
  responsive: boolean
  /** The health check under way, shared by concurrent callers. */
  checking: Promise<void> | null
}

/**
 * A pool of pipelined connections to one instance or to the instances of a replica set.
 *
 * Requests are spread round-robin over the connected connections. With several instances, requests not marked
 * `readOnly` (all writes, `call`, `eval`, `execute` by default) go to a writable instance; `select` (and
 * anything passed `{ readOnly: true }`) may go to any instance. An instance whose connections drop is left
 * out until they reconnect, then put back. When no suitable connection is up, requests fail at once with a
 * retryable {@link ConnectionError}.
 *
 * Create with {@link createPool}.
 */
export class Pool extends TarantoolRequests {
  readonly #instances: Instance[]
  readonly #owner = new Map<Connection, Instance>()
  readonly #roleCheckInterval: number
  readonly #healthCheckTimeout: number
  #roleTimer: NodeJS.Timeout | null = null
  #next = 0
  #closed = false
  #ready: Promise<void> | null = null

  /** @internal Use {@link createPool}. */
  constructor(addresses: readonly (string | number | TarantoolEndpoint)[], options: PoolOptions = {}) {
    super()
    if (addresses.length === 0) throw new InvalidArgumentError('A pool needs at least one address')
    const size = options.size ?? 10
    if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError(`Pool size must be a positive integer, got ${size}`)
    this.#roleCheckInterval = options.roleCheckInterval ?? 1000
    this.#healthCheckTimeout = options.healthCheckTimeout ?? 1000
    const multi = addresses.length > 1
    this.#instances = addresses.map((address) => {
      const instance: Instance = { address, connections: [], role: multi ? 'unknown' : 'writable', endpointText: '', responsive: true, checking: null }
      for (let i = 0; i < size; i++) {
        const userOnEvent = options.onEvent
        const conn = new Connection(address, {
          ...options,
          onEvent: (event) => {
            if (event.type === 'connect' && multi) void this.#checkRole(instance)
            userOnEvent?.(event)
          },
        })
        instance.connections.push(conn)
        this.#owner.set(conn, instance)
      }
      instance.endpointText = instance.connections[0]!.endpointText
      return instance
    })
  }

  /**
   * @internal Starts every connection. Connections whose first attempt fails keep reconnecting in the
   * background; a non-lazy start rejects (and closes the pool) only when none connected.
   */
  _start(lazy: boolean): Promise<void> {
    const starts = this.#all().map((c) => c._start(true))
    this.#ready = Promise.allSettled(starts).then(async (results) => {
      this.#ready = null
      if (!lazy && !this.#all().some((c) => c.isConnected)) {
        const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined
        await this.close()
        throw first?.reason ?? new ConnectionError('No pool connection could be established', { retryable: true })
      }
      if (this.#instances.length > 1) {
        await Promise.all(this.#instances.map((i) => this.#checkRole(i)))
        if (this.#roleCheckInterval > 0 && !this.#closed) {
          this.#roleTimer = setInterval(() => {
            for (const inst of this.#instances) void this.#checkRole(inst)
          }, this.#roleCheckInterval)
          this.#roleTimer.unref()
        }
      }
    })
    return this.#ready
  }

  /** Number of connections currently connected. */
  get connectedCount(): number {
    return this.#all().filter((c) => c.isConnected).length
  }

  /** Server version (`2.6.0`) of the first connection that completed a handshake; `undefined` before any did. */
  get serverVersion(): string | undefined {
    for (const c of this.#all()) if (c.serverVersion !== undefined) return c.serverVersion
    return undefined
  }

  /** Every connection of the pool (for inspection and tests). */
  get connections(): readonly Connection[] {
    return this.#all()
  }

  /**
   * Each instance with its role, whether it answered its last health check (`responsive`; always `true` in a
   * single-instance pool) and how many of its connections are up.
   */
  get instances(): { endpoint: string; role: InstanceRole; responsive: boolean; connected: number; size: number }[] {
    return this.#instances.map((i) => ({
      endpoint: i.endpointText,
      role: i.role,
      responsive: i.responsive,
      connected: i.connections.filter((c) => c.isConnected).length,
      size: i.connections.length,
    }))
  }

  /** The schema as a writable connection sees it. */
  loadSchema(options?: RequestOptions & { force?: boolean }): Promise<Schema> {
    return this.#pick(false, 'schema load').loadSchema(options)
  }

  /**
   * Iterates over an index in batches (`batchSize`, default 1000) with bounded memory; see {@link scanIndex}.
   * @example for await (const t of client.scan('flights', ['SFO'], { index: 'origin' })) console.log(t)
   */
  scan<T extends Tuple = Tuple>(space: SpaceRef, key?: unknown[], options?: ScanOptions): AsyncGenerator<T, void, undefined> {
    return scanIndex<T>(this, space, key, options)
  }

  /** Prepares a statement on one connection of a writable instance; see {@link PreparedStatement}. */
  prepare(sql: string, options?: RequestOptions): Promise<PreparedStatement> {
    return this.#withConnection(options?.readOnly ?? false, 'SQL prepare', (c) => c.prepare(sql, options))
  }

  /**
   * A stream on one connection of a writable instance, for an interactive transaction (Tarantool 2.10+).
   * @throws TransactionsNotSupportedError on older servers.
   */
  stream(): Stream {
    return this.#pick(false, 'stream').stream()
  }

  /** Opens a stream on a writable instance and begins a transaction in it. */
  begin(options?: BeginOptions): Promise<Stream> {
    return this.#withConnection(false, 'begin', (c) => c.begin(options))
  }

  /** Closes every connection. Requests in flight fail with a {@link ConnectionError}. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#roleTimer) clearInterval(this.#roleTimer)
    await Promise.all(this.#all().map((c) => c.close()))
  }

  protected _call<T>(spec: RequestSpec<T>, options: RequestOptions | undefined): Promise<T> {
    const readOnly = options?.readOnly ?? spec.readOnly
    let conn: Connection
    try {
      conn = this.#pick(readOnly, spec.what)
    } catch (err) {
      if (this.#ready !== null) return this.#ready.then(() => this._call(spec, options))
      return Promise.reject(err)
    }
    const sent = conn._callInStream(spec, options, 0)
    if (this.#instances.length === 1) return sent
    return sent.catch((err: unknown) => {
      // No answer in time: check the instance now rather than at the next interval.
      if (err instanceof TimeoutError) {
        const inst = this.#owner.get(conn)
        if (inst !== undefined) void this.#checkRole(inst)
      }
      // A write reached an instance that is read-only (failover, or a role we could not read): mark it and
      // try once more on another instance.
      if (err instanceof ServerError && (err.code === ErrorCode.READONLY || err.code === ErrorCode.NONMASTER)) {
        const inst = this.#instanceOf(conn)
        if (inst !== undefined) inst.role = 'read-only'
        return this.#withConnection(readOnly, spec.what, (c) => c._callInStream(spec, options, 0))
      }
      throw err
    })
  }

  #withConnection<T>(readOnly: boolean, what: string, fn: (c: Connection) => Promise<T>): Promise<T> {
    let conn: Connection
    try {
      conn = this.#pick(readOnly, what)
    } catch (err) {
      if (this.#ready !== null) return this.#ready.then(() => fn(this.#pick(readOnly, what)))
      return Promise.reject(err)
    }
    return fn(conn)
  }

  #pick(readOnly: boolean, what: string): Connection {
    if (this.#closed) throw new ConnectionError(`Cannot send ${what}: the pool is closed`, { code: 'CLOSED', retryable: false })
    const all = this.#all()
    const n = all.length
    const multi = this.#instances.length > 1
    // Writes prefer instances known to be writable, then those whose role is unknown; never read-only ones.
    // Instances that did not answer their last health check come last, when nothing else is up.
    const passes = readOnly ? READ_PASSES : WRITE_PASSES
    for (const responsive of multi ? RESPONSIVE_FIRST : RESPONSIVE_ONLY) {
      for (const pass of passes) {
        for (let i = 0; i < n; i++) {
          const idx = (this.#next + i) % n
          const c = all[idx]!
          if (!c.isConnected) continue
          if (multi) {
            const inst = this.#owner.get(c)!
            if (inst.responsive !== responsive || !pass.includes(inst.role)) continue
          }
          this.#next = idx + 1
          return c
        }
      }
    }
    // Every connection stopped after an authentication failure: say so rather than "not connected".
    const auth = all.length > 0 && all.every((c) => c._authFailure !== null) ? all[0]!._authFailure! : null
    if (auth !== null) {
      throw new AuthError(auth.code, auth.serverMessage, auth.stackEntries, `${what} was not sent: authentication failed on every connection of the pool, which stopped reconnecting; call reconnect() on pool.connections once the credentials are fixed`)
    }
    throw new ConnectionError(
      `Cannot send ${what}: no ${readOnly ? '' : 'writable '}instance of the pool is connected (${this.#instances
        .map((i) => `${i.endpointText} ${i.role}, ${i.connections.filter((c) => c.isConnected).length}/${i.connections.length} up`)
        .join('; ')})`,
      { code: 'NOT_CONNECTED', retryable: true },
    )
  }

  #instanceOf(c: Connection): Instance | undefined {
    return this.#owner.get(c)
  }

  // Reads the role and learns whether the instance answers within healthCheckTimeout. Unanswered: taken out
  // of routing; answered: put back. One check per instance at a time.
  #checkRole(inst: Instance): Promise<void> {
    if (inst.checking !== null) return inst.checking
    const conn = inst.connections.find((c) => c.isConnected)
    if (!conn) return Promise.resolve()
    const checking = this.#runCheck(inst, conn).finally(() => {
      if (inst.checking === checking) inst.checking = null
    })
    inst.checking = checking
    return checking
  }

  async #runCheck(inst: Instance, conn: Connection): Promise<void> {
    const options = { timeout: this.#healthCheckTimeout }
    try {
      const [ro] = await conn.eval('return box.info.ro', [], options)
      inst.role = ro === true ? 'read-only' : 'writable'
      inst.responsive = true
    } catch (err) {
      if (err instanceof TimeoutError) inst.responsive = false
      else if (err instanceof ServerError) {
        // No execute privilege: a ping still tells whether it answers.
        try {
          await conn.ping(options)
          inst.responsive = true
        } catch (e) {
          if (e instanceof TimeoutError) inst.responsive = false
        }
      }
      // A ConnectionError: the connection dropped, so it is out of routing until it reconnects (and is checked).
    }
  }

  #all(): Connection[] {
    return this.#instances.flatMap((i) => i.connections)
  }
}

/**
 * Creates a pool of `size` connections (default 10) to each address and waits until at least one connection
 * is up (or, with `lazy: true`, returns at once). Pass several addresses for a replica set; see {@link Pool}
 * for routing.
 *
 * @throws ConnectionError / AuthError when no connection could be established (non-lazy only).
 * @example
 * const pool = await createPool('tarantool://app:secret@127.0.0.1:3301', { size: 4 })
 * const rs = await createPool(['10.0.0.1:3301', '10.0.0.2:3301'], { user: 'app', password: 'secret' })
 * await rs.select('users', [1])           // any instance
 * await rs.insert('users', [2, 'Bob'])     // the writable instance
 */
export async function createPool(addresses: string | number | TarantoolEndpoint | readonly (string | number | TarantoolEndpoint)[], options?: PoolOptions): Promise<Pool> {
  const list = Array.isArray(addresses) ? addresses : [addresses as string | number | TarantoolEndpoint]
  const pool = new Pool(list, options)
  await pool._start(false)
  return pool
}

/**
 * Like {@link createPool} but returns at once and connects in the background (a lazy pool). Requests made
 * before the first connection attempts finish wait for them.
 */
export function createLazyPool(addresses: string | number | TarantoolEndpoint | readonly (string | number | TarantoolEndpoint)[], options?: PoolOptions): Pool {
  const list = Array.isArray(addresses) ? addresses : [addresses as string | number | TarantoolEndpoint]
  const pool = new Pool(list, options)
  pool._start(true).catch(() => {})
  return pool
}
