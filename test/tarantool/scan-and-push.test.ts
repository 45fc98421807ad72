import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createPool, InvalidArgumentError, SchemaError, type Connection, type Pool } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

let server: ProvisionedTarantool
let conn: Connection
let pool: Pool

beforeAll(async () => {
  server = await provisionTarantool()
  conn = await connect(server.uri)
  pool = await createPool(server.uri, { size: 2 })
  await conn.eval(`
    local s = box.schema.space.create('scan_t', { if_not_exists = true })
    s:create_index('pk', { parts = { 1, 'unsigned', 2, 'string' }, if_not_exists = true })
    s:create_index('grp', { parts = { 3, 'unsigned' }, unique = false, if_not_exists = true })
    s:create_index('h', { type = 'HASH', parts = { 1, 'unsigned', 2, 'string' }, if_not_exists = true })
    s:truncate()
    for i = 1, 2500 do s:insert({ math.floor((i - 1) / 10), tostring(i), i % 7 }) end
    rawset(_G, 'push_three', function() for i = 1, 3 do box.session.push({ step = i }) end return 'done' end)
  `)
})

afterAll(async () => {
  await conn?.close()
  await pool?.close()
  await server?.stop()
})

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('scan', () => {
  it('walks a whole unique TREE index in key order, batch by batch', async () => {
    const all = await collect(conn.scan('scan_t', [], { batchSize: 97 }))
    expect(all).toHaveLength(2500)
    expect(all).toEqual(await conn.select('scan_t', [], { iterator: 'all' }))
  })

  it('stops at the end of an eq prefix, and goes backwards with req', async () => {
    const eq = await collect(pool.scan('scan_t', [3], { batchSize: 4 }))
    expect(eq.map((t) => t[1])).toEqual(['31', '32', '33', '34', '35', '36', '37', '38', '39', '40'])
    const req = await collect(conn.scan('scan_t', [3], { iterator: 'req', batchSize: 3 }))
    expect(req.map((t) => t[1])).toEqual(['40', '39', '38', '37', '36', '35', '34', '33', '32', '31'])
    const ge = await collect(conn.scan('scan_t', [248], { iterator: 'ge', batchSize: 7 }))
    expect(ge).toHaveLength(20)
  })

  it('pages non-unique and HASH indexes by offset without losing or repeating tuples', async () => {
    const grp = await collect(conn.scan('scan_t', [3], { index: 'grp', batchSize: 50 }))
    expect(grp).toHaveLength((await conn.select('scan_t', [3], { index: 'grp' })).length)
    expect(grp.every((t) => t[2] === 3)).toBe(true)
    const hash = await collect(conn.scan('scan_t', [], { index: 'h', batchSize: 333 }))
    expect(new Set(hash.map((t) => `${t[0]}/${t[1]}`)).size).toBe(2500)
  })

  it('rejects bad arguments clearly', async () => {
    await expect(collect(conn.scan('no_such', []))).rejects.toBeInstanceOf(SchemaError)
    await expect(collect(conn.scan('scan_t', [], { batchSize: 0 }))).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})

describe('box.session.push', () => {
  it('delivers pushed values to onPush in order before the reply', async () => {
    const pushed: unknown[] = []
    const result = await conn.call('push_three', [], { onPush: (v) => pushed.push(v) })
    expect(pushed).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }])
    expect(result).toEqual(['done'])
    // Without a callback, pushes are ignored and the reply still arrives.
    expect(await conn.call('push_three')).toEqual(['done'])
  })
})
