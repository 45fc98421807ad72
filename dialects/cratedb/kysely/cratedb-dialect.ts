import type { DatabaseIntrospector, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler } from 'kysely'
import { CrateDBAdapter } from './cratedb-adapter.ts'
import type { CrateDBDialectConfig } from './cratedb-dialect-config.ts'
import { CrateDBDriver } from './cratedb-driver.ts'
import { CrateDBIntrospector } from './cratedb-introspector.ts'
import { CrateDBQueryCompiler } from './cratedb-query-compiler.ts'

/**
 * Kysely dialect for CrateDB over the `dialectry/cratedb` HTTP driver (kysely-org/kysely `src/dialect/dialect.ts`;
 * https://cratedb.com/docs/crate/reference/en/latest/sql/index.html). Wires {@link CrateDBDriver}, {@link
 * CrateDBQueryCompiler}, {@link CrateDBAdapter} and
 * {@link CrateDBIntrospector}.
 *
 * `db.transaction()` and `db.startTransaction()` throw `CrateDBTransactionsNotSupportedError` (CrateDB has no
 * transactions; see `CrateDBDriver`). Non-primary-key reads see writes only after a refresh: use
 * `refresh(db, table)` where the next query must see the last write.
 *
 * @example
 * import { Kysely, sql } from 'kysely'
 * import { connect } from 'dialectry/cratedb'
 * import { CrateDBDialect, refresh } from 'dialectry/cratedb/kysely'
 *
 * const db = new Kysely<{ users: { id: string; name: string } }>({
 *   dialect: new CrateDBDialect({ client: () => connect('http://localhost:4200') }),
 * })
 * await db.insertInto('users').values({ id: 'u1', name: 'Ann' })
 *   .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
 *   .execute()
 * await refresh(db, 'users')
 * const ann = await db.selectFrom('users').selectAll().where('name', '=', 'Ann').executeTakeFirst()
 * await db.destroy()
 */
export class CrateDBDialect implements Dialect {
  readonly #config: CrateDBDialectConfig

  /** @param config see {@link CrateDBDialectConfig}; frozen here. */
  constructor(config: CrateDBDialectConfig) {
    this.#config = Object.freeze({ ...config })
  }

  createDriver(): Driver {
    return new CrateDBDriver(this.#config)
  }

  createQueryCompiler(): QueryCompiler {
    return new CrateDBQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new CrateDBAdapter(this.#config.migrationLock)
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CrateDBIntrospector(db)
  }
}
