import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { TarantoolDialectError, TarantoolMigrationError } from '../tarantool-dialect-errors.ts'
import { translateDrizzleKitSqlite, type TarantoolMigrationStep } from './tarantool-drizzle-kit-translation.ts'
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

/**
 * Applies a drizzle-kit SQL migration folder (0.31 format: `meta/_journal.json` + `NNNN_name.sql`, statements
 * separated by `--> statement-breakpoint`, read with drizzle-orm's own `readMigrationFiles`) to Tarantool
 * (drizzle-team/drizzle-orm `drizzle-orm/src/migrator.ts`; https://orm.drizzle.team/docs/drizzle-kit-generate).
 *
 * Bookkeeping follows drizzle-orm 0.45: a table (default `__drizzle_migrations`) with Tarantool types —
 * `"id" INTEGER PRIMARY KEY AUTOINCREMENT, "hash" STRING NOT NULL, "created_at" INTEGER NOT NULL` (the
 * journal's `when`, ms) — and every migration whose `when` is newer than the newest recorded one runs.
 *
 * No transaction: Tarantool 2.6 cannot hold one across requests, and DDL in a transaction is limited even
 * on 2.10+
 * (https://www.tarantool.io/en/doc/latest/reference/reference_sql/sql_statements_and_clauses/#sql-create-table).
 * Statements run one by one in file order and progress is recorded after
 * each (`statements_done`), so after the first failing statement stops everything with a
 * {@link TarantoolMigrationError}, fixing that statement and running `migrate()` again resumes right there.
 * Chunks holding only comments are skipped. There is no lock: run migrations from one process at a time.
 *
 * drizzle-kit has no Tarantool dialect: generate with `dialect: 'sqlite'` and pass the folder as generated.
 * Each statement is translated to Tarantool SQL first ({@link translateDrizzleKitSqlite}: backticks, the
 * `real`/`blob`/`numeric`/`text` types, AUTOINCREMENT's position, boolean defaults, `PRAGMA foreign_keys`,
 * `DROP INDEX` without its table, tables that reference a table created later in the file); Tarantool SQL that
 * was written by hand passes through unchanged. Every pending migration is translated before anything runs, so
 * a statement Tarantool cannot run (`ALTER TABLE … ADD` on 2.6, `RENAME COLUMN`, `DROP COLUMN`, generated
 * columns, partial indexes) stops `migrate()` with a {@link TarantoolMigrationNotSupportedError} before any
 * statement was applied. Every table needs a primary key (Tarantool refuses a table without one).
 *
 * @returns the tags of the migrations applied.
 * @throws Error (from drizzle-orm) when the folder has no `meta/_journal.json` or a listed file is missing.
 * @throws TarantoolMigrationError when a statement fails; `cause` is the driver's `ServerError`.
 * @throws TarantoolMigrationNotSupportedError when a pending migration holds a statement Tarantool cannot run.
 * @example
 * import { drizzle, migrate } from 'dialectry/tarantool/drizzle'
 * const db = drizzle(pool)
 * const { applied } = await migrate(db, { migrationsFolder: './drizzle' })
 */
export async function migrate(db: TarantoolDrizzleDatabase<any>, config: TarantoolMigrationConfig): Promise<TarantoolMigrationResult> {
  const migrations = readMigrationFiles(config)
  const tags = readJournalTags(config.migrationsFolder)
  const table = sql.identifier(config.migrationsTable ?? '__drizzle_migrations')

  // "statements_done" is NULL for a finished migration and the count of applied statements for one that
  // stopped part-way, so a re-run resumes after them instead of repeating DDL that already happened.
  await db.run(
    sql`create table if not exists ${table} ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "hash" STRING NOT NULL, "created_at" INTEGER NOT NULL, "statements_done" INTEGER)`,
  )
  const newest = await db.values<[number | bigint]>(sql`select "created_at" from ${table} where "statements_done" is null order by "created_at" desc limit 1`)
  const newestAt = newest[0] === undefined ? undefined : Number(newest[0][0])

  // Translate every pending migration before running anything: a statement Tarantool cannot run stops here.
  const addColumn = serverRunsAddColumn(db)
  const pending: { tag: string; migration: (typeof migrations)[number]; total: number; steps: TarantoolMigrationStep[] }[] = []
  for (const [index, migration] of migrations.entries()) {
    if (newestAt !== undefined && migration.folderMillis <= newestAt) continue
    const tag = tags[index] ?? String(migration.folderMillis)
    const statements = migration.sql.filter((s) => !isBlankStatement(s)).map((s) => s.trim())
    pending.push({ tag, migration, total: statements.length, steps: translateDrizzleKitSqlite(statements, tag, { addColumn }) })
  }

  const applied: string[] = []
  for (const { tag, migration, total, steps } of pending) {
    const partial = await db.values<[number | bigint, number | bigint]>(
      sql`select "id", "statements_done" from ${table} where "created_at" = ${migration.folderMillis} and "statements_done" is not null`,
    )
    let rowId: number | bigint
    let done: number
    if (partial[0] !== undefined) {
      rowId = partial[0][0]
      done = Number(partial[0][1])
    } else {
      const inserted = (await db.run(
        sql`insert into ${table} ("hash", "created_at", "statements_done") values (${migration.hash}, ${migration.folderMillis}, 0)`,
      )) as { autoincrementIds?: readonly (number | bigint)[] }
      rowId = inserted.autoincrementIds?.[0] ?? 0
      done = 0
    }
    // statements_done counts steps (the translation is deterministic); errors name the statement in the file.
    for (let i = done; i < steps.length; i++) {
      try {
        await runStep(db, steps[i]!)
      } catch (error) {
        throw new TarantoolMigrationError(tag, steps[i]!.source, total, error)
      }
      await db.run(sql`update ${table} set "statements_done" = ${i + 1} where "id" = ${rowId}`)
    }
    await db.run(sql`update ${table} set "statements_done" = null, "hash" = ${migration.hash} where "id" = ${rowId}`)
    applied.push(tag)
  }
  return { applied }
}

async function runStep(db: TarantoolDrizzleDatabase<any>, step: TarantoolMigrationStep): Promise<void> {
  if ('sql' in step) {
    await db.run(sql.raw(step.sql))
    return
  }
  // Index names are unique per space only: find the table that holds an index of that name.
  const owners = await db.values<[string]>(
    sql`select s."name" from "_vindex" i join "_vspace" s on s."id" = i."id" where i."name" = ${step.dropIndex} and s."id" >= 512`,
  )
  if (owners.length === 0 && step.ifExists) return
  if (owners.length !== 1) {
    throw new TarantoolDialectError(
      owners.length === 0
        ? `DROP INDEX ${JSON.stringify(step.dropIndex)}: no table has an index of that name.`
        : `DROP INDEX ${JSON.stringify(step.dropIndex)}: the tables ${owners.map((o) => JSON.stringify(o[0])).join(', ')} each have an index of that name (Tarantool index names are per table); drop it by hand with DROP INDEX "<index>" ON "<table>".`,
      'DROP_INDEX_TABLE',
    )
  }
  await db.run(sql`drop index ${sql.identifier(step.dropIndex)} on ${sql.identifier(owners[0]![0])}`)
}

/**
 * Whether the server runs `ALTER TABLE … ADD COLUMN` (Tarantool 2.7+), from the greeting's version on the
 * client (`Connection.serverVersion`, or a `Pool`'s connections). Unknown → `true`: the server decides.
 */
function serverRunsAddColumn(db: TarantoolDrizzleDatabase<any>): boolean {
  const client = (db as { $client?: { serverVersion?: unknown; connections?: readonly { serverVersion?: unknown }[] } }).$client
  const version = [client?.serverVersion, ...(client?.connections ?? []).map((c) => c.serverVersion)].find((v) => typeof v === 'string')
  if (typeof version !== 'string') return true
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return major > 2 || (major === 2 && minor >= 7)
}

/** A chunk with nothing but whitespace, `-- ...` lines, `/* ... *\/` comments or the breakpoint marker. */
function isBlankStatement(chunk: string): boolean {
  return chunk.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--[^\n]*/g, '').trim().length === 0
}

/** Journal tags in journal order (readMigrationFiles returns the migrations in the same order, without tags). */
function readJournalTags(folder: string): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries?: { tag?: unknown }[] }
  return (journal.entries ?? []).map((e) => String(e.tag))
}
