import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connection, E6dataClusterSuspendedError, type ConnectionOptions } from '../../src/e6data/index.ts'
import { startE6data, type LocalE6data } from '../../src/testing/e6data/index.ts'

/** The local engine behind its HTTP/2 gateway: 456 and 503 arrive as bare HTTP statuses, as from e6data's gateway. */
let engine: LocalE6data
let opts: ConnectionOptions
beforeAll(async () => {
  engine = await startE6data({ httpGateway: true, batchRows: 500, resumeDelay: 200 })
  await engine.registerTable('hive', 'gw', 'numbers', { query: 'SELECT n::BIGINT AS n FROM range(3000) t(n)' })
  opts = { host: engine.host, port: engine.port, username: engine.username, password: engine.password, catalog: 'hive', database: 'gw' }
})
afterAll(() => engine.stop())

async function count(conn: Connection): Promise<number> {
  const cur = conn.cursor()
  await cur.execute('SELECT n FROM numbers')
  let rows = 0
  for await (const b of cur.fetchAllBuffer()) rows += b.length
  await cur.close()
  return rows
}

describe('through the HTTP/2 gateway', () => {
  it('queries, paging and errors relay unchanged', async () => {
    const conn = new Connection(opts)
    expect(await count(conn)).toBe(3000)
    await expect(conn.cursor().execute('SELECT nope FROM numbers')).rejects.toThrow(/nope/)
    conn.close()
  })

  it('60 queries on 6 connections across a flip (bare HTTP 456) all succeed; an in-flight query keeps its colour', async () => {
    const conns = Array.from({ length: 6 }, () => new Connection(opts))
    const inflight = conns[0]!.cursor()
    await inflight.execute('SELECT n FROM numbers')
    const first = (await inflight.fetchBatch())!.length
    const wrong = engine.stats.wrongStrategy
    const results = await Promise.all(
      conns.map(async (c, w) => {
        const out: number[] = []
        for (let i = 0; i < 10; i++) {
          if (w === 0 && i === 2) engine.flip()
          out.push(await count(c))
        }
        return out
      }),
    )
    expect(results.flat()).toEqual(Array(60).fill(3000))
    expect(engine.stats.wrongStrategy).toBeGreaterThan(wrong)
    let rest = first
    for await (const b of inflight.fetchAllBuffer()) rest += b.length
    expect(rest).toBe(3000)
    await inflight.close()
    for (const c of conns) c.close()
  })

  it('a suspended cluster answers bare HTTP 503: typed error without autoResume, resumed with it', async () => {
    engine.suspend()
    const off = new Connection({ ...opts, autoResume: false })
    await expect(off.cursor().execute('SELECT 1')).rejects.toThrow(E6dataClusterSuspendedError)
    off.close()
    const on = new Connection({ ...opts, resumePollInterval: 100 })
    expect(await count(on)).toBe(3000)
    on.close()
  })
})
