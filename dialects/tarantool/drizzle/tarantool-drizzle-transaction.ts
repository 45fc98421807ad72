import { entityKind, sql, type RelationalSchemaConfig, type TablesRelationalConfig } from 'drizzle-orm'
import { SQLiteTransaction } from 'drizzle-orm/sqlite-core'
import type { TarantoolSQLiteDialect } from './tarantool-drizzle-dialect.ts'
import type { TarantoolRunResult } from './tarantool-drizzle-prepared-query.ts'
import type { TarantoolDrizzleSession } from './tarantool-drizzle-session.ts'

/**
 * The `tx` of `db.transaction(async (tx) => ...)`: a database whose queries run in the transaction's IPROTO
 * stream (Tarantool 2.10+). `tx.transaction(cb)` nests with `SAVEPOINT "spN"` / `RELEASE SAVEPOINT` /
 * `ROLLBACK TO SAVEPOINT` in the same stream; `tx.rollback()` aborts the whole transaction.
 */
export class TarantoolDrizzleTransaction<
  TFullSchema extends Record<string, unknown>,
  TSchema extends TablesRelationalConfig,
> extends SQLiteTransaction<'async', TarantoolRunResult, TFullSchema, TSchema> {
  static override readonly [entityKind]: string = 'TarantoolDrizzleTransaction'

  readonly #dialect: TarantoolSQLiteDialect
  readonly #session: TarantoolDrizzleSession<TFullSchema, TSchema>
  readonly #relations: RelationalSchemaConfig<TSchema> | undefined

  /** @internal Built by `TarantoolDrizzleSession.transaction`. */
  constructor(
    dialect: TarantoolSQLiteDialect,
    session: TarantoolDrizzleSession<TFullSchema, TSchema>,
    schema: RelationalSchemaConfig<TSchema> | undefined,
    nestedIndex = 0,
  ) {
    super('async', dialect, session, schema, nestedIndex)
    this.#dialect = dialect
    this.#session = session
    this.#relations = schema
  }

  /** Runs `transaction` inside a savepoint of this transaction; rolls back to it if `transaction` throws. */
  override async transaction<T>(transaction: (tx: TarantoolDrizzleTransaction<TFullSchema, TSchema>) => Promise<T>): Promise<T> {
    const name = sql.identifier(`sp${this.nestedIndex}`)
    const tx = new TarantoolDrizzleTransaction<TFullSchema, TSchema>(this.#dialect, this.#session, this.#relations, this.nestedIndex + 1)
    await this.#session.run(sql`savepoint ${name}`)
    let result: T
    try {
      result = await transaction(tx)
    } catch (error) {
      await this.#session.run(sql`rollback to savepoint ${name}`)
      throw error
    }
    await this.#session.run(sql`release savepoint ${name}`)
    return result
  }
}
