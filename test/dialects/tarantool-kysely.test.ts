import { Kysely, sql, type Generated } from 'kysely'
import { Migrator, NO_MIGRATIONS, type Migration } from 'kysely/migration'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  TarantoolDialect,
  TarantoolDialectError,
  TarantoolMigrationLockTimeoutError,
  TarantoolOnConflictNotSupportedError,
  TarantoolReturningNotSupportedError,
  TransactionsNotSupportedError,
} from '../../dialects/tarantool/kysely/index.ts'
import { createPool, ServerError, type Pool } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

// The Kysely dialect against a real Tarantool (TARANTOOL_URL, else the local 2.6 binary).
interface Database {
  k_users: { id: Generated<number>; name: string; score: number | null; active: boolean | null; avatar: Uint8Array | null }
  k_pets: { id: Generated<number>; owner_id: number; species: string; weight: number }
  k_big: { id: number | bigint; label: string }
  migration_runs: { id: Generated<number>; name: string }
}

let server: ProvisionedTarantool
let pool: Pool
let db: Kysely<Database>
let streamsAvailable = false

beforeAll(async () => {
  server = await provisionTarantool()
  pool = await createPool(server.uri, { size: 2 })
  db = new Kysely<Database>({ dialect: new TarantoolDialect({ pool }) })
  const version = pool.connections.find((c) => c.serverVersion !== undefined)?.serverVersion ?? '0.0.0'
  const [major, minor] = version.split('.').map(Number) as [number, number]
  streamsAvailable = major > 2 || (major === 2 && minor >= 10)

  await db.schema
    .createTable('k_users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('active', 'boolean', (c) => c.defaultTo(true))
    .addColumn('avatar', 'blob')
    .execute()
  await db.schema
    .createTable('k_pets')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('k_users.id'))
    .addColumn('species', 'text', (c) => c.notNull())
    .addColumn('weight', 'real', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('k_pets_owner').on('k_pets').column('owner_id').execute()
  await db.schema.createTable('k_big').addColumn('id', 'bigint', (c) => c.primaryKey()).addColumn('label', 'text', (c) => c.notNull()).execute()
  await db.schema.createView('k_heavy_pets').as(db.selectFrom('k_pets').select(['id', 'species']).where('weight', '>', 10)).execute()
})

afterAll(async () => {
  await db?.destroy()
  await server?.stop()
})

describe('Kysely dialect: CRUD', () => {
  it('inserts and reports insertId and numInsertedOrUpdatedRows', async () => {
    const one = await db.insertInto('k_users').values({ name: 'Ann', score: 7.5 }).executeTakeFirstOrThrow()
    expect(one.insertId).toBe(1n)
    expect(one.numInsertedOrUpdatedRows).toBe(1n)
    const many = await db
      .insertInto('k_users')
      .values([
        { name: 'Bob', score: 3 },
        { name: 'Cid', score: null },
      ])
      .executeTakeFirstOrThrow()
    expect(many.numInsertedOrUpdatedRows).toBe(2n)
    expect(many.insertId).toBe(3n) // the last generated id
  })

  it('returns rows as objects keyed by the (quoted, case-kept) column names and aliases', async () => {
    const rows = await db.selectFrom('k_users').select(['id as userId', 'name', 'score', 'active']).orderBy('id').execute()
    expect(rows).toEqual([
      { userId: 1, name: 'Ann', score: 7.5, active: true },
      { userId: 2, name: 'Bob', score: 3, active: true },
      { userId: 3, name: 'Cid', score: null, active: true },
    ])
  })

  it('round-trips booleans, varbinary and doubles', async () => {
    const { insertId } = await db
      .insertInto('k_users')
      .values({ name: 'Dee', score: 0.25, active: false, avatar: Buffer.from([1, 2, 255]) })
      .executeTakeFirstOrThrow()
    const row = await db.selectFrom('k_users').selectAll().where('id', '=', Number(insertId)).executeTakeFirstOrThrow()
    expect(row.active).toBe(false)
    expect(row.score).toBe(0.25)
    expect(Buffer.from(row.avatar!)).toEqual(Buffer.from([1, 2, 255]))
  })

  it('updates and deletes with numUpdatedRows / numDeletedRows', async () => {
    const upd = await db.updateTable('k_users').set({ score: 10 }).where('score', '<', 5).executeTakeFirstOrThrow()
    expect(upd.numUpdatedRows).toBe(2n) // Bob (3) and Dee (0.25)
    const { insertId } = await db.insertInto('k_users').values({ name: 'Tmp' }).executeTakeFirstOrThrow()
    const del = await db.deleteFrom('k_users').where('id', '=', Number(insertId)).executeTakeFirstOrThrow()
    expect(del.numDeletedRows).toBe(1n)
    expect(await db.selectFrom('k_users').select('id').where('name', '=', 'Tmp').execute()).toEqual([])
  })

  it('supports INSERT OR IGNORE / OR REPLACE through orIgnore() / orReplace()', async () => {
    const ignored = await db.insertInto('k_users').orIgnore().values({ id: 1, name: 'Nope' }).executeTakeFirstOrThrow()
    expect(ignored.numInsertedOrUpdatedRows).toBe(0n)
    expect((await db.selectFrom('k_users').select('name').where('id', '=', 1).executeTakeFirstOrThrow()).name).toBe('Ann')

    await db.insertInto('k_users').values({ id: 100, name: 'Old' }).execute()
    const replaced = await db.insertInto('k_users').orReplace().values({ id: 100, name: 'New' }).executeTakeFirstOrThrow()
    expect(replaced.numInsertedOrUpdatedRows).toBe(2n) // Tarantool counts the deleted and the inserted row
    expect((await db.selectFrom('k_users').select('name').where('id', '=', 100).executeTakeFirstOrThrow()).name).toBe('New')
    await db.deleteFrom('k_users').where('id', '=', 100).execute()
  })

  it('pages with limit/offset and with an offset alone', async () => {
    const page = await db.selectFrom('k_users').select('name').orderBy('id').limit(2).offset(1).execute()
    expect(page.map((r) => r.name)).toEqual(['Bob', 'Cid'])
    const rest = await db.selectFrom('k_users').select('name').orderBy('id').offset(2).execute()
    expect(rest.map((r) => r.name)).toEqual(['Cid', 'Dee'])
  })

  it('decodes integers beyond 2^53 as bigint and binds bigint parameters', async () => {
    const big = 2n ** 62n + 1n
    await db.insertInto('k_big').values({ id: big, label: 'big' }).execute()
    const row = await db.selectFrom('k_big').selectAll().where('id', '=', big).executeTakeFirstOrThrow()
    expect(row).toEqual({ id: big, label: 'big' })
  })

  it('throws the named errors for returning() and onConflict() without sending anything', async () => {
    await expect(db.insertInto('k_users').values({ name: 'X' }).returning('id').execute()).rejects.toBeInstanceOf(TarantoolReturningNotSupportedError)
    await expect(
      db.insertInto('k_users').values({ id: 1, name: 'X' }).onConflict((oc) => oc.column('id').doNothing()).execute(),
    ).rejects.toBeInstanceOf(TarantoolOnConflictNotSupportedError)
    expect(await db.selectFrom('k_users').select('id').where('name', '=', 'X').execute()).toEqual([])
  })

  it('refuses Date parameters before sending them (Tarantool 2.6 crashes on MsgPack extension binds)', async () => {
    const err = await sql`select ${new Date(0)} as "d"`.execute(db).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TarantoolDialectError)
    expect(err).toMatchObject({ code: 'DATE_PARAMETER' })
    expect((err as Error).message).toMatch(/toISOString\(\).*getTime\(\)/)
    expect((await sql<{ one: number }>`select 1 as "one"`.execute(db)).rows).toEqual([{ one: 1 }]) // the server is still up
  })

  it('passes server errors through as the driver ServerError', async () => {
    const err = await db.insertInto('k_users').values({ id: 1, name: 'dup' }).execute().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect((err as ServerError).codeName).toBe('ER_TUPLE_FOUND')
  })
})

describe('Kysely dialect: joins, aggregates, subqueries, streaming', () => {
  beforeAll(async () => {
    await db
      .insertInto('k_pets')
      .values([
        { owner_id: 1, species: 'cat', weight: 4 },
        { owner_id: 1, species: 'dog', weight: 20 },
        { owner_id: 2, species: 'cat', weight: 5 },
      ])
      .execute()
  })

  it('inner and left joins', async () => {
    const inner = await db
      .selectFrom('k_users as u')
      .innerJoin('k_pets as p', 'p.owner_id', 'u.id')
      .select(['u.name', 'p.species'])
      .orderBy('p.id')
      .execute()
    expect(inner).toEqual([
      { name: 'Ann', species: 'cat' },
      { name: 'Ann', species: 'dog' },
      { name: 'Bob', species: 'cat' },
    ])
    const left = await db
      .selectFrom('k_users as u')
      .leftJoin('k_pets as p', 'p.owner_id', 'u.id')
      .select(['u.name', 'p.species'])
      .where('u.name', '=', 'Cid')
      .execute()
    expect(left).toEqual([{ name: 'Cid', species: null }])
  })

  it('right and full joins compile but Tarantool rejects them', async () => {
    const err = await db.selectFrom('k_users as u').rightJoin('k_pets as p', 'p.owner_id', 'u.id').select('p.id').execute().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect((err as Error).message).toMatch(/RIGHT and FULL OUTER JOINs/)
  })

  it('aggregates with group by / having', async () => {
    const rows = await db
      .selectFrom('k_pets')
      .select((eb) => ['species', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('weight').as('total'), eb.fn.max<number>('weight').as('heaviest')])
      .groupBy('species')
      .having((eb) => eb.fn.countAll(), '>=', 1)
      .orderBy('species')
      .execute()
    expect(rows).toEqual([
      { species: 'cat', n: 2, total: 9, heaviest: 5 },
      { species: 'dog', n: 1, total: 20, heaviest: 20 },
    ])
    const avg = await db.selectFrom('k_pets').select((eb) => eb.fn.avg<number>('weight').as('avg')).executeTakeFirstOrThrow()
    expect(avg.avg).toBeCloseTo(29 / 3)
  })

  it('correlated subqueries, IN subqueries and views', async () => {
    const owners = await db
      .selectFrom('k_users as u')
      .select((eb) => ['u.name', eb.selectFrom('k_pets as p').whereRef('p.owner_id', '=', 'u.id').select((e) => e.fn.countAll<number>().as('c')).as('pets')])
      .where('u.id', 'in', db.selectFrom('k_pets').select('owner_id'))
      .orderBy('u.id')
      .execute()
    expect(owners).toEqual([
      { name: 'Ann', pets: 2 },
      { name: 'Bob', pets: 1 },
    ])
    const heavy = await db.selectFrom('k_heavy_pets' as 'k_pets').select('species').execute()
    expect(heavy).toEqual([{ species: 'dog' }])
  })

  it('streams a select in chunkSize-row chunks', async () => {
    const chunks: string[][] = []
    const query = db.selectFrom('k_pets').select('species').orderBy('id')
    const names: string[] = []
    for await (const row of query.stream(2)) names.push(row.species)
    expect(names).toEqual(['cat', 'dog', 'cat'])
    // chunking is visible through the connection's streamQuery
    await db.connection().execute(async (conn) => {
      const compiled = conn.selectFrom('k_pets').select('species').orderBy('id').compile()
      const executor = conn.getExecutor()
      for await (const chunk of executor.stream(compiled, 2)) chunks.push(chunk.rows.map((r) => (r as { species: string }).species))
    })
    expect(chunks).toEqual([['cat', 'dog'], ['cat']])
  })
})

describe('Kysely dialect: introspection', () => {
  beforeAll(async () => {
    await pool.eval(`
      box.schema.space.create('k_lua_raw', { if_not_exists = true })
      local s = box.schema.space.create('k_lua_fmt', { if_not_exists = true,
        format = { { name = 'key', type = 'string' }, { name = 'val', type = 'unsigned', is_nullable = true } } })
      s:create_index('pk', { parts = { 'key' }, if_not_exists = true })
    `)
  })

  it('lists tables and views with columns, types, nullability, defaults and autoincrement', async () => {
    const tables = await db.introspection.getTables()
    const byName = new Map(tables.map((t) => [t.name, t]))
    expect(byName.get('k_users')).toEqual({
      name: 'k_users',
      isView: false,
      isForeign: false,
      columns: [
        { name: 'id', dataType: 'INTEGER', isNullable: false, isAutoIncrementing: true, hasDefaultValue: false },
        { name: 'name', dataType: 'STRING', isNullable: false, isAutoIncrementing: false, hasDefaultValue: false },
        { name: 'score', dataType: 'DOUBLE', isNullable: true, isAutoIncrementing: false, hasDefaultValue: false },
        { name: 'active', dataType: 'BOOLEAN', isNullable: true, isAutoIncrementing: false, hasDefaultValue: true },
        { name: 'avatar', dataType: 'VARBINARY', isNullable: true, isAutoIncrementing: false, hasDefaultValue: false },
      ],
    })
    expect(byName.get('k_big')?.columns[0]).toMatchObject({ name: 'id', dataType: 'INTEGER', isAutoIncrementing: false })
    expect(byName.get('k_heavy_pets')).toMatchObject({ isView: true, columns: [{ name: 'id' }, { name: 'species' }] })
    expect(byName.get('k_lua_fmt')?.columns).toEqual([
      { name: 'key', dataType: 'STRING', isNullable: false, isAutoIncrementing: false, hasDefaultValue: false },
      { name: 'val', dataType: 'UNSIGNED', isNullable: true, isAutoIncrementing: false, hasDefaultValue: false },
    ])
    expect(byName.has('k_lua_raw')).toBe(false) // no format: SQL cannot use it
    expect(tables.some((t) => t.name.startsWith('_'))).toBe(false) // no system spaces
    expect(tables.map((t) => t.name)).toEqual([...tables.map((t) => t.name)].sort())
    expect(await db.introspection.getSchemas()).toEqual([])
  })
})

describe('Kysely dialect: transactions', () => {
  it('transaction() throws the driver TransactionsNotSupportedError on servers without streams (< 2.10)', async () => {
    let ran = false
    const attempt = db.transaction().execute(async (trx) => {
      ran = true
      await trx.insertInto('k_users').values({ name: 'InTrx' }).execute()
    })
    if (streamsAvailable) {
      await attempt
      expect(ran).toBe(true)
      return
    }
    const err = await attempt.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TransactionsNotSupportedError)
    expect((err as Error).message).toMatch(/IPROTO streams.*2\.10/)
    expect(ran).toBe(false)
    expect(await db.selectFrom('k_users').select('id').where('name', '=', 'InTrx').execute()).toEqual([])
    await expect(db.startTransaction().execute()).rejects.toBeInstanceOf(TransactionsNotSupportedError)
  })
})

describe('Kysely dialect: Migrator', () => {
  const migrations: Record<string, Migration> = {
    '0001_accounts': {
      async up(m) {
        await m.schema
          .createTable('accounts')
          .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
          .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
          .execute()
      },
      async down(m) {
        await m.schema.dropTable('accounts').execute()
      },
    },
    '0002_accounts_index': {
      async up(m) {
        await m.schema.createIndex('accounts_email').on('accounts').column('email').execute()
      },
      async down(m) {
        await m.schema.dropIndex('accounts_email').on('accounts').execute()
      },
    },
  }
  const provider = { getMigrations: async () => migrations }

  it('migrates up and down and records the state in kysely_migration', async () => {
    const migrator = new Migrator({ db, provider })
    const up = await migrator.migrateToLatest()
    expect(up.error).toBeUndefined()
    expect(up.results?.map((r) => `${r.migrationName}:${r.direction}:${r.status}`)).toEqual(['0001_accounts:Up:Success', '0002_accounts_index:Up:Success'])
    expect((await db.introspection.getTables()).some((t) => t.name === 'accounts')).toBe(true)
    expect((await db.introspection.getTables()).some((t) => t.name === 'kysely_migration')).toBe(false)
    expect((await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name)).toEqual(
      expect.arrayContaining(['kysely_migration', 'kysely_migration_lock']),
    )
    const recorded = await sql<{ name: string }>`select "name" from "kysely_migration" order by "name"`.execute(db)
    expect(recorded.rows.map((r) => r.name)).toEqual(['0001_accounts', '0002_accounts_index'])

    const again = await migrator.migrateToLatest()
    expect(again.results).toEqual([])

    const down = await migrator.migrateDown()
    expect(down.results?.map((r) => `${r.migrationName}:${r.direction}:${r.status}`)).toEqual(['0002_accounts_index:Down:Success'])
    const down2 = await migrator.migrateTo(NO_MIGRATIONS)
    expect(down2.error).toBeUndefined()
    expect(down2.results?.map((r) => `${r.migrationName}:${r.direction}`)).toEqual(['0001_accounts:Down'])
    expect((await db.introspection.getTables()).some((t) => t.name === 'accounts')).toBe(false)
    const lock = await sql<{ is_locked: number }>`select "is_locked" from "kysely_migration_lock"`.execute(db)
    expect(lock.rows).toEqual([{ is_locked: 0 }]) // released after every run
  })

  it('serialises two migrators on separate pools with the compare-and-set lock', async () => {
    await db.schema.createTable('migration_runs').ifNotExists().addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()).addColumn('name', 'text', (c) => c.notNull()).execute()
    const slow: Record<string, Migration> = {
      '0100_slow': {
        async up(m) {
          await m.insertInto('migration_runs' as never).values({ name: '0100_slow' } as never).execute()
          await sleep(400) // keep the lock long enough for the other migrator to find it taken
          await m.schema.createTable('slow_table').addColumn('id', 'integer', (c) => c.primaryKey()).execute()
        },
        async down(m) {
          await m.schema.dropTable('slow_table').execute()
        },
      },
    }
    const makeDb = async () =>
      new Kysely<Database>({
        dialect: new TarantoolDialect({ pool: () => createPool(server.uri, { size: 1 }), migrationLock: { timeout: 15_000, pollInterval: 50 } }),
      })
    const [a, b] = await Promise.all([makeDb(), makeDb()])
    try {
      const migratorA = new Migrator({ db: a, provider: { getMigrations: async () => slow }, migrationTableName: 'slow_migration', migrationLockTableName: 'slow_migration_lock' })
      const migratorB = new Migrator({ db: b, provider: { getMigrations: async () => slow }, migrationTableName: 'slow_migration', migrationLockTableName: 'slow_migration_lock' })
      const [ra, rb] = await Promise.all([migratorA.migrateToLatest(), migratorB.migrateToLatest()])
      expect(ra.error).toBeUndefined()
      expect(rb.error).toBeUndefined()
      // Exactly one of them ran the migration; the other waited for the lock and then found nothing pending.
      expect([ra.results?.length, rb.results?.length].sort()).toEqual([0, 1])
      const runs = await db.selectFrom('migration_runs').select('name').execute()
      expect(runs).toEqual([{ name: '0100_slow' }])
    } finally {
      await a.destroy()
      await b.destroy()
    }
  })

  it('times out on a held lock with an error that says how to clear a stale lock', async () => {
    const lockDb = new Kysely<any>({ dialect: new TarantoolDialect({ pool: () => createPool(server.uri, { size: 1 }), migrationLock: { timeout: 300, pollInterval: 50 } }) })
    try {
      const heldSince = Date.now() - 60_000
      await sql`update "kysely_migration_lock" set "is_locked" = ${heldSince * 1000} where "id" = 'migration_lock'`.execute(lockDb)
      const migrator = new Migrator({ db: lockDb, provider })
      const result = await migrator.migrateToLatest()
      expect(result.error).toBeInstanceOf(TarantoolMigrationLockTimeoutError)
      const message = (result.error as Error).message
      expect(message).toContain(new Date(heldSince).toISOString())
      expect(message).toContain(`update "kysely_migration_lock" set "is_locked" = 0 where "id" = 'migration_lock'`)
      // The failed acquire must not release the other holder's lock.
      const still = await sql<{ is_locked: number }>`select "is_locked" from "kysely_migration_lock"`.execute(lockDb)
      expect(still.rows[0]?.is_locked).toBe(heldSince * 1000)

      // Clearing it as the message says lets the migrator run.
      await sql.raw(message.slice(message.indexOf('update "kysely_migration_lock"'))).execute(lockDb)
      const ok = await migrator.migrateToLatest()
      expect(ok.error).toBeUndefined()
      expect(ok.results?.map((r) => r.migrationName)).toEqual(['0001_accounts', '0002_accounts_index'])
    } finally {
      await lockDb.destroy()
    }
  })
})
