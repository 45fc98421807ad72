import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Connection } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

// Every IPROTO request type against the real server (TARANTOOL_URL or a local tarantool).
let server: ProvisionedTarantool
let conn: Connection

const SETUP = `
  local s = box.schema.space.create('req_users', { if_not_exists = true, format = {
    { name = 'id', type = 'unsigned' }, { name = 'name', type = 'string' },
    { name = 'age', type = 'unsigned' }, { name = 'tags', type = 'any', is_nullable = true } } })
  s:create_index('primary', { parts = { 'id' }, if_not_exists = true })
  s:create_index('by_name', { parts = { 'name' }, unique = false, if_not_exists = true })
  s:truncate()
  local c = box.schema.space.create('req_counters', { if_not_exists = true, format = {
    { name = 'k', type = 'string' }, { name = 'n', type = 'integer' }, { name = 's', type = 'string', is_nullable = true } } })
  c:create_index('primary', { parts = { 'k' }, if_not_exists = true })
  c:truncate()
  rawset(_G, 'req_sum', function(a, b) return a + b end)
  rawset(_G, 'req_multi', function() return 1, 'two', { 3 } end)
  rawset(_G, 'req_fail', function() error('boom from lua') end)
`

beforeAll(async () => {
  server = await provisionTarantool()
  conn = await connect(server.uri)
  await conn.eval(SETUP)
})

afterAll(async () => {
  await conn?.close()
  await server?.stop()
})

describe('Tarantool requests', () => {
  it('pings and reports the server version', async () => {
    await expect(conn.ping()).resolves.toBeUndefined()
    expect(conn.serverVersion).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('inserts and returns the stored tuple, selects by primary key and by index name', async () => {
    expect(await conn.insert('req_users', [1, 'ann', 31, ['a', 'b']])).toEqual([1, 'ann', 31, ['a', 'b']])
    await conn.insert('req_users', [2, 'bob', 25, null])
    await conn.insert('req_users', [3, 'bob', 40, null])
    expect(await conn.select('req_users', [1])).toEqual([[1, 'ann', 31, ['a', 'b']]])
    const bobs = await conn.select('req_users', ['bob'], { index: 'by_name' })
    expect(bobs.map((t) => t[0]).sort()).toEqual([2, 3])
    // index by id (1 = by_name) and space by id
    const schema = await conn.loadSchema()
    const spaceId = schema.space('req_users')!.id
    expect((await conn.select(spaceId, ['ann'], { index: 1 })).map((t) => t[0])).toEqual([1])
  })

  it('supports iterators, limit and offset', async () => {
    const all = await conn.select('req_users', [], { iterator: 'all' })
    expect(all.map((t) => t[0])).toEqual([1, 2, 3])
    expect((await conn.select('req_users', [2], { iterator: 'ge' })).map((t) => t[0])).toEqual([2, 3])
    expect((await conn.select('req_users', [2], { iterator: 'gt' })).map((t) => t[0])).toEqual([3])
    expect((await conn.select('req_users', [2], { iterator: 'le' })).map((t) => t[0])).toEqual([2, 1])
    expect((await conn.select('req_users', [3], { iterator: 'lt' })).map((t) => t[0])).toEqual([2, 1])
    expect((await conn.select('req_users', [], { iterator: 'req' })).map((t) => t[0])).toEqual([3, 2, 1])
    expect((await conn.select('req_users', [], { limit: 1, offset: 1 })).map((t) => t[0])).toEqual([2])
    expect(await conn.select('req_users', [], { limit: 0 })).toEqual([])
  })

  it('replaces, updates with every operation, upserts and deletes', async () => {
    expect(await conn.replace('req_users', [2, 'bob', 26, null])).toEqual([2, 'bob', 26, null])
    await conn.replace('req_counters', ['c', 10, 'hello world'])
    const updated = await conn.update('req_counters', ['c'], [['+', 1, 5], [':', 2, 0, 5, 'HELLO']])
    expect(updated).toEqual(['c', 15, 'HELLO world'])
    expect(await conn.update('req_counters', ['c'], [['-', 'n', 3]])).toEqual(['c', 12, 'HELLO world'])
    expect(await conn.update('req_counters', ['c'], [['&', 1, 4]])).toEqual(['c', 4, 'HELLO world'])
    expect(await conn.update('req_counters', ['c'], [['|', 1, 3]])).toEqual(['c', 7, 'HELLO world'])
    expect(await conn.update('req_counters', ['c'], [['^', 1, 1]])).toEqual(['c', 6, 'HELLO world'])
    expect(await conn.update('req_counters', ['c'], [['=', 2, 'x']])).toEqual(['c', 6, 'x'])
    expect(await conn.update('req_counters', ['c'], [['!', 3, 'extra']])).toEqual(['c', 6, 'x', 'extra'])
    expect(await conn.update('req_counters', ['c'], [['#', 3, 1]])).toEqual(['c', 6, 'x'])
    expect(await conn.update('req_counters', ['missing'], [['+', 1, 1]])).toBeUndefined()

    await conn.upsert('req_counters', ['u', 1, null], [['+', 1, 1]])
    await conn.upsert('req_counters', ['u', 1, null], [['+', 1, 1]])
    expect(await conn.select('req_counters', ['u'])).toEqual([['u', 2, null]])

    expect(await conn.delete('req_counters', ['u'])).toEqual(['u', 2, null])
    expect(await conn.delete('req_counters', ['u'])).toBeUndefined()
    expect(await conn.select('req_counters', ['u'])).toEqual([])
  })

  it('calls Lua functions with CALL and CALL_16, and evaluates Lua', async () => {
    expect(await conn.call('req_sum', [2, 3])).toEqual([5])
    expect(await conn.call('req_multi')).toEqual([1, 'two', [3]])
    expect(await conn.call16('req_multi')).toEqual([[1], ['two'], [3]])
    expect(await conn.call('box.space.req_users:count')).toEqual([3])
    expect(await conn.eval('local a, b = ... return a * b, "ok"', [6, 7])).toEqual([42, 'ok'])
    expect(await conn.eval('return')).toEqual([])
  })

  it('executes SQL with positional and named parameters, metadata, row counts and autoincrement ids', async () => {
    await conn.execute('DROP TABLE IF EXISTS "req_sql"')
    const created = await conn.execute('CREATE TABLE "req_sql" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "v" STRING, "n" DOUBLE)')
    expect(created.rowCount).toBe(1)
    const ins = await conn.execute('INSERT INTO "req_sql" ("v", "n") VALUES (?, ?), (?, ?)', ['a', 1.5, 'b', 2.5])
    expect(ins.rowCount).toBe(2)
    expect(ins.autoincrementIds).toEqual([1, 2])
    const named = await conn.execute('INSERT INTO "req_sql" ("v", "n") VALUES (:v, @n)', { v: 'c', '@n': 3.5 })
    expect(named.autoincrementIds).toEqual([3])
    const sel = await conn.execute('SELECT "id", "v" AS "value", "n" * 2 FROM "req_sql" WHERE "id" >= ? ORDER BY "id"', [2])
    expect(sel.metadata.map((m) => m.name)).toEqual(['id', 'value', 'COLUMN_1'])
    expect(sel.metadata.map((m) => m.type)).toEqual(['integer', 'string', 'double'])
    expect(sel.rows).toEqual([
      [2, 'b', 5],
      [3, 'c', 7],
    ])
    expect(sel.rowCount).toBe(2)
    const none = await conn.execute('SELECT "id" FROM "req_sql" WHERE "id" > 100')
    expect([none.rows.length, none.rowCount]).toEqual([0, 0])
    const upd = await conn.execute('UPDATE "req_sql" SET "v" = \'z\' WHERE "id" < 3')
    expect(upd.rowCount).toBe(2)
  })

  it('prepares, executes and unprepares SQL statements, surviving DDL that expires them', async () => {
    const stmt = await conn.prepare('SELECT "v" FROM "req_sql" WHERE "id" = ?')
    expect(stmt.bindCount).toBe(1)
    expect(stmt.metadata.map((m) => m.name)).toEqual(['v'])
    expect((await stmt.execute([3])).rows).toEqual([['c']])
    // DDL anywhere expires prepared statements; execute() must re-prepare transparently.
    await conn.execute('CREATE TABLE "req_tmp" ("id" INTEGER PRIMARY KEY)')
    await conn.execute('DROP TABLE "req_tmp"')
    expect((await stmt.execute([1])).rows).toEqual([['z']])
    await stmt.unprepare()
  })

  it('pipelines many requests over one socket and matches replies by sync', async () => {
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => conn.call('req_sum', [i, 1])))
    expect(results.every(([v], i) => v === i + 1)).toBe(true)
  })
})
