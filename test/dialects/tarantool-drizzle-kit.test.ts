import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drizzle, migrate, TarantoolMigrationNotSupportedError, translateDrizzleKitSqlite, type TarantoolDrizzleDatabase } from '../../dialects/tarantool/drizzle/index.ts'
import { createPool, type Pool } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'
import * as schema from './fixtures/tarantool-drizzle-kit/schema-v2.ts'

// drizzle-kit's own sqlite output (test/dialects/fixtures/tarantool-drizzle-kit, made by its regenerate.sh from
// schema-v1.ts and schema-v2.ts) applied unchanged by migrate() on the real Tarantool, then used through Drizzle.
const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tarantool-drizzle-kit')
const migrationsFolder = join(fixture, 'migrations')
const { authors, books, bookTags, reviews } = schema

let server: ProvisionedTarantool
let pool: Pool
let db: TarantoolDrizzleDatabase<typeof schema>

beforeAll(async () => {
  server = await provisionTarantool()
  pool = await createPool(server.uri, { size: 1 })
  db = drizzle(pool, { schema })
})

afterAll(async () => {
  await pool?.close()
  await server?.stop()
})

/** The server's message behind Drizzle's "Failed query" wrapper. */
async function serverMessage(query: Promise<unknown>): Promise<string> {
  const error = await query.then(
    () => new Error('no error'),
    (e: unknown) => e,
  )
  let current = error
  while (current instanceof Error && current.cause instanceof Error) current = current.cause
  return current instanceof Error ? current.message : String(current)
}

async function indexesOf(table: string): Promise<string[]> {
  const rows = await db.values<[string]>(sql`select i."name" from "_vindex" i join "_vspace" s on s."id" = i."id" where s."name" = ${table} order by i."iid"`)
  return rows.map((r) => r[0])
}

describe('drizzle-kit sqlite output on Tarantool', () => {
  it('applies both generated migrations as drizzle-kit wrote them', async () => {
    // The files are drizzle-kit's: backticks, real/blob/numeric, AUTOINCREMENT before NOT NULL, PRAGMA, DROP INDEX without ON.
    const generated = readFileSync(join(migrationsFolder, '0000_create_library.sql'), 'utf8')
    expect(generated).toContain('`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL')
    expect(readFileSync(join(migrationsFolder, '0001_alter_library.sql'), 'utf8')).toContain('DROP INDEX `kit_authors_joined_idx`;')
    expect(await migrate(db, { migrationsFolder })).toEqual({ applied: ['0000_create_library', '0001_alter_library'] })
    expect(await migrate(db, { migrationsFolder })).toEqual({ applied: [] })
    // 0001 dropped one index of kit_authors and created another; kit_book_tags was re-created under its old name.
    expect(await indexesOf('kit_authors')).toEqual(['pk_unnamed_kit_authors_1', 'kit_authors_name_unique', 'kit_authors_status_idx'])
    expect(await indexesOf('__new_kit_book_tags')).toEqual([])
    expect((await indexesOf('kit_book_tags')).length).toBe(1)
  })

  it('stores and reads every column kind through Drizzle', async () => {
    const joinedAt = new Date('2024-05-01T10:20:30Z')
    const updatedAt = new Date('2024-05-02T10:20:30.123Z')
    const inserted = await db
      .insert(authors)
      .values({ name: 'Le Guin', email: 'ursula@example.org', avatar: Buffer.from([0, 1, 2, 255]), balance: 12.5, joinedAt, updatedAt, profile: { bio: 'Earthsea' } })
      .run()
    const id = Number(inserted.autoincrementIds[0])
    const [row] = await db.select().from(authors).where(eq(authors.id, id))
    expect(row).toEqual({
      id,
      name: 'Le Guin',
      email: 'ursula@example.org',
      rating: 2.5, // DEFAULT 2.5 on a DOUBLE column
      avatar: Buffer.from([0, 1, 2, 255]),
      balance: 12.5,
      active: true, // DEFAULT true on a boolean-mode integer became DEFAULT 1
      joinedAt,
      updatedAt,
      status: 'new',
      profile: { bio: 'Earthsea' },
      verified: false, // boolean() from this package: BOOLEAN DEFAULT false
      followers: null,
    })
    await db.update(authors).set({ active: false, status: 'active', verified: true, followers: 2n ** 62n }).where(eq(authors.id, id))
    expect(
      await db.select({ active: authors.active, status: authors.status, verified: authors.verified, followers: authors.followers }).from(authors).where(eq(authors.id, id)),
    ).toEqual([{ active: false, status: 'active', verified: true, followers: 2n ** 62n }])
  })

  it('keeps the constraints drizzle-kit declared: unique, composite key, foreign keys, defaults, check', async () => {
    const authorId = Number((await db.insert(authors).values({ name: 'Pratchett', joinedAt: new Date('2024-01-01T00:00:00Z') }).run()).autoincrementIds[0])
    expect(await serverMessage(db.insert(authors).values({ name: 'Pratchett', joinedAt: new Date() }).run())).toMatch(/Duplicate key/)
    const bookId = Number((await db.insert(books).values({ authorId, title: 'Mort', price: 9.99 }).run()).autoincrementIds[0])
    expect(await serverMessage(db.insert(books).values({ authorId, title: 'Mort' }).run())).toMatch(/Duplicate key/) // unique (author_id, title) from 0001
    expect(await serverMessage(db.insert(books).values({ authorId: 99_999, title: 'Nobody' }).run())).toMatch(/FOREIGN KEY constraint failed/)
    await db.insert(bookTags).values({ bookId, tag: 'death' }).run()
    expect(await serverMessage(db.insert(bookTags).values({ bookId, tag: 'death' }).run())).toMatch(/Duplicate key/) // composite primary key
    expect(await db.select().from(bookTags)).toEqual([{ bookId, tag: 'death', weight: 2 }]) // the default 0001 changed
    await db.insert(reviews).values({ id: 1, bookId, stars: 5 }).run()
    expect(await serverMessage(db.insert(reviews).values({ id: 2, bookId, stars: 6 }).run())).toMatch(/Check constraint failed/)
    await db.delete(bookTags).where(eq(bookTags.bookId, bookId))
    await db.delete(authors).where(eq(authors.id, authorId)) // ON DELETE cascade: its books and their reviews go too
    expect(await db.select().from(books).where(eq(books.authorId, authorId))).toEqual([])
    expect(await db.select().from(reviews)).toEqual([])
  })

  it('refuses drizzle-kit ALTER TABLE ADD on Tarantool 2.6 before running anything', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tarantool-drizzle-kit-'))
    try {
      cpSync(migrationsFolder, folder, { recursive: true })
      cpSync(join(fixture, 'unsupported', '0002_add_column.sql'), join(folder, '0002_add_column.sql'))
      // The statement before the unsupported one (same migration) must not run either.
      writeFileSync(join(folder, '0002_add_column.sql'), `CREATE TABLE \`kit_notes\` (\n\t\`id\` integer PRIMARY KEY NOT NULL\n);\n--> statement-breakpoint\n${readFileSync(join(folder, '0002_add_column.sql'), 'utf8')}`)
      const journalPath = join(folder, 'meta', '_journal.json')
      const journal = JSON.parse(readFileSync(journalPath, 'utf8'))
      journal.entries.push({ idx: 2, version: '6', when: journal.entries[1].when + 1000, tag: '0002_add_column', breakpoints: true })
      writeFileSync(journalPath, JSON.stringify(journal))
      const version = pool.connections.find((c) => c.serverVersion !== undefined)?.serverVersion ?? ''
      const [major = 0, minor = 0] = version.split('.').map(Number)
      if (major > 2 || (major === 2 && minor >= 7)) {
        // Newer servers run ADD COLUMN: the statement is translated, not refused.
        expect(await migrate(db, { migrationsFolder: folder })).toEqual({ applied: ['0002_add_column'] })
        return
      }
      const error = await migrate(db, { migrationsFolder: folder }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TarantoolMigrationNotSupportedError)
      expect(error).toMatchObject({ code: 'MIGRATION_NOT_SUPPORTED', migration: '0002_add_column', statement: 2 })
      expect((error as Error).message).toMatch(/ALTER TABLE … ADD .*before version 2\.7.*Nothing of the pending migrations was applied/)
      expect(await db.values(sql`select "name" from "_vspace" where "name" = 'kit_notes'`)).toEqual([])
      expect(await db.$count(sql`"__drizzle_migrations"` as never)).toBe(2)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

describe('translateDrizzleKitSqlite()', () => {
  const one = (statement: string, options = {}) => translateDrizzleKitSqlite([statement], 'm', options)
  it('leaves Tarantool SQL written by hand as it is', () => {
    const text = 'CREATE TABLE "t" (\n\t"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n\t"s" STRING DEFAULT \'a`b\' NOT NULL,\n\t"ok" BOOLEAN DEFAULT true\n);'
    expect(one(text)).toEqual([{ sql: text, source: 1 }])
  })

  it('turns ADD into ADD COLUMN where the server has it, and refuses what Tarantool SQL lacks', () => {
    expect(one("ALTER TABLE `t` ADD `c` integer DEFAULT false NOT NULL;", { addColumn: true })).toEqual([
      { sql: 'ALTER TABLE "t" ADD COLUMN "c" INTEGER DEFAULT 0 NOT NULL;', source: 1 },
    ])
    expect(() => one('ALTER TABLE `t` RENAME COLUMN "a" TO "b";')).toThrow(/RENAME COLUMN/)
    expect(() => one('ALTER TABLE `t` DROP COLUMN `a`;')).toThrow(/DROP COLUMN/)
    expect(() => one('CREATE INDEX `i` ON `t` (`a`) WHERE `a` > 0;')).toThrow(/partial indexes/)
    expect(() => one('CREATE TABLE `t` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`at` integer DEFAULT (unixepoch()) NOT NULL\n);')).toThrow(/date\/time functions in a column definition \(unixepoch\(\)\)/)
    expect(one("CREATE TABLE `t` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`s` text DEFAULT 'date(x)'\n);")[0]).toMatchObject({ sql: expect.stringContaining("DEFAULT 'date(x)'") })
    expect(() => one('CREATE TABLE `t` (\n\t`a` integer,\n\t`b` integer GENERATED ALWAYS AS (`a` * 2) VIRTUAL\n);')).toThrow(/generated columns/)
    expect(() => translateDrizzleKitSqlite(['CREATE TABLE `a` (`id` integer PRIMARY KEY, `b` integer REFERENCES `b`(`id`));', 'CREATE TABLE `b` (`id` integer PRIMARY KEY, `a` integer REFERENCES `a`(`id`));'], 'm')).toThrow(
      TarantoolMigrationNotSupportedError,
    )
  })
})
