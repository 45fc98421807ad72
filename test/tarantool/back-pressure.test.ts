import { afterEach, describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Socket } from 'node:net'
import { connect, ConnectionError, RequestAbortedError, TimeoutError, type Connection } from '../../src/tarantool/index.ts'
import { decodeValue, skipValue } from '../../src/tarantool/msgpack-codec.ts'
import { startFakeIprotoServer, type FakeIprotoServer } from '../../src/testing/tarantool/index.ts'

// A fake IPROTO server (2.6 greeting: no IPROTO_ID, guest: no AUTH) that parses request frames and answers each
// with an empty OK when `release()` says so, counting what it holds.
interface Responder {
  /** Frames received so far. */
  received: number
  /** Frames received and not yet answered, and the most ever seen at once. */
  outstanding: number
  maxOutstanding: number
  /** Answers up to `n` held requests (all by default). */
  release(n?: number): void
  /** Stops reading the socket (TCP back-pressure reaches the client) / reads again. */
  pauseReading(): void
  resumeReading(): void
}

function okReply(sync: number): Buffer {
  const frame = Buffer.alloc(5 + 9 + 1)
  frame[0] = 0xce
  frame.writeUInt32BE(10, 1)
  // header { 0x00: 0 (OK), 0x01: sync (u32) } then an empty body map
  frame.set([0x82, 0x00, 0x00, 0x01, 0xce], 5)
  frame.writeUInt32BE(sync, 10)
  frame[14] = 0x80
  return frame
}

function responder(socket: Socket, options: { autoReply: boolean }): Responder {
  let buf: Buffer = Buffer.alloc(0)
  const held: number[] = []
  const r: Responder = {
    received: 0,
    outstanding: 0,
    maxOutstanding: 0,
    release(n = Infinity) {
      while (n-- > 0 && held.length > 0) {
        socket.write(okReply(held.shift()!))
        r.outstanding--
      }
    },
    pauseReading: () => socket.pause(),
    resumeReading: () => socket.resume(),
  }
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
    let pos = 0
    while (buf.length - pos >= 5) {
      const len = buf.readUInt32BE(pos + 1)
      if (buf.length - pos - 5 < len) break
      const header = decodeValue(buf, pos + 5, skipValue(buf, pos + 5, pos + 5 + len)) as Record<number, number>
      held.push(header[1]!)
      r.received++
      r.outstanding++
      r.maxOutstanding = Math.max(r.maxOutstanding, r.outstanding)
      pos += 5 + len
    }
    buf = buf.subarray(pos)
    if (options.autoReply) r.release()
  })
  return r
}

let fake: FakeIprotoServer | undefined
let conn: Connection | undefined

afterEach(async () => {
  await conn?.close()
  await fake?.close()
  conn = fake = undefined
})

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`)
    await sleep(10)
  }
}

describe('write back-pressure', () => {
  it('keeps the client write buffer bounded while the server stops reading, and completes everything once it reads again', async () => {
    let server: Responder | undefined
    fake = await startFakeIprotoServer((socket) => {
      server = responder(socket, { autoReply: true })
      server.pauseReading()
    })
    conn = await connect(fake.uri, { pingInterval: 0 })
    await until(() => server !== undefined, 2000, 'server side of the connection')

    // 400 requests of 64 KiB each (25 MiB) to a server that reads nothing: the kernel takes a few MiB, the rest
    // must wait in the client, unencoded, instead of piling up in Node's socket buffer.
    const big = 'x'.repeat(64 * 1024)
    const all = Array.from({ length: 400 }, (_, i) => conn!.insert(512, [i, big]))
    for (const p of all) p.catch(() => {})
    await sleep(500)
    expect(conn.queuedCount).toBeGreaterThan(0)
    // Node's socket buffer holds one early-written batch (256 KiB + one request); before back-pressure every
    // request was written at once and ~20 MiB (what the kernel did not take) sat there.
    expect(conn.bufferedBytes).toBeLessThan(2 * 1024 * 1024)

    server!.resumeReading()
    const results = await Promise.all(all)
    expect(results).toHaveLength(400)
    expect(server!.received).toBe(400)
    expect(conn.queuedCount).toBe(0)
    expect(conn.bufferedBytes).toBe(0)
  })

  it('a request waiting for the socket to drain still times out and is removed from the queue', async () => {
    let server: Responder | undefined
    fake = await startFakeIprotoServer((socket) => {
      server = responder(socket, { autoReply: true })
      server.pauseReading()
    })
    conn = await connect(fake.uri, { pingInterval: 0 })
    const big = 'y'.repeat(64 * 1024)
    const filler = Array.from({ length: 200 }, (_, i) => conn!.insert(512, [i, big]))
    for (const p of filler) p.catch(() => {})
    await sleep(200)
    expect(conn.queuedCount).toBeGreaterThan(0)
    const queued = conn.queuedCount
    const ac = new AbortController()
    const timedOut = conn.ping({ timeout: 100 }).catch((e: unknown) => e)
    const aborted = conn.ping({ signal: ac.signal }).catch((e: unknown) => e)
    expect(conn.queuedCount).toBe(queued + 2)
    ac.abort()
    expect(await aborted).toBeInstanceOf(RequestAbortedError)
    expect(await timedOut).toBeInstanceOf(TimeoutError)
    expect(conn.queuedCount).toBe(queued)
    server!.resumeReading()
    await Promise.all(filler)
    expect(server!.received).toBe(200) // the two pings never reached the server
  })
})

describe('maxInFlight', () => {
  it('never has more than maxInFlight requests outstanding at the server, and completes all of them', async () => {
    let server: Responder | undefined
    fake = await startFakeIprotoServer((socket) => {
      server = responder(socket, { autoReply: false })
    })
    conn = await connect(fake.uri, { maxInFlight: 8, pingInterval: 0 })
    const all = Array.from({ length: 200 }, () => conn!.ping())
    // The server answers slowly, a few at a time.
    const answering = setInterval(() => server?.release(3), 2)
    try {
      await Promise.all(all)
    } finally {
      clearInterval(answering)
    }
    expect(server!.received).toBe(200)
    expect(server!.maxOutstanding).toBe(8)
    expect(conn.inFlightCount).toBe(0)
    expect(conn.queuedCount).toBe(0)
  })

  it('queued requests keep their timeout and fail as not sent (retryable) when the connection drops', async () => {
    let server: Responder | undefined
    let serverSocket: Socket | undefined
    fake = await startFakeIprotoServer((socket) => {
      serverSocket = socket
      server = responder(socket, { autoReply: false })
    })
    conn = await connect(fake.uri, { maxInFlight: 2, pingInterval: 0, reconnect: false })
    const first = [conn.call('f', []), conn.ping()].map((p) => p.catch((e: unknown) => e))
    const late = conn.ping({ timeout: 50 }).catch((e: unknown) => e)
    const waiting = conn.ping().catch((e: unknown) => e)
    await until(() => server !== undefined && server.received === 2, 2000, 'two requests at the server')
    expect(conn.inFlightCount).toBe(2)
    expect(conn.queuedCount).toBe(2)
    expect(await late).toBeInstanceOf(TimeoutError)
    expect(conn.queuedCount).toBe(1)
    serverSocket!.destroy()
    const [e1, e2] = await Promise.all(first)
    const e3 = await waiting
    expect(e1).toBeInstanceOf(ConnectionError)
    expect((e1 as ConnectionError).retryable).toBe(false) // a sent call: it may have executed
    expect(e2).toBeInstanceOf(ConnectionError)
    expect((e2 as ConnectionError).retryable).toBe(true) // a sent ping is read-only: safe to send again
    expect(e3).toBeInstanceOf(ConnectionError)
    expect((e3 as ConnectionError).retryable).toBe(true) // never written
    expect(server!.received).toBe(2)
  })

  it('rejects a maxInFlight that is not a positive integer', async () => {
    await expect(connect('127.0.0.1:1', { maxInFlight: 0 })).rejects.toThrow(/maxInFlight/)
  })
})
