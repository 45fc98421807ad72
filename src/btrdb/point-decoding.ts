/**
 * Protobuf decoding of `RawValuesResponse`, `AlignedWindowsResponse`/`WindowsResponse` and `InsertParams` straight
 * into typed arrays (see `point-codec.ts` for the field numbers).
 */
import { BTrDBError } from './errors.ts'
import { words, type InsertRequest, type RawPointBatch, type StatPointBatch, type WireStatus } from './point-wire-types.ts'

function malformed(what: string): BTrDBError {
  return new BTrDBError(`Malformed BTrDB message: ${what}`, { code: 'PROTOCOL' })
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

/** Reads field `tag` of a response's header (stat = 1, versionMajor = 2, versionMinor = 3) into `out`; skips others. */
function readHeaderField(r: Reader, tag: number, out: { stat: WireStatus | undefined; versionMajor: bigint; versionMinor: bigint }): void {
  if (tag === 0x0a) {
    const len = r.small()
    out.stat = decodeStatus(r, r.pos + len)
  } else if (tag === 0x10) out.versionMajor = r.varint()
  else if (tag === 0x18) out.versionMinor = r.varint()
  else r.skip(tag & 7)
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
 * Decodes a `RawValuesResponse` in one pass into arrays sized from the message length (a point takes 20 bytes when
 * both fields are present, as encoders write them unless a field is zero); a message holding more points than
 * that (omitted zero fields) is decoded again after counting its points.
 * @throws BTrDBError (code `PROTOCOL`) on malformed bytes.
 */
export function decodeRawValuesResponse(buf: Uint8Array): RawPointBatch {
  const cap = Math.floor(buf.length / 20)
  // One backing store for both columns: half the allocations of two arrays.
  const store = new ArrayBuffer(cap * 16)
  const fast = decodeRawValuesInto(buf, new BigInt64Array(store, 0, cap), new Float64Array(store, cap * 8, cap))
  if (fast !== undefined) return fast
  const n = countField4(buf)
  return decodeRawValuesInto(buf, new BigInt64Array(n), new Float64Array(n))!
}

/** Decodes into `times`/`values` (trimmed to the points read); `undefined` when the message holds more points. */
function decodeRawValuesInto(buf: Uint8Array, times: BigInt64Array, values: Float64Array): RawPointBatch | undefined {
  const cap = times.length
  const out: RawPointBatch = { stat: undefined, versionMajor: 0n, versionMinor: 0n, times, values }
  const r = new Reader(buf)
  const view = r.view
  const tw = words(times)
  let i = 0
  while (r.pos < r.end) {
    const tag = r.small()
    if (tag === 0x22) {
      if (i === cap) return undefined // points shorter than 20 bytes (omitted zero fields): more than `cap` of them
      if (buf[r.pos] === 18 && r.pos + 19 <= r.end && buf[r.pos + 1] === 0x09 && buf[r.pos + 10] === 0x11) {
        const p = r.pos + 1
        tw[2 * i] = view.getUint32(p + 1, true)
        tw[2 * i + 1] = view.getUint32(p + 5, true)
        values[i] = view.getFloat64(p + 10, true)
        r.pos = p + 18
        i++
      } else {
        const len = r.small()
        const end = r.pos + len
        if (end > r.end) throw malformed('truncated point')
        i = readRawPoint(r, view, end, times, values, i)
      }
    } else readHeaderField(r, tag, out)
  }
  if (i < cap) {
    out.times = times.subarray(0, i)
    out.values = values.subarray(0, i)
  }
  return out
}

/** Reads one RawPoint body ending at `end` into slot `i` (absent fields stay 0); returns `i + 1`. */
function readRawPoint(r: Reader, view: DataView, end: number, times: BigInt64Array, values: Float64Array, i: number): number {
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
  r.pos = end
  return i + 1
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
    } else readHeaderField(r, tag, out)
  }
  return out
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
      if (end > r.end) throw malformed('truncated point')
      i = readRawPoint(r, view, end, out.times, out.values, i)
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
