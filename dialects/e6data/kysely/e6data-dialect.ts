import { Kysely, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver, type QueryCompiler } from 'kysely'
import type { ReadonlyKysely } from '../../shared/read-only-kysely.ts'
import type { Connection } from '../../../src/e6data/connection.ts'
import type { ConnectionOptions } from '../../../src/e6data/connection-options.ts'
import { ConnectionPool, type ConnectionPoolOptions } from '../../../src/e6data/connection-pool.ts'
import { E6dataAdapter } from './e6data-adapter.ts'
import { E6dataDriver } from './e6data-driver.ts'
import { E6dataIntrospector } from './e6data-introspector.ts'
import { E6dataQueryCompiler } from './e6data-query-compiler.ts'

/** What the e6data dialect runs on: one of a pool, a connection, or options to build a pool from. */
export interface E6dataDialectConfig {
  /** A pool to borrow connections from (kept open by `destroy()` unless `closeClient`). */
  pool?: ConnectionPool
  /** One connection shared by every query (cursors are per query). */
  connection?: Connection
  /** Options of a pool the dialect makes and closes on `destroy()`. */
  options?: ConnectionPoolOptions
  /** Close the given pool/connection on `destroy()`. Default `false`. */
  closeClient?: boolean
}

/**
 * Read-only Kysely dialect for e6data over `dialectry/e6data`: always-quoted identifiers, `%s` parameters bound
 * client-side, `OFFSET … LIMIT …`, introspection through the metadata RPCs, `streamQuery` one engine batch at a
 * time, cancellation by `cancelQuery`; writes are refused before sending.
 *
 * @example
 * const db = new Kysely<DB>({ dialect: new E6dataDialect({ options: { host, port, username, password, catalog: 'hive', database: 'demo' } }) })
 */
export class E6dataDialect implements Dialect {
  readonly #config: E6dataDialectConfig

  constructor(config: E6dataDialectConfig) {
    this.#config = Object.freeze({ ...config })
  }

  createDriver(): Driver {
    return new E6dataDriver(this.#config)
  }
  createQueryCompiler(): QueryCompiler {
    return new E6dataQueryCompiler()
  }
  createAdapter(): DialectAdapter {
    return new E6dataAdapter()
  }
  createIntrospector(_db: Kysely<unknown>): DatabaseIntrospector {
    const c = this.#config
    return new E6dataIntrospector(async () => {
      if (c.connection !== undefined) return { conn: c.connection, release: async () => {} }
      const pool = c.pool ?? new ConnectionPool({ ...c.options!, minSize: 0, maxSize: 1, maxOverflow: 0 })
      const conn = await pool.getConnection()
      return { conn, release: async () => (c.pool !== undefined ? pool.returnConnection(conn) : pool.returnConnection(conn).then(() => pool.closeAll())) }
    })
  }
}

/** Kysely's read-only view (`kysely/readonly`) plus the executor raw `sql` needs; see the shared definition. */
export type { ReadonlyKysely }

/**
 * A read-only Kysely for e6data from connection options (a pool is made) or a dialect config.
 * @example const db = createE6dataKysely<DB>({ host: 'localhost', port: 80, username, password, catalog: 'hive', database: 'demo' })
 */
export function createE6dataKysely<DB>(target: ConnectionOptions | E6dataDialectConfig): ReadonlyKysely<DB> {
  const config: E6dataDialectConfig = 'host' in target ? { options: target as ConnectionPoolOptions } : target
  return new Kysely<DB>({ dialect: new E6dataDialect(config) }) as unknown as ReadonlyKysely<DB>
}
