import { count, DrizzleQueryError, eq, gt, relations, sql } from 'drizzle-orm'
import { doublePrecision, exceptAll, integer, pgTable, text, unionAll } from 'drizzle-orm/pg-core'
import { describe, expect, it } from 'vitest'
import {
  array,
  CrateDBOnConflictNotSupportedError,
  CrateDBReturningNotSupportedError,
  CrateDBSyntaxNotSupportedError,
  CrateDBTransactionsNotSupportedError,
  drizzle,
  geoPoint,
  geoShape,
  ip,
  object,
  refresh,
  type CrateDBSqlClient,
  type CrateDBSqlResult,
} from '../../dialects/cratedb/drizzle/index.ts'
import { splitStatements } from '../../dialects/cratedb/drizzle/cratedb-sql-statements.ts'

// Drizzle on CrateDB without a server: `.toSQL()` output, and result mapping against a recording client.

const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  score: doublePrecision('score'),
  props: object<{ mag: number; place: string }>('props', { policy: 'strict', columns: { mag: 'double precision', place: 'text' } }),
  tags: array<string>('tags', 'text'),
  location: geoPoint('location'),
  area: geoShape('area'),
  source: ip('source'),
})
const pets = pgTable('pets', { id: text('id').primaryKey(), ownerId: text('owner_id').notNull(), species: text('species'), legs: integer('legs') })
const usersRelations = relations(users, ({ many }) => ({ pets: many(pets) }))
const petsRelations = relations(pets, ({ one }) => ({ owner: one(users, { fields: [pets.ownerId], references: [users.id] }) }))
const schema = { users, pets, usersRelations, petsRelations }

function recordingClient(answer: (sql: string) => CrateDBSqlResult = () => ({ cols: [], rows: [[]], rowCount: 1 })) {
  const calls: { sql: string; args: readonly unknown[]; options: unknown }[] = []
  const client: CrateDBSqlClient = {
    execute: async (sql, args = [], options) => {
      calls.push({ sql, args, options })
      return answer(sql)
    },
  }
  return { client, calls }
}

const db = drizzle(recordingClient().client, { schema })

describe('Drizzle on CrateDB: SQL (.toSQL())', () => {
  it('keeps PostgreSQL $n parameters (CrateDB HTTP accepts them) and quotes every identifier', () => {
    const q = db.select({ id: users.id, n: users.name }).from(users).where(gt(users.score, 3)).orderBy(users.id).limit(10).offset(5).toSQL()
    expect(q.sql).toBe('select "id", "name" from "users" where "users"."score" > $1 order by "users"."id" limit $2 offset $3')
    expect(q.params).toEqual([3, 10, 5])
  })

  it('compiles upserts on the primary key with excluded, and DO NOTHING', () => {
    const up = db
      .insert(users)
      .values({ id: 'a', name: 'Ann' })
      .onConflictDoUpdate({ target: users.id, set: { name: sql`excluded.name`, score: sql`${users.score} + 1` } })
      .returning({ id: users.id })
      .toSQL()
    expect(up.sql).toBe(
      'insert into "users" ("id", "name", "score", "props", "tags", "location", "area", "source") values ($1, $2, default, default, default, default, default, default) ' +
        'on conflict ("id") do update set "name" = excluded.name, "score" = "users"."score" + 1 returning "id"',
    )
    expect(db.insert(pets).values({ id: 'p', ownerId: 'a' }).onConflictDoNothing().toSQL().sql).toMatch(/on conflict do nothing$/)
  })

  it('rejects WHERE in ON CONFLICT, DELETE ... RETURNING, row locks, DISTINCT ON, lateral joins and UPDATE ... FROM', () => {
    expect(() => db.insert(users).values({ id: 'a', name: 'A' }).onConflictDoUpdate({ target: users.id, set: { name: 'B' }, setWhere: sql`true` }).toSQL()).toThrow(
      CrateDBOnConflictNotSupportedError,
    )
    expect(() => db.insert(users).values({ id: 'a', name: 'A' }).onConflictDoUpdate({ target: users.id, set: { name: 'B' }, targetWhere: sql`true` }).toSQL()).toThrow(
      CrateDBOnConflictNotSupportedError,
    )
    expect(() => db.insert(users).values({ id: 'a', name: 'A' }).onConflictDoNothing({ target: users.id, where: sql`true` }).toSQL()).toThrow(CrateDBOnConflictNotSupportedError)
    expect(() => db.delete(users).returning().toSQL()).toThrow(CrateDBReturningNotSupportedError)
    expect(() => db.select().from(users).for('update').toSQL()).toThrow(/row locking/)
    expect(() => db.selectDistinctOn([users.name]).from(users).toSQL()).toThrow(/DISTINCT ON/)
    const sub = db.select({ ownerId: pets.ownerId }).from(pets).where(eq(pets.ownerId, users.id)).as('sub')
    expect(() => db.select().from(users).leftJoinLateral(sub, sql`true`).toSQL()).toThrow(/LATERAL/)
    expect(() => db.update(users).set({ name: 'x' }).from(pets).where(eq(pets.ownerId, users.id)).toSQL()).toThrow(CrateDBSyntaxNotSupportedError)
  })

  it('writes set operations without brackets around the operands', () => {
    const ids = () => db.select({ id: users.id }).from(users)
    const petIds = () => db.select({ id: pets.id }).from(pets)
    expect(ids().union(petIds()).toSQL().sql).toBe('select "id" from "users" union select "id" from "pets"')
    const all = unionAll(ids(), petIds(), ids().where(eq(users.name, 'x'))).orderBy(users.id).limit(2).offset(1).toSQL()
    expect(all.sql).toBe('select "id" from "users" union all select "id" from "pets" union all select "id" from "users" where "users"."name" = $1 order by "id" limit $2 offset $3')
    expect(all.params).toEqual(['x', 2, 1])
    expect(ids().intersect(petIds()).union(ids()).toSQL().sql).toBe('select "id" from "users" intersect select "id" from "pets" union select "id" from "users"')
  })

  it('refuses INTERSECT/EXCEPT ALL, per-operand ORDER BY/LIMIT and set operations CrateDB would read differently', () => {
    const ids = () => db.select({ id: users.id }).from(users)
    const petIds = () => db.select({ id: pets.id }).from(pets)
    expect(() => ids().intersectAll(petIds()).toSQL()).toThrow(CrateDBSyntaxNotSupportedError)
    expect(() => exceptAll(ids(), petIds()).toSQL()).toThrow(/INTERSECT ALL \/ EXCEPT ALL/)
    expect(() => ids().union(petIds()).except(ids()).toSQL()).toThrow(/INTERSECT\/EXCEPT after another set operation/)
    expect(() => ids().union(petIds().orderBy(pets.id).limit(1)).toSQL()).toThrow(/one operand of a set operation/)
    expect(() => ids().orderBy(users.id).limit(1).$dynamic().union(petIds()).toSQL()).toThrow(/one operand of a set operation/)
    expect(() => ids().union(petIds().union(ids())).toSQL()).toThrow(/nested in an operand/)
    const cte = db.$with('c').as(db.select({ id: pets.id }).from(pets))
    expect(() => ids().union(db.with(cte).select({ id: cte.id }).from(cte)).toSQL()).toThrow(/WITH on one operand/)
    expect(() => db.with(cte).delete(users).where(eq(users.id, 'a')).toSQL()).toThrow(/before DELETE/)
  })

  it('builds relational queries without `with` and refuses nested relations', () => {
    expect(db.query.users.findMany({ columns: { id: true }, where: eq(users.id, 'a') }).toSQL().sql).toBe('select "id" from "users" "users" where "users"."id" = $1')
    expect(() => db.query.users.findMany({ with: { pets: true } }).toSQL()).toThrow(/nested relations/)
  })

  it('column helpers declare CrateDB types (what drizzle-kit would write)', () => {
    expect(users.props.getSQLType()).toBe('object(strict) as ("mag" double precision, "place" text)')
    expect(users.tags.getSQLType()).toBe('array(text)')
    expect(users.location.getSQLType()).toBe('geo_point')
    expect(users.area.getSQLType()).toBe('geo_shape')
    expect(users.source.getSQLType()).toBe('ip')
    expect(() => array('x; drop table users')).toThrow(/Not a CrateDB type/)
  })
})

describe('Drizzle on CrateDB: execution against a recording client', () => {
  it('asks for array rows and maps them by position through the column helpers', async () => {
    const { client, calls } = recordingClient(() => ({
      cols: ['id', 'name', 'location', 'props'],
      rows: [['a', 'Ann', [9.74, 47.41], { mag: 4.5, place: 'X' }]],
      rowCount: 1,
    }))
    const d = drizzle(client)
    const rows = await d.select({ id: users.id, name: users.name, location: users.location, props: users.props }).from(users)
    expect(rows).toEqual([{ id: 'a', name: 'Ann', location: [9.74, 47.41], props: { mag: 4.5, place: 'X' } }])
    expect(calls[0]!.options).toEqual({ rowMode: 'array' })
  })

  it('parses WKT points read back into [lon, lat]', async () => {
    const { client } = recordingClient(() => ({ cols: ['location'], rows: [['POINT (1.5 -2)']], rowCount: 1 }))
    expect(await drizzle(client).select({ location: users.location }).from(users)).toEqual([{ location: [1.5, -2] }])
  })

  it('sends JS values for OBJECT, ARRAY and GEO_POINT parameters (not JSON or PostgreSQL array text)', async () => {
    const { client, calls } = recordingClient()
    await drizzle(client)
      .insert(users)
      .values({ id: 'a', name: 'A', props: { mag: 1, place: 'p' }, tags: ['x', 'y'], location: [1, 2] })
    expect(calls[0]!.args).toEqual(['a', 'A', { mag: 1, place: 'p' }, ['x', 'y'], [1, 2]])
  })

  it('db.execute() and DML without returning resolve to { rows (objects), rowCount, cols }', async () => {
    const { client } = recordingClient((s) => (s.startsWith('select') ? { cols: ['n', 'Label'], rows: [[1, 'x']], rowCount: 1 } : { cols: [], rows: [[]], rowCount: 2 }))
    const d = drizzle(client)
    expect(await d.execute(sql`select 1 as n, 'x' as "Label"`)).toEqual({ rows: [{ n: 1, Label: 'x' }], rowCount: 1, cols: ['n', 'Label'] })
    expect(await d.update(users).set({ name: 'x' })).toEqual({ rows: [], rowCount: 2, cols: [] })
  })

  it('$count reads the count column', async () => {
    const { client } = recordingClient(() => ({ cols: ['count'], rows: [[7]], rowCount: 1 }))
    expect(await drizzle(client).$count(users)).toBe(7)
    const { client: c2 } = recordingClient(() => ({ cols: ['value'], rows: [[3]], rowCount: 1 }))
    expect(await drizzle(c2).select({ value: count() }).from(users)).toEqual([{ value: 3 }])
  })

  it('transaction() throws CrateDBTransactionsNotSupportedError; the callback never runs and nothing is sent', async () => {
    const { client, calls } = recordingClient()
    let ran = false
    await expect(
      drizzle(client).transaction(async () => {
        ran = true
      }),
    ).rejects.toBeInstanceOf(CrateDBTransactionsNotSupportedError)
    expect(ran).toBe(false)
    expect(calls).toEqual([])
  })

  it('refresh() sends REFRESH TABLE for tables and names', async () => {
    const { client, calls } = recordingClient()
    await refresh(drizzle(client), users, 'doc.pets')
    expect(calls[0]!.sql).toBe('refresh table "users", "doc"."pets"')
  })

  it('server errors arrive wrapped in DrizzleQueryError with the driver error as cause', async () => {
    const failure = Object.assign(new Error('RelationUnknown[Relation \'doc.nope\' unknown]'), { code: 4041 })
    const client: CrateDBSqlClient = { execute: () => Promise.reject(failure) }
    const error = await drizzle(client).select().from(users).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DrizzleQueryError)
    expect((error as Error).cause).toBe(failure)
  })
})

describe('splitStatements (migration files without breakpoints)', () => {
  it('splits at top-level semicolons only', () => {
    const text = [
      "insert into t (a) values ('x;y'), ('it''s;'), (E'\\';'); -- tail; comment",
      'create table "a;b" ("c;d" text);',
      '/* only a comment; */',
      '  ;',
      "select 1 /* inner; */ as \"x\"\"y;\"",
    ].join('\n')
    expect(splitStatements(text)).toEqual([
      "insert into t (a) values ('x;y'), ('it''s;'), (E'\\';')",
      '-- tail; comment\ncreate table "a;b" ("c;d" text)',
      "select 1 /* inner; */ as \"x\"\"y;\"",
    ])
    expect(splitStatements('select 1')).toEqual(['select 1'])
    expect(splitStatements('-- nothing here\n')).toEqual([])
  })
})
