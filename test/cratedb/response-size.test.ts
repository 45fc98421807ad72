import { constants as bufferConstants } from 'node:buffer'
import type { ServerResponse } from 'node:http'
import { deflateSync, gzipSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { blobDigest } from '../../src/cratedb/blob-container.ts'
import { connect, InvalidArgumentError, ProtocolError, ResponseTooLargeError, type CrateDBClient } from '../../src/cratedb/index.ts'
import { decodeExecuteBody } from '../../src/cratedb/sql-result.ts'
import { startStub, type StubNode } from './helpers/stub-node.ts'

const MiB = 1024 * 1024
const LIMIT = 8 * MiB
/** What the hostile server sends before it gives up: far over the limit, small enough for a test machine. */
const ENDLESS_BYTES = 96 * MiB

// A node whose answers are too large in each way a server can do it.
let node: StubNode
let client: CrateDBClient
let lastWrite = { written: 0, closedEarly: false }
const bombJson = Buffer.concat([Buffer.from('{"cols":["x"],"col_types":[4],"rows":[["'), Buffer.alloc(64 * MiB, 0x20), Buffer.from('"]],"rowcount":1,"duration":1}')])
const gzipBomb = gzipSync(bombJson, { level: 9 })
const deflateBomb = deflateSync(bombJson, { level: 9 })
const blob = Buffer.alloc(LIMIT + 1, 7)

function pumpEndless(res: ServerResponse, status = 200): void {
  const chunk = Buffer.alloc(MiB, 0x20)
  const state = { written: 0, closedEarly: false }
  lastWrite = state
  res.on('close', () => (state.closedEarly = state.written < ENDLESS_BYTES))
  res.writeHead(status, { 'content-type': 'application/json' })
  res.write('{"cols":["x"],"col_types":[4],"rows":[["')
  const pump = (): void => {
    while (!res.destroyed && state.written < ENDLESS_BYTES) {
      state.written += chunk.length
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    if (!res.destroyed) res.end('"]]}') // not reached once the client closed the connection
  }
  pump()
}

beforeAll(async () => {
  node = await startStub((req, res) => {
    const stmt = req.json?.stmt ?? ''
    if (req.url.startsWith('/_blobs/')) {
      if (req.url.endsWith('f'.repeat(40)) && req.method === 'GET') return pumpEndless(res, 500) // an endless error page
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': blob.length }).end()
      return void res.writeHead(200, { 'content-length': blob.length }).end(blob)
    }
    if (stmt === 'BEGIN' || stmt.startsWith('DECLARE') || stmt.startsWith('CLOSE') || stmt === 'COMMIT') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"cols":[],"rows":[[]],"rowcount":0,"duration":1}')
    }
    if (stmt.includes('endless') || stmt.startsWith('FETCH')) return pumpEndless(res)
    if (stmt.includes('declared')) {
      // Declares 1 GiB, sends a little, then waits.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1024 * MiB })
      return void res.write('{"cols":')
    }
    if (stmt.includes('gzip') || stmt.includes('deflate')) {
      const body = stmt.includes('gzip') ? gzipBomb : deflateBomb
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': stmt.includes('gzip') ? 'gzip' : 'deflate', 'content-length': body.length })
      return void res.end(body)
    }
    const ok = '{"cols":["x"],"col_types":[4],"rows":[[1]],"rowcount":1,"duration":1}'
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': ok.length }).end(ok)
  })
  client = connect(node.url, { maxResponseSize: LIMIT })
})

afterEach(() => {
  node.requests.length = 0
})

afterAll(async () => {
  await client.close()
  await node.kill()
})

/** Runs `call` and reports how it settled and the peak growth of Buffer memory (arrayBuffers) meanwhile. */
async function withPeakGrowth(call: () => Promise<unknown>): Promise<{ error: unknown; growth: number }> {
  const base = process.memoryUsage().arrayBuffers
  let peak = base
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2)
  let error: unknown
  try {
    await call()
  } catch (err) {
    error = err
  }
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().arrayBuffers)
  return { error, growth: peak - base }
}

describe('maxResponseSize', () => {
  it('an endless _sql body fails fast with ResponseTooLargeError pointing to stream(); the connection is closed', async () => {
    const { error, growth } = await withPeakGrowth(() => client.execute('SELECT endless'))
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', retryable: false, limit: LIMIT, inflated: false, node: node.url })
    expect((error as Error).message).toMatch(/maxResponseSize \(8388608 bytes\)/)
    expect((error as Error).message).toMatch(/client\.stream\(\)/)
    expect(growth).toBeLessThan(3 * LIMIT)
    await expect.poll(() => lastWrite.closedEarly, { timeout: 5_000 }).toBe(true)
    expect(node.openConnections()).toBe(0) // destroyed, not drained and kept alive
    // The client goes on working, on a new connection.
    expect((await client.execute('SELECT 1')).rows).toEqual([[1]])
  })

  it('stream(): a batch over the limit ends the stream with ResponseTooLargeError pointing to batchSize', async () => {
    const { error, growth } = await withPeakGrowth(async () => {
      for await (const _ of client.stream('SELECT * FROM big')) void _
    })
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as Error).message).toMatch(/batchSize/)
    expect(growth).toBeLessThan(3 * LIMIT)
  })

  it('a Content-Length over the limit fails at the headers, without waiting for the body', async () => {
    const error = await client.execute('SELECT declared', [], { timeout: 10_000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as Error).message).toMatch(/Content-Length: 1073741824/)
  })

  for (const encoding of ['gzip', 'deflate']) {
    it(`a ${encoding} bomb (64 MiB of JSON in ${encoding === 'gzip' ? gzipBomb.length : deflateBomb.length} bytes) stops inflating at the limit`, async () => {
      const { error, growth } = await withPeakGrowth(() => client.execute(`SELECT ${encoding}`))
      expect(error).toBeInstanceOf(ResponseTooLargeError)
      expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', retryable: false, inflated: true })
      expect((error as Error).message).toMatch(/inflat/)
      expect(growth).toBeLessThan(3 * LIMIT)
    })
  }

  it('blobs: get() is capped and points to getStream(); getStream() is not capped', async () => {
    const digest = blobDigest(blob)
    const error = await client.blobs('b').get(digest).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as Error).message).toMatch(/getStream\(\)/)
    let size = 0
    for await (const chunk of await client.blobs('b').getStream(digest)) size += (chunk as Buffer).length
    expect(size).toBe(blob.length)
  })

  it('getStream(): an endless error answer is read only as far as the message needs', async () => {
    const { error, growth } = await withPeakGrowth(() => client.blobs('b').getStream('f'.repeat(40)))
    expect(error).toMatchObject({ httpStatus: 500 })
    expect(growth).toBeLessThan(3 * LIMIT)
    await expect.poll(() => lastWrite.closedEarly, { timeout: 5_000 }).toBe(true)
  })

  it('an answer longer than V8 strings can be is a ResponseTooLargeError from the reader, not ERR_STRING_TOO_LONG', () => {
    const body = Buffer.from('{"cols":[],"rows":[],"rowcount":0}')
    Object.defineProperty(body, 'length', { value: bufferConstants.MAX_STRING_LENGTH + 1 })
    let error: unknown
    try {
      decodeExecuteBody(body, {}, 'http://n:4200/', 'POST /_sql')
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as Error).message).toMatch(/client\.stream\(\)/)
  })

  it('the option takes whole byte counts from 1 to V8 longest string', () => {
    for (const bad of [0, -1, 1.5, bufferConstants.MAX_STRING_LENGTH + 1, Number.NaN]) {
      expect(() => connect(node.url, { maxResponseSize: bad })).toThrow(InvalidArgumentError)
    }
    expect(() => connect(node.url, { maxResponseSize: bufferConstants.MAX_STRING_LENGTH })).not.toThrow()
  })
})
