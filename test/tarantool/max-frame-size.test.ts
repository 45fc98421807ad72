import { once } from 'node:events'
import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_FRAME_SIZE, FrameReader, MAX_FRAME_SIZE } from '../../src/tarantool/frame-reader.ts'
import { connect, createPool, InvalidArgumentError, ProtocolError } from '../../src/tarantool/index.ts'
import { decodeValue, skipValue } from '../../src/tarantool/msgpack-codec.ts'
import { startFakeIprotoServer, type FakeIprotoServer } from '../../src/testing/tarantool/index.ts'

// A server declaring a frame longer than maxFrameSize fails the connection as soon as the 5-byte prefix is read,
// before the client buffers any of it (it used to buffer up to 2 GiB per connection).

const MiB = 1024 * 1024

function prefix(size: number): Buffer {
  const b = Buffer.alloc(5)
  b[0] = 0xce
  b.writeUInt32BE(size, 1)
  return b
}

/** A complete OK reply frame for `sync` whose body, `{0x30: <bin>}`, takes `bodyBytes` bytes (>= 7). */
function replyOfSize(sync: number, bodyBytes: number): Buffer {
  const header = Buffer.from([0x83, 0x00, 0x00, 0x01, sync, 0x05, 0x01])
  const body = Buffer.alloc(bodyBytes)
  body.set([0x81, 0x30, 0xc6])
  body.writeUInt32BE(bodyBytes - 7, 3)
  return Buffer.concat([prefix(header.length + body.length), header, body])
}

/** The sync of the request frame at the start of `chunk`. */
function requestSync(chunk: Buffer): number {
  const header = decodeValue(chunk, 5, skipValue(chunk, 5, chunk.length)) as Record<string, number>
  return header['1']!
}

describe('FrameReader maxFrameSize', () => {
  it('defaults to 256 MiB and accepts 1 .. 2^31-1', () => {
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(256 * MiB)
    expect(new FrameReader(() => {}).maxFrameSize).toBe(256 * MiB)
    expect(new FrameReader(() => {}, MAX_FRAME_SIZE).maxFrameSize).toBe(0x7fffffff)
    for (const bad of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      expect(() => new FrameReader(() => {}, bad)).toThrow(InvalidArgumentError)
    }
  })

  it('rejects a declared length over the limit on the prefix alone, buffering nothing', () => {
    const reader = new FrameReader(() => {}, 1 * MiB)
    const junk = Buffer.alloc(64 * 1024, 0x41)
    expect(() => reader.push(Buffer.concat([prefix(0x7fffffff), junk]))).toThrow(/2147483647 bytes, more than maxFrameSize \(1048576 bytes\)/)
    expect(reader.bufferedBytes).toBe(0)
  })

  it('rejects it too when the prefix arrives split over two chunks', () => {
    const reader = new FrameReader(() => {}, 1 * MiB)
    const p = prefix(1 * MiB + 1)
    reader.push(p.subarray(0, 2))
    expect(() => reader.push(Buffer.concat([p.subarray(2), Buffer.alloc(4096)]))).toThrow(ProtocolError)
  })

  it('accepts a frame of exactly maxFrameSize bytes', () => {
    const frames: number[] = []
    const reader = new FrameReader((_h, _b, s, e) => frames.push(e - s), 64 * 1024)
    const frame = replyOfSize(1, 64 * 1024 - 7)
    for (let pos = 0; pos < frame.length; pos += 1000) reader.push(frame.subarray(pos, pos + 1000))
    expect(frames).toEqual([64 * 1024 - 7])
  })
})

let fake: FakeIprotoServer | undefined

afterEach(async () => {
  await fake?.close()
  fake = undefined
})

/** Writes `total` bytes of junk in 64 KiB chunks, honouring back-pressure, until done or the socket closes. */
async function streamJunk(socket: Socket, total: number): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 0x41)
  const closed = once(socket, 'close').catch(() => {})
  for (let sent = 0; sent < total && !socket.destroyed; sent += chunk.length) {
    if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), closed])
  }
}

describe('maxFrameSize on a connection', () => {
  it('fails every request and closes the connection when a server declares a 2 GiB frame and streams junk', async () => {
    // The reproduction: a 0x7fffffff length prefix on the first request, then 256 MiB of junk.
    fake = await startFakeIprotoServer((socket) => {
      socket.once('data', () => {
        socket.write(prefix(0x7fffffff))
        void streamJunk(socket, 256 * MiB)
      })
    })
    const rssBefore = process.memoryUsage().rss
    const conn = await connect(fake.uri, { reconnect: false })
    const results = await Promise.allSettled([conn.ping({ timeout: 20_000 }), conn.call('box.info', [], { timeout: 20_000 })])
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const error = (result as PromiseRejectedResult).reason as Error
      expect(error).toBeInstanceOf(ProtocolError)
      expect(error.message).toMatch(/2147483647 bytes, more than maxFrameSize \(268435456 bytes\)/)
    }
    // The connection is closed: later requests fail at once rather than wait.
    await expect(conn.ping({ timeout: 20_000 })).rejects.toThrow()
    expect(conn.isConnected).toBe(false)
    // Before the limit the client buffered the junk (+354 MB RSS in the issue); a generous bound here.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(96 * MiB)
    await conn.close()
  })

  it('honours a smaller maxFrameSize, and still reads replies up to it', async () => {
    fake = await startFakeIprotoServer((socket) => {
      let requests = 0
      socket.on('data', (chunk: Buffer) => {
        requests++
        const sync = requestSync(chunk)
        socket.write(requests === 1 ? replyOfSize(sync, 512 * 1024) : Buffer.concat([prefix(2 * MiB), Buffer.alloc(64 * 1024)]))
      })
    })
    const conn = await connect(fake.uri, { reconnect: false, maxFrameSize: 1 * MiB })
    await expect(conn.ping({ timeout: 5000 })).resolves.toBeUndefined()
    await expect(conn.ping({ timeout: 5000 })).rejects.toThrow(/2097152 bytes, more than maxFrameSize \(1048576 bytes\)/)
    await conn.close()
  })

  it('reaches every connection of a pool', async () => {
    fake = await startFakeIprotoServer((socket) => {
      socket.on('data', () => socket.write(Buffer.concat([prefix(2 * MiB), Buffer.alloc(1024)])))
    })
    const pool = await createPool(fake.uri, { size: 2, reconnect: false, maxFrameSize: 1 * MiB })
    try {
      for (let i = 0; i < 2; i++) {
        await expect(pool.ping({ timeout: 5000 })).rejects.toThrow(/more than maxFrameSize \(1048576 bytes\)/)
      }
    } finally {
      await pool.close()
    }
  })

  it('refuses an invalid maxFrameSize with InvalidArgumentError', async () => {
    await expect(connect('127.0.0.1:1', { reconnect: false, maxFrameSize: 0 })).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})
