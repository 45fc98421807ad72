/**
 * `dialectry/testing/btrdb`: a local BTrDB (`v5api.BTrDB` over @grpc/grpc-js) with an in-memory, versioned
 * time-series store, for tests, the demo and benchmarks. See README.md in this folder for what differs from a
 * real BTrDB.
 *
 * @example
 * import { startBTrDB } from 'dialectry/testing/btrdb'
 * import { connect } from 'dialectry/btrdb'
 * const server = await startBTrDB()
 * const db = await connect(server.endpoint)
 * db.close()
 * await server.stop()
 */
import '../../core/node-version-check.ts' // first: fails clearly on an unsupported Node.js before dependencies load
export { startBTrDB, type InjectedFault, type LocalBTrDB, type StartBTrDBOptions } from './btrdb-server.ts'
export { provisionBTrDB, type ProvisionedBTrDB } from './provision.ts'
export { BTrDBProvisionError } from './provision-error.ts'
export type { StreamRegistry, StoredStream } from './stream-registry.ts'
