import { InvalidArgumentError, ProtocolError } from './errors.ts'

/** Header fields of one reply frame (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/keys/). */
export interface ReplyHeader {
  /** REQUEST_TYPE: 0 OK, 0x80 CHUNK, 0x8000|code error, 0x4c EVENT. */
  type: number
  sync: number
  schemaVersion: number
}

/**
 * Largest value `maxFrameSize` may take: 2^31 - 1 bytes. The server itself refuses request frames from 2 GiB
 * (`IPROTO_PACKET_SIZE_MAX` in tarantool/tarantool `src/box/iproto.cc`), and a Node Buffer of a whole frame
 * cannot be much larger anyway.
 */
export const MAX_FRAME_SIZE = 0x7fffffff

/**
 * Default `maxFrameSize`: 256 MiB (268 435 456 bytes) per reply frame.
 *
 * Tarantool's own limit is 2 GiB (see {@link MAX_FRAME_SIZE}), and net.box and go-tarantool accept whatever
 * length a server declares; but a client holds a frame whole before decoding it, and a reply of hundreds of MiB
 * decodes into several times its size in JS objects, beyond the default V8 heap of most machines. 256 MiB is
 * far above any reply a sane request gets (page large reads with `scan()` or `limit`) while bounding what a
 * broken or hostile server can make each connection buffer.
 */
export const DEFAULT_MAX_FRAME_SIZE = 256 * 1024 * 1024

/**
 * Splits the reply byte stream into frames without copying when a frame lies within one chunk.
 * For each frame it decodes the header by hand (a map of small-int keys to uints) and hands the body range
 * to `onFrame(header, buffer, bodyStart, bodyEnd)`.
 *
 * The declared length of each frame is checked against `maxFrameSize` as soon as its 5-byte prefix has
 * arrived, before any of the frame is buffered, so a peer declaring a huge frame costs at most the chunk that
 * carried the prefix.
 *
 * @throws ProtocolError from `push` when the stream is not IPROTO (bad length prefix, header not a map) or a
 * frame declares more than `maxFrameSize` bytes; the caller closes the connection.
 */
export class FrameReader {
  // The start of an incomplete frame, plus later chunks not yet joined to it: joining happens once, when
  // the frame is complete, so a large reply arriving in many chunks is copied once (not once per chunk).
  #pending: Buffer[] = []
  #pendingBytes = 0
  #needed = 0
  readonly #onFrame: (header: ReplyHeader, buf: Buffer, start: number, end: number) => void
  readonly #header: ReplyHeader = { type: 0, sync: 0, schemaVersion: 0 }
  readonly #maxFrameSize: number

  /**
   * @param onFrame called for each complete frame with the body range `buf[start .. end)`.
   * @param maxFrameSize largest accepted frame (header + body, without the 5-byte prefix) in bytes; default
   *   {@link DEFAULT_MAX_FRAME_SIZE}, at most {@link MAX_FRAME_SIZE}.
   * @throws InvalidArgumentError when `maxFrameSize` is not an integer in 1 .. {@link MAX_FRAME_SIZE}.
   */
  constructor(onFrame: (header: ReplyHeader, buf: Buffer, start: number, end: number) => void, maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE) {
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < 1 || maxFrameSize > MAX_FRAME_SIZE) {
      throw new InvalidArgumentError(`maxFrameSize must be an integer number of bytes in 1..${MAX_FRAME_SIZE}, got ${String(maxFrameSize)}`)
    }
    this.#onFrame = onFrame
    this.#maxFrameSize = maxFrameSize
  }

  /** The largest frame this reader accepts, in bytes. */
  get maxFrameSize(): number {
    return this.#maxFrameSize
  }

  /** Bytes of a frame received only in part (non-zero means the stream was cut mid-frame). */
  get bufferedBytes(): number {
    return this.#pendingBytes
  }

  push(chunk: Buffer): void {
    let buf = chunk
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk)
      this.#pendingBytes += chunk.length
      if (this.#pendingBytes < this.#needed) return
      buf = Buffer.concat(this.#pending, this.#pendingBytes)
      this.#pending = []
      this.#pendingBytes = 0
    }
    let pos = 0
    const len = buf.length
    while (pos < len) {
      const avail = len - pos
      const first = buf[pos]!
      // Servers always frame replies as 0xCE + u32
      // (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/format/); anything else is not IPROTO.
      if (first !== 0xce) throw new ProtocolError(`Malformed IPROTO frame: length prefix byte 0x${first.toString(16)}, expected 0xce`)
      if (avail < 5) {
        this.#needed = 5
        break
      }
      const size = buf.readUInt32BE(pos + 1)
      const prefix = 5
      if (size > this.#maxFrameSize) {
        throw new ProtocolError(
          `IPROTO reply frame declares ${size} bytes, more than maxFrameSize (${this.#maxFrameSize} bytes); ` +
            'raise the maxFrameSize connection option if the server really sends replies that large',
        )
      }
      if (size < 1) throw new ProtocolError('Malformed IPROTO frame: empty frame')
      const end = pos + prefix + size
      if (end > len) {
        this.#needed = prefix + size
        break
      }
      const bodyStart = this.#readHeader(buf, pos + prefix, end)
      this.#onFrame(this.#header, buf, bodyStart, end)
      pos = end
    }
    if (pos < len) {
      const rest = pos === 0 ? buf : buf.subarray(pos)
      this.#pending = [rest]
      this.#pendingBytes = rest.length
    }
  }

  /** Forgets a partial frame (after a reconnect). */
  reset(): void {
    this.#pending = []
    this.#pendingBytes = 0
    this.#needed = 0
  }

  #readHeader(buf: Buffer, pos: number, end: number): number {
    const m = buf[pos++]!
    if ((m & 0xf0) !== 0x80) throw new ProtocolError(`Malformed IPROTO frame: header is not a map (byte 0x${m.toString(16)})`)
    const entries = m & 0x0f
    const h = this.#header
    h.type = -1
    h.sync = 0
    h.schemaVersion = 0
    for (let i = 0; i < entries; i++) {
      if (pos >= end) throw new ProtocolError('Malformed IPROTO frame: header runs past the frame')
      const key = buf[pos++]!
      let value: number
      const t = buf[pos++]!
      if (t < 0x80) value = t
      else if (t === 0xcc) value = buf[pos++]!
      else if (t === 0xcd) {
        value = buf.readUInt16BE(pos)
        pos += 2
      } else if (t === 0xce) {
        value = buf.readUInt32BE(pos)
        pos += 4
      } else if (t === 0xcf) {
        // u64 without a BigInt: syncs and schema versions stay far below 2^53.
        value = buf.readUInt32BE(pos) * 0x100000000 + buf.readUInt32BE(pos + 4)
        pos += 8
      } else if (t === 0xcb) {
        value = buf.readDoubleBE(pos)
        pos += 8
      } else throw new ProtocolError(`Malformed IPROTO frame: header value type 0x${t.toString(16)} for key ${key}`)
      if (key === 0x00) h.type = value
      else if (key === 0x01) h.sync = value
      else if (key === 0x05) h.schemaVersion = value
    }
    if (pos > end) throw new ProtocolError('Malformed IPROTO frame: header runs past the frame')
    if (h.type < 0) throw new ProtocolError('Malformed IPROTO frame: header has no REQUEST_TYPE')
    return pos
  }
}
