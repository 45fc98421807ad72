import { Kysely, sql, type Generated } from 'kysely'
import { describe, expect, it } from 'vitest'
import {
  TarantoolDataTypeNotSupportedError,
  TarantoolDialect,
  TarantoolOnConflictNotSupportedError,
  TarantoolReturningNotSupportedError,
  TarantoolSyntaxNotSupportedError,
  type TarantoolSqlClient,
} from '../../dialects/tarantool/kysely/index.ts'

// Compile-only: no server. The client below fails the test if anything tries to execute.
interface Database {
  users: { id: Generated<number>; name: string; score: number | null }
  pets: { id: Generated<number>; owner_id: number; species: string }
}

const unusedClient: TarantoolSqlClient = {
  execute: () => Promise.reject(new Error('compile-only test must not execute')),
}
const db = new Kysely<Database>({ dialect: new TarantoolDialect({ pool: unusedClient }) })

describe('TarantoolQueryCompiler: identifiers and parameters', () => {
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

  it('doubles embedded double quotes in identifiers', () => {
    const q = db.selectFrom('users').select(sql.ref<string>('we"ird').as('a"b')).compile()
    expect(q.sql).toBe('select "we""ird" as "a""b" from "users"')
  })

  it('keeps limit and offset as parameters', () => {
    const q = db.selectFrom('users').selectAll().orderBy('id').limit(10).offset(20).compile()
    expect(q.sql).toBe('select * from "users" order by "id" limit ? offset ?')
    expect(q.parameters).toEqual([10, 20])
  })

  it('emits a huge LIMIT for an OFFSET without LIMIT (Tarantool has no bare OFFSET)', () => {
    const q = db.selectFrom('users').select('id').orderBy('id').offset(5).compile()
    expect(q.sql).toBe('select "id" from "users" order by "id" limit 9223372036854775807 offset ?')
    expect(q.parameters).toEqual([5])
  })
})

describe('TarantoolQueryCompiler: DML', () => {
  it('compiles insert, update and delete', () => {
    expect(db.insertInto('users').values({ name: 'Ann', score: 1 }).compile().sql).toBe('insert into "users" ("name", "score") values (?, ?)')
    expect(db.updateTable('users').set({ score: 2 }).where('id', '=', 1).compile().sql).toBe('update "users" set "score" = ? where "id" = ?')
    expect(db.deleteFrom('users').where('id', 'in', [1, 2]).compile().sql).toBe('delete from "users" where "id" in (?, ?)')
  })

  it('compiles orReplace/orIgnore/replaceInto to INSERT OR REPLACE / OR IGNORE / REPLACE', () => {
    expect(db.insertInto('users').orReplace().values({ id: 1, name: 'A' }).compile().sql).toBe('insert or replace into "users" ("id", "name") values (?, ?)')
    expect(db.insertInto('users').orIgnore().values({ id: 1, name: 'A' }).compile().sql).toBe('insert or ignore into "users" ("id", "name") values (?, ?)')
    expect(db.replaceInto('users').values({ id: 1, name: 'A' }).compile().sql).toBe('replace into "users" ("id", "name") values (?, ?)')
  })

  it('throws TarantoolReturningNotSupportedError for returning()', () => {
    expect(() => db.insertInto('users').values({ name: 'A' }).returning('id').compile()).toThrow(TarantoolReturningNotSupportedError)
    expect(() => db.updateTable('users').set({ name: 'B' }).returningAll().compile()).toThrow(/no RETURNING clause.*UPDATE/)
    expect(() => db.deleteFrom('users').returning('id').compile()).toThrow(TarantoolReturningNotSupportedError)
  })

  it('throws TarantoolOnConflictNotSupportedError for onConflict() and onDuplicateKeyUpdate()', () => {
    expect(() =>
      db.insertInto('users').values({ id: 1, name: 'A' }).onConflict((oc) => oc.column('id').doNothing()).compile(),
    ).toThrow(TarantoolOnConflictNotSupportedError)
    expect(() =>
      db.insertInto('users').values({ id: 1, name: 'A' }).onConflict((oc) => oc.column('id').doUpdateSet({ name: 'B' })).compile(),
    ).toThrow(/orIgnore\(\).*orReplace\(\)/)
    expect(() => db.insertInto('users').values({ id: 1, name: 'A' }).onDuplicateKeyUpdate({ name: 'B' }).compile()).toThrow(TarantoolOnConflictNotSupportedError)
  })

  it('refuses DEFAULT in VALUES (rows with different keys) instead of silently inserting NULL', () => {
    const q = db.insertInto('users').values([{ name: 'A', score: 1 }, { name: 'B' }])
    expect(() => q.compile()).toThrow(TarantoolSyntaxNotSupportedError)
    expect(() => q.compile()).toThrow(/same keys/)
  })
})

describe('TarantoolQueryCompiler: DDL', () => {
  it('puts AUTOINCREMENT last and maps types to Tarantool names', () => {
    const q = db.schema
      .createTable('things')
      .ifNotExists()
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement().notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('title', 'text')
      .addColumn('big', 'bigint', (c) => c.defaultTo(0))
      .addColumn('ratio', 'double precision')
      .addColumn('weight', 'real')
      .addColumn('flag', 'boolean', (c) => c.defaultTo(false))
      .addColumn('payload', 'blob')
      .addColumn('amount', 'decimal(10, 2)')
      .addColumn('n', 'numeric')
      .addColumn('count', 'integer', (c) => c.unsigned())
      .addColumn('any', sql`scalar`)
      .compile()
    expect(q.sql).toBe(
      'create table if not exists "things" (' +
        '"id" INTEGER not null primary key autoincrement, ' +
        '"name" VARCHAR(255) not null unique, ' +
        '"title" STRING, ' +
        '"big" INTEGER default 0, ' +
        '"ratio" DOUBLE, ' +
        '"weight" DOUBLE, ' +
        '"flag" BOOLEAN default false, ' +
        '"payload" VARBINARY, ' +
        '"amount" NUMBER, ' +
        '"n" NUMBER, ' +
        '"count" UNSIGNED, ' +
        '"any" scalar)',
    )
  })

  it('keeps AUTOINCREMENT after a CHECK or REFERENCES', () => {
    const q = db.schema
      .createTable('t')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement().check(sql`"id" > 0`))
      .compile()
    expect(q.sql).toBe('create table "t" ("id" INTEGER primary key check ("id" > 0) autoincrement)')
  })

  it('maps data types in CAST too', () => {
    const q = db.selectFrom('users').select((eb) => eb.cast<string>('id', 'text').as('s')).compile()
    expect(q.sql).toBe('select cast("id" as STRING) as "s" from "users"')
  })

  it.each(['timestamp', 'timestamptz', 'date', 'datetime', 'time', 'json', 'jsonb', 'serial', 'char(3)', 'int4range'] as const)(
    'rejects %s with TarantoolDataTypeNotSupportedError',
    (type) => {
      expect(() => db.schema.createTable('t').addColumn('x', type).compile()).toThrow(TarantoolDataTypeNotSupportedError)
    },
  )

  it('explains the alternatives for date/time types', () => {
    expect(() => db.schema.createTable('t').addColumn('at', 'timestamp').compile()).toThrow(/ISO strings in a 'text' column or epoch milliseconds/)
  })

  it('refuses unsigned on non-integer types', () => {
    expect(() => db.schema.createTable('t').addColumn('x', 'text', (c) => c.unsigned()).compile()).toThrow(TarantoolDataTypeNotSupportedError)
  })

  it('compiles indexes; DROP INDEX needs its table', () => {
    expect(db.schema.createIndex('users_name').ifNotExists().on('users').column('name').compile().sql).toBe(
      'create index if not exists "users_name" on "users" ("name")',
    )
    expect(db.schema.dropIndex('users_name').ifExists().on('users').compile().sql).toBe('drop index if exists "users_name" on "users"')
    expect(() => db.schema.dropIndex('users_name').compile()).toThrow(TarantoolSyntaxNotSupportedError)
  })

  it('compiles table constraints and drop table', () => {
    const q = db.schema
      .createTable('pairs')
      .addColumn('a', 'integer')
      .addColumn('b', 'text')
      .addPrimaryKeyConstraint('pairs_pk', ['a', 'b'])
      .addForeignKeyConstraint('pairs_fk', ['a'], 'users', ['id'], (c) => c.onDelete('cascade'))
      .compile()
    expect(q.sql).toBe(
      'create table "pairs" ("a" INTEGER, "b" STRING, constraint "pairs_pk" primary key ("a", "b"), ' +
        'constraint "pairs_fk" foreign key ("a") references "users" ("id") on delete cascade)',
    )
    expect(db.schema.dropTable('pairs').ifExists().compile().sql).toBe('drop table if exists "pairs"')
  })
})

describe('builder calls Tarantool SQL cannot express fail before sending', () => {
  const db = new Kysely<any>({ dialect: new TarantoolDialect({ pool: { execute: async () => ({ metadata: [], rows: [], rowCount: 0, autoincrementIds: [] }) } }) })
  const cases: [string, () => { compile(): unknown }][] = [
    ['rename column', () => db.schema.alterTable('t').renameColumn('a', 'b')],
    ['drop column', () => db.schema.alterTable('t').dropColumn('a')],
    ['alter column', () => db.schema.alterTable('t').alterColumn('a', (c) => c.setDefault(1))],
    ['two added columns', () => db.schema.alterTable('t').addColumn('a', 'integer').addColumn('b', 'integer')],
    ['index in alter table', () => db.schema.alterTable('t').addIndex('i').column('a')],
    ['create or replace view', () => db.schema.createView('v').orReplace().as(db.selectFrom('t').selectAll())],
    ['temporary table', () => db.schema.createTable('t').temporary().addColumn('id', 'integer', (c) => c.primaryKey())],
    ['create table as', () => db.schema.createTable('t').as(db.selectFrom('u').selectAll())],
    ['drop cascade', () => db.schema.dropTable('t').cascade()],
    ['update from', () => db.updateTable('t').from('u').set({ a: 1 })],
    ['update limit', () => db.updateTable('t').set({ a: 1 }).limit(1)],
    ['delete limit', () => db.deleteFrom('t').limit(1)],
  ]
  for (const [name, build] of cases) {
    it(name, () => {
      expect(() => build().compile()).toThrow(TarantoolSyntaxNotSupportedError)
    })
  }

  it('one added column still compiles (Tarantool 2.7+)', () => {
    expect((db.schema.alterTable('t').addColumn('a', 'integer').compile() as { sql: string }).sql).toBe('alter table "t" add column "a" INTEGER')
  })
})
