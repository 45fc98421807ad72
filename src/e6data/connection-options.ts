import { readFileSync } from 'node:fs'
import { credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js'
import { E6dataError } from './errors.ts'

/**
 * Options of `new Connection()`, in the connector's terms (e6data/e6data-python-connector
 * `e6data_python_connector/e6data_grpc.py` `Connection.__init__`, `constants.py`), in TypeScript idiom.
 */
export interface ConnectionOptions {
  /** Engine or gateway host name. Required. */
  host: string
  /** Port: 80 plain, 443 TLS behind the e6data gateway. Required. */
  port: number
  /** The user's e-mail. */
  username: string
  /** The console access token. Never logged or put in messages. */
  password: string
  /** Default database (the connector's `database`, sent as `schema`). Default `''`. */
  database?: string
  /** Default catalog. With a catalog, the V2 RPCs (`prepareStatementV2`, ...) are used. */
  catalog?: string
  /** Cluster name, sent lower-cased in the `cluster-name` header of every call. */
  clusterName?: string
  /** Use TLS. Default `false`. */
  secure?: boolean
  /** With `secure`: CA to trust, as a PEM file path, or PEM text/bytes. Default: the system's CAs. */
  sslCert?: string | Buffer
  /** Resume a suspended cluster (HTTP 503 on authenticate) through `ClusterService`. Default `true`. */
  autoResume?: boolean
  /** Upper bound of the wait for a resuming cluster, ms. Default 300 000 (the connector's 300 s). */
  autoResumeTimeout?: number
  /** Interval between `ClusterService.status` polls while resuming, ms. Default 5 000. */
  resumePollInterval?: number
  /** Deadline of `prepareStatementV2`, ms. Default 600 000 (the connector's `grpc_prepare_timeout` 600 s). */
  prepareTimeout?: number
  /**
   * Deadline of every other RPC, ms. Default 600 000. The connector sets none; a bound is kept here so that
   * nothing waits forever.
   */
  callTimeout?: number
  /**
   * Extra gRPC channel options; keys without a `grpc.` prefix get one, as in the connector. Defaults:
   * keepalive_time_ms 30 000, keepalive_timeout_ms 900 000, keepalive_permit_without_calls 1,
   * max_receive_message_length -1, max_send_message_length 314 572 800.
   */
  grpcOptions?: Record<string, string | number>
  /** Blue-green strategy cache TTL, ms. Default `E6DATA_STRATEGY_CACHE_TIMEOUT` (seconds) or 300 s. */
  strategyCacheTimeout?: number
  /** Attempts of an execute across session expiry and strategy switches. Default `E6DATA_MAX_RETRY_ATTEMPTS` or 5. */
  maxRetryAttempts?: number
  /** Log sink for strategy transitions and retries. Default: `console.error` when `debug` or `E6DATA_STRATEGY_LOG_LEVEL=DEBUG|INFO`. */
  log?: (message: string) => void
  /** Log strategy transitions and retries. Default `false`. */
  debug?: boolean
  /** Environment read for the `E6DATA_*` settings. Default `process.env`. */
  env?: Record<string, string | undefined>
}

/** The options with every default applied. */
export interface ResolvedOptions {
  host: string
  port: number
  target: string
  username: string
  password: string
  database: string
  catalog: string | undefined
  clusterName: string | undefined
  secure: boolean
  sslCert: Buffer | undefined
  autoResume: boolean
  autoResumeTimeout: number
  resumePollInterval: number
  prepareTimeout: number
  callTimeout: number
  channelOptions: ChannelOptions
  strategyCacheTimeout: number
  maxRetryAttempts: number
  log: ((message: string) => void) | undefined
}

const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 900_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': 314_572_800,
}

function positiveNumber(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback
  const n = Number(value)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

/**
 * Applies defaults and validates. `E6DATA_STRATEGY_CACHE_TIMEOUT` (seconds), `E6DATA_MAX_RETRY_ATTEMPTS` and
 * `E6DATA_STRATEGY_LOG_LEVEL` are read from `env` when the option is not given.
 *
 * @throws E6dataError `INVALID_OPTIONS` without host, port, username or password; when `sslCert` names an unreadable file.
 */
export function resolveOptions(o: ConnectionOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw new E6dataError('new Connection() needs an options object', { code: 'INVALID_OPTIONS' })
  if (typeof o.host !== 'string' || o.host === '') throw new E6dataError('e6data Connection: host is required', { code: 'INVALID_OPTIONS' })
  if (!Number.isInteger(o.port) || o.port <= 0 || o.port > 65535) throw new E6dataError(`e6data Connection: port must be 1-65535, got ${String(o.port)}`, { code: 'INVALID_OPTIONS' })
  if (typeof o.username !== 'string' || o.username === '' || typeof o.password !== 'string' || o.password === '') {
    throw new E6dataError('e6data Connection: username (e-mail) and password (access token) are required', { code: 'INVALID_OPTIONS' })
  }
  const env = o.env ?? process.env
  const channelOptions: ChannelOptions = { ...DEFAULT_CHANNEL_OPTIONS }
  for (const [k, v] of Object.entries(o.grpcOptions ?? {})) channelOptions[k.startsWith('grpc.') ? k : `grpc.${k}`] = v
  let sslCert: Buffer | undefined
  if (o.sslCert !== undefined) {
    if (Buffer.isBuffer(o.sslCert) || o.sslCert.includes('-----BEGIN')) sslCert = Buffer.from(o.sslCert)
    else {
      try {
        sslCert = readFileSync(o.sslCert)
      } catch (err) {
        throw new E6dataError(`e6data Connection: cannot read sslCert file ${JSON.stringify(o.sslCert)} (${(err as NodeJS.ErrnoException).code})`, { code: 'INVALID_OPTIONS' })
      }
    }
  }
  const level = (env['E6DATA_STRATEGY_LOG_LEVEL'] ?? '').toUpperCase()
  const log = o.log ?? (o.debug === true || level === 'DEBUG' || level === 'INFO' ? (m: string) => console.error(`[e6data] ${m}`) : undefined)
  return {
    host: o.host,
    port: o.port,
    target: `${o.host}:${o.port}`,
    username: o.username,
    password: o.password,
    database: o.database ?? '',
    catalog: o.catalog === '' ? undefined : o.catalog,
    clusterName: o.clusterName === undefined || o.clusterName === '' ? undefined : o.clusterName.toLowerCase(),
    secure: o.secure ?? false,
    sslCert,
    autoResume: o.autoResume ?? true,
    autoResumeTimeout: o.autoResumeTimeout ?? 300_000,
    resumePollInterval: o.resumePollInterval ?? 5_000,
    prepareTimeout: o.prepareTimeout ?? 600_000,
    callTimeout: o.callTimeout ?? 600_000,
    channelOptions,
    strategyCacheTimeout: o.strategyCacheTimeout ?? positiveNumber(env['E6DATA_STRATEGY_CACHE_TIMEOUT'], 300) * 1000,
    maxRetryAttempts: o.maxRetryAttempts ?? Math.floor(positiveNumber(env['E6DATA_MAX_RETRY_ATTEMPTS'], 5)),
    log,
  }
}

/** Channel credentials: TLS with the given CA or the system roots, else insecure. */
export function channelCredentials(o: ResolvedOptions): ChannelCredentials {
  return o.secure ? credentials.createSsl(o.sslCert ?? null) : credentials.createInsecure()
}
