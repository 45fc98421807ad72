import { DialectryError } from '../core/errors.ts'
import { errorCodeName } from './iproto-error-codes.ts'

/**
 * One entry of a server error stack (IPROTO_ERROR / MP_ERROR,
 * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/format/). Entry 0 is the reported error,
 * the following ones its causes.
 */
export interface BoxErrorEntry {
  /** Error class on the server, e.g. `ClientError`, `AccessDeniedError`, `CustomError`. */
  type: string
  /** Server source file that raised it. */
  file: string
  /** Line in {@link file}. */
  line: number
  message: string
  /** `errno` saved with the error (0 when none). */
  errno: number
  /** Numeric error code (`box.error.*`). */
  code: number
  /** Extra payload, e.g. `object_type`/`object_name`/`access_type` for AccessDeniedError. */
  fields?: Record<string, unknown>
}

/** Base class of every error the Tarantool driver throws. */
export class TarantoolError extends DialectryError {}

/**
 * An error reply from the server (REQUEST_TYPE `0x8000 | code`,
 * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/format/).
 * `code` is the server's numeric code, `codeName` its `ER_*` name, `stackEntries` the full error stack
 * when the server sent one (2.4.1+).
 */
export class ServerError extends TarantoolError {
  declare readonly code: number
  readonly codeName: string
  readonly stackEntries: readonly BoxErrorEntry[]

  constructor(code: number, message: string, stackEntries: readonly BoxErrorEntry[] = [], context?: string) {
    const codeName = errorCodeName(code)
    super(`${message} (${codeName}, code ${code})${context ? `; ${context}` : ''}`, {
      code,
      retryable: code === 97 || code === 116 || code === 109,
    })
    this.codeName = codeName
    this.stackEntries = stackEntries
  }

  /** The server's own message, without the code suffix this class adds. */
  get serverMessage(): string {
    return this.stackEntries[0]?.message ?? this.message.replace(/ \(ER_[A-Z_0-9]+, code \d+\)(; .*)?$/, '')
  }
}

/** Authentication failed: wrong password (47) or unknown user (45). The password never appears in the message. */
export class AuthError extends ServerError {}

/**
 * The connection is not usable: not connected yet, lost, closed, or the server could not be reached.
 * `retryable` is `true` when the request was never written to a socket (it certainly did not execute);
 * `false` when the connection dropped after the request was sent (it may or may not have executed).
 */
export class ConnectionError extends TarantoolError {
  constructor(message: string, options: { code?: string; retryable: boolean; cause?: unknown }) {
    super(message, { code: options.code ?? 'CONNECTION', retryable: options.retryable, cause: options.cause })
  }
}

/** The request got no reply within its timeout. It may still execute on the server. */
export class TimeoutError extends TarantoolError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'TIMEOUT', retryable: false, cause })
  }
}

/** The caller's `AbortSignal` fired before the reply arrived. The request may still execute on the server. */
export class RequestAbortedError extends TarantoolError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'ABORTED', retryable: false, cause })
  }
}

/**
 * The peer broke the IPROTO protocol: not a Tarantool greeting, a malformed or truncated frame, a reply for an
 * unknown sync. The connection is closed when this happens; requests in flight fail with this error.
 */
export class ProtocolError extends TarantoolError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'PROTOCOL', retryable: false, cause })
  }
}

/** A space or index name the client cannot resolve from the loaded schema (`_vspace`/`_vindex`). */
export class SchemaError extends TarantoolError {
  constructor(message: string) {
    super(message, { code: 'SCHEMA', retryable: false })
  }
}

/** The caller passed something the driver cannot send (wrong type, out of range); nothing was sent. */
export class InvalidArgumentError extends TarantoolError {
  constructor(message: string) {
    super(message, { code: 'INVALID_ARGUMENT', retryable: false })
  }
}

/**
 * Interactive transactions need IPROTO streams (Tarantool 2.10+,
 * https://www.tarantool.io/en/doc/latest/reference/internals/iproto/streams/). On older servers every request
 * runs in its own fiber and an open transaction is rolled back when the request ends, so a multi-request
 * transaction cannot be offered; use one `call`/`eval` of a Lua function that wraps `box.atomic` instead.
 */
export class TransactionsNotSupportedError extends TarantoolError {
  constructor(serverVersion: string) {
    super(
      `Interactive transactions need IPROTO streams (Tarantool 2.10 or newer with memtx_use_mvcc_engine or vinyl); ` +
        `this server is ${serverVersion}, where each request commits or rolls back on its own. ` +
        `Run the statements in one Lua function (box.atomic) through call() instead.`,
      { code: 'TRANSACTIONS_NOT_SUPPORTED', retryable: false },
    )
  }
}
