import { DialectryError } from '../core/errors.ts'
import { RETRYABLE_STATUS_CODES, statusCodeName } from './status-codes.ts'

/**
 * Errors of the BTrDB driver. Both error channels of the BTrDB API end here: the in-band `Status` message of a
 * response (`stat.code != 0`, also as the last message of a stream) and gRPC statuses (auth, ACL, transport, and
 * newer servers' `"[404] stream does not exist"` details). The classes follow PingThingsIO/btrdb-python
 * `btrdb/exceptions.py`, without its quirks (raw gRPC errors are always wrapped here):
 *
 * ```
 * BTrDBError                          code (BTrDB status number, or a string client code), grpcCode?, rpc?
 * ├─ StreamNotFoundError              404, or a "collection/name" that matches no stream
 * ├─ NoSuchPointError                 401 (nearest() returns undefined instead of throwing it)
 * ├─ InvalidOperationError            the request cannot be done in this state
 * │  ├─ StreamExistsError             406 / 417
 * │  ├─ AmbiguousStreamError          418 / 412
 * │  └─ PermissionDeniedError         gRPC PERMISSION_DENIED, 437
 * ├─ InvalidValueError                a value the server (or the client, before sending) rejects
 * │  └─ 407 InvalidCollection, 408/409 tag key/value, 413 time range, 415 pointwidth, 425 bad value,
 * │     429 recycled uuid, 441 bad SQL value, 450 version not available (same class, `code` tells which)
 * ├─ AuthenticationError              gRPC UNAUTHENTICATED ("invalid api key")
 * ├─ ConnectionError                  no endpoint answered (gRPC UNAVAILABLE), or nothing to connect to
 * ├─ CredentialsError                 credentials file / profile problems
 * ├─ TimeoutError / RequestAbortedError  the call's timeout elapsed / the caller's AbortSignal fired
 * └─ ServerError                      any other server status (5xx, 402-405, 414, 421, 423, 426, 427, ...)
 * ```
 */
export interface BTrDBErrorOptions {
  code: string | number
  retryable?: boolean
  cause?: unknown
  /** gRPC status code of the call when the error came through the gRPC channel. */
  grpcCode?: number
  /** The RPC that failed, e.g. `'RawValues'`. */
  rpc?: string
}

/** Base class of every error the BTrDB driver throws. */
export class BTrDBError extends DialectryError {
  /** gRPC status code (`@grpc/grpc-js` `status`), when the error came through the gRPC channel. */
  readonly grpcCode: number | undefined
  /** Name of the RPC that failed. */
  readonly rpc: string | undefined
  constructor(message: string, options: BTrDBErrorOptions) {
    super(message, options)
    this.grpcCode = options.grpcCode
    this.rpc = options.rpc
  }
}
/** The stream does not exist (BTrDB 404), or a `collection/name` matched no stream. */
export class StreamNotFoundError extends BTrDBError {}
/** No point in the asked direction (BTrDB 401). */
export class NoSuchPointError extends BTrDBError {}
/** The request cannot be carried out in the current state. */
export class InvalidOperationError extends BTrDBError {}
/** A stream with that uuid, or with that collection and tags, exists (406, 417). */
export class StreamExistsError extends InvalidOperationError {}
/** The collection and tags identify more than one stream, or clash with another stream (412, 418). */
export class AmbiguousStreamError extends InvalidOperationError {}
/** The API key's user lacks permission (gRPC PERMISSION_DENIED, BTrDB 437). */
export class PermissionDeniedError extends InvalidOperationError {}
/** A value was rejected: time range, pointwidth, collection, tag, NaN, SQL parameter, version, recycled uuid. */
export class InvalidValueError extends BTrDBError {}
/** The server refused the API key (gRPC UNAUTHENTICATED). */
export class AuthenticationError extends BTrDBError {}
/** No endpoint could be reached, or connect() found no endpoint to use. */
export class ConnectionError extends BTrDBError {}
/** The credentials file cannot be read or parsed, or the profile is not in it. */
export class CredentialsError extends BTrDBError {}
/** The call's `timeout` elapsed (gRPC DEADLINE_EXCEEDED or the client timer). */
export class TimeoutError extends BTrDBError {}
/** The caller's AbortSignal fired. */
export class RequestAbortedError extends BTrDBError {}
/** Any other status the server reported. */
export class ServerError extends BTrDBError {}

const VALUE_CODES = new Set([407, 408, 409, 411, 413, 415, 422, 425, 429, 438, 441, 443, 444, 450])

/**
 * The error for BTrDB status `code` with server message `msg`, as the in-band `Status` or a `[code] msg` gRPC
 * detail reports it.
 */
export function errorFromStatus(code: number, msg: string, rpc: string, extra: { grpcCode?: number; cause?: unknown } = {}): BTrDBError {
  const name = statusCodeName(code)
  const message = `BTrDB ${rpc} failed with [${code}${name !== undefined ? ` ${name}` : ''}] ${msg}`
  const options: BTrDBErrorOptions = { code, rpc, retryable: RETRYABLE_STATUS_CODES.has(code), ...extra }
  if (code === 404) return new StreamNotFoundError(message, options)
  if (code === 401) return new NoSuchPointError(message, options)
  if (code === 406 || code === 417) return new StreamExistsError(message, options)
  if (code === 412 || code === 418) return new AmbiguousStreamError(message, options)
  if (code === 437) return new PermissionDeniedError(message, options)
  if (VALUE_CODES.has(code)) return new InvalidValueError(message, options)
  if (code === 402) return new TimeoutError(message, options)
  return new ServerError(message, options)
}

// @grpc/grpc-js status numbers (grpc/grpc doc/statuscodes.md), kept here so this file needs no grpc import.
const GRPC_CANCELLED = 1
const GRPC_DEADLINE_EXCEEDED = 4
const GRPC_PERMISSION_DENIED = 7
const GRPC_RESOURCE_EXHAUSTED = 8
const GRPC_UNAVAILABLE = 14
const GRPC_UNAUTHENTICATED = 16

/**
 * The error for a failed gRPC call: `[code] msg` details become {@link errorFromStatus}; auth, permission,
 * transport and deadline statuses get their own classes; anything else is a {@link ServerError} with code
 * `GRPC_<n>`.
 */
export function errorFromGrpc(err: { code?: number; details?: string; message?: string }, rpc: string, endpoint?: string): BTrDBError {
  const grpcCode = err.code ?? 2
  const details = err.details ?? err.message ?? ''
  const coded = /^\s*\[(\d{3})\]\s*([\s\S]*)$/.exec(details)
  if (coded !== null) return errorFromStatus(Number(coded[1]), coded[2]!, rpc, { grpcCode, cause: err })
  const where = endpoint !== undefined ? ` at ${endpoint}` : ''
  const base = { rpc, grpcCode, cause: err }
  switch (grpcCode) {
    case GRPC_UNAUTHENTICATED:
      return new AuthenticationError(`BTrDB ${rpc}${where} refused the API key: ${details}. Check BTRDB_API_KEY or the profile's api_key.`, { ...base, code: 'UNAUTHENTICATED' })
    case GRPC_PERMISSION_DENIED:
      return new PermissionDeniedError(`BTrDB ${rpc}${where} denied: ${details}`, { ...base, code: 'PERMISSION_DENIED' })
    case GRPC_UNAVAILABLE:
      return new ConnectionError(`BTrDB ${rpc}: endpoint${where} unavailable: ${details}`, { ...base, code: 'UNAVAILABLE', retryable: true })
    case GRPC_DEADLINE_EXCEEDED:
      return new TimeoutError(`BTrDB ${rpc}${where} timed out: ${details}`, { ...base, code: 'TIMEOUT' })
    case GRPC_CANCELLED:
      return new RequestAbortedError(`BTrDB ${rpc}${where} was cancelled: ${details}`, { ...base, code: 'ABORTED' })
    case GRPC_RESOURCE_EXHAUSTED:
      return new ServerError(`BTrDB ${rpc}${where}: resource exhausted: ${details}`, { ...base, code: 'RESOURCE_EXHAUSTED' })
    default:
      return new ServerError(`BTrDB ${rpc}${where} failed with gRPC status ${grpcCode}: ${details}`, { ...base, code: `GRPC_${grpcCode}` })
  }
}
