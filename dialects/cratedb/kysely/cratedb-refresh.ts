import { sql, type Kysely } from 'kysely'

/**
 * `REFRESH TABLE t[, t2 …]`: makes every write to the tables visible to searches now
 * (https://cratedb.com/docs/crate/reference/en/latest/sql/statements/refresh.html).
 *
 * CrateDB reads are eventually consistent: a query that is not a primary-key lookup (`WHERE pk = ?`) sees a
 * write only after the table was refreshed, which happens about once a second on busy tables and lazily on
 * idle ones. Call this after writes that the next query must see (tests, read-after-write flows, between
 * migrations that read each other's data). It is expensive on large tables; do not call it per row.
 *
 * @param db any Kysely on the CrateDB dialect.
 * @param tables one table or several, optionally schema-qualified (`'doc.users'`).
 * @throws the driver's `ProgrammingError` (4041) when a table does not exist: CrateDB then refreshes none of them.
 * @example
 * await db.insertInto('users').values({ id: 'u1', name: 'Ann' }).execute()
 * await refresh(db, 'users')
 * await db.selectFrom('users').selectAll().where('name', '=', 'Ann').execute() // sees the new row
 */
export async function refresh(db: Kysely<any>, tables: string | readonly string[]): Promise<void> {
  const list = typeof tables === 'string' ? [tables] : tables
  if (list.length === 0) return
  await sql`refresh table ${sql.join(list.map((t) => sql.table(t)))}`.execute(db)
}
