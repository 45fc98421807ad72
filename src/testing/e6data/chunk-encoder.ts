import { DataMember, VectorType } from '../../e6data/vector-type.ts'

/**
 * TBinaryProtocol encoder of e6data result `Chunk`s (e6data/e6data-python-connector `e6x_vector.thrift`), the
 * server side of `src/e6data/chunk-decoder.ts`. Writes into one growing buffer, fields in id order, as every
 * Thrift writer does.
 */

/** One vector to encode: a column of `size` cells. */
export type VectorSpec =
  | { type: number; nulls?: ArrayLike<boolean>; member: 'bool'; values: ArrayLike<boolean> }
  | { type: number; nulls?: ArrayLike<boolean>; member: 'int32'; values: ArrayLike<number> }
  | { type: number; nulls?: ArrayLike<boolean>; member: 'int64' | 'date'; values: ArrayLike<number | bigint> }
  | { type: number; nulls?: ArrayLike<boolean>; member: 'float32' | 'float64'; values: ArrayLike<number> }
  | { type: number; nulls?: ArrayLike<boolean>; member: 'varchar'; values: ArrayLike<string> }
  | { type: number; nulls?: ArrayLike<boolean>; member: 'decimal128'; values: ArrayLike<Uint8Array>; scale: number }
  | { type: number; nulls?: ArrayLike<boolean>; member: 'time'; values: ArrayLike<number | bigint>; zones?: ArrayLike<string> }
  | { type: number; nulls?: ArrayLike<boolean>; member: 'null' }
  | { type: number; isNull?: boolean; member: 'constant'; constant: ConstantSpec }

/** The value of a constant vector. */
export type ConstantSpec =
  | { kind: 'bool'; value: boolean }
  | { kind: 'date' | 'numeric' | 'time'; value: number | bigint; zone?: string }
  | { kind: 'double'; value: number }
  | { kind: 'varchar'; value: string }
  | { kind: 'decimal128'; value: Uint8Array; scale: number }
  | { kind: 'null' }

export class ThriftBinaryWriter {
  buf: Buffer
  pos = 0
  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial)
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }
  u8(v: number): void {
    this.ensure(1)
    this.buf[this.pos++] = v
  }
  i16(v: number): void {
    this.ensure(2)
    this.buf.writeInt16BE(v, this.pos)
    this.pos += 2
  }
  i32(v: number): void {
    this.ensure(4)
    this.buf.writeInt32BE(v, this.pos)
    this.pos += 4
  }
  i64(v: number | bigint): void {
    this.ensure(8)
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      // hi/lo words without a BigInt
      const hi = Math.floor(v / 4294967296)
      this.buf.writeInt32BE(hi, this.pos)
      this.buf.writeUInt32BE(v - hi * 4294967296, this.pos + 4)
    } else this.buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v), this.pos)
    this.pos += 8
  }
  f64(v: number): void {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.pos)
    this.pos += 8
  }
  bin(b: Uint8Array): void {
    this.i32(b.length)
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }
  str(s: string): void {
    const n = Buffer.byteLength(s)
    this.i32(n)
    this.ensure(n)
    this.buf.write(s, this.pos, 'utf8')
    this.pos += n
  }
  field(type: number, id: number): void {
    this.u8(type)
    this.i16(id)
  }
  stop(): void {
    this.u8(0)
  }
  list(elemType: number, n: number): void {
    this.u8(elemType)
    this.i32(n)
  }
  result(): Buffer {
    return this.buf.subarray(0, this.pos)
  }
}

const BOOL = 2
const DOUBLE = 4
const I32 = 8
const I64 = 10
const STRING = 11
const STRUCT = 12
const LIST = 15

function writeNulls(w: ThriftBinaryWriter, nulls: ArrayLike<boolean>): void {
  w.field(LIST, 3)
  w.list(BOOL, nulls.length)
  w.ensure(nulls.length)
  for (let i = 0; i < nulls.length; i++) w.buf[w.pos++] = nulls[i] ? 1 : 0
}

function writeData(w: ThriftBinaryWriter, v: VectorSpec): void {
  if (v.member === 'null') return
  w.field(STRUCT, 4)
  if (v.member === 'constant') {
    const c = v.constant
    const id =
      c.kind === 'bool' ? DataMember.boolConstantData
      : c.kind === 'date' ? DataMember.dateConstantData
      : c.kind === 'numeric' ? DataMember.numericConstantData
      : c.kind === 'time' ? DataMember.timeConstantData
      : c.kind === 'double' ? DataMember.numericDecimalConstantData
      : c.kind === 'varchar' ? DataMember.varcharConstantData
      : c.kind === 'decimal128' ? DataMember.numericDecimal128ConstantData
      : DataMember.nullConstantData
    w.field(STRUCT, id)
    switch (c.kind) {
      case 'bool':
        w.field(BOOL, 1), w.u8(c.value ? 1 : 0)
        break
      case 'date':
      case 'numeric':
      case 'time':
        w.field(I64, 1), w.i64(c.value)
        if (c.kind === 'time' && c.zone !== undefined) w.field(STRING, 2), w.str(c.zone)
        break
      case 'double':
        w.field(DOUBLE, 1), w.f64(c.value)
        break
      case 'varchar':
        w.field(STRING, 1), w.str(c.value)
        break
      case 'decimal128':
        w.field(STRING, 1), w.bin(c.value), w.field(I32, 2), w.i32(c.scale)
        break
      case 'null':
        w.field(3, 1), w.u8(0)
        break
    }
    w.stop()
    w.stop()
    return
  }
  const n = v.values.length
  switch (v.member) {
    case 'bool':
      w.field(STRUCT, DataMember.boolData), w.field(LIST, 1), w.list(BOOL, n)
      for (let i = 0; i < n; i++) w.u8(v.values[i] ? 1 : 0)
      break
    case 'int32':
      w.field(STRUCT, DataMember.int32Data), w.field(LIST, 1), w.list(I32, n)
      for (let i = 0; i < n; i++) w.i32(v.values[i]!)
      break
    case 'int64':
    case 'date':
      w.field(STRUCT, v.member === 'int64' ? DataMember.int64Data : DataMember.dateData), w.field(LIST, 1), w.list(I64, n)
      for (let i = 0; i < n; i++) w.i64(v.values[i]!)
      break
    case 'float32':
    case 'float64':
      w.field(STRUCT, v.member === 'float32' ? DataMember.float32Data : DataMember.float64Data), w.field(LIST, 1), w.list(DOUBLE, n)
      for (let i = 0; i < n; i++) w.f64(v.values[i]!)
      break
    case 'varchar':
      w.field(STRUCT, DataMember.varcharData), w.field(LIST, 1), w.list(STRING, n)
      for (let i = 0; i < n; i++) w.str(v.values[i]!)
      break
    case 'decimal128':
      w.field(STRUCT, DataMember.decimal128Data), w.field(LIST, 1), w.list(STRING, n)
      for (let i = 0; i < n; i++) w.bin(v.values[i]!)
      w.field(I32, 2), w.i32(v.scale)
      break
    case 'time':
      w.field(STRUCT, DataMember.timeData), w.field(LIST, 1), w.list(I64, n)
      for (let i = 0; i < n; i++) w.i64(v.values[i]!)
      if (v.zones !== undefined) {
        w.field(LIST, 2), w.list(STRING, v.zones.length)
        for (let i = 0; i < v.zones.length; i++) w.str(v.zones[i]!)
      }
      break
  }
  w.stop() // member struct
  w.stop() // Data union
}

/**
 * Encodes a `Chunk` of `size` rows. Non-constant vectors must hold `size` values (NULL cells keep a slot with any
 * value) and, when any cell is NULL, `nulls` with `size` flags; constant vectors get one `nullSet` flag.
 *
 * @example encodeChunk(2, [{ type: VectorType.LONG, member: 'int64', values: [1, -2] }])
 */
export function encodeChunk(size: number, vectors: VectorSpec[], writer = new ThriftBinaryWriter()): Buffer {
  const w = writer
  w.pos = 0
  w.field(I32, 1)
  w.i32(size)
  w.field(LIST, 2)
  w.list(STRUCT, vectors.length)
  for (const v of vectors) {
    w.field(I32, 1)
    w.i32(size)
    w.field(I32, 2)
    w.i32(v.type)
    if (v.member === 'constant') writeNulls(w, [v.isNull === true])
    else if (v.member === 'null') writeNulls(w, Array.from({ length: size }, () => true))
    else if (v.nulls !== undefined) writeNulls(w, v.nulls)
    else {
      w.field(LIST, 3)
      w.list(BOOL, size)
      w.ensure(size)
      w.buf.fill(0, w.pos, w.pos + size)
      w.pos += size
    }
    writeData(w, v)
    w.field(BOOL, 5)
    w.u8(v.member === 'constant' ? 1 : 0)
    w.stop()
  }
  w.stop()
  return Buffer.from(w.result())
}

export { VectorType }
