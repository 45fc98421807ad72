import { customType } from 'drizzle-orm/sqlite-core'

/**
 * A Tarantool INTEGER column read and written as `bigint` (the full 64-bit range,
 * https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_user_guide/#sql-operand-data-types).
 * sqlite-core's own `integer()` is typed `number` yet the driver returns a `bigint` for values beyond 2^53, and
 * `blob({ mode: 'bigint' })` stores decimal text in a VARBINARY column that compares as text — use this instead.
 *
 * @example
 * import { sqliteTable } from 'drizzle-orm/sqlite-core'
 * import { bigint } from 'dialectry/tarantool/drizzle'
 * const counters = sqliteTable('counters', { id: bigint('id').primaryKey(), hits: bigint('hits').notNull() })
 */
export const bigint = customType<{ data: bigint; driverData: number | bigint }>({
  dataType: () => 'integer',
  fromDriver: (value) => BigInt(value),
  toDriver: (value) => value,
})

/**
 * A Tarantool BOOLEAN column. sqlite-core's `integer({ mode: 'boolean' })` sends 1/0, which a BOOLEAN column
 * rejects; this one sends and reads real booleans.
 *
 * @example
 * const flags = sqliteTable('flags', { id: integer('id').primaryKey(), on: boolean('on').notNull() })
 */
export const boolean = customType<{ data: boolean; driverData: boolean }>({ dataType: () => 'boolean' })
