import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { TarantoolMigrationError } from '../tarantool-dialect-errors.ts'
import type { TarantoolDrizzleDatabase } from './tarantool-drizzle-database.ts'

/** Options of {@link migrate}. */
export interface TarantoolMigrationConfig {
  /** drizzle-kit's output folder: `meta/_journal.json` plus one `<tag>.sql` per journal entry. */
  migrationsFolder: string
  /** Bookkeeping table; default `__drizzle_migrations`. */
  migrationsTable?: string
}

/** What {@link migrate} did. */
export interface TarantoolMigrationResult {
  /** Journal tags of the migrations applied by this call, in order (empty when everything was applied). */
  applied: string[]
}

const STATEMENT_BREAKPOINT = '--> statement-breakpoint'

/**
 * Applies a drizzle-kit SQL migration folder (0.31 format: `meta/_journal.json` + `NNNN_name.sql`, statements
 * separated by `--> statement-breakpoint`, read with drizzle-orm's own `readMigrationFiles`) to Tarantool
 * (spec kysely-drizzle.md §2.4, §2.8, §3.4).
 *
 * Bookkeeping follows drizzle-orm 0.45: a table (default `__drizzle_migrations`) with Tarantool types —
 * `"id" INTEGER PRIMARY KEY AUTOINCREMENT, "hash" STRING NOT NULL, "created_at" INTEGER NOT NULL` (the
 * journal's `when`, ms) — and every migration whose `when` is newer than the newest recorded one runs.
 *
 * No transaction: Tarantool 2.6 cannot hold one across requests, and DDL in a transaction is limited even
 * on 2.10+ (spec tarantool.md §4.3). Statements run one by one in file order; each migration is recorded
 * right after its last statement, and the first failing statement stops everything with a
 * {@link TarantoolMigrationError} naming the migration and statement. There is no lock: run migrations from
 * one process at a time.
 *
 * drizzle-kit has no Tarantool dialect: generate with `dialect: 'sqlite'` and review the SQL before use —
 * Tarantool rejects backtick identifiers (use `"`), the types `real`/`blob`/`numeric` (use DOUBLE, VARBINARY,
 * NUMBER), and anything after AUTOINCREMENT in a column (`PRIMARY KEY AUTOINCREMENT NOT NULL` must become
 * `NOT NULL PRIMARY KEY AUTOINCREMENT`); every table needs a primary key, and 2.6 has no `ALTER TABLE ADD
 * COLUMN`.
 *
 * @returns the tags of the migrations applied.
 * @throws Error (from drizzle-orm) when the folder has no `meta/_journal.json` or a listed file is missing.
 * @throws TarantoolMigrationError when a statement fails; `cause` is the driver's `ServerError`.
 * @example
 * import { drizzle, migrate } from 'dialectry/tarantool/drizzle'
 * const db = drizzle(pool)
 * const { applied } = await migrate(db, { migrationsFolder: './drizzle' })
 */
export async function migrate(db: TarantoolDrizzleDatabase<any>, config: TarantoolMigrationConfig): Promise<TarantoolMigrationResult> {
  const migrations = readMigrationFiles(config)
  const tags = readJournalTags(config.migrationsFolder)
  const table = sql.identifier(config.migrationsTable ?? '__drizzle_migrations')

  await db.run(
    sql`create table if not exists ${table} ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "hash" STRING NOT NULL, "created_at" INTEGER NOT NULL)`,
  )
  const newest = await db.values<[number | bigint]>(sql`select "created_at" from ${table} order by "created_at" desc limit 1`)
  const newestAt = newest[0] === undefined ? undefined : Number(newest[0][0])

  const applied: string[] = []
  for (const [index, migration] of migrations.entries()) {
    if (newestAt !== undefined && migration.folderMillis <= newestAt) continue
    const tag = tags[index] ?? String(migration.folderMillis)
    const statements = migration.sql.map((s) => s.trim()).filter((s) => s.length > 0 && s !== STATEMENT_BREAKPOINT)
    for (const [i, statement] of statements.entries()) {
      try {
        await db.run(sql.raw(statement))
      } catch (error) {
        throw new TarantoolMigrationError(tag, i + 1, statements.length, error)
      }
    }
    await db.run(sql`insert into ${table} ("hash", "created_at") values (${migration.hash}, ${migration.folderMillis})`)
    applied.push(tag)
  }
  return { applied }
}

/** Journal tags in journal order (readMigrationFiles returns the migrations in the same order, without tags). */
function readJournalTags(folder: string): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries?: { tag?: unknown }[] }
  return (journal.entries ?? []).map((e) => String(e.tag))
}
