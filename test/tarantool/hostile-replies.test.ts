import { afterEach, describe, expect, it } from 'vitest'
import type { Socket } from 'node:net'
import { connect, Decimal, ProtocolError } from '../../src/tarantool/index.ts'
import { decodeValue, encodeValue, skipValue } from '../../src/tarantool/msgpack-codec.ts'
import { startFakeIprotoServer, type FakeIprotoServer } from '../../src/testing/tarantool/index.ts'

// A hostile or broken server must not crash the client or exhaust its memory: every length and every
// extension field read from the wire is bounded before anything is allocated.

const bytes = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')
const decodeAll = (buf: Uint8Array): unknown => decodeValue(buf, 0, buf.length)

let fake: FakeIprotoServer | undefined

afterEach(async () => {
  await fake?.close()
  fake = undefined
})

/**
 * Answers every request frame on `socket` with an OK reply for its sync: `dataBody(type)` gives the raw body
 * bytes (a map), or `undefined` for an empty `{DATA: []}` body.
 */
function answerRequests(socket: Socket, dataBody: (requestType: number) => Buffer | undefined): void {
  let pending = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 5) {
      const size = pending.readUInt32BE(1)
      if (pending.length < 5 + size) return
      const headerEnd = skipValue(pending, 5, 5 + size)
      const header = decodeValue(pending, 5, headerEnd) as Record<string, number>
      pending = pending.subarray(5 + size)
      const body = dataBody(header['0']!) ?? bytes('81 30 90')
      const replyHeader = encodeValue(new Map([[0, 0], [1, header['1']!], [5, 1]]))
      const prefix = Buffer.alloc(5)
      prefix[0] = 0xce
      prefix.writeUInt32BE(replyHeader.length + body.length, 1)
      socket.write(Buffer.concat([prefix, replyHeader, body]))
    }
  })
}

const CALL = 0x0a

describe('hostile DECIMAL values', () => {
  it('rejects the 128-byte reply of 12 decimals with scale 4e8 with ProtocolError, and the connection keeps working', async () => {
    // scale 400000000 as uint32 (ce 17 d7 84 00), digit 1 with sign nibble c: 9 bytes a value, 12 values.
    const hostile = bytes('c7 06 01 ce 17 d7 84 00 1c')
    const body = Buffer.concat([bytes('81 30 91 9c'), ...Array.from({ length: 12 }, () => hostile)])
    fake = await startFakeIprotoServer((socket) => answerRequests(socket, (type) => (type === CALL ? body : undefined)))
    const conn = await connect(fake.uri, { reconnect: false })
    try {
      const heapBefore = process.memoryUsage().heapUsed
      const error = await conn.call('hostile', [], { timeout: 5000 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ProtocolError)
      expect(String((error as Error).cause ?? error)).toMatch(/scale 400000000/)
      // Before the bound, each value built a 400 MB string (the process died); now nothing of size is allocated.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024)
      await expect(conn.ping({ timeout: 5000 })).resolves.toBeUndefined()
    } finally {
      await conn.close()
    }
  })

  it('bounds scale, digit count and integer digits to what Tarantool holds (76 digits), before building text', () => {
    expect(() => decodeAll(bytes('c7 04 01 cd 03 e8 1c'))).toThrow(/scale 1000/) // scale 1000
    expect(() => decodeAll(bytes('c7 04 01 d1 fc 18 1c'))).toThrow(/scale -1000/) // scale -1000
    expect(() => decodeAll(bytes('c7 02 01 4d 1c'))).toThrow(ProtocolError) // scale 77
    // 40 BCD bytes: longer than any 76-digit decimal.
    expect(() => decodeAll(Buffer.concat([bytes('c7 29 01 00'), Buffer.alloc(39, 0x11), bytes('1c')]))).toThrow(/BCD bytes/)
    // 77 significant digits in 39 bytes.
    expect(() => decodeAll(Buffer.concat([bytes('c7 28 01 00'), Buffer.alloc(38, 0x11), bytes('1c')]))).toThrow(/77 significant digits/)
    // 2 digits with scale -75: 77 integer digits.
    expect(() => decodeAll(bytes('c7 04 01 d0 b5 01 2c'))).toThrow(/integer digits/)
    expect(() => decodeAll(bytes('c7 02 01 00 f1'))).toThrow(/nibble 0xf/) // digit nibble above 9
    expect(() => decodeAll(bytes('c7 02 01 00 15'))).toThrow(/sign nibble 0x5/)
  })

  it('still decodes everything a server sends: 38 and 76 digits, scale 38 and 76, -37, and -0', () => {
    const d38 = '12345678901234567890123456789012345678'
    expect(String(decodeAll(encodeValue(Decimal.from(d38))))).toBe(d38)
    // 76 digits, as current Tarantool (DECIMAL_MAX_DIGITS 76) sends them: scale 0, 38 BCD bytes + sign byte.
    const d76 = d38 + d38
    const bcd76 = Buffer.from(`0${d76}c`, 'hex')
    expect(String(decodeAll(Buffer.concat([bytes('c7 28 01 00'), bcd76])))).toBe(d76)
    expect(String(decodeAll(bytes('d5 01 26 1c')))).toBe(`0.${'0'.repeat(37)}1`) // 1e-38 as 2.6 sends it
    expect(String(decodeAll(bytes('d5 01 4c 1c')))).toBe(`0.${'0'.repeat(75)}1`) // scale 76
    expect(String(decodeAll(bytes('c7 03 01 d0 db 1c')))).toBe(`1${'0'.repeat(37)}`) // 1e37 as 2.6 sends it
    expect(String(decodeAll(bytes('d5 01 00 0d')))).toBe('0') // -0
  })
})

describe('hostile DATETIME, INTERVAL, UUID and ERROR values', () => {
  const datetime = (seconds: bigint, nsec: number, tzoffset: number, tzindex: number): Buffer => {
    const payload = Buffer.alloc(16)
    payload.writeBigInt64LE(seconds, 0)
    payload.writeInt32LE(nsec, 8)
    payload.writeInt16LE(tzoffset, 12)
    payload.writeInt16LE(tzindex, 14)
    return Buffer.concat([bytes('d8 04'), payload])
  }

  it('rejects datetime fields outside the server ranges', () => {
    expect(String(decodeAll(datetime(0n, 500_000_000, 180, 0)))).toBe('1970-01-01T03:00:00.5+03:00')
    expect(() => decodeAll(datetime(185_480_451_417_601n, 0, 0, 0))).toThrow(/seconds/)
    expect(() => decodeAll(datetime(-(2n ** 63n), 0, 0, 0))).toThrow(/seconds/)
    expect(() => decodeAll(datetime(0n, -1, 0, 0))).toThrow(/nsec/)
    expect(() => decodeAll(datetime(0n, 2_000_000_000, 0, 0))).toThrow(/nsec/)
    expect(() => decodeAll(datetime(0n, 0, 841, 0))).toThrow(/tzoffset/)
    expect(() => decodeAll(datetime(0n, 0, -721, 0))).toThrow(/tzoffset/)
    expect(() => decodeAll(datetime(0n, 0, 0, 1025))).toThrow(/tzindex/)
    expect(() => decodeAll(datetime(0n, 0, 0, -1))).toThrow(/tzindex/)
    expect(() => decodeAll(bytes('c7 0c 04 00 00 00 00 00 00 00 00 00 00 00 00'))).toThrow(/8 or 16 bytes/)
  })

  it('rejects an interval that announces more fields than it holds, and a uuid that is not 16 bytes', () => {
    expect(() => decodeAll(bytes('c7 03 06 ff 00 01'))).toThrow(/1 of 255 fields/)
    expect(() => decodeAll(bytes('c7 02 06 01 00'))).toThrow(ProtocolError)
    expect(() => decodeAll(bytes('c7 0f 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00'))).toThrow(/16 bytes/)
    expect(() => decodeAll(Buffer.concat([bytes('c7 11 02'), Buffer.alloc(17)]))).toThrow(/16 bytes/)
  })

  it('rejects an ERROR payload whose stack map runs past the payload into the following bytes', () => {
    // [ERROR ext of 2 bytes {0: ...} whose value continues outside it, then [{}]]
    expect(() => decodeAll(bytes('92 c7 02 03 81 00 91 80'))).toThrow(ProtocolError)
  })
})

describe('MessagePack lengths larger than the frame', () => {
  // Each declares up to 2^32-1 items or bytes inside a 20-byte value: nothing may be preallocated for it.
  const cases: Record<string, string> = {
    'array32 of 2^32-1 items': 'dd ffffffff' + '01'.repeat(15),
    'map32 of 2^32-1 entries': 'df ffffffff' + '01'.repeat(15),
    'str32 of 2^32-1 bytes': 'db ffffffff' + '41'.repeat(15),
    'bin32 of 2^32-1 bytes': 'c6 ffffffff' + '41'.repeat(15),
    'ext32 of 2^32-1 bytes': 'c9 ffffffff 01' + '41'.repeat(14),
    'array16s nested, each of 65535 items': 'dc ffff dc ffff dc ffff dc ffff dc ffff dc ffff 01 01',
    'array32 of 12 items inside array32 of 5': 'dd 00000005 dd 0000000c 01 01 01 01 01 01 01 01 01',
  }
  for (const [name, hex] of Object.entries(cases)) {
    it(`rejects ${name} with ProtocolError without allocating`, () => {
      const heapBefore = process.memoryUsage().heapUsed
      expect(() => decodeAll(bytes(hex))).toThrow(ProtocolError)
      expect(() => skipValue(bytes(hex), 0, bytes(hex).length)).toThrow(ProtocolError)
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(16 * 1024 * 1024)
    })
  }

  it('turns nesting deeper than the JS stack into ProtocolError', () => {
    const deep = Buffer.alloc(200_000, 0x91)
    deep[deep.length - 1] = 0xc0
    expect(() => decodeAll(deep)).toThrow(ProtocolError)
  })
})
