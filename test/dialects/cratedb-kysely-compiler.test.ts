import { Kysely, sql, type Generated, type QueryCreator } from 'kysely'
import { describe, expect, it } from 'vitest'
import {
  CrateDBDataTypeNotSupportedError,
  CrateDBDialect,
  CrateDBForeignKeyNotSupportedError,
  CrateDBIndexNotSupportedError,
  CrateDBOnConflictNotSupportedError,
  CrateDBReturningNotSupportedError,
  CrateDBSequencesNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBUniqueNotSupportedError,
  cratedbDataType,
  cratedbSubscript,
  cratedbType,
  distance,
  equalsAny,
  match,
  type CrateDBSqlClient,
} from '../../dialects/cratedb/kysely/index.ts'
import { CrateDBError, InvalidArgumentError } from '../../src/cratedb/errors.ts'

// Compile-only: no server. The client below fails the test if anything tries to execute.
interface Database {
  users: { id: string; name: string; score: number | null; tags: string[]; props: Record<string, unknown> }
  pets: { id: Generated<string>; owner_id: string; species: string }
}

const unusedClient: CrateDBSqlClient = {
  execute: () => Promise.reject(new Error('compile-only test must not execute')),
}
const db = new Kysely<Database>({ dialect: new CrateDBDialect({ client: unusedClient }) })

describe('CrateDBQueryCompiler: identifiers, parameters, paging', () => {
  it('quotes every identifier and alias and uses positional ? parameters', () => {
    const q = db
      .selectFrom('users as u')
      .innerJoin('pets as p', 'p.owner_id', 'u.id')
      .select(['u.id as userId', 'p.species', sql<number>`count(*)`.as('petCount')])
      .where('u.name', '=', 'Ann')
      .where('u.score', '>', 3)
      .groupBy(['u.id', 'p.species'])
      .compile()
    expect(q.sql).toBe(
      'select "u"."id" as "userId", "p"."species", count(*) as "petCount" from "users" as "u" ' +
        'inner join "pets" as "p" on "p"."owner_id" = "u"."id" where "u"."name" = ? and "u"."score" > ? ' +
        'group by "u"."id", "p"."species"',
    )
    expect(q.parameters).toEqual(['Ann', 3])
  })

  it('quotes system columns, upper-case names and reserved words, doubling embedded quotes', () => {
    const q = db
      .selectFrom('users')
      .select([sql.ref<string>('_id').as('_id'), sql.ref<number>('_score').as('Score'), sql.ref<string>('match').as('object'), sql.ref<string>('we"ird').as('a"b')])
      .compile()
    expect(q.sql).toBe('select "_id" as "_id", "_score" as "Score", "match" as "object", "we""ird" as "a""b" from "users"')
  })

  it('keeps limit and offset as parameters and emits LIMIT ALL for an offset alone', () => {
    expect(db.selectFrom('users').selectAll().orderBy('id').limit(10).offset(20).compile().sql).toBe('select * from "users" order by "id" limit ? offset ?')
    const q = db.selectFrom('users').select('id').orderBy('id').offset(5).compile()
    expect(q.sql).toBe('select "id" from "users" order by "id" limit all offset ?')
    expect(q.parameters).toEqual([5])
  })
})

describe('CrateDBQueryCompiler: DML', () => {
  it('compiles insert, update and delete', () => {
    expect(db.insertInto('users').values({ id: 'a', name: 'Ann', score: 1, tags: ['x'], props: {} }).compile().sql).toBe(
      'insert into "users" ("id", "name", "score", "tags", "props") values (?, ?, ?, ?, ?)',
    )
    expect(db.updateTable('users').set({ score: 2 }).where('id', '=', 'a').compile().sql).toBe('update "users" set "score" = ? where "id" = ?')
    expect(db.deleteFrom('users').where('id', 'in', ['a', 'b']).compile().sql).toBe('delete from "users" where "id" in (?, ?)')
  })

  it('keeps RETURNING on INSERT and UPDATE', () => {
    expect(db.insertInto('users').values({ id: 'a', name: 'A', score: null, tags: [], props: {} }).returning(['id', 'name']).compile().sql).toMatch(/ returning "id", "name"$/)
    expect(db.updateTable('users').set({ name: 'B' }).where('id', '=', 'a').returningAll().compile().sql).toBe('update "users" set "name" = ? where "id" = ? returning *')
  })

  it('throws CrateDBReturningNotSupportedError for DELETE ... RETURNING', () => {
    expect(() => db.deleteFrom('users').where('id', '=', 'a').returning('id').compile()).toThrow(CrateDBReturningNotSupportedError)
    expect(() => db.deleteFrom('users').returningAll().compile()).toThrow(/no RETURNING clause on DELETE/)
  })

  it('compiles ON CONFLICT (pk) DO UPDATE SET with excluded, and DO NOTHING with or without a target', () => {
    const up = db
      .insertInto('users')
      .values({ id: 'a', name: 'Ann', score: 1, tags: [], props: {} })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), score: eb(eb.ref('users.score'), '+', eb.ref('excluded.score')) })))
      .compile()
    expect(up.sql).toBe(
      'insert into "users" ("id", "name", "score", "tags", "props") values (?, ?, ?, ?, ?) on conflict ("id") do update set "name" = "excluded"."name", "score" = "users"."score" + "excluded"."score"',
    )
    expect(db.insertInto('pets').values({ id: 'p', owner_id: 'a', species: 'cat' }).onConflict((oc) => oc.doNothing()).compile().sql).toBe(
      'insert into "pets" ("id", "owner_id", "species") values (?, ?, ?) on conflict do nothing',
    )
    expect(db.insertInto('pets').values({ id: 'p', owner_id: 'a', species: 'cat' }).onConflict((oc) => oc.columns(['id']).doNothing()).compile().sql).toMatch(/on conflict \("id"\) do nothing$/)
  })

  it('rejects the upsert forms CrateDB lacks with CrateDBOnConflictNotSupportedError', () => {
    const ins = () => db.insertInto('users').values({ id: 'a', name: 'A', score: null, tags: [], props: {} })
    expect(() => ins().onConflict((oc) => oc.constraint('users_pkey').doNothing()).compile()).toThrow(CrateDBOnConflictNotSupportedError)
    expect(() => ins().onConflict((oc) => oc.column('id').where('score', '>', 0).doNothing()).compile()).toThrow(/WHERE clause on the ON CONFLICT target/)
    expect(() =>
      ins()
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: 'B' }).where('users.score', '<', 5))
        .compile(),
    ).toThrow(/DO UPDATE \.\.\. WHERE/)
    expect(() => ins().onConflict((oc) => oc.expression(sql`lower(name)`).doNothing()).compile()).toThrow(CrateDBOnConflictNotSupportedError)
    expect(() => ins().onDuplicateKeyUpdate({ name: 'B' }).compile()).toThrow(/ON DUPLICATE KEY UPDATE/)
    expect(() => ins().orIgnore().compile()).toThrow(/INSERT OR IGNORE/)
    expect(() => db.replaceInto('users').values({ id: 'a', name: 'A', score: null, tags: [], props: {} }).compile()).toThrow(/REPLACE INTO/)
  })

  it('compiles the DEFAULT keyword inside multi-row VALUES (CrateDB accepts it)', () => {
    const q = db
      .insertInto('users')
      .values([
        { id: 'a', name: 'A', score: 1, tags: [], props: {} },
        { id: 'b', name: 'B', tags: [], props: {} },
      ])
      .compile()
    expect(q.sql).toBe('insert into "users" ("id", "name", "score", "tags", "props") values (?, ?, ?, ?, ?), (?, ?, default, ?, ?)')
  })

  it('refuses DEFAULT VALUES and ON CONFLICT DO UPDATE without a conflict target', () => {
    expect(() => db.insertInto('pets').defaultValues().compile()).toThrow(/DEFAULT VALUES/)
    expect(() => db.insertInto('pets').defaultValues().compile()).toThrow(CrateDBSyntaxNotSupportedError)
    expect(() =>
      db
        .insertInto('pets')
        .values({ id: 'p', owner_id: 'a', species: 'cat' })
        .onConflict((oc) => oc.doUpdateSet({ species: 'dog' }))
        .compile(),
    ).toThrow(/DO UPDATE without a conflict target/)
    expect(() => db.insertInto('pets').values({ id: 'p', owner_id: 'a', species: 'cat' }).onConflict((oc) => oc.doUpdateSet({ species: 'dog' })).compile()).toThrow(
      CrateDBOnConflictNotSupportedError,
    )
  })

  it('rejects UPDATE ... FROM, DELETE ... USING, joins and ORDER BY/LIMIT in UPDATE/DELETE', () => {
    expect(() => db.updateTable('users').from('pets').set({ name: 'x' }).whereRef('pets.owner_id', '=', 'users.id').compile()).toThrow(CrateDBSyntaxNotSupportedError)
    expect(() => db.deleteFrom('users').using('pets').whereRef('pets.owner_id', '=', 'users.id').compile()).toThrow(/DELETE \.\.\. USING/)
    expect(() => db.updateTable('users').set({ name: 'x' }).orderBy('id').limit(1).compile()).toThrow(/UPDATE with ORDER BY or LIMIT/)
    expect(() => db.deleteFrom('users').orderBy('id').limit(1).compile()).toThrow(/DELETE with ORDER BY or LIMIT/)
  })

  it('rejects MERGE', () => {
    expect(() =>
      db
        .mergeInto('users')
        .using('pets', 'pets.owner_id', 'users.id')
        .whenMatched()
        .thenDelete()
        .compile(),
    ).toThrow(/does not support MERGE/)
  })
})

describe('CrateDBQueryCompiler: SELECT features', () => {
  it('rejects row locking, lateral joins and DISTINCT ON with CrateDBSyntaxNotSupportedError', () => {
    expect(() => db.selectFrom('users').selectAll().forUpdate().compile()).toThrow(CrateDBSyntaxNotSupportedError)
    expect(() => db.selectFrom('users').selectAll().forShare().skipLocked().compile()).toThrow(/row locking/)
    expect(() =>
      db
        .selectFrom('users')
        .innerJoinLateral(
          (eb) => eb.selectFrom('pets').select('species').whereRef('pets.owner_id', '=', 'users.id').as('p'),
          (join) => join.onTrue(),
        )
        .selectAll()
        .compile(),
    ).toThrow(/LATERAL/)
    expect(() => db.selectFrom('users').distinctOn('name').selectAll().compile()).toThrow(/DISTINCT ON/)
  })

  it('compiles right/full joins, distinct, unions and window functions unchanged', () => {
    expect(db.selectFrom('users').fullJoin('pets', 'pets.owner_id', 'users.id').select('users.id').distinct().compile().sql).toBe(
      'select distinct "users"."id" from "users" full join "pets" on "pets"."owner_id" = "users"."id"',
    )
    expect(
      db
        .selectFrom('users')
        .select('id')
        .union(db.selectFrom('pets').select('id'))
        .compile().sql,
    ).toBe('select "id" from "users" union select "id" from "pets"')
    expect(db.selectFrom('users').select((eb) => eb.fn.countAll().over((ob) => ob.partitionBy('name')).as('n')).compile().sql).toBe(
      'select count(*) over(partition by "name") as "n" from "users"',
    )
  })

  it('writes set operations without brackets and refuses the forms CrateDB lacks or reads differently', () => {
    const users = () => db.selectFrom('users').select('id')
    const pets = () => db.selectFrom('pets').select('id')
    expect(users().unionAll(pets()).union(users().where('name', '=', 'x')).orderBy('id').limit(2).compile().sql).toBe(
      'select "id" from "users" union all select "id" from "pets" union select "id" from "users" where "name" = ? order by "id" limit ?',
    )
    expect(users().intersect(pets()).union(users()).compile().sql).toBe('select "id" from "users" intersect select "id" from "pets" union select "id" from "users"')
    expect(users().except(pets()).compile().sql).toBe('select "id" from "users" except select "id" from "pets"')
    expect(() => users().intersectAll(pets()).compile()).toThrow(CrateDBSyntaxNotSupportedError)
    expect(() => users().exceptAll(pets()).compile()).toThrow(/INTERSECT ALL \/ EXCEPT ALL/)
    expect(() => users().intersect(pets()).except(users()).compile()).toThrow(/two INTERSECT\/EXCEPT in a row/)
    expect(() => users().union(pets()).except(users()).compile()).toThrow(/EXCEPT after UNION/)
    expect(() => users().union(pets().orderBy('id').limit(1)).compile()).toThrow(/one operand of a set operation/)
    expect(() => users().union(db.with('w', (qb) => qb.selectFrom('pets').select('id')).selectFrom('w').select('id')).compile()).toThrow(/WITH on one operand/)
    expect(() => users().union(pets().union(users())).compile()).toThrow(/nested in an operand/)
  })

  it('refuses WITH RECURSIVE, MATERIALIZED CTEs, WITH before DML and FETCH ... WITH TIES', () => {
    const cte = (qb: QueryCreator<Database>) => qb.selectFrom('users').select('id')
    expect(db.with('u', cte).selectFrom('u').select('id').compile().sql).toBe('with "u" as (select "id" from "users") select "id" from "u"')
    expect(() => db.withRecursive('u', cte).selectFrom('u').select('id').compile()).toThrow(/WITH RECURSIVE/)
    expect(() => db.with((w) => w('u').materialized(), cte).selectFrom('u').select('id').compile()).toThrow(/MATERIALIZED/)
    expect(() => db.with((w) => w('u').notMaterialized(), cte).selectFrom('u').select('id').compile()).toThrow(CrateDBSyntaxNotSupportedError)
    expect(() => db.with('u', cte).deleteFrom('pets').where('owner_id', 'in', (eb) => eb.selectFrom('u').select('id')).compile()).toThrow(/WITH \(common table expressions\) before DELETE/)
    expect(() => db.with('u', cte).updateTable('pets').set({ species: 'x' }).compile()).toThrow(/before UPDATE/)
    expect(db.selectFrom('users').select('id').orderBy('id').fetch(2).compile().sql).toBe('select "id" from "users" order by "id" fetch next ? rows only')
    expect(() => db.selectFrom('users').select('id').orderBy('id').fetch(2, 'with ties').compile()).toThrow(/WITH TIES/)
  })

  it('compiles JSON references to CrateDB object subscripts', () => {
    const anyDb = db as unknown as Kysely<{ users: { props: { a: { b: number }; "it's": string }; tags: string[] } }>
    expect(anyDb.selectFrom('users').select((eb) => eb.ref('props', '->').key('a').key('b').as('ab')).compile().sql).toBe('select "props"[\'a\'][\'b\'] as "ab" from "users"')
    expect(anyDb.selectFrom('users').select((eb) => eb.ref('props', '->>$').key('it\'s').as('x')).compile().sql).toBe('select "props"[\'it\'\'s\'] as "x" from "users"')
    expect(() => anyDb.selectFrom('users').select((eb) => eb.ref('tags', '->').at(0).as('x')).compile()).toThrow(/array positions/)
  })
})

describe('CrateDB helpers', () => {
  it('cratedbSubscript, equalsAny, distance and match compile to CrateDB SQL', () => {
    const q = db
      .selectFrom('users')
      .select([cratedbSubscript<number>('props', 'mag').as('mag'), cratedbSubscript('tags', 1).as('firstTag'), distance('props', [9.74, 47.41]).as('meters')])
      .where(equalsAny('sql', 'tags'))
      .where(match({ name: 2, id: 1 }, 'crate', { using: 'best_fields', with: { fuzziness: 'AUTO' } }))
      .compile()
    expect(q.sql).toBe(
      'select "props"[\'mag\'] as "mag", "tags"[1] as "firstTag", distance("props", ?) as "meters" from "users" ' +
        'where ? = any("tags") and match(("name" 2, "id" 1), ?) using best_fields with ("fuzziness" = \'AUTO\')',
    )
    expect(q.parameters).toEqual([[9.74, 47.41], 'sql', 'crate'])
    expect(db.selectFrom('users').selectAll().where(match('name', 'x')).compile().sql).toBe('select * from "users" where match("name", ?)')
  })

  it('refuses a subscript without a path, array positions below 1 and match options without a type', () => {
    expect(() => cratedbSubscript('props')).toThrow(CrateDBError)
    expect(() => cratedbSubscript('tags', 0)).toThrow(InvalidArgumentError)
    expect(() => match('name', 'x', { with: { fuzziness: 1 } })).toThrow(/need a match type/)
  })
})

describe('CrateDBQueryCompiler: DDL', () => {
  it('creates tables with CrateDB types, defaults, generated columns and CrateDB column types', () => {
    const q = db.schema
      .createTable('quakes')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey().defaultTo(sql`gen_random_text_uuid()`))
      .addColumn('mag', 'double precision', (c) => c.notNull())
      .addColumn('at', 'timestamptz')
      .addColumn('local', 'timestamp')
      .addColumn('code', 'char(2)')
      .addColumn('price', 'numeric(12, 2)')
      .addColumn('n', 'int8', (c) => c.check(sql`n >= 0`))
      .addColumn('twice', 'float8', (c) => c.generatedAlwaysAs(sql`mag * 2`).stored())
      .addColumn('location', cratedbType.geoPoint())
      .addColumn('area', cratedbType.geoShape())
      .addColumn('source', cratedbType.ip())
      .addColumn('tags', cratedbType.array('text'))
      .addColumn('props', cratedbType.object('dynamic', { place: 'text', depth: 'real', extra: cratedbType.object() }))
      .addColumn('emb', cratedbType.floatVector(3))
      .modifyEnd(sql`clustered into 2 shards with (number_of_replicas = 0)`)
      .compile()
    expect(q.sql).toBe(
      'create table if not exists "quakes" (' +
        '"id" text default gen_random_text_uuid() primary key, "mag" double precision not null, "at" timestamp with time zone, ' +
        '"local" timestamp without time zone, "code" character(2), "price" numeric(12, 2), "n" bigint check (n >= 0), ' +
        '"twice" double precision generated always as (mag * 2), "location" geo_point, "area" geo_shape, "source" ip, ' +
        '"tags" array(text), "props" object(dynamic) as ("place" text, "depth" real, "extra" object), "emb" float_vector(3)) ' +
        'clustered into 2 shards with (number_of_replicas = 0)',
    )
  })

  it('keeps a composite primary key and check constraints', () => {
    const q = db.schema
      .createTable('pairs')
      .addColumn('a', 'text')
      .addColumn('b', 'integer')
      .addPrimaryKeyConstraint('pairs_pk', ['a', 'b'])
      .addCheckConstraint('b_positive', sql`b > 0`)
      .compile()
    expect(q.sql).toBe('create table "pairs" ("a" text, "b" integer, constraint "pairs_pk" primary key ("a", "b"), constraint "b_positive" check (b > 0))')
  })

  it('rejects sequences (serial, autoIncrement, identity) suggesting gen_random_text_uuid()', () => {
    const t = () => db.schema.createTable('t')
    expect(() => t().addColumn('id', 'serial', (c) => c.primaryKey()).compile()).toThrow(CrateDBSequencesNotSupportedError)
    expect(() => t().addColumn('id', 'bigserial').compile()).toThrow(/gen_random_text_uuid\(\)/)
    expect(() => t().addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()).compile()).toThrow(CrateDBSequencesNotSupportedError)
    expect(() => t().addColumn('id', 'integer', (c) => c.identity()).compile()).toThrow(CrateDBSequencesNotSupportedError)
    expect(() => t().addColumn('id', 'integer', (c) => c.generatedAlwaysAsIdentity()).compile()).toThrow(CrateDBSequencesNotSupportedError)
  })

  it('rejects FOREIGN KEY, UNIQUE and indexes with their named errors', () => {
    const t = () => db.schema.createTable('t').addColumn('id', 'text', (c) => c.primaryKey())
    expect(() => t().addColumn('u', 'text', (c) => c.references('users.id')).compile()).toThrow(CrateDBForeignKeyNotSupportedError)
    expect(() => t().addColumn('u', 'text').addForeignKeyConstraint('fk', ['u'], 'users', ['id']).compile()).toThrow(CrateDBForeignKeyNotSupportedError)
    expect(() => t().addColumn('u', 'text', (c) => c.unique()).compile()).toThrow(CrateDBUniqueNotSupportedError)
    expect(() => t().addUniqueConstraint('uq', ['id']).compile()).toThrow(CrateDBUniqueNotSupportedError)
    expect(() => db.schema.createIndex('i').on('users').column('name').compile()).toThrow(CrateDBIndexNotSupportedError)
    expect(() => db.schema.dropIndex('i').compile()).toThrow(CrateDBIndexNotSupportedError)
    expect(() => db.schema.alterTable('users').addIndex('i').column('name').compile()).toThrow(CrateDBIndexNotSupportedError)
  })

  it('maps Kysely types and refuses the ones CrateDB lacks', () => {
    expect(cratedbDataType('int4', true)).toBe('integer')
    expect(cratedbDataType('float4', true)).toBe('real')
    expect(cratedbDataType('char', true)).toBe('character(1)')
    expect(cratedbDataType('uuid', true)).toBe('text')
    expect(cratedbDataType('numeric', false)).toBe('numeric')
    expect(() => cratedbDataType('numeric', true)).toThrow(/precision and scale/)
    for (const type of ['bytea', 'blob', 'jsonb', 'json', 'time', 'timestamptz(3)', 'datetime', 'int4range']) {
      expect(() => cratedbDataType(type, true), type).toThrow(CrateDBDataTypeNotSupportedError)
    }
    expect(db.selectFrom('users').select((eb) => eb.cast<string>('score', 'numeric').as('n')).compile().sql).toBe('select cast("score" as numeric) as "n" from "users"')
    expect(() => db.schema.createTable('t').addColumn('j', 'jsonb').compile()).toThrow(/cratedbType\.object/)
  })

  it('casts to timetz, interval and json, but refuses them as column types (CrateDB cannot store them)', () => {
    expect(cratedbDataType('timetz', false)).toBe('time with time zone')
    expect(cratedbDataType('interval', false)).toBe('interval')
    expect(cratedbDataType('json', false)).toBe('json')
    for (const type of ['timetz', 'interval', 'json']) {
      expect(() => cratedbDataType(type, true), type).toThrow(CrateDBDataTypeNotSupportedError)
    }
    expect(() => db.schema.createTable('t').addColumn('at', 'timetz').compile()).toThrow(/cannot store TIME WITH TIME ZONE/)
    expect(() => db.schema.alterTable('users').addColumn('j', 'json').compile()).toThrow(/cannot store JSON/)
    expect(() => db.schema.createTable('t').addColumn('d', sql`interval`).compile()).not.toThrow() // raw SQL passes through untouched
    expect(() => db.schema.createTable('t').addColumn('d', cratedbType.array('interval' as never)).compile()).toThrow(/cannot store INTERVAL/)
    expect(db.selectFrom('users').select((eb) => eb.cast<string>('name', 'timetz').as('t')).compile().sql).toBe('select cast("name" as time with time zone) as "t" from "users"')
  })

  it('compiles ALTER TABLE add/drop/rename and default changes, rejects what CrateDB cannot alter', () => {
    expect(db.schema.alterTable('users').addColumn('a', 'text').addColumn('b', cratedbType.array('integer')).compile().sql).toBe(
      'alter table "users" add column "a" text, add column "b" array(integer)',
    )
    expect(db.schema.alterTable('users').dropColumn('a').compile().sql).toBe('alter table "users" drop column "a"')
    expect(db.schema.alterTable('users').renameColumn('a', 'b').compile().sql).toBe('alter table "users" rename column "a" to "b"')
    expect(db.schema.alterTable('users').renameTo('people').compile().sql).toBe('alter table "users" rename to "people"')
    expect(db.schema.alterTable('users').alterColumn('a', (c) => c.setDefault('x')).compile().sql).toBe('alter table "users" alter column "a" set default \'x\'')
    expect(() => db.schema.alterTable('users').alterColumn('a', (c) => c.setDataType('bigint')).compile()).toThrow(/ALTER COLUMN/)
    expect(() => db.schema.alterTable('users').alterColumn('a', (c) => c.setNotNull()).compile()).toThrow(CrateDBSyntaxNotSupportedError)
    expect(() => db.schema.alterTable('users').addColumn('a', 'text').dropColumn('b').compile()).toThrow(/several different column changes/)
    expect(() => db.schema.alterTable('users').addCheckConstraint('c', sql`a > 0`).compile()).toThrow(/ADD CONSTRAINT/)
    expect(() => db.schema.alterTable('users').setSchema('other').compile()).toThrow(/SET SCHEMA/)
    expect(() => db.schema.alterTable('users').modifyColumn('a', 'text').compile()).toThrow(/MODIFY COLUMN/)
  })

  it('compiles views and drops, rejecting the forms CrateDB lacks', () => {
    expect(db.schema.createView('v').orReplace().as(db.selectFrom('users').select('id')).compile().sql).toBe('create or replace view "v" as select "id" from "users"')
    expect(db.schema.dropView('v').ifExists().compile().sql).toBe('drop view if exists "v"')
    expect(db.schema.dropTable('users').ifExists().compile().sql).toBe('drop table if exists "users"')
    expect(() => db.schema.createView('v').materialized().as(db.selectFrom('users').select('id')).compile()).toThrow(/materialized/)
    expect(() => db.schema.createView('v').temporary().as(db.selectFrom('users').select('id')).compile()).toThrow(/temporary/)
    expect(() => db.schema.createView('v').ifNotExists().as(db.selectFrom('users').select('id')).compile()).toThrow(/IF NOT EXISTS/)
    expect(() => db.schema.dropTable('users').cascade().compile()).toThrow(/CASCADE/)
    expect(() => db.schema.createTable('t').temporary().addColumn('a', 'text').compile()).toThrow(/temporary tables/)
    expect(() => db.schema.createType('mood').asEnum(['a']).compile()).toThrow(/enums/)
  })

  it('every dialect error is a CrateDBError and is thrown before anything is sent', async () => {
    await expect(db.deleteFrom('users').returning('id').execute()).rejects.toBeInstanceOf(CrateDBError)
    await expect(db.schema.createTable('t').addColumn('id', 'serial').execute()).rejects.toMatchObject({ code: 'SEQUENCES_NOT_SUPPORTED', retryable: false })
  })
})
