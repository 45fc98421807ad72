import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'node:net'
import { connect, ConnectionError, TransactionsNotSupportedError, type Connection } from '../../src/tarantool/index.ts'
import { decodeValue, encodeValue } from '../../src/tarantool/msgpack-codec.ts'
import { startFakeIprotoServer, validGreeting, provisionTarantool, type FakeIprotoServer, type ProvisionedTarantool } from '../../src/testing/tarantool/index.ts'

// Streams need Tarantool 2.10+. Against the real 2.6 server they must be refused with a named error; the
// wire behaviour (ID negotiation, STREAM_ID in every header, BEGIN/COMMIT/ROLLBACK) is checked against a
// scripted 2.10 peer that records what it receives.

interface Received {
  type: number
  sync: number
  streamId: number
  body: Record<number, unknown>
}

function scripted2_10(received: Received[], features = [0, 1, 2, 3]) {
  return (socket: Socket) => {
    let pending = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 5) {
        const size = pending.readUInt32BE(1)
        if (pending.length < 5 + size) break
        const frame = pending.subarray(5, 5 + size)
        pending = pending.subarray(5 + size)
        // The header is the first value of the frame, the body follows it.
        const header = decodeValue(frame, 0, headerEnd(frame)) as Record<number, number>
        const body = (headerEnd(frame) < frame.length ? decodeValue(frame, headerEnd(frame), frame.length) : {}) as Record<number, unknown>
        const r: Received = { type: header[0]!, sync: header[1]!, streamId: header[10] ?? 0, body }
        received.push(r)
        const replyBody = r.type === 0x49 ? new Map<number, unknown>([[0x54, 3], [0x55, features]]) : new Map<number, unknown>(r.type === 1 ? [[0x30, [[1, 'x']]]] : [])
        const h = encodeValue(new Map([[0, 0], [1, r.sync], [5, 1]]))
        const b = encodeValue(replyBody)
        const len = Buffer.alloc(5)
        len[0] = 0xce
        len.writeUInt32BE(h.length + b.length, 1)
        socket.write(Buffer.concat([len, h, b]))
      }
    })
  }
}

// Header is a small map of int keys to uints: find where it ends by decoding progressively.
function headerEnd(frame: Buffer): number {
  for (let end = 2; end <= frame.length; end++) {
    try {
      const v = decodeValue(frame, 0, end) as Record<number, unknown>
      if (v && typeof v === 'object' && Object.keys(v).length === (frame[0]! & 0x0f)) return end
    } catch {
      // not yet a whole value
    }
  }
  return frame.length
}

let fake: FakeIprotoServer | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

describe('streams on a 2.10 peer', () => {
  it('negotiates features with IPROTO_ID and sends STREAM_ID on every request of the stream', async () => {
    const received: Received[] = []
    fake = await startFakeIprotoServer(scripted2_10(received), { greeting: validGreeting('2.10.0') })
    const conn = await connect(fake.uri, { reconnect: false })
    expect(received[0]).toMatchObject({ type: 0x49 })
    expect(received[0]!.body[0x55]).toEqual([0, 1, 2, 3])
    expect([...conn.features].sort()).toEqual([0, 1, 2, 3])

    const tx = await conn.begin({ transactionTimeout: 2.5, isolation: 'readCommitted' })
    await tx.replace(512, [1, 'x'])
    const rows = await tx.select(512, [1])
    await tx.commit()
    const tx2 = await conn.begin()
    await tx2.rollback()
    await conn.ping()

    const [begin, replace, select, commit, begin2, rollback, ping] = received.slice(1)
    expect(begin).toMatchObject({ type: 14, streamId: tx.id })
    expect(begin!.body[0x56]).toBe(2.5)
    expect(begin!.body[0x59]).toBe(1)
    expect(replace).toMatchObject({ type: 3, streamId: tx.id })
    expect(select).toMatchObject({ type: 1, streamId: tx.id })
    expect(rows).toEqual([[1, 'x']])
    expect(commit).toMatchObject({ type: 15, streamId: tx.id })
    expect(begin2).toMatchObject({ type: 14, streamId: tx2.id })
    expect(tx2.id).not.toBe(tx.id)
    expect(rollback).toMatchObject({ type: 16, streamId: tx2.id })
    expect(ping).toMatchObject({ type: 64, streamId: 0 })
    await conn.close()
  })

  it('a stream whose connection was re-established refuses further requests', async () => {
    const received: Received[] = []
    fake = await startFakeIprotoServer(scripted2_10(received), { greeting: validGreeting('2.10.0') })
    const conn = await connect(fake.uri, { reconnect: { initialDelay: 10, maxDelay: 20 } })
    const tx = await conn.begin()
    const generation = conn.generation
    // The server goes away and comes back on the same port: the client reconnects, the transaction is gone.
    const port = fake.port
    await fake.close()
    fake = await startFakeIprotoServer(scripted2_10(received), { greeting: validGreeting('2.10.0'), port })
    for (let i = 0; i < 200 && conn.generation === generation; i++) await new Promise((r) => setTimeout(r, 10))
    expect(conn.generation).toBe(generation + 1)
    const err = await tx.commit().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectionError)
    expect(err).toMatchObject({ code: 'STREAM_LOST' })
    await expect(conn.ping()).resolves.toBeUndefined()
    await conn.close()
  })

  it('without the STREAMS feature, stream() throws TransactionsNotSupportedError', async () => {
    fake = await startFakeIprotoServer(scripted2_10([], [2]), { greeting: validGreeting('2.10.0') })
    const conn = await connect(fake.uri, { reconnect: false })
    expect(() => conn.stream()).toThrow(TransactionsNotSupportedError)
    await conn.close()
  })
})

describe('streams on the real server', () => {
  let server: ProvisionedTarantool
  let conn: Connection
  beforeAll(async () => {
    server = await provisionTarantool()
    conn = await connect(server.uri)
  })
  afterAll(async () => {
    await conn?.close()
    await server?.stop()
  })

  it('works on 2.10+, and on older servers throws a named error explaining why', async () => {
    const [major, minor] = conn.serverVersion!.split('.').map(Number) as [number, number]
    if (major > 2 || (major === 2 && minor >= 10)) {
      expect(conn.features.has(0)).toBe(true)
      const tx = conn.stream()
      expect(tx.id).toBeGreaterThan(0)
    } else {
      expect(() => conn.stream()).toThrow(TransactionsNotSupportedError)
      expect(() => conn.stream()).toThrow(/2\.10/)
    }
  })
})
