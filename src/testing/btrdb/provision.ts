import { startBTrDB, type LocalBTrDB, type StartBTrDBOptions } from './btrdb-server.ts'

/** A BTrDB for tests: the one named by `BTRDB_ENDPOINTS`, or a local server. */
export interface ProvisionedBTrDB {
  /** Endpoints to pass to `connect()`. */
  endpoints: string[]
  /** API key to pass (from `BTRDB_API_KEY`, or the local server's `apiKey` option). */
  apikey: string | undefined
  /** `'env'` when `BTRDB_ENDPOINTS` was set, else `'local'`. */
  source: 'env' | 'local'
  /** The local server, when one was started. */
  local: LocalBTrDB | undefined
  /** Stops the local server (no-op for `env`). */
  stop(): Promise<void>
}

/**
 * `BTRDB_ENDPOINTS` (with `BTRDB_API_KEY`) when set, so the same suites run against a real BTrDB; otherwise a
 * local server started with `options`.
 * @example
 * const btrdb = await provisionBTrDB()
 * const db = await connect(btrdb.endpoints, { apikey: btrdb.apikey })
 */
export async function provisionBTrDB(options: StartBTrDBOptions & { env?: Record<string, string | undefined> } = {}): Promise<ProvisionedBTrDB> {
  const env = options.env ?? process.env
  const fromEnv = env.BTRDB_ENDPOINTS
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { endpoints: fromEnv.split(',').map((e) => e.trim()), apikey: env.BTRDB_API_KEY || undefined, source: 'env', local: undefined, stop: async () => {} }
  }
  const local = await startBTrDB(options)
  return { endpoints: [local.endpoint], apikey: options.apiKey, source: 'local', local, stop: () => local.stop() }
}
