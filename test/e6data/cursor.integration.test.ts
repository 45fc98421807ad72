import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Connection,
  E6dataAuthenticationError,
  E6dataCancelledError,
  E6dataClusterSuspendedError,
  E6dataError,
  E6dataQueryError,
  type ConnectionOptions,
} from '../../src/e6data/index.ts'
import { provisionE6data, startE6data, type LocalE6data, type ProvisionedE6data } from '../../src/testing/e6data/index.ts'

/**
 * Against E6DATA_URL when set (hive.itest.numbers/airports must exist there, as registered below), else the local
 * engine. Tests that drive the local engine itself (session expiry, open-query counts, registering tables) run only
 * without E6DATA_URL, which CI never sets.
 */
const LOCAL = (process.env['E6DATA_URL'] ?? '').trim() === ''
let e6: ProvisionedE6data
let conn: Connection
const CATALOG = 'hive'
const DB = 'itest'
beforeAll(async () => {
  e6 = await provisionE6data({ batchRows: 1000 })
  if (e6.local !== undefined) {
    await e6.local.registerTable(CATALOG, DB, 'numbers', { query: 'SELECT n::BIGINT AS n, (n % 7)::INTEGER AS m, n::VARCHAR AS s FROM range(50000) t(n)' })
    await e6.local.registerTable(CATALOG, DB, 'airports', { query: "SELECT * FROM (VALUES ('SFO', 'San Francisco'), ('JFK', 'New York')) t(iata, city)" })
  }
  conn = new Connection({ ...e6.connectionOptions, catalog: CATALOG, database: DB })
})
afterAll(async () => {
  conn?.close()
  await e6?.stop()
})

describe('execute and fetch', () => {
  it('execute returns the query id; description, fetchOne (a row, not [row]), fetchMany, fetchAll', async () => {
    const cur = conn.cursor()
    const id = await cur.execute('SELECT n, s FROM numbers WHERE n < 10 ORDER BY n;')
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(cur.queryId).toBe(id)
    expect(cur.description).toEqual([
      ['n', 'LONG', null, null, null, null, true],
      ['s', 'STRING', null, null, null, null, true],
    ])
    expect(await cur.fetchOne()).toEqual([0, '0'])
    expect(await cur.fetchMany(3)).toEqual([[1, '1'], [2, '2'], [3, '3']])
    expect(await cur.fetchAll()).toEqual([4, 5, 6, 7, 8, 9].map((n) => [n, String(n)]))
    expect(await cur.fetchOne()).toBeUndefined()
    expect(await cur.status()).toEqual({ finished: true, rowCount: 10 })
    await cur.close()
  })

  it('pages across many batches; fetchAllBuffer holds one batch at a time', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT n, m FROM numbers ORDER BY n')
    let rows = 0
    let batches = 0
    let maxBatch = 0
    let sum = 0
    for await (const batch of cur.fetchAllBuffer()) {
      batches++
      rows += batch.length
      maxBatch = Math.max(maxBatch, batch.length)
      for (const r of batch) sum += r[0] as number
    }
    expect(rows).toBe(50000)
    expect(sum).toBe((49999 * 50000) / 2)
    expect(batches).toBeGreaterThan(10)
    expect(maxBatch).toBeLessThan(50000)
    await cur.close()
  })

  it('rowCount and status() carry the result total right after execute, before any fetch (the connector rowcount)', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT n, s FROM numbers WHERE n < 30000')
    expect(cur.rowCount).toBe(30000)
    expect(await cur.status()).toEqual({ finished: true, rowCount: 30000 })
    expect((await cur.fetchMany(10)).length).toBe(10)
    expect(cur.rowCount).toBe(30000)
    await cur.close()
  })

  it.runIf(LOCAL)('an uncounted result (-1 in the metadata) reports the rows received once read to the end', async () => {
    const cur = conn.cursor()
    await cur.execute('EXPLAIN SELECT n FROM numbers')
    expect(cur.rowCount).toBe(-1)
    const rows = await cur.fetchAll()
    expect(rows.length).toBeGreaterThan(0)
    expect(cur.rowCount).toBe(rows.length)
    await cur.close()
  })

  it('a new execute drops rows the previous query left in the cursor and describes the new result (unlike the connector)', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT n FROM numbers ORDER BY n LIMIT 5')
    expect(await cur.fetchOne()).toEqual([0])
    await cur.execute('SELECT n AS top, s FROM numbers ORDER BY n DESC LIMIT 2')
    expect(cur.description!.map((d) => d[0])).toEqual(['top', 's'])
    expect(cur.rowCount).toBe(2)
    expect(await cur.fetchMany(5)).toEqual([[49999, '49999'], [49998, '49998']])
    await cur.close()
  })

  it.runIf(LOCAL)('a new execute on the same cursor clears the previous query on the engine', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT n FROM numbers')
    const before = e6.local!.stats.openQueries()
    await cur.execute('SELECT 1 AS one')
    expect(e6.local!.stats.openQueries()).toBe(before)
    expect(await cur.fetchAll()).toEqual([[1]])
    await cur.close()
    expect(e6.local!.stats.openQueries()).toBe(before - 1)
  })

  it('explainAnalyse gives times and the planner JSON; dryRun checks without running', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT count(*) AS c FROM numbers')
    expect(await cur.fetchAll()).toEqual([[50000]])
    const ea = await cur.explainAnalyse()
    expect(ea.isCached).toBe(false)
    expect(typeof ea.parsingTime).toBe('number')
    expect(typeof ea.queueingTime).toBe('number')
    expect(typeof ea.totalQueryTime).toBe('number')
    expect(JSON.parse(ea.planner)).toEqual(ea.plan)
    await cur.close()
    expect(await conn.dryRun('SELECT n FROM numbers')).toContain('success')
    await expect(conn.dryRun('SELECT nope FROM numbers')).rejects.toThrow(E6dataQueryError)
  })

  it('metadata RPCs list databases, tables and columns with the engine type names', async () => {
    expect(await conn.getSchemaNames(CATALOG)).toContain(DB)
    expect(await conn.getTables(CATALOG, DB)).toEqual(['airports', 'numbers'])
    expect(await conn.getColumns(CATALOG, DB, 'numbers')).toEqual([
      { fieldName: 'n', fieldType: 'long' },
      { fieldName: 'm', fieldType: 'int' },
      { fieldName: 's', fieldType: 'string' },
    ])
    const cur = conn.cursor()
    expect(await cur.getColumns('airports')).toEqual([
      { fieldName: 'iata', fieldType: 'string' },
      { fieldName: 'city', fieldType: 'string' },
    ])
  })

  it.runIf(LOCAL)('switches database and catalog per cursor and per connection', async () => {
    await e6.local!.registerTable('other', 'db2', 'only_here', { query: 'SELECT 42 AS answer' })
    const cur = conn.cursor({ catalog: 'other', database: 'db2' })
    await cur.execute('SELECT answer FROM only_here')
    expect(await cur.fetchAll()).toEqual([[42]])
    await cur.close()
    const c2 = new Connection({ ...e6.connectionOptions, catalog: CATALOG, database: DB })
    c2.catalog = 'other'
    c2.database = 'db2'
    const cur2 = c2.cursor()
    await cur2.execute('SELECT answer FROM only_here')
    expect(await cur2.fetchAll()).toEqual([[42]])
    c2.close()
  })

  it('grpcOptions reach the channel: a receive limit below one batch fails that batch with a typed error', async () => {
    const small = new Connection({ ...e6.connectionOptions, catalog: CATALOG, database: DB, grpcOptions: { max_receive_message_length: 2000 } })
    const cur = small.cursor()
    await cur.execute('SELECT n, s FROM numbers')
    const err = await cur.fetchBatch().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(E6dataError)
    expect((err as E6dataError).code).toBe('RESOURCE_EXHAUSTED')
    small.close()
  })

  it('a catalog or database that does not exist is a query error naming it, not a silent fallback', async () => {
    await expect(conn.cursor({ catalog: 'no_such_catalog', database: DB }).execute('SELECT 1')).rejects.toThrow(/no_such_catalog/)
    await expect(conn.cursor({ catalog: CATALOG, database: 'no_such_db' }).execute('SELECT 1')).rejects.toThrow(/no_such_db/)
  })
})

describe('types through the engine', () => {
  it('decodes every type with NULLs, pre-1970 dates, 38-digit decimals, big longs, complex values as text', async () => {
    const cur = conn.cursor()
    await cur.execute(`
      SELECT * FROM (VALUES
        (TRUE, 7::INTEGER, 9223372036854775807::BIGINT, 1.5::DOUBLE, 0.25::FLOAT, 'x', DATE '1969-07-20',
         TIMESTAMP '1969-07-20 20:17:40.123456', TIMESTAMPTZ '2024-07-03 09:46:40+00',
         '-99999999999999999999999999999999999998'::DECIMAL(38,0), 12.50::DECIMAL(10,2), [1, 2], {'a': 1}, MAP {'k': 'v'}),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
      ) t(b, i, l, d, f, s, dt, ts, tz, big, dec, arr, st, mp)`)
    expect(cur.columns!.map((c) => c.typeCode)).toEqual([
      'BOOLEAN', 'INTEGER', 'LONG', 'DOUBLE', 'FLOAT', 'STRING', 'DATE', 'DATETIME', 'TIMESTAMP_TZ', 'DECIMAL128', 'DECIMAL128', 'ARRAY', 'STRUCT', 'MAP',
    ])
    const rows = await cur.fetchAll()
    expect(rows[0]).toEqual([
      true, 7, 9223372036854775807n, 1.5, 0.25, 'x', '1969-07-20', '1969-07-20T20:17:40.123+00:00', '2024-07-03T09:46:40.000+00:00',
      '-99999999999999999999999999999999999998', '12.50', '[1, 2]', "{'a': 1}", "{'k': 'v'}",
    ])
    expect(rows[1]).toEqual(Array(14).fill(null))
    await cur.close()
  })
})

describe('parameters', () => {
  const hostile = [
    "O'Brien",
    "'; DROP TABLE numbers; --",
    "\\'; SELECT 1; --",
    '\\',
    "\\\\'",
    "''",
    'line1\nline2\r\tend',
    '%s %(x)s %%',
    '"quoted" `tick`',
    'ünïcødé ☃ 😀',
    "a' OR '1'='1",
    '/* comment */ -- dash',
  ]
  it('binds hostile strings as values: each comes back exactly, the statement keeps its shape', async () => {
    const cur = conn.cursor()
    for (const v of hostile) {
      await cur.execute('SELECT %s AS v, count(*) AS c FROM numbers WHERE s = %s', [v, v])
      expect(await cur.fetchAll()).toEqual([[v, 0]])
    }
    await cur.execute('SELECT %(a)s AS a, %(b)s AS b, %(a)s AS again', { a: hostile[2]!, b: 5 })
    expect(await cur.fetchAll()).toEqual([[hostile[2], 5, hostile[2]]])
    await cur.execute('SELECT n FROM numbers WHERE n IN %s ORDER BY n', [[3, 1, 2]])
    expect(await cur.fetchAll()).toEqual([[1], [2], [3]])
    await cur.execute("SELECT '%s' AS lit, %s AS v", [null])
    expect(await cur.fetchAll()).toEqual([['%s', null]])
    await cur.close()
    expect(await conn.getTables(CATALOG, DB)).toContain('numbers')
  })
  it('refuses unbindable parameters before sending', async () => {
    const cur = conn.cursor()
    await expect(cur.execute('SELECT %s', [NaN])).rejects.toThrow(/NaN/)
    await expect(cur.execute('SELECT %s, %s', [1])).rejects.toMatchObject({ code: 'INVALID_PARAMETER' })
    await expect(cur.execute('SELECT %(a)s', { b: 1 })).rejects.toMatchObject({ code: 'INVALID_PARAMETER' })
  })
})

describe('errors', () => {
  it('bad SQL is a query error carrying the engine message; writes are refused', async () => {
    const cur = conn.cursor()
    const err = await cur.execute('SELECT no_such_column FROM numbers').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(E6dataQueryError)
    expect((err as Error).message).toMatch(/no_such_column/)
    await expect(cur.execute('DELETE FROM numbers')).rejects.toThrow(/read-only/)
    await expect(cur.execute('/* x */ CREATE TABLE t (a INT)')).rejects.toThrow(/read-only/)
  })
  it('bad credentials fail fast with an authentication error that does not contain the token', async () => {
    const bad = new Connection({ ...e6.connectionOptions, password: 'wrong-secret-token', catalog: CATALOG, database: DB })
    const err = await bad.cursor().execute('SELECT 1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(E6dataAuthenticationError)
    expect((err as Error).message).not.toContain('wrong-secret-token')
    bad.close()
  })
  it('a closed connection refuses calls', async () => {
    const c = new Connection({ ...e6.connectionOptions })
    c.close()
    expect(() => c.cursor()).toThrow(/closed/)
  })
})

describe('the engine checks sessions, query ids and the planner', () => {
  it('an unknown session is refused with Access denied; the V1 and V2 schema RPCs answer a valid one', async () => {
    const bogus = conn.call('getSchemaNamesV2', { sessionId: 'no-such-session', catalog: CATALOG })
    await expect(bogus).rejects.toThrow(E6dataAuthenticationError)
    await expect(bogus).rejects.toThrow(/Access denied/)
    const s = await conn.session()
    expect((await conn.call<{ schemas: string[] }>('getSchemaNamesV2', { sessionId: s.id, catalog: CATALOG })).schemas).toContain(DB)
    expect((await conn.call<{ tables: string[] }>('getTablesV2', { sessionId: s.id, catalog: CATALOG, schema: DB })).tables).toContain('numbers')
  })

  it.runIf(LOCAL)('V1 schema RPCs answer for the default catalog', async () => {
    const s = await conn.session()
    expect((await conn.call<{ schemas: string[] }>('getSchemaNames', { sessionId: s.id })).schemas).toContain(DB)
    expect((await conn.call<{ tables: string[] }>('getTables', { sessionId: s.id, schema: DB })).tables).toEqual(['airports', 'numbers'])
  })

  it.runIf(LOCAL)('per-query calls need the query id it gave and the planner that runs it', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT n FROM numbers WHERE n < 3')
    const s = await conn.session()
    const body = { engineIP: cur.engineIp, sessionId: s.id, queryId: cur.queryId }
    await expect(conn.call('getNextResultBatch', body, { plannerIp: '10.9.9.9' })).rejects.toThrow(/planner 127\.0\.0\.1, not 10\.9\.9\.9/)
    await expect(conn.call('getNextResultBatch', { ...body, queryId: 'no-such-query' }, { plannerIp: cur.engineIp })).rejects.toThrow(/not found/)
    expect(await cur.fetchAll()).toEqual([[0], [1], [2]])
    await cur.close()
  })
})

describe('sessions, cancel, abort', () => {
  it.runIf(LOCAL)('an expired session is re-authenticated and the statement runs', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT 1 AS one')
    const auths = e6.local!.stats.authenticate
    e6.local!.expireSessions()
    await cur.execute('SELECT 2 AS two')
    expect(await cur.fetchAll()).toEqual([[2]])
    expect(e6.local!.stats.authenticate).toBe(auths + 1)
    await cur.close()
  })

  it('cancel mid-query: later fetches fail with a cancelled error', async () => {
    const cur = conn.cursor()
    await cur.execute('SELECT a.n FROM numbers a, numbers b')
    expect((await cur.fetchBatch())!.length).toBeGreaterThan(0)
    await cur.cancel()
    await expect(cur.fetchBatch()).rejects.toThrow(E6dataCancelledError)
    await cur.close()
  })

  it('an AbortSignal during execute cancels and rejects', async () => {
    const cur = conn.cursor()
    const ac = new AbortController()
    ac.abort()
    await expect(cur.execute('SELECT 1', undefined, { signal: ac.signal })).rejects.toThrow(E6dataError)
  })
})

describe('auto-resume (local engine)', () => {
  let engine: LocalE6data
  let opts: ConnectionOptions
  beforeAll(async () => {
    engine = await startE6data({ resumeDelay: 1000 })
    opts = { host: engine.host, port: engine.port, username: engine.username, password: engine.password }
  })
  afterAll(() => engine.stop())

  it('a suspended cluster (503) is resumed, waited for, and then the query works', async () => {
    engine.suspend()
    const c = new Connection({ ...opts, resumePollInterval: 100 })
    const cur = c.cursor()
    await cur.execute('SELECT 41 + 1 AS x')
    expect(await cur.fetchAll()).toEqual([[42]])
    expect(engine.stats.resumes).toBe(1)
    c.close()
  })
  it('with autoResume off, or when the bound elapses, a typed error', async () => {
    engine.suspend()
    const off = new Connection({ ...opts, autoResume: false })
    await expect(off.cursor().execute('SELECT 1')).rejects.toThrow(E6dataClusterSuspendedError)
    off.close()
    const short = new Connection({ ...opts, autoResumeTimeout: 150, resumePollInterval: 100 }) // the resume takes 1 s
    await expect(short.cursor().execute('SELECT 1')).rejects.toMatchObject({ code: 'RESUME_TIMEOUT' })
    short.close()
  })
})

describe('TLS (local engine)', () => {
  it('secure with a PEM CA connects; without trusting it, it fails', async () => {
    const tls = await provisionE6data({ tls: true, env: {} })
    const c = new Connection({ ...tls.connectionOptions, host: 'localhost' })
    const cur = c.cursor()
    await cur.execute('SELECT 1 AS one')
    expect(await cur.fetchAll()).toEqual([[1]])
    c.close()
    // the same CA as a file path and as bytes
    const dir = mkdtempSync(join(tmpdir(), 'e6-tls-'))
    writeFileSync(join(dir, 'ca.pem'), String(tls.connectionOptions.sslCert))
    for (const sslCert of [join(dir, 'ca.pem'), Buffer.from(String(tls.connectionOptions.sslCert))]) {
      const c2 = new Connection({ ...tls.connectionOptions, host: 'localhost', sslCert })
      const k = c2.cursor()
      await k.execute('SELECT 2 AS two')
      expect(await k.fetchAll()).toEqual([[2]])
      c2.close()
    }
    rmSync(dir, { recursive: true, force: true })
    expect(() => new Connection({ ...tls.connectionOptions, sslCert: join(dir, 'missing.pem') })).toThrow(/cannot read sslCert/)
    const untrusted = new Connection({ ...tls.connectionOptions, host: 'localhost', sslCert: undefined, callTimeout: 3000 })
    await expect(untrusted.cursor().execute('SELECT 1')).rejects.toThrow(E6dataError)
    untrusted.close()
    await tls.stop()
  })
})
