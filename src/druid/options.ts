import type { DecodeOptions } from './column-types.ts'
import type { ResultFormat } from './body-splitter.ts'
import type { RowMode } from './result-decoder.ts'
import type { ServiceMapper } from './url-mapper.ts'

/**
 * Options of {@link connect}. Durations are milliseconds, sizes bytes. Names follow pydruid2's `connect()`
 * (paul-rogers/druid-client `pydruid2/client/client.py`: `tls_cert`, `prefer_tls`, `mapper`) in camelCase.
 */
export interface DruidOptions extends DecodeOptions {
  /** Basic-auth user (druid-basic-security); also taken from the URL (`http://user:pass@host:8888`). */
  username?: string
  /** Basic-auth password. Druid splits the credentials at the first `:` only into two parts, so it may not contain `:`. */
  password?: string
  /** Prefer a service's TLS port when the cluster model builds service URLs. Default `false`. */
  preferTls?: boolean
  /** A private CA to trust for `https` URLs (pydruid2 `tls_cert`): PEM file path, PEM text or Buffer. */
  tlsCert?: string | Buffer
  /** Verify TLS certificates (chain and host name). Default **`true`**; `false` only against test servers. */
  verifyTls?: boolean
  /** Maps advertised service addresses to reachable URLs (cluster model); default {@link DefaultMapper}. */
  mapper?: ServiceMapper
  /**
   * Limit for one call as a whole (connect, send, read the whole answer). Default 0: none. Also sent as the
   * query context `timeout` (unless the context sets one) so the server stops at the same deadline. On expiry the
   * call rejects with `DruidTimeoutError` and the query is cancelled on the server.
   */
  timeout?: number
  /** Limit for opening a TCP/TLS connection. Default 10 000. */
  connectTimeout?: number
  /**
   * Most bytes of one buffered answer (`query()`, REST calls); past it the call rejects with
   * `ResponseTooLargeError` and the connection is closed. Streams are not capped (they do not buffer).
   * Default 268 435 456 (256 MiB), the same default as the CrateDB driver.
   */
  maxResponseSize?: number
  /** Query context sent with every SQL query (merged under each call's `context`). */
  context?: Record<string, unknown>
  /** Extra HTTP headers on every request. */
  headers?: Record<string, string>
  /** Rows as objects keyed by column name (default) or arrays in column order. */
  rowMode?: RowMode
  /** Connections per service (undici pool size). Default 8. */
  poolSize?: number
}

/** Options of one SQL call (`query`, `stream`). */
export interface QueryOptions extends DecodeOptions {
  /** Query context for this call (https://druid.apache.org/docs/latest/querying/sql-query-context). */
  context?: Record<string, unknown>
  /** Wire format. `query()` default `'array'`, `stream()` default `'arrayLines'`. */
  resultFormat?: ResultFormat
  /** Ask for the header rows (names and both type rows). Default `true`; without them values are not typed. */
  header?: boolean
  /** Ask for the Druid type row. Default `true`. */
  typesHeader?: boolean
  /** Ask for the SQL type row. Default `true`. */
  sqlTypesHeader?: boolean
  /** The query id (context `sqlQueryId`); default a random UUID made by the client, so the query can be cancelled at once. */
  sqlQueryId?: string
  /** Overrides the client's `timeout` for this call. */
  timeout?: number
  /** Aborts the call; the query is cancelled on the server (`DELETE /druid/v2/sql/{id}`). */
  signal?: AbortSignal
  /** Overrides the client's `rowMode`. */
  rowMode?: RowMode
}

/** Default of {@link DruidOptions.maxResponseSize}: 256 MiB. */
export const DEFAULT_MAX_RESPONSE_SIZE = 268_435_456
