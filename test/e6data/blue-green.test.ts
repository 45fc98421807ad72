import { status } from '@grpc/grpc-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classifyGrpcError, Connection, StrategyState, type ConnectionOptions } from '../../src/e6data/index.ts'
import { startE6data, type LocalE6data } from '../../src/testing/e6data/index.ts'

/**
 * Always the local engine, also when E6DATA_URL is set: these tests flip the blue-green colour and count the 456
 * answers, which only the engine under test can do on demand (a real cluster flips when e6data deploys).
 */
let engine: LocalE6data
let opts: ConnectionOptions
beforeAll(async () => {
  engine = await startE6data({ batchRows: 500 })
  await engine.registerTable('hive', 'bg', 'numbers', { query: 'SELECT n::BIGINT AS n FROM range(3000) t(n)' })
  opts = { host: engine.host, port: engine.port, username: engine.username, password: engine.password, catalog: 'hive', database: 'bg' }
})
afterAll(() => engine.stop())

describe('456 / 503 / Access denied detection', () => {
  it('matches the number in grpc-js and C-core wording, not one library text', () => {
    expect(classifyGrpcError({ code: status.UNKNOWN, details: 'Received HTTP status code 456' })).toBe('strategy')
    expect(classifyGrpcError({ code: status.UNKNOWN, details: 'Received http2 header with status: 456' })).toBe('strategy')
    expect(classifyGrpcError({ code: status.UNAVAILABLE, details: 'Received HTTP status code 503' })).toBe('suspended')
    expect(classifyGrpcError({ code: status.UNAVAILABLE, details: 'Received http2 header with status: 503' })).toBe('suspended')
    expect(classifyGrpcError({ code: status.INTERNAL, details: 'Access denied' })).toBe('session')
    expect(classifyGrpcError({ code: status.UNKNOWN, details: 'row 14567 failed' })).toBe('other')
    expect(classifyGrpcError({ code: status.UNAVAILABLE, details: 'connect ECONNREFUSED' })).toBe('other')
  })
})

async function runQuery(conn: Connection, i: number): Promise<number> {
  const cur = conn.cursor()
  await cur.execute('SELECT n FROM numbers WHERE n % %s = 0', [1 + (i % 3)])
  let rows = 0
  for await (const b of cur.fetchAllBuffer()) rows += b.length
  await cur.close()
  return rows
}

describe('blue-green switch', () => {
  it('100 queries on 10 connections across an immediate flip all succeed; in-flight queries keep their colour', async () => {
    const conns = Array.from({ length: 10 }, () => new Connection(opts))
    const before = engine.strategy
    // a query started before the flip, fetched after it
    const inflight = conns[0]!.cursor()
    await inflight.execute('SELECT n FROM numbers')
    const first = await inflight.fetchBatch()
    let done = 0
    const results = await Promise.all(
      conns.map(async (c, w) => {
        const out: number[] = []
        for (let i = 0; i < 10; i++) {
          if (w === 0 && i === 3) engine.flip()
          out.push(await runQuery(c, w * 10 + i))
          done++
        }
        return out
      }),
    )
    expect(done).toBe(100)
    expect(results.flat()).toEqual(Array.from({ length: 100 }, (_, k) => [3000, 1500, 1000][k % 3]))
    expect(engine.strategy).not.toBe(before)
    expect(engine.stats.wrongStrategy).toBeGreaterThan(0)
    let rest = first!.length
    for await (const b of inflight.fetchAllBuffer()) rest += b.length
    expect(rest).toBe(3000)
    await inflight.close()
    expect(conns[0]!.strategyState.active).toBe(engine.strategy)
    for (const c of conns) c.close()
  })

  it('an announced flip (new_strategy): new queries take the new colour before the old one stops', async () => {
    const c = new Connection(opts)
    await runQuery(c, 0)
    const from = engine.strategy
    const wrongBefore = engine.stats.wrongStrategy
    engine.flip({ announceFor: 1500 })
    await runQuery(c, 1) // sees new_strategy
    expect(c.strategyState.active).not.toBe(from)
    while (engine.strategy === from) await new Promise((r) => setTimeout(r, 50))
    for (let i = 0; i < 5; i++) expect(await runQuery(c, i * 3)).toBe(3000)
    expect(engine.stats.wrongStrategy).toBe(wrongBefore) // no 456 needed
    c.close()
  })

  it('strategy state is bounded: pinned query entries expire after the cache timeout', async () => {
    const s = new StrategyState(50)
    for (let i = 0; i < 100; i++) s.register(`q${i}`, 'blue')
    expect(s.pinnedQueries).toBe(100)
    await new Promise((r) => setTimeout(r, 80))
    expect(s.pinnedQueries).toBe(0)
  })

  it('E6DATA_* variables configure the connection', () => {
    const c = new Connection({ ...opts, env: { E6DATA_STRATEGY_CACHE_TIMEOUT: '7', E6DATA_MAX_RETRY_ATTEMPTS: '2', E6DATA_STRATEGY_LOG_LEVEL: 'DEBUG' } })
    expect(c.options.strategyCacheTimeout).toBe(7000)
    expect(c.options.maxRetryAttempts).toBe(2)
    expect(c.options.log).toBeTypeOf('function')
    c.close()
    const d = new Connection({ ...opts, env: {} })
    expect(d.options.strategyCacheTimeout).toBe(300_000)
    expect(d.options.maxRetryAttempts).toBe(5)
    d.close()
  })
})
