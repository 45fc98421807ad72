import { startDruid, type LocalDruid, type StartDruidOptions } from './start-druid.ts'

/** A Druid endpoint ready for tests, whatever provided it. */
export interface ProvisionedDruid {
  /** Router (or Broker) URL. */
  url: string
  /** `'env'` for `DRUID_URL`, `'local'` for the local server. */
  source: 'env' | 'local'
  /** The local server's handle, only for `source: 'local'`. */
  local?: LocalDruid
  /** Stops what was started (nothing for `'env'`). */
  stop(): Promise<void>
}

/**
 * A Druid for tests and demos: `DRUID_URL` when set (a real cluster's Router, e.g. `http://localhost:8888`), else
 * the local server in this process.
 *
 * @example
 * const druid = await provisionDruid()
 * try { const client = connect(druid.url) } finally { await druid.stop() }
 */
export async function provisionDruid(options: StartDruidOptions & { env?: Record<string, string | undefined> } = {}): Promise<ProvisionedDruid> {
  const { env, ...rest } = options
  const fromEnv = (env ?? process.env)['DRUID_URL']
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { url: fromEnv.trim(), source: 'env', stop: async () => {} }
  const local = await startDruid(rest)
  return { url: local.url, source: 'local', local, stop: () => local.stop() }
}
