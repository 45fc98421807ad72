import { uuidToString } from './uuid.ts'

/**
 * Stream metadata on the wire: tags and annotations travel as `KeyOptValue { key, val: OptValue { value } }`
 * lists, where an absent `val` means "null" (in LookupStreams: "key present, any value"). Follows
 * PingThingsIO/btrdb-python `btrdb/grpcinterface/btrdb.proto` and `btrdb/endpoint.py`.
 */

/** A `KeyOptValue` as @grpc/proto-loader reads and writes it. */
export interface KeyOptValue {
  key: string
  val?: { value: string } | null
}

/** A `StreamDescriptor` as @grpc/proto-loader decodes it (64-bit integers as decimal strings). */
export interface WireDescriptor {
  uuid: Buffer
  collection: string
  tags: KeyOptValue[]
  annotations: KeyOptValue[]
  propertyVersion: string
}

/** Values accepted for annotations: strings are sent as they are, anything else as its JSON text. */
export type AnnotationValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown }

/** Encodes a tag or annotation map; `null` values (and, for filters, `undefined`) are sent without `val`. */
export function toKeyOptValues(map: Record<string, AnnotationValue | undefined> | undefined): KeyOptValue[] {
  if (map === undefined) return []
  return Object.entries(map).map(([key, v]) =>
    v === null || v === undefined ? { key } : { key, val: { value: typeof v === 'string' ? v : JSON.stringify(v) } },
  )
}

/** Decodes a `KeyOptValue` list; keys without `val` map to `null`. */
export function fromKeyOptValues(list: readonly KeyOptValue[] | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const kv of list ?? []) out[kv.key] = kv.val === null || kv.val === undefined ? null : kv.val.value
  return out
}

/** Stream metadata as the driver exposes it. */
export interface StreamDescriptor {
  /** Canonical uuid text. */
  uuid: string
  collection: string
  /** Tags (`name`, `unit`, `ingress`, `distiller`, ...); a key with no value maps to `null`. */
  tags: Record<string, string | null>
  /** Annotations as the server stores them: strings (values written as non-strings are JSON text). */
  annotations: Record<string, string | null>
  /** Metadata version: 1 after create, +1 per tags/annotations update. */
  propertyVersion: bigint
}

/** Decodes a descriptor from the wire. */
export function descriptorFromWire(d: WireDescriptor): StreamDescriptor {
  return {
    uuid: uuidToString(d.uuid),
    collection: d.collection,
    tags: fromKeyOptValues(d.tags),
    annotations: fromKeyOptValues(d.annotations),
    propertyVersion: BigInt(d.propertyVersion),
  }
}
