import { DialectryError } from '../core/errors.ts'

/**
 * Errors of the CrateDB driver. The hierarchy follows crate-python's DB-API classes (crate/crate-python
 * `src/crate/client/exceptions.py`) with CrateDB's
 * own error codes (https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-codes) exposed:
 *
 * ```
 * CrateDBError                      code, httpStatus?, errorTrace?, retryable
 * ├─ DatabaseError                  the server answered with an error for the statement
 * │  ├─ ProgrammingError            4xx family: syntax, unknown relation/column, privileges, bad request
 * │  │  ├─ NotSupportedError        4004 feature not supported (UnsupportedFeatureException)
 * │  │  └─ AuthenticationError      HTTP 401 (plain-text body)
 * │  └─ IntegrityError              4091 duplicate primary key (or `DuplicateKeyException` text on old servers)
 * ├─ ConnectionError                no node answered, or the connection broke
 * ├─ TimeoutError                   the call's `timeout` elapsed
 * ├─ RequestAbortedError            the caller's AbortSignal fired
 * ├─ ProtocolError                  a 2xx answer that is not the JSON CrateDB sends
 * │  └─ ResponseTooLargeError       an answer larger than `maxResponseSize` (before or after inflation)
 * ├─ InvalidArgumentError           the call cannot be sent as given (nothing was sent)
 * └─ BlobError                      blob API failures (table, digest)
 *    ├─ DigestNotFoundError         GET of a digest the table does not hold
 *    └─ BlobLocationNotFoundError   unknown blob table, or not a blob table
 * ```
 *
 * Differences from crate-python: `NotSupportedError` is a `ProgrammingError` here (code catching the 4xx family
 * keeps catching it); `ConnectionError` is not a `DatabaseError` (crate-python: `OperationalError`), so catch
 * `CrateDBError` to catch everything; there is no `DataError`/`InternalError`/`OperationalError`, which
 * crate-python never raises itself.
 *
 * `code` is CrateDB's numeric error code (e.g. 4091) when the server sent one, else a string client code
 * (`HTTP_401`, `NODES_UNAVAILABLE`, `TIMEOUT`, ...). Messages never contain passwords or tokens.
 */
export interface CrateDBErrorOptions {
  code: string | number
  retryable?: boolean
  cause?: unknown
  /** HTTP status of the response that carried the error, when there was one. */
  httpStatus?: number
  /** Java stack trace from the server; only present when the client was created with `errorTrace: true`. */
  errorTrace?: string
  /** Node (URL without credentials) the failing request went to. */
  node?: string
}

/** Base class of every error the CrateDB driver throws. */
export class CrateDBError extends DialectryError {
  /** HTTP status of the response, when the error came from one. */
  readonly httpStatus: number | undefined
  /** Server stack trace (`error_trace`), only with the `errorTrace` option. */
  readonly errorTrace: string | undefined
  /** Node URL (no credentials) the failing request went to, when known. */
  readonly node: string | undefined

  constructor(message: string, options: CrateDBErrorOptions) {
    super(message, { code: options.code, retryable: options.retryable, cause: options.cause })
    this.httpStatus = options.httpStatus
    this.errorTrace = options.errorTrace
    this.node = options.node
  }
}

/**
 * The server rejected or failed the statement (any JSON error envelope,
 * https://cratedb.com/docs/crate/reference/en/latest/interfaces/http.html#http-error-handling). `serverMessage` is
 * CrateDB's
 * text, e.g. `RelationUnknown[Relation 'doc.t' unknown]`. 5xx codes land here directly (5005 = killed,
 * 5002/5003 shard failures, 503x cluster unavailable; the 503x ones are `retryable`).
 */
export class DatabaseError extends CrateDBError {
  /** CrateDB's own message, without the code/status suffix this class adds. */
  readonly serverMessage: string

  constructor(serverMessage: string, options: CrateDBErrorOptions) {
    const where = [typeof options.code === 'number' ? `CrateDB error ${options.code}` : undefined, options.httpStatus !== undefined ? `HTTP ${options.httpStatus}` : undefined, options.node]
      .filter((x) => x !== undefined)
      .join(', ')
    super(`${serverMessage}${where ? ` (${where})` : ''}`, options)
    this.serverMessage = serverMessage
  }
}

/** A statement the server rejects: syntax (4000), unknown relation/column/schema (404x), privileges (401x), ... */
export class ProgrammingError extends DatabaseError {}

/** CrateDB error 4004: the statement uses a feature CrateDB does not support (yet), e.g. a bulk SELECT. */
export class NotSupportedError extends ProgrammingError {}

/**
 * HTTP 401: authentication failed or no host-based-auth entry matched
 * (https://cratedb.com/docs/crate/reference/en/latest/admin/auth/hba.html). The body is plain text.
 */
export class AuthenticationError extends ProgrammingError {}

/** Duplicate primary key (4091), also recognised by `DuplicateKeyException` in the text of older servers. */
export class IntegrityError extends DatabaseError {}

/**
 * No node could be used, or the connection broke. `retryable` is `true` when the request certainly did not
 * execute (it was never written to a socket, or the node answered 503/509); `false` when it may have executed.
 * `nodes` lists every node tried with what happened there.
 */
export class ConnectionError extends CrateDBError {
  /** Each node tried (URL without credentials) and the failure seen there, in order. */
  readonly nodes: readonly { node: string; error: string }[]

  constructor(message: string, options: CrateDBErrorOptions & { nodes?: readonly { node: string; error: string }[] }) {
    super(message, options)
    this.nodes = options.nodes ?? []
  }
}

const NOTHING_KILLED: Promise<string[]> = Promise.resolve([])

/**
 * The call's `timeout` (ms) elapsed; the call rejects at the deadline. When the statement had been sent, the
 * driver kills its server-side job in the background (see `killing`); a write may still have been partly
 * applied, since CrateDB has no rollback.
 */
export class TimeoutError extends CrateDBError {
  /**
   * Server job ids killed with `KILL '<id>'` after the timeout. Filled in when the background kill finishes
   * (await {@link killing} to be sure); empty when none was found running.
   */
  killedJobs: string[] = []
  /** Resolves with the killed job ids once the background kill has finished (never rejects). */
  killing: Promise<string[]> = NOTHING_KILLED
}

/**
 * The caller's `AbortSignal` fired; the call rejects at once. When the statement had been sent, the driver
 * kills its server-side job in the background (see `killing`). `cause` is the signal's reason.
 */
export class RequestAbortedError extends CrateDBError {
  /**
   * Server job ids killed with `KILL '<id>'` after the abort. Filled in when the background kill finishes
   * (await {@link killing} to be sure); empty when none was found running.
   */
  killedJobs: string[] = []
  /** Resolves with the killed job ids once the background kill has finished (never rejects). */
  killing: Promise<string[]> = NOTHING_KILLED
}

/** A successful HTTP status with a body that is not CrateDB's JSON (e.g. a proxy page). */
export class ProtocolError extends CrateDBError {}

/**
 * An answer was larger than the client's `maxResponseSize` (bytes), as sent or once inflated from gzip/deflate, or
 * too large to decode at all (over V8's longest string). Reading stopped at the limit and the connection that
 * carried it was closed, so the rest of the answer was never buffered. Not retryable: the same request gets the
 * same answer. Read large results with `client.stream()` (server-side cursor, bounded memory) or large blobs
 * with `blobs(table).getStream()`; or raise `maxResponseSize`.
 */
export class ResponseTooLargeError extends ProtocolError {
  /** The limit in bytes that was exceeded. */
  readonly limit: number
  /** `true` when the compressed answer was within the limit but its inflated form was not. */
  readonly inflated: boolean

  constructor(message: string, options: Omit<CrateDBErrorOptions, 'code' | 'retryable'> & { limit: number; inflated?: boolean }) {
    super(message, { ...options, code: 'RESPONSE_TOO_LARGE', retryable: false })
    this.limit = options.limit
    this.inflated = options.inflated ?? false
  }
}

/** The call cannot be sent as given (bad option, unsupported value type, ...). Nothing was sent. */
export class InvalidArgumentError extends CrateDBError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'INVALID_ARGUMENT', cause })
  }
}

/**
 * A blob API request failed (https://cratedb.com/docs/crate/reference/en/latest/general/blobs.html). `table` and
 * `digest` say which blob.
 */
export class BlobError extends CrateDBError {
  readonly table: string
  readonly digest: string | undefined

  constructor(message: string, options: CrateDBErrorOptions & { table: string; digest?: string }) {
    super(message, options)
    this.table = options.table
    this.digest = options.digest
  }
}

/** GET of a digest that the blob table does not hold (404). */
export class DigestNotFoundError extends BlobError {}

/** The blob table does not exist or is not a blob table (PUT answered 404/400 for the table). */
export class BlobLocationNotFoundError extends BlobError {}
