import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadSync, type PackageDefinition } from '@grpc/proto-loader'
import type { ServiceDefinition } from '@grpc/grpc-js'
import { BTrDBError } from './errors.ts'

/**
 * The `v5api.BTrDB` service, loaded at run time from `protos/btrdb.proto` (written from PingThingsIO/btrdb-python
 * `btrdb/grpcinterface/btrdb.proto`) with @grpc/proto-loader. Field names keep the proto's case
 * (`versionMajor`, `merge_policy`); 64-bit integers decode as decimal strings and are turned into `bigint` by the
 * callers; bytes as Buffers. The hot messages (raw points, stat points, inserts) bypass it: see `point-codec.ts`.
 */
const LOAD_OPTIONS = { keepCase: true, longs: String, enums: Number, bytes: Buffer, defaults: true, oneofs: true } as const

/** Path of `protos/btrdb.proto` from `src/btrdb` (sources) or `dist/src/btrdb` (build). */
export function btrdbProtoPath(): string {
  for (const rel of ['../../protos/btrdb.proto', '../../../protos/btrdb.proto']) {
    const p = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(p)) return p
  }
  throw new BTrDBError('protos/btrdb.proto is missing from the dialectry package; reinstall dialectry', { code: 'PROTO_MISSING' })
}

let cached: PackageDefinition | undefined

/** The loaded package definition (loaded once per process). */
export function btrdbPackageDefinition(): PackageDefinition {
  cached ??= loadSync(btrdbProtoPath(), LOAD_OPTIONS)
  return cached
}

/** The `v5api.BTrDB` service definition: one entry per RPC, keyed by RPC name. */
export function btrdbServiceDefinition(): ServiceDefinition {
  return btrdbPackageDefinition()['v5api.BTrDB'] as unknown as ServiceDefinition
}
