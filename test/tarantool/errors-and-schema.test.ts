import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthError, connect, SchemaError, ServerError, type Connection } from '../../src/tarantool/index.ts'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

let server: ProvisionedTarantool
let conn: Connection
let other: Connection

beforeAll(async () => {
  server = await provisionTarantool()
  conn = await connect(server.uri)
  other = await connect(server.uri)
  await conn.eval(`
    local s = box.schema.space.create('err_t', { if_not_exists = true })
    s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
    s:truncate()
    if box.space.ddl_later then box.space.ddl_later:drop() end
  `)
})

afterAll(async () => {
  await conn?.close()
  await other?.close()
  await server?.stop()
})

describe('typed errors', () => {
  it('duplicate key comes back as ServerError 3 ER_TUPLE_FOUND', async () => {
    await conn.insert('err_t', [1, 'a'])
    const err = await conn.insert('err_t', [1, 'b']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect(err).toMatchObject({ code: 3, codeName: 'ER_TUPLE_FOUND' })
    expect((err as ServerError).message).toMatch(/Duplicate key/)
    expect((err as ServerError).stackEntries[0]).toMatchObject({ type: 'ClientError', code: 3 })
  })

  it('unknown space id is ServerError 36, unknown space name is SchemaError', async () => {
    await expect(conn.select(99999, [1])).rejects.toMatchObject({ code: 36, codeName: 'ER_NO_SUCH_SPACE' })
    await expect(conn.select('no_such_space', [1])).rejects.toBeInstanceOf(SchemaError)
    await expect(conn.select('err_t', [1], { index: 'no_such_index' })).rejects.toBeInstanceOf(SchemaError)
  })

  it('SQL syntax errors carry the server code', async () => {
    const err = await conn.execute('SELEC 1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect((err as ServerError).codeName).toMatch(/^ER_SQL|^ER_SYNTAX/)
  })

  it('a Lua error from call() is a ServerError with the Lua message', async () => {
    await conn.eval(`rawset(_G, 'err_fail', function() error('boom from lua') end)`)
    const err = await conn.call('err_fail').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect((err as ServerError).message).toMatch(/boom from lua/)
  })

  it('a wrong password is an AuthError that does not leak the password', async () => {
    const secret = 'definitely-wrong-secret'
    const err = await connect(`${server.host}:${server.port}`, { user: server.user === 'guest' ? 'nobody' : server.user, password: secret, reconnect: false }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AuthError)
    expect([45, 47]).toContain((err as AuthError).code)
    expect(String((err as Error).message)).not.toContain(secret)
    expect(JSON.stringify(err)).not.toContain(secret)
  })
})

describe('schema', () => {
  it('resolves a space created from another connection after this one loaded its schema', async () => {
    await conn.loadSchema()
    await other.eval(`
      local s = box.schema.space.create('ddl_later', { format = { { name = 'id', type = 'unsigned' } } })
      s:create_index('pk', { parts = { 'id' } })
      s:create_index('second', { parts = { 'id' } })
      s:insert({ 5 })
    `)
    expect(await conn.select('ddl_later', [5])).toEqual([[5]])
    expect(await conn.select('ddl_later', [5], { index: 'second' })).toEqual([[5]])
  })

  it('reloads the schema when a name now means another space (ER_WRONG_SCHEMA_VERSION)', async () => {
    await conn.select('ddl_later', [5])
    // Drop and re-create under the same name: the cached id is stale.
    await other.eval(`
      box.space.ddl_later:drop()
      local s = box.schema.space.create('ddl_later')
      s:create_index('pk', { parts = { 1, 'string' } })
      s:insert({ 'new' })
    `)
    expect(await conn.select('ddl_later', ['new'])).toEqual([['new']])
  })

  it('exposes spaces, formats and indexes', async () => {
    const schema = await conn.loadSchema()
    const space = schema.space('ddl_later')!
    expect(space.indexes.map((i) => i.name)).toEqual(['pk'])
    expect(space.indexes[0]!.parts).toEqual([{ field: 0, type: 'string', isNullable: false }])
  })
})
