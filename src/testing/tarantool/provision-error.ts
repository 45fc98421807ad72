import { DialectryError } from '../../core/errors.ts'

/** Thrown when a local Tarantool cannot be found, started, reached or stopped. `code` says which. */
export class TarantoolProvisionError extends DialectryError {}
