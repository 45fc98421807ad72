import type { DatabaseIntrospector, Dialect, DialectAdapter, Driver, Kysely, QueryCompiler } from 'kysely'
import type { TarantoolDialectConfig } from './tarantool-dialect-config.ts'
import { TarantoolAdapter } from './tarantool-adapter.ts'
import { TarantoolDriver } from './tarantool-driver.ts'
import { TarantoolIntrospector } from './tarantool-introspector.ts'
import { TarantoolQueryCompiler } from './tarantool-query-compiler.ts'

/**
 * Kysely dialect for Tarantool SQL over the `dialectry/tarantool` driver (kysely-org/kysely `src/dialect/dialect.ts`;
 * https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/). Wires {@link
 * TarantoolDriver}, {@link TarantoolQueryCompiler}, {@link TarantoolAdapter}
 * and {@link TarantoolIntrospector}.
 *
 * @example
 * import { Kysely, type Generated } from 'kysely'
 * import { createPool } from 'dialectry/tarantool'
 * import { TarantoolDialect } from 'dialectry/tarantool/kysely'
 *
 * const db = new Kysely<{ users: { id: Generated<number>; name: string } }>({
 *   dialect: new TarantoolDialect({ pool: () => createPool('tarantool://app:secret@127.0.0.1:3301', { size: 4 }) }),
 * })
 * const { insertId } = await db.insertInto('users').values({ name: 'Ann' }).executeTakeFirstOrThrow()
 * const ann = await db.selectFrom('users').selectAll().where('id', '=', Number(insertId)).executeTakeFirst()
 * await db.destroy()
 */
export class TarantoolDialect implements Dialect {
  readonly #config: TarantoolDialectConfig

  /** @param config see {@link TarantoolDialectConfig}; frozen here. */
  constructor(config: TarantoolDialectConfig) {
    this.#config = Object.freeze({ ...config })
  }

  createDriver(): Driver {
    return new TarantoolDriver(this.#config)
  }

  createQueryCompiler(): QueryCompiler {
    return new TarantoolQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return new TarantoolAdapter(this.#config.migrationLock)
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new TarantoolIntrospector(db)
  }
}
