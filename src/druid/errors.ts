import { DialectryError } from '../core/errors.ts'

/**
 * Errors of the Druid driver. Server errors carry the fields of Druid's error envelopes
 * (https://druid.apache.org/docs/latest/api-reference/sql-api#responses and apache/druid
 * `processing/src/main/java/org/apache/druid/error/ErrorResponse.java`): the newer DruidException shape
 * (`errorCode`, `persona`, `category`, `errorMessage`, `context`) and the legacy QueryException shape (`error`,
 * `errorMessage`, `errorClass`, `host`).
 *
 * ```
 * DruidError                     code, httpStatus?, sqlQueryId?, retryable
 * ├─ DruidQueryError             the server answered with an error envelope (category, errorCode, persona, ...)
 * │  ├─ DruidQueryTimeoutError   category TIMEOUT (HTTP 504, legacy "Query timeout")
 * │  └─ DruidQueryCanceledError  category CANCELED (legacy "Query cancelled")
 * ├─ DruidAuthError              HTTP 401 (bad credentials) or 403 (not authorized)
 * ├─ DruidConnectionError        no answer: connection refused or broken
 * ├─ DruidTimeoutError           the call's `timeout` elapsed on the client
 * ├─ DruidAbortedError           the caller's AbortSignal fired
 * ├─ DruidProtocolError          an answer that is not what Druid sends
 * │  ├─ TruncatedResultError     the result stopped before its terminator (cut mid-stream)
 * │  └─ ResponseTooLargeError    a buffered answer over `maxResponseSize`
 * └─ DruidInvalidArgumentError   the call cannot be sent as given (nothing was sent)
 * ```
 * Messages never contain passwords.
 */
export interface DruidErrorOptions {
  code: string | number
  retryable?: boolean
  cause?: unknown
  /** HTTP status of the answer that carried the error. */
  httpStatus?: number
  /** The `sqlQueryId` of the query, when the error belongs to one. */
  sqlQueryId?: string
  /** URL (no credentials) the failing request went to. */
  url?: string
}

/** Base class of every error the Druid driver throws. */
export class DruidError extends DialectryError {
  readonly httpStatus: number | undefined
  readonly sqlQueryId: string | undefined
  readonly url: string | undefined

  constructor(message: string, options: DruidErrorOptions) {
    super(message, { code: options.code, retryable: options.retryable, cause: options.cause })
    this.httpStatus = options.httpStatus
    this.sqlQueryId = options.sqlQueryId
    this.url = options.url
  }
}

/** Druid's error categories (apache/druid `processing/src/main/java/org/apache/druid/error/DruidException.java`). */
export type DruidErrorCategory =
  | 'DEFENSIVE'
  | 'INVALID_INPUT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CAPACITY_EXCEEDED'
  | 'CANCELED'
  | 'RUNTIME_FAILURE'
  | 'SERVICE_UNAVAILABLE'
  | 'TIMEOUT'
  | 'UNSUPPORTED'
  | 'UNCATEGORIZED'

/** The parsed error envelope, both shapes folded into one. */
export interface DruidErrorEnvelope {
  /** `category` of the new shape; derived from the legacy `error` code for old servers. */
  category: DruidErrorCategory
  /** `errorCode` (`invalidInput`, `general`, `legacyQueryException`, ...), or the legacy `error` code. */
  errorCode: string
  /** The legacy `error` code (`SQL parse failed`, `Query timeout`, ...) when the server sent one (not `druidException`). */
  legacyCode: string | undefined
  /** `persona` (`USER`, `ADMIN`, `OPERATOR`, `DEVELOPER`) when sent. */
  persona: string | undefined
  /** The server's message (`errorMessage`, else `error`). */
  errorMessage: string
  /** `errorClass` (Java class) when sent. */
  errorClass: string | undefined
  /** `host` that failed, when sent. */
  host: string | undefined
  /** `context` map (e.g. `line`, `column` of a parse error). */
  context: Record<string, string>
}

/** The server answered a request with an error envelope. `code` is the `errorCode`. */
export class DruidQueryError extends DruidError implements DruidErrorEnvelope {
  readonly category: DruidErrorCategory
  readonly errorCode: string
  readonly legacyCode: string | undefined
  readonly persona: string | undefined
  readonly errorMessage: string
  readonly errorClass: string | undefined
  readonly host: string | undefined
  readonly context: Record<string, string>

  constructor(what: string, envelope: DruidErrorEnvelope, options: Omit<DruidErrorOptions, 'code'>) {
    super(`${what}: ${envelope.errorMessage} (${envelope.category}${options.httpStatus !== undefined ? `, HTTP ${options.httpStatus}` : ''})`, {
      ...options,
      code: envelope.errorCode,
      retryable: options.retryable ?? (envelope.category === 'CAPACITY_EXCEEDED' || envelope.category === 'SERVICE_UNAVAILABLE'),
    })
    this.category = envelope.category
    this.errorCode = envelope.errorCode
    this.legacyCode = envelope.legacyCode
    this.persona = envelope.persona
    this.errorMessage = envelope.errorMessage
    this.errorClass = envelope.errorClass
    this.host = envelope.host
    this.context = envelope.context
  }
}

/** The server gave up on the query at its deadline (context `timeout`); category `TIMEOUT`, HTTP 504. */
export class DruidQueryTimeoutError extends DruidQueryError {}

/** The query was cancelled on the server; category `CANCELED`. */
export class DruidQueryCanceledError extends DruidQueryError {}

/** HTTP 401 (credentials missing or wrong) or 403 (the user lacks a permission). `code` is `HTTP_401`/`HTTP_403`. */
export class DruidAuthError extends DruidError {}

/** No answer: the connection could not be opened or broke. `retryable` when the request was not sent. */
export class DruidConnectionError extends DruidError {}

/** The call's `timeout` elapsed before the answer was complete; a running query was cancelled on the server. */
export class DruidTimeoutError extends DruidError {}

/** The caller's AbortSignal fired; a running query was cancelled on the server. `cause` is the abort reason. */
export class DruidAbortedError extends DruidError {}

/** An answer that is not what Druid sends (not JSON where JSON was due, a wrong shape). */
export class DruidProtocolError extends DruidError {}

/**
 * A result body ended before its terminator (`]` + newline for `array`/`object`, a blank line for `arrayLines`,
 * `objectLines` and `csv`; https://druid.apache.org/docs/latest/api-reference/sql-api#responses): the server or a
 * proxy cut it mid-stream, so the rows received are not the whole result. `code` is `TRUNCATED_RESULT`.
 */
export class TruncatedResultError extends DruidProtocolError {
  /** Rows decoded before the cut. */
  readonly rowsReceived: number

  constructor(message: string, rowsReceived: number, options: DruidErrorOptions) {
    super(message, options)
    this.rowsReceived = rowsReceived
  }
}

/** A buffered answer was larger than `maxResponseSize`; reading stopped and the connection was closed. */
export class ResponseTooLargeError extends DruidProtocolError {
  /** The limit in bytes. */
  readonly limit: number

  constructor(message: string, limit: number, options: DruidErrorOptions) {
    super(message, options)
    this.limit = limit
  }
}

/** The call cannot be sent as given (a parameter of an unsupported type, a bad option); nothing was sent. */
export class DruidInvalidArgumentError extends DruidError {}

/** An ingestion task (`/druid/v2/sql/task`) ended FAILED. `code` is `TASK_FAILED`; `taskId` names it on the Overlord. */
export class DruidTaskFailedError extends DruidError {
  readonly taskId: string
  /** The Overlord's `errorMsg`, when sent. */
  readonly errorMsg: string | undefined

  constructor(message: string, taskId: string, errorMsg: string | undefined, options: DruidErrorOptions) {
    super(message, options)
    this.taskId = taskId
    this.errorMsg = errorMsg
  }
}
