import type { FrameWriter } from './frame-writer.ts'
import type { IndexRef, SpaceRef } from './request-options.ts'

/**
 * Decoded body of a reply: a map whose keys are IPROTO body keys
 * (https://www.tarantool.io/en/doc/latest/reference/internals/iproto/keys/). The MessagePack codec turns
 * integer map keys into property names, so `body[0x30]` is DATA.
 */
export type ReplyBody = Record<number, unknown>

/**
 * What a request method hands to the transport: the request type, the space/index it names (resolved to ids
 * through the schema when given as names), how to write the body, and how to turn the reply body into the
 * method's result.
 */
export interface RequestSpec<T> {
  type: number
  space?: SpaceRef | undefined
  index?: IndexRef | undefined
  /**
   * Writes the body map; called as `spec.write(...)`, so a shared function can read the payload from `this`.
   * `spaceId`/`indexId` are the resolved ids (0 when the request names none).
   */
  write(w: FrameWriter, spaceId: number, indexId: number): void
  /** Turns the reply body into the result. Ignored when {@link decodeData} is given. */
  decode(body: ReplyBody): T
  /**
   * For replies whose only interesting key is DATA (0x30): gets the decoded DATA array directly, which spares
   * decoding the body map on the hot path.
   */
  decodeData?: ((data: unknown[]) => T) | undefined
  /** SQL bind values, when the request carries some (checked against what the server can bind). */
  binds?: readonly unknown[] | undefined
  /** Safe to run on a read-only replica. */
  readOnly: boolean
  /** Verb for error messages, e.g. `select`; the space is added when a message is built. Never includes values. */
  what: string
}
