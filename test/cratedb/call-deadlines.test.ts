import type { ServerResponse } from 'node:http'
import { Kysely, sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CrateDBDialect } from '../../dialects/cratedb/kysely/index.ts'
import { connect, ConnectionError, RequestAbortedError, TimeoutError } from '../../src/cratedb/index.ts'
import { resultSet, rowCount, sendJson, startStub, type StubNode } from './helpers/stub-node.ts'

// A node that never answers "hang" statements nor FETCHes, and answers the driver's sys.jobs lookup only after
// LOOKUP_DELAY ms (a busy cluster): the job kill then takes longer than the call's own timeout.
const LOOKUP_DELAY = 1_500
const jobs = new Map<string, string>() // id -> stmt
const hung = new Set<ServerResponse>()
let node: StubNode

function likeToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's')
}

beforeAll(async () => {
  node = await startStub(async (req, res) => {
    const stmt = req.json?.stmt ?? ''
    if (stmt === 'SELECT id FROM sys.jobs WHERE stmt LIKE ?') {
      await new Promise((r) => setTimeout(r, LOOKUP_DELAY))
      const re = likeToRegExp(String(req.json!.args![0]))
      return sendJson(res, 200, resultSet(['id'], [4], [...jobs].filter(([, s]) => re.test(s)).map(([id]) => [id])))
    }
    if (stmt === 'KILL ?') {
      const killed = jobs.delete(String(req.json!.args![0]))
      return sendJson(res, 200, rowCount(killed ? 1 : 0))
    }
    if (stmt === 'BEGIN' || stmt.includes('DECLARE')) return sendJson(res, 200, rowCount(0))
    if (stmt.includes('hang') || stmt.includes('FETCH')) {
      if (stmt.includes('hang')) jobs.set(`job-${jobs.size + 1}`, stmt)
      hung.add(res)
      res.on('close', () => hung.delete(res))
      return
    }
    sendJson(res, 200, resultSet(['x'], [9], [[1]]))
  })
})

afterEach(() => {
  node.requests.length = 0
  jobs.clear()
})

afterAll(async () => {
  await node.kill()
})

const kills = (): number => node.requests.filter((r) => r.json?.stmt === 'KILL ?').length

async function settleTime(call: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now()
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  return { error, ms: performance.now() - started }
}

describe('a call ends at its deadline; the job kill finishes in the background', () => {
  it('timeout: 300 rejects within 1 s although the kill lookup takes 1.5 s, and the KILL still reaches the server', async () => {
    const client = connect(node.url)
    const { error, ms } = await settleTime(client.execute('SELECT hang', [], { timeout: 300 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(ms).toBeLessThan(1_000)
    expect(kills()).toBe(0) // still looking the job up
    expect(await (error as TimeoutError).killing).toEqual(['job-1'])
    expect((error as TimeoutError).killedJobs).toEqual(['job-1'])
    expect(kills()).toBe(1)
    expect(jobs.size).toBe(0)
    await client.close()
  })

  it('an abort at 300 ms rejects within 1 s, and the KILL still reaches the server', async () => {
    const client = connect(node.url)
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('user gave up')), 300)
    const { error, ms } = await settleTime(client.execute('SELECT hang', [], { signal: ac.signal }))
    expect(error).toBeInstanceOf(RequestAbortedError)
    expect(ms).toBeLessThan(1_000)
    expect(await (error as RequestAbortedError).killing).toEqual(['job-1'])
    expect(kills()).toBe(1)
    await client.close()
  })

  it('close() waits (within its bound) for a kill still running in the background', async () => {
    const client = connect(node.url)
    const error = (await client.execute('SELECT hang', [], { timeout: 100 }).catch((e: unknown) => e)) as TimeoutError
    expect(kills()).toBe(0)
    await client.close()
    expect(kills()).toBe(1)
    expect(error.killedJobs).toEqual(['job-1'])
  })
})

describe('close() is bounded', () => {
  it('close({ timeout }) aborts a call that never ends: the call rejects with CLIENT_CLOSED and close() resolves', async () => {
    const client = connect(node.url)
    const call = client.execute('SELECT hang')
    await expect.poll(() => hung.size).toBe(1)
    const closing = settleTime(client.close({ timeout: 200 }))
    const { error, ms: callMs } = await settleTime(call)
    const { ms } = await closing
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error).toMatchObject({ code: 'CLIENT_CLOSED', retryable: false })
    expect(ms).toBeGreaterThanOrEqual(150)
    expect(ms).toBeLessThan(2_000)
    expect(callMs).toBeLessThan(2_000)
    await expect.poll(() => hung.size).toBe(0) // the connection carrying it was destroyed
  })

  it('close({ abort: true }) aborts calls and cursor streams in flight at once', async () => {
    const client = connect(node.url)
    const call = client.execute('SELECT hang')
    const stream = (async () => {
      for await (const _ of client.stream('SELECT * FROM big')) void _
    })().catch((e: unknown) => e)
    await expect.poll(() => hung.size).toBe(2)
    const { ms } = await settleTime(client.close({ abort: true }))
    expect(ms).toBeLessThan(1_000)
    expect(await call.catch((e: unknown) => e)).toMatchObject({ code: 'CLIENT_CLOSED' })
    expect(await stream).toBeInstanceOf(ConnectionError)
    await expect(client.execute('SELECT 1')).rejects.toMatchObject({ code: 'CLIENT_CLOSED' })
  })

  it('the default close() still lets a call that finishes in time complete', async () => {
    const client = connect(node.url)
    const call = client.execute('SELECT 1')
    await client.close()
    expect((await call).rows).toEqual([[1]])
  })

  it('close() refuses a bad timeout', async () => {
    const client = connect(node.url)
    await expect(client.close({ timeout: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    await client.close({ timeout: Infinity })
  })

  it("Kysely's destroy() ends within close()'s default bound (10 s) while a query never answers", async () => {
    const db = new Kysely<Record<string, never>>({ dialect: new CrateDBDialect({ client: connect(node.url) }) })
    const query = sql`SELECT hang`.execute(db).catch((e: unknown) => e)
    await expect.poll(() => hung.size).toBe(1)
    const { ms } = await settleTime(db.destroy())
    expect(ms).toBeGreaterThan(9_000)
    expect(ms).toBeLessThan(14_000)
    expect(await query).toMatchObject({ code: 'CLIENT_CLOSED' })
  }, 30_000)

  it("the dialect's close option bounds Kysely's destroy(): { timeout: 200 } and { abort: true }", async () => {
    for (const [close, min, max] of [
      [{ timeout: 200 }, 150, 2_000],
      [{ abort: true }, 0, 1_000],
    ] as const) {
      const db = new Kysely<Record<string, never>>({ dialect: new CrateDBDialect({ client: connect(node.url), close }) })
      const query = sql`SELECT hang`.execute(db).catch((e: unknown) => e)
      await expect.poll(() => hung.size).toBe(1)
      const { ms } = await settleTime(db.destroy())
      expect(ms).toBeGreaterThanOrEqual(min)
      expect(ms).toBeLessThan(max)
      expect(await query).toMatchObject({ code: 'CLIENT_CLOSED' })
      await expect.poll(() => hung.size).toBe(0)
    }
  }, 30_000)
})
