import { describe, expect, it } from 'vitest'
import { FrameReader } from '../../src/tarantool/frame-reader.ts'
import { ProtocolError } from '../../src/tarantool/errors.ts'

// A reply frame: 0xCE len | header {0: type, 1: sync, 5: schema} | body bytes.
function frame(sync: number, body: number[]): Buffer {
  const header = [0x83, 0x00, 0x00, 0x01, sync, 0x05, 0x07]
  const b = Buffer.alloc(5 + header.length + body.length)
  b[0] = 0xce
  b.writeUInt32BE(header.length + body.length, 1)
  Buffer.from([...header, ...body]).copy(b, 5)
  return b
}

function collect() {
  const seen: { sync: number; schema: number; body: number[] }[] = []
  const reader = new FrameReader((h, buf, s, e) => seen.push({ sync: h.sync, schema: h.schemaVersion, body: [...buf.subarray(s, e)] }))
  return { reader, seen }
}

describe('FrameReader', () => {
  it('splits several frames in one chunk and frames split at every byte boundary', () => {
    const bytes = Buffer.concat([frame(1, [0x80]), frame(2, [0x81, 0x30, 0x90]), frame(3, [0x80])])
    for (let cut = 1; cut < bytes.length; cut++) {
      const { reader, seen } = collect()
      reader.push(bytes.subarray(0, cut))
      reader.push(bytes.subarray(cut))
      expect(seen.map((f) => f.sync)).toEqual([1, 2, 3])
      expect(seen[1]!.body).toEqual([0x81, 0x30, 0x90])
      expect(seen[0]!.schema).toBe(7)
      expect(reader.bufferedBytes).toBe(0)
    }
  })

  it('joins a large frame delivered byte by byte exactly once, and reports partial bytes', () => {
    const body = [0xc4, 200, ...new Array(200).fill(9)]
    const bytes = frame(9, body)
    const { reader, seen } = collect()
    for (let i = 0; i < bytes.length - 1; i++) reader.push(bytes.subarray(i, i + 1))
    expect(seen).toEqual([])
    expect(reader.bufferedBytes).toBe(bytes.length - 1)
    reader.push(bytes.subarray(bytes.length - 1))
    expect(seen).toHaveLength(1)
    expect(seen[0]!.body).toEqual(body)
  })

  it('rejects a stream that is not IPROTO', () => {
    const { reader } = collect()
    expect(() => reader.push(Buffer.from('garbage'))).toThrow(ProtocolError)
  })
})
