import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { and, asc, avg, count, desc, eq, gt, relations, sql, sum } from 'drizzle-orm'
import { customType, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  drizzle,
  migrate,
  TarantoolDialectError,
  TarantoolMigrationError,
  TarantoolOnConflictNotSupportedError,
  TarantoolReturningNotSupportedError,
  TarantoolSyntaxNotSupportedError,
  TransactionsNotSupportedError,
  type TarantoolDrizzleDatabase,
} from '../../dialects/tarantool/drizzle/index.ts'
import { createPool, ServerError, type Pool } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

// The Drizzle driver against a real Tarantool (TARANTOOL_URL, else the local 2.6 binary).
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const migrationsFolder = join(fixtures, 'tarantool-drizzle-migrations')

/** Tarantool BOOLEAN: Drizzle's integer({ mode: 'boolean' }) sends 1/0, which a BOOLEAN column rejects. */
const boolean = customType<{ data: boolean; driverData: boolean }>({ dataType: () => 'boolean' })

const authors = sqliteTable('authors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  born: integer('born'),
})
const books = sqliteTable('books', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  authorId: integer('author_id')
    .notNull()
    .references(() => authors.id),
  title: text('title').notNull(),
  price: real('price'),
  inStock: boolean('in_stock').notNull().default(true),
})
const authorsRelations = relations(authors, ({ many }) => ({ books: many(books) }))
const booksRelations = relations(books, ({ one }) => ({ author: one(authors, { fields: [books.authorId], references: [authors.id] }) }))
const schema = { authors, books, authorsRelations, booksRelations }

let server: ProvisionedTarantool
let pool: Pool
let db: TarantoolDrizzleDatabase<typeof schema>
let streamsAvailable = false

beforeAll(async () => {
  server = await provisionTarantool()
  pool = await createPool(server.uri, { size: 2 })
  db = drizzle(pool, { schema })
  const version = pool.connections.find((c) => c.serverVersion !== undefined)?.serverVersion ?? '0.0.0'
  const [major, minor] = version.split('.').map(Number) as [number, number]
  streamsAvailable = major > 2 || (major === 2 && minor >= 10)
})

afterAll(async () => {
  await pool?.close()
  await server?.stop()
})

describe('Drizzle driver: migrate()', () => {
  it('applies a drizzle-kit folder statement by statement and records hash and created_at', async () => {
    const { applied } = await migrate(db, { migrationsFolder })
    expect(applied).toEqual(['0000_create_authors', '0001_create_books'])
    const recorded = await db.values<[number, string, number]>(sql`select "id", "hash", "created_at" from "__drizzle_migrations" where "statements_done" is null order by "id"`)
    const hashOf = (file: string) => createHash('sha256').update(readFileSync(join(migrationsFolder, file))).digest('hex')
    expect(recorded).toEqual([
      [1, hashOf('0000_create_authors.sql'), 1735689600000],
      [2, hashOf('0001_create_books.sql'), 1735776000000],
    ])
    // Both statements of each file ran: the unique index exists.
    await db.insert(authors).values({ name: 'Unique' })
    await expect(db.insert(authors).values({ name: 'Unique' })).rejects.toMatchObject({ cause: expect.any(ServerError) })
    await db.delete(authors).where(eq(authors.name, 'Unique'))
  })

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrate(db, { migrationsFolder })).toEqual({ applied: [] })
    expect(await db.$count(sql`"__drizzle_migrations"` as never)).toBe(2)
  })

  it('stops at the first failing statement with TarantoolMigrationError and keeps earlier work recorded', async () => {
    const err = await migrate(db, { migrationsFolder: join(fixtures, 'tarantool-drizzle-migrations-broken'), migrationsTable: 'broken_migrations' }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(TarantoolMigrationError)
    expect(err).toMatchObject({ migration: '0001_references_missing_table', statement: 2 })
    expect((err as Error).message).toMatch(/failed at statement 2 of 3: .*notes/)
    expect((err as Error).message).toMatch(/statements 1\.\.1 were applied/)
    const recorded = await db.values<[number, number | null]>(sql`select "created_at", "statements_done" from "broken_migrations" order by "created_at"`)
    // The first migration is complete (NULL); the second stopped after its first statement.
    expect(recorded).toEqual([
      [1735689600000, null],
      [1735776000000, 1],
    ])
    const spaces = await db.values<[string]>(sql`select "name" from "_vspace" where "name" in ('tags', 'tag_notes', 'tag_links')`)
    expect(spaces.map((r) => r[0]).sort()).toEqual(['tag_notes', 'tags']) // statement 1 applied, 3 never ran
  })

  it('resumes a migration at the failed statement once it is fixed, and skips comment-only chunks', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'drizzle-resume-'))
    cpSync(join(fixtures, 'tarantool-drizzle-migrations-broken'), folder, { recursive: true })
    const file = join(folder, '0001_references_missing_table.sql')
    const fixed = readFileSync(file, 'utf8')
      .replace('REFERENCES `notes`(`id`)', 'REFERENCES `tag_notes`(`id`)')
      .concat('\n--> statement-breakpoint\n-- nothing to do here, a placeholder left by drizzle-kit --custom\n/* still nothing */')
    expect(fixed).toContain('REFERENCES `tag_notes`')
    writeFileSync(file, fixed)
    // Statement 1 (CREATE TABLE "tag_notes") is not run again: it would fail with "already exists".
    expect(await migrate(db, { migrationsFolder: folder, migrationsTable: 'broken_migrations' })).toEqual({ applied: ['0001_references_missing_table'] })
    const spaces = await db.values<[string]>(sql`select "name" from "_vspace" where "name" in ('tags', 'tag_notes', 'tag_links')`)
    expect(spaces.map((r) => r[0]).sort()).toEqual(['tag_links', 'tag_notes', 'tags'])
    const recorded = await db.values<[number | null]>(sql`select "statements_done" from "broken_migrations"`)
    expect(recorded).toEqual([[null], [null]])
    expect(await migrate(db, { migrationsFolder: folder, migrationsTable: 'broken_migrations' })).toEqual({ applied: [] })
    rmSync(folder, { recursive: true, force: true })
  })

  it('fails clearly when the folder has no journal', async () => {
    await expect(migrate(db, { migrationsFolder: join(fixtures, 'does-not-exist') })).rejects.toThrow(/_journal\.json/)
  })
})

describe('Drizzle driver: CRUD', () => {
  let leGuinId = 0
  let pratchettId = 0

  it('inserts and reports rowCount and autoincrementIds from run()', async () => {
    const one = await db.insert(authors).values({ name: 'Le Guin', born: 1929 }).run()
    expect(one.rowCount).toBe(1)
    expect(one.autoincrementIds).toHaveLength(1)
    leGuinId = Number(one.autoincrementIds[0])
    const two = await db.insert(authors).values([{ name: 'Pratchett', born: 1948 }, { name: 'Nobody' }]).run()
    expect(two.rowCount).toBe(2)
    expect(two.autoincrementIds.map(Number)).toEqual([leGuinId + 1, leGuinId + 2])
    pratchettId = leGuinId + 1
    await db.insert(books).values([
      { authorId: leGuinId, title: 'The Dispossessed', price: 12.5 },
      { authorId: leGuinId, title: 'Earthsea', price: 9, inStock: false },
      { authorId: pratchettId, title: 'Mort', price: 8 },
    ])
  })

  it('maps array rows by position to the schema keys (author_id -> authorId)', async () => {
    const rows = await db.select().from(books).orderBy(books.id)
    expect(rows).toEqual([
      { id: 1, authorId: leGuinId, title: 'The Dispossessed', price: 12.5, inStock: true },
      { id: 2, authorId: leGuinId, title: 'Earthsea', price: 9, inStock: false },
      { id: 3, authorId: pratchettId, title: 'Mort', price: 8, inStock: true },
    ])
    const nested = await db
      .select({ book: { title: books.title, cheap: sql<boolean>`${books.price} < 10`.as('cheap') }, id: books.id })
      .from(books)
      .where(eq(books.id, 2))
    expect(nested).toEqual([{ book: { title: 'Earthsea', cheap: true }, id: 2 }])
  })

  it('get(), values(), raw all()/get() and offset without limit', async () => {
    expect(await db.select({ name: authors.name }).from(authors).where(eq(authors.id, leGuinId)).get()).toEqual({ name: 'Le Guin' })
    expect(await db.select({ name: authors.name }).from(authors).where(eq(authors.id, -1)).get()).toBeUndefined()
    expect(await db.select({ id: books.id, title: books.title }).from(books).orderBy(books.id).limit(1).values()).toEqual([[1, 'The Dispossessed']])
    expect(await db.all(sql`select "title" as "t" from "books" order by "id" limit 1`)).toEqual([{ t: 'The Dispossessed' }])
    expect(await db.get(sql`select count(*) as "n" from "books"`)).toEqual({ n: 3 })
    const rest = await db.select({ title: books.title }).from(books).orderBy(books.id).offset(1)
    expect(rest.map((r) => r.title)).toEqual(['Earthsea', 'Mort'])
  })

  it('stores dates through integer timestamp modes and refuses raw Date parameters before sending', async () => {
    const authorsWithDates = sqliteTable('authors', {
      id: integer('id').primaryKey({ autoIncrement: true }),
      name: text('name').notNull(),
      born: integer('born', { mode: 'timestamp_ms' }),
    })
    const born = new Date(Date.UTC(1947, 8, 21))
    const { autoincrementIds } = await db.insert(authorsWithDates).values({ name: 'King', born }).run()
    const [king] = await db.select().from(authorsWithDates).where(eq(authorsWithDates.id, Number(autoincrementIds[0])))
    expect(king?.born).toEqual(born)
    await db.delete(authorsWithDates).where(eq(authorsWithDates.name, 'King'))

    const err = await db.all(sql`select ${new Date(0)} as "d"`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TarantoolDialectError)
    expect(err).toMatchObject({ code: 'DATE_PARAMETER' })
    expect(await db.get(sql`select 1 as "one"`)).toEqual({ one: 1 }) // the server is still up
  })

  it('updates and deletes with rowCount', async () => {
    const upd = await db.update(books).set({ price: 10 }).where(gt(books.price, 8.5)).run()
    expect(upd.rowCount).toBe(2)
    const { autoincrementIds } = await db.insert(authors).values({ name: 'Temp' }).run()
    const del = await db.delete(authors).where(eq(authors.id, Number(autoincrementIds[0]))).run()
    expect(del.rowCount).toBe(1)
  })
})

describe('Drizzle driver: joins and aggregates', () => {
  it('inner and left joins', async () => {
    const inner = await db
      .select({ author: authors.name, title: books.title })
      .from(books)
      .innerJoin(authors, eq(books.authorId, authors.id))
      .orderBy(asc(books.id))
    expect(inner).toEqual([
      { author: 'Le Guin', title: 'The Dispossessed' },
      { author: 'Le Guin', title: 'Earthsea' },
      { author: 'Pratchett', title: 'Mort' },
    ])
    const left = await db.select().from(authors).leftJoin(books, eq(books.authorId, authors.id)).where(eq(authors.name, 'Nobody'))
    expect(left).toEqual([{ authors: { id: expect.any(Number), name: 'Nobody', born: null }, books: null }])
  })

  it('count/sum/avg with group by and having, and $count', async () => {
    const rows = await db
      .select({ author: authors.name, n: count(books.id), total: sum(books.price), mean: avg(books.price) })
      .from(authors)
      .innerJoin(books, eq(books.authorId, authors.id))
      .groupBy(authors.name)
      .having(gt(count(books.id), 0))
      .orderBy(desc(count(books.id)))
    expect(rows).toEqual([
      { author: 'Le Guin', n: 2, total: '20', mean: '10' },
      { author: 'Pratchett', n: 1, total: '8', mean: '8' },
    ])
    expect(await db.$count(books, and(eq(books.inStock, true), gt(books.price, 5)))).toBe(2)
  })
})

describe('Drizzle driver: relational queries', () => {
  it('findMany/findFirst without `with` work', async () => {
    const all = await db.query.authors.findMany({ columns: { name: true }, orderBy: (a, { asc: up }) => [up(a.id)], limit: 2 })
    expect(all).toEqual([{ name: 'Le Guin' }, { name: 'Pratchett' }])
    expect(await db.query.books.findFirst({ where: (b, { eq: is }) => is(b.title, 'Mort'), columns: { title: true, price: true } })).toEqual({ title: 'Mort', price: 8 })
  })

  it('nested relations (`with`) throw TarantoolSyntaxNotSupportedError (no JSON functions in Tarantool 2.x)', async () => {
    const err = await db.query.authors.findMany({ with: { books: true } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TarantoolSyntaxNotSupportedError)
    expect((err as Error).message).toMatch(/json_group_array/)
  })
})

describe('Drizzle driver: unsupported features fail clearly', () => {
  it('returning() throws TarantoolReturningNotSupportedError before sending', async () => {
    await expect(db.insert(authors).values({ name: 'R' }).returning()).rejects.toBeInstanceOf(TarantoolReturningNotSupportedError)
    await expect(db.update(authors).set({ born: 1 }).returning({ id: authors.id })).rejects.toBeInstanceOf(TarantoolReturningNotSupportedError)
    await expect(db.delete(authors).where(eq(authors.name, 'R')).returning()).rejects.toBeInstanceOf(TarantoolReturningNotSupportedError)
    expect(await db.$count(authors, eq(authors.name, 'R'))).toBe(0)
  })

  it('onConflictDoNothing/onConflictDoUpdate throw TarantoolOnConflictNotSupportedError', async () => {
    await expect(db.insert(authors).values({ id: 1, name: 'X' }).onConflictDoNothing()).rejects.toBeInstanceOf(TarantoolOnConflictNotSupportedError)
    await expect(
      db.insert(authors).values({ id: 1, name: 'X' }).onConflictDoUpdate({ target: authors.id, set: { name: 'Y' } }),
    ).rejects.toBeInstanceOf(TarantoolOnConflictNotSupportedError)
  })

  it('transaction() throws the driver TransactionsNotSupportedError on servers without streams (< 2.10)', async () => {
    let ran = false
    const attempt = db.transaction(async (tx) => {
      ran = true
      await tx.insert(authors).values({ name: 'InTx' })
    })
    if (streamsAvailable) {
      await attempt
      expect(ran).toBe(true)
      return
    }
    const err = await attempt.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TransactionsNotSupportedError)
    expect(ran).toBe(false)
    expect(await db.$count(authors, eq(authors.name, 'InTx'))).toBe(0)
  })

  it('server errors arrive as DrizzleQueryError with the driver ServerError as cause', async () => {
    const err = await db.insert(books).values({ authorId: 1, title: null as never }).catch((e: unknown) => e)
    expect((err as Error).cause).toBeInstanceOf(ServerError)
  })
})

describe('Drizzle driver: bigint and boolean columns', () => {
  it('bigint() reads every value as bigint and compares numerically on the server', async () => {
    const { bigint: bigintColumn, boolean: booleanColumn } = await import('../../dialects/tarantool/drizzle/index.ts')
    const big = sqliteTable('drz_big', { id: integer('id').primaryKey(), n: bigintColumn('n').notNull(), on: booleanColumn('on').notNull() })
    await db.run(sql`drop table if exists "drz_big"`)
    await db.run(sql`create table "drz_big" ("id" INTEGER PRIMARY KEY, "n" INTEGER NOT NULL, "on" BOOLEAN NOT NULL)`)
    await db.insert(big).values([
      { id: 1, n: 9n, on: true },
      { id: 2, n: 10n, on: false },
      { id: 3, n: 2n ** 63n - 1n, on: true },
    ])
    const rows = await db.select().from(big).where(gt(big.n, 9n)).orderBy(asc(big.id))
    expect(rows).toEqual([
      { id: 2, n: 10n, on: false },
      { id: 3, n: 2n ** 63n - 1n, on: true },
    ])
    expect(rows.every((r) => typeof r.n === 'bigint')).toBe(true)
  })
})
