import { describe, expect, it } from 'vitest'
import { colTypeOfCrateType, colTypeOfOid, encodePgValue, epochMillis } from '../../src/testing/cratedb/result-encoding.ts'
import { CrateError } from '../../src/testing/cratedb/crate-error.ts'
import { encodeParam, guessParamTypes } from '../../src/testing/cratedb/param-encoding.ts'
import { JsonNumber, parseLosslessJson, stringifyLosslessJson } from '../../src/testing/cratedb/lossless-json.ts'
import { parseCrateType } from '../../src/testing/cratedb/crate-types.ts'
import { tokenize } from '../../src/testing/cratedb/sql-tokenizer.ts'
import { translateStatement, type CrateStatement, type SqlStatement } from '../../src/testing/cratedb/statement-translator.ts'
import { parsePgArray } from '../../src/testing/cratedb/pg-array-text.ts'
import { bindArgTypes } from '../../src/testing/cratedb/arg-typed-sql.ts'
import { createTableScript } from '../../src/testing/cratedb/create-table-script.ts'

// Unit tests of the CrateDB → PostgreSQL translation and the value codecs of the local CrateDB server. No server:
// the server suite (cratedb-server.test.ts) runs the translated statements on PGlite.

function sqlOf(statement: CrateStatement): SqlStatement {
  if (statement.kind !== 'sql') throw new Error(`expected an SQL statement, got ${statement.kind}`)
  return statement
}

const pg = (sql: string, options?: Parameters<typeof translateStatement>[1]): string => sqlOf(translateStatement(sql, options)).sql

function crateError(fn: () => unknown): CrateError {
  try {
    fn()
  } catch (error) {
    if (error instanceof CrateError) return error
    throw error
  }
  throw new Error('expected a CrateError')
}

describe('tokenizer', () => {
  it('keeps strings, quoted identifiers, comments and prefixed literals intact', () => {
    const sql = `select 'it''s ? [x]', "we""ird", E'a\\'b', B'0101' -- comment ?\n from t /* ? */ where x=-1`
    expect(tokenize(sql).map((t) => t.text).join('')).toBe(sql)
    const significant = tokenize(sql).filter((t) => t.type !== 'space' && t.type !== 'comment')
    expect(significant.map((t) => t.type)).toEqual(['ident', 'string', 'punct', 'qident', 'punct', 'string', 'punct', 'string', 'ident', 'ident', 'ident', 'ident', 'op', 'op', 'number'])
  })

  it('rejects unterminated literals with a ParsingException (400/4000)', () => {
    const error = crateError(() => translateStatement("select 'abc"))
    expect(error.code).toBe(4000)
    expect(error.crateMessage).toMatch(/^ParsingException\[line 1:8: unterminated string literal\]$/)
  })
})

describe('placeholders', () => {
  it('numbers ? placeholders left to right and never inside literals', () => {
    const statement = sqlOf(translateStatement("select '?' as q, ? as a, x from t where y = ? and z = '?'"))
    expect(statement.sql).toBe("select '?' as q , $1 as a , x from t where y = $2 and z = '?'")
    expect(statement.paramCount).toBe(2)
  })

  it('keeps $n placeholders and counts the highest', () => {
    expect(sqlOf(translateStatement('select $2, $1')).paramCount).toBe(2)
  })
})

describe('CrateDB expression syntax', () => {
  it('turns array literals into ARRAY[…] and object literals into jsonb_build_object', () => {
    expect(pg("insert into t (a, b) values ([1, 2], {a = 1, b = 'x', c = {d = ?}})")).toBe(
      "insert into t ( a , b ) values ( ARRAY[1, 2] , jsonb_build_object('a', 1, 'b', 'x', 'c', jsonb_build_object('d', $1)) )",
    )
    expect(pg('select [] as e, {} as o')).toBe("select '{}' as e , '{}'::jsonb as o")
    expect(pg('select ARRAY[1, 2] as a')).toBe('select ARRAY[1, 2] as a')
  })

  it('turns object subscripts into jsonb access typed by how they are used', () => {
    expect(pg("select o['a']['b'] from t")).toBe("select (o -> 'a' -> 'b') from t")
    expect(pg("select * from t where o['name'] = ?")).toBe("select * from t where (o ->> 'name') = $1")
    expect(pg("select * from t where 'x' = o['name']")).toBe("select * from t where 'x' = (o ->> 'name')")
    expect(pg("select * from t where o['n'] > 5")).toBe("select * from t where (o ->> 'n')::numeric > 5")
    expect(pg("select * from t where o['n'] between 1 and 2")).toBe("select * from t where (o ->> 'n')::numeric between 1 and 2")
    expect(pg("select * from t where o['flag'] = true")).toBe("select * from t where (o ->> 'flag')::boolean = true")
    expect(pg("select * from t where o['x'] is not null")).toBe("select * from t where (o ->> 'x') is not null")
    expect(pg("select o['n'] + 1, o['s'] || 'x' from t")).toBe("select (o ->> 'n')::numeric + 1 , (o ->> 's') || 'x' from t")
    expect(pg("select * from t where o['k'] in ('a', 'b')")).toBe("select * from t where (o ->> 'k') in ( 'a' , 'b' )")
  })

  it('types object sub-columns compared with parameters by the bound values (=, <>, <, >, <=, >=, IN, BETWEEN)', () => {
    const typed = (sql: string, ...rows: unknown[][]): string =>
      bindArgTypes(sqlOf(translateStatement(sql, { argTypedSubscripts: true })).sql, rows.map((r) => parseLosslessJson(JSON.stringify(r)) as never))
    expect(typed("select id from t where o['z'] > ?", [5000])).toBe("select id from t where (o ->> 'z')::numeric > $1")
    expect(typed("select id from t where o['z'] > ?", ['5000'])).toBe("select id from t where (o ->> 'z') > $1")
    expect(typed("select id from t where o['f'] = ?", [true])).toBe("select id from t where (o ->> 'f')::boolean = $1")
    expect(typed("select id from t where o['z'] = ?", [null])).toBe("select id from t where (o ->> 'z') = $1")
    for (const op of ['=', '<>', '!=', '<', '>', '<=', '>=']) {
      expect(typed(`select id from t where o['z'] ${op} ?`, [1])).toBe(`select id from t where (o ->> 'z')::numeric ${op} $1`)
    }
    expect(typed("select id from t where a = ? and ? < o['z']", ['x', 2])).toBe("select id from t where a = $1 and $2 < (o ->> 'z')::numeric")
    expect(typed("select id from t where o['z'] in (?, ?) and o['s'] not in (?)", [null, 3, 'a'])).toBe(
      "select id from t where (o ->> 'z')::numeric in ( $1 , $2 ) and (o ->> 's') not in ( $3 )",
    )
    expect(typed("select id from t where o['z'] not between ? and ? and o['b'] = $4", [1, 2, 'x', false])).toBe(
      "select id from t where (o ->> 'z')::numeric not between $1 and $2 and (o ->> 'b')::boolean = $4",
    )
    expect(typed("select id from t where o['a'][?] = ?", [2, 7.5])).toBe("select id from t where (o -> 'a' ->> (($1) - 1))::numeric = $2")
    expect(typed("select id from t where o['s'] like ? or o['s'] ~ ?", ['a%', 'b'])).toBe("select id from t where (o ->> 's') like $1 or (o ->> 's') ~ $2")
    // bulk requests type by the first row with a value
    expect(typed("update t set v = 1 where o['z'] >= ?", [null], [12], ['x'])).toBe("update t set v = 1 where (o ->> 'z')::numeric >= $1")
    // without argTypedSubscripts (the translation on its own) such sub-columns stay text
    expect(pg("select id from t where o['z'] between ? and ?")).toBe("select id from t where (o ->> 'z') between $1 and $2")
    const declare = translateStatement("declare c cursor with hold for select id from t where o['z'] > ?")
    expect(declare.kind === 'declare' && declare.query.sql).toBe("select id from t where (o ->> 'z') > $1")
  })

  it('keeps array subscripts 1-based and makes subscripts inside objects 0-based', () => {
    expect(pg("select tags[1], o['list'][1], t.o['a'] from t")).toBe("select tags[1] , (o -> 'list' -> 0) , (t.o -> 'a') from t")
  })

  it('maps type names in casts', () => {
    expect(pg('select cast(x as string), y::long, try_cast(z as double), w::array(integer), v::timestamp with time zone, u::geo_point from t')).toBe(
      'select CAST(x AS text) , y::bigint , CAST(z AS double precision) , w::integer[] , v::timestamp with time zone , u::double precision[] from t',
    )
  })

  it('rewrites information_schema to the CrateDB-compatible views', () => {
    expect(pg("select table_name from information_schema.tables where table_schema = 'doc'")).toBe(
      "select table_name from crate_info.tables where table_schema = 'doc'",
    )
    expect(pg('select 1 as information_schema')).toBe('select 1 as information_schema')
  })

  it('records the system columns a statement names', () => {
    expect([...sqlOf(translateStatement('select _id, "_seq_no" from t where _primary_term = 1')).systemColumns].sort()).toEqual(['_id', '_primary_term', '_seq_no'])
    expect(sqlOf(translateStatement('select * from t')).systemColumns.size).toBe(0)
  })

  it('names unnamed SELECT items like CrateDB', () => {
    // Aliased items are named by PostgreSQL (the alias); CrateDB puts binary operations in parentheses.
    expect(sqlOf(translateStatement("select o['a']['b'], count(*), 1 + 2, x as y, z w from t")).outputNames).toEqual(["o['a']['b']", 'count(*)', '(1 + 2)', undefined, undefined])
    expect(sqlOf(translateStatement('select *, 1 from t')).outputNames).toBeUndefined()
  })
})

describe('* expansion (hides system columns)', () => {
  const columnsOf = (t: { schema: string; name: string }) => (t.name === 't' ? ['id', 'name'] : t.name === 'u' ? ['id', 'v'] : undefined)
  it('expands * and alias.* over plain tables, in subqueries and INSERT … SELECT', () => {
    expect(pg('select * from t', { columnsOf })).toBe('select "id" , "name" from t')
    expect(pg('select x.*, 1 as one from doc.t as x where x.id = 1', { columnsOf })).toBe('select "x"."id" , "x"."name" , 1 as one from doc.t as x where x.id = 1')
    expect(pg('select * from t join u on t.id = u.id', { columnsOf })).toBe('select "t"."id" , "t"."name" , "u"."id" , "u"."v" from t join u on t.id = u.id')
    expect(pg('insert into u (select * from u)', { columnsOf })).toBe('insert into u ("id", "v") ( select "id" , "v" from u )')
    expect(pg('select count(*) from (select * from t) s', { columnsOf })).toBe('select count( * ) from ( select "id" , "name" from t ) s')
  })

  it('leaves * alone where it cannot see the columns', () => {
    expect(pg('select * from unknown_table', { columnsOf })).toBe('select * from unknown_table')
    expect(pg('select * from t join u using (id)', { columnsOf })).toBe('select * from t join u using ( id )')
    expect(pg('select * from generate_series(1, 3)', { columnsOf })).toBe('select * from generate_series( 1 , 3 )')
  })
})

describe('DML', () => {
  it('gives INSERT without a column list the table\'s user columns', () => {
    expect(pg("insert into t values (1, 'a')", { columnsOf: () => ['id', 'name'] })).toBe(`insert into t ("id", "name") values ( 1 , 'a' )`)
    expect(pg('insert into t (id) values (1)', { columnsOf: () => ['id', 'name'] })).toBe('insert into t ( id ) values ( 1 )')
  })

  it('rewrites UPDATE … SET obj[\'k\'] = v with jsonb_set, merging assignments to one column', () => {
    expect(pg("update t set o['a'] = ?, o['b']['c'] = 'x', name = ? where id = ?")).toBe(
      `update t set name = $2, "o" = jsonb_set(jsonb_set(coalesce("o", '{}'::jsonb), '{"a"}', ($1)::jsonb, true), '{"b","c"}', to_jsonb('x'::text), true) where id = $3`,
    )
  })

  it('passes ON CONFLICT … DO UPDATE SET c = excluded.c and LIMIT ALL through', () => {
    expect(pg('insert into t (id, v) values (?, ?) on conflict (id) do update set v = excluded.v')).toBe(
      'insert into t ( id , v ) values ( $1 , $2 ) on conflict ( id ) do update set v = excluded.v',
    )
    expect(pg('select * from t limit all offset 2')).toBe('select * from t limit all offset 2')
  })

  it('rejects what CrateDB\'s grammar rejects: DELETE … RETURNING, DELETE … USING, UPDATE … FROM, ROLLBACK, two statements', () => {
    for (const [sql, token] of [
      ['delete from t where id = 1 returning id', 'returning'],
      ['delete from t using u where t.id = u.id', 'using'],
      ['update t set a = 1 from u', 'from'],
      ['ROLLBACK', 'ROLLBACK'],
      ['select 1; select 2', 'select'],
    ] as const) {
      const error = crateError(() => translateStatement(sql))
      expect(error.status, sql).toBe(400)
      expect(error.code, sql).toBe(4000)
      expect(error.crateMessage, sql).toContain(`mismatched input '${token}'`)
    }
    expect(translateStatement('select 1;').kind).toBe('sql')
  })

  it('rejects a WHERE clause in ON CONFLICT like CrateDB\'s grammar (400/4000)', () => {
    for (const [sql, expecting] of [
      ['insert into t (id, v) values (?, ?) on conflict (id) do update set v = excluded.v where t.v < excluded.v', "{<EOF>, ';'}"],
      ['insert into t (id, v) values (1, 2) on conflict (id) where v > 0 do nothing', "'DO'"],
      ['insert into t (id, v) select id, v from u where v > 0 on conflict (id) do update set v = excluded.v where v > 1', "{<EOF>, ';'}"],
      ['insert into t (id, v) values (1, 2) on conflict (id) do update set v = abs(excluded.v) where v > 1', "{<EOF>, ';'}"],
    ] as const) {
      const error = crateError(() => translateStatement(sql))
      expect([error.status, error.code], sql).toEqual([400, 4000])
      expect(error.crateMessage, sql).toMatch(new RegExp(`^ParsingException\\[line 1:\\d+: mismatched input 'where' expecting ${expecting.replace(/[{}()|[\]\\^$*+?.]/g, '\\$&')}\\]$`))
    }
    expect(pg('insert into t (id, v) select id, v from u where v > 0 on conflict (id) do update set v = excluded.v')).toContain('on conflict ( id ) do update set v = excluded.v')
    expect(pg('insert into t (id, v) values (1, 2) on conflict do nothing')).toContain('on conflict do nothing')
  })

  it('rejects optimistic-concurrency misuse in UPDATE and DELETE with VersioningValidationException (400/4000)', () => {
    const keys: Record<string, string[]> = { t: ['id'], c: ['a', 'b'], n: [] }
    const options = { primaryKeyOf: (table: { name: string }) => keys[table.name] }
    const seqNoMessage =
      'VersioningValidationException["_seq_no" and "_primary_term" columns can only be used together in the WHERE clause with equals comparisons and if there are also equals comparisons on primary key columns]'
    for (const sql of [
      'update t set v = 1 where id = ? and "_seq_no" = ?',
      'update t set v = 1 where id = ? and _primary_term = ?',
      'update t set v = 1 where "_seq_no" = ? and "_primary_term" = ?',
      'update t set v = 1 where id = ? and "_seq_no" > ? and "_primary_term" = ?',
      'update t set v = 1 where id = ? and "_seq_no" = ? and "_primary_term" = ? and v = 0',
      'update t set v = 1 where (id = ? or id = 2) and "_seq_no" = ? and "_primary_term" = ?',
      'update t set v = 1 where id = ? and "_seq_no" = ? or "_primary_term" = ?',
      'update t set v = 1 where id in (?) and "_seq_no" = ? and "_primary_term" = ?',
      'update c set v = 1 where a = ? and "_seq_no" = ? and "_primary_term" = ?',
      'update n set v = 1 where v = ? and "_seq_no" = ? and "_primary_term" = ?',
      'delete from t where "_seq_no" = ? and "_primary_term" = ?',
      'delete from t x where x.id = ? and x._seq_no = ? and not x._primary_term <> ?',
    ]) {
      const error = crateError(() => translateStatement(sql, options))
      expect([error.status, error.code, error.crateMessage], sql).toEqual([400, 4000, seqNoMessage])
    }
    expect(crateError(() => translateStatement('update t set v = 1 where id = 1 and _version = 1 and _seq_no = 2 and _primary_term = 1', options)).crateMessage).toMatch(
      /^VersioningValidationException\["_version" column cannot be used in conjunction with the "_seq_no" and "_primary_term" columns/,
    )
    expect(crateError(() => translateStatement('delete from t where _version > 1', options)).crateMessage).toMatch(/^VersioningValidationException\["_version" column can only be used/)
    for (const sql of [
      'update t set v = 1 where id = ? and "_seq_no" = ? and "_primary_term" = ?',
      'update t as x set v = 1 where ("_primary_term" = ?) and (? = x."_seq_no" and x.id = ?) returning v',
      'update c set v = 1 where b = ? and a = ? and "_seq_no" = ? and "_primary_term" = ?',
      'update n set v = 1 where _id = ? and "_seq_no" = ? and "_primary_term" = ?',
      "delete from doc.t where id = 'k' and _seq_no = 4 and _primary_term = 1",
      'update t set v = 1 where id = ? and _version = ?',
      'update t set v = _seq_no where v > 1',
    ]) {
      expect(translateStatement(sql, options).kind, sql).toBe('sql')
    }
    // without primaryKeyOf only the shape is checked
    expect(translateStatement('update u set v = 1 where "_seq_no" = ? and "_primary_term" = ?').kind).toBe('sql')
  })

  it('detects primary-key style equality filters for the real-time lookup rule', () => {
    expect(sqlOf(translateStatement('select * from s.t x where x.id = ? and (name = \'a\')')).filter).toEqual({ table: { schema: 's', name: 't' }, columns: ['id', 'name'] })
    expect(sqlOf(translateStatement('select * from t where id = 1 or id = 2')).filter).toBeUndefined()
    expect(sqlOf(translateStatement('select * from t where id in (1, ?) and x = 2')).filter).toEqual({ table: { schema: 'doc', name: 't' }, columns: ['id', 'x'] })
    expect(sqlOf(translateStatement('select * from t where id in (1, x)')).filter).toBeUndefined()
    expect(sqlOf(translateStatement('select * from t, u where id = 1')).filter).toBeUndefined()
    expect(sqlOf(translateStatement('select * from t where id > 1')).filter).toBeUndefined()
  })
})

describe('CrateDB grammar: PostgreSQL-only syntax is a ParsingException (400/4000)', () => {
  it('rejects row locks, DISTINCT ON, LATERAL, WITH RECURSIVE/MATERIALIZED, bracketed set operands, INTERSECT/EXCEPT ALL, TABLE', () => {
    for (const [sql, token] of [
      ['select * from t for update', 'for'],
      ['select * from t where id = 1 for share', 'for'],
      ['select * from t for no key update', 'for'],
      ['select * from t limit 1 for key share', 'for'],
      ['select * from t where a in (select a from u for update)', 'for'],
      ['select distinct on (a) a, b from t', 'on'],
      ['select * from t, lateral (select t.a) x', 'lateral'],
      ['select * from t join lateral generate_series(1, t.a) g on true', 'lateral'],
      ['select * from t cross join lateral (select t.a) x', 'lateral'],
      ['with recursive r (n) as (select 1) select n from r', 'recursive'],
      ['with x as materialized (select 1) select * from x', 'materialized'],
      ['with x as not materialized (select 1) select * from x', 'not'],
      ['with x as (delete from t where a = 1) select 1', 'delete'],
      ['with x as (select 1 as a) update t set a = 1', 'update'],
      ['with x as (select 1 as a) insert into t (a) select a from x', 'insert'],
      ['(select 1) union (select 2)', '('],
      ['(select a from t)', '('],
      ['select 1 union (select 2)', '('],
      ['select 1 union all (select 2)', '('],
      ['select * from t where a in ((select 1) union select 2)', 'union'],
      ['select * from (select 1 union (select 2)) x', '('],
      ['select 1 intersect all select 1', 'all'],
      ['select 1 except all select 2', 'all'],
      ['select 1 intersect distinct select 1', 'distinct'],
      ['select 1 except select 2 except select 3', 'except'],
      ['table t', 'table'],
    ] as const) {
      const error = crateError(() => translateStatement(sql))
      expect([error.status, error.code], sql).toEqual([400, 4000])
      expect(error.crateMessage, sql).toMatch(new RegExp(`^ParsingException\\[line 1:\\d+: mismatched input '${token.replace('(', '\\(')}' expecting `))
    }
  })

  it('rejects INSERT with an alias, DEFAULT VALUES, ON CONFLICT ON CONSTRAINT and DO UPDATE without a target', () => {
    for (const [sql, token] of [
      ['insert into t as x (id) values (1)', 'as'],
      ['insert into t x (id) values (1)', 'x'],
      ['insert into t default values', 'default'],
      ['insert into t (id) default values', 'default'],
      ['insert t (id) values (1)', 't'],
      ['insert into t (id) values (1) on conflict on constraint t_pkey do nothing', 'on'],
      ['insert into t (id) values (1) on conflict do update set v = 1', 'update'],
    ] as const) {
      const error = crateError(() => translateStatement(sql))
      expect([error.status, error.code], sql).toEqual([400, 4000])
      expect(error.crateMessage, sql).toContain(`mismatched input '${token}'`)
    }
  })

  it('accepts CrateDB set operations and subqueries, and never looks inside literals, quoted names or comments', () => {
    for (const sql of [
      'select 1 union select 2',
      'select 1 union all select 2',
      'select 1 union distinct select 2',
      'select 1 intersect select 1',
      'select 1 except select 2',
      'select 1 union select 2 except select 3',
      'values (1) union values (2)',
      'select * from (select 1) x union select 2',
      'select * from t where a in (select a from u) union select 3',
      'select * from (select a from t union all select a from u) x order by a limit 1',
      'insert into t (a) (select 1)',
      'insert into t (a) select 1 union select 2',
      'create view v as (select 1 as one)',
      "select substring('abcd' from 2 for 2), extract(year from ts), trim(both 'x' from s) from t",
      'select distinct a from t',
      'select count(distinct a) from t',
      'select a as lateral, "recursive" from t',
      'with x as (select 1 as a), y as (select a from x) select a from y',
      'insert into t (id) values (1) on conflict do nothing',
      'declare c no scroll cursor with hold for select 1',
      `select 'select 1 for update', 'distinct on (x)', "for", "lateral" from t /* for update */ -- union (select 1)
       where s = '(select 1) union (select 2)' and "with recursive" = 'intersect all'`,
    ]) {
      expect(() => translateStatement(sql), sql).not.toThrow()
    }
  })
})

describe('system columns are not writable (general/ddl/system-columns.html)', () => {
  it('rejects them in INSERT column lists with InvalidColumnNameException (400/4008)', () => {
    for (const column of ['_seq_no', '_primary_term', '_version', '_id', '"_docid"', '_score']) {
      const error = crateError(() => translateStatement(`insert into t (id, ${column}) values (1, 2)`))
      expect([error.status, error.code, error.crateMessage], column).toEqual([400, 4008, `InvalidColumnNameException["${column.replaceAll('"', '')}" Cannot write to system column]`])
    }
  })

  it('rejects them as UPDATE and ON CONFLICT … DO UPDATE targets with ColumnValidationException (400/4003)', () => {
    for (const [sql, column] of [
      ['update t set _seq_no = 1 where id = 1', '_seq_no'],
      ['update t set v = 1, "_primary_term" = 2', '_primary_term'],
      ["update t as x set _version = 2, _id = 'k'", '_version'],
      ['insert into t (id) values (1) on conflict (id) do update set _seq_no = excluded._seq_no', '_seq_no'],
    ] as const) {
      const error = crateError(() => translateStatement(sql))
      expect([error.status, error.code, error.crateMessage], sql).toEqual([400, 4003, `ColumnValidationException[Validation failed for ${column}: Updating a system column is not supported]`])
    }
    expect(() => translateStatement('update t set v = _seq_no + _version where _id = ?')).not.toThrow()
    expect(() => translateStatement('insert into t (id, v) select id, _id from u')).not.toThrow()
  })
})

describe('refreshed reads of writes under the refresh knob (general/dql/refresh.html)', () => {
  const options = { refreshedReads: (table: { name: string }) => table.name !== 'plain', primaryKeyOf: () => ['id'], columnsOf: () => ['id', 'v'] }

  it('finds the rows of UPDATE/DELETE without a primary-key filter with a search, then changes their newest version', () => {
    const update = sqlOf(translateStatement('update t set v = ? where v = ? returning id', options))
    expect(update.sql).toBe(
      `UPDATE ONLY t set v = $1 WHERE "_id" IN (SELECT "_id" FROM crate_sys.refreshed_rows(NULL::"doc"."t") AS "t" WHERE v = $2) returning id`,
    )
    expect(update.refreshedReads).toBe(true)
    expect(pg('delete from s.t x where x.v in (select v from u)', options)).toBe(
      `DELETE FROM ONLY s.t x WHERE "_id" IN (SELECT "_id" FROM crate_sys.refreshed_rows(NULL::"s"."t") AS "x" WHERE x.v in ( select v from crate_sys.refreshed_rows(NULL::"doc"."u") AS "u" ))`,
    )
    expect(pg('delete from t', options)).toBe(`DELETE FROM ONLY t WHERE "_id" IN (SELECT "_id" FROM crate_sys.refreshed_rows(NULL::"doc"."t") AS "t")`)
  })

  it('leaves primary-key lookups, other tables and CTE names alone, and reads INSERT … SELECT sources like a search', () => {
    for (const sql of ['update t set v = 1 where id = ?', 'update t set v = 1 where id in (1, 2) and v = 0', "delete from t where _id = 'k'", 'update plain set v = 1', 'insert into t (id) select id from u where id = ?']) {
      const statement = sqlOf(translateStatement(sql, options))
      expect(statement.sql, sql).not.toContain('refreshed_rows')
      expect(statement.refreshedReads, sql).toBe(false)
    }
    expect(pg('insert into t (id, v) select id, v from u join plain p on p.id = u.id where v > 0', options)).toBe(
      `insert into t ( id , v ) select id , v from crate_sys.refreshed_rows(NULL::"doc"."u") AS "u" join plain p on p.id = u.id where v > 0`,
    )
    expect(pg('insert into t (id) with u as (select id from w) select id from u', options)).toBe(
      `insert into t ( id ) with u as ( select id from crate_sys.refreshed_rows(NULL::"doc"."w") AS "w" ) select id from u`,
    )
    expect(pg('update t set v = 1 where v = 0')).toBe('update t set v = 1 where v = 0')
  })
})

describe('CREATE TABLE', () => {
  const statement = translateStatement(
    `create table if not exists s.t (
       id text primary key default gen_random_text_uuid(),
       o object(dynamic) as (a int, b object(strict) as (c text)),
       g geo_point, shape geo_shape, ts timestamp with time zone, day timestamp generated always as date_trunc('day', ts),
       f float_vector(3), tags array(object), n numeric(10, 2), b byte index off, body string index using fulltext with (analyzer = 'english'),
       ip ip, l long not null, arr2 array(array(integer)), ints integer[], c character(3), v varchar(10) storage with (columnstore = false),
       index body_ft using fulltext (body) with (analyzer = 'english')
     ) clustered by (id) into 4 shards partitioned by (day) with (number_of_replicas = '0-1', "translog.durability" = 'async')`,
  )

  it('maps every CrateDB type and drops CrateDB-only clauses', () => {
    if (statement.kind !== 'create-table') throw new Error(statement.kind)
    const d = statement.definition
    expect(d.table).toEqual({ schema: 's', name: 't' })
    expect(d.ifNotExists).toBe(true)
    expect(d.primaryKey).toEqual(['id'])
    expect(d.columns.map((c) => [c.name, c.type.crate, c.type.pg])).toEqual([
      ['id', 'text', 'text'],
      ['o', 'object', 'jsonb'],
      ['g', 'geo_point', 'double precision[]'],
      ['shape', 'geo_shape', 'jsonb'],
      ['ts', 'timestamp with time zone', 'timestamp with time zone'],
      ['day', 'timestamp without time zone', 'timestamp without time zone'],
      ['f', 'float_vector', 'real[]'],
      ['tags', 'object_array', 'jsonb[]'],
      ['n', 'numeric', 'numeric(10,2)'],
      ['b', 'byte', 'smallint'],
      ['body', 'text', 'text'],
      ['ip', 'ip', 'inet'],
      ['l', 'bigint', 'bigint'],
      ['arr2', 'integer_array_array', 'integer[]'],
      ['ints', 'integer_array', 'integer[]'],
      ['c', 'character', 'char(3)'],
      ['v', 'text', 'varchar(10)'],
    ])
    expect(d.columns.find((c) => c.name === 'l')!.notNull).toBe(true)
    expect(d.columns.find((c) => c.name === 'id')!.defaultExpression).toBe('gen_random_text_uuid( )')
    expect(d.columns.find((c) => c.name === 'day')!.generatedExpression).toBe(`date_trunc( 'day' , NEW."ts" )`)
    expect(d.columns.find((c) => c.name === 'day')!.generatedSource).toBe("date_trunc('day', ts)")
    expect(d.options).toEqual({ clusteredBy: 'id', numberOfShards: 4, partitionedBy: ['day'], settings: { number_of_replicas: '0-1', 'translog.durability': 'async' } })
  })

  it('builds a script with hidden system columns, type comments, the stamp trigger and (with the knob) a refresh policy', () => {
    if (statement.kind !== 'create-table') throw new Error(statement.kind)
    const script = createTableScript(statement.definition, { visibility: true })
    expect(script).toContain('CREATE SCHEMA IF NOT EXISTS "s"')
    expect(script).toContain(`"_id" text GENERATED ALWAYS AS ("id"::text) STORED, "_seq_no" bigint NOT NULL DEFAULT nextval('crate_sys.seq_no'), "_primary_term" bigint NOT NULL DEFAULT 1, "_version" bigint NOT NULL DEFAULT 1)`)
    expect(script).toContain('PRIMARY KEY ("id")')
    expect(script).toContain(`COMMENT ON COLUMN "s"."t"."g" IS '{"type":"geo_point"}'`)
    expect(script).toContain(`CREATE TRIGGER crate_30_bump BEFORE UPDATE ON "s"."t" FOR EACH ROW EXECUTE FUNCTION crate_sys.bump()`)
    expect(script).toContain('CREATE TRIGGER crate_10_generated')
    expect(script).toContain('CREATE POLICY crate_refreshed')
    expect(createTableScript(statement.definition, { visibility: false })).not.toContain('POLICY')
  })

  it('rejects column types CrateDB cannot store (400/4004) and a bare TIME (unknown, 400/4000); casts to them stay', () => {
    for (const [definition, type] of [
      ['a time with time zone', 'time with time zone'],
      ['a timetz', 'time with time zone'],
      ['a interval', 'interval'],
      ['a json', 'json'],
      ['a regclass', 'regclass'],
      ['a array(interval)', 'interval_array'],
      ['a timetz[]', 'time with time zone_array'],
      ['o object as (b object(strict) as (c json))', 'json'],
    ] as const) {
      const error = crateError(() => translateStatement(`create table t (id int, ${definition})`))
      expect([error.status, error.code, error.crateMessage], definition).toEqual([400, 4004, `UnsupportedFeatureException[Type \`${type}\` does not support storage]`])
    }
    expect(crateError(() => translateStatement('alter table t add column iv interval')).code).toBe(4004)
    expect(crateError(() => translateStatement('create table t (n numeric)')).crateMessage).toBe('UnsupportedFeatureException[NUMERIC storage is only supported if precision and scale are specified]')
    expect(crateError(() => translateStatement('create table t (n array(decimal))')).code).toBe(4004)
    expect(crateError(() => translateStatement('create table t (n numeric(39, 2))')).crateMessage).toBe('UnsupportedFeatureException[Precision for NUMERIC(39) is too large. Only up to 38 can be stored]')
    expect(translateStatement('create table t (n numeric(38), m decimal(10, 2)[])').kind).toBe('create-table')
    expect(crateError(() => translateStatement('create table t (a time)')).crateMessage).toBe('SQLParseException[Cannot find data type: time]')
    expect(pg("select '1 day'::interval, cast(? as time with time zone), cast(x as timetz), '{}'::json from t")).toBe(
      "select '1 day'::interval , CAST($1 AS timetz) , CAST(x AS timetz) , '{}'::json from t",
    )
  })

  it('rejects column names that collide with system columns and unknown types', () => {
    expect(crateError(() => translateStatement('create table t (_seq_no bigint)')).crateMessage).toBe('InvalidColumnNameException["_seq_no" conflicts with system column]')
    expect(crateError(() => translateStatement('create table t (_x bigint)')).code).toBe(4008)
    const unknown = crateError(() => translateStatement('create table t (a sometype)'))
    expect(unknown.crateMessage).toBe('SQLParseException[Cannot find data type: sometype]')
    expect(crateError(() => translateStatement('create table t (a int, primary key (b))')).code).toBe(4043)
  })

  it('uses the session schema for unqualified names and parses ALTER TABLE … ADD COLUMN', () => {
    const created = translateStatement('create table t (a int)', { defaultSchema: 'custom' })
    expect(created.kind === 'create-table' && created.definition.table).toEqual({ schema: 'custom', name: 't' })
    const altered = translateStatement('alter table t add column g geo_point', { defaultSchema: 'custom' })
    expect(altered).toMatchObject({ kind: 'add-columns', table: { schema: 'custom', name: 't' } })
    expect(altered.kind === 'add-columns' && altered.columns[0]!.type).toEqual({ crate: 'geo_point', pg: 'double precision[]' })
    expect(translateStatement("alter table t set (number_of_replicas = '1')")).toEqual({ kind: 'noop', rowcount: -1 })
  })

  it('parses CrateDB type syntax on its own', () => {
    const types = (text: string) => parseCrateType(tokenize(text).filter((t) => t.type !== 'space'), 0).type
    expect(types('ARRAY(OBJECT(DYNAMIC) AS (a INT))')).toEqual({ crate: 'object_array', pg: 'jsonb[]' })
    expect(types('TIMESTAMP')).toEqual({ crate: 'timestamp without time zone', pg: 'timestamp without time zone' })
    expect(types('TIMESTAMPTZ')).toEqual({ crate: 'timestamp with time zone', pg: 'timestamptz' })
    expect(types('float')).toEqual({ crate: 'real', pg: 'real' })
    expect(types('double precision[]')).toEqual({ crate: 'double precision_array', pg: 'double precision[]' })
    expect(types('"char"')).toEqual({ crate: 'byte', pg: 'smallint' })
  })
})

describe('statements the server implements itself', () => {
  it('classifies transaction statements', () => {
    for (const sql of ['BEGIN', 'begin work', 'START TRANSACTION ISOLATION LEVEL READ COMMITTED']) expect(translateStatement(sql).kind).toBe('begin')
    for (const sql of ['COMMIT', 'END', 'commit work']) expect(translateStatement(sql).kind).toBe('commit')
  })

  it('parses KILL, REFRESH, OPTIMIZE', () => {
    expect(translateStatement('KILL ALL')).toEqual({ kind: 'kill', jobId: undefined })
    expect(translateStatement("kill '2a6d4f3e-0000-4000-8000-000000000000'")).toEqual({ kind: 'kill', jobId: '2a6d4f3e-0000-4000-8000-000000000000' })
    expect(translateStatement('refresh table t, s."U" partition (a = 1)', { defaultSchema: 'x' })).toEqual({
      kind: 'refresh',
      tables: [
        { schema: 'x', name: 't' },
        { schema: 's', name: 'U' },
      ],
    })
    expect(translateStatement('optimize table t with (max_num_segments = 1)').kind).toBe('optimize')
  })

  it('parses DECLARE, FETCH, MOVE and CLOSE', () => {
    expect(translateStatement('DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT * FROM t WHERE id = ?')).toMatchObject({
      kind: 'declare',
      name: 'c',
      hold: true,
      scroll: false,
      query: { sql: 'SELECT * FROM t WHERE id = $1', paramCount: 1 },
    })
    expect(translateStatement('declare c scroll cursor for select 1')).toMatchObject({ hold: false, scroll: true })
    const directions: Array<[string, unknown]> = [
      ['fetch from c', { type: 'forward', count: 1 }],
      ['fetch next from c', { type: 'forward', count: 1 }],
      ['fetch 10 from c', { type: 'forward', count: 10 }],
      ['fetch all in c', { type: 'forward', count: Infinity }],
      ['fetch forward all from c', { type: 'forward', count: Infinity }],
      ['fetch backward 2 from c', { type: 'backward', count: 2 }],
      ['fetch prior from c', { type: 'backward', count: 1 }],
      ['fetch absolute -1 from c', { type: 'absolute', position: -1 }],
      ['fetch last from c', { type: 'absolute', position: -1 }],
      ['fetch relative 3 from c', { type: 'relative', offset: 3 }],
    ]
    for (const [sql, direction] of directions) expect(translateStatement(sql), sql).toEqual({ kind: 'fetch', name: 'c', direction, move: false })
    expect(translateStatement('move 2 in c')).toMatchObject({ kind: 'fetch', move: true })
    expect(translateStatement('close c')).toEqual({ kind: 'close', name: 'c' })
    expect(translateStatement('close all')).toEqual({ kind: 'close', name: undefined })
  })

  it('parses SET, RESET, SHOW and blob table DDL', () => {
    expect(translateStatement('set search_path to foo, "Bar"')).toEqual({ kind: 'set', name: 'search_path', values: ['foo', 'Bar'] })
    expect(translateStatement("SET SESSION statement_timeout = '10s'")).toEqual({ kind: 'set', name: 'statement_timeout', values: ['10s'] })
    expect(translateStatement("set global persistent stats.enabled = true")).toEqual({ kind: 'noop', rowcount: 1 })
    expect(translateStatement('reset all')).toEqual({ kind: 'reset', name: undefined })
    expect(translateStatement('show search_path')).toEqual({ kind: 'show', name: 'search_path' })
    expect(pg('show tables from s')).toContain("table_schema = 's'")
    expect(translateStatement('create blob table images clustered into 3 shards')).toEqual({ kind: 'create-blob-table', name: 'images', ifNotExists: false })
    expect(translateStatement('drop blob table if exists images')).toEqual({ kind: 'drop-blob-table', name: 'images', ifExists: true })
  })

  it('refuses statements the local server does not implement with 400/4004', () => {
    for (const sql of ['COPY t FROM \'file:///x\'', 'CREATE USER bob', 'GRANT DQL TO bob']) {
      expect(crateError(() => translateStatement(sql)).code, sql).toBe(4004)
    }
  })
})

describe('value encoding (http.html#http-column-types)', () => {
  it('writes PostgreSQL text values as CrateDB JSON', () => {
    expect(encodePgValue('9223372036854775807', 20)).toBe('9223372036854775807')
    expect(encodePgValue('12345678901234567890.123456789', 1700)).toBe('12345678901234567890.123456789')
    expect(encodePgValue('NaN', 701)).toBe('"NaN"')
    expect(encodePgValue('t', 16)).toBe('true')
    expect(encodePgValue('2024-01-31 10:00:00.123456+00', 1184)).toBe(String(Date.UTC(2024, 0, 31, 10, 0, 0, 123)))
    expect(encodePgValue('2024-01-31 10:00:00', 1114)).toBe(String(Date.UTC(2024, 0, 31, 10)))
    expect(encodePgValue('1969-12-31', 1082)).toBe('-86400000')
    expect(encodePgValue('{"a": [1, 2.50]}', 3802)).toBe('{"a": [1, 2.50]}')
    expect(encodePgValue('{13.4,52.5}', 1022, 'geo_point')).toBe('[13.4,52.5]')
    expect(encodePgValue('{{1,2},{3,NULL}}', 1007)).toBe('[[1,2],[3,null]]')
    expect(encodePgValue('{"a b","c\\"d",NULL}', 1009)).toBe('["a b","c\\"d",null]')
    expect(encodePgValue('{"{\\"k\\": 1}"}', 3807)).toBe('[{"k": 1}]')
    expect(encodePgValue('01:02:03.5+02', 1266)).toBe('[3723500000,7200]')
    expect(encodePgValue('0101', 1560)).toBe('"B\'0101\'"')
    expect(encodePgValue(null, 23)).toBe('null')
  })

  it('parses PostgreSQL array literals and ISO timestamps', () => {
    expect(parsePgArray('[0:1]={1,2}')).toEqual(['1', '2'])
    expect(parsePgArray('{}')).toEqual([])
    expect(epochMillis('1970-01-01 00:00:01.999999+00')).toBe(1999)
    expect(epochMillis('2000-01-01 00:00:00-05:30')).toBe(Date.UTC(2000, 0, 1, 5, 30))
    expect(epochMillis('0044-03-15 00:00:00+00 BC')).toBeLessThan(-62_000_000_000_000)
  })

  it('maps type ids', () => {
    expect(colTypeOfCrateType('geo_point')).toBe(13)
    expect(colTypeOfCrateType('integer_array_array')).toEqual([100, [100, 9]])
    expect(colTypeOfCrateType('float_vector')).toBe(28)
    expect(colTypeOfOid(1016)).toEqual([100, 10])
    expect(colTypeOfOid(1184)).toBe(11)
    expect(colTypeOfOid(1114)).toBe(15)
  })
})

describe('argument encoding', () => {
  it('parses request JSON without losing digits and writes it back unchanged', () => {
    const text = '{"args":[9223372036854775807,1.10000000000000000001,-0.0,1e400,"x",[1,{"a":null}]]}'
    const value = parseLosslessJson(text)
    expect(stringifyLosslessJson(value)).toBe(text)
    const args = (value as { args: unknown[] }).args
    expect(args[0]).toBeInstanceOf(JsonNumber)
    expect((args[0] as JsonNumber).source).toBe('9223372036854775807')
  })

  it('converts JSON arguments to PostgreSQL input like CrateDB accepts them', () => {
    const n = (s: string) => new JsonNumber(s)
    expect(encodeParam(n('9223372036854775807'), 20)).toBe('9223372036854775807')
    expect(encodeParam(n('1700000000123'), 1184)).toBe('2023-11-14T22:13:20.123Z')
    expect(encodeParam('2024-01-01T00:00:00+01:00', 1184)).toBe('2024-01-01T00:00:00+01:00')
    expect(encodeParam(n('0'), 1082)).toBe('1970-01-01')
    expect(encodeParam('POINT (13.4 52.5)', 1022)).toBe('{13.4,52.5}')
    expect(encodeParam('[13.4, 52.5]', 1022)).toBe('{13.4,52.5}')
    expect(encodeParam([n('1'), null, n('3')], 1007)).toBe('{"1",NULL,"3"}')
    expect(encodeParam([[n('1')], [n('2')]], 1007)).toBe('{{"1"},{"2"}}')
    expect(encodeParam([{ a: n('1') }], 3807)).toBe('{"{\\"a\\":1}"}')
    expect(encodeParam({ a: n('1.50') }, 3802)).toBe('{"a":1.50}')
    expect(encodeParam('{"a": 1}', 3802)).toBe('{"a": 1}')
    expect(encodeParam('plain', 3802)).toBe('"plain"')
    expect(encodeParam(true, 16)).toBe('t')
    expect(encodeParam(n('5'), 25)).toBe('5')
    expect(encodeParam(null, 23)).toBeNull()
    const cast = crateError(() => encodeParam('abc', 23))
    expect(cast.crateMessage).toBe('SQLParseException[Cannot cast value `abc` to type `integer`]')
  })

  it('guesses parameter types from the arguments (widest per position in bulk requests)', () => {
    const n = (s: string) => new JsonNumber(s)
    expect(guessParamTypes([[n('1'), 'x', n('2.5'), true, { a: n('1') }, [n('1'), n('2')], null]], 7)).toEqual([23, 0, 701, 16, 3802, 1016, 0])
    expect(guessParamTypes([[n('1')], [n('3000000000')]], 1)).toEqual([20])
    expect(guessParamTypes([['x', null]], 2, true)).toEqual([25, 25])
  })
})
