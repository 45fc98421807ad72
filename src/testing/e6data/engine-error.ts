import { status } from '@grpc/grpc-js'

/** An error the local engine answers with: a gRPC status code and its details. */
export class EngineError extends Error {
  readonly code: number
  constructor(code: number, details: string) {
    super(details)
    this.code = code
  }
}

/** The gateway's HTTP 456 (wrong blue/green strategy), as grpc-js reports a `:status 456` reply without grpc-status. */
export function wrongStrategy(sent: string, live: string): EngineError {
  return new EngineError(status.UNKNOWN, `Received HTTP status code 456 (status: 456): strategy ${sent} is not live; live strategy is ${live}`)
}

/** The gateway's HTTP 503 for a suspended cluster, as grpc-js reports it. */
export function clusterSuspended(): EngineError {
  return new EngineError(status.UNAVAILABLE, 'Received HTTP status code 503 (status: 503): cluster is suspended')
}

/** Unknown or expired session: INTERNAL `Access denied`, as the engine answers. */
export function accessDenied(): EngineError {
  return new EngineError(status.INTERNAL, 'Access denied: the session is unknown or has expired; authenticate again')
}
