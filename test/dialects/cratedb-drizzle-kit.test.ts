import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CrateDBMigrationNotSupportedError,
  drizzle,
  migrate,
  refresh,
  translateDrizzleKitPostgres,
  type CrateDBDrizzleDatabase,
} from '../../dialects/cratedb/drizzle/index.ts'
import type { CrateDBClient } from '../../src/cratedb/index.ts'
import { provisionCrateDB, type ProvisionedCrateDB } from './cratedb-test-server.ts'
import * as schema from './fixtures/cratedb-drizzle-kit/schema-v2.ts'

// drizzle-kit's own postgresql output (test/dialects/fixtures/cratedb-drizzle-kit, made by its regenerate.sh from
// schema-v1.ts and schema-v2.ts, which use every column helper) applied unchanged by migrate(), then used through Drizzle.
const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'cratedb-drizzle-kit')
const migrationsFolder = join(fixture, 'migrations')
const { authors, books, reviews } = schema
const TABLES = ['kit_authors', 'kit_books', 'kit_reviews', 'kit_notes', 'kit_counters']
const MIGRATION_TABLES = ['kit_migrations', 'kit_unsupported_migrations']

let server: ProvisionedCrateDB
let client: CrateDBClient
let db: CrateDBDrizzleDatabase<typeof schema>

async function dropAll(): Promise<void> {
  for (const t of TABLES) await db.execute(sql`drop table if exists ${sql.identifier(t)}`)
  for (const t of MIGRATION_TABLES.flatMap((name) => [name, `${name}_lock`])) await db.execute(sql`drop table if exists "drizzle".${sql.identifier(t)}`)
}

beforeAll(async () => {
  server = await provisionCrateDB()
  client = server.client()
  db = drizzle(client, { schema })
  await dropAll()
})

afterAll(async () => {
  if (db !== undefined) await dropAll()
  await client?.close()
  await server?.stop()
})

describe('drizzle-kit postgresql output on CrateDB', () => {
  it('applies both generated migrations as drizzle-kit wrote them', async () => {
    // The files are drizzle-kit's: the helpers' types quoted, jsonb, a foreign key, CREATE/DROP INDEX.
    const generated = readFileSync(join(migrationsFolder, '0000_create_library.sql'), 'utf8')
    expect(generated).toContain('"meta" "object(dynamic) as ("pages" integer, "publisher" text)"')
    expect(generated).toContain('"tags" "array(text)"')
    expect(await migrate(db, { migrationsFolder, migrationsTable: 'kit_migrations' })).toEqual({ applied: ['0000_create_library', '0001_alter_library'] })
    expect(await migrate(db, { migrationsFolder, migrationsTable: 'kit_migrations' })).toEqual({ applied: [] })
    const columns = await db.execute(
      sql`select "column_name", "data_type" from "information_schema"."columns" where "table_name" = 'kit_books' and "column_name" in ('shop', 'details', 'branches') order by "column_name"`,
    )
    expect(columns.rows).toEqual([
      { column_name: 'branches', data_type: 'geo_point_array' },
      { column_name: 'details', data_type: 'object' },
      { column_name: 'shop', data_type: 'geo_point' },
    ])
  })

  it('stores and reads every helper column and the pg-core columns through Drizzle', async () => {
    const [author] = await db
      .insert(authors)
      .values({
        name: 'Le Guin',
        nickname: 'UKL',
        born: 1929,
        aliases: ['Ursula'],
        extra: { source: 'library', score: 5 },
        tags: ['fantasy', 'sf'],
        scores: [4.5, 5],
        settings: { theme: 'dark' },
        meta: { pages: 250, publisher: 'Ace' },
        location: [-122.68, 45.52],
        area: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
        gateway: '10.0.0.1',
      })
      .returning({ id: authors.id })
    expect(author!.id).toMatch(/^\S{20}$/) // DEFAULT gen_random_text_uuid()
    await refresh(db, authors)
    const [row] = await db.select().from(authors).where(eq(authors.id, author!.id))
    expect(row).toMatchObject({
      name: 'Le Guin',
      nickname: 'UKL',
      born: 1929,
      visits: 0,
      rating: 2.5,
      active: true,
      aliases: ['Ursula'],
      extra: { source: 'library', score: 5 },
      tags: ['fantasy', 'sf'],
      scores: [4.5, 5],
      settings: { theme: 'dark' },
      meta: { pages: 250, publisher: 'Ace' },
      location: [expect.closeTo(-122.68, 6), expect.closeTo(45.52, 6)],
      area: { type: 'Polygon' },
      gateway: '10.0.0.1',
    })
    expect(row!.joinedAt).toBeInstanceOf(Date) // DEFAULT now()

    await db.insert(books).values({ id: 'b1', authorId: author!.id, title: 'Earthsea', isbn: '123', shop: [9.74, 47.41], details: { format: 'paperback' }, branches: [[1, 2]] })
    await db.insert(reviews).values({ bookId: 'b1', stars: 5, notes: [{ by: 'ann' }] })
    await refresh(db, books, reviews)
    expect(await db.select({ details: books.details, branches: books.branches }).from(books).where(eq(books.id, 'b1'))).toEqual([
      { details: { format: 'paperback' }, branches: [[1, 2]] },
    ])
    // context: jsonb with DEFAULT '{"lang":"en"}'::jsonb, now object(ignored) with an ::object default.
    expect(await db.select({ notes: reviews.notes, context: reviews.context }).from(reviews)).toEqual([{ notes: [{ by: 'ann' }], context: { lang: 'en' } }])
  })

  it('refuses serial and UNIQUE before running anything, naming the statement', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cratedb-drizzle-kit-'))
    try {
      cpSync(migrationsFolder, folder, { recursive: true })
      const generated = readFileSync(join(fixture, 'unsupported', '0002_unsupported.sql'), 'utf8')
      expect(generated).toContain('"id" serial PRIMARY KEY NOT NULL')
      // A statement before the refused one must not run either.
      writeFileSync(join(folder, '0002_unsupported.sql'), `CREATE TABLE "kit_notes" (\n\t"id" text PRIMARY KEY NOT NULL\n);\n--> statement-breakpoint\n${generated}`)
      const journalPath = join(folder, 'meta', '_journal.json')
      const journal = JSON.parse(readFileSync(journalPath, 'utf8'))
      journal.entries.push({ idx: 2, version: '7', when: journal.entries[1].when + 1000, tag: '0002_unsupported', breakpoints: true })
      writeFileSync(journalPath, JSON.stringify(journal))
      const options = { migrationsFolder: folder, migrationsTable: 'kit_unsupported_migrations' }
      const error = await migrate(db, options).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CrateDBMigrationNotSupportedError)
      expect(error).toMatchObject({ code: 'MIGRATION_NOT_SUPPORTED', migration: '0002_unsupported', statement: 2, feature: 'serial columns' })
      expect((error as Error).message).toMatch(/gen_random_text_uuid\(\).*Nothing of the pending migrations was applied/)
      // Nothing ran: not even the statement before the refused one.
      const tables = await db.execute(sql`select "table_name" from "information_schema"."tables" where "table_name" = 'kit_notes'`)
      expect(tables.rows).toEqual([])
      const recorded = await db.execute(sql`select count(*) as "n" from "drizzle"."kit_unsupported_migrations"`)
      expect(recorded.rows).toEqual([{ n: 0 }])
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

describe('translateDrizzleKitPostgres()', () => {
  it('leaves CrateDB SQL written by hand as it is', () => {
    const text = 'CREATE TABLE "t" (\n\t"id" text PRIMARY KEY DEFAULT gen_random_text_uuid(),\n\t"meta" object(dynamic) AS ("pages" integer, "p" text),\n\t"s" text DEFAULT \'"a" "b"\'\n);'
    expect(translateDrizzleKitPostgres([text, 'ALTER TABLE "t" ADD COLUMN "isbn" text;'], 'm')).toEqual([text, 'ALTER TABLE "t" ADD COLUMN "isbn" text;'])
  })

  it('unquotes helper types, keeps other quoted types for the server to judge, and refuses what CrateDB lacks', () => {
    expect(translateDrizzleKitPostgres(['CREATE TABLE "t" (\n\t"a" "geo_point" NOT NULL,\n\t"b" "object"[],\n\t"c" "mood"\n);'], 'm')).toEqual([
      'CREATE TABLE "t" (\n\t"a" geo_point NOT NULL,\n\t"b" object[],\n\t"c" "mood"\n);',
    ])
    expect(translateDrizzleKitPostgres(['DROP TABLE "t" CASCADE;', 'ALTER TABLE "t" DROP CONSTRAINT "t_a_u_id_fk";'], 'm')).toEqual(['DROP TABLE "t";', null])
    expect(() => translateDrizzleKitPostgres(['CREATE UNIQUE INDEX "i" ON "t" USING btree ("a");'], 'm')).toThrow(/unique indexes/)
    expect(() => translateDrizzleKitPostgres(['CREATE TABLE "t" (\n\t"id" integer PRIMARY KEY NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "t_id_seq")\n);'], 'm')).toThrow(/identity columns/)
    expect(() => translateDrizzleKitPostgres(['CREATE TABLE "t" (\n\t"a" text CONSTRAINT "t_a_unique" UNIQUE\n);'], 'm')).toThrow(/UNIQUE constraints/)
    // drizzle-kit wrote object('o', { columns: { a: 'text[]' } }) with the [] moved out of the object type.
    expect(() => translateDrizzleKitPostgres(['ALTER TABLE "t" ADD COLUMN "o" "object as ("a" text)"[];'], 'm')).toThrow(/sub-column/)
    expect(translateDrizzleKitPostgres(['ALTER TABLE "t" ADD COLUMN "o" "array(text)"[];'], 'm')).toEqual(['ALTER TABLE "t" ADD COLUMN "o" array(text)[];'])
    expect(() => translateDrizzleKitPostgres(["CREATE TYPE \"public\".\"mood\" AS ENUM('sad', 'happy');"], 'm')).toThrow(/enum types/)
  })
})
