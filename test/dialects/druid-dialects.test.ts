import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { count, eq, gt, sql as dsql, and, gte, lt, avg } from 'drizzle-orm'
import { bigint, doublePrecision, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, DruidQueryError, type DruidClient } from '../../src/druid/index.ts'
import { drizzle, DruidReadOnlyError as DrizzleReadOnlyError } from '../../dialects/druid/drizzle/index.ts'
import {
  approxCountDistinct,
  approxQuantileDs,
  createDruidKysely,
  DruidConnection,
  DruidReadOnlyError,
  millisToTimestamp,
  timeCeil,
  timeExtract,
  timeFloor,
  timeFormat,
  timeParse,
  timeShift,
  timestampToMillis,
  timeRange,
  type ReadonlyKysely,
} from '../../dialects/druid/kysely/index.ts'
import { provisionDruid, type ProvisionedDruid } from '../../src/testing/druid/index.ts'

/**
 * The read-only Kysely dialect and Drizzle driver against a Druid Router (`DRUID_URL` first, else the local
 * server), over two datasources ingested with SQL-based ingestion: `flights` and the `airports` lookup table.
 */
const suffix = `${process.pid}`
const FLIGHTS = `dialectry_flights_${suffix}`
const AIRPORTS = `dialectry_airports_${suffix}`

interface DB {
  [FLIGHTS]: { __time: Date; origin: string; destination: string; delay: number; distance: number }
  [AIRPORTS]: { __time: Date; iata: string; state: string }
}

let druid: ProvisionedDruid
let client: DruidClient
let db: ReadonlyKysely<Record<string, Record<string, unknown>>>
const sent: string[] = []
const ROUTES = [['LAX', 'SFO'], ['LAX', 'SFO'], ['SFO', 'SEA'], ['JFK', 'BOS'], ['LAX', 'SFO'], ['SFO', 'SEA']]
const DATA = Array.from({ length: 60 }, (_, i) => ({ origin: ROUTES[i % ROUTES.length]![0]!, destination: ROUTES[i % ROUTES.length]![1]!, delay: (i % 7) * 10 - 10 }))
function countBy(rows: typeof DATA): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of rows) out[r.origin] = (out[r.origin] ?? 0) + 1
  return out
}

beforeAll(async () => {
  druid = await provisionDruid()
  client = connect(druid.url, { timeout: 60_000 })
  const flights = join(tmpdir(), `${FLIGHTS}.csv`)
  const rows = ['date,origin,destination,delay,distance']
  DATA.forEach((r, i) => rows.push(`${new Date(Date.UTC(2006, 0, 1 + Math.floor(i / 24), i % 24)).toISOString()},${r.origin},${r.destination},${r.delay},${300 + i}`))
  writeFileSync(flights, `${rows.join('\n')}\n`)
  const airports = join(tmpdir(), `${AIRPORTS}.json`)
  writeFileSync(airports, [['LAX', 'CA'], ['SFO', 'CA'], ['SEA', 'WA'], ['JFK', 'NY'], ['BOS', 'MA']].map(([iata, state]) => JSON.stringify({ iata, state })).join('\n') + '\n')
  await client.ingest(
    `REPLACE INTO "${FLIGHTS}" OVERWRITE ALL SELECT TIME_PARSE("date") AS __time, "origin", "destination", "delay", "distance"
     FROM TABLE(EXTERN('{"type":"local","files":[${JSON.stringify(flights)}]}', '{"type":"csv","findColumnsFromHeader":true}',
       '[{"name":"date","type":"string"},{"name":"origin","type":"string"},{"name":"destination","type":"string"},{"name":"delay","type":"long"},{"name":"distance","type":"long"}]'))
     PARTITIONED BY DAY`,
    [],
    { pollInterval: 100, timeout: 60_000 },
  )
  await client.ingest(
    `REPLACE INTO "${AIRPORTS}" OVERWRITE ALL SELECT TIMESTAMP '2000-01-01 00:00:00' AS __time, "iata", "state"
     FROM TABLE(EXTERN('{"type":"local","files":[${JSON.stringify(airports)}]}', '{"type":"json"}', '[{"name":"iata","type":"string"},{"name":"state","type":"string"}]'))
     PARTITIONED BY ALL`,
    [],
    { pollInterval: 100, timeout: 60_000 },
  )
  db = createDruidKysely({ client })
  const original = client.query.bind(client)
  client.query = ((q: string, ...rest: never[]) => {
    sent.push(q)
    return original(q, ...rest)
  }) as typeof client.query
})

afterAll(async () => {
  await db?.destroy()
  await client?.close()
  await druid?.stop()
})

describe('Druid Kysely dialect', () => {
  it('compiles with quoted identifiers and ? parameters', () => {
    const q = db.selectFrom(FLIGHTS).select(['origin']).where('delay', '>', 10).limit(5).offset(2).compile()
    expect(q.sql).toBe(`select "origin" from "${FLIGHTS}" where "delay" > ? limit ? offset ?`)
    expect(q.parameters).toEqual([10, 5, 2])
  })

  it('runs filtered and grouped selects with typed results', async () => {
    const rows = await db
      .selectFrom(FLIGHTS)
      .select(['origin', (eb) => eb.fn.countAll<number>().as('flights'), (eb) => eb.fn.avg<number>('delay').as('avgDelay')])
      .where('delay', '>=', 0)
      .groupBy('origin')
      .orderBy('flights', 'desc')
      .execute()
    const expected = countBy(DATA.filter((r) => r.delay >= 0))
    expect(Object.fromEntries(rows.map((r) => [r['origin'], r['flights']]))).toEqual(expected)
    expect(rows.map((r) => r['flights'])).toEqual(Object.values(expected).sort((a, b) => b - a))
    expect(typeof rows[0]!['avgDelay']).toBe('number')
  })

  it('time-buckets with TIME_FLOOR and filters a __time range', async () => {
    const rows = await db
      .selectFrom(FLIGHTS)
      .select([timeFloor('__time', 'P1D').as('day'), (eb) => eb.fn.countAll<number>().as('n')])
      .where(timeRange(new Date('2006-01-01T00:00:00Z'), new Date('2006-01-03T00:00:00Z')))
      .groupBy(sql.ref('day'))
      .orderBy(sql.ref('day'))
      .execute()
    expect(rows).toEqual([
      { day: new Date('2006-01-01T00:00:00.000Z'), n: 24 },
      { day: new Date('2006-01-02T00:00:00.000Z'), n: 24 },
    ])
    const parsed = await db.selectNoFrom([timeParse(sql.val('2006-01-01T10:00:00Z')).as('t')]).executeTakeFirstOrThrow()
    expect(parsed['t']).toEqual(new Date('2006-01-01T10:00:00.000Z'))
  })

  it('computes TIME_CEIL, TIME_SHIFT, TIME_FORMAT, TIME_EXTRACT and millisecond conversions on the server', async () => {
    const t = new Date('2006-01-02T10:25:00.000Z')
    const row = await db
      .selectNoFrom([
        timeCeil(sql.val(t), 'PT1H').as('ceil'),
        timeShift(sql.val(t), 'P1D', 2).as('shifted'),
        timeFloor(sql.val(t), 'P1D', undefined, 'America/Los_Angeles').as('laDay'),
        timeFormat(sql.val(t), 'yyyy-MM-dd').as('day'),
        timeExtract(sql.val(t), 'HOUR').as('hour'),
        millisToTimestamp(sql.val(t.getTime())).as('fromMillis'),
        timestampToMillis(sql.val(t)).as('millis'),
      ])
      .executeTakeFirstOrThrow()
    expect(row).toEqual({
      ceil: new Date('2006-01-02T11:00:00.000Z'),
      shifted: new Date('2006-01-04T10:25:00.000Z'),
      laDay: druid.local === undefined ? new Date('2006-01-02T08:00:00.000Z') : expect.any(Date), // the local server's README: time zones are ignored (UTC)
      day: '2006-01-02',
      hour: 10,
      fromMillis: t,
      millis: t.getTime(),
    })
    // a time zone without an origin writes a NULL literal: Druid cannot bind a null parameter
    expect(db.selectNoFrom([timeFloor('__time', 'P1D', undefined, 'America/Los_Angeles').as('d')]).compile().sql).toBe(
      `select TIME_FLOOR("__time", 'P1D', null, 'America/Los_Angeles') as "d"`,
    )
    const perHour = await db
      .selectFrom(FLIGHTS)
      .select([timeExtract('__time', 'HOUR').as('hour'), (eb) => eb.fn.countAll<number>().as('n')])
      .where(timeRange(new Date('2006-01-01T00:00:00Z'), new Date('2006-01-01T03:00:00Z')))
      .groupBy(sql.ref('hour'))
      .orderBy(sql.ref('hour'))
      .execute()
    expect(perHour).toEqual([{ hour: 0, n: 1 }, { hour: 1, n: 1 }, { hour: 2, n: 1 }])
  })

  it('joins the airports datasource and uses approximate aggregations', async () => {
    const rows = await db
      .selectFrom(`${FLIGHTS} as f`)
      .innerJoin(`${AIRPORTS} as a`, 'a.iata', 'f.origin')
      .select(['a.state', approxCountDistinct('f.destination').as('destinations'), approxQuantileDs('f.delay', 0.5).as('p50')])
      .groupBy('a.state')
      .orderBy('a.state')
      .execute()
    expect(rows.map((r) => [r['state'], r['destinations']])).toEqual([['CA', 2], ['NY', 1]])
    expect(typeof rows[0]!['p50']).toBe('number')
  })

  it('streams over arrayLines in chunks', async () => {
    const chunks: number[] = []
    for await (const row of db.selectFrom(FLIGHTS).select(['origin']).stream(25)) chunks.push(row ? 1 : 0)
    expect(chunks.length).toBe(60)
    // the connection yields chunks of exactly chunkSize rows, read from the arrayLines format
    const formats: unknown[] = []
    const recording = { stream: (q: string, p: unknown[], o: { resultFormat?: string }) => (formats.push(o.resultFormat), client.stream(q, p as never, o as never)) }
    const connection = new DruidConnection(recording as unknown as DruidClient)
    const sizes: number[] = []
    const origins: unknown[] = []
    for await (const { rows } of connection.streamQuery<{ origin: string }>(db.selectFrom(FLIGHTS).select(['origin']).orderBy('__time').compile(), 25)) {
      sizes.push(rows.length)
      origins.push(...rows.map((r) => r.origin))
    }
    expect(sizes).toEqual([25, 25, 10])
    expect(origins).toEqual(DATA.map((r) => r.origin))
    expect(formats).toEqual(['arrayLines'])
  })

  it('introspects datasources and columns from INFORMATION_SCHEMA', async () => {
    expect((await db.introspection.getSchemas()).map((s) => s.name)).toEqual(expect.arrayContaining(['druid', 'INFORMATION_SCHEMA']))
    const tables = await db.introspection.getTables()
    const flights = tables.find((t) => t.name === FLIGHTS)
    expect(flights?.columns.map((c) => [c.name, c.dataType])).toEqual([
      ['__time', 'TIMESTAMP'],
      ['origin', 'VARCHAR'],
      ['destination', 'VARCHAR'],
      ['delay', 'BIGINT'],
      ['distance', 'BIGINT'],
    ])
  })

  it('refuses writes before sending them', async () => {
    const before = sent.length
    const full = db as unknown as import('kysely').Kysely<DB>
    await expect(full.insertInto(FLIGHTS).values({ origin: 'X' } as never).execute()).rejects.toBeInstanceOf(DruidReadOnlyError)
    await expect(full.deleteFrom(FLIGHTS).execute()).rejects.toBeInstanceOf(DruidReadOnlyError)
    await expect(sql`DROP TABLE ${sql.table(FLIGHTS)}`.execute(db as never)).rejects.toBeInstanceOf(DruidReadOnlyError)
    await expect(sql`SELECT 1; DELETE FROM x`.execute(db as never)).rejects.toBeInstanceOf(DruidReadOnlyError)
    expect(sent.length).toBe(before)
    // reads pass the guard: WITH … SELECT reaches the server (EXPLAIN: test/dialects/druid-read-only-guard.test.ts)
    expect((await db.with('f', (qb) => qb.selectFrom(FLIGHTS).select('origin')).selectFrom('f').select((eb) => eb.fn.countAll<number>().as('n')).execute())).toEqual([{ n: 60 }])
    expect(sent.length).toBe(before + 1)
    // Kysely's read-only type: write builders do not type-check
    // @ts-expect-error insertInto returns a KyselyTypeError, which has no values()
    const typeOnly = (): unknown => db.insertInto(FLIGHTS).values({})
    expect(typeOnly).toBeTypeOf('function')
  })

  it('an aborted signal cancels the query on the server by its Kysely query id', async () => {
    if (druid.local === undefined) return // needs the local server's query registry
    const controller = new AbortController()
    const compiled = sql<{ i: number }>`SELECT a.range AS i FROM range(200000000) a ORDER BY a.range DESC`.compile(db as never)
    const running = db.executeQuery(compiled, { signal: controller.signal } as never)
    await expect.poll(() => druid.local!.engine.queries.get(compiled.queryId.queryId)?.state, { timeout: 10_000 }).toBe('running')
    controller.abort(new Error('stop'))
    await expect(running).rejects.toThrow()
    await expect.poll(() => druid.local!.engine.queries.get(compiled.queryId.queryId)?.state, { timeout: 10_000 }).toBe('cancelled')
  })

  it('leaving a stream early cancels the query on the server', async () => {
    if (druid.local === undefined) return // needs the local server's query registry
    const compiled = sql<{ i: number }>`SELECT a.range AS i FROM range(200000000) a`.compile(db as never)
    let chunks = 0
    for await (const { rows } of new DruidConnection(client).streamQuery<{ i: number }>(compiled, 100)) {
      expect(rows).toHaveLength(100)
      if (++chunks === 2) break
    }
    await expect.poll(() => druid.local!.engine.queries.get(compiled.queryId.queryId)?.state, { timeout: 10_000 }).toBe('cancelled')
  })

  it('server errors reach the caller typed', async () => {
    await expect(db.selectFrom('no_such_datasource').selectAll().execute()).rejects.toBeInstanceOf(DruidQueryError)
  })

  it('EXPLAIN PLAN FOR a Kysely select passes the guard and answers PLAN, RESOURCES, ATTRIBUTES', async () => {
    const inner = db
      .selectFrom(FLIGHTS)
      .innerJoin(AIRPORTS, `${AIRPORTS}.iata`, `${FLIGHTS}.origin`)
      .select([`${AIRPORTS}.state`, (eb) => eb.fn.countAll<number>().as('n')])
      .where('delay', '>', 5)
      .groupBy(`${AIRPORTS}.state`)
    const before = sent.length
    const { rows } = await sql<{ PLAN: string; RESOURCES: string; ATTRIBUTES: string }>`EXPLAIN PLAN FOR ${inner}`.execute(db as never)
    expect(sent.length).toBe(before + 1)
    expect(sent.at(-1)).toMatch(/^EXPLAIN PLAN FOR \(select/)
    expect(rows).toHaveLength(1)
    expect(Object.keys(rows[0]!)).toEqual(['PLAN', 'RESOURCES', 'ATTRIBUTES'])
    expect(JSON.parse(rows[0]!.PLAN)).toBeInstanceOf(Array) // Druid's native query; the local server's is DuckDB's plan
    expect(JSON.parse(rows[0]!.RESOURCES)).toEqual(expect.arrayContaining([{ name: AIRPORTS, type: 'DATASOURCE' }, { name: FLIGHTS, type: 'DATASOURCE' }]))
    expect(JSON.parse(rows[0]!.ATTRIBUTES)).toMatchObject({ statementType: 'SELECT' })
    await expect(sql`EXPLAIN PLAN FOR SELECT nope FROM ${sql.table(FLIGHTS)}`.execute(db as never)).rejects.toBeInstanceOf(DruidQueryError)
  })
})

describe('Druid Drizzle driver', () => {
  const flights = pgTable(FLIGHTS, {
    time: timestamp('__time', { mode: 'date' }).notNull(),
    origin: varchar('origin').notNull(),
    destination: varchar('destination').notNull(),
    delay: bigint('delay', { mode: 'number' }).notNull(),
    distance: doublePrecision('distance'),
  })
  const airports = pgTable(AIRPORTS, { iata: varchar('iata').notNull(), state: varchar('state').notNull() })

  it('runs typed selects with ? parameters, grouping and joins', async () => {
    const ddb = drizzle(client)
    const q = ddb.select({ origin: flights.origin, n: count() }).from(flights).where(gt(flights.delay, 20)).groupBy(flights.origin).orderBy(flights.origin)
    expect(q.toSQL().sql).toBe(`select "origin", count(*) from "${FLIGHTS}" where "${FLIGHTS}"."delay" > ? group by "${FLIGHTS}"."origin" order by "${FLIGHTS}"."origin"`)
    const rows = await q
    const expected = countBy(DATA.filter((r) => r.delay > 20))
    expect(rows).toEqual(Object.keys(expected).sort().map((origin) => ({ origin, n: expected[origin] })))
    const joined = await ddb
      .select({ state: airports.state, avgDelay: avg(flights.delay) })
      .from(flights)
      .innerJoin(airports, eq(airports.iata, flights.origin))
      .where(and(gte(flights.time, new Date('2006-01-01T00:00:00Z')), lt(flights.time, new Date('2006-01-02T00:00:00Z'))))
      .groupBy(airports.state)
      .orderBy(airports.state)
    expect(joined.map((r) => r.state)).toEqual(['CA', 'NY'])
    const [first] = await ddb.select().from(flights).orderBy(flights.time).limit(1)
    expect(first).toMatchObject({ time: new Date('2006-01-01T00:00:00.000Z'), origin: 'LAX', destination: 'SFO', delay: -10 })
    const raw = await ddb.execute(dsql`SELECT COUNT(*) AS "n" FROM ${flights}`)
    expect(raw.rows).toEqual([{ n: 60 }])
  })

  it('refuses writes before sending them', async () => {
    const ddb = drizzle(client)
    const before = sent.length
    expect(() => ddb.insert(flights).values({ time: new Date(), origin: 'x', destination: 'y', delay: 1 }).toSQL()).toThrow(DrizzleReadOnlyError)
    await expect(ddb.delete(flights).where(eq(flights.origin, 'LAX'))).rejects.toBeInstanceOf(DrizzleReadOnlyError)
    await expect(ddb.execute(dsql`DELETE FROM ${flights}`)).rejects.toBeInstanceOf(DrizzleReadOnlyError)
    await expect(ddb.transaction(async () => {})).rejects.toThrow(/transactions/)
    expect(sent.length).toBe(before)
  })
})
