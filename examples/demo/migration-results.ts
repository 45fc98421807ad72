/**
 * How both demo parts run their Kysely migrations: a `Migrator` with the demo's own history tables, resetting an
 * earlier run, and what to do with the result of a `Migrator` call (the Migrator reports errors in its result
 * instead of throwing).
 */
import type { Kysely } from 'kysely'
import { Migrator, NO_MIGRATIONS, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration'

/**
 * Returns the results, or throws the Migrator's error.
 * @throws Error `Migration failed while <what>: …` with the Migrator's error as `cause`.
 * @example
 * logMigrations(console.log, checkMigration(await migrator.migrateToLatest(), 'creating the tables'))
 */
export function checkMigration(set: MigrationResultSet, what: string): NonNullable<MigrationResultSet['results']> {
  if (set.error !== undefined) {
    throw new Error(`Migration failed while ${what}: ${set.error instanceof Error ? set.error.message : String(set.error)}`, { cause: set.error })
  }
  return set.results ?? []
}

/** Prints `Migration <name>: applied (Success)` (or `reverted`) per migration. */
export function logMigrations(log: (line: string) => void, results: NonNullable<MigrationResultSet['results']>): void {
  for (const r of results) log(`Migration ${r.migrationName}: ${r.direction === 'Up' ? 'applied' : 'reverted'} (${r.status})`)
}

/** Tables the demo's Migrators keep their history and lock in (the lock table is the history table's name + `_lock`). */
export const MIGRATION_TABLE = 'demo_migration'
export const MIGRATION_LOCK_TABLE = 'demo_migration_lock'

/** Hands `migrations` to Kysely's `Migrator`. */
export function migrationProviderFor(migrations: Readonly<Record<string, Migration>>): MigrationProvider {
  return {
    async getMigrations() {
      return migrations
    },
  }
}

/**
 * A `Migrator` over `provider` with the demo's own history tables ({@link MIGRATION_TABLE}, {@link MIGRATION_LOCK_TABLE}).
 * @example
 * const { error } = await createDemoMigrator(db, migrationProviderFor(migrations)).migrateToLatest()
 */
export function createDemoMigrator(db: Kysely<any>, provider: MigrationProvider): Migrator {
  return new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  })
}

/**
 * Migrates down whatever an earlier run applied (saying so), then up to `target`, printing each migration.
 * @throws Error from {@link checkMigration} when either direction fails.
 * @example
 * await resetAndMigrateTo(createMigrator(db), CREATE_TABLES, console.log)
 */
export async function resetAndMigrateTo(migrator: Migrator, target: string, log: (line: string) => void): Promise<void> {
  const applied = (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined)
  if (applied.length > 0) {
    checkMigration(await migrator.migrateTo(NO_MIGRATIONS), 'reverting the previous run')
    log(`Reverted ${applied.length} migration(s) of an earlier run (dropped its tables)`)
  }
  logMigrations(log, checkMigration(await migrator.migrateTo(target), 'creating the tables'))
}
