import { pollForLock } from '../shared/migration-lock-polling.ts'
import { CrateDBDialectError, CrateDBMigrationLockTimeoutError } from './cratedb-dialect-errors.ts'

/**
 * Runs one SQL statement with `?` parameters and answers rows as objects plus the affected-row count. The
 * Kysely adapter and the Drizzle migrator each adapt their own database object to this shape.
 */
export type CrateDBStatementRunner = (sql: string, params: readonly unknown[]) => Promise<{ rows: readonly Record<string, unknown>[]; rowCount: number }>

/** Where the lock row lives and how long to wait for it. */
export interface CrateDBOccLockTarget {
  /** Table name, unquoted. */
  readonly table: string
  /** Schema of the table; default: the session's default schema (`doc`). */
  readonly schema?: string | undefined
  /** Primary key value of the lock row (column `id`). */
  readonly id: string
  /** Ms to keep trying before {@link CrateDBMigrationLockTimeoutError}. */
  readonly timeout: number
  /** Ms between two attempts. */
  readonly pollInterval: number
}

/** The version of the lock row right after this holder took it: what release compares against. */
export interface CrateDBOccLockVersion {
  readonly seqNo: number | bigint
  readonly primaryTerm: number | bigint
}

/** Quotes one identifier for CrateDB: `"` around it, embedded `"` doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** `"schema"."table"`, or `"table"` without a schema. */
export function qualifiedTable(table: string, schema?: string): string {
  return schema === undefined ? quoteIdentifier(table) : `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`
}

/**
 * Takes a lock row with optimistic concurrency control
 * (https://cratedb.com/docs/crate/reference/en/latest/general/occ.html; lock contract: kysely-org/kysely
 * `src/dialect/dialect-adapter.ts`).
 *
 * The lock row has a text primary key `id` and an integer `is_locked` (0 free, 1 held). Each attempt:
 * 1. reads `"is_locked", "_seq_no", "_primary_term"` by primary key — a real-time `Get`, so it sees the newest
 *    write even before a refresh;
 * 2. when it is free, sends `UPDATE … SET "is_locked" = 1 WHERE "id" = ? AND "_seq_no" = ? AND "_primary_term" = ?`.
 *    CrateDB applies it only if nobody wrote the row since step 1; otherwise it reports 0 rows (no error).
 *    `is_locked = 0` is **not** repeated in that WHERE: CrateDB accepts `_seq_no`/`_primary_term` only next to
 *    primary-key equalities (any other predicate turns the statement into a query-based update, which CrateDB
 *    rejects with `VersioningValidationException`); the version check already proves the row still holds the
 *    0 read in step 1.
 * 3. exactly 1 row → taken; the new version is read back (by primary key) for {@link releaseOccLock}.
 * Otherwise it waits `pollInterval` ms and tries again until `timeout`.
 *
 * @returns the row's version after taking it.
 * @throws CrateDBMigrationLockTimeoutError after `timeout` ms, naming the statement that clears a stale lock.
 * @throws CrateDBDialectError (code `LOCK_ROW_MISSING`) when the lock row does not exist.
 * @example
 * const version = await acquireOccLock(run, { table: 'kysely_migration_lock', id: 'migration_lock', timeout: 60_000, pollInterval: 100 })
 * try { ... } finally { await releaseOccLock(run, target, version) }
 */
export async function acquireOccLock(run: CrateDBStatementRunner, target: CrateDBOccLockTarget): Promise<CrateDBOccLockVersion> {
  const table = qualifiedTable(target.table, target.schema)
  const attempt = async (): Promise<CrateDBOccLockVersion | undefined> => {
    const row = await readLockRow(run, table, target.id)
    if (Number(row['is_locked']) !== 0) return undefined
    const result = await run(`update ${table} set "is_locked" = 1 where "id" = ? and "_seq_no" = ? and "_primary_term" = ?`, [
      target.id,
      row['_seq_no'],
      row['_primary_term'],
    ])
    if (result.rowCount !== 1) return undefined
    const taken = await readLockRow(run, table, target.id)
    return { seqNo: taken['_seq_no'] as number | bigint, primaryTerm: taken['_primary_term'] as number | bigint }
  }
  return pollForLock(attempt, {
    timeout: target.timeout,
    pollInterval: target.pollInterval,
    timeoutError: () =>
      new CrateDBMigrationLockTimeoutError(
        `Timed out after ${target.timeout} ms waiting for the lock row ${JSON.stringify(target.id)} in ${table}: it is held ` +
          `(is_locked = 1). Another migrator is running, or one crashed while holding the lock (CrateDB has no ` +
          `session-scoped locks, so nothing frees it automatically). If none is running, clear it with: ` +
          `update ${table} set "is_locked" = 0 where "id" = '${target.id.replace(/'/g, "''")}'`,
      ),
  })
}

/**
 * Frees a lock taken by {@link acquireOccLock}: `UPDATE … SET "is_locked" = 0 WHERE "id" = ? AND "_seq_no" = ? AND
 * "_primary_term" = ?` with the version the holder left. When the row changed since (someone cleared the lock by
 * hand and another migrator took it), nothing is changed: another holder's lock is never freed.
 *
 * @returns `true` when this holder's lock was freed, `false` when the row no longer carried its version.
 */
export async function releaseOccLock(run: CrateDBStatementRunner, target: Pick<CrateDBOccLockTarget, 'table' | 'schema' | 'id'>, version: CrateDBOccLockVersion): Promise<boolean> {
  const table = qualifiedTable(target.table, target.schema)
  const result = await run(`update ${table} set "is_locked" = 0 where "id" = ? and "_seq_no" = ? and "_primary_term" = ?`, [
    target.id,
    version.seqNo,
    version.primaryTerm,
  ])
  return result.rowCount === 1
}

async function readLockRow(run: CrateDBStatementRunner, table: string, id: string): Promise<Record<string, unknown>> {
  const { rows } = await run(`select "is_locked", "_seq_no", "_primary_term" from ${table} where "id" = ?`, [id])
  const row = rows[0]
  if (row === undefined) {
    throw new CrateDBDialectError(`The lock row ${JSON.stringify(id)} does not exist in ${table}; create it with is_locked = 0 first.`, 'LOCK_ROW_MISSING')
  }
  return row
}
