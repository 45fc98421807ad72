import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { decodeChunk } from '../../src/e6data/chunk-decoder.ts'
import { decodeDecimal128, encodeDecimal128 } from '../../src/e6data/decimal128.ts'
import { E6dataProtocolError } from '../../src/e6data/errors.ts'
import { decodeResultMetadata, encodeResultMetadata } from '../../src/e6data/result-metadata.ts'
import { formatDate, formatTimestamp } from '../../src/e6data/temporal-format.ts'
import { VectorType } from '../../src/e6data/vector-type.ts'
import { encodeChunk, type VectorSpec } from '../../src/testing/e6data/chunk-encoder.ts'
import { decodeChunkWithThriftPackage } from '../../bench/e6data/thrift-package-decoder.ts'

/** Hex vectors from the e6data connector's wire formats (metadata: Java DataOutputStream; batches: Thrift binary). */
const META_HEX = '0000000000000002' + '00000002' + '0002' + '6964' + '0004' + '4c4f4e47' + '0000' + '0000' + '0004' + '6e616d65' + '0006' + '535452494e47' + '0000' + '0000'
const CHUNK_HEX =
  '080001000000020f00020c0000000208000100000002080002000000060f0003020000000200000c00040c00030f00010a000000020000000000000001fffffffffffffffe0000020005000008000100000002080002000000070f0003020000000200010c00040c00070f00010b000000020000000161000000000000020005000000'

describe('result metadata (DataInputStream layout)', () => {
  it('decodes the reference vector', () => {
    const meta = decodeResultMetadata(Buffer.from(META_HEX, 'hex'))
    expect(meta).toEqual({
      rowCount: 2,
      columns: [
        { name: 'id', typeCode: 'LONG', zone: '', format: '' },
        { name: 'name', typeCode: 'STRING', zone: '', format: '' },
      ],
    })
    expect(encodeResultMetadata(meta).toString('hex')).toBe(META_HEX)
  })
  it('rejects truncated metadata with a protocol error', () => {
    expect(() => decodeResultMetadata(Buffer.from(META_HEX.slice(0, 40), 'hex'))).toThrow(E6dataProtocolError)
    expect(() => decodeResultMetadata(Buffer.from('000000000000000200ffffff', 'hex'))).toThrow(E6dataProtocolError)
  })
})

describe('Thrift Chunk decoding', () => {
  it('decodes the reference chunk: LONG [1, -2], STRING ["a", NULL]', () => {
    expect(decodeChunk(Buffer.from(CHUNK_HEX, 'hex'), 2)).toEqual({ size: 2, rows: [[1, 'a'], [-2, null]] })
    expect(decodeChunkWithThriftPackage(Buffer.from(CHUNK_HEX, 'hex'), 2)).toEqual({ size: 2, rows: [[1, 'a'], [-2, null]] })
  })
  it('our encoder produces the reference bytes', () => {
    const bytes = encodeChunk(2, [
      { type: VectorType.LONG, member: 'int64', values: [1, -2] },
      { type: VectorType.STRING, member: 'varchar', values: ['a', ''], nulls: [false, true] },
    ])
    expect(bytes.toString('hex')).toBe(CHUNK_HEX)
  })
  it('the thrift package TBinaryProtocol writes the same bytes (both codecs are honest)', () => {
    const require = createRequire(import.meta.url)
    const thrift = require('thrift') as typeof import('thrift')
    let out: Buffer = Buffer.alloc(0)
    const transport = new thrift.TBufferedTransport(undefined, (b?: Buffer) => (out = Buffer.concat([out, b ?? Buffer.alloc(0)])))
    const p = new thrift.TBinaryProtocol(transport)
    const T = thrift.Thrift.Type
    p.writeStructBegin('Chunk')
    p.writeFieldBegin('size', T.I32, 1), p.writeI32(2), p.writeFieldEnd()
    p.writeFieldBegin('vectors', T.LIST, 2), p.writeListBegin(T.STRUCT, 2)
    const vector = (type: number, nulls: boolean[], member: number, elemType: number, write: () => void) => {
      p.writeStructBegin('Vector')
      p.writeFieldBegin('size', T.I32, 1), p.writeI32(2), p.writeFieldEnd()
      p.writeFieldBegin('vectorType', T.I32, 2), p.writeI32(type), p.writeFieldEnd()
      p.writeFieldBegin('nullSet', T.LIST, 3), p.writeListBegin(T.BOOL, 2)
      for (const n of nulls) p.writeBool(n)
      p.writeListEnd(), p.writeFieldEnd()
      p.writeFieldBegin('data', T.STRUCT, 4), p.writeStructBegin('Data')
      p.writeFieldBegin('m', T.STRUCT, member), p.writeStructBegin('M')
      p.writeFieldBegin('data', T.LIST, 1), p.writeListBegin(elemType, 2)
      write()
      p.writeListEnd(), p.writeFieldEnd(), p.writeFieldStop(), p.writeStructEnd(), p.writeFieldEnd()
      p.writeFieldStop(), p.writeStructEnd(), p.writeFieldEnd()
      p.writeFieldBegin('isConstantVector', T.BOOL, 5), p.writeBool(false), p.writeFieldEnd()
      p.writeFieldStop(), p.writeStructEnd()
    }
    vector(VectorType.LONG, [false, false], 3, T.I64, () => (p.writeI64(1), p.writeI64(-2)))
    vector(VectorType.STRING, [false, true], 7, T.STRING, () => (p.writeString('a'), p.writeString('')))
    p.writeListEnd(), p.writeFieldEnd(), p.writeFieldStop(), p.writeStructEnd()
    transport.flush()
    expect(out.toString('hex')).toBe(CHUNK_HEX)
  })

  it('decodes every type, with NULLs in every type', () => {
    const big = encodeDecimal128(-99999999999999999999999999999999999998n)
    const specs: VectorSpec[] = [
      { type: VectorType.BOOLEAN, member: 'bool', values: [true, false, true], nulls: [false, false, true] },
      { type: VectorType.INTEGER, member: 'int32', values: [2147483647, -2147483648, 0], nulls: [false, false, true] },
      { type: VectorType.LONG, member: 'int64', values: [9007199254740991n, -9223372036854775808n, 0], nulls: [false, false, true] },
      { type: VectorType.DOUBLE, member: 'float64', values: [1.5, -0, 0], nulls: [false, false, true] },
      { type: VectorType.FLOAT, member: 'float32', values: [0.25, 1e30, 0], nulls: [false, false, true] },
      { type: VectorType.STRING, member: 'varchar', values: ['héllo ☃', '', ''], nulls: [false, false, true] },
      { type: VectorType.DATE, member: 'date', values: [1770854400000000, 308847859200000000n, 0], nulls: [false, false, true] },
      { type: VectorType.DATETIME, member: 'time', values: [0, 1234567, 0], nulls: [false, false, true] },
      { type: VectorType.TIMESTAMP_TZ, member: 'time', values: [1720000000000000, 0, 0], zones: ['America/New_York', '+05:30', 'Z'], nulls: [false, false, true] },
      { type: VectorType.DECIMAL128, member: 'decimal128', values: [big, encodeDecimal128(1250n), Buffer.alloc(16)], scale: 2, nulls: [false, false, true] },
      { type: VectorType.NULL, member: 'null' },
      { type: VectorType.ARRAY, member: 'varchar', values: ['[1, 2]', '{"a":1}', ''], nulls: [false, false, true] },
    ]
    const bytes = encodeChunk(3, specs)
    const { rows } = decodeChunk(bytes, specs.length)
    // the thrift package's TBinaryProtocol reads the same bytes to the same values
    expect(decodeChunkWithThriftPackage(bytes, specs.length).rows).toEqual(rows)
    expect(rows[0]).toEqual([true, 2147483647, 9007199254740991, 1.5, 0.25, 'héllo ☃', '2026-02-12', '1970-01-01T00:00:00.000+00:00', '2024-07-03T05:46:40.000-04:00', '-999999999999999999999999999999999999.98', null, '[1, 2]'])
    expect(rows[1]).toEqual([false, -2147483648, -9223372036854775808n, -0, 1e30, '', '+11756-12-31', '1970-01-01T00:00:01.234+00:00', '1970-01-01T05:30:00.000+05:30', '12.50', null, '{"a":1}'])
    expect(rows[2]).toEqual(Array(12).fill(null))
  })

  it('constant vectors repeat one value; nullSet[0] nulls them all', () => {
    const specs: VectorSpec[] = [
      { type: VectorType.LONG, member: 'constant', constant: { kind: 'numeric', value: 42 } },
      { type: VectorType.STRING, member: 'constant', constant: { kind: 'varchar', value: 'k' } },
      { type: VectorType.DOUBLE, member: 'constant', constant: { kind: 'double', value: 2.5 } },
      { type: VectorType.BOOLEAN, member: 'constant', constant: { kind: 'bool', value: true } },
      { type: VectorType.DATE, member: 'constant', constant: { kind: 'date', value: -86400000000 } },
      { type: VectorType.TIMESTAMP_TZ, member: 'constant', constant: { kind: 'time', value: 0, zone: '-08:00' } },
      { type: VectorType.DECIMAL128, member: 'constant', constant: { kind: 'decimal128', value: encodeDecimal128(10n ** 38n - 1n), scale: 0 } },
      { type: VectorType.LONG, member: 'constant', isNull: true, constant: { kind: 'numeric', value: 7 } },
    ]
    const bytes = encodeChunk(3, specs)
    const { rows } = decodeChunk(bytes, specs.length)
    expect(decodeChunkWithThriftPackage(bytes, specs.length).rows).toEqual(rows)
    const expected = [42, 'k', 2.5, true, '1969-12-31', '1969-12-31T16:00:00.000-08:00', '99999999999999999999999999999999999999', null]
    expect(rows).toEqual([expected, expected, expected])
  })

  it('end of results: empty bytes or size <= 0', () => {
    expect(decodeChunk(Buffer.alloc(0), 3)).toEqual({ size: 0, rows: [] })
    expect(decodeChunk(encodeChunk(0, []), 3)).toEqual({ size: 0, rows: [] })
  })

  it('skips unknown fields and rejects malformed chunks', () => {
    const ok = Buffer.from(CHUNK_HEX, 'hex')
    // an unknown i64 field 9 in front of the chunk's fields
    const withUnknown = Buffer.concat([Buffer.from('0a0009' + '0000000000000007', 'hex'), ok])
    expect(decodeChunk(withUnknown, 2).rows).toEqual([[1, 'a'], [-2, null]])
    expect(() => decodeChunk(ok.subarray(0, 40), 2)).toThrow(E6dataProtocolError)
    // list claiming 2^31-1 elements
    expect(() => decodeChunk(Buffer.from('080001000000020f00020c7fffffff', 'hex'), 2)).toThrow(/longer than the reply/)
    // fewer vectors than metadata columns
    expect(() => decodeChunk(ok, 3)).toThrow(/2 vectors for 3 columns/)
  })
})

describe('dates and decimals', () => {
  it('formats pre-1970 instants with floor semantics', () => {
    expect(formatTimestamp(-14182940000000)).toBe('1969-07-20T20:17:40.000+00:00')
    expect(formatTimestamp(-1)).toBe('1969-12-31T23:59:59.999+00:00')
    expect(formatTimestamp(0, '-08:00')).toBe('1969-12-31T16:00:00.000-08:00')
    expect(formatDate(-1)).toBe('1969-12-31')
    expect(formatDate(-62167219200000000 - 86400000000)).toBe('-0001-12-31')
  })
  it('decimal128: exact 38 digits, scales, text form', () => {
    expect(decodeDecimal128(Buffer.from('b4c4b357a5793b85f675ddc000000002', 'hex'), 0)).toBe('-99999999999999999999999999999999999998')
    expect(decodeDecimal128(encodeDecimal128(-5n), 3)).toBe('-0.005')
    expect(decodeDecimal128(Buffer.from('123.45'), 0)).toBe('123.45')
    expect(decodeDecimal128(Buffer.from('abc'), 0)).toBeUndefined()
  })
})
