import type { DatabaseConnection, Driver } from 'kysely'
import type { DruidClient } from '../../../src/druid/client.ts'
import { DruidError } from '../../../src/druid/errors.ts'
import { DruidDialectNotSupportedError } from '../druid-dialect-errors.ts'
import { DruidConnection } from './druid-connection.ts'
import type { DruidDialectConfig } from './druid-dialect.ts'

/**
 * Kysely driver over `dialectry/druid` (kysely-org/kysely `src/driver/driver.ts`). Connections are handles over
 * the client's HTTP pool; transactions do not exist in Druid and are refused before the callback runs.
 */
export class DruidDriver implements Driver {
  readonly #config: DruidDialectConfig
  #client: DruidClient | undefined

  constructor(config: DruidDialectConfig) {
    this.#config = config
  }

  async init(): Promise<void> {
    const client = this.#config.client
    this.#client = typeof client === 'function' ? await client() : client
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#client === undefined) throw new DruidError('The Druid Kysely driver was used before init() or after destroy()', { code: 'NOT_INITIALIZED' })
    return new DruidConnection(this.#client)
  }

  /** @throws DruidDialectNotSupportedError always: Druid has no transactions. */
  async beginTransaction(): Promise<void> {
    throw new DruidDialectNotSupportedError('transactions')
  }

  /** @throws DruidDialectNotSupportedError always. */
  async commitTransaction(): Promise<void> {
    throw new DruidDialectNotSupportedError('transactions')
  }

  /** @throws DruidDialectNotSupportedError always. */
  async rollbackTransaction(): Promise<void> {
    throw new DruidDialectNotSupportedError('transactions')
  }

  async releaseConnection(): Promise<void> {}

  /** Closes the client when the dialect created it (`client` given as a factory) or `closeClient` is set. */
  async destroy(): Promise<void> {
    const client = this.#client
    this.#client = undefined
    if (client !== undefined && (typeof this.#config.client === 'function' || this.#config.closeClient === true)) await client.close()
  }
}
