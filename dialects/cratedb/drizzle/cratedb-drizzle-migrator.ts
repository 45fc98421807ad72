import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql, type SQL } from 'drizzle-orm'
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator'
import { CrateDBMigrationChangedError, CrateDBMigrationError } from '../cratedb-dialect-errors.ts'
import { acquireOccLock, qualifiedTable, releaseOccLock, type CrateDBStatementRunner } from '../cratedb-occ-lock.ts'
import type { CrateDBDrizzleDatabase } from './cratedb-drizzle-database.ts'
import type { CrateDBQueryResult } from './cratedb-drizzle-prepared-query.ts'
import { translateDrizzleKitPostgres } from './cratedb-drizzle-kit-translation.ts'
import { isCommentOnly, splitStatements } from './cratedb-sql-statements.ts'

/** Options of {@link migrate}. */
export interface CrateDBMigrationConfig {
  /** drizzle-kit's output folder: `meta/_journal.json` plus one `<tag>.sql` per journal entry. */
  migrationsFolder: string
  /** Bookkeeping table; default `__drizzle_migrations`. Its lock table is this name plus `_lock`. */
  migrationsTable?: string
  /** Schema of the bookkeeping tables; default `drizzle` (as Drizzle's PostgreSQL migrator). CrateDB creates it implicitly. */
  migrationsSchema?: string
  /** Ms to wait for another `migrate()` holding the lock; default 600 000 (10 min). */
  lockTimeout?: number
  /** Ms between two attempts to take the lock; default 250. */
  lockPollInterval?: number
}

/** What {@link migrate} did. */
export interface CrateDBMigrationResult {
  /** Journal tags of the migrations applied by this call, in order (empty when everything was applied). */
  applied: string[]
}

const LOCK_ROW_ID = 'migrate'
/**
 * CrateDB's "relation already exists" (4093,
 * https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-codes): a concurrent migrate()
 * created it first.
 */
const RELATION_EXISTS = 4093

/**
 * Applies a drizzle-kit SQL migration folder (0.31 format: `meta/_journal.json` + `NNNN_name.sql`, statements
 * separated by `--> statement-breakpoint`, read with drizzle-orm's own `readMigrationFiles`) to CrateDB
 * (drizzle-team/drizzle-orm `drizzle-orm/src/migrator.ts`; https://orm.drizzle.team/docs/drizzle-kit-generate). A
 * journal entry with `breakpoints: false` has no markers; its file
 * is split at the `;` that end statements (not inside quotes or comments), since CrateDB runs one statement per
 * request.
 *
 * Drizzle's PostgreSQL migrator cannot run on CrateDB (it creates `id SERIAL` and wraps everything in a
 * transaction), so bookkeeping is CrateDB-shaped: table `"drizzle"."__drizzle_migrations"` with
 * `"name" TEXT PRIMARY KEY` (the journal tag), `"hash" TEXT`, `"created_at" BIGINT` (the journal's `when`, ms)
 * and `"statements_done" INTEGER` (NULL once the migration finished). `hash` is Drizzle's SHA-256 of the file once
 * the migration finished; while it is unfinished, a SHA-256 of the statements applied so far.
 *
 * - **Which migrations run:** every journal entry whose tag is not recorded as finished. Each check is a
 *   primary-key lookup, which CrateDB answers in real time (no refresh needed), so a second call right after a
 *   first one skips everything: `migrate()` is idempotent.
 * - **No transaction:** statements run one by one in file order and progress is recorded after each, so after
 *   the first failing statement stops everything with a {@link CrateDBMigrationError}, fixing that statement
 *   and calling `migrate()` again resumes right there. Chunks holding only comments are skipped. Resuming checks
 *   the hash of the statements already applied: when one of them was edited in the file meanwhile,
 *   {@link CrateDBMigrationChangedError} stops `migrate()` instead of silently skipping the edit.
 * - **Concurrency:** a lock row in `<table>_lock` is taken with optimistic concurrency control (`_seq_no` /
 * `_primary_term`, https://cratedb.com/docs/crate/reference/en/latest/general/occ.html) before anything is read, so
 * concurrent `migrate()` calls run one
 *   after another. A crashed run leaves the lock set; the timeout error prints the statement that clears it.
 * - The bookkeeping table is refreshed at the end (`REFRESH TABLE`), so ordinary queries see the new rows.
 *
 * drizzle-kit has no CrateDB dialect: generate with `dialect: 'postgresql'` and pass the folder as generated. Each
 * statement is translated first ({@link translateDrizzleKitPostgres}): the quoted types drizzle-kit writes for
 * this package's column helpers (`"array(text)"`, `"object"`, `"geo_point"`, …) are unquoted, `json`/`jsonb`
 * become `object(ignored)`, foreign keys and plain indexes are skipped (CrateDB has no foreign keys and indexes
 * every column), `DROP TABLE … CASCADE` loses `CASCADE`. CrateDB SQL written by hand passes through unchanged.
 * Every unfinished migration is translated before anything runs, so `serial`/identity columns, `UNIQUE`
 * constraints, unique indexes and enum types stop `migrate()` with a {@link CrateDBMigrationNotSupportedError}
 * before any statement was applied.
 *
 * @returns the tags of the migrations applied.
 * @throws Error (from drizzle-orm) when the folder has no `meta/_journal.json` or a listed file is missing.
 * @throws CrateDBMigrationError when a statement fails; its `cause` chain ends at the driver's error.
 * @throws CrateDBMigrationNotSupportedError when an unfinished migration holds a statement CrateDB cannot run.
 * @throws CrateDBMigrationChangedError when a partly applied migration's applied statements changed in the file.
 * @throws CrateDBMigrationLockTimeoutError when another `migrate()` holds the lock longer than `lockTimeout`.
 * @example
 * import { drizzle, migrate } from 'dialectry/cratedb/drizzle'
 * const db = drizzle(client)
 * const { applied } = await migrate(db, { migrationsFolder: './drizzle' })
 */
export async function migrate(db: CrateDBDrizzleDatabase<any>, config: CrateDBMigrationConfig): Promise<CrateDBMigrationResult> {
  const migrations = readMigrationFiles(config)
  const tags = readJournalTags(config.migrationsFolder)
  const schema = config.migrationsSchema ?? 'drizzle'
  const tableName = config.migrationsTable ?? '__drizzle_migrations'
  const table = qualifiedTable(tableName, schema)
  const lock = { table: `${tableName}_lock`, schema, id: LOCK_ROW_ID, timeout: config.lockTimeout ?? 600_000, pollInterval: config.lockPollInterval ?? 250 }
  const lockTable = qualifiedTable(lock.table, schema)
  const run = runner(db)

  await createIfMissing(run, `create table if not exists ${table} ("name" text primary key, "hash" text not null, "created_at" bigint not null, "statements_done" integer)`)
  await createIfMissing(run, `create table if not exists ${lockTable} ("id" text primary key, "is_locked" integer not null default 0)`)
  await run(`insert into ${lockTable} ("id", "is_locked") values (?, 0) on conflict do nothing`, [LOCK_ROW_ID])

  const version = await acquireOccLock(run, lock)
  const applied: string[] = []
  try {
    // Translate every unfinished migration before running anything: a statement CrateDB cannot run stops here.
    const pending: { tag: string; migration: MigrationMeta; statements: string[]; translated: (string | null)[]; recorded: Record<string, unknown> | undefined }[] = []
    for (const [index, migration] of migrations.entries()) {
      const tag = tags[index] ?? String(migration.folderMillis)
      const { rows } = await run(`select "statements_done", "hash" from ${table} where "name" = ?`, [tag])
      const recorded = rows[0]
      if (recorded !== undefined && recorded['statements_done'] === null) continue
      const statements = migrationStatements(migration)
      pending.push({ tag, migration, statements, translated: translateDrizzleKitPostgres(statements, tag), recorded })
    }
    for (const { tag, migration, statements, translated, recorded } of pending) {
      let done = recorded === undefined ? 0 : Number(recorded['statements_done'])
      if (recorded === undefined) {
        await run(`insert into ${table} ("name", "hash", "created_at", "statements_done") values (?, ?, ?, 0)`, [tag, appliedHash(statements, 0), migration.folderMillis])
      } else if (done > 0 && recorded['hash'] !== appliedHash(statements, done) && recorded['hash'] !== migration.hash) {
        // (The file hash is accepted too: rows written before applied-prefix hashes carry it, and an unchanged file is safe.)
        throw new CrateDBMigrationChangedError(tag, done, statements.length, table)
      }
      for (; done < statements.length; done++) {
        const statement = translated[done]
        if (statement !== null && statement !== undefined) {
          try {
            await db.execute(sql.raw(statement))
          } catch (error) {
            throw new CrateDBMigrationError(tag, done + 1, statements.length, error)
          }
        }
        await run(`update ${table} set "statements_done" = ?, "hash" = ? where "name" = ?`, [done + 1, appliedHash(statements, done + 1), tag])
      }
      await run(`update ${table} set "statements_done" = null, "hash" = ? where "name" = ?`, [migration.hash, tag])
      applied.push(tag)
    }
    await run(`refresh table ${table}`, [])
  } finally {
    await releaseOccLock(run, lock, version)
  }
  return { applied }
}

/** Statements with `?` placeholders through `db.execute` (logged like every Drizzle query). */
function runner(db: CrateDBDrizzleDatabase<any>): CrateDBStatementRunner {
  return async (text, params) => {
    const result = (await db.execute(withParams(text, params))) as unknown as CrateDBQueryResult
    return { rows: result.rows, rowCount: result.rowCount }
  }
}

/** Turns `?` placeholders into Drizzle parameters (the statements here have no `?` inside literals). */
function withParams(text: string, params: readonly unknown[]): SQL {
  const parts = text.split('?')
  const chunks: SQL[] = []
  for (let i = 0; i < parts.length; i++) {
    chunks.push(sql.raw(parts[i]!))
    if (i < parts.length - 1) chunks.push(sql`${params[i]}`)
  }
  return sql.join(chunks)
}

async function createIfMissing(run: CrateDBStatementRunner, statement: string): Promise<void> {
  try {
    await run(statement, [])
  } catch (error) {
    if (codeOf(error) !== RELATION_EXISTS) throw error
  }
}

function codeOf(error: unknown): unknown {
  let current = error
  while (current instanceof Error) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'number') return code
    current = current.cause
  }
  return undefined
}

/**
 * The statements of one migration: drizzle-orm splits the file at `--> statement-breakpoint`; without
 * breakpoints (`breakpoints: false` in the journal) each chunk is split at its top-level `;`. Chunks holding only
 * comments are dropped.
 */
function migrationStatements(migration: MigrationMeta): string[] {
  if (migration.bps) return migration.sql.filter((s) => !isCommentOnly(s)).map((s) => s.trim())
  return migration.sql.flatMap((chunk) => splitStatements(chunk))
}

/** SHA-256 (hex) of the first `count` statements: what a partly applied migration has applied. */
function appliedHash(statements: readonly string[], count: number): string {
  return createHash('sha256').update(JSON.stringify(statements.slice(0, count))).digest('hex')
}

/** Journal tags in journal order (readMigrationFiles returns the migrations in the same order, without tags). */
function readJournalTags(folder: string): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries?: { tag?: unknown }[] }
  return (journal.entries ?? []).map((e) => String(e.tag))
}
