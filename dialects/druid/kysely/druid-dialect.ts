import { Kysely, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver, type QueryCompiler } from 'kysely'
import type { ReadonlyKysely } from '../../shared/read-only-kysely.ts'
import { connect, type DruidClient } from '../../../src/druid/client.ts'
import type { DruidOptions } from '../../../src/druid/options.ts'
import { DruidAdapter } from './druid-adapter.ts'
import { DruidDriver } from './druid-driver.ts'
import { DruidIntrospector } from './druid-introspector.ts'
import { DruidQueryCompiler } from './druid-query-compiler.ts'

/** Configuration of {@link DruidDialect}. */
export interface DruidDialectConfig {
  /** A `dialectry/druid` client, or a factory (called once by `init`; the dialect then closes it on `destroy`). */
  client: DruidClient | (() => DruidClient | Promise<DruidClient>)
  /** Close a client given as an instance on `destroy()`. Default `false`. */
  closeClient?: boolean
}

/**
 * Kysely dialect for Apache Druid (read-only). Prefer {@link createDruidKysely}, which returns a
 * {@link ReadonlyKysely} so writes do not even type-check; every statement is also checked at run time.
 *
 * @example
 * const db = new Kysely<DB>({ dialect: new DruidDialect({ client: () => connect('http://localhost:8888') }) })
 */
export class DruidDialect implements Dialect {
  readonly #config: DruidDialectConfig

  constructor(config: DruidDialectConfig) {
    this.#config = Object.freeze({ ...config })
  }

  createDriver(): Driver {
    return new DruidDriver(this.#config)
  }

  createQueryCompiler(): QueryCompiler {
    return new DruidQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new DruidAdapter()
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new DruidIntrospector(db)
  }
}

/** Kysely's read-only view (`kysely/readonly`) plus the executor raw `sql` needs; see the shared definition. */
export type { ReadonlyKysely }

/**
 * A read-only Kysely over Druid: typed selects only (`selectFrom`, `selectNoFrom`, `with`, `fn`, `introspection`,
 * `executeQuery`); `url` and `options` make the client, or pass `{ client }`.
 *
 * @example
 * import { createDruidKysely, timeFloor } from 'dialectry/druid/kysely'
 * const db = createDruidKysely<{ flights: { __time: Date; origin: string; delay: number } }>('http://localhost:8888')
 * const rows = await db.selectFrom('flights').select([timeFloor('__time', 'PT1H').as('hour'), (eb) => eb.fn.avg('delay').as('delay')]).groupBy('hour').execute()
 */
export function createDruidKysely<DB>(target: string | DruidDialectConfig, options?: DruidOptions): ReadonlyKysely<DB> {
  const config: DruidDialectConfig = typeof target === 'string' ? { client: () => connect(target, options) } : target
  return new Kysely<DB>({ dialect: new DruidDialect(config) }) as unknown as ReadonlyKysely<DB>
}
