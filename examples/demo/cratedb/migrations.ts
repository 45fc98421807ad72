/**
 * The CrateDB part's schema as one Kysely migration, run by Kysely's `Migrator` through dialectry's CrateDB
 * dialect, whose adapter serialises migrators with an optimistic-concurrency lock (CrateDB has no transactions).
 *
 * One step is enough: CrateDB indexes every column on write, so there is no index to build after the load (unlike
 * the Tarantool part). The Migrator keeps its history in `demo_migration` / `demo_migration_lock`, not in Kysely's
 * default tables, so a run against a cluster of your own (`CRATEDB_URL`) never touches your migration history.
 */
import type { Kysely } from 'kysely'
import type { Migration, MigrationProvider, Migrator } from 'kysely/migration'
import { createDemoMigrator, migrationProviderFor } from '../migration-results.ts'
import { cratedbType } from '../../../dialects/cratedb/kysely/index.ts'
import { PROPERTY_COLUMNS } from './schema.ts'

/** Creates `earthquakes` and `flights`. */
export const CREATE_TABLES = '001_create_earthquakes_and_flights'
/** Tables the Migrator keeps its history and lock in (the lock table is the history table's name + `_lock`). */
export { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../migration-results.ts'

/** The migrations by name; Kysely runs them in name order. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  [CREATE_TABLES]: {
    async up(db: Kysely<any>): Promise<void> {
      // `ifNotExists`: without transactions, a run that died between the two statements left one table behind
      // without recording the migration; the next run must get past it.
      await db.schema
        .createTable('earthquakes')
        .ifNotExists()
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('time', 'timestamptz', (col) => col.notNull())
        .addColumn('location', cratedbType.geoPoint(), (col) => col.notNull())
        .addColumn('magnitude', 'double precision', (col) => col.notNull())
        .addColumn('depth', 'double precision', (col) => col.notNull())
        .addColumn('properties', cratedbType.object('dynamic', PROPERTY_COLUMNS), (col) => col.notNull())
        .execute()
      await db.schema
        .createTable('flights')
        .ifNotExists()
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('date', 'timestamp', (col) => col.notNull())
        .addColumn('delay', 'integer', (col) => col.notNull())
        .addColumn('distance', 'integer', (col) => col.notNull())
        .addColumn('origin', 'text', (col) => col.notNull())
        .addColumn('destination', 'text', (col) => col.notNull())
        .execute()
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable('flights').ifExists().execute()
      await db.schema.dropTable('earthquakes').ifExists().execute()
    },
  },
})

/** Hands {@link migrations} to Kysely's `Migrator`. */
export const migrationProvider: MigrationProvider = migrationProviderFor(migrations)

/**
 * A `Migrator` over {@link migrations} with the demo's own history tables.
 * @example
 * const { error } = await createMigrator(db).migrateToLatest()
 */
export function createMigrator(db: Kysely<any>): Migrator {
  return createDemoMigrator(db, migrationProvider)
}
