/**
 * Protobuf encoding of `RawValuesResponse`, `AlignedWindowsResponse`/`WindowsResponse` and `InsertParams` from
 * typed arrays (see `point-codec.ts` for the field numbers).
 */
import { words, type InsertRequest, type StatPointValue, type WireStatus } from './point-wire-types.ts'

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
  /** Writes into `into` when it holds `size` bytes, else into a new buffer. */
  constructor(size: number, into?: Buffer) {
    this.buf = into !== undefined && into.length >= size ? into : Buffer.allocUnsafe(size)
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

/**
 * Writes points `[from, to)` as repeated RawPoints under field tag `tag` (0x22 in responses, 0x1a in InsertParams),
 * 20 bytes each, at `p`; returns the position after them.
 */
function writeRawPoints(tag: number, buf: Buffer, view: DataView, p: number, times: BigInt64Array, values: Float64Array, from: number, to: number): number {
  const tw = words(times)
  for (let i = from; i < to; i++) {
    buf[p] = tag
    buf[p + 1] = 18
    buf[p + 2] = 0x09
    view.setUint32(p + 3, tw[2 * i]!, true)
    view.setUint32(p + 7, tw[2 * i + 1]!, true)
    buf[p + 11] = 0x11
    view.setFloat64(p + 12, values[i]!, true)
    p += 20
  }
  return p
}

/** Encodes a `RawValuesResponse` with points `[from, to)` of `times`/`values` (always 18 bytes per point). */
export function encodeRawValuesResponse(stat: WireStatus | undefined, major: bigint, minor: bigint, times: BigInt64Array, values: Float64Array, from = 0, to = times.length): Buffer {
  return encodeRawValuesParts(stat, major, minor, [{ times: times.subarray(from, to), values: values.subarray(from, to) }])
}

/**
 * Encodes one `RawValuesResponse` holding the points of every part in order, without joining the parts first;
 * into `into` (the result is a view of it) when it is large enough, else into a new buffer.
 */
export function encodeRawValuesParts(stat: WireStatus | undefined, major: bigint, minor: bigint, parts: ReadonlyArray<{ times: BigInt64Array; values: Float64Array }>, into?: Buffer): Buffer {
  let n = 0
  for (const part of parts) n += part.times.length
  const w = new Writer(headerSize(stat, major, minor) + n * 20, into)
  writeHeader(w, stat, major, minor)
  let p = w.pos
  for (const part of parts) p = writeRawPoints(0x22, w.buf, w.view, p, part.times, part.values, 0, part.times.length)
  return w.buf.subarray(0, p)
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
  w.pos = writeRawPoints(0x1a, w.buf, w.view, w.pos, req.times, req.values, from, to)
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
