import { getTableName, is, sql, Table } from 'drizzle-orm'
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core'
import { InvalidArgumentError } from '../../../src/cratedb/errors.ts'
import type { CrateDBDrizzleDatabase } from './cratedb-drizzle-database.ts'

/**
 * `REFRESH TABLE t[, t2 …]`: makes every write to the tables visible to searches now
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/refresh.html).
 * CrateDB reads that are not primary-key lookups see writes only after a refresh (about once a second on busy
 * tables, lazily on idle ones). Call it where the next query must see the last write; it is expensive on large
 * tables.
 *
 * @param db the Drizzle database from `drizzle()`.
 * @param tables Drizzle tables (their schema is used) or table names (`'users'`, `'doc.users'`).
 * @throws DrizzleQueryError whose `cause` is the driver's `ProgrammingError` (4041) when a table does not exist;
 *   CrateDB then refreshes none of them.
 * @example
 * await db.insert(users).values({ id: 'u1', name: 'Ann' })
 * await refresh(db, users)
 * await db.select().from(users).where(eq(users.name, 'Ann')) // sees the new row
 */
export async function refresh(db: CrateDBDrizzleDatabase<any>, ...tables: (PgTable | string | readonly (PgTable | string)[])[]): Promise<void> {
  const list = tables.flat() as (PgTable | string)[]
  if (list.length === 0) return
  const names = list.map((t) => {
    if (typeof t === 'string') return sql.join(t.split('.').map((part) => sql.identifier(part)), sql.raw('.'))
    if (!is(t, Table)) throw new InvalidArgumentError('refresh() takes Drizzle tables or table names')
    const schema = getTableConfig(t).schema
    return schema === undefined ? sql.identifier(getTableName(t)) : sql`${sql.identifier(schema)}.${sql.identifier(getTableName(t))}`
  })
  await db.execute(sql`refresh table ${sql.join(names, sql.raw(', '))}`)
}
