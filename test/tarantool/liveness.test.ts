import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { AuthError, connect, connectLazy, ConnectionError, createLazyPool, createPool, type ConnectionEvent } from '../../src/tarantool/index.ts'
import { startTarantool, type TarantoolProcess } from '../../src/testing/tarantool/index.ts'

// These tests SIGSTOP the server, so they always use a local process (not TARANTOOL_URL).
let server: TarantoolProcess

beforeAll(async () => {
  server = await startTarantool({
    initLua: `
      local s = box.schema.space.create('live_kv', { if_not_exists = true })
      s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
      for i = 1, 100 do s:replace({ i, 'v' }) end
      rawset(_G, 'live_sleep', function(sec) require('fiber').sleep(sec) return 'slept' end)
    `,
  })
}, 60_000)

afterAll(async () => {
  server?.resume()
  await server?.stop()
})

async function settleAll(promises: Promise<unknown>[], boundMs: number): Promise<{ ok: number; errors: unknown[]; ms: number }> {
  const t0 = Date.now()
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<'bound'>((resolve) => {
    timer = setTimeout(() => resolve('bound'), boundMs)
  })
  const all = Promise.allSettled(promises)
  const outcome = await Promise.race([all, bound])
  clearTimeout(timer)
  if (outcome === 'bound') throw new Error(`requests still pending after ${boundMs} ms`)
  return {
    ok: outcome.filter((r) => r.status === 'fulfilled').length,
    errors: outcome.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
    ms: Date.now() - t0,
  }
}

async function untilAnswers(fn: () => Promise<unknown>, ms: number): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    try {
      await fn()
      return Date.now() - t0
    } catch (e) {
      if (Date.now() - t0 > ms) throw e
      await sleep(50)
    }
  }
}

describe('liveness probe', () => {
  const fast = { pingInterval: 100, pingTimeout: 300, connectTimeout: 1000, reconnect: { initialDelay: 50, maxDelay: 200 } }

  it('fails every request in flight on a stopped server within the probe bounds, then the same handle works after SIGCONT', async () => {
    const conn = await connect(server.uri, fast)
    await conn.loadSchema()
    const events: ConnectionEvent[] = []
    conn.events.on('event', (e: ConnectionEvent) => events.push(e))
    const requests = Array.from({ length: 2000 }, (_, i) => conn.select('live_kv', [(i % 100) + 1]))
    server.pause()
    try {
      // Expected ~0.1-0.2 s of silence + 0.3 s probe; the bound leaves a wide margin for a loaded machine.
      const { ok, errors } = await settleAll(requests, 5000)
      // SIGSTOP went out before the batch was written: (nearly) all of them were caught by the stop.
      expect(ok + errors.length).toBe(2000)
      expect(errors.length).toBeGreaterThan(1900)
      for (const e of errors) {
        expect(e).toBeInstanceOf(ConnectionError)
        expect((e as ConnectionError).code).toBe('UNRESPONSIVE')
        expect((e as Error).message).toMatch(/unresponsive/)
      }
      const disconnect = events.find((e) => e.type === 'disconnect')
      expect(disconnect).toBeDefined()
      // A new request on the dead server fails at once instead of hanging.
      await expect(conn.ping()).rejects.toBeInstanceOf(ConnectionError)
    } finally {
      server.resume()
    }
    await untilAnswers(() => conn.select('live_kv', [1]), 10_000)
    expect(await conn.select('live_kv', [7])).toEqual([[7, 'v']])
    await conn.close()
  })

  it('fails a request sent on an idle connection to a stopped server, and tells sent from unsent requests', async () => {
    const conn = await connect(server.uri, fast)
    await conn.loadSchema() // so the replace below goes out at once (no schema request first)
    await sleep(250) // idle: only the probe's own pings
    server.pause()
    try {
      const { errors } = await settleAll([conn.ping(), conn.replace('live_kv', [500, 'w']), conn.call('box.info', [], { readOnly: true })], 5000)
      expect(errors).toHaveLength(3)
      for (const e of errors) {
        expect(e).toBeInstanceOf(ConnectionError)
        expect((e as ConnectionError).code).toBe('UNRESPONSIVE')
      }
      // A written read (ping, or a call marked readOnly) can be sent again safely; a written write may have run.
      expect(errors.map((e) => (e as ConnectionError).retryable)).toEqual([true, false, true])
      expect((errors[1] as Error).message).toMatch(/may or may not have executed/)
    } finally {
      server.resume()
    }
    await untilAnswers(() => conn.ping(), 10_000)
    await conn.close()
  })

  it('does not close a connection whose server is busy but answering', async () => {
    const conn = await connect(server.uri, fast)
    const events: ConnectionEvent[] = []
    conn.events.on('event', (e: ConnectionEvent) => events.push(e))
    // The Lua call yields for 1.5 s: nothing else is sent back meanwhile, but pings are answered.
    expect(await conn.call('live_sleep', [1.5])).toEqual(['slept'])
    expect(events.filter((e) => e.type === 'disconnect')).toEqual([])
    await conn.close()
  })

  it('pingInterval 0 turns the probe off', async () => {
    const conn = await connect(server.uri, { pingInterval: 0 })
    server.pause()
    try {
      const r = conn.ping().then(
        () => 'answered',
        () => 'failed',
      )
      const outcome = await Promise.race([r, sleep(1500).then(() => 'pending')])
      expect(outcome).toBe('pending')
    } finally {
      server.resume()
    }
    await conn.close()
  })
})

describe('authentication failures are final', () => {
  it('connect() reports AuthError, not retryable', async () => {
    const e = await connect(server.uri.replace(/:[^:@]*@/, ':wrong-password@')).catch((err: unknown) => err)
    expect(e).toBeInstanceOf(AuthError)
    expect((e as AuthError).retryable).toBe(false)
  })

  it('connectLazy() with a wrong password fails pending and new requests with AuthError and stops reconnecting', async () => {
    const events: ConnectionEvent[] = []
    const conn = connectLazy(server.uri.replace(/:[^:@]*@/, ':wrong-password@'), {
      reconnect: { initialDelay: 10, maxDelay: 20 },
      onEvent: (e) => events.push(e),
    })
    // Issued before the first attempt ends: waits for it, then gets the attempt's verdict.
    const pending = conn.ping().catch((err: unknown) => err)
    const e1 = await pending
    expect(e1).toBeInstanceOf(AuthError)
    expect((e1 as AuthError).retryable).toBe(false)
    expect((e1 as Error).message).not.toContain('wrong-password')
    await sleep(300) // at 10-20 ms backoff, a retrying connection would have made ~15 attempts by now
    expect(events.filter((e) => e.type === 'reconnecting')).toEqual([])
    const e2 = await conn.select('live_kv', [1]).catch((err: unknown) => err)
    expect(e2).toBeInstanceOf(AuthError)
    expect((e2 as Error).message).toMatch(/reconnect\(\)/)
    // An explicit reconnect() tries again and reports the same verdict.
    await expect(conn.reconnect()).rejects.toBeInstanceOf(AuthError)
    await conn.close()
  })

  it('pools report AuthError too: createPool rejects, a lazy pool fails requests and stops reconnecting', async () => {
    const wrong = server.uri.replace(/:[^:@]*@/, ':wrong-password@')
    await expect(createPool(wrong, { size: 2 })).rejects.toBeInstanceOf(AuthError)
    let reconnecting = 0
    const lazy = createLazyPool(wrong, { size: 2, reconnect: { initialDelay: 10, maxDelay: 20 }, onEvent: (e) => void (e.type === 'reconnecting' && reconnecting++) })
    const e = await lazy.ping().catch((err: unknown) => err)
    expect(e).toBeInstanceOf(AuthError)
    expect((e as AuthError).retryable).toBe(false)
    await sleep(200)
    expect(reconnecting).toBe(0)
    await lazy.close()
  })

  it('reconnect() succeeds once the user exists on the server', async () => {
    const admin = await connect(server.uri)
    await admin.eval(`if box.schema.user.exists('late_user') then box.schema.user.drop('late_user') end`)
    const uri = `tarantool://late_user:late-secret@${server.host}:${server.port}`
    const conn = connectLazy(uri, { reconnect: { initialDelay: 10, maxDelay: 20 } })
    expect(await conn.ping().catch((err: unknown) => err)).toBeInstanceOf(AuthError)
    await admin.eval(`box.schema.user.create('late_user', { password = 'late-secret' })`)
    await conn.reconnect()
    expect(conn.isConnected).toBe(true)
    await conn.ping()
    await conn.close()
    await admin.eval(`box.schema.user.drop('late_user')`)
    await admin.close()
  })
})
