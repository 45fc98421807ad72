import type { DatabaseConnection, Driver } from 'kysely'
import { Connection } from '../../../src/e6data/connection.ts'
import { ConnectionPool } from '../../../src/e6data/connection-pool.ts'
import { E6dataError } from '../../../src/e6data/errors.ts'
import { E6dataDialectNotSupportedError } from '../e6data-dialect-errors.ts'
import { E6dataKyselyConnection } from './e6data-connection.ts'
import type { E6dataDialectConfig } from './e6data-dialect.ts'

/**
 * Kysely driver over `dialectry/e6data`: connections come from a {@link ConnectionPool} (given, or made from
 * connection options) or one shared {@link Connection}. Transactions are refused.
 */
export class E6dataDriver implements Driver {
  readonly #config: E6dataDialectConfig
  #pool: ConnectionPool | undefined
  #single: Connection | undefined
  #owned = false
  readonly #borrowed = new WeakMap<E6dataKyselyConnection, Connection>()

  constructor(config: E6dataDialectConfig) {
    this.#config = config
  }

  async init(): Promise<void> {
    const c = this.#config
    if (c.pool !== undefined) this.#pool = c.pool
    else if (c.connection !== undefined) this.#single = c.connection
    else if (c.options !== undefined) {
      this.#pool = new ConnectionPool(c.options)
      this.#owned = true
    } else throw new E6dataError('E6dataDialect needs pool, connection or options', { code: 'INVALID_OPTIONS' })
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#single !== undefined) return new E6dataKyselyConnection(this.#single)
    if (this.#pool === undefined) throw new E6dataError('The e6data Kysely driver was used before init() or after destroy()', { code: 'NOT_INITIALIZED' })
    const conn = await this.#pool.getConnection()
    const k = new E6dataKyselyConnection(conn)
    this.#borrowed.set(k, conn)
    return k
  }

  async beginTransaction(): Promise<void> {
    throw new E6dataDialectNotSupportedError('transactions')
  }
  async commitTransaction(): Promise<void> {
    throw new E6dataDialectNotSupportedError('transactions')
  }
  async rollbackTransaction(): Promise<void> {
    throw new E6dataDialectNotSupportedError('transactions')
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const conn = this.#borrowed.get(connection as E6dataKyselyConnection)
    if (conn !== undefined && this.#pool !== undefined) await this.#pool.returnConnection(conn)
  }

  async destroy(): Promise<void> {
    const pool = this.#pool
    this.#pool = undefined
    if (pool !== undefined && (this.#owned || this.#config.closeClient === true)) await pool.closeAll()
    if (this.#single !== undefined && this.#config.closeClient === true) this.#single.close()
    this.#single = undefined
  }
}
