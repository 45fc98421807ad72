/**
 * Hand-written protobuf codecs for the messages that carry points, so that millions of points per second move
 * without an object per point: `RawValuesResponse`, `AlignedWindowsResponse`/`WindowsResponse` (same layout) and
 * `InsertParams`. Field numbers follow PingThingsIO/btrdb-python `btrdb/grpcinterface/btrdb.proto`
 * (RawPoint: time=1 sfixed64, value=2 double; StatPoint: time=1, min=2, mean=3, max=4, count=5 fixed64,
 * stddev=6). Both directions are here because the local server (`dialectry/testing/btrdb`) uses them too.
 */
import { BTrDBError } from './errors.ts'

/** The in-band status of a response; `code` 0 (or absent) means success. */
export interface WireStatus {
  code: number
  msg: string
}

/** A decoded `RawValuesResponse`: parallel arrays of times (ns) and values. */
export interface RawPointBatch {
  stat: WireStatus | undefined
  versionMajor: bigint
  versionMinor: bigint
  times: BigInt64Array
  values: Float64Array
}

/** A decoded `AlignedWindowsResponse` / `WindowsResponse`: one entry per window in each array. */
export interface StatPointBatch {
  stat: WireStatus | undefined
  versionMajor: bigint
  versionMinor: bigint
  times: BigInt64Array
  min: Float64Array
  mean: Float64Array
  max: Float64Array
  count: BigUint64Array
  stddev: Float64Array
}

/** An `InsertParams` message as the codec sees it. */
export interface InsertRequest {
  uuid: Uint8Array
  sync: boolean
  mergePolicy: number
  times: BigInt64Array
  values: Float64Array
  /** `rounding.bits` when the request carried a RoundSpec. */
  roundBits?: number
}

function malformed(what: string): BTrDBError {
  return new BTrDBError(`Malformed BTrDB message: ${what}`, { code: 'PROTOCOL' })
}

/** 32-bit words of a 64-bit typed array, to copy int64 values without creating a BigInt per value. */
function words(a: BigInt64Array | BigUint64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2)
}

class Reader {
  pos: number
  readonly view: DataView
  readonly buf: Uint8Array
  readonly end: number
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf
    this.end = end
    this.pos = start
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  varint(): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      if (this.pos >= this.end) throw malformed('truncated varint')
      const b = this.buf[this.pos++]!
      result |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return result
      shift += 7n
    }
  }
  small(): number {
    let result = 0
    let mul = 1
    for (;;) {
      if (this.pos >= this.end) throw malformed('truncated varint')
      const b = this.buf[this.pos++]!
      result += (b & 0x7f) * mul
      if (b < 0x80) return result
      mul *= 128
    }
  }
  skip(wire: number): void {
    if (wire === 0) this.small()
    else if (wire === 1) this.pos += 8
    else if (wire === 2) {
      const len = this.small()
      this.pos += len
    }
    else if (wire === 5) this.pos += 4
    else throw malformed(`unsupported wire type ${wire}`)
    if (this.pos > this.end) throw malformed('truncated field')
  }
}

function decodeStatus(r: Reader, end: number): WireStatus {
  const stat: WireStatus = { code: 0, msg: '' }
  while (r.pos < end) {
    const tag = r.small()
    if (tag === 0x08) stat.code = r.small()
    else if (tag === 0x12) {
      const n = r.small()
      stat.msg = Buffer.from(r.buf.buffer, r.buf.byteOffset + r.pos, n).toString('utf8')
      r.pos += n
    } else r.skip(tag & 7)
  }
  return stat
}

/** Counts the occurrences of length-delimited field 4 (the repeated points) without decoding them. */
function countField4(buf: Uint8Array): number {
  const r = new Reader(buf)
  let n = 0
  while (r.pos < r.end) {
    const tag = r.small()
    if (tag === 0x22) n++
    r.skip(tag & 7)
  }
  return n
}

/**
 * Decodes a `RawValuesResponse`.
 * @throws BTrDBError (code `PROTOCOL`) on malformed bytes.
 */
export function decodeRawValuesResponse(buf: Uint8Array): RawPointBatch {
  const n = countField4(buf)
  const times = new BigInt64Array(n)
  const values = new Float64Array(n)
  const out: RawPointBatch = { stat: undefined, versionMajor: 0n, versionMinor: 0n, times, values }
  const r = new Reader(buf)
  const view = r.view
  const tw = words(times)
  let i = 0
  while (r.pos < r.end) {
    const tag = r.small()
    if (tag === 0x22) {
      const len = r.small()
      const end = r.pos + len
      // Fast path: the 18-byte layout every encoder produces for non-zero fields.
      if (len === 18 && buf[r.pos] === 0x09 && buf[r.pos + 9] === 0x11) {
        tw[2 * i] = view.getUint32(r.pos + 1, true)
        tw[2 * i + 1] = view.getUint32(r.pos + 5, true)
        values[i] = view.getFloat64(r.pos + 10, true)
      } else {
        while (r.pos < end) {
          const t = r.small()
          if (t === 0x09) times[i] = view.getBigInt64(r.pos, true)
          else if (t === 0x11) values[i] = view.getFloat64(r.pos, true)
          else {
            r.skip(t & 7)
            continue
          }
          r.pos += 8
        }
      }
      r.pos = end
      i++
    } else if (tag === 0x0a) {
      const len = r.small()
      out.stat = decodeStatus(r, r.pos + len)
    } else if (tag === 0x10) out.versionMajor = r.varint()
    else if (tag === 0x18) out.versionMinor = r.varint()
    else r.skip(tag & 7)
  }
  return out
}

/**
 * Decodes an `AlignedWindowsResponse` or `WindowsResponse`.
 * @throws BTrDBError (code `PROTOCOL`) on malformed bytes.
 */
export function decodeStatPointsResponse(buf: Uint8Array): StatPointBatch {
  const n = countField4(buf)
  const out: StatPointBatch = {
    stat: undefined,
    versionMajor: 0n,
    versionMinor: 0n,
    times: new BigInt64Array(n),
    min: new Float64Array(n),
    mean: new Float64Array(n),
    max: new Float64Array(n),
    count: new BigUint64Array(n),
    stddev: new Float64Array(n),
  }
  const r = new Reader(buf)
  const view = r.view
  let i = 0
  while (r.pos < r.end) {
    const tag = r.small()
    if (tag === 0x22) {
      const len = r.small()
      const end = r.pos + len
      while (r.pos < end) {
        const t = r.small()
        const p = r.pos
        switch (t) {
          case 0x09: out.times[i] = view.getBigInt64(p, true); break
          case 0x11: out.min[i] = view.getFloat64(p, true); break
          case 0x19: out.mean[i] = view.getFloat64(p, true); break
          case 0x21: out.max[i] = view.getFloat64(p, true); break
          case 0x29: out.count[i] = view.getBigUint64(p, true); break
          case 0x31: out.stddev[i] = view.getFloat64(p, true); break
          default:
            r.skip(t & 7)
            continue
        }
        r.pos += 8
      }
      r.pos = end
      i++
    } else if (tag === 0x0a) {
      const len = r.small()
      out.stat = decodeStatus(r, r.pos + len)
    } else if (tag === 0x10) out.versionMajor = r.varint()
    else if (tag === 0x18) out.versionMinor = r.varint()
    else r.skip(tag & 7)
  }
  return out
}

function varintSize(v: bigint | number): number {
  let x = BigInt(v)
  let n = 1
  while (x >= 0x80n) {
    x >>= 7n
    n++
  }
  return n
}

class Writer {
  pos = 0
  readonly buf: Buffer
  readonly view: DataView
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  }
  varint(v: bigint | number): void {
    let x = BigInt(v)
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80
      x >>= 7n
    }
    this.buf[this.pos++] = Number(x)
  }
  bytes(tag: number, b: Uint8Array): void {
    this.buf[this.pos++] = tag
    this.varint(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }
}

function statusSize(stat: WireStatus): number {
  const msg = Buffer.byteLength(stat.msg)
  return 1 + varintSize(stat.code) + 1 + varintSize(msg) + msg
}

function writeHeader(w: Writer, stat: WireStatus | undefined, major: bigint, minor: bigint): void {
  if (stat !== undefined && stat.code !== 0) {
    const msg = Buffer.from(stat.msg)
    w.buf[w.pos++] = 0x0a
    w.varint(statusSize(stat))
    w.buf[w.pos++] = 0x08
    w.varint(stat.code)
    w.bytes(0x12, msg)
  }
  if (major !== 0n) {
    w.buf[w.pos++] = 0x10
    w.varint(major)
  }
  if (minor !== 0n) {
    w.buf[w.pos++] = 0x18
    w.varint(minor)
  }
}

function headerSize(stat: WireStatus | undefined, major: bigint, minor: bigint): number {
  let n = 0
  if (stat !== undefined && stat.code !== 0) n += 1 + varintSize(statusSize(stat)) + statusSize(stat)
  if (major !== 0n) n += 1 + varintSize(major)
  if (minor !== 0n) n += 1 + varintSize(minor)
  return n
}

/** Encodes a `RawValuesResponse` with points `[from, to)` of `times`/`values` (always 18 bytes per point). */
export function encodeRawValuesResponse(stat: WireStatus | undefined, major: bigint, minor: bigint, times: BigInt64Array, values: Float64Array, from = 0, to = times.length): Buffer {
  const w = new Writer(headerSize(stat, major, minor) + (to - from) * 20)
  writeHeader(w, stat, major, minor)
  const { buf, view } = w
  const tw = words(times)
  let p = w.pos
  for (let i = from; i < to; i++) {
    buf[p] = 0x22
    buf[p + 1] = 18
    buf[p + 2] = 0x09
    view.setUint32(p + 3, tw[2 * i]!, true)
    view.setUint32(p + 7, tw[2 * i + 1]!, true)
    buf[p + 11] = 0x11
    view.setFloat64(p + 12, values[i]!, true)
    p += 20
  }
  return buf.subarray(0, p)
}

/** One window's summary as the server encodes it. */
export interface StatPointValue {
  time: bigint
  min: number
  mean: number
  max: number
  count: bigint
  stddev: number
}

/** Encodes an `AlignedWindowsResponse` / `WindowsResponse` (54 bytes per StatPoint). */
export function encodeStatPointsResponse(stat: WireStatus | undefined, major: bigint, minor: bigint, points: readonly StatPointValue[]): Buffer {
  const w = new Writer(headerSize(stat, major, minor) + points.length * 56)
  writeHeader(w, stat, major, minor)
  const { buf, view } = w
  let p = w.pos
  for (const s of points) {
    buf[p] = 0x22
    buf[p + 1] = 54
    buf[p + 2] = 0x09
    view.setBigInt64(p + 3, s.time, true)
    buf[p + 11] = 0x11
    view.setFloat64(p + 12, s.min, true)
    buf[p + 20] = 0x19
    view.setFloat64(p + 21, s.mean, true)
    buf[p + 29] = 0x21
    view.setFloat64(p + 30, s.max, true)
    buf[p + 38] = 0x29
    view.setBigUint64(p + 39, s.count, true)
    buf[p + 47] = 0x31
    view.setFloat64(p + 48, s.stddev, true)
    p += 56
  }
  return buf.subarray(0, p)
}

/** Encodes an `InsertParams` with points `[from, to)`. */
export function encodeInsertParams(req: InsertRequest, from = 0, to = req.times.length): Buffer {
  const w = new Writer(2 + req.uuid.length + 2 + 6 + 12 + (to - from) * 20)
  w.bytes(0x0a, req.uuid)
  if (req.sync) {
    w.buf[w.pos++] = 0x10
    w.buf[w.pos++] = 1
  }
  const { buf, view } = w
  const tw = words(req.times)
  let p = w.pos
  for (let i = from; i < to; i++) {
    buf[p] = 0x1a
    buf[p + 1] = 18
    buf[p + 2] = 0x09
    view.setUint32(p + 3, tw[2 * i]!, true)
    view.setUint32(p + 7, tw[2 * i + 1]!, true)
    buf[p + 11] = 0x11
    view.setFloat64(p + 12, req.values[i]!, true)
    p += 20
  }
  w.pos = p
  if (req.mergePolicy !== 0) {
    w.buf[w.pos++] = 0x20
    w.varint(req.mergePolicy)
  }
  if (req.roundBits !== undefined) {
    // RoundSpec { bits = 2 } as a nested message (field 5); int32 varint (negative values take 10 bytes).
    const bits = BigInt.asUintN(64, BigInt(req.roundBits))
    w.buf[w.pos++] = 0x2a
    w.varint(1 + varintSize(bits))
    w.buf[w.pos++] = 0x10
    w.varint(bits)
  }
  return w.buf.subarray(0, w.pos)
}

/**
 * Decodes an `InsertParams`.
 * @throws BTrDBError (code `PROTOCOL`) on malformed bytes.
 */
export function decodeInsertParams(buf: Uint8Array): InsertRequest {
  let n = 0
  {
    const r = new Reader(buf)
    while (r.pos < r.end) {
      const tag = r.small()
      if (tag === 0x1a) n++
      r.skip(tag & 7)
    }
  }
  const out: InsertRequest = { uuid: new Uint8Array(0), sync: false, mergePolicy: 0, times: new BigInt64Array(n), values: new Float64Array(n) }
  const r = new Reader(buf)
  const view = r.view
  const tw = words(out.times)
  let i = 0
  while (r.pos < r.end) {
    const tag = r.small()
    if (tag === 0x1a) {
      const len = r.small()
      const end = r.pos + len
      if (len === 18 && buf[r.pos] === 0x09 && buf[r.pos + 9] === 0x11) {
        tw[2 * i] = view.getUint32(r.pos + 1, true)
        tw[2 * i + 1] = view.getUint32(r.pos + 5, true)
        out.values[i] = view.getFloat64(r.pos + 10, true)
        r.pos = end
        i++
        continue
      }
      while (r.pos < end) {
        const t = r.small()
        if (t === 0x09) out.times[i] = view.getBigInt64(r.pos, true)
        else if (t === 0x11) out.values[i] = view.getFloat64(r.pos, true)
        else {
          r.skip(t & 7)
          continue
        }
        r.pos += 8
      }
      r.pos = end
      i++
    } else if (tag === 0x0a) {
      const len = r.small()
      out.uuid = buf.subarray(r.pos, r.pos + len)
      r.pos += len
    } else if (tag === 0x10) out.sync = r.small() !== 0
    else if (tag === 0x20) out.mergePolicy = r.small()
    else if (tag === 0x2a) {
      const len = r.small()
      const end = r.pos + len
      while (r.pos < end) {
        const t = r.small()
        if (t === 0x10) out.roundBits = Number(BigInt.asIntN(32, r.varint()))
        else r.skip(t & 7)
      }
    } else r.skip(tag & 7)
  }
  return out
}
