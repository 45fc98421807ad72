import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connect,
  DruidAbortedError,
  DruidAuthError,
  DruidConnectionError,
  DruidQueryError,
  DruidTaskFailedError,
  DruidTimeoutError,
  typedParameter,
  type DruidClient,
} from '../../src/druid/index.ts'
import { provisionDruid, startDruid, type ProvisionedDruid } from '../../src/testing/druid/index.ts'
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../../src/testing/cratedb/test-certificate.ts'

/**
 * The driver against a Druid Router: `DRUID_URL` when set (a real cluster), else the local server. The suites that
 * need the local server's internals (its query registry, auth, TLS) start their own.
 */
let druid: ProvisionedDruid
let client: DruidClient
const ds = `dialectry_it_${process.pid}`
const dataFile = join(tmpdir(), `${ds}.json`)

async function ingestFixture(): Promise<void> {
  const lines = Array.from({ length: 48 }, (_, i) =>
    JSON.stringify({ ts: new Date(Date.UTC(2024, 0, 1, i)).toISOString(), channel: i % 3 === 0 ? '#en' : '#fr', added: i * 10, delta: i / 4 }),
  )
  writeFileSync(dataFile, `${lines.join('\n')}\n`)
  const statuses: string[] = []
  const status = await client.ingest(
    `REPLACE INTO "${ds}" OVERWRITE ALL
     SELECT TIME_PARSE("ts") AS __time, "channel", "added", "delta"
     FROM TABLE(EXTERN('{"type":"local","files":[${JSON.stringify(dataFile)}]}', '{"type":"json"}',
       '[{"name":"ts","type":"string"},{"name":"channel","type":"string"},{"name":"added","type":"long"},{"name":"delta","type":"double"}]'))
     PARTITIONED BY DAY`,
    [],
    { onProgress: (s) => statuses.push(s.statusCode), pollInterval: 100, timeout: 120_000 },
  )
  expect(status.statusCode).toBe('SUCCESS')
  expect(statuses.at(-1)).toBe('SUCCESS')
}

describe('Druid driver against a Router', () => {
  beforeAll(async () => {
    druid = await provisionDruid()
    client = connect(druid.url, { timeout: 60_000 })
    await ingestFixture()
  })
  afterAll(async () => {
    await client?.close()
    await druid?.stop()
  })

  it('ingestion through EXTERN reaches SUCCESS and the rows are queryable', async () => {
    const { rows } = await client.query(`SELECT COUNT(*) AS n, SUM("added") AS added, MIN(__time) AS first FROM "${ds}"`)
    expect(rows).toEqual([{ n: 48, added: 11280, first: new Date('2024-01-01T00:00:00.000Z') }])
    const days = await client.query(`SELECT COUNT(*) AS n FROM sys.segments WHERE datasource = ?`, [ds])
    expect(days.rows[0]!['n']).toBe(2)
  })

  it('a failing ingestion raises DruidTaskFailedError', async () => {
    const err = await client
      .ingest(`INSERT INTO "${ds}_bad" SELECT * FROM TABLE(EXTERN('{"type":"local","files":["/nonexistent/x.parquet"]}', '{"type":"parquet"}', '[{"name":"a","type":"long"}]')) PARTITIONED BY ALL`, [], { pollInterval: 50 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DruidTaskFailedError)
  })

  it('every result format returns the same typed rows', async () => {
    const sql = `SELECT __time, "channel", "added", "delta", "added" > 100 AS big, TIME_FLOOR(__time, 'P1D') AS "day" FROM "${ds}" WHERE "added" < 30 ORDER BY __time`
    const expected = [
      { __time: new Date('2024-01-01T00:00:00.000Z'), channel: '#en', added: 0, delta: 0, big: false, day: new Date('2024-01-01T00:00:00.000Z') },
      { __time: new Date('2024-01-01T01:00:00.000Z'), channel: '#fr', added: 10, delta: 0.25, big: false, day: new Date('2024-01-01T00:00:00.000Z') },
      { __time: new Date('2024-01-01T02:00:00.000Z'), channel: '#fr', added: 20, delta: 0.5, big: false, day: new Date('2024-01-01T00:00:00.000Z') },
    ]
    for (const resultFormat of ['array', 'object', 'arrayLines', 'objectLines', 'csv'] as const) {
      const result = await client.query(sql, [], { resultFormat })
      expect(result.rows, resultFormat).toEqual(expected)
      expect(result.columns.map((c) => c.sqlType), resultFormat).toEqual(['TIMESTAMP', 'VARCHAR', 'BIGINT', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP'])
    }
  })

  it('BIGINT beyond 2^53 stays exact and arrays decode', async () => {
    const { rows } = await client.query(`SELECT CAST(? AS BIGINT) AS big, ARRAY['a', 'b'] AS arr`, [9007199254740993n], { rowMode: 'array' })
    expect(rows).toEqual([[9007199254740993n, ['a', 'b']]])
  })

  it('parameters of every type bind', async () => {
    const { rows } = await client.query(
      `SELECT ? AS s, ? AS i, ? AS d, ? AS b, ? AS t, ? AS dt, COUNT(*) AS n FROM "${ds}" WHERE __time >= ? AND "channel" = ? AND "added" >= ?`,
      ['x', 42, 1.5, true, new Date('2024-01-01T12:00:00Z'), typedParameter('DATE', '2024-01-02'), new Date('2024-01-02T00:00:00Z'), '#en', 300],
    )
    expect(rows[0]).toMatchObject({ s: 'x', i: 42, d: 1.5, b: true, t: new Date('2024-01-01T12:00:00Z'), dt: new Date('2024-01-02T00:00:00Z'), n: 6 })
  })

  it('streams rows with arrayLines, columns typed', async () => {
    let n = 0
    let sum = 0
    const stream = client.stream<{ x: number }>('SELECT "added" AS x FROM (SELECT "added" FROM "' + ds + '") CROSS JOIN (SELECT 1 FROM sys.servers) LIMIT 100')
    for await (const row of stream) {
      n++
      sum += row.x
    }
    expect(n).toBeGreaterThan(0)
    expect(sum).toBeGreaterThan(0)
    expect(stream.columns?.[0]).toMatchObject({ name: 'x', sqlType: 'BIGINT' })
  })

  it('server errors are typed', async () => {
    const unknown = (await client.query('SELECT * FROM "no_such_datasource"').catch((e: unknown) => e)) as DruidQueryError
    expect(unknown).toBeInstanceOf(DruidQueryError)
    expect(unknown.category).toBe('INVALID_INPUT')
    expect(unknown.errorMessage).toContain('no_such_datasource')
    const write = (await client.query(`INSERT INTO "${ds}" SELECT 1`).catch((e: unknown) => e)) as DruidQueryError
    expect(write).toBeInstanceOf(DruidQueryError)
    expect(write.errorMessage).toContain('MSQ')
  })

  it('the statements API runs a query and returns its typed rows', async () => {
    const { status, rows } = await client.statements.run<{ __time: Date; added: number }>(`SELECT __time, "added" FROM "${ds}" WHERE "added" >= ? ORDER BY __time LIMIT 2`, [400], { pollInterval: 100 })
    expect(status.state).toBe('SUCCESS')
    expect(status.schema?.map((c) => c.type)).toEqual(['TIMESTAMP', 'BIGINT'])
    expect(rows).toEqual([
      { __time: new Date('2024-01-02T16:00:00.000Z'), added: 400 },
      { __time: new Date('2024-01-02T17:00:00.000Z'), added: 410 },
    ])
    expect(await client.statements.cancel(status.queryId)).toBe(false)
    await expect(client.statements.status('query-unknown')).rejects.toMatchObject({ httpStatus: 404, category: 'NOT_FOUND' })
  })

  it('statement results are read page by page (context rowsPerPage)', async () => {
    const sql = `SELECT "added" FROM "${ds}" ORDER BY __time`
    const status = await client.statements.submit(sql, [], { rowsPerPage: 10 })
    let done = status
    while (done.state === 'ACCEPTED' || done.state === 'RUNNING') done = await client.statements.status(status.queryId)
    const pages = done.result!.pages
    expect(pages.reduce((n, p) => n + p.numRows, 0)).toBe(48)
    if (process.env['DRUID_URL'] === undefined) expect(pages.map((p) => p.numRows)).toEqual([10, 10, 10, 10, 8])
    const paged: unknown[] = []
    for (const p of pages) paged.push(...(await client.statements.results<{ added: number }>(done.queryId, done.schema, p.id)))
    expect(paged).toEqual(Array.from({ length: 48 }, (_, i) => ({ added: i * 10 })))
  })

  it('INFORMATION_SCHEMA lists the datasource and its columns', async () => {
    const { rows } = await client.query('SELECT COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', ['druid', ds])
    expect(rows).toEqual([
      { COLUMN_NAME: '__time', DATA_TYPE: 'TIMESTAMP' },
      { COLUMN_NAME: 'channel', DATA_TYPE: 'VARCHAR' },
      { COLUMN_NAME: 'added', DATA_TYPE: 'BIGINT' },
      { COLUMN_NAME: 'delta', DATA_TYPE: 'DOUBLE' },
    ])
  })
})

describe('Druid driver: cancellation, auth, TLS (local server)', () => {
  it('a client timeout raises DruidTimeoutError and cancels the query on the server', async () => {
    const local = await startDruid()
    const c = connect(local.url, { timeout: 300 })
    try {
      // An aggregate over 20 billion rows sends nothing for a long time.
      const err = await c.query('SELECT COUNT(*) AS n FROM range(20000000000)', [], { sqlQueryId: 'dialectry-timeout-test' }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DruidTimeoutError)
      expect((err as Error).message).toContain('dialectry-timeout-test')
      await expect.poll(() => local.engine.cancelRequests, { timeout: 10_000 }).toContain('dialectry-timeout-test')
      await expect.poll(() => local.engine.queries.get('dialectry-timeout-test')?.state, { timeout: 10_000 }).toBe('cancelled')
    } finally {
      await c.close()
      await local.stop()
    }
  })

  it('a large result streams with bounded memory, in the client and in the local server', async () => {
    // 1,000,000 rows of 200-character strings: holding them would take well over 250 MB of heap.
    const local = await startDruid()
    const c = connect(local.url)
    try {
      const gc = (globalThis as { gc?: () => void }).gc
      gc?.()
      const base = process.memoryUsage().heapUsed
      let peak = 0
      let n = 0
      let chars = 0
      for await (const batch of c.stream<[number, string]>(`SELECT range AS i, repeat('x', 200) AS pad FROM range(1000000)`, [], { rowMode: 'array' }).batches()) {
        n += batch.length
        chars += batch[0]![1].length
        peak = Math.max(peak, process.memoryUsage().heapUsed - base)
      }
      expect(n).toBe(1_000_000)
      expect(chars).toBeGreaterThan(0)
      // Generous bound: a few network chunks, DuckDB chunks and their rows, plus garbage not yet collected.
      expect(peak).toBeLessThan(160 * 1024 * 1024)
    } finally {
      await c.close()
      await local.stop()
    }
  })

  it('abort cancels the query on the server, and the query stops there', async () => {
    const local = await startDruid()
    const c = connect(local.url)
    try {
      const controller = new AbortController()
      const stream = c.stream('SELECT a.range AS i FROM range(100000000) a', [], { signal: controller.signal, sqlQueryId: 'dialectry-abort-test' })
      let n = 0
      const err = await (async () => {
        for await (const _ of stream) if (++n === 10) controller.abort(new Error('enough'))
      })().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DruidAbortedError)
      await expect.poll(() => local.engine.queries.get('dialectry-abort-test')?.state, { timeout: 10_000 }).toBe('cancelled')
      await expect.poll(() => local.engine.cancelRequests, { timeout: 10_000 }).toContain('dialectry-abort-test')
      const rowsAtCancel = local.engine.queries.get('dialectry-abort-test')!.rows
      await new Promise((r) => setTimeout(r, 300))
      expect(local.engine.queries.get('dialectry-abort-test')!.rows).toBe(rowsAtCancel)
      expect(rowsAtCancel).toBeLessThan(100_000_000)
      // Leaving a stream early cancels too.
      const early = c.stream('SELECT range AS i FROM range(100000000)', [], { sqlQueryId: 'dialectry-break-test' })
      for await (const _ of early) break
      await expect.poll(() => local.engine.queries.get('dialectry-break-test')?.state, { timeout: 10_000 }).toBe('cancelled')
      await expect.poll(() => local.engine.cancelRequests, { timeout: 10_000 }).toContain('dialectry-break-test')
      expect(await c.cancel('no-such-query')).toBe(false)
    } finally {
      await c.close()
      await local.stop()
    }
  })

  it('Basic auth: right credentials pass, wrong ones raise DruidAuthError, health stays open', async () => {
    const local = await startDruid({ users: { admin: 'secret', reader: 'r' }, authorize: (user, method, path) => user === 'admin' || !(method === 'POST' && path === '/druid/v2/sql/task') })
    const good = connect(local.url, { username: 'admin', password: 'secret' })
    const bad = connect(local.url.replace('://', '://admin:wrong@'))
    const reader = connect(local.url, { username: 'reader', password: 'r' })
    try {
      expect((await good.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      expect((await reader.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      const forbidden = (await reader.ingest('INSERT INTO x SELECT 1 AS a PARTITIONED BY ALL').catch((e: unknown) => e)) as DruidAuthError
      expect(forbidden).toBeInstanceOf(DruidAuthError)
      expect(forbidden.code).toBe('HTTP_403')
      expect(forbidden.message).toContain('Unauthorized')
      const err = (await bad.query('SELECT 1').catch((e: unknown) => e)) as DruidAuthError
      expect(err).toBeInstanceOf(DruidAuthError)
      expect(err.message).not.toContain('wrong')
      expect(await bad.rest.get('/status/health')).toBe(true)
    } finally {
      await good.close()
      await bad.close()
      await reader.close()
      await local.stop()
    }
  })

  it('TLS: verified against a private CA, refused without it', async () => {
    const local = await startDruid({ tls: { cert: TEST_TLS_CERT, key: TEST_TLS_KEY } })
    const trusted = connect(local.url, { tlsCert: TEST_TLS_CERT })
    const untrusted = connect(local.url)
    try {
      expect(local.url.startsWith('https://')).toBe(true)
      expect((await trusted.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }])
      await expect(untrusted.query('SELECT 2')).rejects.toBeInstanceOf(DruidConnectionError)
    } finally {
      await trusted.close()
      await untrusted.close()
      await local.stop()
    }
  })
})
