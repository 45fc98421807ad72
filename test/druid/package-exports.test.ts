import { describe, expect, it } from 'vitest'

// What an installed package offers for Druid: the four subpath exports resolve to the built JavaScript (dist/, made
// by `npm run build`, which `npm test` runs first) and work together against the local server.
describe('dialectry/druid package exports', () => {
  it('dialectry/druid, /druid/kysely, /druid/drizzle and /testing/druid resolve to dist and run a query', async () => {
    const driver = await import('dialectry/druid')
    const kysely = await import('dialectry/druid/kysely')
    const drizzle = await import('dialectry/druid/drizzle')
    const testing = await import('dialectry/testing/druid')
    for (const path of ['dialectry/druid', 'dialectry/druid/kysely', 'dialectry/druid/drizzle', 'dialectry/testing/druid']) {
      expect(import.meta.resolve(path)).toMatch(/\/dist\/.*\/index\.js$/)
    }
    expect(typeof drizzle.drizzle).toBe('function')
    const server = await testing.startDruid()
    try {
      const client = driver.connect(server.url)
      const db = kysely.createDruidKysely({ client })
      expect(await db.selectNoFrom((eb) => eb.val(1).as('one')).execute()).toEqual([{ one: 1 }])
      await db.destroy()
      await client.close()
    } finally {
      await server.stop()
    }
  })
})
