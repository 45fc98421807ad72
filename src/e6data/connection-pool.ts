import { createPool, type Pool } from 'generic-pool'
import { Connection } from './connection.ts'
import type { ConnectionOptions } from './connection-options.ts'
import { E6dataConnectionError, E6dataTimeoutError } from './errors.ts'

/** Options of {@link ConnectionPool}: pool sizing plus the options of every {@link Connection}. */
export interface ConnectionPoolOptions extends ConnectionOptions {
  /** Connections made at start and kept. Default 2. */
  minSize?: number
  /** Connections kept idle at most. Default 10. */
  maxSize?: number
  /** Extra connections allowed above `maxSize` under load; closed when returned. Default 5. */
  maxOverflow?: number
  /** Wait for a free connection, ms. Default 30 000. */
  timeout?: number
  /** Connections older than this (ms) are closed and replaced at checkout; 0 disables. Default 3 600 000. */
  recycle?: number
  /** Check a connection before handing it out (authenticates it when it has no session). Default `true`. */
  prePing?: boolean
}

/** `getStatistics()` keys, as e6data/e6data-python-connector `e6data_python_connector/connection_pool.py` reports them. */
export interface PoolStatistics {
  created_connections: number
  active_connections: number
  idle_connections: number
  waiting_threads: number
  total_requests: number
  failed_connections: number
  overflow_connections: number
  /** Always 0: JavaScript has no per-thread affinity (the connector maps threads to connections). */
  thread_connections: number
  pool_size: number
}

/**
 * A pool of e6data {@link Connection}s on generic-pool, with the connector's sizing and semantics
 * (e6data/e6data-python-connector `e6data_python_connector/connection_pool.py`): `minSize` made eagerly (cheap:
 * authentication is lazy), up to `maxSize + maxOverflow` under load with overflow connections closed on return,
 * recycling by age, a pre-ping at checkout, broken connections replaced, and statistics.
 *
 * @throws E6dataTimeoutError (code `POOL_TIMEOUT`) from {@link getConnection} when none is free within `timeout`.
 * @example
 * const pool = new ConnectionPool({ host, port, username, password, catalog: 'hive', database: 'demo', maxSize: 4 })
 * const rows = await pool.withConnection(async (conn) => {
 *   const cur = conn.cursor()
 *   await cur.execute('SELECT count(*) FROM flights')
 *   return cur.fetchAll()
 * })
 * await pool.closeAll()
 */
export class ConnectionPool {
  readonly #pool: Pool<Connection>
  readonly #maxSize: number
  readonly #recycle: number
  readonly #broken = new WeakSet<Connection>()
  #created = 0
  #failed = 0
  #requests = 0
  #closed = false

  constructor(options: ConnectionPoolOptions) {
    const { minSize = 2, maxSize = 10, maxOverflow = 5, timeout = 30_000, recycle = 3_600_000, prePing = true, ...connectionOptions } = options
    if (minSize < 0 || maxSize < 1 || maxOverflow < 0 || minSize > maxSize) {
      throw new E6dataConnectionError(`ConnectionPool: need 0 <= minSize <= maxSize, maxSize >= 1, maxOverflow >= 0 (got ${minSize}, ${maxSize}, ${maxOverflow})`, { code: 'INVALID_OPTIONS' })
    }
    // Fails here, not in the pool's background creation, when the options are wrong.
    new Connection(connectionOptions).close()
    this.#maxSize = maxSize
    this.#recycle = recycle
    this.#pool = createPool<Connection>(
      {
        create: async () => {
          try {
            const c = new Connection(connectionOptions)
            this.#created++
            return c
          } catch (err) {
            this.#failed++
            throw err
          }
        },
        destroy: async (c) => c.close(),
        validate: async (c) => {
          if (c.closed || this.#broken.has(c)) return false
          if (this.#recycle > 0 && Date.now() - c.createdAt > this.#recycle) return false
          if (!prePing) return true
          try {
            await c.session()
            return true
          } catch {
            return false
          }
        },
      },
      { min: minSize, max: maxSize + maxOverflow, acquireTimeoutMillis: timeout, testOnBorrow: true, autostart: true },
    )
  }

  /** A connection for the caller's exclusive use; give it back with {@link returnConnection}. */
  async getConnection(): Promise<Connection> {
    if (this.#closed) throw new E6dataConnectionError('The ConnectionPool is closed', { code: 'CLOSED' })
    this.#requests++
    try {
      return await this.#pool.acquire()
    } catch (err) {
      if ((err as Error)?.name === 'TimeoutError') {
        throw new E6dataTimeoutError(`No e6data connection became free within the pool timeout (${this.#pool.max} in use)`, { code: 'POOL_TIMEOUT', cause: err })
      }
      throw err
    }
  }

  /**
   * Gives a connection back. Broken ones (`broken: true`, or closed) are closed and replaced up to `minSize`;
   * connections above `maxSize` (overflow) are closed.
   */
  async returnConnection(conn: Connection, broken = false): Promise<void> {
    if (!this.#pool.isBorrowedResource(conn)) return
    if (broken || conn.closed) this.#broken.add(conn)
    if (broken || conn.closed || this.#pool.size > this.#maxSize) await this.#pool.destroy(conn)
    else await this.#pool.release(conn)
  }

  /** Runs `fn` with a connection and returns it afterwards; a connection error marks it broken. */
  async withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.getConnection()
    let broken = false
    try {
      return await fn(conn)
    } catch (err) {
      broken = err instanceof E6dataConnectionError
      throw err
    } finally {
      await this.returnConnection(conn, broken)
    }
  }

  /** Counters with the connector's keys. */
  getStatistics(): PoolStatistics {
    const p = this.#pool
    return {
      created_connections: this.#created,
      active_connections: p.borrowed,
      idle_connections: p.available,
      waiting_threads: p.pending,
      total_requests: this.#requests,
      failed_connections: this.#failed,
      overflow_connections: Math.max(0, p.size - this.#maxSize),
      thread_connections: 0,
      pool_size: p.size,
    }
  }

  /** Closes every connection; waits for borrowed ones to come back for at most `timeout` ms (default 5 000). */
  async closeAll(timeout = 5_000): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const drained = this.#pool.drain().then(() => this.#pool.clear())
    await Promise.race([drained, new Promise((r) => setTimeout(r, timeout).unref())])
  }
}
