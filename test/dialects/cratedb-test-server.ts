import { connect, type CrateDBClient } from '../../src/cratedb/index.ts'
import { startCrateDB } from '../../src/testing/cratedb/index.ts'

/** A CrateDB for an integration suite: `CRATEDB_URL` when set, else the local protocol server. */
export interface ProvisionedCrateDB {
  /** Base URL of a node. */
  readonly url: string
  /** `true` for the local server (started here, stopped by `stop()`), `false` for `CRATEDB_URL`. */
  readonly local: boolean
  /** A fresh driver client on `url`. */
  client(): CrateDBClient
  /** Stops the local server (no-op for `CRATEDB_URL`). */
  stop(): Promise<void>
}

/**
 * Starts what an integration suite needs (DESIGN.md: the target comes from `CRATEDB_URL` first). The local
 * server hides non-primary-key reads of a write until `REFRESH TABLE` (no periodic refresh during a test run), like an idle
 * CrateDB table, so tests that forget `refresh()` fail here rather than flake against a real cluster.
 */
export async function provisionCrateDB(): Promise<ProvisionedCrateDB> {
  const external = process.env['CRATEDB_URL']
  if (external !== undefined && external !== '') {
    return { url: external, local: false, client: () => connect(external), stop: async () => {} }
  }
  const server = await startCrateDB({ refreshInterval: 3_600_000 })
  return { url: server.url, local: true, client: () => connect(server.url), stop: () => server.stop() }
}
