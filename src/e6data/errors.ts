import { DialectryError } from '../core/errors.ts'

/**
 * Errors of the e6data driver. gRPC failures are always wrapped (the Python connector lets raw
 * `grpc._channel._InactiveRpcError`s through, e6data/e6data-python-connector `e6data_python_connector/e6data_grpc.py`):
 *
 * ```
 * E6dataError                    code, grpcCode?, rpc?
 * ├─ E6dataAuthenticationError   authenticate failed (UNAUTHENTICATED, empty session id) or the session was refused
 * ├─ E6dataClusterSuspendedError the gateway answered HTTP 503 and auto-resume was off or did not reach `active`
 * ├─ E6dataStrategyError         HTTP 456 (wrong blue/green strategy) on every colour, or retries ran out
 * ├─ E6dataQueryError            the engine rejected the statement; `message` carries the engine's text
 * ├─ E6dataCancelledError        the query was cancelled (cancelQuery, AbortSignal)
 * ├─ E6dataTimeoutError          a call's deadline elapsed
 * ├─ E6dataProtocolError         a reply that does not follow the wire format (metadata, Thrift Chunk)
 * └─ E6dataConnectionError       the channel could not reach the engine (UNAVAILABLE), or the connection is closed
 * ```
 */
export interface E6dataErrorOptions {
  code: string | number
  retryable?: boolean
  cause?: unknown
  /** gRPC status code (`@grpc/grpc-js` `status`) when the error came through the channel. */
  grpcCode?: number
  /** The RPC that failed, e.g. `'prepareStatementV2'`. */
  rpc?: string
}

/** Base class of every error the e6data driver throws. */
export class E6dataError extends DialectryError {
  /** gRPC status code when the error came through the gRPC channel. */
  readonly grpcCode: number | undefined
  /** Name of the RPC that failed. */
  readonly rpc: string | undefined
  constructor(message: string, options: E6dataErrorOptions) {
    super(message, options)
    this.grpcCode = options.grpcCode
    this.rpc = options.rpc
  }
}
/** Authentication failed (bad user or token), or the engine refused the session (`Access denied`) after re-authenticating. */
export class E6dataAuthenticationError extends E6dataError {}
/** The cluster is suspended (gateway HTTP 503) and auto-resume was off, failed, or timed out. */
export class E6dataClusterSuspendedError extends E6dataError {}
/** The gateway kept answering HTTP 456 (wrong blue/green strategy) after every retry. */
export class E6dataStrategyError extends E6dataError {}
/** The engine rejected or failed the statement; the message holds the engine's own text. */
export class E6dataQueryError extends E6dataError {}
/** The query was cancelled. */
export class E6dataCancelledError extends E6dataError {}
/** A call's deadline elapsed (gRPC DEADLINE_EXCEEDED) or a bounded wait ran out. */
export class E6dataTimeoutError extends E6dataError {}
/** A reply broke the wire format (result metadata, Thrift `Chunk`). */
export class E6dataProtocolError extends E6dataError {}
/** The engine could not be reached, or the Connection/Cursor is closed. */
export class E6dataConnectionError extends E6dataError {}
