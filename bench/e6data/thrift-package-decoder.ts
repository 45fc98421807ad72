/**
 * The alternative to our hand-written Chunk decoder: the `thrift` npm package's TBinaryProtocol reading the same
 * bytes with a generic struct reader (no generated code: the Thrift compiler is not a dependency), then the same
 * row pivot and value formatting as ours. Used by the benchmark to show the cost of each path, and by
 * test/e6data/result-decoding.test.ts to keep both decoders honest with the same vectors.
 */
import { createRequire } from 'node:module'
import { decodeDecimal128 } from '../../src/e6data/decimal128.ts'
import { formatDate, formatTimestamp } from '../../src/e6data/temporal-format.ts'
import { VectorType } from '../../src/e6data/vector-type.ts'
import type { E6dataValue } from '../../src/e6data/chunk-decoder.ts'

const require = createRequire(import.meta.url)
const thrift = require('thrift') as typeof import('thrift')
const T = thrift.Thrift.Type

type Proto = InstanceType<typeof thrift.TBinaryProtocol>

/** Reads any value of Thrift type `type`; structs become `{ [fieldId]: value }`, i64 become number or bigint. */
function readValue(p: Proto, type: number): unknown {
  switch (type) {
    case T.BOOL:
      return p.readBool()
    case T.BYTE:
      return p.readByte()
    case T.I16:
      return p.readI16()
    case T.I32:
      return p.readI32()
    case T.I64: {
      const v = p.readI64() as unknown as { buffer: Buffer; offset: number }
      const b = v.buffer.readBigInt64BE(v.offset)
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b
    }
    case T.DOUBLE:
      return p.readDouble()
    case T.STRING:
      return p.readBinary()
    case T.STRUCT: {
      const out: Record<number, unknown> = {}
      p.readStructBegin()
      for (;;) {
        const f = p.readFieldBegin()
        if (f.ftype === T.STOP) break
        out[f.fid] = readValue(p, f.ftype)
        p.readFieldEnd()
      }
      p.readStructEnd()
      return out
    }
    case T.LIST:
    case T.SET: {
      const l = p.readListBegin()
      const out = new Array(l.size)
      for (let i = 0; i < l.size; i++) out[i] = readValue(p, l.etype)
      p.readListEnd()
      return out
    }
    default:
      p.skip(type)
      return undefined
  }
}

const str = (b: unknown): string => (Buffer.isBuffer(b) ? b.toString('utf8') : String(b))

/** Decodes one Chunk with the thrift package into rows (same values as `decodeChunk`). */
export function decodeChunkWithThriftPackage(bytes: Buffer, columnCount: number): { size: number; rows: E6dataValue[][] } {
  if (bytes.length === 0) return { size: 0, rows: [] }
  const transport = new thrift.TFramedTransport(bytes)
  const chunk = readValue(new thrift.TBinaryProtocol(transport), T.STRUCT) as Record<number, unknown>
  const size = (chunk[1] as number) ?? 0
  if (size <= 0) return { size: 0, rows: [] }
  const vectors = (chunk[2] as Record<number, unknown>[]) ?? []
  const rows: E6dataValue[][] = Array.from({ length: size }, () => new Array(columnCount))
  for (let c = 0; c < columnCount; c++) {
    const v = vectors[c]!
    const type = v[2] as number
    const nulls = (v[3] as boolean[] | undefined) ?? []
    const constant = v[5] === true
    const data = (v[4] as Record<number, Record<number, unknown>>) ?? {}
    const member = Number(Object.keys(data)[0] ?? 0)
    const d = data[member] ?? {}
    const conv = (raw: unknown, r: number): E6dataValue => {
      switch (member) {
        case 4:
        case 9:
          return type === VectorType.DATE ? formatDate(raw as number) : formatTimestamp(raw as number)
        case 16:
          return formatTimestamp(raw as number, type === VectorType.TIMESTAMP_TZ ? str((d[2] as unknown[] | undefined)?.[r] ?? '') : undefined)
        case 14:
          return formatTimestamp(raw as number, type === VectorType.TIMESTAMP_TZ && d[2] !== undefined ? str(d[2]) : undefined)
        case 7:
        case 15:
          return str(raw)
        case 17:
        case 18:
          return decodeDecimal128(raw as Buffer, (d[2] as number) ?? 0) ?? null
        default:
          return raw as E6dataValue
      }
    }
    for (let r = 0; r < size; r++) {
      if (type === VectorType.NULL || member === 10 || (constant ? nulls[0] : nulls[r])) rows[r]![c] = null
      else rows[r]![c] = constant ? conv(d[1], r) : conv((d[1] as unknown[])[r], r)
    }
  }
  return { size, rows }
}
