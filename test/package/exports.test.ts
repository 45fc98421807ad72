import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { provisionTarantool, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

// What a user installing the package gets: the subpath exports resolve to the built JavaScript (dist/, made by
// `npm run build`, which `npm test` runs first), and that code works against a real server.
let server: ProvisionedTarantool

beforeAll(async () => {
  server = await provisionTarantool()
})
afterAll(async () => {
  await server?.stop()
})

describe('package exports', () => {
  it('dialectry/tarantool resolves to built JavaScript that talks to the server', async () => {
    const driver = await import('dialectry/tarantool')
    expect(import.meta.resolve('dialectry/tarantool')).toMatch(/\/dist\/src\/tarantool\/index\.js$/)
    const conn = await driver.connect(server.uri)
    expect(await conn.eval('return 1 + 1')).toEqual([2])
    await expect(conn.select('no_such_space_anywhere')).rejects.toBeInstanceOf(driver.SchemaError)
    await conn.close()
  })

  it('dialectry/cratedb and its dialects and test server resolve to built JavaScript', async () => {
    const driver = await import('dialectry/cratedb')
    const kysely = await import('dialectry/cratedb/kysely')
    const drizzle = await import('dialectry/cratedb/drizzle')
    const testing = await import('dialectry/testing/cratedb')
    expect(typeof driver.connect).toBe('function')
    expect(typeof kysely.CrateDBDialect).toBe('function')
    expect(typeof drizzle.drizzle).toBe('function')
    expect(typeof testing.startCrateDB).toBe('function')
    const server = await testing.startCrateDB()
    try {
      const client = driver.connect(server.url)
      expect((await client.execute('SELECT 1 + 1 AS two')).rows).toEqual([[2]])
      await client.close()
    } finally {
      await server.stop()
    }
    // The child-process server runs dist's child-entry.js.
    const child = await testing.provisionCrateDB({ env: {}, source: 'child' })
    try {
      const client = driver.connect(child.url)
      expect((await client.execute('SELECT 2 + 2 AS four')).rows).toEqual([[4]])
      await client.close()
    } finally {
      await child.stop()
    }
  }, 60_000)

  it('dialectry/tarantool/kysely, /drizzle and /testing/tarantool resolve and export their entry points', async () => {
    const kysely = await import('dialectry/tarantool/kysely')
    const drizzle = await import('dialectry/tarantool/drizzle')
    const testing = await import('dialectry/testing/tarantool')
    expect(typeof kysely.TarantoolDialect).toBe('function')
    expect(typeof drizzle.drizzle).toBe('function')
    expect(typeof drizzle.migrate).toBe('function')
    expect(typeof testing.provisionTarantool).toBe('function')
    for (const path of ['dialectry/tarantool/kysely', 'dialectry/tarantool/drizzle', 'dialectry/testing/tarantool', 'dialectry/cratedb', 'dialectry/cratedb/kysely', 'dialectry/cratedb/drizzle', 'dialectry/testing/cratedb']) {
      expect(import.meta.resolve(path)).toMatch(/\/dist\/.*\/index\.js$/)
    }
  })
})
