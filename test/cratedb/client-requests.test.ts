import { afterEach, describe, expect, it } from 'vitest'
import { AuthenticationError, connect, ConnectionError, InvalidArgumentError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { resultSet, rowCount, sendJson, sqlHandler, startStub, type StubNode } from './helpers/stub-node.ts'

let client: CrateDBClient | undefined
let stubs: StubNode[] = []

afterEach(async () => {
  await client?.close()
  client = undefined
  await Promise.all(stubs.map((s) => s.kill().catch(() => {})))
  stubs = []
})

async function stub(handler = sqlHandler(() => resultSet(['x'], [9], [[1]]))): Promise<StubNode> {
  const s = await startStub(handler)
  stubs.push(s)
  return s
}

describe('the _sql request', () => {
  it('POSTs {stmt, args} to /_sql?types with JSON headers, and leaves args out when empty', async () => {
    const node = await stub()
    client = connect(node.url)
    await client.execute('SELECT ? AS x', [1])
    await client.execute('SELECT 1 AS x')
    const [a, b] = node.requests
    expect(a!.method).toBe('POST')
    expect(a!.url).toBe('/_sql?types')
    expect(a!.headers['content-type']).toBe('application/json')
    expect(a!.headers['accept']).toBe('application/json')
    expect(a!.json).toEqual({ stmt: 'SELECT ? AS x', args: [1] })
    expect(b!.json).toEqual({ stmt: 'SELECT 1 AS x' })
    expect(a!.headers['authorization']).toBeUndefined()
    expect(a!.headers['default-schema']).toBeUndefined()
  })

  it('defaults to http://localhost:4200/ and keeps a URL path prefix', async () => {
    const node = await stub()
    client = connect(`${node.url}crate/`)
    await client.execute('SELECT 1')
    expect(node.requests[0]!.url).toBe('/crate/_sql?types')
    const dflt = connect()
    expect(dflt.nodes).toEqual([{ url: 'http://localhost:4200/', active: true }])
    await dflt.close()
  })

  it('a bare host:port gets http://, a bare host gets port 4200, lists may be whitespace-separated', async () => {
    const c = connect('127.0.0.1:4321  db.example:4200 other')
    expect(c.nodes.map((n) => n.url)).toEqual(['http://127.0.0.1:4321/', 'http://db.example:4200/', 'http://other:4200/'])
    await c.close()
  })

  it('errorTrace adds &error_trace=true and the trace lands on the error', async () => {
    const node = await stub(async (req, res) => {
      sendJson(res, 400, { error: { message: 'SQLParseException[boom]', code: 4000 }, ...(req.url.includes('error_trace=true') ? { error_trace: 'java.lang.Exception: boom\n\tat x' } : {}) })
    })
    client = connect(node.url, { errorTrace: true })
    const err = await client.execute('SELEC 1').catch((e: unknown) => e)
    expect(node.requests[0]!.url).toBe('/_sql?types&error_trace=true')
    expect(err).toMatchObject({ code: 4000, httpStatus: 400, errorTrace: 'java.lang.Exception: boom\n\tat x' })
    const plain = connect(node.url)
    const err2 = await plain.execute('SELEC 1').catch((e: unknown) => e)
    expect(node.requests[1]!.url).toBe('/_sql?types')
    expect((err2 as { errorTrace?: string }).errorTrace).toBeUndefined()
    await plain.close()
  })

  it('schema is sent as Default-Schema on every request', async () => {
    const node = await stub()
    client = connect(node.url, { schema: 'sales' })
    await client.execute('SELECT 1')
    await client.executeMany('INSERT INTO t VALUES (?)', [[1]]).catch(() => {})
    expect(node.requests.map((r) => r.headers['default-schema'])).toEqual(['sales', 'sales'])
  })
})

describe('authentication', () => {
  const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

  it('username/password → Basic', async () => {
    const node = await stub()
    client = connect(node.url, { username: 'alice', password: 's3cret' })
    await client.execute('SELECT 1')
    expect(node.requests[0]!.headers['authorization']).toBe(basic('alice', 's3cret'))
  })

  it('only a password means user crate; only a username means an empty password', async () => {
    const node = await stub()
    const a = connect(node.url, { password: 'pw' })
    const b = connect(node.url, { username: 'bob' })
    await a.execute('SELECT 1')
    await b.execute('SELECT 1')
    expect(node.requests.map((r) => r.headers['authorization'])).toEqual([basic('crate', 'pw'), basic('bob', '')])
    await a.close()
    await b.close()
  })

  it('user info of the first URL is used when no username is given; explicit options win', async () => {
    const node = await stub()
    const url = node.url.replace('http://', 'http://carol:p%40ss@')
    client = connect([url, 'http://127.0.0.1:1/'])
    expect(client.nodes.map((n) => n.url)).toEqual([node.url, 'http://127.0.0.1:1/'])
    await client.execute('SELECT 1')
    const other = connect(url, { username: 'dave', password: 'x' })
    await other.execute('SELECT 1')
    expect(node.requests.map((r) => r.headers['authorization'])).toEqual([basic('carol', 'p@ss'), basic('dave', 'x')])
    await other.close()
  })

  it('header injection through credentials or schema is refused at connect()', () => {
    expect(() => connect('http://127.0.0.1:1/', { jwtToken: 'a\r\nX-Evil: 1' })).toThrow(InvalidArgumentError)
    expect(() => connect('http://127.0.0.1:1/', { schema: 'doc\nX: y' })).toThrow(/schema/)
  })

  it('jwtToken → Bearer; with a username it is refused', async () => {
    const node = await stub()
    client = connect(node.url, { jwtToken: 'eyJ.abc.def' })
    await client.execute('SELECT 1')
    expect(node.requests[0]!.headers['authorization']).toBe('Bearer eyJ.abc.def')
    expect(() => connect(node.url, { jwtToken: 't', username: 'u' })).toThrow(InvalidArgumentError)
  })

  it('a 401 plain-text answer is an AuthenticationError, and no error shows the password', async () => {
    const node = await stub((_req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="CrateDB Authenticator"' })
      res.end('No valid auth.host_based.config entry found for host "127.0.0.1", user "alice", protocol "http"\n')
    })
    client = connect(node.url.replace('http://', 'http://alice:hunter2@'))
    const err = await client.execute('SELECT 1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AuthenticationError)
    expect(err).toMatchObject({ code: 'HTTP_401', httpStatus: 401 })
    expect(String((err as Error).message)).toContain('No valid auth.host_based.config entry')
    expect(String((err as Error).message)).not.toContain('hunter2')

    const down = connect('http://alice:hunter2@127.0.0.1:1/')
    const err2 = await down.execute('SELECT 1').catch((e: unknown) => e)
    expect(err2).toBeInstanceOf(ConnectionError)
    expect(JSON.stringify({ m: (err2 as Error).message, n: (err2 as ConnectionError).nodes })).not.toContain('hunter2')
    expect((err2 as Error).message).toContain('http://127.0.0.1:1/')
    await down.close()
  })
})

describe('other endpoints', () => {
  it('serverInfo reads GET / with Accept: application/json', async () => {
    const node = await stub((req, res) => {
      if (req.method === 'GET' && req.url === '/') {
        sendJson(res, 200, { ok: true, status: 200, name: 'node-1', cluster_name: 'crate', version: { number: '5.10.3', build_hash: 'abc', build_snapshot: false } })
      } else sendJson(res, 404, 'nope')
    })
    client = connect(node.url, { username: 'u', password: 'p' })
    const info = await client.serverInfo()
    expect(info).toEqual({ version: '5.10.3', nodeName: 'node-1', clusterName: 'crate', buildHash: 'abc', node: node.url })
    expect(node.requests[0]!.headers['accept']).toBe('application/json')
    expect(node.requests[0]!.headers['authorization']).toMatch(/^Basic /)
  })

  it('refresh quotes each name part and returns the row count', async () => {
    const node = await stub(sqlHandler(() => rowCount(2)))
    client = connect(node.url)
    expect(await client.refresh(['t1', 'doc.Mixed'])).toBe(2)
    expect(await client.refresh('"My""Schema"."T"')).toBe(2)
    expect(node.requests.map((r) => r.json?.stmt)).toEqual(['REFRESH TABLE "t1", "doc"."Mixed"', 'REFRESH TABLE "My""Schema"."T"'])
  })

  it('row-count statements return no rows', async () => {
    const node = await stub(sqlHandler(() => rowCount(1)))
    client = connect(node.url)
    const r = await client.execute('INSERT INTO t (id) VALUES (1)')
    expect(r).toEqual({ cols: [], colTypes: [], rows: [], rowCount: 1, duration: 0.5 })
  })

  it('close() makes later calls fail with CLIENT_CLOSED', async () => {
    const node = await stub()
    const c = connect(node.url)
    await c.execute('SELECT 1')
    await c.close()
    await expect(c.execute('SELECT 1')).rejects.toMatchObject({ code: 'CLIENT_CLOSED' })
  })
})
