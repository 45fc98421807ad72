import { insertPoints, deleteRange, type MergePolicyNumber, type Snapshot } from './series-store.ts'

/**
 * Streams of the local BTrDB server: metadata (collection, tags, annotations, property version) and every data
 * version. Errors are thrown as {@link BTrDBStatus} with BTrDB's codes (BTrDB/btrdb-server `bte/errors.go`).
 */

/** A BTrDB status to answer with (in-band `stat`, or `[code] msg` as gRPC details). */
export class BTrDBStatus extends Error {
  readonly code: number
  constructor(code: number, msg: string) {
    super(msg)
    this.code = code
  }
}

/** First major version of a stream, as BTrDB v4 numbers them (9 = created, each write +1). */
export const CREATED_VERSION = 9n

/** One stream. */
export interface StoredStream {
  uuid: string
  collection: string
  tags: Map<string, string>
  annotations: Map<string, string>
  propertyVersion: bigint
  /** versions[i] is major version CREATED_VERSION + i. */
  versions: Snapshot[]
}

const MIN_TIME = -(16n << 56n)
const MAX_TIME = 48n << 56n

/** Time range checks of BTrDB: start >= MIN, end <= MAX, start < end (413). */
export function checkTimeRange(start: bigint, end: bigint): void {
  if (start < MIN_TIME || end > MAX_TIME || start >= end) throw new BTrDBStatus(413, 'invalid time range')
}

/** The in-memory store. */
export class StreamRegistry {
  readonly streams = new Map<string, StoredStream>()
  readonly obliterated = new Set<string>()

  get(uuid: string): StoredStream {
    const s = this.streams.get(uuid)
    if (s === undefined) throw new BTrDBStatus(404, 'stream does not exist')
    return s
  }

  latest(s: StoredStream): bigint {
    return CREATED_VERSION + BigInt(s.versions.length - 1)
  }

  /** The snapshot at `major` (0 = latest) and its version number. */
  snapshot(s: StoredStream, major: bigint): [Snapshot, bigint] {
    const latest = this.latest(s)
    if (major === 0n) return [s.versions[s.versions.length - 1]!, latest]
    if (major < CREATED_VERSION || major > latest) throw new BTrDBStatus(450, `version ${major} is not available (latest is ${latest})`)
    return [s.versions[Number(major - CREATED_VERSION)]!, major]
  }

  create(uuid: string, collection: string, tags: Map<string, string>, annotations: Map<string, string>): void {
    if (collection.length === 0 || Buffer.byteLength(collection) >= 256 || collection.includes('\0')) throw new BTrDBStatus(407, 'invalid collection')
    for (const k of tags.keys()) if (!/^[a-z][a-z0-9_.]*$/.test(k) || k.length >= 64) throw new BTrDBStatus(408, `invalid tag key "${k}"`)
    for (const v of tags.values()) if (v.length === 0 || Buffer.byteLength(v) > 255 || v.includes('\0')) throw new BTrDBStatus(409, 'invalid tag value')
    if (this.obliterated.has(uuid)) throw new BTrDBStatus(429, 'uuid belonged to an obliterated stream')
    if (this.streams.has(uuid)) throw new BTrDBStatus(417, 'a stream with this uuid exists')
    for (const s of this.streams.values()) {
      if (s.collection === collection && sameMap(s.tags, tags)) throw new BTrDBStatus(418, 'a stream with this collection and tags exists')
    }
    this.streams.set(uuid, { uuid, collection, tags, annotations, propertyVersion: 1n, versions: [[]] })
  }

  insert(s: StoredStream, times: BigInt64Array, values: Float64Array, policy: MergePolicyNumber): bigint {
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!
      if (t < MIN_TIME || t >= MAX_TIME - 1n) throw new BTrDBStatus(413, `point time ${t} is out of range`)
      if (!Number.isFinite(values[i]!)) throw new BTrDBStatus(425, 'NaN and infinite values cannot be inserted')
    }
    if (policy < 0 || policy > 3) throw new BTrDBStatus(421, `unknown merge policy ${policy}`)
    s.versions.push(insertPoints(s.versions[s.versions.length - 1]!, times, values, policy))
    return this.latest(s)
  }

  delete(s: StoredStream, start: bigint, end: bigint): bigint {
    checkTimeRange(start, end)
    s.versions.push(deleteRange(s.versions[s.versions.length - 1]!, start, end))
    return this.latest(s)
  }

  obliterate(uuid: string): void {
    this.get(uuid)
    this.streams.delete(uuid)
    this.obliterated.add(uuid)
  }

  /** Compare-and-set guard of metadata updates: `expected` 0 accepts any version. */
  checkPropertyVersion(s: StoredStream, expected: bigint): void {
    if (expected !== 0n && expected !== s.propertyVersion) {
      throw new BTrDBStatus(423, `property version is ${s.propertyVersion}, expected ${expected}`)
    }
  }

  /** Streams in `collection` (exact, or as a prefix) whose tags and annotations match (`null` = key present). */
  lookup(collection: string, prefix: boolean, tags: Map<string, string | null>, annotations: Map<string, string | null>): StoredStream[] {
    const out: StoredStream[] = []
    for (const s of this.streams.values()) {
      if (prefix ? !s.collection.startsWith(collection) : s.collection !== collection) continue
      if (!matchAll(s.tags, tags) || !matchAll(s.annotations, annotations)) continue
      out.push(s)
    }
    return out.sort((a, b) => (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.uuid < b.uuid ? -1 : 1))
  }
}

function matchAll(have: Map<string, string>, want: Map<string, string | null>): boolean {
  for (const [k, v] of want) {
    if (!have.has(k)) return false
    if (v !== null && have.get(k) !== v) return false
  }
  return true
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}
