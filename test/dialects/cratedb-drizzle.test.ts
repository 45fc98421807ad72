import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { asc, avg, count, desc, eq, gt, isNull, relations, sql, sum } from 'drizzle-orm'
import { boolean, doublePrecision, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  array,
  CrateDBMigrationChangedError,
  CrateDBMigrationError,
  CrateDBReturningNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBTransactionsNotSupportedError,
  distance,
  drizzle,
  equalsAny,
  geoPoint,
  geoShape,
  ip,
  migrate,
  object,
  refresh,
  subscript,
  type CrateDBDrizzleDatabase,
} from '../../dialects/cratedb/drizzle/index.ts'
import { IntegrityError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { provisionCrateDB, type ProvisionedCrateDB } from './cratedb-test-server.ts'

// The Drizzle driver against CrateDB (CRATEDB_URL, else the local protocol server with periodic refresh off).
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const migrationsFolder = join(fixtures, 'cratedb-drizzle-migrations')

const authors = pgTable('d_authors', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  born: integer('born'),
})
const books = pgTable('d_books', {
  id: text('id').primaryKey(),
  authorId: text('author_id').notNull(),
  title: text('title').notNull(),
  price: doublePrecision('price'),
  inStock: boolean('in_stock').notNull().default(true),
  tags: array<string>('tags', 'text'),
  meta: object<{ pages?: number; publisher?: string }>('meta', { policy: 'dynamic', columns: { pages: 'integer', publisher: 'text' } }),
  shop: geoPoint('shop'),
  isbn: text('isbn'),
})
const events = pgTable('d_events', {
  id: text('id').primaryKey(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
})
const authorsRelations = relations(authors, ({ many }) => ({ books: many(books) }))
const booksRelations = relations(books, ({ one }) => ({ author: one(authors, { fields: [books.authorId], references: [authors.id] }) }))
const places = pgTable('d_places', {
  id: text('id').primaryKey(),
  area: geoShape('area'),
  gateway: ip('gateway'),
})
const schema = { authors, books, events, authorsRelations, booksRelations }

const TABLES = ['d_authors', 'd_books', 'd_events', 'd_tags', 'd_tag_links', 'd_notes', 'd_places', 'd_plain_a', 'd_plain_b', 'd_edit_a', 'd_edit_b']
const MIGRATION_TABLES = ['__drizzle_migrations', 'broken_migrations', 'plain_migrations', 'edited_migrations']

let server: ProvisionedCrateDB
let client: CrateDBClient
let db: CrateDBDrizzleDatabase<typeof schema>

async function dropAll(): Promise<void> {
  for (const t of TABLES) await db.execute(sql`drop table if exists ${sql.identifier(t)}`)
  for (const t of MIGRATION_TABLES.flatMap((name) => [name, `${name}_lock`])) {
    await db.execute(sql`drop table if exists "drizzle".${sql.identifier(t)}`)
  }
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

describe('Drizzle on CrateDB: migrate()', () => {
  it('applies a reviewed drizzle-kit folder and records it in drizzle.__drizzle_migrations', async () => {
    const { applied } = await migrate(db, { migrationsFolder })
    expect(applied).toEqual(['0000_create_authors', '0001_create_books'])
    const recorded = await db.execute(sql`select "name", "created_at", "statements_done" from "drizzle"."__drizzle_migrations" order by "name"`)
    expect(recorded.rows).toEqual([
      { name: '0000_create_authors', created_at: 1735689600000, statements_done: null },
      { name: '0001_create_books', created_at: 1735776000000, statements_done: null },
    ])
    const columns = await db.execute(sql`select "column_name" from "information_schema"."columns" where "table_name" = 'd_books' and "column_name" = 'isbn'`)
    expect(columns.rows).toEqual([{ column_name: 'isbn' }])
  })

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrate(db, { migrationsFolder })).toEqual({ applied: [] })
  })

  it('runs concurrent migrate() calls one after another (OCC lock)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cratedb-drizzle-'))
    try {
      cpSync(migrationsFolder, folder, { recursive: true })
      const journalPath = join(folder, 'meta', '_journal.json')
      const journal = JSON.parse(readFileSync(journalPath, 'utf8'))
      journal.entries.push({ idx: 2, version: '7', when: 1735862400000, tag: '0002_add_events', breakpoints: true })
      writeFileSync(journalPath, JSON.stringify(journal))
      writeFileSync(join(folder, '0002_add_events.sql'), 'CREATE TABLE "d_events" ("id" text PRIMARY KEY, "at" timestamp with time zone NOT NULL);')
      const second = drizzle(server.client(), { schema })
      const [a, b] = await Promise.all([migrate(db, { migrationsFolder: folder, lockPollInterval: 10 }), migrate(second, { migrationsFolder: folder, lockPollInterval: 10 })])
      // Without the lock both would run CREATE TABLE "d_events", and one would fail with "already exists".
      expect([a.applied, b.applied].sort((x, y) => x.length - y.length)).toEqual([[], ['0002_add_events']])
      await (second.$client as CrateDBClient).close()
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('stops at the first failing statement and resumes there after the fix', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cratedb-drizzle-broken-'))
    try {
      cpSync(join(fixtures, 'cratedb-drizzle-migrations-broken'), folder, { recursive: true })
      const options = { migrationsFolder: folder, migrationsTable: 'broken_migrations' }
      const error = await migrate(db, options).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CrateDBMigrationError)
      expect(error).toMatchObject({ migration: '0001_unknown_type', statement: 2 })
      expect((error as Error).message).toMatch(/statements 1\.\.1 were applied/)
      // Fix the column type, and run again: statement 1 is not repeated.
      const file = join(folder, '0001_unknown_type.sql')
      writeFileSync(file, readFileSync(file, 'utf8').replace('"body" no_such_type', '"body" text'))
      expect(await migrate(db, options)).toEqual({ applied: ['0001_unknown_type'] })
      const links = await db.execute(sql`select "column_name" from "information_schema"."columns" where "table_name" = 'd_tag_links' order by "ordinal_position"`)
      expect(links.rows.map((r) => r['column_name'])).toEqual(['tag', 'note_id'])
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

/** A one-migration drizzle-kit folder in a temp dir; `breakpoints` as the journal entry says. */
function migrationFolder(tag: string, text: string, breakpoints: boolean): string {
  const folder = mkdtempSync(join(tmpdir(), 'cratedb-drizzle-'))
  mkdirSync(join(folder, 'meta'))
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries: [{ idx: 0, version: '7', when: 1735689600000, tag, breakpoints }] }))
  writeFileSync(join(folder, `${tag}.sql`), text)
  return folder
}

describe('Drizzle on CrateDB: migrate() edge cases', () => {
  it('splits a file without breakpoints at its top-level semicolons', async () => {
    const text =
      "CREATE TABLE \"d_plain_a\" (\"id\" text PRIMARY KEY, \"note\" text DEFAULT 'a;b');\n" +
      '-- a comment; with a semicolon\n' +
      'CREATE TABLE "d_plain_b" ("id" text PRIMARY KEY, "x;y" integer);\n' +
      "/* block; comment */ INSERT INTO \"d_plain_a\" (\"id\") VALUES ('it''s;1');\n"
    const folder = migrationFolder('0000_plain', text, false)
    try {
      expect(await migrate(db, { migrationsFolder: folder, migrationsTable: 'plain_migrations' })).toEqual({ applied: ['0000_plain'] })
      expect((await db.execute(sql`select "id", "note" from "d_plain_a" where "id" = 'it''s;1'`)).rows).toEqual([{ id: "it's;1", note: 'a;b' }])
      const columns = await db.execute(sql`select "column_name" from "information_schema"."columns" where "table_name" = 'd_plain_b' order by "ordinal_position"`)
      expect(columns.rows.map((r) => r['column_name'])).toEqual(['id', 'x;y'])
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('refuses to resume a partly applied migration whose applied statements were edited', async () => {
    const first = 'CREATE TABLE "d_edit_a" ("id" text PRIMARY KEY);'
    const failing = 'CREATE TABLE "d_edit_b" ("id" text PRIMARY KEY, "x" no_such_type);'
    const fixed = 'CREATE TABLE "d_edit_b" ("id" text PRIMARY KEY);'
    const folder = migrationFolder('0000_edit', `${first}\n--> statement-breakpoint\n${failing}`, true)
    const file = join(folder, '0000_edit.sql')
    const options = { migrationsFolder: folder, migrationsTable: 'edited_migrations' }
    try {
      await expect(migrate(db, options)).rejects.toMatchObject({ statement: 2 })
      // Statement 1 ran; editing it (instead of only the failed statement 2) must not be skipped silently.
      writeFileSync(file, `${first.replace('PRIMARY KEY', 'PRIMARY KEY, "extra" text')}\n--> statement-breakpoint\n${fixed}`)
      const error = await migrate(db, options).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CrateDBMigrationChangedError)
      expect(error).toMatchObject({ code: 'MIGRATION_CHANGED', migration: '0000_edit', statementsDone: 1 })
      expect((error as Error).message).toContain(`DELETE FROM "drizzle"."edited_migrations" WHERE "name" = '0000_edit'`)
      // Restoring statement 1 and fixing only statement 2 resumes.
      writeFileSync(file, `${first}\n--> statement-breakpoint\n${fixed}`)
      expect(await migrate(db, options)).toEqual({ applied: ['0000_edit'] })
      expect((await db.execute(sql`select "statements_done" from "drizzle"."edited_migrations" where "name" = '0000_edit'`)).rows).toEqual([{ statements_done: null }])
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

describe('Drizzle on CrateDB: queries', () => {
  beforeAll(async () => {
    await db.insert(authors).values([
      { id: 'a1', name: 'Ann', born: 1970 },
      { id: 'a2', name: 'Bob', born: 1980 },
      { id: 'a3', name: 'Cid' },
    ])
    await db.insert(books).values([
      { id: 'b1', authorId: 'a1', title: 'One', price: 10, tags: ['sql', 'db'], meta: { pages: 100, publisher: 'P' }, shop: [13.4, 52.52] },
      { id: 'b2', authorId: 'a1', title: 'Two', price: 20, inStock: false, tags: ['db'] },
      { id: 'b3', authorId: 'a2', title: 'Three', price: 30 },
    ])
    await refresh(db, authors, books)
  })

  it('CRUD with returning on insert and update, rowCount for DML', async () => {
    const inserted = await db.insert(authors).values({ id: 'tmp', name: 'Tmp', born: 2000 }).returning()
    expect(inserted).toEqual([{ id: 'tmp', name: 'Tmp', born: 2000 }])
    const updated = await db.update(authors).set({ born: 2001 }).where(eq(authors.id, 'tmp')).returning({ id: authors.id, born: authors.born })
    expect(updated).toEqual([{ id: 'tmp', born: 2001 }])
    expect(await db.select().from(authors).where(eq(authors.id, 'tmp'))).toEqual([{ id: 'tmp', name: 'Tmp', born: 2001 }])
    const deleted = await db.delete(authors).where(eq(authors.id, 'tmp'))
    expect(deleted.rowCount).toBe(1)
    await refresh(db, authors)
    expect(await db.select({ id: authors.id }).from(authors).orderBy(asc(authors.id))).toEqual([{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }])
  })

  it('refuses delete().returning() and transaction() before sending anything', async () => {
    await expect(db.delete(authors).where(eq(authors.id, 'a1')).returning()).rejects.toBeInstanceOf(CrateDBReturningNotSupportedError)
    let ran = false
    await expect(
      db.transaction(async (tx) => {
        ran = true
        await tx.delete(authors)
      }),
    ).rejects.toBeInstanceOf(CrateDBTransactionsNotSupportedError)
    expect(ran).toBe(false)
    expect(await db.$count(authors)).toBe(3)
  })

  it('upserts on the primary key with excluded, and onConflictDoNothing', async () => {
    await db.insert(authors).values({ id: 'up', name: 'First', born: 1 }).onConflictDoUpdate({ target: authors.id, set: { name: sql`excluded.name` } })
    await db
      .insert(authors)
      .values({ id: 'up', name: 'Second', born: 2 })
      .onConflictDoUpdate({ target: authors.id, set: { name: sql`excluded.name`, born: sql`${authors.born} + excluded.born` } })
    expect(await db.select().from(authors).where(eq(authors.id, 'up'))).toEqual([{ id: 'up', name: 'Second', born: 3 }])
    const skipped = await db.insert(authors).values({ id: 'up', name: 'Third' }).onConflictDoNothing()
    expect(skipped.rowCount).toBe(0)
    const error = await db.insert(authors).values({ id: 'up', name: 'Dup' }).catch((e: unknown) => e)
    expect((error as Error).cause).toBeInstanceOf(IntegrityError)
    await db.delete(authors).where(eq(authors.id, 'up'))
    await refresh(db, authors)
  })

  it('inner and left joins map nested results by position', async () => {
    const rows = await db
      .select({ author: authors.name, book: books.title })
      .from(authors)
      .innerJoin(books, eq(books.authorId, authors.id))
      .orderBy(asc(books.title))
    expect(rows).toEqual([
      { author: 'Ann', book: 'One' },
      { author: 'Bob', book: 'Three' },
      { author: 'Ann', book: 'Two' },
    ])
    const left = await db.select().from(authors).leftJoin(books, eq(books.authorId, authors.id)).where(isNull(books.id))
    expect(left).toEqual([{ d_authors: { id: 'a3', name: 'Cid', born: null }, d_books: null }])
  })

  it('count/sum/avg with groupBy and having', async () => {
    const rows = await db
      .select({ authorId: books.authorId, n: count(), total: sum(books.price), mean: avg(books.price) })
      .from(books)
      .groupBy(books.authorId)
      .having(gt(count(), 1))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ authorId: 'a1', n: 2 })
    expect(Number(rows[0]!.total)).toBe(30)
    expect(Number(rows[0]!.mean)).toBe(15)
  })

  it('relational queries without `with` work; nested relations are refused', async () => {
    expect(await db.query.authors.findMany({ columns: { name: true }, where: gt(authors.born, 1975) })).toEqual([{ name: 'Bob' }])
    expect(await db.query.books.findFirst({ where: eq(books.id, 'b2'), columns: { title: true, inStock: true } })).toEqual({ title: 'Two', inStock: false })
    expect(() => db.query.authors.findMany({ with: { books: true } }).toSQL()).toThrow(CrateDBSyntaxNotSupportedError)
  })

  it('OBJECT, ARRAY and GEO_POINT columns round-trip and are queryable', async () => {
    const [b1] = await db.select({ tags: books.tags, meta: books.meta, shop: books.shop }).from(books).where(eq(books.id, 'b1'))
    expect(b1).toEqual({ tags: ['sql', 'db'], meta: { pages: 100, publisher: 'P' }, shop: [expect.closeTo(13.4, 6), expect.closeTo(52.52, 6)] })
    const withDb = await db.select({ id: books.id }).from(books).where(equalsAny('db', books.tags)).orderBy(asc(books.id))
    expect(withDb).toEqual([{ id: 'b1' }, { id: 'b2' }])
    const pages = await db.select({ pages: subscript<number>(books.meta, 'pages') }).from(books).where(eq(subscript(books.meta, 'publisher'), 'P'))
    expect(pages).toEqual([{ pages: 100 }])
    const far = await db.select({ meters: distance(books.shop, [16.37, 48.21]) }).from(books).where(eq(books.id, 'b1'))
    expect(far[0]!.meters).toBeGreaterThan(500_000)
    expect(far[0]!.meters).toBeLessThan(540_000)
    await db.update(books).set({ meta: { pages: 101 }, tags: [], shop: [0, 0] }).where(eq(books.id, 'b2'))
    expect(await db.select({ meta: books.meta, tags: books.tags, shop: books.shop }).from(books).where(eq(books.id, 'b2'))).toEqual([{ meta: { pages: 101 }, tags: [], shop: [0, 0] }])
    await refresh(db, books)
  })

  it('union and union all run, with ORDER BY / LIMIT on the whole result', async () => {
    const union = await db
      .select({ id: authors.id })
      .from(authors)
      .where(gt(authors.born, 1975))
      .union(db.select({ id: books.authorId }).from(books))
      .orderBy(authors.id)
    expect(union).toEqual([{ id: 'a1' }, { id: 'a2' }])
    const all = await db
      .select({ id: authors.id })
      .from(authors)
      .where(gt(authors.born, 1975))
      .unionAll(db.select({ id: books.authorId }).from(books))
      .orderBy(authors.id)
      .limit(3)
    expect(all).toEqual([{ id: 'a1' }, { id: 'a1' }, { id: 'a2' }])
  })

  it('geoShape() and ip() columns round-trip', async () => {
    await db.execute(sql`create table "d_places" ("id" text primary key, "area" geo_shape, "gateway" ip)`)
    const area = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] }
    await db.insert(places).values([
      { id: 'p1', area, gateway: '10.0.0.1' },
      { id: 'p2', area: null, gateway: null },
    ])
    expect(await db.select().from(places).where(eq(places.id, 'p1'))).toEqual([{ id: 'p1', area, gateway: '10.0.0.1' }])
    expect(await db.select().from(places).where(eq(places.id, 'p2'))).toEqual([{ id: 'p2', area: null, gateway: null }])
  })

  it('timestamp({ withTimezone: true }) round-trips Dates', async () => {
    const at = new Date('2024-05-06T07:08:09.123Z')
    await db.insert(events).values({ id: 'e1', at })
    expect(await db.select().from(events).where(eq(events.id, 'e1'))).toEqual([{ id: 'e1', at }])
  })

  it('db.execute() returns object rows; $count, orderBy desc and offset alone work', async () => {
    const raw = await db.execute<{ title: string }>(sql`select ${books.title} from ${books} where ${books.price} >= ${20} order by 1`)
    expect(raw.rows).toEqual([{ title: 'Three' }, { title: 'Two' }])
    expect(await db.$count(books, gt(books.price, 15))).toBe(2)
    expect(await db.select({ id: books.id }).from(books).orderBy(desc(books.id)).offset(1)).toEqual([{ id: 'b2' }, { id: 'b1' }])
  })
})
