import { afterEach, describe, expect, it } from 'vitest'
import { connect, ConnectionError, ProtocolError, TimeoutError } from '../../src/tarantool/index.ts'
import { luaConsoleGreeting, startFakeIprotoServer, type FakeIprotoServer } from '../../src/testing/tarantool/index.ts'

// A peer that breaks the protocol must give a ProtocolError: never a hang, never a crash.
let fake: FakeIprotoServer | undefined

afterEach(async () => {
  await fake?.close()
  fake = undefined
})

function replyOnFirstRequest(socket: import('node:net').Socket, reply: Buffer, end = false): void {
  socket.once('data', () => {
    socket.write(reply)
    if (end) socket.end()
  })
}

describe('protocol faults', () => {
  it('garbage after the greeting fails the request with ProtocolError', async () => {
    fake = await startFakeIprotoServer((s) => replyOnFirstRequest(s, Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')))
    const conn = await connect(fake.uri, { reconnect: false })
    await expect(conn.ping({ timeout: 5000 })).rejects.toBeInstanceOf(ProtocolError)
    await conn.close()
  })

  it('a frame cut short before the server closes gives ProtocolError', async () => {
    // Declares 23 bytes of header + body, sends 6, then closes.
    fake = await startFakeIprotoServer((s) => replyOnFirstRequest(s, Buffer.from([0xce, 0, 0, 0, 23, 0x83, 0x00, 0xce, 0x00, 0x00]), true))
    const conn = await connect(fake.uri, { reconnect: false })
    const err = await conn.ping({ timeout: 5000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as Error).message).toMatch(/middle of a reply/)
    await conn.close()
  })

  it('a header that is not a map gives ProtocolError', async () => {
    fake = await startFakeIprotoServer((s) => replyOnFirstRequest(s, Buffer.from([0xce, 0, 0, 0, 2, 0x93, 0x00])))
    const conn = await connect(fake.uri, { reconnect: false })
    await expect(conn.ping({ timeout: 5000 })).rejects.toBeInstanceOf(ProtocolError)
    await conn.close()
  })

  it('a body that is not valid MessagePack gives ProtocolError for that request', async () => {
    // Valid header for sync 1 (OK), body = 0xc1 (never used in MessagePack).
    const header = [0x83, 0x00, 0x00, 0x01, 0x01, 0x05, 0x01]
    const frame = Buffer.from([0xce, 0, 0, 0, header.length + 1, ...header, 0xc1])
    fake = await startFakeIprotoServer((s) => replyOnFirstRequest(s, frame))
    const conn = await connect(fake.uri, { reconnect: false })
    await expect(conn.ping({ timeout: 5000 })).rejects.toBeInstanceOf(ProtocolError)
    await conn.close()
  })

  it('a large declared length (within maxFrameSize) and silence ends in the request timeout, not a hang', async () => {
    // 255 MiB: under the 256 MiB default, so the client waits for the rest (over it: see max-frame-size.test.ts).
    fake = await startFakeIprotoServer((s) => replyOnFirstRequest(s, Buffer.from([0xce, 0x0f, 0xf0, 0x00, 0x00, 0x83])))
    const conn = await connect(fake.uri, { reconnect: false })
    await expect(conn.ping({ timeout: 300 })).rejects.toBeInstanceOf(TimeoutError)
    await conn.close()
  })

  it('refuses a Lua console greeting', async () => {
    fake = await startFakeIprotoServer(() => {}, { greeting: luaConsoleGreeting() })
    await expect(connect(fake.uri, { reconnect: false })).rejects.toThrow(/Lua console/)
  })

  it('refuses a non-Tarantool greeting', async () => {
    fake = await startFakeIprotoServer(() => {}, { greeting: Buffer.alloc(128, 'x') })
    await expect(connect(fake.uri, { reconnect: false })).rejects.toBeInstanceOf(ProtocolError)
  })

  it('times out a server that never greets', async () => {
    fake = await startFakeIprotoServer(() => {}, { greeting: false })
    await expect(connect(fake.uri, { reconnect: false, connectTimeout: 300 })).rejects.toBeInstanceOf(ConnectionError)
  })
})
