import type { ServerResponse } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect, RequestAbortedError, TimeoutError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { crateError, resultSet, rowCount, sendJson, startStub, type StubNode } from './helpers/stub-node.ts'

// A node that runs "slow" statements until they are killed, and serves sys.jobs and KILL like CrateDB:
// sys.jobs.stmt holds the statement text exactly as received.
interface Job { id: string; stmt: string; res: ServerResponse }
const running = new Map<string, Job>()
let jobSeq = 0
let hideJobsForLookups = 0
/** While set, sys.jobs lookups get no answer until it is called. */
let holdLookups: Promise<void> | undefined
let node: StubNode
let client: CrateDBClient

function likeToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's')
}

beforeAll(async () => {
  node = await startStub(async (req, res) => {
    const stmt = req.json?.stmt ?? ''
    if (stmt === 'SELECT id FROM sys.jobs WHERE stmt LIKE ?') {
      if (holdLookups !== undefined) await holdLookups
      if (hideJobsForLookups > 0) {
        hideJobsForLookups--
        return sendJson(res, 200, resultSet(['id'], [4], []))
      }
      const re = likeToRegExp(String(req.json!.args![0]))
      return sendJson(res, 200, resultSet(['id'], [4], [...running.values()].filter((j) => re.test(j.stmt)).map((j) => [j.id])))
    }
    if (stmt === 'KILL ?') {
      const job = running.get(String(req.json!.args![0]))
      if (job) {
        running.delete(job.id)
        if (!job.res.destroyed) crateError(job.res, 500, 5005, 'JobKilledException[Job killed. KILL statement]')
      }
      return sendJson(res, 200, rowCount(job ? 1 : 0))
    }
    if (stmt.includes('slow')) {
      const id = `00000000-0000-0000-0000-${String(++jobSeq).padStart(12, '0')}`
      running.set(id, { id, stmt, res })
      res.on('close', () => {}) // the job keeps running when the client goes away, as in CrateDB
      return
    }
    sendJson(res, 200, resultSet(['x'], [9], [[1]]))
  })
  client = connect(node.url)
})

afterEach(() => {
  node.requests.length = 0
})

afterAll(async () => {
  await client.close()
  await node.kill()
})

function finishAll(): void {
  for (const j of running.values()) crateError(j.res, 500, 5005, 'JobKilledException[Job killed]')
  running.clear()
}

const lookups = (): typeof node.requests => node.requests.filter((r) => r.json?.stmt === 'SELECT id FROM sys.jobs WHERE stmt LIKE ?')
const kills = (): typeof node.requests => node.requests.filter((r) => r.json?.stmt === 'KILL ?')

describe('cancellation kills the server-side job', () => {
  it('an aborted signal ends the call and KILLs exactly the tagged job', async () => {
    const other = connect(node.url)
    const otherCall = other.execute('SELECT slow FROM other_client', [], { timeout: 5_000 }).catch((e: unknown) => e)
    const ac = new AbortController()
    const call = client.execute('SELECT slow FROM t', [], { signal: ac.signal })
    await new Promise((r) => setTimeout(r, 100))
    expect(running.size).toBe(2)
    ac.abort(new Error('user gave up'))
    const err = (await call.catch((e: unknown) => e)) as RequestAbortedError
    await err.killing // the call rejected at its deadline; the kill runs in the background
    expect(err).toBeInstanceOf(RequestAbortedError)
    expect((err.cause as Error).message).toBe('user gave up')
    const sent = node.requests.find((r) => r.json?.stmt?.endsWith('SELECT slow FROM t'))!.json!.stmt!
    const tag = /^\/\* dialectry:([0-9a-f-]{36}) \*\/ SELECT slow FROM t$/.exec(sent)![1]
    expect(lookups().at(-1)!.json!.args).toEqual([`/* dialectry:${tag} */%`])
    expect(kills()).toHaveLength(1)
    expect(err.killedJobs).toEqual([kills()[0]!.json!.args![0]])
    // the other client's job was left alone
    expect(running.size).toBe(1)
    expect([...running.values()][0]!.stmt).toContain('other_client')
    finishAll()
    expect(await otherCall).toMatchObject({ code: 5005 })
    await other.close()
  })

  it('executeMany is cancelled the same way: its bulk job is tagged and killed', async () => {
    const ac = new AbortController()
    const call = client.executeMany('INSERT INTO slow_bulk (id) VALUES (?)', [[1], [2]], { signal: ac.signal })
    await waitFor(() => running.size === 1)
    ac.abort()
    const err = (await call.catch((e: unknown) => e)) as RequestAbortedError
    await err.killing // the call rejected at its deadline; the kill runs in the background
    expect(err).toBeInstanceOf(RequestAbortedError)
    expect(err.killedJobs).toHaveLength(1)
    expect(kills()).toHaveLength(1)
    expect(running.size).toBe(0)
  })

  it("the kill lookup decodes job ids with the built-in decoders, not the client's converters", async () => {
    const own = connect(node.url, { converters: { 4: (v) => ({ wrapped: v }) } })
    const err = (await own.execute('SELECT slow', [], { timeout: 150 }).catch((e: unknown) => e)) as TimeoutError
    await err.killing // the call rejected at its deadline; the kill runs in the background
    expect(err).toBeInstanceOf(TimeoutError)
    expect(err.killedJobs).toHaveLength(1)
    expect(typeof err.killedJobs[0]).toBe('string')
    expect(kills().at(-1)!.json!.args).toEqual([err.killedJobs[0]])
    expect(running.size).toBe(0)
    await own.close()
  })

  it('a timeout ends the call with TimeoutError and kills the job', async () => {
    const err = (await client.execute('SELECT slow', [], { timeout: 150 }).catch((e: unknown) => e)) as TimeoutError
    await err.killing // the call rejected at its deadline; the kill runs in the background
    expect(err).toBeInstanceOf(TimeoutError)
    expect(err.code).toBe('TIMEOUT')
    expect(err.killedJobs).toHaveLength(1)
    expect(running.size).toBe(0)
  })

  it('the lookup is repeated while the job is not visible yet', async () => {
    hideJobsForLookups = 2
    const err = (await client.execute('SELECT slow', [], { timeout: 100 }).catch((e: unknown) => e)) as TimeoutError
    await err.killing // the call rejected at its deadline; the kill runs in the background
    expect(lookups()).toHaveLength(3)
    expect(err.killedJobs).toHaveLength(1)
    expect(running.size).toBe(0)
  })

  it('killOnAbort: false sends no tag and no KILL; the job keeps running', async () => {
    const c = connect(node.url, { killOnAbort: false })
    const err = await c.execute('SELECT slow', [], { timeout: 100 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TimeoutError)
    expect(node.requests[0]!.json!.stmt).toBe('SELECT slow')
    expect(lookups()).toHaveLength(0)
    expect(running.size).toBe(1)
    finishAll()
    await c.close()
  })

  it('nothing is tagged without a timeout or signal, and an already aborted signal sends nothing', async () => {
    await client.execute('SELECT 1')
    expect(node.requests[0]!.json!.stmt).toBe('SELECT 1')
    const ac = new AbortController()
    ac.abort()
    const err = await client.execute('SELECT slow', [], { signal: ac.signal }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RequestAbortedError)
    expect((err as Error).message).toMatch(/not sent/)
    expect(node.requests).toHaveLength(1)
  })
})

describe('waiting for the kill, and close()', () => {
  it('an aborted call rejects without waiting for a kill lookup that hangs; close() waits for the kill', async () => {
    let release!: () => void
    holdLookups = new Promise((r) => (release = r))
    const own = connect(node.url)
    const ac = new AbortController()
    const call = own.execute('SELECT slow FROM t', [], { signal: ac.signal })
    await waitFor(() => running.size === 1)
    ac.abort()
    const error = await call.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RequestAbortedError)
    expect((error as RequestAbortedError).killedJobs).toEqual([])
    await waitFor(() => lookups().length > 0)
    expect(kills()).toHaveLength(0) // the lookup is still unanswered
    let closed = false
    const closing = own.close().then(() => (closed = true))
    await new Promise((r) => setTimeout(r, 50))
    expect(closed).toBe(false)
    holdLookups = undefined
    release()
    await closing
    expect(kills()).toHaveLength(1) // the kill finished in the background before close() resolved
    expect(running.size).toBe(0)
  }, 15_000)

  it('close() lets calls in flight finish and refuses new ones', async () => {
    const own = connect(node.url)
    const slow = own.execute('SELECT slow FROM t')
    await waitFor(() => running.size === 1)
    let closed = false
    const closing = own.close().then(() => (closed = true))
    await expect(own.execute('SELECT 1')).rejects.toMatchObject({ code: 'CLIENT_CLOSED' })
    await new Promise((r) => setTimeout(r, 50))
    expect(closed).toBe(false)
    const [job] = running.values()
    running.clear()
    sendJson(job!.res, 200, resultSet(['x'], [9], [[42]]))
    expect((await slow).rows).toEqual([[42]])
    await closing
  })
})

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5))
}
