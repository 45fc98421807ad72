import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BoxErrorValue, connect, Datetime, Decimal, double, Interval, ServerError, Uuid, type Connection } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

// Every value type written through the driver, stored by the real server and read back.
let server: ProvisionedTarantool
let conn: Connection

beforeAll(async () => {
  server = await provisionTarantool()
  conn = await connect(server.uri)
  await conn.eval(`
    local s = box.schema.space.create('val_any', { if_not_exists = true })
    s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
    s:truncate()
    local t = box.schema.space.create('val_typed', { if_not_exists = true, format = {
      { name = 'id', type = 'unsigned' }, { name = 'i', type = 'integer' }, { name = 'd', type = 'double' },
      { name = 'dec', type = 'decimal' }, { name = 'u', type = 'uuid' }, { name = 'b', type = 'varbinary' },
      { name = 's', type = 'string' } } })
    t:create_index('primary', { parts = { 'id' }, if_not_exists = true })
    t:create_index('by_i', { parts = { 'i' }, unique = false, if_not_exists = true })
    t:create_index('by_dec', { parts = { 'dec' }, unique = false, if_not_exists = true })
    t:create_index('by_u', { parts = { 'u' }, if_not_exists = true })
    t:truncate()
  `)
})

afterAll(async () => {
  await conn?.close()
  await server?.stop()
})

describe('value round trips', () => {
  it('integers beyond 2^53 are bigint both ways, and the server compares them exactly', async () => {
    const big = [2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]
    for (const [i, v] of big.entries()) await conn.replace('val_any', [i, v])
    const back = await conn.select('val_any', [], { iterator: 'all' })
    expect(back.map((t) => t[1])).toEqual(big)
    // The server sees exact 64-bit values: Lua's tostring of the uint64 shows all digits.
    const [text] = await conn.eval('return tostring(box.space.val_any:get(3)[2])')
    expect(text).toBe('18446744073709551615ULL')
    // Safe integers stay numbers.
    await conn.replace('val_any', [10, 2 ** 53 - 1, -(2 ** 53 - 1)])
    expect((await conn.select('val_any', [10]))[0]).toEqual([10, 2 ** 53 - 1, -(2 ** 53 - 1)])
  })

  it('doubles stay doubles: an integral double can be stored in a double field', async () => {
    // Plain 5 would be encoded as an integer, which a `double` field rejects (tarantool/tarantool
    // `src/box/field_def.c`).
    await expect(conn.replace('val_typed', [1, 1, 5, Decimal.from('0'), new Uuid('00000000-0000-0000-0000-000000000001'), Buffer.from([1]), 's'])).rejects.toBeInstanceOf(ServerError)
    const stored = await conn.replace('val_typed', [1, 1, double(5), Decimal.from('1.5'), new Uuid('00000000-0000-0000-0000-000000000001'), Buffer.from([1]), 's'])
    expect(stored[2]).toBe(5)
    await conn.replace('val_typed', [2, -7, 0.1, Decimal.from('-12.34'), new Uuid('6f2c4a1e-93b4-4c62-9d7a-1b2c3d4e5f60'), Buffer.alloc(0), ''])
    expect((await conn.select('val_typed', [2]))[0]![2]).toBe(0.1)
  })

  it('decimals keep every digit and sort as numbers on the server', async () => {
    const values = ['-12.34', '0.000000000000000000000000000000000001', '12345678901234567890123456789012345678', '3.14159265358979323846264338327950288']
    for (const [i, v] of values.entries()) {
      await conn.replace('val_typed', [100 + i, i, 0.5, Decimal.from(v), new Uuid(`00000000-0000-0000-0000-0000000001${String(i).padStart(2, '0')}`), Buffer.from('x'), 'd'])
    }
    const back = await conn.select('val_typed', [], { index: 'by_dec', iterator: 'all' })
    const decs = back.filter((t) => (t[0] as number) >= 100).map((t) => (t[3] as Decimal).toString())
    expect(decs).toEqual(['-12.34', '0.000000000000000000000000000000000001', '3.14159265358979323846264338327950288', '12345678901234567890123456789012345678'])
    const [sum] = await conn.eval(`return tostring(box.space.val_typed:get(100)[4] + 1)`)
    expect(sum).toBe('-11.34')
  })

  it('uuids round-trip and are a searchable index key', async () => {
    const id = new Uuid('6f2c4a1e-93b4-4c62-9d7a-1b2c3d4e5f60')
    const found = await conn.select('val_typed', [id], { index: 'by_u' })
    expect(found[0]![0]).toBe(2)
    expect((found[0]![4] as Uuid).toString()).toBe('6f2c4a1e-93b4-4c62-9d7a-1b2c3d4e5f60')
    const [luaText] = await conn.eval('return tostring(box.space.val_typed:get(2)[5])')
    expect(luaText).toBe('6f2c4a1e-93b4-4c62-9d7a-1b2c3d4e5f60')
  })

  it('strings and binary stay distinct', async () => {
    await conn.replace('val_any', [20, 'text', Buffer.from([0, 255, 1]), ''])
    const [t] = await conn.select('val_any', [20])
    expect(typeof t![1]).toBe('string')
    expect(Buffer.isBuffer(t![2]) || t![2] instanceof Uint8Array).toBe(true)
    expect([...(t![2] as Uint8Array)]).toEqual([0, 255, 1])
    // A string is rejected by a varbinary field: proof it was sent as MP_STR.
    await expect(conn.replace('val_typed', [3, 1, 0.5, Decimal.from('1'), new Uuid('00000000-0000-0000-0000-000000000003'), 'not binary', 's'])).rejects.toMatchObject({ codeName: 'ER_FIELD_TYPE' })
  })

  it('nested arrays and maps, booleans and nil round-trip', async () => {
    const nested = { a: [1, [2, [3, { b: 'c' }]]], flag: true, none: null, f: 1.25, list: [] as unknown[] }
    await conn.replace('val_any', [30, nested, [true, false, null], { '': 1 }])
    const [t] = await conn.select('val_any', [30])
    expect(t).toEqual([30, nested, [true, false, null], { '': 1 }])
    const [b] = await conn.eval('return box.space.val_any:get(30)[2].a[2][2][2].b')
    expect(b).toBe('c')
  })

  it('datetime and interval values pass through Lua and back (their MP_EXT layouts)', async () => {
    const dt = new Datetime({ seconds: 1700000000n, nsec: 123456789, tzoffset: 180 })
    const iv = new Interval({ year: 1, month: 200, day: -77, adjust: 'none' })
    // Stored as-is in an untyped field (Lua on 2.6 cannot decode these types; 2.10+ can).
    await conn.replace('val_any', [40, dt, iv])
    const [[, d, i]] = (await conn.select('val_any', [40])) as [[number, unknown, unknown]]
    expect(d).toBeInstanceOf(Datetime)
    expect((d as Datetime).toDate().toISOString()).toBe(dt.toDate().toISOString())
    expect((d as Datetime).tzoffset).toBe(180)
    expect(i).toBeInstanceOf(Interval)
    expect((i as Interval).toJSON()).toMatchObject({ year: 1, month: 200, day: -77, adjust: 'none' })
  })

  it('error objects from Lua come back as BoxErrorValue when error marshaling is on', async () => {
    await conn.execute(`SET SESSION "error_marshaling_enabled" = true`)
    const [err] = await conn.eval(`return box.error.new({ code = 4242, reason = 'custom failure' })`)
    expect(err).toBeInstanceOf(BoxErrorValue)
    expect((err as BoxErrorValue).entries[0]).toMatchObject({ code: 4242, message: 'custom failure' })
  })

  it('SQL binds numbers, strings, booleans, binary and null, and returns them typed', async () => {
    const { rows, metadata } = await conn.execute('SELECT ?, ?, ?, ?, ?, ?', [1, 'x', true, Buffer.from([7]), null, 2n ** 63n - 1n])
    expect(metadata.map((m) => m.type)).toHaveLength(6)
    expect(rows[0]!.slice(0, 3)).toEqual([1, 'x', true])
    expect([...(rows[0]![3] as Uint8Array)]).toEqual([7])
    expect(rows[0]![4]).toBeNull()
    expect(rows[0]![5]).toBe(2n ** 63n - 1n)
  })
})

describe('SQL binds the server cannot take', () => {
  it('on servers before 2.10, extension values in SQL parameters are refused before sending (2.6 would crash)', async () => {
    const [major, minor] = conn.serverVersion!.split('.').map(Number) as [number, number]
    if (major > 2 || (major === 2 && minor >= 10)) return
    for (const v of [new Date(), Decimal.from('1.5'), new Uuid('00000000-0000-0000-0000-000000000001')]) {
      await expect(conn.execute('SELECT ?', [v])).rejects.toMatchObject({ name: 'InvalidArgumentError' })
      await expect(conn.execute('SELECT :v', { v })).rejects.toThrow(/parameter :v/)
    }
    const stmt = await conn.prepare('SELECT ?')
    await expect(stmt.execute([new Date()])).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    // The server is still alive.
    await expect(conn.ping()).resolves.toBeUndefined()
  })
})
