import { Kysely, sql as kyselySql } from 'kysely'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CrateDBDialect } from '../../dialects/cratedb/kysely/index.ts'
import { connect } from '../../src/cratedb/index.ts'
import { CrateDBProvisionError, startCrateDB, type LocalCrateDB } from '../../src/testing/cratedb/index.ts'
import { outputName } from '../../src/testing/cratedb/output-name.ts'
import { isSignificant, tokenize } from '../../src/testing/cratedb/sql-tokenizer.ts'
import { http, sqlRequest } from './cratedb-http.ts'

// Where the local CrateDB server answered differently from CrateDB in ways users notice (found by running an
// official CrateDB client against it), each checked against what CrateDB answers.

describe('local CrateDB server: answers as CrateDB does', () => {
  let crate: LocalCrateDB
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
  const sql = (stmt: string, args?: unknown[], user = 'crate') =>
    sqlRequest(crate, args === undefined ? { stmt } : { stmt, args }, { headers: { authorization: basic(user, user === 'alice' ? 'S3cret' : '') } })

  beforeAll(async () => {
    crate = await startCrateDB({ users: { crate: '', alice: 'S3cret' } })
    const create = await sql(`create table flights (id integer primary key, delay integer, price numeric(10, 2), items array(object), ts timestamp with time zone)`)
    expect(create.status, create.text).toBe(200)
    const insert = await sql(
      `insert into flights (id, delay, price, items, ts) values (1, 10, 1.50, [{k = 1, s = 'x'}, {k = 2, s = 'y'}], '2024-01-01T00:00:00.123456Z'), (2, 15, 2.50, [{k = 3, s = 'z'}], ?)`,
      ['2024-01-01T00:00:00.987654Z'],
    )
    expect(insert.json?.rowcount, insert.text).toBe(2)
  })
  afterAll(async () => {
    await crate?.stop()
  })

  it("reads arr['k'] on an ARRAY(OBJECT) column as the array of the values of key k, also inside ANY", async () => {
    const r = await sql(`select items['k'], items['s'] from flights order by id`)
    expect(r.status, r.text).toBe(200)
    expect(r.json.cols).toEqual(["items['k']", "items['s']"])
    expect(r.json.col_types).toEqual([[100, 10], [100, 4]])
    expect(r.json.rows).toEqual([
      [[1, 2], ['x', 'y']],
      [[3], ['z']],
    ])
    for (const [stmt, args] of [
      [`select id from flights where ? = ANY(items['k'])`, [2]],
      [`select id from flights where 2 = ANY(items['k'])`, undefined],
      [`select id from flights where 'y' = ANY(items['s'])`, undefined],
      [`select id from flights where ? = ANY(items['s'])`, ['y']],
    ] as const) {
      const any = await sql(stmt, args as unknown[] | undefined)
      expect(any.json?.rows, `${stmt}: ${any.text}`).toEqual([[1]])
    }
  })

  it('names un-aliased result columns by their expression text, as CrateDB does', async () => {
    const r = await sql(`select COUNT(*), avg(delay), AVG("delay"), upper('a'), max(flights.delay), sum(delay) + 1, 7/2.0, ?, count(id) filter_me, id > 1 as big from flights group by id > 1 order by 10`, [5])
    expect(r.status, r.text).toBe(200)
    expect(r.json.cols).toEqual(['count(*)', 'avg(delay)', 'avg(delay)', "upper('a')", 'max(delay)', '(sum(delay) + 1)', '(7 / 2.0)', '$1', 'filter_me', 'big'])
  })

  it('returns avg, stddev, variance and division by a decimal literal as DOUBLE (col type 6), NUMERIC only for NUMERIC', async () => {
    const r = await sql(`select avg(delay), mean(delay), stddev(delay), stddev_pop(delay), variance(delay), 7/2.0, avg(price), 1.5 from flights`)
    expect(r.status, r.text).toBe(200)
    expect(r.json.col_types).toEqual([6, 6, 6, 6, 6, 6, 22, 6])
    const [avg, mean, stddev, stddevPop, variance, division, avgPrice, literal] = r.json.rows[0]
    expect([avg, mean, division, literal]).toEqual([12.5, 12.5, 3.5, 1.5])
    expect(stddev).toBeCloseTo(3.5355339, 6) // sample
    expect(stddevPop).toBe(2.5)
    expect(variance).toBe(6.25) // CrateDB's variance is the population variance
    expect(avgPrice).toBe(2)
    // Functions PostgreSQL has only for NUMERIC still take decimal literals.
    const rounded = await sql('select round(2.567, 2), trunc(2.567, 1)')
    expect(rounded.json?.rows, rounded.text).toEqual([[2.57, 2.5]])
    // avg of an INTERVAL stays an INTERVAL (CrateDB's IntervalAverageAggregation).
    const interval = await sql(`select avg(x) from (select '1 hour'::interval as x union all select '3 hours'::interval) t`)
    const twoHours = await sql(`select '2 hours'::interval`)
    expect(interval.json?.rows, interval.text).toEqual(twoHours.json.rows)
    expect(interval.json.col_types).toEqual(twoHours.json.col_types)
  })

  it('makes eb.fn.avg<number>() a number in a Kysely app (not a 20-digit string)', async () => {
    const db = new Kysely<{ flights: { id: number; delay: number } }>({ dialect: new CrateDBDialect({ client: connect(crate.url, { username: 'crate' }) }) })
    try {
      const row = await db.selectFrom('flights').select((eb) => eb.fn.avg<number>('delay').as('mean')).executeTakeFirstOrThrow()
      expect(row).toEqual({ mean: 12.5 })
      // Un-aliased expressions are keyed by CrateDB's names.
      const raw = await kyselySql`select count(*), avg(delay) from flights`.execute(db)
      expect(raw.rows).toEqual([{ 'count(*)': 2, 'avg(delay)': 12.5 }])
    } finally {
      await db.destroy()
    }
  })

  it('answers CURRENT_USER, SESSION_USER and USER with the authenticated user', async () => {
    const stmt = 'select current_user, session_user, user, current_user = ? as me'
    const alice = await sql(stmt, ['alice'], 'alice')
    expect(alice.json.cols).toEqual(['current_user', 'session_user', 'user', 'me'])
    expect(alice.json.rows).toEqual([['alice', 'alice', 'alice', true]])
    const superuser = await sql(stmt, ['crate'])
    expect(superuser.json.rows).toEqual([['crate', 'crate', 'crate', true]])
  })

  it('stores timestamps given as strings in milliseconds, so the value read back finds the row', async () => {
    const read = await sql('select id, ts from flights order by id')
    expect(read.json.rows).toEqual([
      [1, Date.UTC(2024, 0, 1, 0, 0, 0, 123)],
      [2, Date.UTC(2024, 0, 1, 0, 0, 0, 987)], // truncated like CrateDB, not rounded
    ])
    for (const [id, ts] of read.json.rows as [number, number][]) {
      const found = await sql('select id from flights where ts = ?', [ts])
      expect(found.json.rows, found.text).toEqual([[id]])
    }
    await sql(`update flights set ts = '2024-01-01T00:00:01.000999Z' where id = 1`)
    await sql('alter table flights add column ts2 timestamp without time zone, add column tss array(timestamp with time zone)')
    const arrays = await sql(`update flights set ts2 = '2024-01-01T00:00:02.555555', tss = ? where id = 1`, [['2024-01-01T00:00:03Z']])
    expect(arrays.json?.rowcount, arrays.text).toBe(1) // timestamp arrays are stored too (not truncated)
    const updated = await sql('select ts, ts2 from flights where id = 1')
    expect(updated.json.rows).toEqual([[Date.UTC(2024, 0, 1, 0, 0, 1, 0), Date.UTC(2024, 0, 1, 0, 0, 2, 555)]])
  })

  it('treats quoted type names as CrateDB\'s grammar does: "object", "geo_point", "double precision" are types, "array(text)" is not', async () => {
    const ok = await sql('create table quoted_types (o "object", g "geo_point", d "double precision", t "TEXT"[], ts "timestamp with time zone")')
    expect(ok.status, ok.text).toBe(200)
    const types = await sql(`select column_name, data_type from information_schema.columns where table_name = 'quoted_types' order by ordinal_position`)
    expect(types.json.rows).toEqual([
      ['o', 'object'],
      ['g', 'geo_point'],
      ['d', 'double precision'],
      ['t', 'text_array'],
      ['ts', 'timestamp with time zone'],
    ])
    for (const [type, name] of [
      ['"array(text)"', 'array(text)'],
      ['"text[]"', 'text[]'],
      ['"Object(strict)"', 'object(strict)'],
    ]) {
      const bad = await sql(`create table quoted_bad (a ${type})`)
      expect(bad.status).toBe(400)
      expect(bad.json.error).toEqual({ code: 4000, message: `SQLParseException[Cannot find data type: ${name}]` })
    }
  })
})

describe('local CrateDB server: fixed ports and the image cache', () => {
  const freePort = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const probe = createServer()
      probe.once('error', reject)
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })

  it('listens on the port (node 0) or ports (one per node) asked for', async () => {
    const port = await freePort()
    const one = await startCrateDB({ port })
    try {
      expect(one.url).toBe(`http://127.0.0.1:${port}/`)
      expect((await http(one.url)).status).toBe(200)
    } finally {
      await one.stop()
    }
    const ports = [await freePort(), await freePort()]
    const two = await startCrateDB({ ports })
    try {
      expect(two.urls).toEqual(ports.map((p) => `http://127.0.0.1:${p}/`))
      await two.stopNode(1)
      await two.startNode(1)
      expect(two.urls[1]).toBe(`http://127.0.0.1:${ports[1]}/`)
    } finally {
      await two.stop()
    }
  })

  it('fails with PORT_IN_USE when a port is taken, and INVALID_OPTIONS for ports that do not fit', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
    const taken = (blocker.address() as { port: number }).port
    try {
      const error = await startCrateDB({ port: taken }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CrateDBProvisionError)
      expect(error).toMatchObject({ code: 'PORT_IN_USE' })
      expect((error as Error).message).toContain(`port ${taken}`)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
    await expect(startCrateDB({ nodes: 3, ports: [0, 0] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(startCrateDB({ port: 0, ports: [0] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(startCrateDB({ port: 70000 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
  })

  it('caches the bootstrapped PGlite image in the imageCache directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'dialectry-image-cache-'))
    try {
      const crate = await startCrateDB({ imageCache: join(directory, 'nested') })
      await crate.stop()
      expect(readdirSync(join(directory, 'nested'))).toEqual([expect.stringMatching(/^dialectry-cratedb-pglite-[0-9a-f]{16}\.tar$/)])
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  }, 60_000)
})

describe("CrateDB's output names (OutputNameFormatter rules)", () => {
  it.each([
    ['COUNT(*)', 'count(*)'],
    ['count(distinct x)', 'count(DISTINCT x)'],
    ['AVG(t."delay")', 'avg(delay)'],
    ['doc.t.x', 'x'],
    ['"MixedCase"', 'MixedCase'],
    ["upper('it''s')", "upper('it''s')"],
    ['-1', '- 1'],
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['a = 1 and b = 2 or c', '(((a = 1) AND (b = 2)) OR c)'],
    ['x is not null', '(x IS NOT NULL)'],
    ['x not in (1, 2)', '(NOT (x IN (1, 2)))'],
    ['x between 1 and 2', '(x BETWEEN 1 AND 2)'],
    ['x = any(arr)', 'x = ANY(arr)'],
    ["a || 'b'", "(a || 'b')"],
    ['x::text', 'CAST(x AS text)'],
    ["o['a']['b']", "o['a']['b']"],
    ['2.50', '2.5'],
    ['1e7', '1.0E7'],
    ['? + ?', '($1 + $2)'],
    ['ARRAY[1,2]', '[1, 2]'],
    ['current_user', 'current_user'],
  ])('%s → %s', (expression, name) => {
    expect(outputName(tokenize(expression).filter(isSignificant))).toBe(name)
  })
})
