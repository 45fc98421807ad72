import { count, eq, gt, sql as dsql, sum } from 'drizzle-orm'
import { doublePrecision, integer, pgTable, varchar } from 'drizzle-orm/pg-core'
import { Kysely, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E6dataDialect, E6dataKyselyConnection, E6dataReadOnlyError, createE6dataKysely, type ReadonlyKysely } from '../../dialects/e6data/kysely/index.ts'
import { drizzle } from '../../dialects/e6data/drizzle/index.ts'
import { Connection, ConnectionPool, type ConnectionOptions } from '../../src/e6data/index.ts'
import { startE6data, type LocalE6data } from '../../src/testing/e6data/index.ts'

interface DB {
  flights: { id: number; origin: string; destination: string; delay: number; distance: number }
  airports: { iata: string; city: string; state: string }
  big: { n: number }
}

let engine: LocalE6data
let opts: ConnectionOptions
let db: ReadonlyKysely<DB>
beforeAll(async () => {
  engine = await startE6data({ batchRows: 1000 })
  await engine.registerTable('hive', 'air', 'airports', {
    query: "SELECT * FROM (VALUES ('SFO', 'San Francisco', 'CA'), ('LAX', 'Los Angeles', 'CA'), ('JFK', 'New York', 'NY'), ('O''HARE', 'Chicago', 'IL')) t(iata, city, state)",
  })
  await engine.registerTable('hive', 'air', 'flights', {
    query: "SELECT i::INTEGER AS id, ['SFO','LAX','JFK'][1 + i % 3] AS origin, ['JFK','SFO','LAX'][1 + i % 3] AS destination, (i % 50)::DOUBLE AS delay, (100 + i % 7)::INTEGER AS distance FROM range(3000) t(i)",
  })
  await engine.registerTable('hive', 'air', 'big', { query: 'SELECT i::BIGINT AS n FROM range(200000) t(i)' })
  opts = { host: engine.host, port: engine.port, username: engine.username, password: engine.password, catalog: 'hive', database: 'air' }
  db = createE6dataKysely<DB>(opts)
})
afterAll(async () => {
  await db?.destroy()
  await engine.stop()
})

describe('Kysely', () => {
  it('compiles quoted identifiers, %s parameters and OFFSET before LIMIT', () => {
    const q = db.selectFrom('flights').select(['origin']).where('delay', '>', 10).orderBy('id').limit(5).offset(10).compile()
    expect(q.sql).toBe('select "origin" from "flights" where "delay" > %s order by "id" offset %s limit %s')
    expect(q.parameters).toEqual([10, 10, 5])
    const u = db.selectFrom('flights').select('origin').union(db.selectFrom('airports').select('iata as origin')).orderBy('origin').limit(2).offset(1).compile()
    expect(u.sql).toBe('select "origin" from "flights" union select "iata" as "origin" from "airports" order by "origin" offset %s limit %s')
  })

  it('is read-only by type: write and schema builders do not type-check', () => {
    const typeOnly = (): unknown[] => [
      // @ts-expect-error insertInto returns a KyselyTypeError, which has no values()
      db.insertInto('airports').values({ iata: 'X', city: 'Y', state: 'Z' }),
      // @ts-expect-error deleteFrom returns a KyselyTypeError, which has no where()
      db.deleteFrom('airports').where('iata', '=', 'X'),
      // @ts-expect-error schema is a KyselyTypeError
      db.schema.createTable('x'),
    ]
    expect(typeOnly).toBeTypeOf('function')
  })

  it('selects with a join, aggregates, group by, order, offset/limit', async () => {
    const rows = await db
      .selectFrom('flights as f')
      .innerJoin('airports as a', 'a.iata', 'f.origin')
      .select(['a.city', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.avg<number>('f.delay').as('avg_delay')])
      .where('f.distance', '>=', 101)
      .groupBy('a.city')
      .orderBy('a.city')
      .offset(1)
      .limit(2)
      .execute()
    expect(rows.map((r) => r.city)).toEqual(['New York', 'San Francisco'])
    expect(rows.every((r) => typeof r.n === 'number' && r.n > 0)).toBe(true)
  })

  it('binds hostile strings as values', async () => {
    const rows = await db.selectFrom('airports').select('city').where('iata', '=', "O'HARE").execute()
    expect(rows).toEqual([{ city: 'Chicago' }])
    const none = await db.selectFrom('airports').select('city').where('iata', '=', "x' OR '1'='1").execute()
    expect(none).toEqual([])
    const back = await sql<{ v: string }>`SELECT ${"\\'; --"} AS v`.execute(db)
    expect(back.rows).toEqual([{ v: "\\'; --" }])
  })

  it('streams one engine batch at a time through streamQuery', async () => {
    let rows = 0
    for await (const r of db.selectFrom('big').select('n').stream(5000)) rows += r.n >= 0 ? 1 : 0
    expect(rows).toBe(200000)
    // the connection yields chunks of exactly chunkSize rows while the engine is still serving batches
    const pool = new ConnectionPool({ ...opts, minSize: 0, maxSize: 1 })
    const conn = await pool.getConnection()
    try {
      const batchesBefore = engine.stats.batches
      const sizes: number[] = []
      let batchesAtFirstChunk = 0
      for await (const { rows: chunk } of new E6dataKyselyConnection(conn).streamQuery<{ n: number }>(db.selectFrom('big').select('n').compile(), 5000)) {
        if (sizes.length === 0) batchesAtFirstChunk = engine.stats.batches - batchesBefore
        sizes.push(chunk.length)
      }
      expect(sizes).toEqual(Array.from({ length: 40 }, () => 5000))
      const total = engine.stats.batches - batchesBefore
      expect(total).toBeGreaterThan(40) // the engine sent the result in many batches
      expect(batchesAtFirstChunk).toBeLessThan(total / 4) // the first chunk came before most of them: not read whole first
    } finally {
      await pool.returnConnection(conn)
      await pool.closeAll()
    }
  })

  it('refuses writes before sending', async () => {
    const before = engine.stats.prepare
    await expect(sql`DELETE FROM flights`.execute(db)).rejects.toThrow(E6dataReadOnlyError)
    await expect(sql`SELECT 1; DROP TABLE flights`.execute(db)).rejects.toThrow(E6dataReadOnlyError)
    await expect((db as unknown as Kysely<DB>).insertInto('airports').values({ iata: 'X', city: 'Y', state: 'Z' }).execute()).rejects.toThrow(E6dataReadOnlyError)
    expect(engine.stats.prepare).toBe(before)
  })

  it('introspects through the metadata RPCs', async () => {
    const tables = await db.introspection.getTables()
    expect(tables.map((t) => t.name)).toEqual(['airports', 'big', 'flights'])
    expect(tables.find((t) => t.name === 'flights')!.columns.map((c) => [c.name, c.dataType])).toEqual([
      ['id', 'int'], ['origin', 'string'], ['destination', 'string'], ['delay', 'double'], ['distance', 'int'],
    ])
    expect((await db.introspection.getSchemas()).map((s) => s.name)).toContain('air')
  })

  it('cancels through cancelQuery when the signal aborts', async () => {
    const k = new Kysely<DB>({ dialect: new E6dataDialect({ options: opts }) })
    const ac = new AbortController()
    const cancelledBefore = engine.stats.cancelled
    const batchesBefore = engine.stats.batches
    const p = sql`SELECT a.n FROM big a, big b`.execute(k, { signal: ac.signal } as never)
    p.catch(() => {})
    // abort once the query is running on the engine (its batches are being fetched)
    while (engine.stats.batches < batchesBefore + 2) await new Promise((r) => setTimeout(r, 10))
    ac.abort()
    // Kysely rejects with its own AbortError; the driver sends cancelQuery to the engine
    await expect(p).rejects.toThrow(/abort/i)
    for (let i = 0; i < 50 && engine.stats.cancelled === cancelledBefore; i++) await new Promise((r) => setTimeout(r, 20))
    expect(engine.stats.cancelled).toBeGreaterThan(cancelledBefore)
    await k.destroy()
  })
})

describe('Drizzle', () => {
  const flights = pgTable('flights', { id: integer('id'), origin: varchar('origin'), destination: varchar('destination'), delay: doublePrecision('delay'), distance: integer('distance') })
  const airports = pgTable('airports', { iata: varchar('iata'), city: varchar('city'), state: varchar('state') })

  it('selects with a join and aggregates; offset before limit', async () => {
    const conn = new Connection(opts)
    const d = drizzle(conn)
    const q = d.select({ city: airports.city, n: count(), total: sum(flights.distance) }).from(flights).innerJoin(airports, eq(airports.iata, flights.origin)).where(gt(flights.delay, 25)).groupBy(airports.city).orderBy(airports.city).limit(2).offset(1)
    expect(q.toSQL().sql).toMatch(/order by "airports"."city" offset %s limit %s$/)
    const rows = await q
    expect(rows.map((r) => r.city)).toEqual(['New York', 'San Francisco'])
    expect(rows.every((r) => r.n > 0)).toBe(true)
    const raw = await d.execute(dsql`SELECT ${"it's"} AS v`)
    expect(raw.rows).toEqual([{ v: "it's" }])
    conn.close()
  })

  it('writes OFFSET before LIMIT for set operations too', async () => {
    const conn = new Connection(opts)
    const d = drizzle(conn)
    const q = d.select({ code: airports.iata }).from(airports).union(d.select({ code: flights.origin }).from(flights)).orderBy(airports.iata).limit(2).offset(1)
    expect(q.toSQL().sql).toMatch(/order by "iata"\s+offset %s limit %s$/)
    expect(await q).toEqual([{ code: 'LAX' }, { code: "O'HARE" }])
    conn.close()
  })

  it('refuses writes and transactions before sending anything', async () => {
    const conn = new Connection(opts)
    const d = drizzle(conn)
    const before = engine.stats.prepare
    expect(() => d.insert(airports).values({ iata: 'X' }).toSQL()).toThrow(E6dataReadOnlyError)
    expect(() => d.delete(airports).toSQL()).toThrow(E6dataReadOnlyError)
    await expect(d.update(airports).set({ city: 'X' })).rejects.toThrow(E6dataReadOnlyError)
    await expect(d.execute(dsql`DELETE FROM airports`)).rejects.toThrow(E6dataReadOnlyError)
    await expect(d.execute(dsql`SELECT 1; DROP TABLE airports`)).rejects.toThrow(E6dataReadOnlyError)
    await expect(d.transaction(async () => {})).rejects.toThrow(/no transactions/)
    expect(engine.stats.prepare).toBe(before)
    conn.close()
  })
})
