/**
 * DECIMAL128 values of e6data result chunks: 16 bytes, big-endian two's-complement unscaled integer, value =
 * unscaled / 10^scale (e6data/e6data-python-connector `e6data_python_connector/datainputstream.py`,
 * `get_decimal128`). Formatted exactly from a BigInt, so all 38 digits survive (the connector's Python `Decimal`
 * default context rounds to 28).
 */

/** Largest scale accepted; a larger one is a malformed reply (DECIMAL(38, s) has s <= 38). */
export const MAX_DECIMAL_SCALE = 38

const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/

/**
 * Decimal text of a DECIMAL128 cell, e.g. `'-99999999999999999999999999999999999998'` or `'12.50'`.
 * Like the connector, bytes that are themselves decimal text (all ASCII, a whole number) are taken as that text.
 * Returns `undefined` for bytes that are neither text nor 16 bytes long.
 */
export function decodeDecimal128(bytes: Uint8Array, scale: number): string | undefined {
  if (bytes.length !== 16 || isAsciiNumber(bytes)) {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')
    return DECIMAL_TEXT.test(text) ? text : undefined
  }
  let v = 0n
  for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(bytes[i]!)
  if (bytes[0]! & 0x80) v -= 1n << 128n
  return scaleText(v, scale)
}

function isAsciiNumber(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (!((b >= 0x30 && b <= 0x39) || b === 0x2e || (i === 0 && b === 0x2d))) return false
  }
  return true
}

/** Text of `unscaled / 10^scale`, exact; a negative scale multiplies. */
export function scaleText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (scale === 0 ? unscaled : unscaled * 10n ** BigInt(-scale)).toString()
  const neg = unscaled < 0n
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  const cut = digits.length - scale
  return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`
}

/** 16-byte big-endian two's-complement encoding of an unscaled value (for servers and tests). */
export function encodeDecimal128(unscaled: bigint): Buffer {
  const out = Buffer.alloc(16)
  let v = unscaled < 0n ? (1n << 128n) + unscaled : unscaled
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}
