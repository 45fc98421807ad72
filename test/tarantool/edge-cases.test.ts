import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, connectLazy, createPool, ConnectionError, InvalidArgumentError, parseAddress, RequestAbortedError, TimeoutError, type ConnectionEvent } from '../../src/tarantool/index.ts'
import { startFakeIprotoServer, startReplicaSet, startTarantool, type TarantoolProcess, type TarantoolReplicaSet } from '../../src/testing/tarantool/index.ts'

let server: TarantoolProcess

beforeAll(async () => {
  server = await startTarantool({
    initLua: `
      local s = box.schema.space.create('edge_t', { if_not_exists = true })
      s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
      rawset(_G, 'edge_slow', function(sec) require('fiber').sleep(sec) return 'done' end)
    `,
  })
})

afterAll(async () => {
  await server?.stop()
})

describe('schema loads shared by concurrent requests', () => {
  it('one caller aborting or timing out does not fail the others waiting for the same load', async () => {
    const conn = await connect(server.uri)
    const ac = new AbortController()
    const a = conn.select('edge_t', [1], { signal: ac.signal }).catch((e: unknown) => e)
    const b = conn.select('edge_t', [1])
    const c = conn.select('edge_t', [1], { timeout: 1 }).catch((e: unknown) => e)
    ac.abort()
    expect(await a).toBeInstanceOf(RequestAbortedError)
    await expect(b).resolves.toEqual([])
    const cr = await c
    expect(Array.isArray(cr) || cr instanceof TimeoutError).toBe(true)
    await conn.close()
  })
})

describe('closing', () => {
  it('requests in flight when close() is called fail with code CLOSED', async () => {
    const conn = await connect(server.uri)
    const slow = conn.call('edge_slow', [5]).catch((e: unknown) => e)
    await sleep(20)
    await conn.close()
    expect(await slow).toMatchObject({ name: 'ConnectionError', code: 'CLOSED' })
  })

  it('close() during a connect that hangs (no greeting) returns at once and frees the socket', async () => {
    const fake = await startFakeIprotoServer(() => {}, { greeting: false })
    try {
      const lazy = connectLazy(fake.uri, { connectTimeout: 30_000 })
      const waiting = lazy.ping().catch((e: unknown) => e)
      await sleep(50)
      const t0 = Date.now()
      await lazy.close()
      expect(Date.now() - t0).toBeLessThan(5000) // the connect would otherwise run for its 30 s timeout
      expect(await waiting).toBeInstanceOf(ConnectionError)
      expect(lazy.state).toBe('closed')
    } finally {
      await fake.close()
    }
  })

  it('a lazy connection honours the request timeout while its first attempt is still under way', async () => {
    const fake = await startFakeIprotoServer(() => {}, { greeting: false })
    try {
      const lazy = connectLazy(fake.uri, { connectTimeout: 30_000 })
      const t0 = Date.now()
      await expect(lazy.ping({ timeout: 100 })).rejects.toBeInstanceOf(TimeoutError)
      expect(Date.now() - t0).toBeLessThan(10_000) // vs the 30 s connect timeout
      const ac = new AbortController()
      const p = lazy.ping({ signal: ac.signal })
      ac.abort()
      await expect(p).rejects.toBeInstanceOf(RequestAbortedError)
      await lazy.close()
    } finally {
      await fake.close()
    }
  })
})

describe('listeners', () => {
  it('a throwing event listener neither fails connect() nor stops reconnection', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    const events: ConnectionEvent['type'][] = []
    try {
      const conn = await connect(server.uri, {
        reconnect: { initialDelay: 20, maxDelay: 50 },
        onEvent: (e) => {
          events.push(e.type)
          throw new Error(`listener bug on ${e.type}`)
        },
      })
      await server.kill()
      await server.restart()
      for (let i = 0; i < 200 && !conn.isConnected; i++) await sleep(25)
      expect(conn.isConnected).toBe(true)
      expect(events).toContain('disconnect')
      expect(events.filter((t) => t === 'connect').length).toBeGreaterThanOrEqual(2)
      await sleep(10)
      expect(warnings.some((w) => w.includes('listener bug on connect'))).toBe(true)
      await conn.close()
    } finally {
      process.off('warning', onWarning)
    }
  })
})

describe('addresses', () => {
  it('never puts the password into a parse error, whatever characters it has', () => {
    for (const bad of ['tarantool://app:se/cret@db.example:33o1', 'app:p@ss/w:rd@host:notaport']) {
      try {
        parseAddress(bad)
        expect.unreachable()
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidArgumentError)
        expect((err as Error).message).not.toMatch(/se\/cret|ss\/w:rd/)
      }
    }
    expect(() => parseAddress('tarantool://app:%zz@host:3301')).toThrow(InvalidArgumentError)
  })
})

describe('pool start and roles', () => {
  it('a connection whose first attempt fails keeps reconnecting and joins the pool later', async () => {
    const other = await startTarantool({ password: server.password })
    try {
      await server.kill()
      const pool = await createPool([`${server.host}:${server.port}`, other.uri], {
        size: 2,
        user: server.user,
        password: server.password,
        reconnect: { initialDelay: 20, maxDelay: 50 },
        roleCheckInterval: 0,
      })
      expect(pool.instances.map((i) => i.connected)).toEqual([0, 2])
      await server.restart()
      for (let i = 0; i < 200 && pool.instances[0]!.connected < 2; i++) await sleep(25)
      expect(pool.instances.map((i) => i.connected)).toEqual([2, 2])
      await pool.close()
      // With every instance down, a non-lazy pool rejects (and leaves nothing running).
      await other.kill()
      await server.kill()
      await expect(createPool([other.uri, server.uri], { size: 1 })).rejects.toBeInstanceOf(ConnectionError)
      await server.restart()
    } finally {
      await other.stop()
    }
  })
})

describe('replica set without execute privilege', () => {
  let set: TarantoolReplicaSet
  beforeAll(async () => {
    set = await startReplicaSet({
      initLua: `
        local s = box.schema.space.create('edge_rs', { if_not_exists = true })
        s:create_index('primary', { parts = { 1, 'unsigned' }, if_not_exists = true })
        if not box.info.ro then
          box.schema.user.create('noexec', { password = 'pw', if_not_exists = true })
          box.schema.user.grant('noexec', 'read,write', 'space', 'edge_rs', { if_not_exists = true })
          box.schema.user.grant('noexec', 'read', 'space', '_vspace', { if_not_exists = true })
          box.schema.user.grant('noexec', 'read', 'space', '_vindex', { if_not_exists = true })
        end
      `,
    })
  }, 60_000)
  afterAll(async () => {
    await set?.stop()
  })

  it('learns the read-only instance from its error and sends every write to the writable one', async () => {
    const addresses = [set.replica, set.master].map((p) => `${p.host}:${p.port}`)
    const pool = await createPool(addresses, { size: 1, user: 'noexec', password: 'pw', roleCheckInterval: 0 })
    expect(pool.instances.map((i) => i.role)).toEqual(['unknown', 'unknown'])
    for (let i = 0; i < 20; i++) await expect(pool.replace('edge_rs', [i, 'v'])).resolves.toEqual([i, 'v'])
    expect(pool.instances[0]!.role).toBe('read-only')
    await pool.close()
  })
})
