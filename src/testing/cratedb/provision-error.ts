import { DialectryError } from '../../core/errors.ts'

/**
 * Thrown by `provisionCrateDB` and `startCrateDB` when no CrateDB can be provisioned or started as asked, and by
 * `LocalCrateDB.stopNode`/`startNode` for a node index the server does not have (`INVALID_ARGUMENT`); `PORT_IN_USE`
 * when a port given to `startCrateDB` is taken. A
 * {@link DialectryError}; never retryable.
 */
export class CrateDBProvisionError extends DialectryError {
  declare readonly code: 'NO_DOCKER' | 'CHILD_FAILED' | 'INVALID_OPTIONS' | 'INVALID_ARGUMENT' | 'PORT_IN_USE'

  constructor(message: string, code: CrateDBProvisionError['code'], options?: { cause?: unknown }) {
    super(message, { code, cause: options?.cause })
  }
}
