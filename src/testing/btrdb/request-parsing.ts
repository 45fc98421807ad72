import type { ServerWritableStream } from '@grpc/grpc-js'
import { uuidToString } from '../../btrdb/uuid.ts'
import { BTrDBStatus, checkTimeRange, type StoredStream, type StreamRegistry } from './stream-registry.ts'

/** Reading the local server's requests and shaping its answers: uuids, key/value lists, descriptors, windows. */

type Streaming = ServerWritableStream<any, any>

export function uuidOf(bytes: Buffer | Uint8Array | undefined): string {
  if (bytes === undefined || bytes.length !== 16) throw new BTrDBStatus(421, 'uuid must be 16 bytes')
  return uuidToString(bytes)
}

export function keyMap(list: Array<{ key: string; val?: { value: string } | null }> | undefined): Map<string, string | null> {
  const m = new Map<string, string | null>()
  for (const kv of list ?? []) m.set(kv.key, kv.val === null || kv.val === undefined ? null : kv.val.value)
  return m
}

export function descriptor(s: StoredStream): object {
  const kv = (m: Map<string, string>) => [...m].map(([key, value]) => ({ key, val: { value } }))
  return { uuid: Buffer.from(s.uuid.replace(/-/g, ''), 'hex'), collection: s.collection, tags: kv(s.tags), annotations: kv(s.annotations), propertyVersion: s.propertyVersion.toString() }
}

/** Validated aligned-window request: origin, width and count of windows. */
export function alignedRequest(registry: StreamRegistry, r: any): [StoredStream, bigint, bigint, bigint] {
  const s = registry.get(uuidOf(r.uuid))
  const pw = r.pointWidth as number
  if (pw > 63) throw new BTrDBStatus(415, 'pointwidth must be in [0, 63]')
  const start = BigInt(r.start)
  const end = BigInt(r.end)
  checkTimeRange(start, end)
  const mask = (1n << BigInt(pw)) - 1n
  const s0 = start & ~mask
  const e0 = end & ~mask
  return [s, s0, 1n << BigInt(pw), e0 > s0 ? (e0 - s0) >> BigInt(pw) : 0n]
}
/** Validated windows request: origin, width and count of windows (end rounded down to whole windows). */
export function windowsRequest(registry: StreamRegistry, r: any): [StoredStream, bigint, bigint, bigint] {
  const s = registry.get(uuidOf(r.uuid))
  const start = BigInt(r.start)
  const end = BigInt(r.end)
  const width = BigInt(r.width)
  checkTimeRange(start, end)
  if (width <= 0n) throw new BTrDBStatus(421, 'window width must be positive')
  if ((r.depth as number) > 63) throw new BTrDBStatus(415, 'depth must be in [0, 63]')
  return [s, start, width, (end - start) / width]
}

/** Resolves when `call` drains, is cancelled or closes; removes its listeners afterwards. */
export function writable(call: Streaming): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done)
      call.off('cancelled', done)
      call.off('close', done)
      resolve()
    }
    call.on('drain', done)
    call.on('cancelled', done)
    call.on('close', done)
  })
}

/** The `parts` joined into one array of `n` entries (`make(n)`). */
function concatParts<T extends BigInt64Array | Float64Array>(parts: readonly T[], n: number, make: (n: number) => T): T {
  const out = make(n)
  let at = 0
  for (const p of parts) {
    out.set(p as never, at)
    at += p.length
  }
  return out
}

export const concatBig = (parts: readonly BigInt64Array[], n: number): BigInt64Array => concatParts(parts, n, (k) => new BigInt64Array(k))
export const concatF64 = (parts: readonly Float64Array[], n: number): Float64Array => concatParts(parts, n, (k) => new Float64Array(k))
