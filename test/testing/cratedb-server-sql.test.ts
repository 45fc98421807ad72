import { Client } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCrateDB, type LocalCrateDB } from '../../src/testing/cratedb/index.ts'
import { sqlRequest } from './cratedb-http.ts'

// The local CrateDB server's SQL: types and value encodings
// (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-column-types), the statements it
// implements itself,
// system columns and OCC (https://cratedb.com/docs/crate/reference/en/latest/general/occ.html), information_schema,
// sessions and cursors per connection (crate/crate `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`).

describe('local CrateDB server: SQL', () => {
  let crate: LocalCrateDB
  const sql = (stmt: string, args?: unknown[], options?: Parameters<typeof sqlRequest>[2]) =>
    sqlRequest(crate, args === undefined ? { stmt } : { stmt, args }, options)

  beforeAll(async () => {
    crate = await startCrateDB({ nodes: 2, version: '6.1.2' })
  })
  afterAll(async () => {
    await crate?.stop()
  })

  describe('types (http.html#http-column-types)', () => {
    it('types every column with CrateDB ids and encodes values like CrateDB', async () => {
      const create = await sql(`create table alltypes (
        id integer primary key, b byte, bo boolean, t text, s string, vc varchar(5), ch character(3), ip ip, d double, r real,
        sm short, i int, l long, ts timestamp with time zone, tsn timestamp without time zone, o object(dynamic) as (a int),
        g geo_point, gs geo_shape, n numeric(38, 20), dt date, bi bit(4), u uuid,
        fv float_vector(3), ints array(integer), texts text[], objs array(object), nested array(array(integer))
      ) clustered into 2 shards with (number_of_replicas = '0')`)
      expect(create.status, create.text).toBe(200)
      const insert = await sql(
        `insert into alltypes values (1, 127, true, 'text', 'string', 'abc', 'ab', '192.168.0.1', 1.5, 2.5, 3, 4, ?, ?, ?, ?, ?, ?,
          ?, '2024-02-29', B'0101', '8d0e7cde-9c1c-4c5f-9b0e-5a6d1a2b3c4d', ?, ?, ?, ?, ?)`,
        [
          '9223372036854775807',
          1700000000123,
          '2024-01-31T10:00:00.5',
          { a: 1, b: { c: 'x' } },
          [13.4, 52.5],
          { type: 'Point', coordinates: [1, 2] },
          '12345678901234567.12345678901234567891',
          [0.5, 1.5, 2.5],
          [1, 2, null],
          ['a', 'b'],
          [{ k: 1 }, { k: 2 }],
          [
            [1, 2],
            [3, 4],
          ],
        ],
      )
      expect(insert.json.rowcount, insert.text).toBe(1)
      const r = await sql('select * from alltypes')
      expect(r.json.cols).toEqual(['id', 'b', 'bo', 't', 's', 'vc', 'ch', 'ip', 'd', 'r', 'sm', 'i', 'l', 'ts', 'tsn', 'o', 'g', 'gs', 'n', 'dt', 'bi', 'u', 'fv', 'ints', 'texts', 'objs', 'nested'])
      expect(r.json.col_types).toEqual([9, 2, 3, 4, 4, 4, 27, 5, 6, 7, 8, 9, 10, 11, 15, 12, 13, 14, 22, 24, 25, 29, 28, [100, 9], [100, 4], [100, 12], [100, [100, 9]]])
      expect(r.json.rows[0]).toEqual([
        1,
        127,
        true,
        'text',
        'string',
        'abc',
        'ab ',
        '192.168.0.1',
        1.5,
        2.5,
        3,
        4,
        9223372036854775807,
        1700000000123,
        Date.UTC(2024, 0, 31, 10, 0, 0, 500),
        { a: 1, b: { c: 'x' } },
        [13.4, 52.5],
        { type: 'Point', coordinates: [1, 2] },
        12345678901234567.12345678901234567891,
        Date.UTC(2024, 1, 29),
        "B'0101'",
        '8d0e7cde-9c1c-4c5f-9b0e-5a6d1a2b3c4d',
        [0.5, 1.5, 2.5],
        [1, 2, null],
        ['a', 'b'],
        [{ k: 1 }, { k: 2 }],
        [
          [1, 2],
          [3, 4],
        ],
      ])
      // Exact digits on the wire: BIGINT 2^63-1 and NUMERIC are not rounded through a double.
      expect(r.text).toContain(',9223372036854775807,')
      expect(r.text).toContain(',12345678901234567.12345678901234567891,')
    })

    it('types INTERVAL, TIME WITH TIME ZONE and JSON values, which CrateDB has for expressions but cannot store', async () => {
      const r = await sql("select '1 year 2 mons 5 days 01:02:03'::interval as iv, '01:02:03.5+02'::time with time zone as tz, '{\"j\": 1}'::json as js, cast(? as timetz) as p", ['04:05:06+00'])
      expect(r.status, r.text).toBe(200)
      expect(r.json.col_types).toEqual([17, 20, 26, 20])
      expect(r.json.rows).toEqual([['1 year 2 mons 5 days 01:02:03', [3723500000, 7200], '{"j": 1}', [14706000000, 0]]])
    })

    it('types expressions, system types and nested arrays', async () => {
      const r = await sql(
        "select null as nothing, 'int4'::regtype as rt, 'alltypes'::regclass as rc, 'now'::regproc as rp, row(1, 'a') as rec, " +
          "[[1, 2], [3, 4]] as nested, 9223372036854775807 as big, 1.5::numeric(3,1) as num, current_timestamp as now, " +
          "{a = 1, b = [1, 2]} as obj, ['x', 'y'] as texts",
      )
      expect(r.status, r.text).toBe(200)
      expect(r.json.col_types).toEqual([0, 30, 23, 19, 18, [100, [100, 9]], 10, 22, 11, 12, [100, 4]])
      expect(r.json.rows[0][4]).toEqual(['1', 'a'])
      expect(r.json.rows[0][5]).toEqual([
        [1, 2],
        [3, 4],
      ])
      expect(Math.abs(r.json.rows[0][8] - Date.now())).toBeLessThan(60_000)
      expect(r.json.rows[0][9]).toEqual({ a: 1, b: [1, 2] })
      expect(r.text).toContain(',9223372036854775807,1.5,')
    })

    it('types casts to types PostgreSQL stands in for as CrateDB does ("char" 2, float_vector 28), a bare NULL as 0', async () => {
      const r = await sql(`select cast(65 as "char") as b, [1.5, 2.5]::float_vector(2) as v, null as n, 1::smallint as s, cast(null as text) as t`)
      expect(r.status, r.text).toBe(200)
      expect(r.json.col_types).toEqual([2, 28, 0, 8, 4])
      expect(r.json.rows).toEqual([[65, [1.5, 2.5], null, 1, null]])
    })

    it('accepts timestamps as epoch milliseconds and ISO strings, and compares them with epoch literals', async () => {
      await sql('create table times (id integer primary key, ts timestamp with time zone)')
      await sqlRequest(crate, { stmt: 'insert into times (id, ts) values (?, ?)', bulk_args: [[1, 0], [2, '2024-01-01T00:00:00Z'], [3, '2024-01-01T01:00:00+01:00']] })
      const r = await sql('select id, ts from times where ts >= 1704067200000 order by id')
      expect(r.json.rows).toEqual([
        [2, 1704067200000],
        [3, 1704067200000],
      ])
      const trunc = await sql("select date_trunc('day', ts) as day from times where id = 1")
      expect(trunc.json).toMatchObject({ col_types: [11], rows: [[0]] })
    })

    it('reads object sub-columns with subscripts and updates them in place', async () => {
      await sql('create table docs (id integer primary key, o object)')
      await sql('insert into docs (id, o) values (?, ?), (?, ?)', [1, { name: 'a', n: 1, tags: ['x'] }, 2, { name: 'b', n: 5 }])
      const byName = await sql("select o['name'], o['n'], o['tags'][1] from docs where o['name'] = ? ", ['b'])
      expect(byName.json).toMatchObject({ cols: ["o['name']", "o['n']", "o['tags'][1]"], col_types: [4, 10, 0], rows: [['b', 5, null]] })
      expect((await sql("select id from docs where o['n'] > 2")).json.rows).toEqual([[2]])
      expect((await sql("select sum(o['n']) as s, max(o['name']) as m from docs")).json.rows).toEqual([[6, 'b']])
      await sql("update docs set o['n'] = ?, o['extra'] = 'e' where id = ?", [7, 1])
      expect((await sql('select o from docs where id = 1')).json.rows).toEqual([[{ name: 'a', n: 7, tags: ['x'], extra: 'e' }]])
    })

    it('compares object sub-columns with parameters by the bound value\'s type (numbers, booleans, strings)', async () => {
      await sql('create table zips (id integer primary key, o object)')
      await sql('insert into zips (id, o) values (?, ?), (?, ?), (?, ?)', [1, { z: 10115, ok: true, s: 'b' }, 2, { z: 1010, ok: false, s: 'a' }, 3, { z: 900, s: 'c' }])
      const ids = async (stmt: string, args: unknown[]) => (await sql(stmt, args)).json.rows.map((r: unknown[]) => r[0])
      expect(await ids("select id from zips where o['z'] > ? order by id", [5000])).toEqual([1])
      expect(await ids("select id from zips where ? < o['z'] order by id", [5000])).toEqual([1])
      expect(await ids("select id from zips where o['z'] <= ? order by id", [1010])).toEqual([2, 3])
      expect(await ids("select id from zips where o['z'] >= ? order by id", [1010.5])).toEqual([1])
      expect(await ids("select id from zips where o['z'] = ? order by id", [1010])).toEqual([2])
      expect(await ids("select id from zips where o['z'] <> ? order by id", [1010])).toEqual([1, 3])
      expect(await ids("select id from zips where o['z'] in (?, ?) order by id", [900, 10115])).toEqual([1, 3])
      expect(await ids("select id from zips where o['z'] between ? and ? order by id", [950, 20000])).toEqual([1, 2])
      expect(await ids("select id from zips where o['ok'] = ? order by id", [true])).toEqual([1])
      expect(await ids("select id from zips where o['s'] > ? order by id", ['a'])).toEqual([1, 3])
      expect(await ids("select id from zips where o['z'] > ? order by id", ['5000'])).toEqual([3]) // text: '900' > '5000'
      const bulk = await sqlRequest(crate, { stmt: "update zips set o['hit'] = true where o['z'] < ?", bulk_args: [[1000], [2000]] })
      expect(bulk.json.results).toEqual([{ rowcount: 1 }, { rowcount: 2 }])
    })

    it('computes distance() between geo points in meters (haversine)', async () => {
      await sql('create table places (id integer primary key, loc geo_point)')
      await sql('insert into places (id, loc) values (?, ?), (?, ?)', [1, [13.4, 52.5], 2, 'POINT (2.35 48.86)'])
      const r = await sql("select id, loc, distance(loc, 'POINT(13.4 52.5)') as d from places order by id")
      expect(r.json.col_types).toEqual([9, 13, 6])
      expect(r.json.rows[0]).toEqual([1, [13.4, 52.5], 0])
      expect(r.json.rows[1][1]).toEqual([2.35, 48.86])
      expect(r.json.rows[1][2]).toBeGreaterThan(870_000)
      expect(r.json.rows[1][2]).toBeLessThan(890_000)
    })
  })

  describe('statements the server implements', () => {
    it('accepts BEGIN/START TRANSACTION/COMMIT/END as no-ops and rejects ROLLBACK with a syntax error', async () => {
      for (const stmt of ['BEGIN', 'START TRANSACTION', 'COMMIT', 'END', 'begin work']) {
        expect((await sql(stmt)).json, stmt).toMatchObject({ cols: [], rows: [[]], rowcount: 0 })
      }
      const rollback = await sql('ROLLBACK')
      expect(rollback.status).toBe(400)
      expect(rollback.json.error.code).toBe(4000)
      expect(rollback.json.error.message).toMatch(/^ParsingException\[line 1:1: mismatched input 'ROLLBACK'/)
    })

    it('refreshes tables (rowcount = number of tables)', async () => {
      await sql('create table r1 (id integer)')
      await sql('create table r2 (id integer)')
      expect((await sql('refresh table r1, doc.r2')).json.rowcount).toBe(2)
      expect((await sql('refresh table r1')).json.rowcount).toBe(1)
    })

    it('accepts KILL ALL and KILL with a job id', async () => {
      expect((await sql('KILL ALL')).json).toMatchObject({ rows: [[]], rowcount: 0 })
      expect((await sql("KILL '2a6d4f3e-0000-4000-8000-000000000000'")).json.rowcount).toBe(0)
    })

    it('fails statements still waiting for the engine with 500/5005 when KILL ALL arrives', async () => {
      let release!: () => void
      const busy = crate.store.run(undefined, () => new Promise<void>((resolve) => (release = resolve)))
      const waiting = sql('select 1 as x')
      await new Promise((resolve) => setTimeout(resolve, 50))
      const kill = await sql('KILL ALL')
      expect(kill.json.rowcount).toBe(1)
      release()
      await busy
      const killed = await waiting
      expect(killed.status).toBe(500)
      expect(killed.json.error).toEqual({ message: 'JobKilledException[Job killed. KILL statement executed]', code: 5005 })
      expect((await sql('select 1 as x')).json.rows).toEqual([[1]])
    })

    it('hides system columns from * but serves _id, _seq_no, _primary_term and _version on request', async () => {
      await sql('create table sys_cols (id text primary key, v integer)')
      await sql("insert into sys_cols values ('k', 1)")
      const star = await sql('select * from sys_cols')
      expect(star.json.cols).toEqual(['id', 'v'])
      const system = await sql('select _id, _seq_no, _primary_term, _version from sys_cols')
      expect(system.json.col_types).toEqual([4, 10, 10, 10])
      expect(system.json.rows[0][0]).toBe('k')
      expect(system.json.rows[0][2]).toBe(1)
      expect(system.json.rows[0][3]).toBe(1)
      await sql('alter table sys_cols add column w text')
      await sql("insert into sys_cols values ('k2', 2, 'w')")
      expect((await sql("select * from sys_cols where id = 'k2'")).json).toMatchObject({ cols: ['id', 'v', 'w'], rows: [['k2', 2, 'w']] })
    })

    it('expands * to user columns everywhere, so copies and views never carry system columns', async () => {
      await sql('create table src (k integer, d timestamp with time zone, v text, primary key (k, d))')
      await sql("insert into src values (1, 0, 'a'), (2, 86400000, 'b')")
      await sql('create table nokey (k integer, d timestamp with time zone, v text)')
      const copied = await sql('insert into nokey (select * from src)')
      expect(copied.json.rowcount).toBe(2)
      const ids = await sql('select _id, *, src._id from src order by k')
      expect(ids.json.cols).toEqual(['_id', 'k', 'd', 'v', '_id'])
      expect(ids.json.rows[0]).toEqual(['[1, "1970-01-01T00:00:00+00:00"]', 1, 0, 'a', '[1, "1970-01-01T00:00:00+00:00"]'])
      const random = (await sql('select _id from nokey')).json.rows.flat()
      expect(random).toHaveLength(2)
      expect(random[0]).toMatch(/^[A-Za-z0-9_-]{20}$/)
      const joined = await sql('select a.*, b.v as bv from src a join nokey b on a.k = b.k where a.k = 1')
      expect(joined.json).toMatchObject({ cols: ['k', 'd', 'v', 'bv'], rows: [[1, 0, 'a', 'a']] })
      await sql('create view src_view as select * from src')
      expect((await sql('select * from src_view order by k')).json.cols).toEqual(['k', 'd', 'v'])
      const ctas = await sql('create table src_copy as select * from src')
      expect(ctas.json.rowcount).toBe(2)
      const copy = await sql('select *, _seq_no from src_copy order by k')
      expect(copy.json.cols).toEqual(['k', 'd', 'v', '_seq_no'])
      expect(copy.json.rows.map((r: unknown[]) => typeof r[3])).toEqual(['number', 'number'])
    })

    it('applies optimistic concurrency: an UPDATE with a stale _seq_no changes nothing (general/occ.html)', async () => {
      await sql('create table occ (id integer primary key, v text)')
      await sql("insert into occ (id, v) values (1, 'a')")
      const [[seq, term]] = (await sql('select _seq_no, _primary_term from occ where id = 1')).json.rows
      const first = await sql('update occ set v = ? where id = ? and "_seq_no" = ? and "_primary_term" = ?', ['b', 1, seq, term])
      expect(first.json.rowcount).toBe(1)
      const stale = await sql('update occ set v = ? where id = ? and "_seq_no" = ? and "_primary_term" = ?', ['c', 1, seq, term])
      expect(stale.json).toMatchObject({ rows: [[]], rowcount: 0 })
      const [[v, newSeq]] = (await sql('select v, _seq_no from occ where id = 1')).json.rows
      expect(v).toBe('b')
      expect(newSeq).toBeGreaterThan(seq)
    })

    it('rejects optimistic-concurrency misuse like CrateDB: VersioningValidationException (400/4000, general/occ.html)', async () => {
      await sql('create table occ2 (a integer, b text, v text, primary key (a, b))')
      await sql("insert into occ2 (a, b, v) values (1, 'x', 'old')")
      const [[seq, term]] = (await sql("select _seq_no, _primary_term from occ2 where a = 1 and b = 'x'")).json.rows
      const message =
        'VersioningValidationException["_seq_no" and "_primary_term" columns can only be used together in the WHERE clause with equals comparisons and if there are also equals comparisons on primary key columns]'
      for (const [stmt, args] of [
        ['update occ2 set v = ? where a = ? and "_seq_no" = ? and "_primary_term" = ?', ['n', 1, seq, term]],
        ['update occ2 set v = ? where a = ? and b = ? and "_seq_no" = ?', ['n', 1, 'x', seq]],
        ['update occ2 set v = ? where a = ? and b = ? and "_seq_no" >= ? and "_primary_term" = ?', ['n', 1, 'x', seq, term]],
        ["update occ2 set v = ? where a = ? and b = ? and v = 'old' and \"_seq_no\" = ? and \"_primary_term\" = ?", ['n', 1, 'x', seq, term]],
        ['delete from occ2 where a = ? and b = ? and ("_seq_no" = ? or "_primary_term" = ?)', [1, 'x', seq, term]],
      ] as const) {
        const reply = await sql(stmt, [...args])
        expect([reply.status, reply.json.error], stmt).toEqual([400, { message, code: 4000 }])
      }
      expect((await sql("select v, _seq_no from occ2 where a = 1 and b = 'x'")).json.rows).toEqual([['old', seq]])
      const ok = await sql('update occ2 set v = ? where b = ? and a = ? and "_seq_no" = ? and "_primary_term" = ?', ['new', 'x', 1, seq, term])
      expect(ok.json.rowcount).toBe(1)
      const stale = await sql('delete from occ2 where a = ? and b = ? and "_seq_no" = ? and "_primary_term" = ?', [1, 'x', seq, term])
      expect(stale.json.rowcount).toBe(0)
    })

    it('refuses to write system columns: INSERT 400/4008, UPDATE and ON CONFLICT … DO UPDATE 400/4003 (general/ddl/system-columns.html)', async () => {
      await sql('create table sysw (id integer primary key, v text)')
      await sql("insert into sysw (id, v) values (1, 'a')")
      const [[seq, version]] = (await sql('select _seq_no, _version from sysw where id = 1')).json.rows
      for (const [stmt, code, message] of [
        ["insert into sysw (id, v, _seq_no) values (2, 'b', 7)", 4008, 'InvalidColumnNameException["_seq_no" Cannot write to system column]'],
        ["insert into sysw (id, \"_id\") values (2, 'k')", 4008, 'InvalidColumnNameException["_id" Cannot write to system column]'],
        ['update sysw set _version = 9 where id = 1', 4003, 'ColumnValidationException[Validation failed for _version: Updating a system column is not supported]'],
        ['update sysw set v = ?, "_primary_term" = 5', 4003, 'ColumnValidationException[Validation failed for _primary_term: Updating a system column is not supported]'],
        ["insert into sysw (id, v) values (1, 'c') on conflict (id) do update set _seq_no = 1", 4003, 'ColumnValidationException[Validation failed for _seq_no: Updating a system column is not supported]'],
      ] as const) {
        const reply = await sql(stmt, stmt.includes('?') ? ['x'] : undefined)
        expect([reply.status, reply.json.error], stmt).toEqual([400, { message, code }])
      }
      expect((await sql('select id, v, _seq_no, _version from sysw order by id')).json.rows).toEqual([[1, 'a', seq, version]])
    })

    it('refuses column types CrateDB cannot store (400/4004), also through CREATE TABLE AS and ADD COLUMN', async () => {
      for (const [stmt, type] of [
        ['create table nostore (id integer, t time with time zone)', 'time with time zone'],
        ['create table nostore (id integer, iv interval)', 'interval'],
        ['create table nostore (id integer, j json)', 'json'],
        ['create table nostore (id integer, o object as (iv array(interval)))', 'interval_array'],
        ["create table nostore as select 1 as id, '1 day'::interval as iv", 'interval'],
        ["create table nostore as select 1 as id, '01:02+01'::timetz as t", 'time with time zone'],
      ] as const) {
        const reply = await sql(stmt)
        expect([reply.status, reply.json.error], stmt).toEqual([400, { message: `UnsupportedFeatureException[Type \`${type}\` does not support storage]`, code: 4004 }])
        expect((await sql('select * from nostore')).status, stmt).toBe(404)
      }
      const bare = await sql('create table nostore (id integer, t time)')
      expect([bare.status, bare.json.error]).toEqual([400, { message: 'SQLParseException[Cannot find data type: time]', code: 4000 }])
      await sql('create table store (id integer)')
      expect((await sql('alter table store add column iv interval')).json.error.code).toBe(4004)
      expect((await sql('select column_name from information_schema.columns where table_name = ?', ['store'])).json.rows).toEqual([['id']])
    })

    it('rejects PostgreSQL-only syntax with CrateDB\'s ParsingException (400/4000), and accepts CrateDB\'s set operations', async () => {
      await sql('create table pgonly (id integer primary key, v text)')
      await sql("insert into pgonly (id, v) values (1, 'a'), (2, 'b')")
      for (const stmt of [
        'select * from pgonly for update',
        'select * from pgonly where id = 1 for share',
        'select distinct on (v) id, v from pgonly',
        'select * from pgonly p, lateral (select p.id) x',
        'with recursive r (n) as (select 1) select n from r',
        '(select id from pgonly) union (select 3)',
        'select id from pgonly intersect all select 1',
        'select id from pgonly except all select 1',
        'insert into pgonly default values',
        'insert into pgonly as p (id, v) values (3, \'c\')',
        "insert into pgonly (id, v) values (1, 'c') on conflict on constraint pgonly_pkey do nothing",
      ]) {
        const reply = await sql(stmt)
        expect([reply.status, reply.json.error?.code], stmt).toEqual([400, 4000])
        expect(reply.json.error.message, stmt).toMatch(/^ParsingException\[line 1:\d+: mismatched input '/)
      }
      const union = await sql('select id from pgonly union all select 3 union distinct select 1 order by 1')
      expect(union.json.rows).toEqual([[1], [2], [3]])
      expect((await sql('select id from pgonly intersect select 2')).json.rows).toEqual([[2]])
      expect((await sql('select id from pgonly except select 2')).json.rows).toEqual([[1]])
      expect((await sql("select 'for update' as s, \"lateral\" from (select 1 as \"lateral\") x where 'a' <> '(select 1) union (select 2)'")).json.rows).toEqual([['for update', 1]])
      expect((await sql('select id, v from pgonly order by id')).json.rows).toEqual([[1, 'a'], [2, 'b']])
    })

    it('serves information_schema and sys tables with CrateDB values', async () => {
      await sql('create table meta.info (id bigint primary key, name text not null, o object, g geo_point, tags array(text)) partitioned by (id)')
      const columns = await sql("select column_name, data_type, is_nullable, ordinal_position from information_schema.columns where table_schema = 'meta' and table_name = 'info' order by ordinal_position")
      expect(columns.json.rows).toEqual([
        ['id', 'bigint', 'NO', 1],
        ['name', 'text', 'NO', 2],
        ['o', 'object', 'YES', 3],
        ['g', 'geo_point', 'YES', 4],
        ['tags', 'text_array', 'YES', 5],
      ])
      const tables = await sql("select table_schema, table_name, table_type, partitioned_by from information_schema.tables where table_name = 'info'")
      expect(tables.json.rows).toEqual([['meta', 'info', 'BASE TABLE', ['id']]])
      const pk = await sql("select constraint_name, column_name, ordinal_position from information_schema.key_column_usage where table_schema = 'meta' and table_name = 'info'")
      expect(pk.json.rows).toEqual([['info_pkey', 'id', 1]])
      const schemata = (await sql('select schema_name from information_schema.schemata order by schema_name')).json.rows.flat()
      expect(schemata).toEqual(expect.arrayContaining(['blob', 'doc', 'information_schema', 'meta', 'pg_catalog', 'sys']))
      expect(schemata).not.toContain('crate_sys')
      expect(schemata).not.toContain('public')
      const version = await sql("select version['number'] from sys.nodes limit 1")
      expect(version.json).toMatchObject({ cols: ["version['number']"], rows: [['6.1.2']] })
      expect((await sql('select count(*) as n from sys.nodes')).json.rows).toEqual([[2]])
      expect((await sql('select name from sys.cluster')).json.rows).toEqual([['crate']])
      expect((await sql('select stmt from sys.jobs')).json.rows).toEqual([['select stmt from sys.jobs']])
    })

    it('generates text ids with gen_random_text_uuid() defaults', async () => {
      await sql('create table gen (id text primary key default gen_random_text_uuid(), v integer)')
      await sql('insert into gen (v) values (1), (2)')
      const ids = (await sql('select id from gen')).json.rows.flat()
      expect(ids).toHaveLength(2)
      expect(new Set(ids).size).toBe(2)
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/)
    })
  })

  describe('sessions per connection (SqlHttpHandler)', () => {
    it('reads Default-Schema when a connection\'s session is created and keeps it for that connection', async () => {
      await sql('create table alpha.who (name text)')
      await sql("insert into alpha.who values ('alpha')")
      await sql('create table beta.who (name text)')
      await sql("insert into beta.who values ('beta')")
      const first = new Client(new URL(crate.url).origin)
      const second = new Client(new URL(crate.url).origin)
      try {
        const a = await sql('select name from who', undefined, { dispatcher: first, headers: { 'Default-Schema': 'alpha' } })
        expect(a.json.rows).toEqual([['alpha']])
        // same keep-alive socket: the session keeps schema alpha even though the header changed
        const again = await sql('select name from who', undefined, { dispatcher: first, headers: { 'Default-Schema': 'beta' } })
        expect(again.json.rows).toEqual([['alpha']])
        // a new socket gets a new session that reads the new header
        const b = await sql('select name from who', undefined, { dispatcher: second, headers: { 'Default-Schema': 'beta' } })
        expect(b.json.rows).toEqual([['beta']])
        // without a header a new session uses doc
        const doc = await sql('select name from who')
        expect(doc.json.error.message).toBe("RelationUnknown[Relation 'doc.who' unknown]")
      } finally {
        await first.close()
        await second.close()
      }
    })

    it('keeps SET search_path per connection', async () => {
      const client = new Client(new URL(crate.url).origin)
      try {
        expect((await sql('set search_path to beta', undefined, { dispatcher: client })).json.rowcount).toBe(0)
        expect((await sql('select name from who', undefined, { dispatcher: client })).json.rows).toEqual([['beta']])
        expect((await sql('show search_path', undefined, { dispatcher: client })).json.rows).toEqual([['pg_catalog, beta']])
        expect((await sql('select name from who')).status).toBe(404)
      } finally {
        await client.close()
      }
    })

    it('serves cursors on one connection: DECLARE … WITH HOLD, FETCH n/NEXT/ALL, CLOSE', async () => {
      await sql('create table numbers (n integer)')
      await sqlRequest(crate, { stmt: 'insert into numbers (n) values (?)', bulk_args: Array.from({ length: 10 }, (_, i) => [i + 1]) })
      const client = new Client(new URL(crate.url).origin)
      const on = (stmt: string) => sql(stmt, undefined, { dispatcher: client })
      try {
        expect((await on('BEGIN')).json.rowcount).toBe(0)
        expect((await on('DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT n FROM numbers ORDER BY n')).json).toMatchObject({ rows: [[]], rowcount: 0 })
        expect((await on('FETCH 3 FROM c')).json).toMatchObject({ cols: ['n'], col_types: [9], rows: [[1], [2], [3]], rowcount: 3 })
        expect((await on('FETCH NEXT FROM c')).json.rows).toEqual([[4]])
        expect((await on('COMMIT')).json.rowcount).toBe(0)
        expect((await on('FETCH ALL FROM c')).json.rows).toEqual([[5], [6], [7], [8], [9], [10]])
        expect((await on('FETCH NEXT FROM c')).json).toMatchObject({ rows: [], rowcount: 0 })
        const backward = await on('FETCH BACKWARD 1 FROM c')
        expect(backward.status).toBe(400)
        expect(backward.json.error.message).toBe('SQLParseException[Cannot move backward if cursor was created with NO SCROLL]')
        // another connection does not see this session's cursor
        expect((await sql('FETCH NEXT FROM c')).json.error).toEqual({ message: 'SQLParseException[No cursor named `c` available]', code: 4000 })
        expect((await on('CLOSE c')).json.rowcount).toBe(0)
        expect((await on('FETCH NEXT FROM c')).status).toBe(400)
        const withoutHold = await on('DECLARE d CURSOR FOR SELECT 1')
        expect(withoutHold.json.error).toEqual({ message: 'UnsupportedFeatureException[DECLARE CURSOR can only be used in transaction blocks]', code: 4004 })
        await on('BEGIN')
        await on('DECLARE s SCROLL CURSOR WITHOUT HOLD FOR SELECT n FROM numbers ORDER BY n')
        expect((await on('FETCH ALL FROM s')).json.rowcount).toBe(10)
        expect((await on('FETCH BACKWARD 2 FROM s')).json.rows).toEqual([[10], [9]])
        await on('COMMIT')
        expect((await on('FETCH NEXT FROM s')).status).toBe(400)
      } finally {
        await client.close()
      }
    })
  })

})
