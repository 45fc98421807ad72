import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { Client, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCrateDB, type LocalCrateDB } from '../../src/testing/cratedb/index.ts'
import { http, sqlRequest } from './cratedb-http.ts'

// The local CrateDB server's HTTP protocol (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html):
// request validation, response shapes, bulk, errors, GET /,
// nodes sharing one store, blobs.

describe('local CrateDB server: HTTP protocol (interfaces/http.html)', () => {
  let crate: LocalCrateDB
  const sql = (stmt: string, args?: unknown[], options?: Parameters<typeof sqlRequest>[2]) =>
    sqlRequest(crate, args === undefined ? { stmt } : { stmt, args }, options)

  beforeAll(async () => {
    crate = await startCrateDB({ nodes: 2, version: '6.1.2' })
  })
  afterAll(async () => {
    await crate?.stop()
  })

  describe('request body validation (SQLRequestParser)', () => {
    it('rejects an empty body with 400/4000 Missing request body', async () => {
      const r = await http(`${crate.url}_sql`, { method: 'POST', body: '' })
      expect(r.status).toBe(400)
      expect(r.json).toEqual({ error: { message: 'SQLParseException[Missing request body]', code: 4000 } })
      expect(r.headers['content-type']).toBe('application/json; charset=UTF-8')
    })

    it('rejects bad JSON and unknown keys with 400/4000 Can\'t parse', async () => {
      const bad = await sqlRequest(crate, '{"stmt": ')
      expect(bad.status).toBe(400)
      expect(bad.json.error).toEqual({
        message: "SQLParseException[Can't parse [{\"stmt\": ]. Expecting payload with `stmt` string and `args` or `bulk_args` arrays]",
        code: 4000,
      })
      const unknownKey = await sqlRequest(crate, { stmt: 'select 1', foo: 1 })
      expect(unknownKey.status).toBe(400)
      expect(unknownKey.json.error.code).toBe(4000)
      expect(unknownKey.json.error.message).toMatch(/^SQLParseException\[Can't parse \[/)
    })

    it('reports stmt/args/bulk_args shape errors as SQLParseSourceException 500/5000', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ args: [] }, 'Field [stmt] is missing'],
        [{ stmt: '' }, 'Field [stmt] has no value'],
        [{ stmt: 'select 1', args: null }, '`args` must start with an array, not `VALUE_NULL`'],
        [{ stmt: 'select 1', args: { a: 1 } }, '`args` must start with an array, not `START_OBJECT`'],
        [{ stmt: 'select 1', bulk_args: [null] }, '`bulk_args` must contain a list of `args` (values list). Got unexpected: VALUE_NULL'],
        [{ stmt: { x: 1 } }, 'Field [stmt] has an invalid value'],
      ]
      for (const [body, message] of cases) {
        const r = await sqlRequest(crate, body)
        expect(r.status, JSON.stringify(body)).toBe(500)
        expect(r.json).toEqual({ error: { message: `SQLParseSourceException[${message}]`, code: 5000 } })
      }
    })

    it('forbids args together with bulk_args (400/4000) but treats empty args as a simple request', async () => {
      const both = await sqlRequest(crate, { stmt: 'select ?', args: [1], bulk_args: [[1]] })
      expect(both.status).toBe(400)
      expect(both.json.error).toEqual({ message: "SQLParseException[request body contains args and bulk_args. It's forbidden to provide both]", code: 4000 })
      const simple = await sqlRequest(crate, { stmt: 'select 1 as x', args: [], bulk_args: [[1]] })
      expect(simple.status).toBe(200)
      expect(simple.json.rows).toEqual([[1]])
    })

    it('accepts gzip-compressed request bodies', async () => {
      const r = await http(`${crate.url}_sql`, {
        method: 'POST',
        body: gzipSync(JSON.stringify({ stmt: 'select 7 as x' })),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      })
      expect(r.status).toBe(200)
      expect(r.json.rows).toEqual([[7]])
    })
  })

  describe('success shapes and flags (http.html, SqlHttpHandler)', () => {
    it('returns cols, col_types, rows, rowcount, duration in that order, duration a float', async () => {
      const r = await sql('select 1 as a, \'x\' as b')
      expect(r.status).toBe(200)
      expect(r.headers['content-type']).toBe('application/json; charset=UTF-8')
      expect(Object.keys(r.json)).toEqual(['cols', 'col_types', 'rows', 'rowcount', 'duration'])
      expect(r.json).toMatchObject({ cols: ['a', 'b'], col_types: [9, 4], rows: [[1, 'x']], rowcount: 1 })
      expect(r.text).toMatch(/"duration":\d+\.\d+\}$/)
    })

    it('adds col_types only for ?types or ?types=true', async () => {
      for (const query of ['?types', '?types=true']) expect((await sql('select 1 as a', undefined, { query })).json.col_types).toEqual([9])
      for (const query of ['', '?types=false', '?types=1', '?types&types']) {
        expect(Object.keys((await sql('select 1 as a', undefined, { query })).json)).toEqual(['cols', 'rows', 'rowcount', 'duration'])
      }
    })

    it('answers DDL and DML with one empty row and the row count', async () => {
      const create = await sql('create table shapes (id integer primary key, name text)')
      expect(create.json).toMatchObject({ cols: [], col_types: [], rows: [[]], rowcount: 1 })
      const insert = await sql('insert into shapes (id, name) values (?, ?), (?, ?)', [1, 'a', 2, 'b'])
      expect(Object.keys(insert.json)).toEqual(['cols', 'col_types', 'rows', 'rowcount', 'duration'])
      expect(insert.json).toMatchObject({ cols: [], col_types: [], rows: [[]], rowcount: 2 })
      expect((await sql('update shapes set name = ? where id > ?', ['z', 0])).json.rowcount).toBe(2)
      expect((await sql('delete from shapes where id = ?', [1])).json).toMatchObject({ rows: [[]], rowcount: 1 })
      expect((await sql('delete from shapes where id = ?', [1], { query: '' })).json).toMatchObject({ cols: [], rows: [[]], rowcount: 0 })
    })

    it('supports RETURNING on INSERT and UPDATE but rejects DELETE … RETURNING (400/4000)', async () => {
      await sql('create table ret (id integer primary key, v text)')
      const inserted = await sql('insert into ret (id, v) values (?, ?) returning id, v', [1, 'a'])
      expect(inserted.json).toMatchObject({ cols: ['id', 'v'], col_types: [9, 4], rows: [[1, 'a']], rowcount: 1 })
      const updated = await sql('update ret set v = ? where id = ? returning v, _seq_no', ['b', 1])
      expect(updated.json.cols).toEqual(['v', '_seq_no'])
      expect(updated.json.rows[0][0]).toBe('b')
      const deleted = await sql('delete from ret where id = 1 returning id')
      expect(deleted.status).toBe(400)
      expect(deleted.json.error.code).toBe(4000)
      expect(deleted.json.error.message).toMatch(/^ParsingException\[line 1:\d+: mismatched input 'returning'/)
      expect((await sql('select count(*) as n from ret')).json.rows).toEqual([[1]])
    })

    it('upserts with ON CONFLICT (pk) DO UPDATE SET c = excluded.c and supports LIMIT ALL', async () => {
      await sql('create table ups (id integer primary key, v integer)')
      await sql('insert into ups (id, v) values (1, 1)')
      const upsert = await sql('insert into ups (id, v) values (?, ?) on conflict (id) do update set v = excluded.v', [1, 5])
      expect(upsert.json.rowcount).toBe(1)
      expect((await sql('insert into ups (id, v) values (1, 9) on conflict do nothing')).json.rowcount).toBe(0)
      expect((await sql('select v from ups limit all offset 0')).json.rows).toEqual([[5]])
    })

    it('rejects WHERE in ON CONFLICT … DO UPDATE SET, which CrateDB\'s grammar has not (400/4000)', async () => {
      await sql('create table ups_where (id integer primary key, v integer)')
      await sql('insert into ups_where (id, v) values (1, 1)')
      const reply = await sql('insert into ups_where (id, v) values (?, ?) on conflict (id) do update set v = excluded.v where ups_where.v < excluded.v', [1, 5])
      expect(reply.status).toBe(400)
      expect(reply.json.error.code).toBe(4000)
      expect(reply.json.error.message).toMatch(/^ParsingException\[line 1:\d+: mismatched input 'where' expecting/)
      expect((await sql('select v from ups_where')).json.rows).toEqual([[1]])
    })
  })

  describe('bulk requests (http.html#http-bulk-ops)', () => {
    beforeAll(async () => {
      await sql('create table bulk (id integer primary key, name text not null)')
    })

    it('reports every row, with rowcount -2 and the error of a failing row, and no rows/rowcount/col_types', async () => {
      const r = await sqlRequest(crate, { stmt: 'insert into bulk (id, name) values (?, ?)', bulk_args: [[1, 'a'], [1, 'dup'], [2, 'b'], [3, null]] })
      expect(r.status).toBe(200)
      expect(Object.keys(r.json)).toEqual(['cols', 'duration', 'results'])
      expect(r.json.cols).toEqual([])
      expect(r.json.results).toEqual([
        { rowcount: 1 },
        { rowcount: -2, error: { code: 4091, message: 'DuplicateKeyException[A document with the same primary key exists already]' } },
        { rowcount: 1 },
        { rowcount: -2, error: { code: 4000, message: expect.stringMatching(/^SQLParseException\[.*must not be null\]$/) } },
      ])
      expect((await sql('select id, name from bulk order by id')).json.rows).toEqual([
        [1, 'a'],
        [2, 'b'],
      ])
    })

    it('returns empty results for empty bulk_args', async () => {
      const r = await sqlRequest(crate, { stmt: 'insert into bulk (id, name) values (?, ?)', bulk_args: [] })
      expect(r.status).toBe(200)
      expect(r.json).toEqual({ cols: [], duration: expect.any(Number), results: [] })
    })

    it('fails the whole request for analysis errors and for statements with result sets', async () => {
      const unknownColumn = await sqlRequest(crate, { stmt: 'insert into bulk (id, nope) values (?, ?)', bulk_args: [[10, 'a']] })
      expect(unknownColumn.status).toBe(404)
      expect(unknownColumn.json.error.code).toBe(4043)
      const cast = await sqlRequest(crate, { stmt: 'insert into bulk (id, name) values (?, ?)', bulk_args: [[11, 'a'], ['abc', 'b']] })
      expect(cast.status).toBe(400)
      expect(cast.json.error).toEqual({ message: 'SQLParseException[Cannot cast value `abc` to type `integer`]', code: 4000 })
      const select = await sqlRequest(crate, { stmt: 'select * from bulk where id = ?', bulk_args: [[1]] })
      expect(select.status).toBe(400)
      expect(select.json.error).toEqual({ message: 'UnsupportedFeatureException[Bulk operations for statements that return result sets is not supported]', code: 4004 })
    })

    it('runs bulk UPDATE and DELETE with per-row counts', async () => {
      const r = await sqlRequest(crate, { stmt: 'update bulk set name = ? where id = ?', bulk_args: [['x', 1], ['y', 99]] })
      expect(r.json.results).toEqual([{ rowcount: 1 }, { rowcount: 0 }])
    })
  })

  describe('errors (http.html#http-error-handling)', () => {
    beforeAll(async () => {
      await sql('create table errs (id integer primary key, v text)')
      await sql('insert into errs (id, v) values (1, \'a\')')
    })

    it('maps each failure to CrateDB\'s exception, code and status', async () => {
      const cases: Array<[string, number, number, RegExp]> = [
        ["insert into errs (id, v) values (1, 'b')", 409, 4091, /^DuplicateKeyException\[A document with the same primary key exists already\]$/],
        ['select * from nowhere', 404, 4041, /^RelationUnknown\[Relation 'doc\.nowhere' unknown\]$/],
        ['select * from other_schema.nowhere', 404, 4045, /^SchemaUnknownException\[Schema 'other_schema' unknown\]$/],
        ['select nope from errs', 404, 4043, /^ColumnUnknownException\[Column nope unknown\]$/],
        ['selec 1', 400, 4000, /^ParsingException\[line 1:1: mismatched input 'selec'/],
        ['select * from errs where', 400, 4000, /^ParsingException\[/],
        ['select 1; select 2', 400, 4000, /^ParsingException\[line 1:11: mismatched input 'select' expecting <EOF>\]$/],
        ['create table errs (id integer)', 409, 4093, /^RelationAlreadyExists\[Relation 'doc\.errs' already exists\.\]$/],
        ['select no_such_function(1)', 400, 4004, /^UnsupportedFunctionException\[Unknown function: /],
        ["select 'abc'::integer", 400, 4000, /^SQLParseException\[Cannot cast value `abc` to type `integer`\]$/],
        ['drop table nowhere', 404, 4041, /^RelationUnknown\[Relation 'doc\.nowhere' unknown\]$/],
        ['refresh table nowhere', 404, 4041, /^RelationUnknown\[Relation 'doc\.nowhere' unknown\]$/],
        ['select ? as a, ? as b', 400, 4000, /^SQLParseException\[The query contains a parameter placeholder \$2/],
        ['create table bad ("_id" text)', 400, 4008, /^InvalidColumnNameException\["_id" conflicts with system column\]$/],
      ]
      for (const [stmt, status, code, message] of cases) {
        const r = await sql(stmt, stmt.includes('?') ? [1] : undefined)
        expect(r.status, stmt).toBe(status)
        expect(r.json.error.code, stmt).toBe(code)
        expect(r.json.error.message, stmt).toMatch(message)
        expect(Object.keys(r.json), stmt).toEqual(['error'])
      }
    })

    it('adds error_trace only when asked with ?error_trace or ?error_trace=true', async () => {
      for (const query of ['?error_trace', '?error_trace=true', '?types&error_trace=true']) {
        const r = await sql('select * from nowhere', undefined, { query })
        expect(Object.keys(r.json)).toEqual(['error', 'error_trace'])
        expect(r.json.error_trace).toMatch(/RelationUnknown/)
      }
      expect(Object.keys((await sql('select * from nowhere', undefined, { query: '?error_trace=yes' })).json)).toEqual(['error'])
    })
  })

  describe('GET / and HEAD / (MainAndStaticFileHandler)', () => {
    it('returns the version as pretty JSON for API clients and the status only for HEAD', async () => {
      const r = await http(crate.url, { headers: { accept: 'application/json' } })
      expect(r.status).toBe(200)
      expect(r.json).toMatchObject({ ok: true, status: 200, name: 'crate-local-1', cluster_name: 'crate', version: { number: '6.1.2', build_snapshot: false } })
      expect(r.text).toMatch(/^\{\n {2}"ok" : true,\n/)
      expect(r.text.endsWith('}\n')).toBe(true)
      expect((await http(crate.urls[1]!)).json.name).toBe('crate-local-2')
      const head = await http(crate.url, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.text).toBe('')
      const browser = await http(crate.url, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' } })
      expect(browser.json).toBeUndefined()
      expect((await http(`${crate.url}missing.html`)).status).toBe(404)
      expect((await http(`${crate.url}foo`, { method: 'POST', body: '' })).text).toBe('POST method is not allowed for [/foo]')
    })
  })

  describe('nodes share one store', () => {
    it('serves the same data on every node and survives a node stop and restart on the same port', async () => {
      await sql('create table shared (id integer primary key)')
      await sqlRequest(crate.urls[1]!, { stmt: 'insert into shared (id) values (1)' })
      expect((await sqlRequest(crate.urls[0]!, { stmt: 'select id from shared' })).json.rows).toEqual([[1]])
      const port = crate.nodes[1]!.port
      await crate.stopNode(1)
      const fresh = new Client(new URL(crate.urls[1]!).origin)
      await expect(request(crate.urls[1]!, { dispatcher: fresh })).rejects.toThrow(/ECONNREFUSED/)
      await fresh.close()
      expect((await sql('select count(*) as n from sys.nodes')).json.rows).toEqual([[1]])
      await sql('insert into shared (id) values (2)')
      await crate.startNode(1)
      expect(crate.nodes[1]!.port).toBe(port)
      expect((await sqlRequest(crate.urls[1]!, { stmt: 'select id from shared order by id' })).json.rows).toEqual([[1], [2]])
    })
  })

  describe('blobs (general/blobs.html)', () => {
    it('creates a blob table and serves PUT/GET/HEAD/DELETE with CrateDB\'s status codes', async () => {
      expect((await sql('create blob table images clustered into 2 shards')).json.rowcount).toBe(1)
      const data = Buffer.from('hello blob world')
      const digest = createHash('sha1').update(data).digest('hex')
      const url = `${crate.url}_blobs/images/${digest}`
      expect((await http(url, { method: 'PUT', body: data })).status).toBe(201)
      expect((await http(url, { method: 'PUT', body: data })).status).toBe(409)
      const wrong = createHash('sha1').update('other').digest('hex')
      expect((await http(`${crate.url}_blobs/images/${wrong}`, { method: 'PUT', body: data })).status).toBe(400)
      expect((await http(`${crate.url}_blobs/nope/${digest}`, { method: 'PUT', body: data })).status).toBe(404)
      const get = await http(`${crate.urls[1]!}_blobs/images/${digest}`)
      expect(get.status).toBe(200)
      expect(get.text).toBe('hello blob world')
      const range = await http(url, { headers: { range: 'bytes=6-9' } })
      expect(range.status).toBe(206)
      expect(range.text).toBe('blob')
      expect(range.headers['content-range']).toBe(`bytes 6-9/${data.length}`)
      expect((await http(url, { headers: { range: 'bytes=100-' } })).status).toBe(416)
      const head = await http(url, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers['content-length']).toBe(String(data.length))
      expect((await http(`${crate.url}_blobs/images/${'0'.repeat(40)}`, { method: 'HEAD' })).status).toBe(404)
      expect((await http(`${crate.url}_blobs/images/NOTAHEX`)).status).toBe(404)
      expect((await sql('select digest from blob.images')).json.rows).toEqual([[digest]])
      expect((await http(url, { method: 'DELETE' })).status).toBe(204)
      expect((await http(url, { method: 'DELETE' })).status).toBe(404)
      expect((await http(url)).status).toBe(404)
      expect((await sql('drop blob table images')).json.rowcount).toBe(1)
      expect((await http(url)).status).toBe(404)
    })
  })
})
