import { describe, expect, it } from 'vitest'
import { decodeRawValuesResponse, encodeRawValuesParts, encodeRawValuesResponse } from '../../src/btrdb/point-codec.ts'
import { btrdbServiceDefinition } from '../../src/btrdb/proto-schema.ts'

/**
 * The hand-written RawValues codec against the generic protobuf codec of the same proto (protobufjs through
 * @grpc/proto-loader), including points whose zero fields an encoder omits (Go's protobuf does: the real BTrDB).
 */
const rpc = btrdbServiceDefinition().RawValues!
const encodeGeneric = (msg: object): Buffer => rpc.responseSerialize(msg)
const decodeGeneric = (buf: Buffer): { versionMajor: string; values: Array<{ time: string; value: number }> } => rpc.responseDeserialize(buf) as never

describe('RawValuesResponse codec', () => {
  it('decodes points with omitted zero fields, alone and mixed with full ones', () => {
    const short = encodeGeneric({ versionMajor: '12', values: [{ time: '5' }, { value: 1.5 }, { time: '-7', value: -2 }] })
    const a = decodeRawValuesResponse(short)
    expect([...a.times]).toEqual([5n, 0n, -7n])
    expect([...a.values]).toEqual([0, 1.5, -2])
    expect(a.versionMajor).toBe(12n)

    const points = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? { time: String(1000 + i) } : { time: String(1000 + i), value: i / 4 }))
    const mixed = decodeRawValuesResponse(encodeGeneric({ versionMajor: '3', values: points }))
    expect([...mixed.times]).toEqual(points.map((p) => BigInt(p.time)))
    expect([...mixed.values]).toEqual(points.map((p) => p.value ?? 0))
  })

  it('encodes slices as one message the generic decoder reads back, and decodes it exactly', () => {
    const times = BigInt64Array.from([1n, 2n, -(1n << 60n), 9_007_199_254_740_993n, 5n])
    const values = Float64Array.from([0.5, -1, Number.MAX_VALUE, 3, Number.NaN])
    const buf = encodeRawValuesParts(undefined, 77n, 0n, [
      { times: times.subarray(0, 2), values: values.subarray(0, 2) },
      { times: times.subarray(2), values: values.subarray(2) },
    ])
    expect(buf.equals(encodeRawValuesResponse(undefined, 77n, 0n, times, values))).toBe(true)
    const generic = decodeGeneric(buf)
    expect(generic.versionMajor).toBe('77')
    expect(generic.values.map((p) => BigInt(p.time))).toEqual([...times])
    const ours = decodeRawValuesResponse(buf)
    expect(ours.times).toEqual(times)
    expect([...ours.values]).toEqual([...values])
    expect(decodeRawValuesResponse(encodeRawValuesResponse(undefined, 1n, 0n, times, values, 1, 3)).times).toEqual(times.subarray(1, 3))
  })

  it('rejects a truncated message with a PROTOCOL error instead of reading past it', () => {
    const buf = encodeRawValuesResponse(undefined, 4n, 0n, BigInt64Array.from([1n, 2n]), Float64Array.from([1, 2]))
    expect(() => decodeRawValuesResponse(buf.subarray(0, buf.length - 3))).toThrow(expect.objectContaining({ code: 'PROTOCOL' }))
  })
})
