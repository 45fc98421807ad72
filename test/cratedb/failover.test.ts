import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, ConnectionError, TimeoutError, type CrateDBClient, type CrateDBEvent } from '../../src/cratedb/index.ts'
import { crateError, resultSet, rowCount, sendJson, sqlHandler, startStub, untag, type StubHandler, type StubNode } from './helpers/stub-node.ts'

let clients: CrateDBClient[] = []
let stubs: StubNode[] = []
let rawServers: Server[] = []

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await Promise.all(stubs.map((s) => s.kill().catch(() => {})))
  for (const s of rawServers) s.close()
  clients = []
  stubs = []
  rawServers = []
})

const ok: StubHandler = sqlHandler((stmt) => (untag(stmt).startsWith('SELECT') ? resultSet(['x'], [9], [[1]]) : rowCount(1)))

async function nodes(n: number, handler: StubHandler = ok): Promise<StubNode[]> {
  const out = await Promise.all(Array.from({ length: n }, () => startStub(handler)))
  stubs.push(...out)
  return out
}

function client(urls: string[], options: Parameters<typeof connect>[1] = {}): CrateDBClient {
  const c = connect(urls, options)
  clients.push(c)
  return c
}

/** A port with nothing listening. */
async function deadPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

describe('round-robin and failover (as crate-python http.py)', () => {
  it('spreads requests over 3 nodes in turn', async () => {
    const ns = await nodes(3)
    const c = client(ns.map((n) => n.url))
    for (let i = 0; i < 9; i++) await c.execute('SELECT 1')
    expect(ns.map((n) => n.requests.length)).toEqual([3, 3, 3])
  })

  it('the servers option (string list or array) and connect(options) name the nodes too', async () => {
    const ns = await nodes(2)
    const fromString = connect({ servers: `${ns[0]!.url} ${ns[1]!.url}` })
    const fromArray = connect(undefined, { servers: [ns[0]!.url, ns[1]!.url] })
    clients.push(fromString, fromArray)
    for (const c of [fromString, fromArray]) {
      expect(c.nodes.map((n) => n.url)).toEqual([ns[0]!.url, ns[1]!.url])
      for (let i = 0; i < 2; i++) await c.execute('SELECT 1')
    }
    expect(ns.map((n) => n.requests.length)).toEqual([2, 2])
  })

  it('a 509 answer (bandwidth limit) sets the node aside and the statement, not executed, goes to the next node', async () => {
    const [limited, good] = await nodes(2)
    limited!.handler = (_req, res) => sendJson(res, 509, '')
    const c = client([limited!.url, good!.url])
    expect((await c.execute('INSERT INTO t (id) VALUES (1)')).rowCount).toBe(1)
    expect(c.nodes[0]!.active).toBe(false)
    expect(good!.requests).toHaveLength(1)
  })

  it('a 502 sets the node aside; a SELECT goes on to the next node', async () => {
    const [bad, good] = await nodes(2)
    bad!.handler = (_req, res) => sendJson(res, 502, '<html>bad gateway</html>')
    const events: CrateDBEvent[] = []
    const c = client([bad!.url, good!.url], { onEvent: (e) => events.push(e) })
    expect((await c.execute('SELECT 1')).rows).toEqual([[1]])
    expect(c.nodes).toEqual([{ url: bad!.url, active: false }, { url: good!.url, active: true }])
    expect(events).toEqual([{ type: 'node-down', node: bad!.url, error: 'HTTP 502' }])
    for (let i = 0; i < 4; i++) await c.execute('SELECT 1')
    expect(bad!.requests.length).toBe(1)
  })

  it('a 502/504 on a write is not re-sent (it may have run); a 503 is (it was not processed)', async () => {
    const [bad, good] = await nodes(2)
    bad!.handler = (_req, res) => sendJson(res, 504, 'gateway timeout')
    const c = client([bad!.url, good!.url])
    const err = await c.execute('INSERT INTO t (id) VALUES (1)').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err).toMatchObject({ code: 'CONNECTION_LOST', retryable: false, httpStatus: 504 })
    expect(good!.requests.length).toBe(0)

    const [b2, g2] = await nodes(2)
    b2!.handler = (_req, res) => crateError(res, 503, 5031, 'ClusterBlockException[no master]')
    const c2 = client([b2!.url, g2!.url])
    expect((await c2.execute('INSERT INTO t (id) VALUES (1)')).rowCount).toBe(1)
    expect(g2!.requests.length).toBe(1)
  })

  it('idempotent: true lets a write be re-sent after a 502', async () => {
    const [bad, good] = await nodes(2)
    bad!.handler = (_req, res) => sendJson(res, 502, 'bad gateway')
    const c = client([bad!.url, good!.url])
    expect((await c.execute('INSERT INTO t (id) VALUES (1) ON CONFLICT DO NOTHING', [], { idempotent: true })).rowCount).toBe(1)
    expect(good!.requests.length).toBe(1)
  })

  it('a connection that breaks after sending: reads are re-sent, writes are not, and the node stays in', async () => {
    const [flaky, good] = await nodes(2)
    // The request fully arrives, then the connection drops without an answer.
    flaky!.handler = (_req, res) => {
      res.socket?.destroy()
    }
    const c = client([flaky!.url, good!.url])
    expect((await c.execute('SELECT 1')).rows).toEqual([[1]])
    expect(flaky!.requests.length).toBe(1)
    expect(good!.requests.length).toBe(1)
    expect(c.nodes.every((n) => n.active)).toBe(true)

    const err = await c.execute('UPDATE t SET x = 1').catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'CONNECTION_LOST', retryable: false })
    expect((err as Error).message).toMatch(/may or may not have executed/)
    expect(flaky!.requests.length).toBe(2)
    expect(good!.requests.length).toBe(1)

    const c2 = client([flaky!.url, good!.url])
    expect((await c2.execute('UPDATE t SET x = 1', [], { idempotent: true })).rowCount).toBe(1)
    expect(flaky!.requests.length).toBe(3)
    expect(good!.requests.length).toBe(2)
  })

  it('with a single node, a read whose connection was closed under it is tried once more on a fresh one', async () => {
    const [only] = await nodes(1)
    let first = true
    only!.handler = (req, res) => {
      if (first) {
        first = false
        res.socket?.destroy()
        return
      }
      return ok(req, res)
    }
    const c = client([only!.url])
    expect((await c.execute('SELECT 1')).rows).toEqual([[1]])
    expect(only!.requests.length).toBe(2)
    expect(only!.requests[0]!.connection).not.toBe(only!.requests[1]!.connection)
    first = true
    await expect(c.execute('DELETE FROM t')).rejects.toMatchObject({ code: 'CONNECTION_LOST' })
    expect(only!.requests.length).toBe(3)
  })

  it('a set-aside node is re-admitted after retryInterval', async () => {
    const ns = await nodes(3)
    const port = ns[0]!.port
    await ns[0]!.kill()
    const events: CrateDBEvent[] = []
    const c = client(ns.map((n) => n.url), { retryInterval: 300, onEvent: (e) => events.push(e) })
    for (let i = 0; i < 6; i++) await c.execute('INSERT INTO t VALUES (1)') // refused before sending: re-sent even for writes
    expect(ns[1]!.requests.length + ns[2]!.requests.length).toBe(6)
    expect(c.nodes[0]!.active).toBe(false)
    const revived = await startStub(ok, { port })
    stubs.push(revived)
    for (let i = 0; i < 3; i++) await c.execute('SELECT 1')
    expect(revived.requests.length).toBe(0)
    await new Promise((r) => setTimeout(r, 350))
    for (let i = 0; i < 3; i++) await c.execute('SELECT 1')
    expect(revived.requests.length).toBe(1)
    expect(events.map((e) => e.type)).toEqual(['node-down', 'node-up'])
  })

  it('all nodes down: one ConnectionError naming every node tried', async () => {
    const ports = [await deadPort(), await deadPort(), await deadPort()]
    const urls = ports.map((p) => `http://127.0.0.1:${p}/`)
    const c = client(urls)
    const err = (await c.execute('SELECT 1').catch((e: unknown) => e)) as ConnectionError
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.code).toBe('NODES_UNAVAILABLE')
    expect(err.retryable).toBe(true)
    expect(err.nodes.map((n) => n.node)).toEqual(urls)
    for (const u of urls) expect(err.message).toContain(u)
    expect(err.message).toContain('ECONNREFUSED')
  })

  it('when every node is set aside, the one set aside longest ago is tried', async () => {
    const ns = await nodes(2)
    const ports = ns.map((n) => n.port)
    await Promise.all(ns.map((n) => n.kill()))
    const c = client(ns.map((n) => n.url), { retryInterval: 60_000 })
    await expect(c.execute('SELECT 1')).rejects.toBeInstanceOf(ConnectionError)
    expect(c.nodes.map((n) => n.active)).toEqual([false, false])
    const first = await startStub(ok, { port: ports[0] })
    stubs.push(first)
    expect((await c.execute('SELECT 1')).rows).toEqual([[1]])
    expect(first.requests.length).toBe(1)
  })

  it('maxRetries bounds the attempts and backoffFactor spaces them: 0, f, 2f', async () => {
    const [busy] = await nodes(1, (_req, res) => crateError(res, 503, 5030, 'ClusterBlockException[unavailable]'))
    const c = client([busy!.url], { maxRetries: 3, backoffFactor: 100 })
    const t0 = Date.now()
    const err = await c.execute('SELECT 1').catch((e: unknown) => e)
    const elapsed = Date.now() - t0
    expect(err).toMatchObject({ code: 'NODES_UNAVAILABLE', httpStatus: 503 })
    expect(busy!.requests.length).toBe(4)
    expect(elapsed).toBeGreaterThanOrEqual(290)

    const fast = client([busy!.url], { maxRetries: 3 })
    const t1 = Date.now()
    await fast.execute('SELECT 1').catch(() => {})
    expect(Date.now() - t1).toBeLessThan(250)
    const once = client([busy!.url])
    const before = busy!.requests.length
    await once.execute('SELECT 1').catch(() => {})
    expect(busy!.requests.length - before).toBe(1) // default with one node: no retry
    const backoffOnly = client([busy!.url], { backoffFactor: 5 })
    const before2 = busy!.requests.length
    await backoffOnly.execute('SELECT 1').catch(() => {})
    expect(busy!.requests.length - before2).toBe(6) // a backoff alone means 5 retries, also with one node
  })

  it('timeout bounds the whole call, backoff included', async () => {
    const [busy] = await nodes(1, (_req, res) => crateError(res, 503, 5030, 'unavailable'))
    const c = client([busy!.url], { maxRetries: 10, backoffFactor: 1000, timeout: 300, killOnAbort: false })
    const t0 = Date.now()
    const err = await c.execute('SELECT 1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TimeoutError)
    expect(Date.now() - t0).toBeLessThan(1500)
  })

  it('connectTimeout gives up on a node that does not complete the handshake', async () => {
    const silent = createServer(() => {}) // accepts TCP, never speaks TLS
    rawServers.push(silent)
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/`
    const c = client([url], { connectTimeout: 200 })
    const t0 = Date.now()
    const err = (await c.execute('SELECT 1').catch((e: unknown) => e)) as ConnectionError
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err.nodes[0]!.error).toMatch(/timeout/i)
    expect(Date.now() - t0).toBeLessThan(4000) // undici checks connect timeouts with ~1 s resolution; the default is 10 s
  })
})

describe('a node stopping under load', () => {
  it('killing one of 3 nodes mid-load loses no read', async () => {
    const ns = await nodes(3, sqlHandler(async () => {
      await new Promise((r) => setTimeout(r, 2))
      return resultSet(['x'], [9], [[1]])
    }))
    const c = client(ns.map((n) => n.url), { poolSize: 4 })
    let done = 0
    let killed: Promise<void> | undefined
    const all = Array.from({ length: 300 }, async () => {
      const r = await c.execute('SELECT 1')
      if (++done === 60) killed = ns[1]!.kill()
      return r.rows[0]![0]
    })
    const results = await Promise.allSettled(all)
    await killed
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
    expect(c.nodes[1]!.active).toBe(false)
    expect(ns[0]!.requests.length + ns[2]!.requests.length).toBeGreaterThan(200)
  })

  it('stopping one of 3 nodes gracefully mid-load loses no read', async () => {
    const ns = await nodes(3, sqlHandler(async () => {
      await new Promise((r) => setTimeout(r, 2))
      return resultSet(['x'], [9], [[1]])
    }))
    const c = client(ns.map((n) => n.url), { poolSize: 4 })
    let done = 0
    let stopped: Promise<void> | undefined
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, async () => {
        const r = await c.execute('SELECT 1')
        if (++done === 60) stopped = ns[1]!.stop()
        return r
      }),
    )
    await stopped
    expect(results.filter((r) => r.status === 'rejected')).toEqual([])
  })

  it('writes during a graceful stop: upserts marked idempotent lose nothing; plain writes are never re-sent blindly', async () => {
    const handler = sqlHandler(async () => {
      await new Promise((r) => setTimeout(r, 2))
      return rowCount(1)
    })
    const run = async (idempotent: boolean): Promise<{ results: PromiseSettledResult<unknown>[]; ns: StubNode[] }> => {
      const ns = await nodes(3, handler)
      const c = client(ns.map((n) => n.url), { poolSize: 4 })
      let done = 0
      let stopped: Promise<void> | undefined
      const results = await Promise.allSettled(
        Array.from({ length: 300 }, async (_, i) => {
          const r = await c.execute('INSERT INTO t (id) VALUES (?) ON CONFLICT (id) DO NOTHING', [i], { idempotent })
          if (++done === 60) stopped = ns[1]!.stop()
          return r
        }),
      )
      await stopped
      return { results, ns }
    }
    const upserts = await run(true)
    expect(upserts.results.filter((r) => r.status === 'rejected')).toEqual([])

    // A plain write caught on a connection the stopping node closed may or may not have run: it fails with a
    // non-retryable ConnectionError naming that node, and is not sent anywhere else.
    const plain = await run(false)
    const stoppedUrl = plain.ns[1]!.url
    for (const r of plain.results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONNECTION_LOST', retryable: false, node: stoppedUrl })
    }
    // Every row is accounted for: each id reached at most one node (never re-sent), each success reached exactly
    // one, and only requests caught on the stopping node's connections (at most poolSize = 4) failed.
    const seen = new Map<number, number>()
    for (const n of plain.ns) for (const req of n.requests) seen.set(Number(req.json!.args![0]), (seen.get(Number(req.json!.args![0])) ?? 0) + 1)
    expect([...seen.values()].every((count) => count === 1)).toBe(true)
    plain.results.forEach((r, id) => {
      if (r.status === 'fulfilled') expect(seen.get(id), `row ${id}`).toBe(1)
    })
    const failed = plain.results.filter((r) => r.status === 'rejected').length
    expect(failed).toBeLessThanOrEqual(4)
  })
})

describe('serverInfos and lowestServerVersion (crate-python lowest_server_version)', () => {
  const info = (version: string): StubHandler => (_req, res) => sendJson(res, 200, { ok: true, status: 200, name: `node-${version}`, cluster_name: 'crate', version: { number: version, build_hash: 'abc' } })

  it('asks every node, set aside or not, and reports each answer or error in configuration order', async () => {
    const [a, b] = await Promise.all([startStub(info('5.10.3')), startStub(info('5.9.12'))])
    stubs.push(a, b)
    const dead = `http://127.0.0.1:${await deadPort()}/`
    const c = client([a.url, dead, b.url])
    const infos = await c.serverInfos()
    expect(infos.map((i) => [i.node, i.info?.version, i.error?.code])).toEqual([
      [a.url, '5.10.3', undefined],
      [dead, undefined, 'NODE_UNAVAILABLE'],
      [b.url, '5.9.12', undefined],
    ])
    expect(infos[0]!.info).toMatchObject({ nodeName: 'node-5.10.3', clusterName: 'crate', buildHash: 'abc' })
    expect(await c.lowestServerVersion()).toBe('5.9.12')
    expect(c.nodes.every((n) => n.active)).toBe(true) // asking does not change the rotation
  })

  it('no node answering is a ConnectionError naming each', async () => {
    const dead = [`http://127.0.0.1:${await deadPort()}/`, `http://127.0.0.1:${await deadPort()}/`]
    const err = await client(dead).lowestServerVersion().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    for (const u of dead) expect((err as Error).message).toContain(u)
  })
})
