import { decodeDecimal128, MAX_DECIMAL_SCALE } from './decimal128.ts'
import { E6dataProtocolError } from './errors.ts'
import { formatDate, formatTimestamp } from './temporal-format.ts'
import { DataMember, VectorType } from './vector-type.ts'

/**
 * A JS value of one e6data result cell:
 *
 * | VectorType | JS value |
 * | --- | --- |
 * | INTEGER, DOUBLE, FLOAT | `number` |
 * | LONG | `number` when within ±2^53-1, else `bigint` (exact either way) |
 * | BOOLEAN | `boolean` |
 * | STRING, BINARY, ARRAY, MAP, STRUCT | `string` (complex values arrive as engine-rendered text) |
 * | DATE | `'YYYY-MM-DD'` |
 * | DATETIME | `'YYYY-MM-DDTHH:MM:SS.mmm+00:00'` (UTC) |
 * | TIMESTAMP_TZ | same, in the row's zone (`±HH:MM`) |
 * | DECIMAL128 | exact decimal text, e.g. `'12.50'` (all 38 digits) |
 * | NULL, any NULL cell | `null` |
 */
export type E6dataValue = number | bigint | boolean | string | null

/**
 * Decoder of `GetNextResultBatchResponse.resultBatch`: one Thrift `Chunk` (e6data/e6data-python-connector
 * `e6x_vector.thrift`) serialized bare with TBinaryProtocol, read straight from the buffer into rows without an
 * intermediate object tree (the hot path of every fetch). Unknown field ids are skipped, as Thrift readers must.
 * Row reconstruction follows the connector's `datainputstream.py` `get_column_from_chunk`: one vector per metadata
 * column, `nullSet[r]` (or `nullSet[0]` for constant vectors) marks NULL, constant vectors repeat one value.
 */

// TBinaryProtocol type bytes
const T_STOP = 0
const T_BOOL = 2
const T_BYTE = 3
const T_DOUBLE = 4
const T_I16 = 6
const T_I32 = 8
const T_I64 = 10
const T_STRING = 11
const T_STRUCT = 12
const T_MAP = 13
const T_SET = 14
const T_LIST = 15

const TWO32 = 4294967296

/** A decoded batch: `size` rows, each an array with one value per column (metadata order). */
export interface DecodedChunk {
  size: number
  rows: E6dataValue[][]
}

interface RawVector {
  size: number
  type: number
  nulls: Uint8Array | undefined
  constant: boolean
  member: number
  values: ArrayLike<unknown> | undefined
  constantValue: unknown
  zones: string[] | undefined
  constantZone: string | undefined
  scale: number
}

/** Recursion bound for skipping unknown nested structs. */
const MAX_DEPTH = 32

class Reader {
  pos = 0
  readonly buf: Buffer
  readonly view: DataView
  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  }
  fail(what: string): never {
    throw new E6dataProtocolError(`e6data result batch is not a valid Thrift Chunk (${this.buf.length} bytes): ${what} at byte ${this.pos}`, {
      code: 'BAD_CHUNK',
      rpc: 'getNextResultBatch',
    })
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail(`${n} more bytes needed`)
  }
  u8(): number {
    this.need(1)
    return this.buf[this.pos++]!
  }
  i16(): number {
    this.need(2)
    const v = this.view.getInt16(this.pos)
    this.pos += 2
    return v
  }
  i32(): number {
    this.need(4)
    const v = this.view.getInt32(this.pos)
    this.pos += 4
    return v
  }
  /** int64 as an exact number when it fits 53 bits, else a bigint. */
  i64(): number | bigint {
    this.need(8)
    const hi = this.view.getInt32(this.pos)
    const lo = this.view.getUint32(this.pos + 4)
    this.pos += 8
    if (hi >= -0x200000 && hi < 0x200000) return hi * TWO32 + lo
    return (BigInt(hi) << 32n) | BigInt(lo)
  }
  f64(): number {
    this.need(8)
    const v = this.view.getFloat64(this.pos)
    this.pos += 8
    return v
  }
  bytesLen(): number {
    const n = this.i32()
    if (n < 0) this.fail(`negative length ${n}`)
    this.need(n)
    return n
  }
  str(): string {
    const n = this.bytesLen()
    const s = this.buf.toString('utf8', this.pos, this.pos + n)
    this.pos += n
    return s
  }
  bin(): Buffer {
    const n = this.bytesLen()
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }
  /** List header; checks the element type and that `count` elements can fit in the rest of the buffer. */
  listHeader(expected: number, minSize: number): number {
    const et = this.u8()
    const n = this.i32()
    if (n < 0) this.fail(`negative list size ${n}`)
    if (n > 0 && et !== expected) this.fail(`list of type ${et} where ${expected} was expected`)
    if (n * minSize > this.buf.length - this.pos) this.fail(`list of ${n} elements longer than the reply`)
    return n
  }
  skip(type: number, depth = 0): void {
    if (depth > MAX_DEPTH) this.fail('structures nested too deeply')
    switch (type) {
      case T_BOOL:
      case T_BYTE:
        this.need(1), (this.pos += 1)
        return
      case T_I16:
        this.need(2), (this.pos += 2)
        return
      case T_I32:
        this.need(4), (this.pos += 4)
        return
      case T_DOUBLE:
      case T_I64:
        this.need(8), (this.pos += 8)
        return
      case T_STRING:
        this.pos += this.bytesLen()
        return
      case T_STRUCT:
        for (;;) {
          const t = this.u8()
          if (t === T_STOP) return
          this.i16()
          this.skip(t, depth + 1)
        }
      case T_MAP: {
        const kt = this.u8()
        const vt = this.u8()
        const n = this.i32()
        if (n < 0 || n > this.buf.length - this.pos) this.fail(`map of ${n} entries`)
        for (let i = 0; i < n; i++) this.skip(kt, depth + 1), this.skip(vt, depth + 1)
        return
      }
      case T_SET:
      case T_LIST: {
        const et = this.u8()
        const n = this.i32()
        if (n < 0 || n > this.buf.length - this.pos) this.fail(`list of ${n} elements`)
        for (let i = 0; i < n; i++) this.skip(et, depth + 1)
        return
      }
      default:
        this.fail(`unknown Thrift type ${type}`)
    }
  }
}

function readBoolList(r: Reader): Uint8Array {
  const n = r.listHeader(T_BOOL, 1)
  const out = r.buf.subarray(r.pos, r.pos + n)
  r.pos += n
  return out
}

function readI32List(r: Reader): Int32Array {
  const n = r.listHeader(T_I32, 4)
  const out = new Int32Array(n)
  const v = r.view
  let p = r.pos
  for (let i = 0; i < n; i++, p += 4) out[i] = v.getInt32(p)
  r.pos = p
  return out
}

function readI64List(r: Reader): (number | bigint)[] {
  const n = r.listHeader(T_I64, 8)
  const out: (number | bigint)[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = r.i64()
  return out
}

function readF64List(r: Reader): Float64Array {
  const n = r.listHeader(T_DOUBLE, 8)
  const out = new Float64Array(n)
  const v = r.view
  let p = r.pos
  for (let i = 0; i < n; i++, p += 8) out[i] = v.getFloat64(p)
  r.pos = p
  return out
}

/** Short ASCII strings (codes, names) decode faster by hand than through `Buffer#toString`. */
function shortAscii(buf: Buffer, p: number, len: number): string | undefined {
  switch (len) {
    case 0:
      return ''
    case 1:
      return buf[p]! < 0x80 ? String.fromCharCode(buf[p]!) : undefined
    case 2: {
      const a = buf[p]!, b = buf[p + 1]!
      return (a | b) < 0x80 ? String.fromCharCode(a, b) : undefined
    }
    case 3: {
      const a = buf[p]!, b = buf[p + 1]!, c = buf[p + 2]!
      return (a | b | c) < 0x80 ? String.fromCharCode(a, b, c) : undefined
    }
    case 4: {
      const a = buf[p]!, b = buf[p + 1]!, c = buf[p + 2]!, d = buf[p + 3]!
      return (a | b | c | d) < 0x80 ? String.fromCharCode(a, b, c, d) : undefined
    }
    default:
      return undefined
  }
}

function readStringList(r: Reader): string[] {
  const n = r.listHeader(T_STRING, 4)
  const out: string[] = new Array(n)
  const buf = r.buf
  const view = r.view
  for (let i = 0; i < n; i++) {
    if (r.pos + 4 > buf.length) r.fail('4 more bytes needed')
    const len = view.getInt32(r.pos)
    if (len < 0 || r.pos + 4 + len > buf.length) r.fail(`string of ${len} bytes past the end`)
    const p = r.pos + 4
    out[i] = shortAscii(buf, p, len) ?? buf.toString('utf8', p, p + len)
    r.pos = p + len
  }
  return out
}

function readBinaryList(r: Reader): Buffer[] {
  const n = r.listHeader(T_STRING, 4)
  const out: Buffer[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = r.bin()
  return out
}

/** Reads one `*Data` struct of the `Data` union into `vec`. */
function readDataMember(r: Reader, member: number, vec: RawVector): void {
  vec.member = member
  for (;;) {
    const t = r.u8()
    if (t === T_STOP) return
    const id = r.i16()
    let done = false
    if (id === 1) {
      done = true
      switch (member) {
        case DataMember.boolData:
          if (t !== T_LIST) done = false
          else vec.values = readBoolList(r)
          break
        case DataMember.int32Data:
          if (t !== T_LIST) done = false
          else vec.values = readI32List(r)
          break
        case DataMember.int64Data:
        case DataMember.dateData:
        case DataMember.timeData:
          if (t !== T_LIST) done = false
          else vec.values = readI64List(r)
          break
        case DataMember.float32Data:
        case DataMember.float64Data:
          if (t !== T_LIST) done = false
          else vec.values = readF64List(r)
          break
        case DataMember.varcharData:
          if (t !== T_LIST) done = false
          else vec.values = readStringList(r)
          break
        case DataMember.decimal128Data:
          if (t !== T_LIST) done = false
          else vec.values = readBinaryList(r)
          break
        case DataMember.boolConstantData:
          if (t !== T_BOOL) done = false
          else vec.constantValue = r.u8() !== 0
          break
        case DataMember.dateConstantData:
        case DataMember.numericConstantData:
        case DataMember.timeConstantData:
          if (t !== T_I64) done = false
          else vec.constantValue = r.i64()
          break
        case DataMember.numericDecimalConstantData:
          if (t !== T_DOUBLE) done = false
          else vec.constantValue = r.f64()
          break
        case DataMember.varcharConstantData:
          if (t !== T_STRING) done = false
          else vec.constantValue = r.str()
          break
        case DataMember.numericDecimal128ConstantData:
          if (t !== T_STRING) done = false
          else vec.constantValue = r.bin()
          break
        default:
          done = false
      }
    } else if (id === 2) {
      done = true
      if (member === DataMember.timeData && t === T_LIST) vec.zones = readStringList(r)
      else if (member === DataMember.timeConstantData && t === T_STRING) vec.constantZone = r.str()
      else if ((member === DataMember.decimal128Data || member === DataMember.numericDecimal128ConstantData) && t === T_I32) {
        vec.scale = r.i32()
        if (vec.scale < -MAX_DECIMAL_SCALE || vec.scale > MAX_DECIMAL_SCALE) r.fail(`decimal scale ${vec.scale} outside ±${MAX_DECIMAL_SCALE}`)
      } else done = false
    }
    if (!done) r.skip(t)
  }
}

function readData(r: Reader, vec: RawVector): void {
  for (;;) {
    const t = r.u8()
    if (t === T_STOP) return
    const id = r.i16()
    if (t === T_STRUCT && id >= 1 && id <= 18) readDataMember(r, id, vec)
    else r.skip(t)
  }
}

function readVector(r: Reader): RawVector {
  const vec: RawVector = {
    size: 0,
    type: -1,
    nulls: undefined,
    constant: false,
    member: 0,
    values: undefined,
    constantValue: undefined,
    zones: undefined,
    constantZone: undefined,
    scale: 0,
  }
  for (;;) {
    const t = r.u8()
    if (t === T_STOP) return vec
    const id = r.i16()
    if (id === 1 && t === T_I32) vec.size = r.i32()
    else if (id === 2 && t === T_I32) vec.type = r.i32()
    else if (id === 3 && t === T_LIST) vec.nulls = readBoolList(r)
    else if (id === 4 && t === T_STRUCT) readData(r, vec)
    else if (id === 5 && t === T_BOOL) vec.constant = r.u8() !== 0
    else r.skip(t)
  }
}

function i64ToNumberish(v: unknown): number | bigint {
  return typeof v === 'bigint' || typeof v === 'number' ? v : 0
}

/** Value converter for one vector; receives the raw element (or the constant) and the row. */
function converterFor(vec: RawVector): (raw: unknown, row: number) => E6dataValue {
  switch (vec.member) {
    case DataMember.dateData:
    case DataMember.dateConstantData:
      if (vec.type === VectorType.DATE) return (raw) => formatDate(i64ToNumberish(raw))
      return (raw) => formatTimestamp(i64ToNumberish(raw))
    case DataMember.timeData: {
      const zones = vec.type === VectorType.TIMESTAMP_TZ ? vec.zones : undefined
      if (vec.type === VectorType.DATE) return (raw) => formatDate(i64ToNumberish(raw))
      return zones === undefined ? (raw) => formatTimestamp(i64ToNumberish(raw)) : (raw, row) => formatTimestamp(i64ToNumberish(raw), zones[row])
    }
    case DataMember.timeConstantData: {
      const zone = vec.type === VectorType.TIMESTAMP_TZ ? vec.constantZone : undefined
      if (vec.type === VectorType.DATE) return (raw) => formatDate(i64ToNumberish(raw))
      return (raw) => formatTimestamp(i64ToNumberish(raw), zone)
    }
    case DataMember.decimal128Data:
    case DataMember.numericDecimal128ConstantData: {
      const scale = vec.scale
      return (raw) => decodeDecimal128(raw as Uint8Array, scale) ?? null
    }
    case DataMember.boolData:
      return (raw) => raw !== 0
    case DataMember.numericConstantData:
      if (vec.type === VectorType.DATE) return (raw) => formatDate(i64ToNumberish(raw))
      if (vec.type === VectorType.DATETIME || vec.type === VectorType.TIMESTAMP || vec.type === VectorType.TIMESTAMP_TZ) {
        return (raw) => formatTimestamp(i64ToNumberish(raw))
      }
      return (raw) => raw as number | bigint
    default:
      return (raw) => raw as E6dataValue
  }
}

/**
 * Fills column `col` of `rows` from one vector. Null test per cell `nullSet[r]`; constant vectors use `nullSet[0]`.
 * A vector with no data member (VectorType NULL, or an unsupported type) yields `null` for every row.
 */
function fillColumn(r: Reader, vec: RawVector, n: number, col: number): E6dataValue[] {
  const out: E6dataValue[] = new Array(n)
  const nulls = vec.nulls
  if (vec.type === VectorType.NULL || vec.member === 0 || vec.member === DataMember.nullConstantData || vec.member === DataMember.temporalIntervalConstantData) {
    for (let i = 0; i < n; i++) out[i] = null
    return out
  }
  const convert = converterFor(vec)
  if (vec.constant || vec.values === undefined) {
    const isNull = nulls !== undefined && nulls.length > 0 && nulls[0] !== 0
    const value = isNull || vec.constantValue === undefined ? null : convert(vec.constantValue, 0)
    for (let i = 0; i < n; i++) out[i] = value
    return out
  }
  const values = vec.values
  if (values.length < n) r.fail(`column ${col} holds ${values.length} values for ${n} rows`)
  const plain = vec.member === DataMember.int32Data || vec.member === DataMember.int64Data || vec.member === DataMember.float32Data || vec.member === DataMember.float64Data || vec.member === DataMember.varcharData
  if (nulls === undefined || nulls.length === 0) {
    if (plain) for (let i = 0; i < n; i++) out[i] = values[i] as E6dataValue
    else for (let i = 0; i < n; i++) out[i] = convert(values[i], i)
    return out
  }
  if (nulls.length < n) r.fail(`column ${col} has ${nulls.length} null flags for ${n} rows`)
  if (plain) for (let i = 0; i < n; i++) out[i] = nulls[i] !== 0 ? null : (values[i] as E6dataValue)
  else for (let i = 0; i < n; i++) out[i] = nulls[i] !== 0 ? null : convert(values[i], i)
  return out
}

/** Column arrays to row arrays; small column counts build packed array literals. */
function pivot(cols: E6dataValue[][], n: number): E6dataValue[][] {
  const rows: E6dataValue[][] = new Array(n)
  const [a, b, c, d, e, f] = cols
  switch (cols.length) {
    case 0:
      for (let i = 0; i < n; i++) rows[i] = []
      break
    case 1:
      for (let i = 0; i < n; i++) rows[i] = [a![i]!]
      break
    case 2:
      for (let i = 0; i < n; i++) rows[i] = [a![i]!, b![i]!]
      break
    case 3:
      for (let i = 0; i < n; i++) rows[i] = [a![i]!, b![i]!, c![i]!]
      break
    case 4:
      for (let i = 0; i < n; i++) rows[i] = [a![i]!, b![i]!, c![i]!, d![i]!]
      break
    case 5:
      for (let i = 0; i < n; i++) rows[i] = [a![i]!, b![i]!, c![i]!, d![i]!, e![i]!]
      break
    case 6:
      for (let i = 0; i < n; i++) rows[i] = [a![i]!, b![i]!, c![i]!, d![i]!, e![i]!, f![i]!]
      break
    default:
      for (let i = 0; i < n; i++) {
        const row: E6dataValue[] = []
        for (let k = 0; k < cols.length; k++) row.push(cols[k]![i]!)
        rows[i] = row
      }
  }
  return rows
}

/**
 * Decodes one result batch into rows. `columnCount` is the number of metadata columns; the chunk must hold at
 * least that many vectors. An empty buffer, or a chunk whose `size` is <= 0, is the end of the result (`size: 0`).
 * Rows are capped at `maxRows` (default 10 000 000) before allocating.
 *
 * @throws E6dataProtocolError (code `BAD_CHUNK`) for bytes that are not a Chunk, lists longer than the reply,
 *   fewer vectors than columns, a decimal scale beyond ±38.
 * @example
 * const { size, rows } = decodeChunk(response.resultBatch, metadata.columns.length)
 */
export function decodeChunk(bytes: Uint8Array, columnCount: number, maxRows = 10_000_000): DecodedChunk {
  if (bytes.length === 0) return { size: 0, rows: [] }
  const r = new Reader(bytes)
  let size = 0
  let rows: E6dataValue[][] | undefined
  let filled = 0
  for (;;) {
    const t = r.u8()
    if (t === T_STOP) break
    const id = r.i16()
    if (id === 1 && t === T_I32) {
      size = r.i32()
      if (size > maxRows) r.fail(`chunk of ${size} rows (more than ${maxRows})`)
    } else if (id === 2 && t === T_LIST) {
      // Thrift writers emit fields in id order, so `size` (id 1) is known here.
      const n = r.listHeader(T_STRUCT, 1)
      const count = Math.max(size, 0)
      const columns: E6dataValue[][] = []
      for (let c = 0; c < n; c++) {
        const vec = readVector(r)
        if (c < columnCount) columns.push(fillColumn(r, vec, count, c))
      }
      filled = n
      if (filled >= columnCount) rows = pivot(columns, count)
    } else r.skip(t)
  }
  if (size <= 0) return { size: 0, rows: [] }
  if (rows === undefined || filled < columnCount) return r.fail(`chunk has ${filled} vectors for ${columnCount} columns`)
  return { size, rows }
}
