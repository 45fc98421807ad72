import type { ConnectionOptions } from '../../e6data/connection-options.ts'
import { TEST_TLS_CERT } from '../cratedb/test-certificate.ts'
import { E6dataProvisionError } from './provision-error.ts'
import { startE6data, type LocalE6data, type StartE6dataOptions } from './e6data-server.ts'

/** An e6data engine ready for tests and demos, whatever provided it. */
export interface ProvisionedE6data {
  /** `'env'`: `E6DATA_URL`; `'local'`: the local engine in this process. */
  source: 'env' | 'local'
  /** Connection options for `new Connection()` (host, port, credentials, secure, catalog, database, clusterName). */
  connectionOptions: ConnectionOptions
  /** The local engine, for `source: 'local'` (register tables, flip, suspend). */
  local?: LocalE6data
  /** Stops what was started (nothing for `'env'`). */
  stop(): Promise<void>
}

/**
 * Parses an `E6DATA_URL`: `e6data://<url-encoded e-mail>:<token>@host:port/?catalog=..&database=..&secure=true&cluster-name=..`
 * (the form of e6data/e6data-python-connector `e6data_python_connector/dialect.py` URLs; `schema` is accepted for
 * `database`). Port defaults to 443 with `secure=true`, else 80.
 * @throws E6dataProvisionError for a string that is not an `e6data://` URL or lacks credentials (the message
 *   never holds the token).
 */
export function parseE6dataUrl(url: string): ConnectionOptions {
  // Node's URL TypeError keeps the whole input (token included) in `input`: never let it escape.
  const u = URL.parse(url)
  if (u === null) throw new E6dataProvisionError('E6DATA_URL is not a URL; expected e6data://<e-mail>:<token>@host:port/')
  if (u.protocol !== 'e6data:') throw new E6dataProvisionError('E6DATA_URL must start with e6data://')
  if (u.username === '' || u.password === '') throw new E6dataProvisionError('E6DATA_URL must carry the e-mail and access token (e6data://user:token@host:port/)')
  const q = u.searchParams
  const secure = q.get('secure') === 'true'
  const o: ConnectionOptions = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? (secure ? 443 : 80) : Number(u.port),
    username: decodeComponent(u.username, 'e-mail'),
    password: decodeComponent(u.password, 'access token'),
    secure,
  }
  const catalog = q.get('catalog')
  const database = q.get('database') ?? q.get('schema')
  const cluster = q.get('cluster-name')
  if (catalog !== null) o.catalog = catalog
  if (database !== null) o.database = database
  if (cluster !== null) o.clusterName = cluster
  return o
}

function decodeComponent(text: string, what: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new E6dataProvisionError(`E6DATA_URL has a malformed %-escape in its ${what}`)
  }
}

/**
 * An e6data engine for tests and the demo: `E6DATA_URL` when set (a real cluster; the caller's data must be
 * there), else the local engine in this process, started with `options`.
 *
 * @example
 * const e6 = await provisionE6data()
 * const conn = new Connection({ ...e6.connectionOptions, catalog: 'hive', database: 'demo' })
 * // ...
 * conn.close()
 * await e6.stop()
 */
export async function provisionE6data(options: StartE6dataOptions & { env?: Record<string, string | undefined> } = {}): Promise<ProvisionedE6data> {
  const { env = process.env, ...start } = options
  const fromEnv = env['E6DATA_URL']
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { source: 'env', connectionOptions: parseE6dataUrl(fromEnv.trim()), stop: async () => {} }
  }
  const local = await startE6data(start)
  return {
    source: 'local',
    connectionOptions: { host: local.host, port: local.port, username: local.username, password: local.password, secure: start.tls === true, ...(start.tls === true ? { sslCert: TEST_TLS_CERT } : {}) },
    local,
    stop: () => local.stop(),
  }
}
