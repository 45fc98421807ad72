/**
 * Shapes of the point-carrying BTrDB messages as the hand-written codec sees them (see `point-codec.ts`).
 */
import type { StatArrays, StatPoint } from './points.ts'

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
export interface StatPointBatch extends StatArrays {
  stat: WireStatus | undefined
  versionMajor: bigint
  versionMinor: bigint
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

/** One window's summary as the server encodes it (the public {@link StatPoint}). */
export type StatPointValue = StatPoint

/** 32-bit words of a 64-bit typed array, to copy int64 values without creating a BigInt per value. */
export function words(a: BigInt64Array | BigUint64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2)
}
