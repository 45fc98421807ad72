import { Kysely, sql, type Generated } from 'kysely'
import { Migrator, NO_MIGRATIONS, type Migration } from 'kysely/migration'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CrateDBDialect,
  CrateDBMigrationLockTimeoutError,
  CrateDBReturningNotSupportedError,
  CrateDBTransactionsNotSupportedError,
  cratedbSubscript,
  cratedbType,
  distance,
  equalsAny,
  refresh,
} from '../../dialects/cratedb/kysely/index.ts'
import { IntegrityError, ProgrammingError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { provisionCrateDB, type ProvisionedCrateDB } from './cratedb-test-server.ts'

// The Kysely dialect against CrateDB (CRATEDB_URL, else the local protocol server with periodic refresh off).
interface Database {
  k_users: {
    id: string
    name: string
    score: number | null
    active: boolean | null
    tags: string[] | null
    props: { city?: string; zip?: number; [k: string]: unknown } | null
    location: [number, number] | null
    joined: Date | null
  }
  k_pets: { id: Generated<string>; owner_id: string; species: string; weight: number }
  k_runs: { id: string; migration: string }
  k_shapes: {
    kind: string
    n: number
    twice: Generated<number>
    area: { type: string; coordinates: unknown } | null
    source: string | null
    emb: number[] | null
  }
}

const TABLES = ['k_users', 'k_pets', 'k_runs', 'k_mig_a', 'k_mig_b', 'k_lock_demo', 'k_lock_demo_lock', 'k_vis', 'k_heavy_pets', 'k_shapes', 'k_shapes_renamed']

let server: ProvisionedCrateDB
let client: CrateDBClient
let db: Kysely<Database>

async function dropAll(): Promise<void> {
  await sql`drop view if exists "k_heavy_pets"`.execute(db).catch(() => {})
  for (const t of [...TABLES, 'kysely_migration', 'kysely_migration_lock']) await db.schema.dropTable(t).ifExists().execute().catch(() => {})
}

beforeAll(async () => {
  server = await provisionCrateDB()
  client = server.client()
  db = new Kysely<Database>({ dialect: new CrateDBDialect({ client, migrationLock: { pollInterval: 20, timeout: 20_000 } }) })
  await dropAll()
  await db.schema
    .createTable('k_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('active', 'boolean', (c) => c.defaultTo(true))
    .addColumn('tags', cratedbType.array('text'))
    .addColumn('props', cratedbType.object('dynamic', { city: 'text', zip: 'integer' }))
    .addColumn('location', cratedbType.geoPoint())
    .addColumn('joined', 'timestamptz')
    .execute()
  await db.schema
    .createTable('k_pets')
    .addColumn('id', 'text', (c) => c.primaryKey().defaultTo(sql`gen_random_text_uuid()`))
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('species', 'text', (c) => c.notNull())
    .addColumn('weight', 'real', (c) => c.notNull())
    .execute()
  await db
    .insertInto('k_users')
    .values([
      { id: 'u1', name: 'Ann', score: 7.5, tags: ['admin', 'sql'], props: { city: 'Berlin', zip: 10115 }, location: [13.4, 52.52], joined: new Date('2024-01-02T03:04:05.678Z') },
      { id: 'u2', name: 'Bob', score: 3, tags: ['sql'], props: { city: 'Vienna', zip: 1010 }, location: [16.37, 48.21], joined: null },
      { id: 'u3', name: 'Cid', score: null, tags: [], props: null, location: null, joined: null },
    ])
    .execute()
  await db
    .insertInto('k_pets')
    .values([
      { owner_id: 'u1', species: 'cat', weight: 4 },
      { owner_id: 'u1', species: 'dog', weight: 20 },
      { owner_id: 'u2', species: 'cat', weight: 5 },
    ])
    .execute()
  await refresh(db, ['k_users', 'k_pets'])
})

afterAll(async () => {
  if (db !== undefined) {
    await dropAll()
    await db.destroy()
  }
  await server?.stop()
})

describe('Kysely on CrateDB: CRUD', () => {
  it('selects rows as objects keyed by the (quoted, case-kept) aliases', async () => {
    const rows = await db.selectFrom('k_users').select(['id as userId', 'name as Name', 'score']).orderBy('id').execute()
    expect(rows).toEqual([
      { userId: 'u1', Name: 'Ann', score: 7.5 },
      { userId: 'u2', Name: 'Bob', score: 3 },
      { userId: 'u3', Name: 'Cid', score: null },
    ])
  })

  it('reads a write by primary key at once, and by other columns only after refresh()', async () => {
    await db.insertInto('k_users').values({ id: 'fresh', name: 'Fresh' }).execute()
    expect(await db.selectFrom('k_users').select('name').where('id', '=', 'fresh').executeTakeFirst()).toEqual({ name: 'Fresh' })
    if (server.local) {
      // The local server keeps refresh off, so this is deterministic; a real cluster may refresh any time.
      expect(await db.selectFrom('k_users').select('id').where('name', '=', 'Fresh').execute()).toEqual([])
    }
    await refresh(db, 'k_users')
    expect(await db.selectFrom('k_users').select('id').where('name', '=', 'Fresh').execute()).toEqual([{ id: 'fresh' }])
    await db.deleteFrom('k_users').where('id', '=', 'fresh').execute()
    await refresh(db, 'k_users')
  })

  it('updates and deletes, reporting numUpdatedRows / numDeletedRows', async () => {
    await db.insertInto('k_users').values([{ id: 't1', name: 'Tmp', score: 1 }, { id: 't2', name: 'Tmp', score: 2 }]).execute()
    await refresh(db, 'k_users')
    const upd = await db.updateTable('k_users').set({ score: 10 }).where('name', '=', 'Tmp').executeTakeFirstOrThrow()
    expect(upd.numUpdatedRows).toBe(2n)
    await refresh(db, 'k_users')
    const del = await db.deleteFrom('k_users').where('name', '=', 'Tmp').executeTakeFirstOrThrow()
    expect(del.numDeletedRows).toBe(2n)
    await refresh(db, 'k_users')
    expect(await db.selectFrom('k_users').select('id').where('name', '=', 'Tmp').execute()).toEqual([])
  })

  it('returns rows from INSERT ... RETURNING (including generated defaults) and UPDATE ... RETURNING', async () => {
    const inserted = await db.insertInto('k_pets').values({ owner_id: 'u3', species: 'fish', weight: 0.1 }).returning(['id', 'species']).executeTakeFirstOrThrow()
    expect(inserted.species).toBe('fish')
    expect(inserted.id).toMatch(/^[A-Za-z0-9_-]{10,}$/) // gen_random_text_uuid()
    const updated = await db.updateTable('k_pets').set({ weight: 0.2 }).where('id', '=', inserted.id).returning(['id', 'weight']).execute()
    expect(updated).toEqual([{ id: inserted.id, weight: expect.closeTo(0.2, 5) }])
    await db.deleteFrom('k_pets').where('id', '=', inserted.id).execute()
    await refresh(db, 'k_pets')
  })

  it('refuses DELETE ... RETURNING before sending it', async () => {
    await expect(db.deleteFrom('k_pets').where('species', '=', 'cat').returning('id').execute()).rejects.toBeInstanceOf(CrateDBReturningNotSupportedError)
    await refresh(db, 'k_pets')
    expect(await db.selectFrom('k_pets').select((eb) => eb.fn.countAll<number>().as('n')).where('species', '=', 'cat').executeTakeFirst()).toEqual({ n: 2 })
  })

  it('upserts with ON CONFLICT (pk) DO UPDATE SET ... excluded, and DO NOTHING', async () => {
    await db
      .insertInto('k_users')
      .values({ id: 'up', name: 'First', score: 1 })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), score: eb(eb.ref('k_users.score'), '+', eb.ref('excluded.score')) })))
      .execute()
    const second = await db
      .insertInto('k_users')
      .values({ id: 'up', name: 'Second', score: 5 })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), score: eb(eb.ref('k_users.score'), '+', eb.ref('excluded.score')) })))
      .executeTakeFirstOrThrow()
    expect(second.numInsertedOrUpdatedRows).toBe(1n)
    expect(await db.selectFrom('k_users').select(['name', 'score']).where('id', '=', 'up').executeTakeFirst()).toEqual({ name: 'Second', score: 6 })
    const ignored = await db.insertInto('k_users').values({ id: 'up', name: 'Third' }).onConflict((oc) => oc.doNothing()).executeTakeFirstOrThrow()
    expect(ignored.numInsertedOrUpdatedRows).toBe(0n)
    expect(await db.selectFrom('k_users').select('name').where('id', '=', 'up').executeTakeFirst()).toEqual({ name: 'Second' })
    await db.deleteFrom('k_users').where('id', '=', 'up').execute()
    await refresh(db, 'k_users')
  })

  it('a duplicate primary key without ON CONFLICT is the driver IntegrityError (4091)', async () => {
    const error = await db.insertInto('k_users').values({ id: 'u1', name: 'Dup' }).execute().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error).toMatchObject({ code: 4091 })
  })
})

describe('Kysely on CrateDB: queries', () => {
  it('inner and left joins', async () => {
    const inner = await db
      .selectFrom('k_users as u')
      .innerJoin('k_pets as p', 'p.owner_id', 'u.id')
      .select(['u.name', 'p.species'])
      .orderBy('u.name')
      .orderBy('p.species')
      .execute()
    expect(inner).toEqual([
      { name: 'Ann', species: 'cat' },
      { name: 'Ann', species: 'dog' },
      { name: 'Bob', species: 'cat' },
    ])
    const left = await db.selectFrom('k_users as u').leftJoin('k_pets as p', 'p.owner_id', 'u.id').select(['u.id', 'p.species']).where('u.id', '=', 'u3').execute()
    expect(left).toEqual([{ id: 'u3', species: null }])
  })

  it('aggregates with group by / having, and subqueries', async () => {
    const perOwner = await db
      .selectFrom('k_pets')
      .select(['owner_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('weight').as('total')])
      .groupBy('owner_id')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute()
    expect(perOwner).toEqual([{ owner_id: 'u1', n: 2, total: 24 }])
    const owners = await db
      .selectFrom('k_users')
      .select('name')
      .where('id', 'in', (eb) => eb.selectFrom('k_pets').select('owner_id').where('species', '=', 'cat'))
      .orderBy('name')
      .execute()
    expect(owners).toEqual([{ name: 'Ann' }, { name: 'Bob' }])
  })

  it('pages with limit/offset and with an offset alone (LIMIT ALL)', async () => {
    expect(await db.selectFrom('k_users').select('id').orderBy('id').limit(1).offset(1).execute()).toEqual([{ id: 'u2' }])
    expect(await db.selectFrom('k_users').select('id').orderBy('id').offset(2).execute()).toEqual([{ id: 'u3' }])
  })

  it('streams a select in chunks through the server-side cursor', async () => {
    const ids: string[] = []
    for await (const row of db.selectFrom('k_users').select('id').orderBy('id').stream(2)) ids.push(row.id)
    expect(ids).toEqual(['u1', 'u2', 'u3'])
  })

  it('transaction() throws CrateDBTransactionsNotSupportedError and runs nothing', async () => {
    let ran = false
    await expect(
      db.transaction().execute(async (trx) => {
        ran = true
        await trx.insertInto('k_users').values({ id: 'tx', name: 'Tx' }).execute()
      }),
    ).rejects.toBeInstanceOf(CrateDBTransactionsNotSupportedError)
    expect(ran).toBe(false)
    expect(await db.selectFrom('k_users').select('id').where('id', '=', 'tx').execute()).toEqual([])
  })
})

describe('Kysely on CrateDB: right/full joins, set operations, window functions', () => {
  it('right and full joins', async () => {
    const right = await db
      .selectFrom('k_pets as p')
      .rightJoin('k_users as u', 'u.id', 'p.owner_id')
      .select(['u.id', 'p.species'])
      .where('u.id', 'in', ['u2', 'u3'])
      .orderBy('u.id')
      .execute()
    expect(right).toEqual([
      { id: 'u2', species: 'cat' },
      { id: 'u3', species: null },
    ])
    const full = await db
      .selectFrom('k_users as u')
      .fullJoin('k_pets as p', (join) => join.onRef('p.owner_id', '=', 'u.id').on('p.species', '=', 'dog'))
      .select(['u.id', 'p.species'])
      .execute()
    const key = (r: { id: string | null; species: string | null }) => `${r.id ?? '-'}/${r.species ?? '-'}`
    expect(full.map(key).sort()).toEqual(['-/cat', '-/cat', 'u1/dog', 'u2/-', 'u3/-'])
  })

  it('union, union all, intersect and except run with ORDER BY / LIMIT on the whole result', async () => {
    const owners = () => db.selectFrom('k_pets').select('owner_id as id')
    const union = await db.selectFrom('k_users').select('id').where('id', 'in', ['u1', 'u3']).union(owners()).orderBy('id').execute()
    expect(union).toEqual([{ id: 'u1' }, { id: 'u2' }, { id: 'u3' }])
    const all = await db.selectFrom('k_pets').select('owner_id').unionAll(db.selectFrom('k_pets').select('owner_id')).orderBy('owner_id').limit(5).execute()
    expect(all.map((r) => r.owner_id)).toEqual(['u1', 'u1', 'u1', 'u1', 'u2'])
    const both = await db.selectFrom('k_users').select('id').intersect(owners()).orderBy('id').execute()
    expect(both).toEqual([{ id: 'u1' }, { id: 'u2' }])
    const petless = await db.selectFrom('k_users').select('id').where('id', 'in', ['u1', 'u2', 'u3']).except(owners()).execute()
    expect(petless).toEqual([{ id: 'u3' }])
  })

  it('common table expressions and FETCH NEXT n ROWS ONLY', async () => {
    const heavy = await db
      .with('heavy', (qb) => qb.selectFrom('k_pets').select(['owner_id', 'weight']).where('weight', '>', 4.5))
      .selectFrom('heavy')
      .select('owner_id')
      .orderBy('owner_id')
      .fetch(1)
      .execute()
    expect(heavy).toEqual([{ owner_id: 'u1' }])
  })

  it('window functions', async () => {
    const rows = await db
      .selectFrom('k_pets')
      .select(['species', (eb) => eb.fn.sum<number>('weight').over((ob) => ob.partitionBy('owner_id')).as('ownerTotal')])
      .orderBy('owner_id')
      .orderBy('species')
      .execute()
    expect(rows).toEqual([
      { species: 'cat', ownerTotal: 24 },
      { species: 'dog', ownerTotal: 24 },
      { species: 'cat', ownerTotal: 5 },
    ])
  })
})

describe('Kysely on CrateDB: DDL', () => {
  it('creates a table with CHECK, a composite primary key, a generated column, CLUSTERED and geo_shape/ip/float_vector columns', async () => {
    await db.schema
      .createTable('k_shapes')
      .addColumn('kind', 'text')
      .addColumn('n', 'integer', (c) => c.check(sql`"n" > 0`))
      .addColumn('twice', 'integer', (c) => c.generatedAlwaysAs(sql`"n" * 2`))
      .addColumn('area', cratedbType.geoShape())
      .addColumn('source', cratedbType.ip())
      .addColumn('emb', cratedbType.floatVector(3))
      .addPrimaryKeyConstraint('k_shapes_pk', ['kind', 'n'])
      .addCheckConstraint('k_shapes_kind', sql`"kind" in ('a', 'b')`)
      .modifyEnd(sql`clustered into 2 shards with (number_of_replicas = 0)`)
      .execute()
    const area = { type: 'Point', coordinates: [1, 2] }
    await db.insertInto('k_shapes').values({ kind: 'a', n: 2, area, source: '192.168.0.1', emb: [1, 2, 3] }).execute()
    await db.insertInto('k_shapes').values({ kind: 'b', n: 2, area: null, source: null, emb: null }).execute() // same n, other kind: composite key
    const row = await db.selectFrom('k_shapes').select(['twice', 'area', 'source', 'emb']).where('kind', '=', 'a').where('n', '=', 2).executeTakeFirstOrThrow()
    expect(row).toEqual({ twice: 4, area, source: '192.168.0.1', emb: [1, 2, 3] })
    const duplicate = await db.insertInto('k_shapes').values({ kind: 'a', n: 2, area: null, source: null, emb: null }).execute().catch((e: unknown) => e)
    expect(duplicate).toBeInstanceOf(IntegrityError)
    await expect(db.insertInto('k_shapes').values({ kind: 'c', n: 1, area: null, source: null, emb: null }).execute()).rejects.toThrow(/check constraint/i)
    await expect(db.insertInto('k_shapes').values({ kind: 'a', n: 0, area: null, source: null, emb: null }).execute()).rejects.toThrow(/check constraint/i)
  })

  it('ALTER TABLE adds, renames and drops columns and renames the table', async () => {
    await db.schema.alterTable('k_shapes').addColumn('note', 'text').addColumn('ranks', cratedbType.array('integer')).execute()
    await db.schema.alterTable('k_shapes').renameColumn('note', 'remark').execute()
    await db.schema.alterTable('k_shapes').dropColumn('ranks').execute()
    await db.schema.alterTable('k_shapes').renameTo('k_shapes_renamed').execute()
    const tables = await db.introspection.getTables()
    expect(tables.some((t) => t.name === 'k_shapes')).toBe(false)
    const renamed = tables.find((t) => t.name === 'k_shapes_renamed')!
    expect(renamed.columns.map((c) => [c.name, c.dataType, c.hasDefaultValue])).toEqual([
      ['kind', 'text', false],
      ['n', 'integer', false],
      ['twice', 'integer', true],
      ['area', 'geo_shape', false],
      ['source', 'ip', false],
      ['emb', 'float_vector', false],
      ['remark', 'text', false],
    ])
    expect(await sql<{ n: number }>`select "n" from "k_shapes_renamed" where "kind" = 'a' and "n" = 2`.execute(db)).toMatchObject({ rows: [{ n: 2 }] })
  })
})

describe('Kysely on CrateDB: OBJECT, ARRAY, GEO_POINT, timestamps', () => {
  it('round-trips objects, arrays, points and timestamps', async () => {
    const ann = await db.selectFrom('k_users').select(['props', 'tags', 'location', 'joined']).where('id', '=', 'u1').executeTakeFirstOrThrow()
    expect(ann.props).toEqual({ city: 'Berlin', zip: 10115 })
    expect(ann.tags).toEqual(['admin', 'sql'])
    expect(ann.location).toEqual([expect.closeTo(13.4, 6), expect.closeTo(52.52, 6)])
    expect(ann.joined).toEqual(new Date('2024-01-02T03:04:05.678Z'))
  })

  it('reads object fields with subscripts, filters arrays with = ANY, orders by distance', async () => {
    const cities = await db
      .selectFrom('k_users')
      .select(['id', cratedbSubscript<number>('props', 'zip').as('zip')])
      .where(cratedbSubscript('props', 'city'), '=', 'Berlin')
      .execute()
    expect(cities).toEqual([{ id: 'u1', zip: 10115 }])
    const sqlUsers = await db.selectFrom('k_users').select('id').where(equalsAny('sql', 'tags')).orderBy('id').execute()
    expect(sqlUsers).toEqual([{ id: 'u1' }, { id: 'u2' }])
    const nearVienna = await db
      .selectFrom('k_users')
      .select(['id', distance('location', [16.37, 48.21]).as('meters')])
      .where('location', 'is not', null)
      .orderBy('meters')
      .execute()
    expect(nearVienna.map((r) => r.id)).toEqual(['u2', 'u1'])
    expect(nearVienna[0]!.meters).toBeLessThan(1)
    expect(nearVienna[1]!.meters).toBeGreaterThan(500_000) // Berlin-Vienna is about 520 km
    expect(nearVienna[1]!.meters).toBeLessThan(540_000)
  })

  it('compares object sub-columns with numeric parameters as numbers', async () => {
    const bigZip = await db.selectFrom('k_users').select('id').where(cratedbSubscript('props', 'zip'), '>', 5000).execute()
    expect(bigZip).toEqual([{ id: 'u1' }])
  })

  it('JSON references compile to subscripts that the server evaluates', async () => {
    const row = await (db as unknown as Kysely<{ k_users: { id: string; props: { city: string } } }>)
      .selectFrom('k_users')
      .select((eb) => eb.ref('props', '->>').key('city').as('city'))
      .where('id', '=', 'u2')
      .executeTakeFirst()
    expect(row).toEqual({ city: 'Vienna' })
  })
})

describe('Kysely on CrateDB: introspection', () => {
  it('lists user schemas without the system ones', async () => {
    const schemas = (await db.introspection.getSchemas()).map((s) => s.name)
    expect(schemas).toContain('doc')
    for (const system of ['sys', 'information_schema', 'pg_catalog', 'blob']) expect(schemas).not.toContain(system)
  })

  it('lists tables and views with columns, CrateDB types, nullability and defaults, without object sub-columns', async () => {
    await db.schema.createView('k_heavy_pets').orReplace().as(db.selectFrom('k_pets').select(['id', 'species']).where('weight', '>', 10)).execute()
    const tables = await db.introspection.getTables()
    const users = tables.find((t) => t.name === 'k_users')!
    expect(users).toMatchObject({ schema: 'doc', isView: false, isForeign: false })
    expect(users.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue, c.isAutoIncrementing])).toEqual([
      ['id', 'text', false, false, false],
      ['name', 'text', false, false, false],
      ['score', 'double precision', true, false, false],
      ['active', 'boolean', true, true, false],
      ['tags', 'text_array', true, false, false],
      ['props', 'object', true, false, false],
      ['location', 'geo_point', true, false, false],
      ['joined', 'timestamp with time zone', true, false, false],
    ])
    expect(tables.find((t) => t.name === 'k_pets')!.columns.find((c) => c.name === 'id')!.hasDefaultValue).toBe(true)
    expect(tables.find((t) => t.name === 'k_heavy_pets')).toMatchObject({ isView: true, columns: [{ name: 'id' }, { name: 'species' }] })
    expect(tables.some((t) => t.schema === 'sys' || t.schema === 'information_schema')).toBe(false)
  })
})

describe('Kysely on CrateDB: Migrator', () => {
  const log: string[] = []
  const migrations: Record<string, Migration> = {
    '001_create_a': {
      async up(db) {
        log.push('up 001')
        await db.schema.createTable('k_mig_a').addColumn('id', 'text', (c) => c.primaryKey()).execute()
      },
      async down(db) {
        log.push('down 001')
        await db.schema.dropTable('k_mig_a').execute()
      },
    },
    '002_create_b': {
      async up(db) {
        log.push('up 002')
        await db.schema.createTable('k_mig_b').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('tags', cratedbType.array('text')).execute()
      },
      async down(db) {
        log.push('down 002')
        await db.schema.dropTable('k_mig_b').execute()
      },
    },
  }
  const provider = { getMigrations: async () => migrations }

  it('migrates up, down and back up; bookkeeping is visible to every reader', async () => {
    const migrator = new Migrator({ db, provider })
    const up = await migrator.migrateToLatest()
    expect(up.error).toBeUndefined()
    expect(up.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['001_create_a', 'Up', 'Success'],
      ['002_create_b', 'Up', 'Success'],
    ])
    // A second migrator (another process would do the same) sees both as executed: nothing to run.
    const again = await new Migrator({ db, provider }).migrateToLatest()
    expect(again).toEqual({ results: [] })
    const info = await migrator.getMigrations()
    expect(info.every((m) => m.executedAt instanceof Date)).toBe(true)

    const down = await migrator.migrateDown()
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([['002_create_b', 'Down', 'Success']])
    expect((await db.introspection.getTables()).some((t) => t.name === 'k_mig_b')).toBe(false)
    const all = await migrator.migrateTo(NO_MIGRATIONS)
    expect(all.results?.map((r) => r.migrationName)).toEqual(['001_create_a'])
    const back = await migrator.migrateToLatest()
    expect(back.results?.map((r) => r.status)).toEqual(['Success', 'Success'])
    expect(log).toEqual(['up 001', 'up 002', 'down 002', 'down 001', 'up 001', 'up 002'])
    const tables = await db.introspection.getTables()
    expect(tables.some((t) => t.name === 'kysely_migration')).toBe(false) // internal tables hidden by default
    expect((await db.introspection.getTables({ withInternalKyselyTables: true })).some((t) => t.name === 'kysely_migration_lock')).toBe(true)
  })

  it('serialises two concurrent migrators with the optimistic-concurrency lock', async () => {
    await db.schema.createTable('k_runs').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('migration', 'text').execute()
    const windows: { name: string; start: number; end: number }[] = []
    const slow = (name: string): Migration => ({
      async up(db) {
        const start = Date.now()
        await sleep(150)
        await db.insertInto('k_runs' as never).values({ id: `${name}-${start}-${Math.random()}`, migration: name } as never).execute()
        windows.push({ name, start, end: Date.now() })
      },
    })
    const concurrent = { '100_slow': slow('100_slow'), '101_slow': slow('101_slow') }
    const options = { provider: { getMigrations: async () => concurrent }, migrationTableName: 'k_lock_demo', migrationLockTableName: 'k_lock_demo_lock' }
    // Two Kysely instances on two clients: two processes as far as the server is concerned.
    const other = new Kysely<Database>({ dialect: new CrateDBDialect({ client: server.client(), migrationLock: { pollInterval: 20 } }) })
    try {
      const [a, b] = await Promise.all([new Migrator({ db, ...options }).migrateToLatest(), new Migrator({ db: other, ...options }).migrateToLatest()])
      expect(a.error).toBeUndefined()
      expect(b.error).toBeUndefined()
      // Exactly one migrator ran the two migrations; the other found nothing pending once it got the lock.
      const ran = [a.results ?? [], b.results ?? []].map((r) => r.length).sort()
      expect(ran).toEqual([0, 2])
      await refresh(db, 'k_runs')
      const runs = await db.selectFrom('k_runs').select('migration').orderBy('migration').execute()
      expect(runs).toEqual([{ migration: '100_slow' }, { migration: '101_slow' }])
      expect(windows).toHaveLength(2)
      // The lock row is free again.
      expect(await sql<{ is_locked: number }>`select "is_locked" from "k_lock_demo_lock" where "id" = 'migration_lock'`.execute(db)).toMatchObject({ rows: [{ is_locked: 0 }] })
    } finally {
      await other.destroy()
    }
  })

  it('times out on a lock held by a crashed migrator, naming the statement that clears it', async () => {
    await sql`update "k_lock_demo_lock" set "is_locked" = 1 where "id" = 'migration_lock'`.execute(db)
    const impatient = new Kysely<Database>({ dialect: new CrateDBDialect({ client: server.client(), migrationLock: { timeout: 200, pollInterval: 20 } }) })
    try {
      const result = await new Migrator({
        db: impatient,
        provider: { getMigrations: async () => ({}) },
        migrationTableName: 'k_lock_demo',
        migrationLockTableName: 'k_lock_demo_lock',
      }).migrateToLatest()
      expect(result.error).toBeInstanceOf(CrateDBMigrationLockTimeoutError)
      expect((result.error as Error).message).toContain(`update "k_lock_demo_lock" set "is_locked" = 0 where "id" = 'migration_lock'`)
    } finally {
      await impatient.destroy()
      await sql`update "k_lock_demo_lock" set "is_locked" = 0 where "id" = 'migration_lock'`.execute(db)
    }
  })

  it('server-side errors pass through as the driver errors', async () => {
    await expect(sql`select * from "k_no_such_table"`.execute(db)).rejects.toBeInstanceOf(ProgrammingError)
  })
})
