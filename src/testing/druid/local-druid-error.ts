import { DialectryError } from '../../core/errors.ts'

/**
 * The local Druid server could not start as asked: options that make no cluster (`INVALID_OPTIONS`: no services,
 * a service without roles, no Broker/Router to answer SQL), or a port in use (`PORT_IN_USE`).
 */
export class LocalDruidError extends DialectryError {
  constructor(message: string, code: 'INVALID_OPTIONS' | 'PORT_IN_USE', cause?: unknown) {
    super(message, { code, cause })
  }
}
