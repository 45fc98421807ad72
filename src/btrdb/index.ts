/**
 * `dialectry/btrdb`: a BTrDB client over gRPC (`v5api.BTrDB`, loaded from `protos/btrdb.proto` with
 * @grpc/proto-loader; point-carrying messages use a hand-written codec). Covers btrdb-python's API
 * (PingThingsIO/btrdb-python): connection profiles, streams, stream sets, versions, windows, inserts with merge
 * policies, metadata SQL.
 *
 * @example
 * import { connect } from 'dialectry/btrdb'
 * const db = await connect() // BTRDB_ENDPOINTS / BTRDB_API_KEY / ~/.predictivegrid/credentials.yaml
 * const set = await db.streams(['sensors/site1/temp'])
 * for (const w of await set.streams[0]!.alignedWindows('2024-01-01', '2024-02-01', 46)) console.log(w.time, w.mean)
 * db.close()
 */
import '../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { connect, BTrDB, type ConnectOptions, type LookupOptions, type ServerInfo, type StreamsOptions } from './btrdb-client.ts'
export { statPointsOf } from './stat-arrays.ts'
export { Stream, INSERT_BATCH_SIZE, type InsertOptions, type MergePolicy, type ReadOptions, type UpdateOptions, type VersionedPoint } from './stream.ts'
export { StreamSet, type MergedRow, type SetArrays, type StatField, type StreamSetFilter } from './stream-set.ts'
export type { CallOptions, BTrDBTlsOptions } from './grpc-transport.ts'
export type { InsertData, PointArrays, RawPoint, StatArrays, StatPoint } from './points.ts'
export type { AnnotationValue, StreamDescriptor } from './metadata.ts'
export { resolveCredentials, readCredentialsFile, credentialsPath, type ResolvedCredentials, type CredentialSources } from './credentials.ts'
export { MINIMUM_TIME, MAXIMUM_TIME, toNanoseconds, nsToDate, nsToIso, currentlyAsNs, nsDelta, type TimeLike } from './time.ts'
export { MAX_POINTWIDTH, pointwidthToNanoseconds, pointwidthFromNanoseconds, alignToPointwidth, forAlignedWindows } from './pointwidth.ts'
export { newUuid, normalizeUuid } from './uuid.ts'
export { BTRDB_STATUS_CODES, statusCodeName } from './status-codes.ts'
export * from './errors.ts'
