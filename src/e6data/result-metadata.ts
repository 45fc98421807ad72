import { E6dataProtocolError } from './errors.ts'

/**
 * One result column as the engine describes it in `GetResultMetadataResponse.resultMetaData`.
 * `typeCode` is the engine's upper-case VectorType-style name (`'LONG'`, `'STRING'`, `'DECIMAL128'`, ...);
 * `zone` and `format` are only meaningful for DATE/DATETIME and are often empty.
 */
export interface ColumnDescription {
  name: string
  typeCode: string
  zone: string
  format: string
}

/** The decoded result metadata: the row count the engine announces and the columns, in result order. */
export interface ResultMetadata {
  rowCount: number
  columns: ColumnDescription[]
}

/** Upper bound on the column count read from the wire before allocating (a malformed reply fails fast). */
const MAX_COLUMNS = 100_000

/**
 * Decodes `resultMetaData`: Java `DataOutputStream` layout, big-endian (e6data/e6data-python-connector
 * `e6data_python_connector/e6data_grpc.py` `_update_meta_data` with `datainputstream.py`): int64 row count,
 * int32 column count, then per column four `writeUTF` strings (uint16 length + UTF-8 bytes): name, type, zone,
 * format. A row count above 2^53 is clamped to `Number.MAX_SAFE_INTEGER`.
 *
 * @throws E6dataProtocolError (code `BAD_METADATA`) when the bytes end early or a count is negative/absurd.
 * @example decodeResultMetadata(Buffer.from('0000000000000002000000020002696400044c4f4e470000000000046e616d650006535452494e4700000000', 'hex'))
 */
export function decodeResultMetadata(bytes: Uint8Array): ResultMetadata {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
  const fail = (what: string): never => {
    throw new E6dataProtocolError(`e6data result metadata is malformed (${bytes.length} bytes): ${what}`, { code: 'BAD_METADATA', rpc: 'getResultMetadata' })
  }
  if (buf.length < 12) fail('shorter than the 12-byte header')
  const rc = buf.readBigInt64BE(0)
  const rowCount = rc > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(rc)
  const count = buf.readInt32BE(8)
  if (count < 0 || count > MAX_COLUMNS || count * 8 > buf.length - 12) fail(`column count ${count}`)
  let pos = 12
  const utf = (): string => {
    if (pos + 2 > buf.length) fail(`string length past the end at byte ${pos}`)
    const n = buf.readUInt16BE(pos)
    pos += 2
    if (pos + n > buf.length) fail(`string of ${n} bytes past the end at byte ${pos}`)
    const s = buf.toString('utf8', pos, pos + n)
    pos += n
    return s
  }
  const columns: ColumnDescription[] = new Array(count)
  for (let i = 0; i < count; i++) columns[i] = { name: utf(), typeCode: utf(), zone: utf(), format: utf() }
  return { rowCount, columns }
}

/** Encodes result metadata in the same layout (for local servers and tests). */
export function encodeResultMetadata(meta: ResultMetadata): Buffer {
  const parts: Buffer[] = []
  const head = Buffer.alloc(12)
  head.writeBigInt64BE(BigInt(meta.rowCount), 0)
  head.writeInt32BE(meta.columns.length, 8)
  parts.push(head)
  for (const c of meta.columns) {
    for (const s of [c.name, c.typeCode, c.zone, c.format]) {
      const b = Buffer.from(s, 'utf8')
      const len = Buffer.alloc(2)
      len.writeUInt16BE(b.length)
      parts.push(len, b)
    }
  }
  return Buffer.concat(parts)
}
