import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js'
import { loadSync, type PackageDefinition } from '@grpc/proto-loader'
import { E6dataProtocolError } from './errors.ts'

/**
 * The e6data gRPC services, loaded at run time from `protos/e6data/e6x_engine.proto` and `protos/e6data/cluster.proto`
 * (written from e6data/e6data-python-connector `e6x_engine.proto` and `cluster.proto`) with @grpc/proto-loader.
 * Field names keep the proto's case (`sessionId`, `new_strategy`); `sint64` fields (rowCount, parsingTime,
 * queueingTime) decode as numbers; bytes as Buffers; absent proto3 `optional` strings as `''`.
 */
const LOAD_OPTIONS = { keepCase: true, longs: Number, enums: String, bytes: Buffer, defaults: true, oneofs: true } as const

function protoPath(name: string): string {
  for (const rel of [`../../protos/e6data/${name}`, `../../../protos/e6data/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(p)) return p
  }
  throw new E6dataProtocolError(`protos/e6data/${name} is missing from the dialectry package; reinstall dialectry`, { code: 'PROTO_MISSING' })
}

let engine: PackageDefinition | undefined
let cluster: PackageDefinition | undefined

/** The `QueryEngineService` definition (41 unary RPCs, paths `/QueryEngineService/<rpc>`). */
export function queryEngineServiceDefinition(): ServiceDefinition {
  engine ??= loadSync(protoPath('e6x_engine.proto'), LOAD_OPTIONS)
  return engine['QueryEngineService'] as unknown as ServiceDefinition
}

/** The `ClusterService` definition (`resume`, `suspend`, `status`). */
export function clusterServiceDefinition(): ServiceDefinition {
  cluster ??= loadSync(protoPath('cluster.proto'), LOAD_OPTIONS)
  return cluster['ClusterService'] as unknown as ServiceDefinition
}

/** Client constructor of `QueryEngineService`. */
export function queryEngineClientConstructor(): ServiceClientConstructor {
  queryEngineServiceDefinition()
  return loadPackageDefinition(engine!)['QueryEngineService'] as ServiceClientConstructor
}

/** Client constructor of `ClusterService`. */
export function clusterClientConstructor(): ServiceClientConstructor {
  clusterServiceDefinition()
  return loadPackageDefinition(cluster!)['ClusterService'] as ServiceClientConstructor
}
