import { InvalidArgumentError, ProtocolError } from '../errors.ts'

/**
 * Tarantool's UUID value (MP_EXT type 2,
 * https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/).
 */

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * A UUID as Tarantool's `uuid` field type stores it: 16 bytes in RFC 4122 string order (big-endian fields).
 * Encoded as fixext16 `D8 02` followed by those 16 bytes
 * (https://www.tarantool.io/en/doc/latest/reference/internals/msgpack_extensions/).
 *
 * @example
 * const id = Uuid.from('6ba7b810-9dad-11d1-80b4-00c04fd430c8')
 * await client.insert('sessions', [id, 'alice'])
 * id.toString() // '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
 */
export class Uuid {
  /** The 16 bytes in string order. Treat as read-only: instances may share it with the encoder. */
  readonly bytes: Uint8Array
  #text: string | undefined

  /**
   * @param value the canonical text form (`8-4-4-4-12` hex digits, any case) or exactly 16 bytes (copied).
   * @throws InvalidArgumentError for any other string or byte length.
   */
  constructor(value: string | Uint8Array) {
    if (typeof value === 'string') {
      if (!CANONICAL.test(value)) {
        throw new InvalidArgumentError(`Uuid: ${JSON.stringify(value.slice(0, 60))} is not a canonical UUID (8-4-4-4-12 hex digits)`)
      }
      const hex = value.replace(/-/g, '')
      const bytes = new Uint8Array(16)
      for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
      this.bytes = bytes
      this.#text = value.toLowerCase()
    } else if (value instanceof Uint8Array) {
      if (value.length !== 16) throw new InvalidArgumentError(`Uuid: expected 16 bytes, got ${value.length}`)
      this.bytes = new Uint8Array(value) // a plain Uint8Array copy, also when given a Buffer
    } else {
      throw new InvalidArgumentError(`Uuid: expected a string or 16 bytes, got ${value === null ? 'null' : typeof value}`)
    }
  }

  /** Same as `new Uuid(value)`, but returns a Uuid argument unchanged. @throws InvalidArgumentError as the constructor. */
  static from(value: string | Uint8Array | Uuid): Uuid {
    return value instanceof Uuid ? value : new Uuid(value)
  }

  /** Lower-case canonical form, e.g. `'6ba7b810-9dad-11d1-80b4-00c04fd430c8'`. */
  toString(): string {
    if (this.#text === undefined) {
      const b = this.bytes
      let text = ''
      for (let i = 0; i < 16; i++) {
        if (i === 4 || i === 6 || i === 8 || i === 10) text += '-'
        text += HEX[b[i]!]
      }
      this.#text = text
    }
    return this.#text
  }

  /** Same as {@link toString}. */
  toJSON(): string {
    return this.toString()
  }

  /** `true` when both hold the same 16 bytes. */
  equals(other: Uuid): boolean {
    if (!(other instanceof Uuid)) return false
    for (let i = 0; i < 16; i++) if (this.bytes[i] !== other.bytes[i]) return false
    return true
  }
}

/**
 * Decodes an MP_EXT 2 payload (copies the 16 bytes out of the source buffer).
 * @throws ProtocolError when the payload is not 16 bytes.
 * @internal
 */
export function decodeUuid(data: Uint8Array): Uuid {
  if (data.length !== 16) throw new ProtocolError(`UUID (MP_EXT 2): expected 16 bytes, got ${data.length}`)
  return new Uuid(data)
}
