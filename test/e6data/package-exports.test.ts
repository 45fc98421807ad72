import { describe, expect, it } from 'vitest'

// dialectry/e6data and dialectry/testing/e6data resolve to the built JavaScript (npm test builds first), and the
// built driver finds protos/e6data from dist/.
describe('e6data package exports', () => {
  it('dialectry/e6data and dialectry/testing/e6data resolve to dist and work together', async () => {
    const driver = await import('dialectry/e6data')
    const testing = await import('dialectry/testing/e6data')
    expect(import.meta.resolve('dialectry/e6data')).toMatch(/\/dist\/src\/e6data\/index\.js$/)
    const kysely = await import('dialectry/e6data/kysely')
    const drizzle = await import('dialectry/e6data/drizzle')
    expect(typeof kysely.E6dataDialect).toBe('function')
    expect(typeof kysely.createE6dataKysely).toBe('function')
    expect(typeof drizzle.drizzle).toBe('function')
    const engine = await testing.startE6data()
    try {
      const conn = new driver.Connection({ host: engine.host, port: engine.port, username: engine.username, password: engine.password })
      const cur = conn.cursor()
      await cur.execute('SELECT 40 + %s AS x', [2])
      expect(await cur.fetchAll()).toEqual([[42]])
      await cur.close()
      conn.close()
    } finally {
      await engine.stop()
    }
  })
})
