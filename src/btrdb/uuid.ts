import { randomUUID } from 'node:crypto'
import { InvalidValueError } from './errors.ts'

/** Stream uuids: canonical text (`8-4-4-4-12` hex) in the API, 16 raw bytes on the wire. */

/** 16 raw bytes of a uuid given as canonical text (with or without dashes, any case) or bytes. */
export function uuidToBytes(uuid: string | Uint8Array): Buffer {
  if (typeof uuid !== 'string') {
    if (uuid.length !== 16) throw new InvalidValueError(`A uuid has 16 bytes, got ${uuid.length}`, { code: 'INVALID_UUID' })
    return Buffer.from(uuid)
  }
  const hex = uuid.replace(/-/g, '')
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new InvalidValueError(`"${uuid}" is not a uuid`, { code: 'INVALID_UUID' })
  return Buffer.from(hex, 'hex')
}

/** Canonical lower-case text of 16 uuid bytes. */
export function uuidToString(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Canonical lower-case text of a uuid given as text or bytes (validates it). */
export function normalizeUuid(uuid: string | Uint8Array): string {
  return uuidToString(uuidToBytes(uuid))
}

/** `true` when `text` is a uuid in canonical (dashed) or plain 32-hex form. */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(text)
}

/** A new random (version 4) uuid, canonical text. */
export function newUuid(): string {
  return randomUUID()
}
