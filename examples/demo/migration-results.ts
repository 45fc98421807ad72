/**
 * What the demo does with the result of a Kysely `Migrator` call (the Migrator reports errors in its result
 * instead of throwing), for both systems.
 */
import type { MigrationResultSet } from 'kysely/migration'

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
