import { status, type ServiceError } from '@grpc/grpc-js'
import {
  E6dataAuthenticationError,
  E6dataCancelledError,
  E6dataClusterSuspendedError,
  E6dataConnectionError,
  E6dataError,
  E6dataQueryError,
  E6dataStrategyError,
  E6dataTimeoutError,
} from './errors.ts'

/**
 * How a gRPC failure is read. The gateway in front of an e6data engine answers a wrong blue/green strategy with
 * HTTP `:status 456` and a suspended cluster with HTTP 503, without `grpc-status`; grpc-js reports those as
 * UNKNOWN / UNAVAILABLE `Received HTTP status code 456|503` (grpc/grpc-node
 * `packages/grpc-js/src/subchannel-call.ts`), where the Python client's C-core says `Received http2 header with
 * status: 456`. Both are matched on the number, not on either library's wording. An expired session is INTERNAL
 * with `Access denied` in the details (e6data/e6data-python-connector `e6data_python_connector/e6data_grpc.py`).
 */
export type GrpcFailureKind = 'strategy' | 'suspended' | 'session' | 'other'

/** Classifies a grpc-js error. */
export function classifyGrpcError(err: unknown): GrpcFailureKind {
  const e = err as Partial<ServiceError>
  const details = String(e.details ?? e.message ?? '')
  if (/\b456\b/.test(details) && (e.code === status.UNKNOWN || e.code === status.INVALID_ARGUMENT || e.code === status.UNAVAILABLE)) return 'strategy'
  if (e.code === status.UNAVAILABLE && /\b503\b/.test(details)) return 'suspended'
  if (e.code === status.INTERNAL && /Access denied/i.test(details)) return 'session'
  return 'other'
}

/** `true` when `err` is a grpc-js ServiceError (has a numeric `code` and `details`). */
export function isServiceError(err: unknown): err is ServiceError {
  return typeof err === 'object' && err !== null && typeof (err as ServiceError).code === 'number' && 'details' in err
}

/** Wraps a grpc-js error into the driver's typed errors; the engine's text stays in the message. */
export function wrapGrpcError(err: unknown, rpc: string): E6dataError {
  if (err instanceof E6dataError) return err
  if (!isServiceError(err)) {
    return new E6dataError(`e6data ${rpc} failed: ${(err as Error)?.message ?? String(err)}`, { code: 'CLIENT', cause: err, rpc })
  }
  const opts = { code: status[err.code] ?? err.code, grpcCode: err.code, rpc, cause: err }
  const details = err.details || err.message
  switch (classifyGrpcError(err)) {
    case 'strategy':
      return new E6dataStrategyError(`e6data ${rpc}: the gateway rejected the blue/green strategy (HTTP 456): ${details}`, { ...opts, retryable: true })
    case 'suspended':
      return new E6dataClusterSuspendedError(`e6data ${rpc}: the cluster is suspended (HTTP 503): ${details}. Resume it, or connect with autoResume: true`, { ...opts, retryable: true })
    case 'session':
      return new E6dataAuthenticationError(`e6data ${rpc}: the engine refused the session: ${details}`, { ...opts, retryable: true })
  }
  switch (err.code) {
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return new E6dataAuthenticationError(`e6data ${rpc}: authentication failed: ${details}. Check the user (e-mail) and the access token`, opts)
    case status.CANCELLED:
      return new E6dataCancelledError(`e6data ${rpc} was cancelled: ${details}`, opts)
    case status.DEADLINE_EXCEEDED:
      return new E6dataTimeoutError(`e6data ${rpc} did not answer before its deadline: ${details}`, { ...opts, retryable: true })
    case status.UNAVAILABLE:
      return new E6dataConnectionError(`e6data ${rpc}: the engine is unreachable: ${details}`, { ...opts, retryable: true })
    default:
      return new E6dataQueryError(`e6data ${rpc} failed: ${details}`, opts)
  }
}
