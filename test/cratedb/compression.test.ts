import { deflateSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect, InvalidArgumentError, ProtocolError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { startCrateDB, type LocalCrateDB } from '../../src/testing/cratedb/index.ts'
import { resultSet, startStub, type StubNode, type StubRequest } from './helpers/stub-node.ts'

let clients: CrateDBClient[] = []
let stubs: StubNode[] = []

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await Promise.all(stubs.map((s) => s.kill().catch(() => {})))
  clients = []
  stubs = []
})

function client(url: string, options: Parameters<typeof connect>[1] = {}): CrateDBClient {
  const c = connect(url, options)
  clients.push(c)
  return c
}

/** A stub that answers every `_sql` request with one row, in the given content encoding. */
async function stub(encoding?: 'gzip' | 'deflate' | 'broken'): Promise<StubNode> {
  const s = await startStub((req, res) => {
    const bulk = sentJson(req).bulk_args
    const answer = bulk !== undefined ? JSON.stringify({ cols: [], duration: 1, results: bulk.map(() => ({ rowcount: 1 })) }) : JSON.stringify(resultSet(['n', 'big'], [9, 10], [[1, '__BIG__']]))
    const body = Buffer.from(answer.replace('"__BIG__"', '12345678901234567890'))
    const sent = encoding === 'gzip' ? gzipSync(body) : encoding === 'deflate' ? deflateSync(body) : encoding === 'broken' ? Buffer.from('not gzip at all') : body
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': sent.length }
    if (encoding !== undefined) headers['content-encoding'] = encoding === 'broken' ? 'gzip' : encoding
    res.writeHead(200, headers)
    res.end(sent)
  })
  stubs.push(s)
  return s
}

/** The JSON a request carried, inflating a gzip body. */
function sentJson(req: StubRequest): { stmt: string; args?: unknown[]; bulk_args?: unknown[][] } {
  const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(req.body) : req.body
  return JSON.parse(raw.toString('utf8'))
}

describe('request compression (compress)', () => {
  it('is off by default, and every _sql request accepts compressed answers', async () => {
    const s = await stub()
    await client(s.url).execute('SELECT ?', ['x'.repeat(20_000)])
    const [req] = s.requests
    expect(req!.headers['content-encoding']).toBeUndefined()
    expect(req!.headers['accept-encoding']).toBe('gzip, deflate')
    expect(req!.json?.args).toEqual(['x'.repeat(20_000)])
  })

  it('compress: true gzips every body', async () => {
    const s = await stub()
    await client(s.url, { compress: true }).execute('SELECT ?', [1])
    const [req] = s.requests
    expect(req!.headers['content-encoding']).toBe('gzip')
    expect(sentJson(req!)).toEqual({ stmt: 'SELECT ?', args: [1] })
  })

  it('a byte threshold gzips only bodies at least that large', async () => {
    const s = await stub()
    const c = client(s.url, { compress: 8192 })
    await c.execute('SELECT 1')
    const rows = Array.from({ length: 500 }, (_, i) => [i, `name-${i}`, 'ü'.repeat(10)])
    expect((await c.executeMany('INSERT INTO t (a, b, c) VALUES (?, ?, ?)', rows)).rowCount).toBe(500)
    expect(s.requests.map((r) => r.headers['content-encoding'])).toEqual([undefined, 'gzip'])
    const bulk = s.requests[1]!
    expect(bulk.body.length).toBeLessThan(8192)
    expect(sentJson(bulk).bulk_args).toEqual(rows)
  })

  it('refuses values that are not a boolean or a byte count', () => {
    for (const bad of [-1, 1.5, Number.NaN, '1024']) {
      expect(() => connect('http://127.0.0.1:1/', { compress: bad as number }), String(bad)).toThrow(InvalidArgumentError)
    }
  })
})

describe('compressed answers', () => {
  it('inflates gzip and deflate answers, decoding them as usual', async () => {
    for (const encoding of ['gzip', 'deflate'] as const) {
      const s = await stub(encoding)
      const result = await client(s.url).execute('SELECT 1')
      expect(result.rows, encoding).toEqual([[1, 12345678901234567890n]])
    }
  })

  it('a body that does not inflate is a ProtocolError naming the encoding', async () => {
    const s = await stub('broken')
    const error = await client(s.url).execute('SELECT 1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).code).toBe('INVALID_RESPONSE')
    expect((error as Error).message).toMatch(/Content-Encoding "gzip" that could not be decoded/)
  })
})

describe('against the local server', () => {
  let crate: LocalCrateDB
  beforeAll(async () => {
    crate = await startCrateDB({ httpCompression: true })
  })
  afterAll(async () => {
    await crate?.stop()
  })

  it('gzip request bodies are executed, and answers come back gzipped when httpCompression is on', async () => {
    const c = client(crate.url, { compress: true })
    await c.execute('CREATE TABLE gz (id INTEGER PRIMARY KEY, name TEXT)')
    const rows = Array.from({ length: 300 }, (_, i) => [i, `row ${i} ${'é'.repeat(i % 5)}`])
    const written = await c.executeMany('INSERT INTO gz (id, name) VALUES (?, ?)', rows)
    expect(written.rowCount).toBe(300)
    await c.execute('REFRESH TABLE gz')
    expect((await c.execute('SELECT id, name FROM gz ORDER BY id')).rows).toEqual(rows)

    const raw = await fetch(new URL('_sql', crate.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify({ stmt: 'SELECT count(*) FROM gz' }),
    })
    expect(raw.headers.get('content-encoding')).toBe('gzip')
    expect(await raw.json()).toMatchObject({ rows: [[300]] })
    // Cursor sessions read compressed answers too.
    const streamed: unknown[] = []
    for await (const row of c.stream('SELECT id FROM gz ORDER BY id', [], { batchSize: 100 })) streamed.push(row)
    expect(streamed).toHaveLength(300)
  })
})
