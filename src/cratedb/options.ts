import type { DecodeOptions } from './result-reader.ts'

/**
 * Options of {@link connect}. Names follow crate-python's `connect()` arguments in camelCase (crate/crate-python
 * `src/crate/client/connection.py`); the
 * differences are called out per option. Durations are milliseconds unless the name says otherwise.
 */
export interface CrateDBOptions extends DecodeOptions {
  /**
   * Nodes as an alternative to `connect`'s first argument: one URL, a whitespace-separated list, or an array.
   * Default `http://localhost:4200/`.
   */
  servers?: string | readonly string[]
  /**
   * Limit in ms for one call as a whole: connecting, failing over to other nodes, backoff waits, sending and
   * reading the answer. 0 or absent: no limit. When it elapses the call rejects with `TimeoutError` and the
   * statement's server-side job is killed. Each call may override it. (crate-python applies its timeout per
   * connect and per read instead, which is how a 3 s timeout can take 50 s, crate/crate-python#570.)
   */
  timeout?: number
  /** Limit in ms for opening one TCP/TLS connection; a node that does not connect in time is set aside. Default 10 000. */
  connectTimeout?: number
  /** Ms a failed node stays set aside before requests try it again. Default 30 000 (crate-python's value). */
  retryInterval?: number
  /**
   * Backoff between attempts after connection-level failures, in ms: the delays before the 1st, 2nd, 3rd ...
   * retry are 0, f, 2f, 4f ..., capped at 120 000. Default 0 (retry at once). crate-python takes seconds.
   * Setting it also raises the default of `maxRetries` to at least 5, so it takes effect with one server too.
   */
  backoffFactor?: number
  /**
   * Retries of connection-level failures per call (connection refused, 502/503/504/509, ...); the retry goes
   * to the next node (the same one when it is the only one). Default: one attempt per node
   * (`servers.length - 1` retries), or at least 5 when `backoffFactor` is set. (crate-python inherits urllib3's
   * 10 retries on every call, which is how a call against a dead server can hang for 50 s, crate/crate-python#570; here
   * a
   * call without backoff fails fast.)
   */
  maxRetries?: number
  /**
   * Verify the server's TLS certificate (chain and host name). Default **`true`**: like crate-python since 0.27
   * and unlike older crate-python releases and node-crate, which accepted any certificate. `false` accepts any
   * certificate; use it only against test servers.
   */
  verifySslCert?: boolean
  /** CA certificate(s) to trust instead of Node's bundled roots: PEM file path, PEM text or Buffer. */
  caCert?: string | Buffer
  /** Client certificate for mutual TLS: PEM file path, PEM text or Buffer. */
  certFile?: string | Buffer
  /** Private key of `certFile`: PEM file path, PEM text or Buffer. Default: the key inside `certFile`. */
  keyFile?: string | Buffer
  /**
   * Accept servers that only speak TLS 1.0/1.1 (crate-python's `ssl_relax_minimum_version`), with OpenSSL's
   * security level lowered to 0 so their ciphers work. Default `false` (TLS 1.2 or newer).
   */
  sslRelaxMinimumVersion?: boolean
  /** Ask for the server's Java stack trace on errors (`?error_trace=true`); it lands in `error.errorTrace`. Default false. */
  errorTrace?: boolean
  /** Enable TCP keep-alive (SO_KEEPALIVE) on every connection. Default `true`. */
  socketKeepalive?: boolean
  /**
   * Seconds of idleness before the first keep-alive probe (TCP_KEEPIDLE). Default: Node/undici's 60 s.
   * Seconds, like the kernel option and crate-python.
   */
  socketTcpKeepidle?: number
  /**
   * Seconds between keep-alive probes (TCP_KEEPINTVL). Applied on Node versions whose `socket.setKeepAlive`
   * takes an interval (24.19+ and later 22.x/23.x lines); older Node versions cannot set it, and then it is
   * ignored with a one-time process warning (the system default, often 75 s, applies).
   */
  socketTcpKeepintvl?: number
  /**
   * Unanswered probes before the connection is dropped (TCP_KEEPCNT). Same Node version limits as
   * `socketTcpKeepintvl`.
   */
  socketTcpKeepcnt?: number
  /**
   * User for HTTP Basic authentication. Default: the user in the first server URL (`http://user:pass@host`),
   * else none is sent and the server uses its trust user (`crate` by default,
   * https://cratedb.com/docs/crate/reference/en/latest/admin/auth/methods.html#auth-trust). When only `password` is
   * given, the user is `crate`.
   */
  username?: string
  /** Password for Basic authentication; may be empty. Never appears in errors or logs. */
  password?: string
  /** JWT sent as `Authorization: Bearer` (CrateDB 5.7+). Cannot be combined with `username`/`password`. */
  jwtToken?: string
  /**
   * Default schema, sent as the `Default-Schema` header. CrateDB reads it only when it creates the HTTP session,
   * and sessions live per TCP connection (crate/crate `server/src/main/java/io/crate/rest/action/SqlHttpHandler.java`),
   * so it is fixed per client: make another client for
   * another schema. Default: the server's (`doc`).
   */
  schema?: string
  /**
   * Gzip `_sql` request bodies: `true` always, a number: bodies of at least that many bytes, `false` never.
   * Default `false`. crate-python defaults to 8192; we do not, because on a LAN compressing costs more than it
   * saves: gzip at the fastest level takes about 15 ms per 1.35 MB bulk body on a 2-core server CPU (91 MB/s,
   * 4.3x smaller), while 1 Gbit/s moves the uncompressed body in 11 ms. Turn it on for slow or metered links.
   * Compression runs on libuv's thread pool, off the event loop. Answers are always accepted compressed
   * (`Accept-Encoding: gzip, deflate`, as crate-python sends; CrateDB compresses them when `http.compression`
   * is on) and inflated the same way.
   */
  compress?: boolean | number
  /**
   * Most bytes of one answer the client buffers: checked against `Content-Length`, while the body arrives, and
   * again while a gzip/deflate answer is inflated (inflating stops at the limit). Past it the call rejects with
   * `ResponseTooLargeError` (not retryable) and the connection that carried the answer is closed, so a broken or
   * hostile server cannot exhaust the client's memory. Applies to `execute`, `executeMany`, each `stream()` batch,
   * `serverInfo` and blob `get` (blob `getStream` is not capped: it does not buffer). Default 268 435 456
   * (256 MiB); at most V8's longest string (536 870 888 on 64-bit Node), since an answer is decoded from one
   * string. The default leaves room for that string and the decoded rows (together often 3-4x the body) within
   * a default Node heap. Read larger results with `stream()`.
   */
  maxResponseSize?: number
  /** Connections per node (undici pool size). Default 16. */
  poolSize?: number
  /** Shape of rows from `execute`/`stream`: arrays in column order (default) or objects keyed by column name. */
  rowMode?: 'array' | 'object'
  /**
   * After a timeout or abort, find the statement's job in `sys.jobs` and `KILL` it. Default `true`.
   * See `CrateDBClient.execute`.
   */
  killOnAbort?: boolean
  /** Receives node state changes: a node set aside after a failure, or re-admitted. */
  onEvent?: (event: CrateDBEvent) => void
}

/** A node state change reported through {@link CrateDBOptions.onEvent}. */
export type CrateDBEvent =
  | { type: 'node-down'; node: string; error: string }
  | { type: 'node-up'; node: string }

/** Options every request method takes. */
export interface CallOptions {
  /** Limit for this call in ms (see {@link CrateDBOptions.timeout}); overrides the client's. 0: none. */
  timeout?: number
  /** Cancels the call; the statement's server job is killed (see {@link CrateDBOptions.killOnAbort}). */
  signal?: AbortSignal
}

/** Options of `execute`. */
export interface ExecuteOptions extends CallOptions {
  /** Row shape; default: the client's `rowMode` (`'array'`). */
  rowMode?: 'array' | 'object'
  /**
   * Declares the statement safe to send again after a connection broke while it was in flight (an upsert, an
   * INSERT ... ON CONFLICT DO NOTHING). By default only statements that read (SELECT, SHOW, EXPLAIN, VALUES,
   * WITH) are re-sent; see `CrateDBClient.execute` for the retry rules.
   */
  idempotent?: boolean
}

/** Options of `executeMany`. */
export interface ExecuteManyOptions extends CallOptions {
  /** As for `execute`: declares the bulk statement safe to send again after a broken connection. Default false. */
  idempotent?: boolean
}

/** Options of `stream`. */
export interface StreamOptions extends CallOptions {
  /** Limit in ms for each round trip (BEGIN, DECLARE, each FETCH, ...), not for the whole stream. 0: none. */
  timeout?: number
  /** Rows fetched per round trip (`FETCH n`). Default 1000. Memory holds at most two batches. */
  batchSize?: number
  /** Row shape; default: the client's `rowMode`. */
  rowMode?: 'array' | 'object'
}
