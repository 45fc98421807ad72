import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, INSERT_BATCH_SIZE, type BTrDB, type Stream } from '../../src/btrdb/index.ts'
import { startBTrDB, type LocalBTrDB } from '../../src/testing/btrdb/index.ts'

/**
 * Client behaviour that needs the local server's counters: insert chunking, flow control of values(), and
 * cancellation of the server stream when a loop ends early.
 */
let server: LocalBTrDB
let db: BTrDB
let big: Stream
const N = 1_000_000

beforeAll(async () => {
  server = await startBTrDB()
  db = await connect(server.endpoint, { env: {}, home: '/nonexistent' })
  big = await db.create(undefined, 'stream/big', { name: 'big' })
  const times = new BigInt64Array(N)
  const values = new Float64Array(N)
  for (let i = 0; i < N; i++) {
    times[i] = BigInt(i) * 1000n
    values[i] = i
  }
  await big.insert({ times, values })
}, 120_000)
afterAll(async () => {
  db.close()
  await server.stop()
})

describe('insert', () => {
  it('sends at most 50,000 points per Insert call', async () => {
    const s = await db.create(undefined, 'stream/chunks', { name: 'chunks' })
    const before = await s.version()
    const n = 2 * INSERT_BATCH_SIZE + 1
    const progress: number[] = []
    const v = await s.insert({ times: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), values: new Float64Array(n) }, { onProgress: (sent) => progress.push(sent) })
    expect(progress).toEqual([50_000, 100_000, 100_001])
    // each Insert call is one new version on the local server
    expect(v - before).toBe(3n)
    expect(await s.count()).toBe(BigInt(n))
  })
})

describe('values() streaming', () => {
  it('reads every point of a 1M-point stream in order', async () => {
    let n = 0
    let sum = 0
    let prev = -1n
    for await (const batch of big.valueBatches()) {
      for (let i = 0; i < batch.times.length; i++) {
        if (batch.times[i]! <= prev) throw new Error('out of order')
        prev = batch.times[i]!
        sum += batch.values[i]!
      }
      n += batch.times.length
    }
    expect(n).toBe(N)
    expect(sum).toBe((N * (N - 1)) / 2)
  })

  it('is flow-controlled: a paused consumer holds the server back (bounded memory)', async () => {
    const iter = big.valueBatches()[Symbol.asyncIterator]()
    await iter.next()
    const sentBefore = server.stats.messagesSent
    await sleep(500)
    const sentWhilePaused = server.stats.messagesSent - sentBefore
    // 200 messages of 5000 points make up the stream; HTTP/2 windows let only a few through while nobody reads.
    expect(sentWhilePaused).toBeLessThan(60)
    await iter.return?.()
  })

  it('breaking out of a values() loop cancels the server stream', async () => {
    const cancelled = server.stats.cancelledStreams
    let seen = 0
    for await (const _ of big.values()) {
      if (++seen === 10) break
    }
    for (let i = 0; i < 50 && server.stats.cancelledStreams === cancelled; i++) await sleep(20)
    expect(server.stats.cancelledStreams).toBe(cancelled + 1)
  })

  it('an AbortSignal ends the read with RequestAbortedError', async () => {
    const ac = new AbortController()
    let seen = 0
    const read = async (): Promise<void> => {
      for await (const _ of big.values(undefined, undefined, { signal: ac.signal })) if (++seen === 5) ac.abort()
    }
    await expect(read()).rejects.toMatchObject({ name: 'RequestAbortedError' })
  })

  it('client heap stays bounded while streaming the whole range', async () => {
    global.gc?.()
    const base = process.memoryUsage().heapUsed
    let peak = 0
    let n = 0
    for await (const batch of big.valueBatches()) {
      n += batch.times.length
      if (n % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base)
    }
    expect(n).toBe(N)
    // 1M points are 16 MB as arrays; streaming must not accumulate them (generous margin for GC timing).
    expect(peak).toBeLessThan(64 * 1024 * 1024)
  })
})
