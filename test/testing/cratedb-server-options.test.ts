import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCrateDB, TEST_TLS_CERT, type LocalCrateDB } from '../../src/testing/cratedb/index.ts'
import { http, sqlRequest } from './cratedb-http.ts'

// Options of the local CrateDB server: HTTPS with the bundled test certificate, Basic/Bearer authentication
// (https://cratedb.com/docs/crate/reference/en/latest/admin/auth/hba.html), and the refresh (eventual consistency) knob
// (https://cratedb.com/docs/crate/reference/en/latest/general/dql/refresh.html).

describe('local CrateDB server with authentication and HTTPS', () => {
  let crate: LocalCrateDB
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6ImJvYiJ9.c2lnbmF0dXJl'
  const ca = new Agent({ connect: { ca: TEST_TLS_CERT } })
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

  beforeAll(async () => {
    crate = await startCrateDB({ tls: true, users: { alice: 'secret', eve: '' }, jwtTokens: { [token]: 'bob' } })
  })
  afterAll(async () => {
    await crate?.stop()
    await ca.close()
  })

  it('serves https:// URLs', () => {
    expect(crate.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/)
  })

  it('rejects the self-signed certificate without the CA and accepts it with the CA', async () => {
    await expect(http(crate.url)).rejects.toThrow(/self-signed|self signed|certificate/i)
    const r = await http(crate.url, { dispatcher: ca, headers: { authorization: basic('alice', 'secret') } })
    expect(r.status).toBe(200)
    expect(r.json.version.number).toBe('6.1.0')
    const localhost = await http(crate.url.replace('127.0.0.1', 'localhost'), { dispatcher: ca, headers: { authorization: basic('alice', 'secret') } })
    expect(localhost.status).toBe(200)
  })

  it('answers missing or wrong credentials with 401 plain text, WWW-Authenticate and a closed connection', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'password authentication failed for user "crate"\n'],
      [{ authorization: basic('alice', 'wrong') }, 'password authentication failed for user "alice"\n'],
      [{ authorization: basic('mallory', 'x') }, 'password authentication failed for user "mallory"\n'],
      [{ authorization: 'Bearer not-a-token' }, 'jwt authentication failed for user ""\n'],
    ]
    for (const [headers, body] of cases) {
      const r = await sqlRequest(crate, { stmt: 'select 1' }, { dispatcher: ca, headers })
      expect(r.status).toBe(401)
      expect(r.text).toBe(body)
      expect(r.headers['www-authenticate']).toBe('Basic realm="CrateDB Authenticator"')
      expect(r.headers['connection']).toBe('close')
      expect(r.json).toBeUndefined()
    }
    const scheme = await sqlRequest(crate, { stmt: 'select 1' }, { dispatcher: ca, headers: { authorization: 'Digest abc' } })
    expect(scheme.status).toBe(500)
    expect(scheme.text).toBe('Only basic or bearer HTTP Authentication schemes are allowed.\n')
    const root = await http(crate.url, { dispatcher: ca })
    expect(root.status).toBe(401)
  })

  it('accepts Basic (case-insensitive scheme, empty password) and Bearer credentials', async () => {
    const alice = await sqlRequest(crate, { stmt: 'select current_user as u' }, { dispatcher: ca, headers: { authorization: basic('alice', 'secret') } })
    expect(alice.status).toBe(200)
    const lower = await sqlRequest(crate, { stmt: 'select 1 as x' }, { dispatcher: ca, headers: { authorization: `basic ${Buffer.from('eve:').toString('base64')}` } })
    expect(lower.json.rows).toEqual([[1]])
    const bob = await sqlRequest(crate, { stmt: 'select 2 as x' }, { dispatcher: ca, headers: { authorization: `Bearer ${token}` } })
    expect(bob.json.rows).toEqual([[2]])
  })
})

describe('local CrateDB server with the refresh knob (general/dql/refresh.html)', () => {
  let crate: LocalCrateDB
  const sql = (stmt: string, args?: unknown[]) => sqlRequest(crate, args === undefined ? { stmt } : { stmt, args })

  beforeAll(async () => {
    crate = await startCrateDB({ refreshInterval: 60_000 })
  })
  afterAll(async () => {
    await crate?.stop()
  })

  it('hides new rows from searches until REFRESH TABLE while primary-key lookups see them at once', async () => {
    await sql('create table ec (id integer primary key, v text)')
    await sql("insert into ec (id, v) values (1, 'a')")
    expect((await sql('select id from ec')).json.rows).toEqual([])
    expect((await sql('select count(*) as n from ec')).json.rows).toEqual([[0]])
    expect((await sql('select v from ec where id = ?', [1])).json.rows).toEqual([['a']])
    expect((await sql("select v from ec where _id = '1'")).json.rows).toEqual([['a']])
    expect((await sql('refresh table ec')).json.rowcount).toBe(1)
    expect((await sql('select id from ec')).json.rows).toEqual([[1]])
    await sql("insert into ec (id, v) values (2, 'b')")
    expect((await sql('select id from ec order by id')).json.rows).toEqual([[1]])
    expect((await sql('select id, v from ec where id = 2')).json.rows).toEqual([[2, 'b']])
  })

  it('shows searches the refreshed version of rows updated or deleted since, until the next refresh', async () => {
    await sql('create table ev (id integer primary key, v text, o object, g geo_point, ts timestamp with time zone)')
    await sql('insert into ev (id, v, o, g, ts) values (?, ?, ?, ?, ?), (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)', [
      1, 'a', { n: 1 }, [13.4, 52.5], 1700000000123,
      2, 'b', { n: 2 }, null, null,
      3, 'c', null, null, 0,
    ])
    await sql('refresh table ev')
    const refreshed = await sql('select id, v, o, g, ts from ev order by id')
    expect(refreshed.json.rows).toEqual([
      [1, 'a', { n: 1 }, [13.4, 52.5], 1700000000123],
      [2, 'b', { n: 2 }, null, null],
      [3, 'c', null, null, 0],
    ])
    expect((await sql("update ev set v = 'a2', o['n'] = 10 where id = 1")).json.rowcount).toBe(1)
    expect((await sql("update ev set v = 'a3' where id = ?", [1])).json.rowcount).toBe(1)
    expect((await sql('delete from ev where id = 2')).json.rowcount).toBe(1)
    await sql("insert into ev (id, v) values (4, 'd')")
    await sql("update ev set v = 'd2' where id = 4")
    // searches: the version of the last refresh, with the same types; nothing written since
    const search = await sql('select id, v, o, g, ts from ev order by id')
    expect(search.json.col_types).toEqual(refreshed.json.col_types)
    expect(search.json.rows).toEqual(refreshed.json.rows)
    expect((await sql("select count(*) as n, max(o['n']) as m from ev")).json.rows).toEqual([[3, 2]])
    // primary-key lookups and writes: the newest version, once
    expect((await sql('select v, o from ev where id = 1')).json.rows).toEqual([['a3', { n: 10 }]])
    expect((await sql('select v from ev where id = 2')).json.rows).toEqual([])
    expect((await sql('select v from ev where id = 4')).json.rows).toEqual([['d2']])
    expect((await sql("update ev set v = v || '!' where id in (1, 3)")).json.rowcount).toBe(2)
    expect((await sql('select v from ev where id = 1')).json.rows).toEqual([['a3!']])
    expect((await sql('select id, v from ev order by id')).json.rows).toEqual([[1, 'a'], [2, 'b'], [3, 'c']])
    await sql('refresh table ev')
    expect((await sql('select id, v from ev order by id')).json.rows).toEqual([[1, 'a3!'], [3, 'c!'], [4, 'd2']])
    expect((await sql('select count(*) as n from ev')).json.rows).toEqual([[3]])
  })

  it('lets UPDATE/DELETE without a key filter, INSERT … SELECT and CREATE TABLE AS find only refreshed rows', async () => {
    await sql('create table ew (id integer primary key, v text, n integer)')
    await sql("insert into ew (id, v, n) values (1, 'a', 1), (2, 'b', 2)")
    await sql('refresh table ew')
    await sql("insert into ew (id, v, n) values (3, 'c', 3)")
    expect((await sql('update ew set n = 20 where id = 2')).json.rowcount).toBe(1) // by key: the newest version
    // by query: a search finds rows 1 and 2 (row 2 by its refreshed n = 2), not row 3; their newest versions change
    const byQuery = await sql("update ew set v = v || '!' where n < 10 returning id, v, n")
    expect([...byQuery.json.rows].sort((a: number[], b: number[]) => a[0]! - b[0]!)).toEqual([[1, 'a!', 1], [2, 'b!', 20]])
    const bulk = await sqlRequest(crate, { stmt: 'update ew set n = n + ? where v = ?', bulk_args: [[100, 'c'], [100, 'a']] })
    expect(bulk.json.results).toEqual([{ rowcount: 0 }, { rowcount: 1 }])
    expect((await sql('select id, v, n from ew where id in (1, 2, 3) order by id')).json.rows).toEqual([[1, 'a!', 101], [2, 'b!', 20], [3, 'c', 3]])
    // INSERT … SELECT copies what a search sees; a key lookup as its query sees the newest rows
    await sql('create table ew2 (id integer primary key, v text)')
    expect((await sql('insert into ew2 (id, v) select id, v from ew')).json.rowcount).toBe(2)
    expect((await sql('insert into ew2 (id, v) select id, v from ew where id = 3')).json.rowcount).toBe(1)
    expect((await sql('select id, v from ew2 where id in (1, 2, 3) order by id')).json.rows).toEqual([[1, 'a'], [2, 'b'], [3, 'c']])
    // DELETE by query removes the refreshed rows found; by key, any row
    expect((await sql('delete from ew where n > 0')).json.rowcount).toBe(2)
    expect((await sql('select id from ew where id in (1, 2, 3)')).json.rows).toEqual([[3]])
    expect((await sql('delete from ew')).json.rowcount).toBe(0)
    expect((await sql('delete from ew where id = 3')).json.rowcount).toBe(1)
    await sql('refresh table ew, ew2')
    await sql("insert into ew2 (id, v) values (4, 'd')")
    expect((await sql('select count(*) as n from ew')).json.rows).toEqual([[0]])
    // CREATE TABLE AS reads ew2 like a search: row 4 is not refreshed yet
    expect((await sql('create table ew3 as select id, v from ew2')).json.rowcount).toBe(3)
    await sql('refresh table ew3')
    expect((await sql('select id from ew3 order by id')).json.rows).toEqual([[1], [2], [3]])
  })

  it('makes rows visible once the refresh interval has elapsed', async () => {
    const fast = await startCrateDB({ refreshInterval: 150 })
    try {
      const run = (stmt: string) => sqlRequest(fast, { stmt })
      await run('create table ec2 (id integer primary key)')
      await run('insert into ec2 (id) values (1)')
      expect((await run('select id from ec2')).json.rows).toEqual([])
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect((await run('select id from ec2')).json.rows).toEqual([[1]])
    } finally {
      await fast.stop()
    }
  })
})
