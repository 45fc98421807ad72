import { Kysely, DummyDriver, PostgresAdapter, PostgresIntrospector } from 'kysely'
import { describe, expect, it } from 'vitest'
import { DruidQueryCompiler, DruidReadOnlyError, assertReadOnly } from '../../dialects/druid/kysely/index.ts'
import { assertReadOnlyQuery } from '../../dialects/druid/druid-read-only-guard.ts'
import { assertReadOnly as assertE6dataReadOnly, E6dataReadOnlyError } from '../../dialects/e6data/kysely/index.ts'

/** The kind a guard refused, or `undefined` when the statement may be sent. */
function refused(check: () => void): string | undefined {
  try {
    check()
    return undefined
  } catch (error) {
    if (error instanceof DruidReadOnlyError || error instanceof E6dataReadOnlyError) return error.statement
    throw error
  }
}

describe('Druid read-only guard (unit, nothing is sent)', () => {
  it('lets one SELECT, WITH … SELECT or EXPLAIN through, after comments and parentheses', () => {
    for (const sql of [
      'SELECT 1',
      'select * from "wikipedia"',
      '  -- hourly\n/* edits */ (SELECT 1) UNION ALL (SELECT 2)',
      'WITH t AS (SELECT 1 AS x) SELECT x FROM t',
      'EXPLAIN PLAN FOR SELECT 1',
      "SELECT ';DROP' AS \"a;b\" -- ; DELETE\n",
      'SELECT 1;',
      'SELECT 1;  \n ',
    ]) expect(refused(() => assertReadOnly(sql)), sql).toBeUndefined()
  })

  it('refuses writes, DDL, SET and several statements with the statement kind named', () => {
    expect(refused(() => assertReadOnly('INSERT INTO t SELECT 1'))).toBe('INSERT')
    expect(refused(() => assertReadOnly("REPLACE INTO t OVERWRITE ALL SELECT 1 PARTITIONED BY DAY"))).toBe('REPLACE')
    expect(refused(() => assertReadOnly('/* x */ delete from t'))).toBe('DELETE')
    expect(refused(() => assertReadOnly('DROP TABLE t'))).toBe('DROP')
    expect(refused(() => assertReadOnly("SET sqlTimeZone = 'UTC'"))).toBe('SET')
    expect(refused(() => assertReadOnly(''))).toBe('')
    expect(refused(() => assertReadOnly('SELECT 1; DELETE FROM t'))).toBe('MULTIPLE')
    expect(refused(() => assertReadOnly('WITH t AS (SELECT 1) INSERT INTO u SELECT * FROM t'))).toBe('WITH … INSERT')
    expect(refused(() => assertReadOnly('WITH t AS (SELECT 1) REPLACE INTO u OVERWRITE ALL SELECT * FROM t'))).toBe('WITH … REPLACE')
    expect(() => assertReadOnly('UPDATE t SET a = 1')).toThrow(/read-only.*UPDATE.*client\.ingest/s)
  })

  it('refuses Kysely write and schema roots even when their text would look harmless', () => {
    const db = new Kysely<{ t: { a: number } }>({
      dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new DruidQueryCompiler() },
    })
    expect(refused(() => assertReadOnlyQuery(db.selectFrom('t').select('a').compile()))).toBeUndefined()
    expect(refused(() => assertReadOnlyQuery(db.insertInto('t').values({ a: 1 }).compile()))).toBe('INSERT')
    expect(refused(() => assertReadOnlyQuery(db.updateTable('t').set({ a: 1 }).compile()))).toBe('UPDATE')
    expect(refused(() => assertReadOnlyQuery(db.deleteFrom('t').compile()))).toBe('DELETE')
    expect(refused(() => assertReadOnlyQuery(db.schema.createTable('u').addColumn('a', 'integer').compile()))).toBe('CREATE TABLE')
    const insert = db.insertInto('t').values({ a: 1 }).compile()
    expect(refused(() => assertReadOnlyQuery({ ...insert, sql: 'SELECT 1' }))).toBe('INSERT')
  })
})

describe('e6data read-only guard (unit, nothing is sent)', () => {
  it('lets SELECT, WITH, VALUES, EXPLAIN, DESCRIBE and SHOW through', () => {
    for (const sql of ['SELECT 1', 'WITH t AS (SELECT 1) SELECT * FROM t', 'VALUES (1)', 'EXPLAIN SELECT 1', 'DESCRIBE flights', 'SHOW TABLES']) {
      expect(refused(() => assertE6dataReadOnly(sql)), sql).toBeUndefined()
    }
  })

  it('reads backslash escapes inside literals when looking for a second statement', () => {
    expect(refused(() => assertE6dataReadOnly("SELECT 'it\\'s; DROP TABLE x' AS v"))).toBeUndefined()
    expect(refused(() => assertE6dataReadOnly("SELECT 'a\\\\'; DROP TABLE x"))).toBe('MULTIPLE')
    expect(refused(() => assertE6dataReadOnly('WITH t AS (SELECT 1) DELETE FROM u'))).toBe('WITH … DELETE')
    expect(refused(() => assertE6dataReadOnly('EXPLAIN PLAN FOR SELECT 1'))).toBeUndefined()
    expect(refused(() => assertE6dataReadOnly('CREATE TABLE x (a int)'))).toBe('CREATE')
  })
})
