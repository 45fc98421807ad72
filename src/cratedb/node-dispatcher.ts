import { Socket } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { buildConnector, Client, Pool } from 'undici'
import type { Dispatcher } from 'undici'

/** How sockets to CrateDB nodes are opened (shared by every node of a client). */
export interface SocketSettings {
  /** TLS options for https nodes (from `resolveTlsOptions`). */
  tls: ConnectionOptions
  /** Ms to open a TCP/TLS connection. */
  connectTimeout: number
  /** SO_KEEPALIVE on or off. */
  keepAlive: boolean
  /** TCP_KEEPIDLE in seconds; `undefined` keeps undici's 60 s. */
  keepIdle?: number
  /** TCP_KEEPINTVL in seconds, where Node can set it. */
  keepInterval?: number
  /** TCP_KEEPCNT, where Node can set it. */
  keepCount?: number
}

/**
 * `true` when this Node's `socket.setKeepAlive` accepts an interval and a probe count (Node 24.19+ and the
 * matching 22.x/23.x releases); before that only `enable` and `initialDelay` could be set from JavaScript.
 */
export const keepAliveTuningSupported: boolean = Socket.prototype.setKeepAlive.length >= 3

type SetKeepAliveWithOptions = (options: { enable?: boolean; initialDelay?: number; interval?: number; count?: number }) => Socket

/**
 * Builds undici's connector: its built-in one (TLS, connect timeout, SO_KEEPALIVE, TCP_KEEPIDLE), plus
 * TCP_KEEPINTVL/TCP_KEEPCNT set on each new socket where Node supports them.
 */
export function createConnector(settings: SocketSettings): buildConnector.connector {
  const initialDelay = settings.keepIdle !== undefined ? Math.round(settings.keepIdle * 1000) : undefined
  const base = buildConnector({
    ...settings.tls,
    timeout: settings.connectTimeout,
    keepAlive: settings.keepAlive,
    ...(initialDelay !== undefined ? { keepAliveInitialDelay: initialDelay } : {}),
    allowH2: false,
  })
  const tune = settings.keepAlive && keepAliveTuningSupported && (settings.keepInterval !== undefined || settings.keepCount !== undefined)
  if (!tune) return base
  const options = {
    enable: true,
    initialDelay: initialDelay ?? 60_000,
    ...(settings.keepInterval !== undefined ? { interval: Math.round(settings.keepInterval * 1000) } : {}),
    ...(settings.keepCount !== undefined ? { count: settings.keepCount } : {}),
  }
  return (opts, callback) => {
    base(opts, (err, socket) => {
      if (socket !== null) (socket.setKeepAlive as unknown as SetKeepAliveWithOptions).call(socket, options)
      ;(callback as (e: Error | null, s: unknown) => void)(err, socket)
    })
  }
}

/**
 * The undici pool for one node: at most `connections` sockets, HTTP/1.1 without pipelining (CrateDB keeps one
 * SQL session per connection, crate/crate `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`), no
 * undici-level header/body timeouts (the driver's own `timeout`
 * bounds calls, so long statements are not cut at undici's 300 s default).
 */
export function createNodePool(origin: string, connector: buildConnector.connector, connections: number): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    connect: connector,
    headersTimeout: 0,
    bodyTimeout: 0,
    allowH2: false,
  })
}

/** A single-connection dispatcher for a dedicated session (cursors): one socket, one request at a time. */
export function createSessionClient(origin: string, connector: buildConnector.connector): Dispatcher {
  return new Client(origin, {
    pipelining: 1,
    connect: connector,
    headersTimeout: 0,
    bodyTimeout: 0,
    allowH2: false,
    // The cursor lives in this socket's session: it must not be dropped while the application pauses between
    // batches (undici's default closes idle sockets after 4 s).
    keepAliveTimeout: 86_400_000,
    keepAliveMaxTimeout: 86_400_000,
  })
}
