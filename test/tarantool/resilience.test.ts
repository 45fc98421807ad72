import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, connectLazy, createLazyPool, createPool, ConnectionError, type Connection } from '../../src/tarantool/index.ts'
import { startTarantool, type TarantoolProcess } from '../../src/testing/tarantool/index.ts'

// These tests kill and restart the server, so they always use a local process (not TARANTOOL_URL).
let server: TarantoolProcess

beforeAll(async () => {
  server = await startTarantool({
    initLua: `
      local s = box.schema.space.create('res_kv', { if_not_exists = true })
      s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
      rawset(_G, 'res_slow', function(sec) require('fiber').sleep(sec) return 'done' end)
      rawset(_G, 'res_session', function() return box.session.id() end)
    `,
  })
})

afterAll(async () => {
  await server?.stop()
})

async function waitConnected(c: { isConnected: boolean } | { connectedCount: number }, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if ('isConnected' in c ? c.isConnected : c.connectedCount > 0) return
    await sleep(20)
  }
  throw new Error('did not reconnect in time')
}

describe('connection loss and recovery', () => {
  it('fails requests in flight and while down with ConnectionError, then works again after restart', async () => {
    const conn = await connect(server.uri, { reconnect: { initialDelay: 50, maxDelay: 200 } })
    const lazy = connectLazy(server.uri, { reconnect: { initialDelay: 50, maxDelay: 200 } })
    await lazy.ping()
    await conn.replace('res_kv', [1, 'before'])

    // A request the server holds when it dies must fail, not hang.
    const inFlight = conn.call('res_slow', [30]).catch((e: unknown) => e)
    const lazyInFlight = lazy.call('res_slow', [30]).catch((e: unknown) => e)
    await sleep(50)
    await server.kill()
    const e1 = await inFlight
    const e2 = await lazyInFlight
    expect(e1).toBeInstanceOf(ConnectionError)
    expect((e1 as ConnectionError).retryable).toBe(false) // it was sent: it may have executed
    expect(e2).toBeInstanceOf(ConnectionError)

    // While the server is down, requests fail at once (no waiting for a timeout).
    const t0 = Date.now()
    const down = await conn.ping().catch((e: unknown) => e)
    const lazyDown = await lazy.select('res_kv', [1]).catch((e: unknown) => e)
    expect(down).toBeInstanceOf(ConnectionError)
    expect((down as ConnectionError).retryable).toBe(true)
    expect(lazyDown).toBeInstanceOf(ConnectionError)
    expect(Date.now() - t0).toBeLessThan(5000) // a request queued for the reconnect would wait for the restart

    await server.restart()
    await waitConnected(conn)
    await waitConnected(lazy)
    // The same handles work again, and the data survived the crash (WAL).
    expect(await conn.select('res_kv', [1])).toEqual([[1, 'before']])
    expect(await lazy.select('res_kv', [1])).toEqual([[1, 'before']])
    await conn.close()
    await lazy.close()
  })

  it('a lazy connection returns at once and serves requests made before it connected', async () => {
    const lazy = connectLazy(server.uri)
    expect(lazy.isConnected).toBe(false)
    await expect(lazy.ping()).resolves.toBeUndefined()
    expect(lazy.isConnected).toBe(true)
    await lazy.close()
    await expect(lazy.ping()).rejects.toBeInstanceOf(ConnectionError)
  })

  it('a lazy connection to a server that is not there keeps failing fast with ConnectionError', async () => {
    const lazy = connectLazy('127.0.0.1:1', { reconnect: { initialDelay: 50 } })
    await expect(lazy.ping()).rejects.toBeInstanceOf(ConnectionError)
    await expect(lazy.ping()).rejects.toMatchObject({ retryable: true })
    await lazy.close()
  })

  it('connect() rejects with ConnectionError when nothing listens', async () => {
    await expect(connect('127.0.0.1:1', { connectTimeout: 2000 })).rejects.toBeInstanceOf(ConnectionError)
  })

  it('a request timeout fails the request with TimeoutError and leaves the connection usable', async () => {
    const conn = await connect(server.uri)
    await expect(conn.call('res_slow', [1], { timeout: 50 })).rejects.toMatchObject({ name: 'TimeoutError' })
    const ac = new AbortController()
    const aborted = conn.call('res_slow', [1], { signal: ac.signal })
    ac.abort()
    await expect(aborted).rejects.toMatchObject({ name: 'RequestAbortedError' })
    await expect(conn.ping()).resolves.toBeUndefined()
    await conn.close()
  })
})

describe('pool', () => {
  it('spreads requests over its connections (default 10)', async () => {
    const pool = await createPool(server.uri)
    expect(pool.connections.length).toBe(10)
    const sessions = await Promise.all(Array.from({ length: 100 }, () => pool.call('res_session')))
    const distinct = new Set(sessions.map(([id]) => id))
    expect(distinct.size).toBe(10)
    await pool.close()
  })

  it('a lazy pool returns at once; a pool recovers after the server restarts', async () => {
    const pool = createLazyPool(server.uri, { size: 3, reconnect: { initialDelay: 50, maxDelay: 200 } })
    expect(pool.connectedCount).toBe(0)
    await pool.ping()
    await server.kill()
    await expect(pool.ping()).rejects.toBeInstanceOf(ConnectionError)
    await server.restart()
    await waitConnected(pool)
    await expect(pool.ping()).resolves.toBeUndefined()
    await pool.close()
  })
})

describe('unix socket', () => {
  it('connects over the unix socket', async () => {
    expect(server.socketPath).toBeTruthy()
    const conn = await connect({ path: server.socketPath! }, { user: server.user, password: server.password })
    await conn.replace('res_kv', [7, 'unix'])
    expect(await conn.select('res_kv', [7])).toEqual([[7, 'unix']])
    await conn.close()
    const viaUri = await connect(server.socketUri!)
    await expect(viaUri.ping()).resolves.toBeUndefined()
    await viaUri.close()
  })
})

export type { Connection }
