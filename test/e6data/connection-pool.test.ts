import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionPool, E6dataTimeoutError, type ConnectionOptions } from '../../src/e6data/index.ts'
import { provisionE6data, type ProvisionedE6data } from '../../src/testing/e6data/index.ts'

/** Against E6DATA_URL when set (hive.pool.numbers, n = 0..999, must exist there, as registered below), else the local engine. */
let e6: ProvisionedE6data
let opts: ConnectionOptions
beforeAll(async () => {
  e6 = await provisionE6data()
  await e6.local?.registerTable('hive', 'pool', 'numbers', { query: 'SELECT n::BIGINT AS n FROM range(1000) t(n)' })
  opts = { ...e6.connectionOptions, catalog: 'hive', database: 'pool' }
})
afterAll(() => e6?.stop())

const tick = () => new Promise((r) => setTimeout(r, 20))

describe('ConnectionPool', () => {
  it('creates minSize eagerly and reports the connector statistics keys', async () => {
    const pool = new ConnectionPool({ ...opts, minSize: 3, maxSize: 5, maxOverflow: 2 })
    await tick()
    const s = pool.getStatistics()
    expect(Object.keys(s).sort()).toEqual(
      ['active_connections', 'created_connections', 'failed_connections', 'idle_connections', 'overflow_connections', 'pool_size', 'thread_connections', 'total_requests', 'waiting_threads'].sort(),
    )
    expect(s.created_connections).toBe(3)
    expect(s.idle_connections).toBe(3)
    expect(s.active_connections).toBe(0)
    await pool.closeAll()
  })

  it('respects maxSize + maxOverflow, closes overflow on return, times out when exhausted', async () => {
    // timeout covers creating (and authenticating) a connection: generous for a remote E6DATA_URL cluster
    const pool = new ConnectionPool({ ...opts, minSize: 1, maxSize: 2, maxOverflow: 1, timeout: 1500 })
    const held = [await pool.getConnection(), await pool.getConnection(), await pool.getConnection()]
    expect(pool.getStatistics()).toMatchObject({ active_connections: 3, overflow_connections: 1, pool_size: 3 })
    await expect(pool.getConnection()).rejects.toThrow(E6dataTimeoutError)
    for (const c of held) await pool.returnConnection(c)
    expect(pool.getStatistics()).toMatchObject({ active_connections: 0, pool_size: 2, overflow_connections: 0 })
    await pool.closeAll()
  })

  it('runs queries concurrently through withConnection', async () => {
    const pool = new ConnectionPool({ ...opts, minSize: 2, maxSize: 4, maxOverflow: 0 })
    const sums = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pool.withConnection(async (conn) => {
          const cur = conn.cursor()
          await cur.execute('SELECT sum(n) AS s FROM numbers WHERE n < %s', [i * 10])
          const [[s]] = (await cur.fetchAll()) as [[number | null]]
          await cur.close()
          return s
        }),
      ),
    )
    expect(sums).toEqual(Array.from({ length: 20 }, (_, i) => (i === 0 ? null : ((i * 10 - 1) * i * 10) / 2)))
    const s = pool.getStatistics()
    expect(s.total_requests).toBe(20)
    expect(s.pool_size).toBeLessThanOrEqual(4)
    await pool.closeAll()
  })

  it('replaces broken connections and recycles old ones', async () => {
    const pool = new ConnectionPool({ ...opts, minSize: 1, maxSize: 2, maxOverflow: 0, recycle: 100 })
    const c1 = await pool.getConnection()
    c1.close() // broken
    await pool.returnConnection(c1)
    const c2 = await pool.getConnection()
    expect(c2).not.toBe(c1)
    expect(c2.closed).toBe(false)
    await pool.returnConnection(c2)
    await new Promise((r) => setTimeout(r, 150))
    const c3 = await pool.getConnection()
    expect(c3).not.toBe(c2) // older than recycle: replaced at checkout
    expect(c2.closed).toBe(true)
    await pool.returnConnection(c3)
    expect(pool.getStatistics().created_connections).toBeGreaterThanOrEqual(3)
    await pool.closeAll()
  })
})
