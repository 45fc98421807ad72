import { encodeValue } from './msgpack-codec.ts'

const SLAB_SIZE = 64 * 1024

/**
 * Encodes IPROTO request frames (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/format/) straight
 * into a slab that the connection flushes with one
 * `socket.write` per event-loop turn: many pipelined requests become one syscall.
 *
 * Frame layout: `0xCE <u32 BE length> <header map> <body map>`. Header and body keys are small positive ints.
 * Simple values (small ints, strings, arrays of them) are written here directly; anything else goes through
 * the MessagePack codec (`encodeValue`) and is copied in.
 *
 * `take()` hands out the bytes written since the last `take()`; the slab is never rewritten after that, so the
 * returned buffer stays valid while the socket holds it.
 */
export class FrameWriter {
  #buf: Buffer = Buffer.allocUnsafe(SLAB_SIZE)
  #start = 0
  #pos = 0
  #frameStart = -1

  /** Bytes written and not yet taken. */
  get pending(): number {
    return this.#pos - this.#start
  }

  /** Starts a frame: reserves the 5-byte length prefix and writes the header map. */
  beginFrame(requestType: number, sync: number, schemaVersion: number, streamId: number): void {
    this.#ensure(32)
    this.#frameStart = this.#pos
    const b = this.#buf
    b[this.#pos] = 0xce
    this.#pos += 5
    const entries = 2 + (schemaVersion > 0 ? 1 : 0) + (streamId > 0 ? 1 : 0)
    b[this.#pos++] = 0x80 | entries
    b[this.#pos++] = 0x00
    this.uint(requestType)
    b[this.#pos++] = 0x01
    this.uint(sync)
    if (schemaVersion > 0) {
      b[this.#pos++] = 0x05
      this.uint(schemaVersion)
    }
    if (streamId > 0) {
      b[this.#pos++] = 0x0a
      this.uint(streamId)
    }
  }

  /** Patches the length prefix of the frame begun last. */
  endFrame(): void {
    this.#buf.writeUInt32BE(this.#pos - this.#frameStart - 5, this.#frameStart + 1)
    this.#frameStart = -1
  }

  /** Drops the frame begun last (used when encoding a body throws half-way). */
  abortFrame(): void {
    if (this.#frameStart >= 0) this.#pos = this.#frameStart
    this.#frameStart = -1
    if (this.#buf.length > SLAB_SIZE && this.#pos === this.#start) {
      this.#buf = Buffer.allocUnsafe(SLAB_SIZE)
      this.#pos = this.#start = 0
    }
  }

  /** Returns the bytes written since the previous call and starts a new region. */
  take(): Buffer {
    const out = this.#buf.subarray(this.#start, this.#pos)
    // A slab grown for one large frame is dropped once handed out, rather than kept for good.
    if (this.#buf.length - this.#pos < 4096 || this.#buf.length > SLAB_SIZE) {
      this.#buf = Buffer.allocUnsafe(SLAB_SIZE)
      this.#pos = 0
    }
    this.#start = this.#pos
    return out
  }

  map(size: number): void {
    this.#ensure(5)
    const b = this.#buf
    if (size < 16) b[this.#pos++] = 0x80 | size
    else if (size < 0x10000) {
      b[this.#pos++] = 0xde
      b.writeUInt16BE(size, this.#pos)
      this.#pos += 2
    } else {
      b[this.#pos++] = 0xdf
      b.writeUInt32BE(size, this.#pos)
      this.#pos += 4
    }
  }

  array(size: number): void {
    this.#ensure(5)
    const b = this.#buf
    if (size < 16) b[this.#pos++] = 0x90 | size
    else if (size < 0x10000) {
      b[this.#pos++] = 0xdc
      b.writeUInt16BE(size, this.#pos)
      this.#pos += 2
    } else {
      b[this.#pos++] = 0xdd
      b.writeUInt32BE(size, this.#pos)
      this.#pos += 4
    }
  }

  /** A body key (always a positive fixint on the wire). */
  key(k: number): void {
    this.#ensure(1)
    this.#buf[this.#pos++] = k
  }

  /** Unsigned integer up to 2^53 (requests: ids, limits, syncs). */
  uint(n: number): void {
    this.#ensure(9)
    const b = this.#buf
    if (n < 0x80) b[this.#pos++] = n
    else if (n < 0x100) {
      b[this.#pos++] = 0xcc
      b[this.#pos++] = n
    } else if (n < 0x10000) {
      b[this.#pos++] = 0xcd
      b.writeUInt16BE(n, this.#pos)
      this.#pos += 2
    } else if (n < 0x100000000) {
      b[this.#pos++] = 0xce
      b.writeUInt32BE(n, this.#pos)
      this.#pos += 4
    } else {
      b[this.#pos++] = 0xcf
      b.writeBigUInt64BE(BigInt(n), this.#pos)
      this.#pos += 8
    }
  }

  bool(v: boolean): void {
    this.#ensure(1)
    this.#buf[this.#pos++] = v ? 0xc3 : 0xc2
  }

  double(v: number): void {
    this.#ensure(9)
    this.#buf[this.#pos++] = 0xcb
    this.#buf.writeDoubleBE(v, this.#pos)
    this.#pos += 8
  }

  str(s: string): void {
    // Worst case 3 bytes per UTF-16 unit; long strings are measured instead of over-reserving.
    const max = s.length < 4096 ? s.length * 3 : Buffer.byteLength(s, 'utf8')
    this.#ensure(max + 5)
    const b = this.#buf
    if (max < 32) {
      const len = b.write(s, this.#pos + 1, 'utf8')
      b[this.#pos] = 0xa0 | len
      this.#pos += 1 + len
    } else if (max < 0x100) {
      const len = b.write(s, this.#pos + 2, 'utf8')
      b[this.#pos] = 0xd9
      b[this.#pos + 1] = len
      this.#pos += 2 + len
    } else if (max < 0x10000) {
      const len = b.write(s, this.#pos + 3, 'utf8')
      b[this.#pos] = 0xda
      b.writeUInt16BE(len, this.#pos + 1)
      this.#pos += 3 + len
    } else {
      const len = b.write(s, this.#pos + 5, 'utf8')
      b[this.#pos] = 0xdb
      b.writeUInt32BE(len, this.#pos + 1)
      this.#pos += 5 + len
    }
  }

  /** Bytes that are already MessagePack. */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length)
    this.#buf.set(bytes, this.#pos)
    this.#pos += bytes.length
  }

  /**
   * Any user value (tuple, key, argument list, bind array). Arrays of safe integers and short strings take a
   * fast path; everything else is encoded by the MessagePack codec.
   */
  value(v: unknown): void {
    if (Array.isArray(v) && v.length < 16) {
      const len = v.length
      let simple = true
      for (let i = 0; i < len; i++) {
        const x = v[i]
        if (typeof x === 'string') {
          if (x.length > 10) {
            simple = false
            break
          }
        } else if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffffffff) {
          simple = false
          break
        }
      }
      if (simple) {
        this.#ensure(1)
        this.#buf[this.#pos++] = 0x90 | len
        for (let i = 0; i < len; i++) {
          const x = v[i]
          if (typeof x === 'number') this.uint(x)
          else this.str(x as string)
        }
        return
      }
    }
    this.raw(encodeValue(v))
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return
    // Move the untaken region (including any open frame) into a larger slab.
    const used = this.#pos - this.#start
    const next = Buffer.allocUnsafe(Math.max(SLAB_SIZE, used * 2, used + n + SLAB_SIZE))
    this.#buf.copy(next, 0, this.#start, this.#pos)
    if (this.#frameStart >= 0) this.#frameStart -= this.#start
    this.#buf = next
    this.#pos = used
    this.#start = 0
  }
}
